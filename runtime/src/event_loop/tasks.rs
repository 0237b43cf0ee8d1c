//! The loop's side of tasks: the type-erased task object, and the state of
//! a task that scheduling and cancellation need.
//!
//! The loop core knows nothing of futures or outputs. It keeps, per task,
//! an `Rc<dyn Runnable>` that advances the task by one step, and each task
//! carries a [`Header`]: its id, whether it has finished and how, and its
//! cancellation state (asyncio's `_must_cancel`, `_num_cancels_requested`
//! and cancel message). Leaves read the running task's header to deliver a
//! cancellation; the `task` module builds concrete tasks on top of this.
//!
//! During `run_until_complete` the table also holds the *root*, the future
//! passed to it. The root lives on the caller's stack (it need not be
//! `'static`), so its `Runnable` holds no future: the loop hands its steps
//! back to `run_until_complete` instead. It still has a header, so that
//! `current_task()`, cancellation and timeouts work in the main coroutine.

use std::any::Any;
use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::Waker;

use super::driver::Core;
use crate::error::Error;
use crate::util::slab::Key;

/// Names a task (or the root future) in its loop.
pub(crate) type TaskId = Key;

/// Something a task can wait on that a cancellation of the task cancels
/// first (asyncio's `Task._fut_waiter`): a future, another task, a gather.
pub(crate) trait CancelTarget {
    /// Cancels the target on behalf of the waiting task; `false` if it
    /// cannot be (it is done), in which case the task itself gets the
    /// cancellation at its await.
    fn cancel_target(self: Rc<Self>, msg: Option<Arc<str>>) -> bool;
}

/// One task, as the loop drives it.
///
/// The loop holds each task strongly until the task removes itself when it
/// completes, so dropping a user's handle never stops a task.
pub(crate) trait Runnable: CancelTarget {
    /// The task's scheduling and cancellation state.
    fn header(&self) -> &Header;

    /// Runs one step: polls the task's future once.
    ///
    /// Called with no borrow of the loop's state held, so the step may call
    /// back into the loop freely.
    fn run(self: Rc<Self>);

    /// Drops the task's future now, completing the task as cancelled.
    fn abort(self: Rc<Self>);

    /// The task's error, if it finished with one; marks it retrieved.
    fn exception(&self) -> Option<Error>;

    /// Moves the task's output into `out`, an `Option<Result<T>>` of the
    /// task's own `T` (left `None` while the task runs, or if `out` has
    /// another type). Typed handles reach the output this way, so they
    /// need no pointer of their own to the cell.
    fn take_output(&self, out: &mut dyn Any);

    /// Shows the output, as a `Result<T, Box<Error>>` behind `dyn Any`,
    /// if the task is done and the output was not taken.
    fn inspect_output(&self, f: &mut dyn FnMut(&dyn Any));
}

/// How a task ended, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pending,
    Returned,
    Failed,
    Cancelled,
}

/// A callback run when a task finishes, with the task (for combinators that
/// watch many tasks; user callbacks are scheduled through the loop instead).
pub(crate) type Listener = Box<dyn FnOnce(&Rc<dyn Runnable>)>;

/// Rarely used parts of a task's state, allocated on first use so that an
/// idle task stays small.
#[derive(Default)]
pub(crate) struct Extra {
    pub(crate) name: Option<String>,
    pub(crate) cancel_message: Option<Arc<str>>,
    /// Wakers of further awaiters (the first one is in the header).
    pub(crate) waiters: Vec<Waker>,
    pub(crate) listeners: Vec<Listener>,
    /// User done callbacks with their ids, in registration order.
    pub(crate) done_callbacks: Vec<(u64, Listener)>,
}

