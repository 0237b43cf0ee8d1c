//! [`Task`]: the handle to a spawned task.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::cell::Join;
use crate::error::Result;

/// A handle to a task: a future running concurrently on the event loop.
///
/// Created by [`create_task`](crate::create_task) or
/// [`EventLoop::create_task`](crate::EventLoop::create_task). The loop owns
/// the task: it runs to completion whether or not the handle is kept, so
/// dropping a `Task` detaches it (unlike asyncio, where an unreferenced task
/// may be garbage-collected mid-flight).
///
/// Awaiting the handle gives the task's output as `Ok`, or
/// [`Error::Panicked`](crate::Error::Panicked) if the task panicked (the
/// panic is caught and kept; it never stops the loop), or
/// [`Error::Cancelled`](crate::Error::Cancelled) if it was
/// [`abort`](Self::abort)ed. The output can be taken once.
///
/// # Examples
///
/// ```
/// use asyncio::EventLoop;
///
/// let event_loop = EventLoop::new()?;
/// let task = event_loop.create_task(std::future::ready(7))?;
/// assert!(!task.done());
/// let output = event_loop.run_until_complete(task)?;
/// assert_eq!(output?, 7);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[must_use = "dropping a Task detaches it; it keeps running"]
pub struct Task<T> {
    cell: Rc<dyn Join<T>>,
}

impl<T> Task<T> {
    pub(super) fn new(cell: Rc<dyn Join<T>>) -> Self {
        Task { cell }
    }

    /// Whether the task has finished: returned, panicked or was aborted.
    pub fn done(&self) -> bool {
        self.cell.is_done()
    }

    /// Requests cancellation of the task; returns `false` if it is already
    /// done.
    ///
    /// The request is delivered once, as
    /// [`Error::Cancelled`](crate::Error::Cancelled), by the next runtime
    /// leaf the task awaits — for now only [`sleep`](crate::sleep), which
    /// checks the request whenever it is polled (the task is woken so that
    /// a pending sleep sees it at once). The task may handle the error,
    /// clean up, or propagate it with `?`.
    ///
    /// This is the minimal form of asyncio's `Task.cancel()`: cancel
    /// messages, `cancelling()`/`uncancel()`, cancel scopes and delivery by
    /// every blocking leaf come with the full task implementation.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::{EventLoop, Error};
    ///
    /// let event_loop = EventLoop::new()?;
    /// let task = event_loop.create_task(asyncio::sleep(3600))?;
    /// assert!(task.cancel());
    /// let output = event_loop.run_until_complete(task)?;
    /// assert!(matches!(output, Ok(Err(Error::Cancelled))));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn cancel(&self) -> bool {
        self.cell.cancel()
    }

    /// Drops the task's future now, without letting it run again: the
    /// Rust way to stop a task, with no chance for asynchronous clean-up
    /// (destructors still run). Awaiting the task then gives
    /// [`Error::Cancelled`](crate::Error::Cancelled).
    ///
    /// A task that aborts itself is dropped as soon as its current step
    /// returns. Aborting a finished task does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::{EventLoop, Error};
    ///
    /// let event_loop = EventLoop::new()?;
    /// let task = event_loop.create_task(asyncio::sleep(3600))?;
    /// task.abort();
    /// assert!(task.done());
    /// let output = event_loop.run_until_complete(task)?;
    /// assert!(matches!(output, Err(Error::Cancelled)));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn abort(&self) {
        self.cell.abort();
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        self.cell.poll_join(cx)
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("done", &self.done())
            .finish_non_exhaustive()
    }
}
