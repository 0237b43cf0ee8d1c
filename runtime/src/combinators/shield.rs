//! `shield`: await something without letting a cancellation reach it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::task::{IntoResult, Task, cancel, ensure_task};

/// Awaits `fut`, run as a task, protected from cancellation (asyncio's
/// `shield`).
///
/// Cancelling the awaiting task makes the await return
/// `Err(Error::Cancelled)` at once, while the inner task keeps running to
/// completion (keep its [`Task`], from [`Shield::task`], to collect it). If
/// the inner task itself is cancelled, the shield reports that too.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn important() -> asyncio::Result<u32> {
///     asyncio::sleep(0.01).await?;
///     Ok(7)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<u32> {
///     let shielded = asyncio::shield(important());
///     let inner = shielded.task().expect("a running loop").clone();
///     let outcome = asyncio::wait_for(shielded, 0.001).await;
///     assert!(matches!(outcome, Err(asyncio::Error::Timeout)));
///     inner.await // still ran to completion
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 7);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn shield<F>(fut: F) -> Shield<<F::Output as IntoResult>::Ok>
where
    F: Future + 'static,
    F::Output: IntoResult,
{
    Shield {
        inner: ensure_task(fut),
        done: false,
    }
}

/// The future returned by [`shield`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct Shield<T> {
    inner: Result<Task<T>>,
    done: bool,
}

impl<T: 'static> Shield<T> {
    /// The shielded task (an error if it could not be created).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if no loop was running to create it.
    pub fn task(&self) -> Result<&Task<T>> {
        self.inner.as_ref().map_err(Error::duplicate)
    }
}

impl<T: 'static> Unpin for Shield<T> {}

impl<T: 'static> Future for Shield<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if self.done {
            return Poll::Ready(Err(Error::invalid_state("shield polled after completion")));
        }
        let task = match &self.inner {
            Ok(task) => task.clone(),
            Err(err) => {
                let err = err.duplicate();
                self.done = true;
                return Poll::Ready(Err(err));
            }
        };
        if let Some(err) = cancel::take_request() {
            self.done = true;
            if !task.done() {
                // Nobody will look at the inner result through this shield;
                // its error is the inner task's keeper's business now.
                let header = task.task_ref().runnable().header();
                header.with_extra(|extra| {
                    extra
                        .listeners
                        .push(Box::new(|task| task.header().retrieved.set(true)));
                });
            }
            return Poll::Ready(Err(err));
        }
        if task.done() {
            self.done = true;
            return Poll::Ready(task.take_result());
        }
        task.task_ref().runnable().header().add_waiter(cx.waker());
        Poll::Pending
    }
}
