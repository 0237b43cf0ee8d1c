//! The task cell: one spawned future and what becomes of it.
//!
//! A cell is shared, through an `Rc`, by the loop's task table (as a
//! [`Runnable`]) and by the user's handles ([`Task`](super::Task) as a
//! [`Join`], [`TaskRef`] as a `Runnable`). The future is stored inline in
//! the cell and the waker is a plain number, so spawning costs exactly one
//! allocation.
//!
//! Life of a cell: `Running` while the future is pending; `Finished` once it
//! returned, failed, panicked, was cancelled or aborted; `Taken` after a
//! handle collected the output. When it finishes, the future is dropped
//! and the cell leaves the loop's table; the output stays until taken.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::output::IntoResult;
use crate::error::{Error, Result};
use crate::event_loop::ExceptionContext;
use crate::event_loop::driver::Core;
use crate::event_loop::task_ref::complete;
use crate::event_loop::tasks::{CancelTarget, Header, Outcome, Runnable};
use crate::util::panic;

enum Stage<F, T> {
    Running(F),
    /// The error is boxed: failures are rare, and an inline `Error` would
    /// make every task cell larger.
    Finished(Result<T, Box<Error>>),
    Taken,
}

pub(super) struct TaskCell<F, T> {
    header: Header,
    stage: RefCell<Stage<F, T>>,
}

impl<F, T> TaskCell<F, T>
where
    F: Future + 'static,
    F::Output: IntoResult<Ok = T>,
    T: 'static,
{
    pub(super) fn new(core: &Core, future: F) -> Self {
        TaskCell {
            header: Header::new(core, core.next_serial()),
            stage: RefCell::new(Stage::Running(future)),
        }
    }

    fn poll_future(&self) -> Poll<Result<T>> {
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
        let waker = self.header.waker();
        let mut cx = Context::from_waker(&waker);
        match catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(output.into_result()),
            Err(payload) => Poll::Ready(Err(Error::Panicked(panic::message(&*payload)))),
        }
    }

    fn finish(self: Rc<Self>, result: Result<T>) {
        // A cancellation requested and never delivered still cancels the
        // task, even if its coroutine returned (asyncio's `__step`).
        let result = match result {
            Ok(_) if self.header.must_cancel() => {
                Err(Error::Cancelled(self.header.cancel_message()))
            }
            other => other,
        };
        let outcome = match &result {
            Ok(_) => Outcome::Returned,
            Err(err) if err.is_cancelled() => Outcome::Cancelled,
            Err(_) => Outcome::Failed,
        };
        {
            let mut stage = self.stage.borrow_mut();
            // Overwriting the stage drops the future in place, as pinning
            // requires. Should its destructor panic, the new stage is still
            // written; the panic is reported and otherwise ignored.
            let result = result.map_err(Box::new);
            let replace = catch_unwind(AssertUnwindSafe(|| *stage = Stage::Finished(result)));
            if let Err(payload) = replace {
                eprintln!(
                    "asyncio: a task's future panicked while being dropped: {}",
                    panic::message(&*payload)
                );
            }
        }
        let task: Rc<dyn Runnable> = self;
        complete(&task, outcome);
    }
}

impl<F, T> CancelTarget for TaskCell<F, T> {
    fn cancel_target(self: Rc<Self>, msg: Option<Arc<str>>) -> bool {
        self.header.cancel(msg)
    }
}

impl<F, T> Runnable for TaskCell<F, T>
where
    F: Future + 'static,
    F::Output: IntoResult<Ok = T>,
    T: 'static,
{
    fn header(&self) -> &Header {
        &self.header
    }

    fn run(self: Rc<Self>) {
        if self.header.is_done() {
            return;
        }
        if !self.header.started.get() {
            // Cancelled before its first step: the coroutine never runs.
            if let Some(err) = self.header.take_cancel() {
                self.finish(Err(err));
                return;
            }
            self.header.started.set(true);
        }
        match self.poll_future() {
            Poll::Ready(result) => self.finish(result),
            Poll::Pending if self.header.abort_requested.get() => {
                self.finish(Err(Error::cancelled()));
            }
            Poll::Pending => {}
        }
    }

    fn abort(self: Rc<Self>) {
        if self.header.is_done() {
            return;
        }
        if self.stage.try_borrow_mut().is_err() {
            // The task is aborting itself from inside its own step: the
            // future cannot be dropped while it is being polled, so the step
            // finishes the job when the poll returns.
            self.header.abort_requested.set(true);
            return;
        }
        self.finish(Err(Error::cancelled()));
    }

    fn exception(&self) -> Option<Error> {
        self.header.retrieved.set(true);
        // Not even a shared look at a running future (see `take_typed`).
        if !self.header.is_done() {
            return None;
        }
        match &*self.stage.borrow() {
            Stage::Finished(Err(err)) => Some(err.duplicate()),
            _ => None,
        }
    }

    fn take_output(&self, out: &mut dyn Any) {
        if let Some(out) = out.downcast_mut::<Option<Result<T>>>() {
            *out = self.take_typed();
        }
    }

    fn inspect_output(&self, f: &mut dyn FnMut(&dyn Any)) {
        if !self.header.is_done() {
            return;
        }
        if let Stage::Finished(result) = &*self.stage.borrow() {
            self.header.retrieved.set(true);
            f(result);
        }
    }
}

impl<F, T> TaskCell<F, T> {
    fn take_typed(&self) -> Option<Result<T>> {
        // While the task runs, its future may hold references into itself
        // (a coroutine's pinned locals, an `async fn`'s frame): a reference
        // to the whole stage, even a shared one, would invalidate them. The
        // header says whether there is anything to take without touching it.
        if !self.header.is_done() {
            return None;
        }
        let mut stage = self.stage.borrow_mut();
        match &*stage {
            Stage::Running(_) => None,
            Stage::Taken => Some(Err(Error::invalid_state(
                "the task's result was already taken by another handle",
            ))),
            Stage::Finished(_) => {
                self.header.retrieved.set(true);
                match std::mem::replace(&mut *stage, Stage::Taken) {
                    Stage::Finished(result) => Some(result.map_err(|err| *err)),
                    _ => unreachable!("checked to be finished"),
                }
            }
        }
    }
}

impl<F, T> Drop for TaskCell<F, T> {
    fn drop(&mut self) {
        if self.header.outcome.get() != Outcome::Failed || self.header.retrieved.get() {
            return;
        }
        let Stage::Finished(Err(err)) = std::mem::replace(self.stage.get_mut(), Stage::Taken)
        else {
            return;
        };
        let context = ExceptionContext::new(format!(
            "Task exception was never retrieved ({})",
            self.header.name()
        ))
        .with_exception(*err);
        match self.header.core.upgrade() {
            Some(core) => core.call_exception_handler(context),
            None => eprintln!("asyncio: {context}"),
        }
    }
}
