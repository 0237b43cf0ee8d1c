//! Delivering cancellation at an await: what every blocking leaf asks first.

use crate::error::Error;
use crate::event_loop::current;
use crate::event_loop::tasks::Header;

/// Takes the running task's pending cancellation request, as the error the
/// leaf being polled must return (asyncio throws `CancelledError` into the
/// coroutine at the await where it is suspended).
///
/// Every blocking leaf calls this when polled, before anything else, and on
/// `Some` unregisters itself (so that no wake-up, permit or item is lost)
/// and returns the error. A leaf that waits on another task or future
/// forwards the request to it instead, after checking [`requested`].
pub(crate) fn take_request() -> Option<Error> {
    current::with_current(|core| core.with_current_header(Header::take_cancel))
        .flatten()
        .flatten()
}

/// Whether the running task has a cancellation request not yet delivered.
pub(crate) fn requested() -> bool {
    current::with_current(|core| core.with_current_header(|header| header.must_cancel.get()))
        .flatten()
        .unwrap_or(false)
}
