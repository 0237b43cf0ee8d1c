//! The task cell: one spawned future and what becomes of it.
//!
//! A cell is shared, through an `Rc`, by the loop's task table (as a
//! [`Runnable`]) and by the user's [`Task`](super::Task) handle (as a
//! [`Join`]). The future is stored inline in the cell, so spawning costs one
//! allocation plus the waker's.
//!
//! Life of a cell: `Running` while the future is pending; `Finished` once it
//! returned, panicked or was aborted; `Taken` after the handle collected the
//! outcome. When it finishes the cell leaves the loop's table, and the
//! future is dropped at that moment, not when the last handle goes.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};
use crate::event_loop::driver::Core;
use crate::event_loop::tasks::{Runnable, TaskId};
use crate::util::panic;

/// What a task ended with.
enum Outcome<T> {
    Returned(T),
    Panicked(String),
    Aborted,
}

enum Stage<F: Future> {
    Running(F),
    Finished(Outcome<F::Output>),
    Taken,
}

/// The typed view of a task that its [`Task`](super::Task) handle uses.
pub(super) trait Join<T> {
    /// Whether the task has finished (returned, panicked or was aborted).
    fn is_done(&self) -> bool;
    /// The outcome, or `Pending` with `cx`'s waker registered.
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T>>;
    /// Requests cancellation; `false` if the task is done.
    fn cancel(&self) -> bool;
    /// Drops the future now (or right after its current step).
    fn abort(&self);
}

/// One spawned task.
pub(super) struct TaskCell<F: Future> {
    id: TaskId,
    core: Weak<Core>,
    /// The task's own waker, lent to every poll.
    waker: Waker,
    done: Cell<bool>,
    /// `abort` was called while the future was being polled.
    abort_requested: Cell<bool>,
    /// Whoever awaits the handle.
    join_waker: Cell<Option<Waker>>,
    stage: RefCell<Stage<F>>,
}

impl<F: Future> TaskCell<F> {
    pub(super) fn new(id: TaskId, core: Weak<Core>, waker: Waker, future: F) -> Self {
        TaskCell {
            id,
            core,
            waker,
            done: Cell::new(false),
            abort_requested: Cell::new(false),
            join_waker: Cell::new(None),
            stage: RefCell::new(Stage::Running(future)),
        }
    }

    /// Polls the future once, catching a panic.
    fn poll_future(&self) -> Poll<Outcome<F::Output>> {
        let mut stage = self.stage.borrow_mut();
        let Stage::Running(future) = &mut *stage else {
            return Poll::Pending;
        };
        // SAFETY: the future is stored inline in this cell, which lives in
        // an `Rc` allocation and therefore never moves. The future is never
        // moved out of `Stage::Running` either: it is only ever dropped in
        // place, by overwriting the stage (see `finish`). So it stays pinned
        // from this first `Pin` until it is dropped.
        let future = unsafe { Pin::new_unchecked(future) };
        let mut cx = Context::from_waker(&self.waker);
        match catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Outcome::Returned(value)),
            Err(payload) => Poll::Ready(Outcome::Panicked(panic::message(&*payload))),
        }
    }

    /// Records the outcome (dropping the future in place), leaves the
    /// loop's table and wakes whoever awaits the task.
    fn finish(&self, outcome: Outcome<F::Output>) {
        let mut stage = self.stage.borrow_mut();
        // Overwriting the stage drops the future in place, as pinning
        // requires. Should its destructor panic, the new stage is still
        // written; the panic is reported and otherwise ignored, as the task
        // is over anyway.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| *stage = Stage::Finished(outcome))) {
            eprintln!(
                "asyncio: a task's future panicked while being dropped: {}",
                panic::message(&*payload)
            );
        }
        drop(stage);
        self.done.set(true);
        if let Some(core) = self.core.upgrade() {
            core.remove_task(self.id);
        }
        if let Some(waker) = self.join_waker.take() {
            waker.wake();
        }
    }

    /// Takes the outcome of a finished task.
    fn take_outcome(&self) -> Option<Outcome<F::Output>> {
        let mut stage = self.stage.borrow_mut();
        match &*stage {
            Stage::Running(_) => None,
            Stage::Finished(_) | Stage::Taken => {
                match std::mem::replace(&mut *stage, Stage::Taken) {
                    Stage::Finished(outcome) => Some(outcome),
                    _ => None,
                }
            }
        }
    }
}

impl<F: Future + 'static> Runnable for TaskCell<F> {
    fn run(self: Rc<Self>) {
        if self.done.get() {
            return;
        }
        match self.poll_future() {
            Poll::Ready(outcome) => self.finish(outcome),
            Poll::Pending if self.abort_requested.get() => self.finish(Outcome::Aborted),
            Poll::Pending => {}
        }
    }

    fn abort(&self) {
        Join::abort(self);
    }
}

impl<F: Future> Join<F::Output> for TaskCell<F> {
    fn is_done(&self) -> bool {
        self.done.get()
    }

    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output>> {
        if !self.done.get() {
            let waker = match self.join_waker.take() {
                Some(waker) if waker.will_wake(cx.waker()) => waker,
                _ => cx.waker().clone(),
            };
            self.join_waker.set(Some(waker));
            return Poll::Pending;
        }
        Poll::Ready(match self.take_outcome() {
            Some(Outcome::Returned(value)) => Ok(value),
            Some(Outcome::Panicked(msg)) => Err(Error::Panicked(msg)),
            Some(Outcome::Aborted) => Err(Error::Cancelled),
            None => Err(Error::invalid_state("the task's result was already taken")),
        })
    }

    fn cancel(&self) -> bool {
        !self.done.get()
            && self
                .core
                .upgrade()
                .is_some_and(|core| core.request_cancel(self.id))
    }

    fn abort(&self) {
        if self.done.get() {
            return;
        }
        if self.stage.try_borrow_mut().is_err() {
            // The task is aborting itself from inside its own step: the
            // future cannot be dropped while it is being polled, so the step
            // finishes the job when the poll returns.
            self.abort_requested.set(true);
            return;
        }
        self.finish(Outcome::Aborted);
    }
}
