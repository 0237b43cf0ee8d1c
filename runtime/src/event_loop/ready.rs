//! What the ready queue holds.
//!
//! The ready queue is one FIFO for everything runnable: task steps and plain
//! callbacks, in the order they became runnable (asyncio's `_ready` deque).
//! Entries are keys, not the things themselves, so that a task's waker or a
//! callback's handle can name an entry without owning it: a task that
//! finished, or a callback that was cancelled, after being queued leaves a
//! stale key behind, which the loop skips.

use super::tasks::TaskId;
use crate::util::slab::Key;

/// One runnable item.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ready {
    /// Poll the task with this id once (its "step").
    Task(TaskId),
    /// Run the scheduled callback with this key (a `call_soon` callback, or
    /// a timer that has expired).
    Callback(Key),
}
