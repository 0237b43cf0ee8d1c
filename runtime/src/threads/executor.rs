//! Blocking work on the loop's thread pool: `run_in_executor`, `to_thread`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::concurrent::{ConcurrentFuture, WrapFuture, wrap_future};
use crate::error::Error;
use crate::event_loop::driver::Core;
use crate::event_loop::{EventLoop, current};
use crate::util::panic;
use crate::util::thread_pool::ThreadPool;

impl EventLoop {
    /// Runs `f` on the loop's default executor, a pool of threads, and
    /// returns a future of its result (asyncio's
    /// `loop.run_in_executor(None, f)`).
    ///
    /// A panic in `f` becomes `Err(Error::Panicked)`. Cancelling the
    /// awaiting task before `f` starts means `f` never runs; once it runs,
    /// its result is dropped and nothing is scheduled back onto the loop.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let loop_thread = std::thread::current().id();
    /// let other = event_loop.run_until_complete(
    ///     event_loop.run_in_executor(|| std::thread::current().id()),
    /// )??;
    /// assert_ne!(other, loop_thread);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn run_in_executor<T, F>(&self, f: F) -> WrapFuture<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let fut = ConcurrentFuture::new();
        if let Err(err) = self.core().check_open() {
            let _ = fut.set_exception(err);
            return wrap_future(fut);
        }
        submit(&self.core().executor(), fut.clone(), f);
        wrap_future(fut)
    }

    /// Replaces the default executor; the previous one is shut down.
    pub fn set_default_executor(&self, pool: ThreadPool) {
        self.core().set_executor(Arc::new(pool));
    }

    /// Shuts the default executor down, letting queued jobs finish and
    /// joining its threads (asyncio's `shutdown_default_executor`; blocking
    /// here, as the loop is not running when this is useful). A later
    /// `run_in_executor` starts a new pool.
    pub fn shutdown_default_executor(&self) {
        self.core().shutdown_executor();
    }
}

/// Queues `f` on `pool`, settling `fut` with its result.
fn submit<T, F>(pool: &Arc<ThreadPool>, fut: ConcurrentFuture<T>, f: F)
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let settle = fut.clone();
    let job = Box::new(move || {
        if !settle.set_running_or_notify_cancel() {
            return;
        }
        let result = catch_unwind(AssertUnwindSafe(f))
            .map_err(|payload| Error::Panicked(panic::message(&*payload)));
        let _ = settle.settle_with(result);
    });
    if !pool.submit(job) {
        let _ = fut.set_exception(Error::invalid_state("the executor is shut down"));
    }
}

/// Runs `f` in a thread of the running loop's default executor and awaits
/// its result (asyncio's `asyncio.to_thread`). Closures capture what `f`
/// needs, so arguments need no special forwarding.
///
/// # Errors
///
/// The future gives [`Error::InvalidState`] if no loop is running, and
/// [`Error::Panicked`] if `f` panics.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<usize> {
///     let text = String::from("read me in a thread");
///     asyncio::to_thread(move || text.len()).await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 19);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn to_thread<T, F>(f: F) -> WrapFuture<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match current::with_current(Core::rc) {
        Some(core) => EventLoop::from_core(core).run_in_executor(f),
        None => {
            let fut = ConcurrentFuture::new();
            let _ = fut.set_exception(current::no_running_loop());
            wrap_future(fut)
        }
    }
}
