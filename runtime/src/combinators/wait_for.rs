//! `wait_for`: a task with a deadline; on expiry the task is cancelled and
//! waited for.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::timeout::{Timeout, timeout};
use crate::error::{Error, Result};
use crate::event_loop::IntoTimeout;
use crate::task::{IntoResult, Task, ensure_task};

/// Runs `fut` as a task and waits for it at most `delay` (`None`: without
/// limit), as asyncio's `wait_for`.
///
/// On expiry the task is cancelled, and `wait_for` waits for it to finish
/// cleaning up before it returns `Err(Error::Timeout)`. With a delay of zero
/// or less, a task that is done already gives its result, and any other is
/// cancelled at once: a coroutine passed here then never starts. Cancelling
/// the awaiting task cancels the inner one too. An infinite delay is no
/// limit, as in asyncio.
///
/// # Errors
///
/// The work's own error; [`Error::Timeout`] on expiry;
/// [`Error::Cancelled`] if the awaiting task is cancelled;
/// [`Error::Value`] for a NaN delay, without running the work (asyncio
/// takes NaN and times out at once).
///
/// Built on [`timeout`](crate::timeout), over a [`Task`] (a future that is
/// a `Task` already is used as it is), hence the `'static` bound.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<()> {
///     let slow = asyncio::create_task(asyncio::sleep(3600.0));
///     let outcome = asyncio::wait_for(slow.clone(), 0.01).await;
///     assert!(matches!(outcome, Err(asyncio::Error::Timeout)));
///     assert!(slow.cancelled());
///     asyncio::wait_for(asyncio::sleep(0.001), None).await
/// }
/// asyncio::run(main_coroutine())?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn wait_for<F>(fut: F, delay: impl IntoTimeout) -> WaitFor<<F::Output as IntoResult>::Ok>
where
    F: Future + 'static,
    F::Output: IntoResult,
{
    // A settled `Future` gives its result even with no time left (asyncio
    // checks `fut.done()` first); polling it once does just that.
    let settled = (&fut as &dyn Any)
        .downcast_ref::<crate::Future<<F::Output as IntoResult>::Ok>>()
        .is_some_and(crate::Future::done);
    if settled {
        let mut fut = Box::pin(fut);
        let result =
            std::future::poll_fn(move |cx| fut.as_mut().poll(cx).map(IntoResult::into_result));
        return WaitFor {
            stage: Stage::Settled(Box::pin(result)),
        };
    }
    let delay = delay.into_timeout();
    if delay.is_some_and(|delay| delay.is_nan()) {
        // Refused before the work becomes a task: a coroutine given here
        // never starts, and a task given here is left alone.
        return WaitFor {
            stage: Stage::Failed(Error::nan_delay()),
        };
    }
    let stage = match ensure_task(fut) {
        Err(err) => Stage::Failed(err),
        Ok(task) => match delay {
            Some(delay) if delay.is_due() => Stage::Immediate(task, false),
            delay => Stage::Timed(timeout(delay, task)),
        },
    };
    WaitFor { stage }
}

enum Stage<T> {
    /// A future that is done already: polled once for its result.
    Settled(Pin<Box<dyn Future<Output = Result<T>>>>),
    /// A zero or negative delay: the task gets no time to run; the flag
    /// says it was cancelled and is being waited for.
    Immediate(Task<T>, bool),
    Timed(Timeout<Task<T>>),
    Failed(Error),
    Done,
}

/// The future returned by [`wait_for`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct WaitFor<T> {
    stage: Stage<T>,
}

impl<T: 'static> WaitFor<T> {
    /// The task being waited for.
    pub fn task(&self) -> Option<&Task<T>> {
        match &self.stage {
            Stage::Immediate(task, _) => Some(task),
            _ => None,
        }
    }
}

impl<T: 'static> Unpin for WaitFor<T> {}

impl<T: 'static> Future for WaitFor<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let output = match &mut self.stage {
            Stage::Immediate(task, cancelled) => {
                if !*cancelled {
                    if task.done() {
                        let result = task.take_result();
                        self.stage = Stage::Done;
                        return Poll::Ready(result);
                    }
                    task.cancel();
                    *cancelled = true;
                }
                match std::task::ready!(Pin::new(task).poll(cx)) {
                    Err(err) if err.is_cancelled() => Err(Error::Timeout),
                    other => other,
                }
            }
            // SAFETY-free: `Timeout<Task<T>>` is `Unpin` because `Task` is.
            Stage::Timed(timed) => std::task::ready!(Pin::new(timed).poll(cx)),
            Stage::Settled(fut) => std::task::ready!(fut.as_mut().poll(cx)),
            Stage::Failed(err) => Err(err.duplicate()),
            Stage::Done => Err(Error::invalid_state("wait_for polled after completion")),
        };
        self.stage = Stage::Done;
        Poll::Ready(output)
    }
}