/// A task's state that is not tied to its future's type.
///
/// Kept small: every task carries one, and asyncio programs park many
/// thousands of tasks. Rarely used parts live in [`Extra`].
///
/// The mutable fields are `Cell`s, used on the loop's thread only. Each
/// field's doc says who may change it (which module, in which phase of the
/// task's life); everything else only reads it.
pub(crate) struct Header {
    /// The task's key in its loop's table. Set once, by the loop's task
    /// table (`driver/task_table.rs`: `Core::spawn`, `Core::insert_root`)
    /// when the task is inserted, before its first step; `Key::DANGLING`
    /// until then.
    pub(crate) id: Cell<TaskId>,
    /// The loop the task belongs to. Fixed by [`Header::new`].
    pub(crate) core: Weak<Core>,
    /// The task's number, for its default name. Fixed by [`Header::new`].
    pub(crate) serial: u32,
    /// `cancel()` calls not yet matched by `uncancel()`. Changed only by
    /// [`cancel`](Self::cancel) and [`uncancel`](Self::uncancel), from any
    /// phase (users through `TaskRef`, timeouts, task groups, the loop's
    /// scheduled cancellations).
    pub(crate) cancelling: Cell<u32>,
    /// The loop's slot in the registry (for the task's waker). Fixed by
    /// [`Header::new`].
    pub(crate) loop_slot: u16,
    /// How the task ended. Set once, when it ends: by
    /// `task_ref::complete` (called by the task cell, `task/cell.rs`, when
    /// its future returns, panics or is aborted), or by
    /// [`RootTask::finish`] for the root.
    pub(crate) outcome: Cell<Outcome>,
    /// The task's future has been polled at least once. Set by the task
    /// cell (`task/cell.rs`) at its first step; true from the start for
    /// the root ([`RootTask::new`]).
    pub(crate) started: Cell<bool>,
    /// A cancellation was requested and not yet delivered (`_must_cancel`).
    /// Change it only through [`set_must_cancel`](Self::set_must_cancel),
    /// which keeps the loop's count of pending requests: set by
    /// [`cancel`](Self::cancel); cleared by [`take_cancel`](Self::take_cancel)
    /// when a leaf delivers it during the task's step (`task::cancel`,
    /// `task::waiter`), by [`uncancel`](Self::uncancel), and by
    /// `task_ref::complete` when the task ends.
    must_cancel: Cell<bool>,
    /// Someone looked at the task's error, so it is not reported when the
    /// task is dropped. Only ever set (never cleared): by the task cell
    /// when its error is taken or shown (`task/cell.rs`), and by the
    /// combinators that consume it (`combinators/watch.rs`,
    /// `combinators/shield.rs`).
    pub(crate) retrieved: Cell<bool>,
    /// `abort()` was called from inside the task's own step. Set by the
    /// task cell's `abort` (`task/cell.rs`) during that step, and acted on
    /// by the same cell when the step's poll returns.
    pub(crate) abort_requested: Cell<bool>,
    /// The first awaiter's waker. Set by [`add_waiter`](Self::add_waiter)
    /// while a `Task` handle is polled (`task/handle.rs`); taken, and
    /// woken, by `task_ref::complete` when the task ends.
    pub(crate) waiter: Cell<Option<Waker>>,
    /// What the task waits on now, if a cancellation should go there first.
    /// Set and cleared during the task's own step, by the [`Waiter`] of
    /// the `Task` or `Future` it awaits (`task::cancel::wait_on` and
    /// `stop_waiting`); [`cancel`](Self::cancel) takes it out to forward
    /// the request and puts it back.
    ///
    /// [`Waiter`]: crate::task::waiter::Waiter
    pub(crate) waiting_on: Cell<Option<Rc<dyn CancelTarget>>>,
    /// Allocated on first use; taken out while in use (see
    /// [`with_extra`](Self::with_extra)). Its parts: the name (`TaskRef`'s
    /// `set_name`), the cancel message ([`cancel`](Self::cancel)), further
    /// awaiters ([`add_waiter`](Self::add_waiter)), listeners and done
    /// callbacks (`TaskRef`, the combinators); `task_ref::complete` takes
    /// it when the task ends, keeping only the name and message.
    extra: Cell<Option<Box<Extra>>>,
}

