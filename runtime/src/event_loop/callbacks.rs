//! What the loop runs besides task steps: callbacks and bare wake-ups.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Waker;

use super::tasks::TaskId;
use crate::error::{Error, Result};
use crate::util::panic;

/// A scheduled piece of work.
pub(crate) enum Callback {
    /// A user or runtime callback, with the name of its type (a closure's
    /// names the function it was written in) for reports.
    Call(Box<dyn FnOnce()>, &'static str),
    /// A timer that only wakes a task (`sleep`): no allocation.
    Wake(Waker),
    /// A timer that cancels a task (`timeout`): no allocation. Run by the
    /// loop itself, which owns the task table.
    CancelTask(TaskId),
}

impl Callback {
    /// A callback running `f`.
    pub(super) fn call<F: FnOnce() + 'static>(f: F) -> Self {
        Callback::Call(Box::new(f), std::any::type_name::<F>())
    }

    /// What to call this callback in a report.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Callback::Call(_, name) => name,
            Callback::Wake(_) => "a task's wake-up",
            Callback::CancelTask(_) => "a timeout",
        }
    }

    /// Runs the callback; a panic is caught and returned as
    /// [`Error::Panicked`], for the loop's exception handler.
    pub(super) fn run(self) -> Result<()> {
        match self {
            Callback::Wake(waker) => {
                waker.wake();
                Ok(())
            }
            Callback::Call(f, _) => catch_unwind(AssertUnwindSafe(f))
                .map_err(|payload| Error::Panicked(panic::message(&*payload))),
            Callback::CancelTask(_) => Ok(()),
        }
    }
}

/// A callback in the loop's table, and whether it is also in the timer
/// heap.
pub(super) struct Scheduled {
    pub(super) callback: Callback,
    pub(super) in_heap: bool,
}
