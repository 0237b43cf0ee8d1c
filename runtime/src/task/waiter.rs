//! [`Waiter`]: the one waiting skeleton every blocking leaf is built on.
//!
//! A leaf that suspends does the same three things around its own logic
//! (tokio's `batch_semaphore::Acquire` does them for its Mutex, RwLock and
//! mpsc): it delivers the task's pending cancellation before it waits, it
//! leaves its waker somewhere (a wait list, a source's readiness, the task
//! or future it awaits), and when it is cancelled, dropped or done it takes
//! that registration back, handing on whatever it was given and will not
//! use (a wake-up, a permit, a lock), so that nothing is lost. [`Waiter`]
//! does those once; a [`WaitSide`] says where the registration lives.

use crate::error::{Error, Result};
use crate::event_loop::driver::Core;

use super::cancel;

/// Where a [`Waiter`] leaves its registration, and how it takes it back.
pub(crate) trait WaitSide {
    /// Names one registration: a wait-list entry, the waker left on a
    /// source, the mark that the running task awaits a target.
    type Ticket;

    /// Takes a registration back when its leaf is cancelled, dropped or
    /// done, handing on what it was given and will not act on.
    fn withdraw(&self, ticket: Self::Ticket);
}

/// A leaf's registration on its [`WaitSide`], withdrawn on drop (an RAII
/// guard), and whether the leaf has completed.
pub(crate) struct Waiter<S: WaitSide> {
    side: S,
    ticket: Option<S::Ticket>,
    done: bool,
}

impl<S: WaitSide> Waiter<S> {
    /// A waiter on `side`, not registered yet.
    pub(crate) fn new(side: S) -> Self {
        Waiter {
            side,
            ticket: None,
            done: false,
        }
    }

    /// What the waiter waits on.
    #[inline]
    pub(crate) fn side(&self) -> &S {
        &self.side
    }

    /// The side and the registration slot, for a side's own wait.
    #[inline]
    pub(crate) fn parts(&mut self) -> (&S, &mut Option<S::Ticket>) {
        (&self.side, &mut self.ticket)
    }

    /// Whether a registration is outstanding.
    #[inline]
    pub(crate) fn is_waiting(&self) -> bool {
        self.ticket.is_some()
    }

    /// Whether the leaf has completed.
    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Marks the leaf as completed.
    #[inline]
    pub(crate) fn set_done(&mut self) {
        self.done = true;
    }

    /// Registers with `register` unless a registration is outstanding.
    #[inline]
    pub(crate) fn enlist(&mut self, register: impl FnOnce(&S) -> Option<S::Ticket>) {
        if self.ticket.is_none() {
            self.ticket = register(&self.side);
        }
    }

    /// Takes the registration out without withdrawing it (the caller then
    /// owns it).
    #[inline]
    pub(crate) fn take_ticket(&mut self) -> Option<S::Ticket> {
        self.ticket.take()
    }

    /// Withdraws the registration, if any, handing on what it was given.
    #[inline]
    pub(crate) fn withdraw(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.side.withdraw(ticket);
        }
    }

    /// The prologue of a leaf's poll: the error to complete with if it
    /// completed already (`after_done`) or its task has a cancellation
    /// pending, which is delivered here after the registration is
    /// withdrawn.
    #[inline]
    pub(crate) fn begin(&mut self, after_done: &'static str) -> Result<()> {
        if self.done {
            return Err(Error::invalid_state(after_done));
        }
        match cancel::take_request() {
            Some(err) => Err(self.cancel_with(err)),
            None => Ok(()),
        }
    }

    /// The cancellation part of [`begin`](Self::begin), for a leaf whose
    /// side has the running loop at hand (`core`) and that may be polled
    /// again after it completes.
    #[inline]
    pub(crate) fn cancelled_on(&mut self, core: impl FnOnce(&S) -> &Core) -> Option<Error> {
        let err = cancel::take_request_on(core(&self.side))?;
        Some(self.cancel_with(err))
    }

    fn cancel_with(&mut self, err: Error) -> Error {
        self.withdraw();
        self.done = true;
        err
    }
}

impl<S: WaitSide> Drop for Waiter<S> {
    fn drop(&mut self) {
        self.withdraw();
    }
}
