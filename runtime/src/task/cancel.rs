//! Delivering cancellation at an await: what every blocking leaf asks first.

use std::rc::Rc;

use crate::error::Error;
use crate::event_loop::current;
use crate::event_loop::tasks::Runnable;

/// Takes the running task's pending cancellation request, as the error the
/// leaf being polled must return (asyncio throws `CancelledError` into the
/// coroutine at the await where it is suspended).
///
/// Every blocking leaf calls this when polled, before anything else, and on
/// `Some` unregisters itself (so that no wake-up, permit or item is lost)
/// and returns the error. A leaf that waits on another task or future
/// forwards the request to it instead; see [`current_request`].
pub(crate) fn take_request() -> Option<Error> {
    current::with_current(|core| {
        core.current_task()
            .and_then(|task| task.header().take_cancel())
    })
    .flatten()
}

/// The running task, if its cancellation has been requested and not yet
/// delivered. Leaves that forward the request (awaiting a task, `gather`,
/// `shield`) use this, then [`take_request`] if they deliver it themselves.
pub(crate) fn current_request() -> Option<Rc<dyn Runnable>> {
    current::with_current(|core| core.current_task())
        .flatten()
        .filter(|task| task.header().must_cancel.get())
}