impl Header {
    /// A header for a task of `core`, numbered `serial` for its default
    /// name (`Task-1`, `Task-2`, ... in creation order, as asyncio).
    pub(crate) fn new(core: &Core, serial: u32) -> Self {
        Header {
            id: Cell::new(Key::DANGLING),
            core: core.weak(),
            serial,
            cancelling: Cell::new(0),
            loop_slot: core.loop_slot(),
            outcome: Cell::new(Outcome::Pending),
            started: Cell::new(false),
            must_cancel: Cell::new(false),
            retrieved: Cell::new(false),
            abort_requested: Cell::new(false),
            waiter: Cell::new(None),
            waiting_on: Cell::new(None),
            extra: Cell::new(None),
        }
    }

    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.outcome.get() != Outcome::Pending
    }

    /// The task's waker: a number, made afresh for each step.
    #[inline]
    pub(crate) fn waker(&self) -> Waker {
        super::waker::new(self.id.get(), self.loop_slot)
    }

    /// Runs `f` on the extra state, allocating it if needed. `f` must not
    /// reach the extra state again (it is taken out meanwhile).
    pub(crate) fn with_extra<R>(&self, f: impl FnOnce(&mut Extra) -> R) -> R {
        let mut extra = self.extra.take().unwrap_or_default();
        let result = f(&mut extra);
        self.extra.set(Some(extra));
        result
    }

    /// Takes the extra state out, if it was ever allocated.
    pub(crate) fn take_extra(&self) -> Option<Box<Extra>> {
        self.extra.take()
    }

    /// Reads the extra state, if it was ever allocated.
    fn peek_extra<R>(&self, f: impl FnOnce(&Extra) -> R) -> Option<R> {
        let extra = self.extra.take()?;
        let result = f(&extra);
        self.extra.set(Some(extra));
        Some(result)
    }

    pub(crate) fn cancel_message(&self) -> Option<Arc<str>> {
        self.peek_extra(|extra| extra.cancel_message.clone())
            .flatten()
    }

    /// Requests cancellation (asyncio's `Task.cancel(msg)`), waking the
    /// task so that the await it is suspended at delivers it. Returns
    /// `false` if the task is done.
    pub(crate) fn cancel(&self, msg: Option<Arc<str>>) -> bool {
        if self.is_done() {
            return false;
        }
        self.cancelling.set(self.cancelling.get().saturating_add(1));
        if let Some(target) = self.waiting_on.take() {
            // As asyncio: cancel what the task waits on; if that works, the
            // task learns of it when the target ends cancelled.
            let forwarded = target.clone().cancel_target(msg.clone());
            let replaced = self.waiting_on.take();
            self.waiting_on.set(replaced.or(Some(target)));
            if forwarded {
                return true;
            }
        }
        self.set_must_cancel(true);
        if msg.is_some() || self.peek_extra(|_| ()).is_some() {
            self.with_extra(|extra| extra.cancel_message = msg);
        }
        if let Some(core) = self.core.upgrade() {
            core.schedule(self.id.get());
        }
        true
    }

    /// asyncio's `Task.uncancel()`: one fewer pending cancellation; when
    /// none is left, an undelivered request is withdrawn.
    pub(crate) fn uncancel(&self) -> u32 {
        let left = self.cancelling.get().saturating_sub(1);
        self.cancelling.set(left);
        if left == 0 {
            self.set_must_cancel(false);
        }
        left
    }

    /// Takes the pending cancellation request, as the error to deliver.
    #[inline]
    pub(crate) fn take_cancel(&self) -> Option<Error> {
        if !self.must_cancel.get() {
            return None;
        }
        self.set_must_cancel(false);
        Some(Error::Cancelled(self.cancel_message()))
    }

    /// Whether a cancellation was requested and not yet delivered.
    pub(crate) fn must_cancel(&self) -> bool {
        self.must_cancel.get()
    }

    /// Sets or clears the undelivered request, keeping the loop's count of
    /// them, which lets leaves skip the lookup when none is pending.
    pub(crate) fn set_must_cancel(&self, value: bool) {
        if self.must_cancel.replace(value) != value {
            if let Some(core) = self.core.upgrade() {
                core.count_cancel_request(value);
            }
        }
    }

    /// Registers `waker` to be woken when the task finishes.
    pub(crate) fn add_waiter(&self, waker: &Waker) {
        match self.waiter.take() {
            None => self.waiter.set(Some(waker.clone())),
            Some(first) if first.will_wake(waker) => self.waiter.set(Some(first)),
            Some(first) => {
                self.waiter.set(Some(first));
                self.with_extra(|extra| {
                    if !extra.waiters.iter().any(|w| w.will_wake(waker)) {
                        extra.waiters.push(waker.clone());
                    }
                });
            }
        }
    }

    pub(crate) fn name(&self) -> String {
        self.peek_extra(|extra| extra.name.clone())
            .flatten()
            .unwrap_or_else(|| format!("Task-{}", self.serial))
    }
}

/// The root future's task object: a header, and no future (the future lives
/// in `run_until_complete`'s frame).
pub(crate) struct RootTask {
    header: Header,
}

impl RootTask {
    pub(crate) fn new(core: &Core) -> Rc<Self> {
        let header = Header::new(core, core.next_serial());
        header.started.set(true);
        Rc::new(RootTask { header })
    }

    /// Marks the root as finished, so that cancelling it does nothing.
    pub(crate) fn finish(&self, outcome: Outcome) {
        self.header.outcome.set(outcome);
    }
}

impl CancelTarget for RootTask {
    fn cancel_target(self: Rc<Self>, msg: Option<Arc<str>>) -> bool {
        self.header.cancel(msg)
    }
}

impl Runnable for RootTask {
    fn header(&self) -> &Header {
        &self.header
    }

    fn run(self: Rc<Self>) {
        // The loop hands root steps to `run_until_complete` instead.
    }

    fn abort(self: Rc<Self>) {}

    fn exception(&self) -> Option<Error> {
        None
    }

    fn take_output(&self, _: &mut dyn Any) {}

    fn inspect_output(&self, _: &mut dyn FnMut(&dyn Any)) {}
}

/// The loop's record of one task. The scheduling flags sit here rather
/// than in the header: waking and running a task then need no access to
/// the task cell until it is polled.
pub(super) struct TaskSlot {
    pub(super) task: Rc<dyn Runnable>,
    /// The task's id is in the ready queue right now.
    pub(super) queued: bool,
    /// This is `run_until_complete`'s root future.
    pub(super) is_root: bool,
}
