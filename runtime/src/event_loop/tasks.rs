//! The loop's side of tasks: a table of what can be scheduled by id.
//!
//! The loop core knows nothing of futures or outputs. It keeps, per task,
//! a type-erased [`Runnable`] that advances the task by one step, and the
//! little state that scheduling and cancellation need: whether the task is
//! already in the ready queue (so waking it twice queues it once) and
//! whether a cancellation has been requested. The `task` module builds
//! concrete tasks on top of this.
//!
//! The table also has one special slot during `run_until_complete`: the
//! *root*, the future passed to it. The root lives on the caller's stack (it
//! need not be `'static`), so its slot has no `Runnable`; the loop hands
//! its steps back to `run_until_complete` instead.

use std::rc::Rc;

use crate::util::slab::Key;

/// Names a task (or the root future) in its loop.
pub(crate) type TaskId = Key;

/// One task, as the loop drives it.
///
/// Implemented by the `task` module's task cells. The loop holds each task
/// strongly until the task removes itself when it completes, so dropping a
/// user's handle never stops a task.
pub(crate) trait Runnable {
    /// Runs one step: polls the task's future once.
    ///
    /// Called with no borrow of the loop's state held, so the step may call
    /// back into the loop freely.
    fn run(self: Rc<Self>);

    /// Drops the task's future now, completing the task as cancelled.
    ///
    /// Used when the loop closes with the task still pending.
    fn abort(&self);
}

/// The loop's record of one task.
pub(super) struct TaskSlot {
    /// `None` for the root future of `run_until_complete`.
    pub(super) runnable: Option<Rc<dyn Runnable>>,
    /// The task's id is in the ready queue right now.
    pub(super) queued: bool,
    /// A cancellation was requested and not yet delivered.
    pub(super) cancel_requested: bool,
}

impl TaskSlot {
    pub(super) fn new(runnable: Option<Rc<dyn Runnable>>) -> Self {
        TaskSlot {
            runnable,
            queued: false,
            cancel_requested: false,
        }
    }
}
