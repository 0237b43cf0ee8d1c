//! Delivering cancellation at an await: what every blocking leaf asks first.

use std::rc::Rc;

use crate::error::Error;
use crate::event_loop::current;
use crate::event_loop::driver::Core;
use crate::event_loop::tasks::{CancelTarget, Header, TaskId};

/// Takes the running task's pending cancellation request, as the error the
/// leaf being polled must return (asyncio throws `CancelledError` into the
/// coroutine at the await where it is suspended).
///
/// Every blocking leaf calls this when polled, before anything else, and on
/// `Some` unregisters itself (so that no wake-up, permit or item is lost)
/// and returns the error. A leaf that waits on another task or future
/// forwards the request to it instead, after checking [`requested`].
#[inline]
pub(crate) fn take_request() -> Option<Error> {
    current::with_current(take_request_on).flatten()
}

/// [`take_request`] for a leaf that has the running loop at hand already.
#[inline]
pub(crate) fn take_request_on(core: &Core) -> Option<Error> {
    if !core.cancel_requests_pending() {
        return None;
    }
    core.with_current_header(Header::take_cancel).flatten()
}

/// Whether the running task has a cancellation request not yet delivered.
#[inline]
pub(crate) fn requested() -> bool {
    current::with_current(|core| {
        core.cancel_requests_pending()
            && core.with_current_header(Header::must_cancel) == Some(true)
    })
    .unwrap_or(false)
}

/// Records that the running task now waits on `target`, so that cancelling
/// the task cancels `target` first (asyncio's `_fut_waiter`). Returns the
/// task's id, for [`stop_waiting`].
pub(crate) fn wait_on(target: Rc<dyn CancelTarget>) -> Option<TaskId> {
    let (id, previous) = current::with_current(|core| {
        let id = core.current_task_id()?;
        let previous =
            core.with_current_header(|header| header.waiting_on.replace(Some(target)))?;
        Some((id, previous))
    })
    .flatten()?;
    // Dropped with no borrow of the loop held: it may be the last handle of
    // a future, whose drop reports an unretrieved error.
    drop(previous);
    Some(id)
}

/// Undoes [`wait_on`] for the running task, if the target at address
/// `target` is still what it waits on. The awaiting task is the running
/// one: a handle being awaited is only polled, and dropped while pending,
/// in its steps.
pub(crate) fn stop_waiting(target: *const ()) {
    let removed = current::with_current(|core| {
        let id = core.current_task_id()?;
        core.with_task_header(id, |header| {
            let current = header.waiting_on.take();
            match current {
                Some(current) if Rc::as_ptr(&current).cast::<()>() == target => Some(current),
                other => {
                    header.waiting_on.set(other);
                    None
                }
            }
        })
    });
    drop(removed);
}
