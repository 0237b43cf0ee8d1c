//! [`run_coroutine_threadsafe`]: submitting a coroutine from another thread.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use super::concurrent::ConcurrentFuture;
use crate::event_loop::LoopHandle;
use crate::task::{IntoResult, create_task, current_task};

/// Submits a coroutine to the loop behind `handle` from any thread, to run
/// there as a task, and returns a [`ConcurrentFuture`] of its result
/// (asyncio's `run_coroutine_threadsafe`).
///
/// What crosses threads is `make`, a closure that creates the coroutine on
/// the loop's thread: so the coroutine itself need not be `Send` (it may
/// hold tasks, timers and other loop-bound values), only what the closure
/// captures.
///
/// Cancelling the returned future cancels the task (delivered at its await,
/// as any cancellation); if the loop is closed, the future fails with
/// [`Error::InvalidState`](crate::Error::InvalidState).
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn add(a: i32, b: i32) -> asyncio::Result<i32> {
///     asyncio::sleep(0).await?;
///     Ok(a + b)
/// }
///
/// let event_loop = asyncio::EventLoop::new()?;
/// let handle = event_loop.handle();
/// let stopper = event_loop.handle();
/// let client = std::thread::spawn(move || {
///     let sum = asyncio::run_coroutine_threadsafe(|| add(2, 3), &handle).result();
///     let loop_to_stop = stopper.clone();
///     stopper.call_soon_threadsafe(move || {
///         asyncio::get_running_loop().unwrap().stop();
///         drop(loop_to_stop);
///     }).unwrap();
///     sum
/// });
/// event_loop.run_forever()?;
/// assert_eq!(client.join().unwrap()?, 5);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn run_coroutine_threadsafe<M, F>(
    make: M,
    handle: &LoopHandle,
) -> ConcurrentFuture<<F::Output as IntoResult>::Ok>
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
    <F::Output as IntoResult>::Ok: Send + 'static,
{
    let result = ConcurrentFuture::new();
    let link = Arc::new(CancelLink::default());
    let hook_link = link.clone();
    result.set_on_cancel(Box::new(move || hook_link.request()));
    let settle = result.clone();
    let posted = handle.call_soon_threadsafe(move || {
        if settle.done() {
            // Cancelled before it could start.
            return;
        }
        let task = create_task(Linked {
            fut: Box::pin(make()),
            link,
        });
        let output = task.clone();
        task.add_done_callback(move |_| {
            let _ = settle.settle_with(output.take_result());
        });
    });
    if let Err(err) = posted {
        let _ = result.set_exception(err);
    }
    result
}

/// Carries a cancellation of the concurrent future to the task.
#[derive(Default)]
struct CancelLink {
    requested: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl CancelLink {
    fn request(&self) {
        self.requested.store(true, Ordering::Release);
        let waker = self
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The submitted future, watching for a cancellation from the other side.
struct Linked<F> {
    fut: Pin<Box<F>>,
    link: Arc<CancelLink>,
}

impl<F: Future> Future for Linked<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        if this.link.requested.swap(false, Ordering::AcqRel) {
            if let Some(task) = current_task() {
                task.cancel();
            }
        } else {
            *this
                .link
                .waker
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
            if this.link.requested.swap(false, Ordering::AcqRel) {
                if let Some(task) = current_task() {
                    task.cancel();
                }
            }
        }
        this.fut.as_mut().poll(cx)
    }
}
