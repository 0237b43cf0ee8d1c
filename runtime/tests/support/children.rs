//! This thread's child processes, from `/proc` (each test runs its loop on
//! its own thread, so its children are that thread's).

use std::collections::HashSet;

/// The pids of this thread's children (running, or zombies not reaped).
pub fn children() -> HashSet<u32> {
    std::fs::read_to_string("/proc/thread-self/children")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}
