//! The futures of the queue's waits: [`QueueGet`], [`QueuePut`],
//! [`QueueJoin`].
//!
//! Each follows the leaf rule: deliver the task's pending cancellation
//! first; when cancelled or dropped, leave the wait list and pass on a
//! wake-up already received, so that no item or free slot is lost.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::queue::State;
use super::storage::QueueStorage;
use crate::error::{Error, Result};
use crate::sync::wait_list::WaiterId;
use crate::task::cancel;

/// The future returned by [`GenericQueue::get`](super::GenericQueue::get):
/// the next item.
#[must_use = "futures do nothing unless polled or awaited"]
pub struct QueueGet<S: QueueStorage> {
    state: Rc<RefCell<State<S>>>,
    waiter: Option<WaiterId>,
    done: bool,
}

impl<S: QueueStorage> QueueGet<S> {
    pub(super) fn new(state: Rc<RefCell<State<S>>>) -> Self {
        QueueGet {
            state,
            waiter: None,
            done: false,
        }
    }

    /// Leaves the wait list; a wake-up already received for an item goes to
    /// the next getter (asyncio's `get` cleanup).
    fn withdraw(&mut self) {
        if let Some(id) = self.waiter.take() {
            let mut state = self.state.borrow_mut();
            if state.getters.remove(id) && !state.storage.is_empty() {
                state.getters.notify_one();
            }
        }
    }
}

impl<S: QueueStorage> Future for QueueGet<S> {
    type Output = Result<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<S::Item>> {
        if self.done {
            return Poll::Ready(Err(Error::invalid_state("get polled after completion")));
        }
        if let Some(err) = cancel::take_request() {
            self.withdraw();
            self.done = true;
            return Poll::Ready(Err(err));
        }
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        if let Some(id) = this.waiter {
            if !state.getters.is_notified(id) {
                state.getters.update(id, cx.waker());
                return Poll::Pending;
            }
            // Woken: look again (another task may have taken the item).
            state.getters.remove(id);
            this.waiter = None;
        }
        if let Some(item) = state.pop() {
            this.done = true;
            return Poll::Ready(Ok(item));
        }
        if state.shutdown {
            this.done = true;
            return Poll::Ready(Err(Error::QueueShutDown));
        }
        this.waiter = Some(state.getters.register(cx.waker()));
        Poll::Pending
    }
}

impl<S: QueueStorage> Drop for QueueGet<S> {
    fn drop(&mut self) {
        self.withdraw();
    }
}

impl<S: QueueStorage> fmt::Debug for QueueGet<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueGet")
            .field("waiting", &self.waiter.is_some())
            .field("done", &self.done)
            .finish()
    }
}

/// The future returned by [`GenericQueue::put`](super::GenericQueue::put).
/// It owns the item until it is put; dropped or cancelled before that, it
/// drops the item.
#[must_use = "futures do nothing unless polled or awaited"]
pub struct QueuePut<S: QueueStorage> {
    state: Rc<RefCell<State<S>>>,
    /// `None` once the future has completed.
    item: Option<S::Item>,
    waiter: Option<WaiterId>,
}

// The item is never pinned: it is only moved into the queue or dropped.
impl<S: QueueStorage> Unpin for QueuePut<S> {}

impl<S: QueueStorage> QueuePut<S> {
    pub(super) fn new(state: Rc<RefCell<State<S>>>, item: S::Item) -> Self {
        QueuePut {
            state,
            item: Some(item),
            waiter: None,
        }
    }

    /// Leaves the wait list; a wake-up already received for a free slot
    /// goes to the next putter (asyncio's `put` cleanup).
    fn withdraw(&mut self) {
        if let Some(id) = self.waiter.take() {
            let mut state = self.state.borrow_mut();
            if state.putters.remove(id) && !state.full() {
                state.putters.notify_one();
            }
        }
    }

    /// Completes with `result`, dropping the item with the queue free.
    fn finish(&mut self, result: Result<()>) -> Poll<Result<()>> {
        drop(self.item.take());
        Poll::Ready(result)
    }
}

impl<S: QueueStorage> Future for QueuePut<S> {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if self.item.is_none() {
            return Poll::Ready(Err(Error::invalid_state("put polled after completion")));
        }
        if let Some(err) = cancel::take_request() {
            self.withdraw();
            return self.finish(Err(err));
        }
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        if let Some(id) = this.waiter {
            if !state.putters.is_notified(id) {
                state.putters.update(id, cx.waker());
                return Poll::Pending;
            }
            // Woken: look again (another task may have taken the slot).
            state.putters.remove(id);
            this.waiter = None;
        }
        if state.shutdown {
            drop(state);
            return this.finish(Err(Error::QueueShutDown));
        }
        if state.full() {
            this.waiter = Some(state.putters.register(cx.waker()));
            return Poll::Pending;
        }
        if let Some(item) = this.item.take() {
            state.push(item);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: QueueStorage> Drop for QueuePut<S> {
    fn drop(&mut self) {
        self.withdraw();
    }
}

impl<S: QueueStorage> fmt::Debug for QueuePut<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuePut")
            .field("waiting", &self.waiter.is_some())
            .field("done", &self.item.is_none())
            .finish()
    }
}

/// The future returned by [`GenericQueue::join`](super::GenericQueue::join).
#[must_use = "futures do nothing unless polled or awaited"]
pub struct QueueJoin<S: QueueStorage> {
    state: Rc<RefCell<State<S>>>,
    waiter: Option<WaiterId>,
    done: bool,
}

impl<S: QueueStorage> QueueJoin<S> {
    pub(super) fn new(state: Rc<RefCell<State<S>>>) -> Self {
        QueueJoin {
            state,
            waiter: None,
            done: false,
        }
    }

    /// Leaves the wait list (every joiner is woken at once: nothing to pass
    /// on).
    fn withdraw(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.state.borrow_mut().joiners.remove(id);
        }
    }
}

impl<S: QueueStorage> Future for QueueJoin<S> {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if self.done {
            return Poll::Ready(Err(Error::invalid_state("join polled after completion")));
        }
        if let Some(err) = cancel::take_request() {
            self.withdraw();
            self.done = true;
            return Poll::Ready(Err(err));
        }
        let this = &mut *self;
        let mut state = this.state.borrow_mut();
        // Woken when the count dropped to zero: done, even if items have
        // been put since (asyncio's `_finished` event was set).
        let finished = this.waiter.is_none() && state.unfinished == 0;
        if !finished && !state.joiners.wait(&mut this.waiter, cx.waker()) {
            return Poll::Pending;
        }
        this.done = true;
        Poll::Ready(Ok(()))
    }
}

impl<S: QueueStorage> Drop for QueueJoin<S> {
    fn drop(&mut self) {
        self.withdraw();
    }
}

impl<S: QueueStorage> fmt::Debug for QueueJoin<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueJoin")
            .field("waiting", &self.waiter.is_some())
            .field("done", &self.done)
            .finish()
    }
}
