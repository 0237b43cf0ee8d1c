//! [`WaitList`]: the FIFO of suspended waiters behind every primitive.
//!
//! asyncio keeps a deque of futures per primitive; a release resolves the
//! first one. Here a waiter is an entry in a generational slab, threaded in
//! arrival order, holding the waker of the task that waits. Notifying marks
//! the first waiting entry and wakes its task; the entry stays until its
//! leaf sees the mark and removes it. That split is what makes cancellation
//! safe: a leaf cancelled (or dropped) after being notified learns it from
//! [`WaitList::remove`] and passes the notification on, so no wake-up,
//! permit, item or lock hand-off is lost; one cancelled before is simply
//! unlinked.

use std::collections::VecDeque;
use std::task::Waker;

use crate::util::slab::{Key, Slab};

/// Names one waiter in a [`WaitList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WaiterId(Key);

impl std::fmt::Debug for WaitList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitList")
            .field("waiting", &self.waiting)
            .finish_non_exhaustive()
    }
}

struct Entry {
    waker: Waker,
    notified: bool,
}

/// Waiters in arrival order.
#[derive(Default)]
pub(crate) struct WaitList {
    entries: Slab<Entry>,
    /// Arrival order. Keys of removed entries stay until they reach the
    /// front, where they are skipped; `waiting` counts the live ones.
    order: VecDeque<Key>,
    /// Entries registered and not yet notified.
    waiting: usize,
}

impl WaitList {
    /// Adds a waiter at the back.
    pub(crate) fn register(&mut self, waker: &Waker) -> WaiterId {
        let key = self.entries.insert(Entry {
            waker: waker.clone(),
            notified: false,
        });
        self.order.push_back(key);
        self.waiting += 1;
        WaiterId(key)
    }

    /// The wait of a leaf that needs one notification: `true` once the
    /// waiter in `slot` has been notified (it is then removed and `slot`
    /// emptied); otherwise registers a waiter in `slot`, or points the one
    /// there at `waker`, and returns `false`.
    pub(crate) fn wait(&mut self, slot: &mut Option<WaiterId>, waker: &Waker) -> bool {
        match *slot {
            None => {
                *slot = Some(self.register(waker));
                false
            }
            Some(id) if self.is_notified(id) => {
                self.remove(id);
                *slot = None;
                true
            }
            Some(id) => {
                self.update(id, waker);
                false
            }
        }
    }

    /// Points a waiter at the waker of its latest poll.
    pub(crate) fn update(&mut self, id: WaiterId, waker: &Waker) {
        if let Some(entry) = self.entries.get_mut(id.0) {
            if !entry.waker.will_wake(waker) {
                entry.waker = waker.clone();
            }
        }
    }

    /// Whether the waiter has been notified.
    pub(crate) fn is_notified(&self, id: WaiterId) -> bool {
        self.entries.get(id.0).is_some_and(|entry| entry.notified)
    }

    /// Removes a waiter; returns whether it had been notified (then the
    /// caller owns that notification: it either acts on it or passes it
    /// on).
    pub(crate) fn remove(&mut self, id: WaiterId) -> bool {
        let notified = match self.entries.remove(id.0) {
            Some(entry) => {
                if !entry.notified {
                    self.waiting -= 1;
                }
                entry.notified
            }
            None => false,
        };
        // Keys of removed waiters wait in `order` for a notification to
        // skip them; bound them when waiters come and go without one.
        if self.order.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.order.retain(|key| entries.contains(*key));
        }
        notified
    }

    /// Notifies the first waiter not yet notified and wakes its task;
    /// returns whether there was one.
    pub(crate) fn notify_one(&mut self) -> bool {
        while let Some(key) = self.order.pop_front() {
            if let Some(entry) = self.entries.get_mut(key) {
                if !entry.notified {
                    entry.notified = true;
                    self.waiting -= 1;
                    entry.waker.wake_by_ref();
                    return true;
                }
            }
        }
        false
    }

    /// Notifies every waiter; returns how many.
    pub(crate) fn notify_all(&mut self) -> usize {
        let mut count = 0;
        while self.notify_one() {
            count += 1;
        }
        count
    }

    /// How many waiters are registered and not yet notified.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }

    /// Whether no waiter is waiting to be notified.
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn notifies_in_arrival_order_and_reports_notified_removals() {
        let mut list = WaitList::default();
        let waker = Waker::noop();
        let a = list.register(waker);
        let b = list.register(waker);
        let c = list.register(waker);
        assert_eq!(list.waiting(), 3);
        // Cancelled before being notified: just unlinked.
        assert!(!list.remove(a));
        assert!(list.notify_one());
        assert!(list.is_notified(b));
        assert!(!list.is_notified(c));
        // Cancelled after: the caller learns it owns the notification.
        assert!(list.remove(b));
        assert_eq!(list.waiting(), 1);
        assert_eq!(list.notify_all(), 1);
        assert!(list.remove(c));
        assert!(!list.notify_one());
        assert!(list.is_empty());
    }
}
