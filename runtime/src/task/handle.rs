//! [`Task`]: the typed handle to a spawned task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::cancel;
use super::waiter::{WaitSide, Waiter};
use crate::error::{Error, Result};
use crate::event_loop::TaskRef;
use crate::event_loop::tasks::CancelTarget;

/// A future running concurrently on the loop (asyncio's `Task`), created by
/// [`create_task`](crate::create_task).
///
/// Awaiting a `Task<T>` gives the task's result: `Ok(T)`, or its error,
/// `Err(Error::Cancelled(_))` if it was cancelled, `Err(Error::Panicked(_))`
/// if it panicked. Cancelling the awaiting task cancels the awaited one
/// (and waits for it to finish), as in asyncio.
///
/// Dropping a `Task` does not stop it: the loop holds tasks until they
/// finish. Handles are cheap clones; the output is *moved* to whichever
/// handle takes it first (by awaiting, or [`take_result`](Self::take_result)),
/// and the others then get [`Error::InvalidState`]. Everything that does
/// not depend on the output type (name, cancellation, state, done
/// callbacks) is on [`TaskRef`], which `Task` dereferences to.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn double(n: u32) -> asyncio::Result<u32> {
///     asyncio::sleep(0).await?;
///     Ok(n * 2)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<u32> {
///     let task = asyncio::create_task(double(21));
///     assert!(!task.done());
///     task.await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 42);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[must_use = "dropping a Task detaches it; it keeps running"]
pub struct Task<T> {
    /// The task; registered while this handle, being awaited, made the
    /// awaiting task wait on it.
    waiter: Waiter<TaskRef>,
    _output: PhantomData<fn() -> T>,
}

/// Awaiting a task registers the awaiting task as waiting on it, so that
/// cancelling the one cancels the other first.
impl WaitSide for TaskRef {
    type Ticket = ();

    fn withdraw(&self, (): ()) {
        cancel::stop_waiting(Rc::as_ptr(self.runnable()).cast());
    }
}

impl<T: 'static> Task<T> {
    pub(super) fn new(task: TaskRef) -> Self {
        Task {
            waiter: Waiter::new(task),
            _output: PhantomData,
        }
    }

    fn take_output(&self) -> Option<Result<T>> {
        let mut out: Option<Result<T>> = None;
        self.runnable().take_output(&mut out);
        out
    }

    /// Takes the output of a finished task without awaiting it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the task is still pending or its output
    /// was taken already; otherwise the task's own error.
    pub fn take_result(&self) -> Result<T> {
        self.take_output()
            .unwrap_or_else(|| Err(Error::invalid_state("result is not set: task is pending")))
    }

    /// A copy of the output of a finished task (asyncio's
    /// `Task.result()`), leaving it for others.
    ///
    /// # Errors
    ///
    /// As [`take_result`](Self::take_result).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<i32> {
    ///     let task = asyncio::create_task(std::future::ready(Ok::<_, asyncio::Error>(7)));
    ///     assert!(task.result().is_err()); // still pending
    ///     asyncio::sleep(0).await?;
    ///     assert_eq!(task.result()?, 7);
    ///     task.await // still there
    /// }
    /// assert_eq!(asyncio::run(main_coroutine())?, 7);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn result(&self) -> Result<T>
    where
        T: Clone,
    {
        let mut copy = None;
        self.runnable().inspect_output(&mut |result| {
            if let Some(result) = result.downcast_ref::<Result<T, Box<Error>>>() {
                copy = Some(match result {
                    Ok(value) => Ok(value.clone()),
                    Err(err) => Err(err.duplicate()),
                });
            }
        });
        match copy {
            Some(result) => result,
            None if self.done() => Err(Error::invalid_state(
                "the task's result was already taken by another handle",
            )),
            None => Err(Error::invalid_state("result is not set: task is pending")),
        }
    }
}

impl<T> Clone for Task<T> {
    fn clone(&self) -> Self {
        Task {
            waiter: Waiter::new(self.task_ref().clone()),
            _output: PhantomData,
        }
    }
}

impl<T> Deref for Task<T> {
    type Target = TaskRef;

    fn deref(&self) -> &TaskRef {
        self.waiter.side()
    }
}

impl<T> Task<T> {
    /// The type-erased handle to this task.
    pub fn task_ref(&self) -> &TaskRef {
        self.waiter.side()
    }
}

impl<T: 'static> Future for Task<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = &mut *self;
        let header = this.task_ref().runnable().header();
        if cancel::requested() {
            // The awaiting task is being cancelled: pass the request on to
            // the awaited one and keep waiting for it, as asyncio cancels a
            // task's `_fut_waiter`. If it is done already, the awaiter gets
            // the cancellation and the output stays in the task.
            let err = cancel::take_request().unwrap_or_else(Error::cancelled);
            if header.is_done() || !header.cancel(cancel_message(&err)) {
                this.waiter.withdraw();
                return Poll::Ready(Err(err));
            }
        }
        match this.take_output() {
            Some(result) => {
                this.waiter.withdraw();
                Poll::Ready(result)
            }
            None => {
                header.add_waiter(cx.waker());
                this.waiter.enlist(|task| {
                    let target: Rc<dyn CancelTarget> = task.runnable().clone();
                    cancel::wait_on(target).map(drop)
                });
                Poll::Pending
            }
        }
    }
}

/// The message of a cancellation error, to pass on.
pub(crate) fn cancel_message(err: &Error) -> Option<std::sync::Arc<str>> {
    match err {
        Error::Cancelled(msg) => msg.clone(),
        _ => None,
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.task_ref().fmt(f)
    }
}
