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

use std::cell::RefCell;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::task::waiter::{WaitSide, Waiter};
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

/// A primitive's state seen from one of its wait lists: the list, and
/// what a waiter leaving it owes the others. `K` tells the lists of one
/// state apart (a queue's getters from its putters).
pub(crate) trait WaitQueue<K = ()> {
    /// The wait list.
    fn list(&mut self) -> &mut WaitList;

    /// A waiter left the list without acting on what it was given:
    /// `notified` if it had been notified. Hands the notification (the
    /// lock, the permit, the wake-up for an item) on to the next waiter;
    /// a broadcast owes nothing.
    fn hand_on(&mut self, notified: bool) {
        let _ = notified;
    }
}

/// A bare list (a condition's): a notification a waiter leaves with goes
/// to the next one.
impl WaitQueue for WaitList {
    fn list(&mut self) -> &mut WaitList {
        self
    }

    fn hand_on(&mut self, notified: bool) {
        if notified {
            self.notify_one();
        }
    }
}

/// The [`WaitSide`] of a leaf waiting in wait list `K` of a shared state.
pub(crate) struct Queued<T, K = ()>(Rc<RefCell<T>>, PhantomData<fn() -> K>);

impl<T: WaitQueue<K>, K> WaitSide for Queued<T, K> {
    type Ticket = WaiterId;

    fn withdraw(&self, id: WaiterId) {
        let mut state = self.0.borrow_mut();
        let notified = state.list().remove(id);
        state.hand_on(notified);
    }
}

/// A leaf's place in wait list `K` of a shared state.
pub(crate) type ListWaiter<T, K = ()> = Waiter<Queued<T, K>>;

impl<T: WaitQueue<K>, K> Waiter<Queued<T, K>> {
    /// A waiter in wait list `K` of `state`, not registered yet.
    pub(crate) fn in_list(state: Rc<RefCell<T>>) -> Self {
        Waiter::new(Queued(state, PhantomData))
    }

    /// The shared state.
    #[inline]
    pub(crate) fn state(&self) -> &Rc<RefCell<T>> {
        &self.side().0
    }

    /// Hands on a notification this waiter took out of the list (see
    /// [`take_notification`](Self::take_notification)) and will not act on.
    pub(crate) fn hand_on(&self) {
        self.state().borrow_mut().hand_on(true);
    }

    /// Leaves the list; returns whether the waiter had been notified. The
    /// caller then owns that notification: it acts on it or
    /// [`hand_on`](Self::hand_on)s it later.
    pub(crate) fn take_notification(&mut self) -> bool {
        match self.take_ticket() {
            Some(id) => self.state().borrow_mut().list().remove(id),
            None => false,
        }
    }

    /// One poll of the wait. Still registered and not notified: points the
    /// entry at this poll's waker, `Pending`. Otherwise leaves the list and
    /// calls `attempt` with the state and whether the waiter was notified;
    /// `Some(output)` completes the leaf, `None` queues it at the back of
    /// the list again.
    pub(crate) fn poll_wait<R>(
        &mut self,
        cx: &Context<'_>,
        attempt: impl FnOnce(&mut T, bool) -> Option<R>,
    ) -> Poll<R> {
        let (side, ticket) = self.parts();
        let mut state = side.0.borrow_mut();
        let notified = match *ticket {
            Some(id) if !state.list().is_notified(id) => {
                state.list().update(id, cx.waker());
                return Poll::Pending;
            }
            Some(id) => {
                state.list().remove(id);
                *ticket = None;
                true
            }
            None => false,
        };
        match attempt(&mut state, notified) {
            Some(output) => {
                drop(state);
                self.set_done();
                Poll::Ready(output)
            }
            None => {
                *ticket = Some(state.list().register(cx.waker()));
                Poll::Pending
            }
        }
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
