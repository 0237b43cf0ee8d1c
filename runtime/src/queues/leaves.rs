//! The futures of the queue's waits: [`QueueGet`], [`QueuePut`],
//! [`QueueJoin`].
//!
//! Each is a [`ListWaiter`] on one of the queue's wait lists: it delivers
//! the task's pending cancellation first; when cancelled or dropped, it
//! leaves the wait list and passes on a wake-up already received, so that
//! no item or free slot is lost.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::queue::State;
use super::storage::QueueStorage;
use crate::error::{Error, Result};
use crate::sync::wait_list::{ListWaiter, WaitList, WaitQueue};

/// The getters' side of the queue's state.
pub(super) struct Getters;

/// The putters' side of the queue's state.
pub(super) struct Putters;

/// The joiners' side of the queue's state.
pub(super) struct Joiners;

/// A wake-up for an item, received by a getter that leaves, goes to the
/// next getter (asyncio's `get` cleanup).
impl<S: QueueStorage> WaitQueue<Getters> for State<S> {
    fn list(&mut self) -> &mut WaitList {
        &mut self.getters
    }

    fn hand_on(&mut self, notified: bool) {
        if notified && !self.storage.is_empty() {
            self.getters.notify_one();
        }
    }
}

/// A wake-up for a free slot, received by a putter that leaves, goes to
/// the next putter (asyncio's `put` cleanup).
impl<S: QueueStorage> WaitQueue<Putters> for State<S> {
    fn list(&mut self) -> &mut WaitList {
        &mut self.putters
    }

    fn hand_on(&mut self, notified: bool) {
        if notified && !self.full() {
            self.putters.notify_one();
        }
    }
}

/// Every joiner is woken at once: nothing to pass on.
impl<S: QueueStorage> WaitQueue<Joiners> for State<S> {
    fn list(&mut self) -> &mut WaitList {
        &mut self.joiners
    }
}

/// The future returned by [`GenericQueue::get`](super::GenericQueue::get):
/// the next item.
#[must_use = "futures do nothing unless polled or awaited"]
pub struct QueueGet<S: QueueStorage> {
    waiter: ListWaiter<State<S>, Getters>,
}

impl<S: QueueStorage> QueueGet<S> {
    pub(super) fn new(state: Rc<RefCell<State<S>>>) -> Self {
        QueueGet {
            waiter: ListWaiter::in_list(state),
        }
    }
}

impl<S: QueueStorage> Future for QueueGet<S> {
    type Output = Result<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<S::Item>> {
        if let Err(err) = self.waiter.begin("get polled after completion") {
            return Poll::Ready(Err(err));
        }
        // Woken or not, look (another task may have taken the item).
        self.waiter.poll_wait(cx, |state, _| match state.pop() {
            Some(item) => Some(Ok(item)),
            None if state.shutdown => Some(Err(Error::QueueShutDown)),
            None => None,
        })
    }
}

impl<S: QueueStorage> fmt::Debug for QueueGet<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueGet")
            .field("waiting", &self.waiter.is_waiting())
            .field("done", &self.waiter.is_done())
            .finish()
    }
}

/// The future returned by [`GenericQueue::put`](super::GenericQueue::put).
/// It owns the item until it is put; dropped or cancelled before that, it
/// drops the item.
#[must_use = "futures do nothing unless polled or awaited"]
pub struct QueuePut<S: QueueStorage> {
    waiter: ListWaiter<State<S>, Putters>,
    /// `None` once the future has completed.
    item: Option<S::Item>,
}

// The item is never pinned: it is only moved into the queue or dropped.
impl<S: QueueStorage> Unpin for QueuePut<S> {}

impl<S: QueueStorage> QueuePut<S> {
    pub(super) fn new(state: Rc<RefCell<State<S>>>, item: S::Item) -> Self {
        QueuePut {
            waiter: ListWaiter::in_list(state),
            item: Some(item),
        }
    }
}

impl<S: QueueStorage> Future for QueuePut<S> {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = &mut *self;
        let result = match this.waiter.begin("put polled after completion") {
            Err(err) => Poll::Ready(Err(err)),
            // Woken or not, look (another task may have taken the slot).
            Ok(()) => this.waiter.poll_wait(cx, |state, _| {
                if state.shutdown {
                    Some(Err(Error::QueueShutDown))
                } else if state.full() {
                    None
                } else {
                    if let Some(item) = this.item.take() {
                        state.push(item);
                    }
                    Some(Ok(()))
                }
            }),
        };
        if result.is_ready() {
            // Not put: dropped with the queue free.
            drop(this.item.take());
        }
        result
    }
}

impl<S: QueueStorage> fmt::Debug for QueuePut<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuePut")
            .field("waiting", &self.waiter.is_waiting())
            .field("done", &self.waiter.is_done())
            .finish()
    }
}

/// The future returned by [`GenericQueue::join`](super::GenericQueue::join).
#[must_use = "futures do nothing unless polled or awaited"]
pub struct QueueJoin<S: QueueStorage> {
    waiter: ListWaiter<State<S>, Joiners>,
}

impl<S: QueueStorage> QueueJoin<S> {
    pub(super) fn new(state: Rc<RefCell<State<S>>>) -> Self {
        QueueJoin {
            waiter: ListWaiter::in_list(state),
        }
    }
}

impl<S: QueueStorage> Future for QueueJoin<S> {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Err(err) = self.waiter.begin("join polled after completion") {
            return Poll::Ready(Err(err));
        }
        // Woken when the count dropped to zero: done, even if items have
        // been put since (asyncio's `_finished` event was set).
        self.waiter.poll_wait(cx, |state, woken| {
            (woken || state.unfinished == 0).then_some(Ok(()))
        })
    }
}

impl<S: QueueStorage> fmt::Debug for QueueJoin<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueJoin")
            .field("waiting", &self.waiter.is_waiting())
            .field("done", &self.waiter.is_done())
            .finish()
    }
}
