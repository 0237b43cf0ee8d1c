//! The timer heap: which scheduled callback is due next.
//!
//! A binary min-heap ordered by `(deadline, sequence)`. The sequence number
//! grows with every insertion, so timers with equal deadlines come out in
//! the order they were scheduled (asyncio's `call_at` ordering).
//!
//! The heap stores only keys; the callbacks live in the loop's callback
//! slab. Cancelling a timer removes its callback from the slab at once (so
//! whatever it captured is freed) and leaves the heap entry behind, to be
//! skipped when it reaches the top. That is asyncio's lazy deletion, with
//! its guard against leaking: once cancelled entries are both numerous and
//! more than half of the heap, the heap is rebuilt without them, so its size
//! stays within a constant factor of the live timers.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::util::slab::Key;

/// Below this many cancelled entries the heap is never compacted: a rebuild
/// costs O(n) and small heaps lose nothing by waiting.
const COMPACT_MIN_CANCELLED: usize = 64;

/// One scheduled timer, as the heap sees it.
#[derive(Debug)]
struct Entry {
    deadline: Instant,
    seq: u64,
    key: Key,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // `seq` is unique, so the key never takes part in the order.
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

/// Deadlines of the loop's timers, earliest first.
///
/// Every method that may meet a cancelled entry takes `is_live`, which says
/// whether a key still names a scheduled callback.
#[derive(Debug, Default)]
pub(super) struct TimerHeap {
    heap: BinaryHeap<Reverse<Entry>>,
    next_seq: u64,
    /// Entries in `heap` whose callback has been cancelled.
    cancelled: usize,
}

impl TimerHeap {
    /// Schedules `key` at `deadline`, after every timer already at that
    /// deadline.
    pub(super) fn push(&mut self, deadline: Instant, key: Key) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { deadline, seq, key }));
    }

    /// Number of timers that are still live.
    /// Whether the heap holds no entry at all, live or cancelled.
    pub(super) fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub(super) fn live(&self) -> usize {
        self.heap.len() - self.cancelled
    }

    /// Records that the callback behind one heap entry was cancelled, and
    /// compacts the heap when cancelled entries dominate it.
    pub(super) fn note_cancelled(&mut self, is_live: impl Fn(Key) -> bool) {
        self.cancelled += 1;
        if self.cancelled >= COMPACT_MIN_CANCELLED && self.cancelled * 2 > self.heap.len() {
            self.heap.retain(|Reverse(entry)| is_live(entry.key));
            self.cancelled = 0;
        }
    }

    /// The earliest live deadline, discarding cancelled entries on top.
    pub(super) fn next_deadline(&mut self, is_live: impl Fn(Key) -> bool) -> Option<Instant> {
        self.discard_cancelled_top(&is_live);
        self.heap.peek().map(|Reverse(entry)| entry.deadline)
    }

    /// Removes and returns the earliest live timer due at or before `now`.
    pub(super) fn pop_expired(
        &mut self,
        now: Instant,
        is_live: impl Fn(Key) -> bool,
    ) -> Option<Key> {
        self.discard_cancelled_top(&is_live);
        match self.heap.peek() {
            Some(Reverse(entry)) if entry.deadline <= now => {
                self.heap.pop().map(|Reverse(entry)| entry.key)
            }
            _ => None,
        }
    }

    /// Forgets every timer.
    pub(super) fn clear(&mut self) {
        self.heap.clear();
        self.cancelled = 0;
    }

    fn discard_cancelled_top(&mut self, is_live: &impl Fn(Key) -> bool) {
        while let Some(Reverse(entry)) = self.heap.peek() {
            if is_live(entry.key) {
                break;
            }
            self.heap.pop();
            self.cancelled -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::slab::Slab;
    use std::time::Duration;

    #[test]
    fn deadline_order_then_fifo() {
        let mut slab = Slab::new();
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        for (name, ms) in [("c", 30), ("a1", 10), ("b", 20), ("a2", 10), ("a3", 10)] {
            heap.push(at(ms), slab.insert(name));
        }
        let mut order = Vec::new();
        while let Some(key) = heap.pop_expired(at(100), |k| slab.contains(k)) {
            order.push(slab.remove(key).unwrap());
        }
        assert_eq!(order, ["a1", "a2", "a3", "b", "c"]);
    }

    #[test]
    fn not_yet_due_stays() {
        let mut slab = Slab::new();
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        heap.push(t0 + Duration::from_secs(5), slab.insert(()));
        assert_eq!(heap.pop_expired(t0, |k| slab.contains(k)), None);
        assert_eq!(
            heap.next_deadline(|k| slab.contains(k)),
            Some(t0 + Duration::from_secs(5))
        );
    }

    #[test]
    fn cancelled_entries_are_skipped_and_compacted() {
        let mut slab = Slab::new();
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let keys: Vec<_> = (0..1000_u64)
            .map(|i| {
                let key = slab.insert(i);
                heap.push(t0 + Duration::from_millis(i), key);
                key
            })
            .collect();
        // Cancel all but the last timer: the heap must not keep 999 dead
        // entries around.
        for &key in &keys[..999] {
            slab.remove(key);
            heap.note_cancelled(|k| slab.contains(k));
        }
        assert!(
            heap.heap.len() < 2 * COMPACT_MIN_CANCELLED,
            "{}",
            heap.heap.len()
        );
        assert_eq!(heap.live(), 1);
        assert_eq!(
            heap.next_deadline(|k| slab.contains(k)),
            Some(t0 + Duration::from_millis(999))
        );
        assert_eq!(heap.live(), 1);
        assert_eq!(heap.cancelled, 0);
    }
}
