//! [`ConcurrentFuture`]: a result settled on one thread and awaited or
//! waited for on another (Python's `concurrent.futures.Future`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::task::cancel;

enum State<T> {
    Pending,
    Running,
    Finished(Result<T>),
    Cancelled,
    Taken,
}

struct Inner<T> {
    state: State<T>,
    /// Wakers of awaiting tasks and callbacks of other waiters.
    wakers: Vec<Waker>,
    /// Called once if the future is cancelled (to cancel the work behind
    /// it, such as the task of `run_coroutine_threadsafe`).
    on_cancel: Option<Box<dyn FnOnce() + Send>>,
}

struct Shared<T> {
    inner: Mutex<Inner<T>>,
    settled: Condvar,
}

/// A future settled by whichever thread does the work, and read from any
/// thread: by blocking ([`result`](Self::result)) or, inside a loop, by
/// awaiting [`wrap_future`] of it.
///
/// This is what [`run_coroutine_threadsafe`](crate::run_coroutine_threadsafe)
/// returns, and what the executor settles. The result is moved out to the
/// first reader.
///
/// # Examples
///
/// ```
/// let fut = asyncio::ConcurrentFuture::new();
/// let setter = fut.clone();
/// std::thread::spawn(move || setter.set_result(5)).join().unwrap()?;
/// assert_eq!(fut.result()?, 5);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct ConcurrentFuture<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for ConcurrentFuture<T> {
    fn clone(&self) -> Self {
        ConcurrentFuture {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Default for ConcurrentFuture<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> ConcurrentFuture<T> {
    /// A pending future.
    pub fn new() -> Self {
        ConcurrentFuture {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    state: State::Pending,
                    wakers: Vec::new(),
                    on_cancel: None,
                }),
                settled: Condvar::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.shared
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn settle(&self, state: State<T>) -> bool {
        let mut inner = self.lock();
        if !matches!(inner.state, State::Pending | State::Running) {
            return false;
        }
        inner.state = state;
        let wakers = std::mem::take(&mut inner.wakers);
        drop(inner);
        self.shared.settled.notify_all();
        for waker in wakers {
            waker.wake();
        }
        true
    }

    /// Sets the result.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the future is already done.
    pub fn set_result(&self, value: T) -> Result<()> {
        self.settle_with(Ok(value))
    }

    /// Sets the error.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the future is already done.
    pub fn set_exception(&self, err: Error) -> Result<()> {
        self.settle_with(Err(err))
    }

    pub(crate) fn settle_with(&self, result: Result<T>) -> Result<()> {
        if self.settle(State::Finished(result)) {
            Ok(())
        } else {
            Err(Error::invalid_state("the future is already done"))
        }
    }

    /// Marks the work as started, so that it can no longer be cancelled;
    /// returns `false` if it was cancelled first (Python's
    /// `set_running_or_notify_cancel`).
    pub fn set_running_or_notify_cancel(&self) -> bool {
        let mut inner = self.lock();
        match inner.state {
            State::Pending => {
                inner.state = State::Running;
                true
            }
            _ => false,
        }
    }

    /// Cancels the future unless its work is running or done; returns
    /// whether it is now cancelled.
    pub fn cancel(&self) -> bool {
        let on_cancel = {
            let mut inner = self.lock();
            match inner.state {
                State::Cancelled => return true,
                State::Pending => inner.on_cancel.take(),
                _ => return false,
            }
        };
        let cancelled = self.settle(State::Cancelled);
        if let Some(on_cancel) = on_cancel {
            on_cancel();
        }
        cancelled
    }

    pub(crate) fn set_on_cancel(&self, f: Box<dyn FnOnce() + Send>) {
        self.lock().on_cancel = Some(f);
    }

    /// Whether the future is done (has a result, an error, or was
    /// cancelled).
    pub fn done(&self) -> bool {
        !matches!(self.lock().state, State::Pending | State::Running)
    }

    /// Whether the future was cancelled.
    pub fn cancelled(&self) -> bool {
        matches!(self.lock().state, State::Cancelled)
    }

    /// Blocks the calling thread until the future is done and takes its
    /// result. Never call this on a loop's thread for a future the loop must
    /// settle: it would wait forever.
    ///
    /// # Errors
    ///
    /// The future's error; [`Error::Cancelled`] if it was cancelled;
    /// [`Error::InvalidState`] if another reader took the result.
    pub fn result(&self) -> Result<T> {
        self.result_timeout(None)
    }

    /// [`result`](Self::result), giving up after `timeout` with
    /// [`Error::Timeout`].
    ///
    /// # Errors
    ///
    /// As [`result`](Self::result), and [`Error::Timeout`].
    pub fn result_timeout(&self, timeout: Option<Duration>) -> Result<T> {
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let mut inner = self.lock();
        loop {
            if let Some(result) = Self::take(&mut inner) {
                return result;
            }
            inner = match deadline {
                None => self
                    .shared
                    .settled
                    .wait(inner)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        return Err(Error::Timeout);
                    }
                    self.shared
                        .settled
                        .wait_timeout(inner, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    fn take(inner: &mut Inner<T>) -> Option<Result<T>> {
        match inner.state {
            State::Pending | State::Running => None,
            State::Cancelled => Some(Err(Error::cancelled())),
            State::Taken => Some(Err(Error::invalid_state(
                "the future's result was already taken",
            ))),
            State::Finished(_) => match std::mem::replace(&mut inner.state, State::Taken) {
                State::Finished(result) => Some(result),
                _ => unreachable!("checked to be finished"),
            },
        }
    }

    /// Drops the registered wakers.
    fn forget_wakers(&self) {
        let wakers = std::mem::take(&mut self.lock().wakers);
        drop(wakers);
    }

    /// Takes the result if done, else registers `waker`.
    fn poll_take(&self, waker: &Waker) -> Poll<Result<T>> {
        let mut inner = self.lock();
        match Self::take(&mut inner) {
            Some(result) => Poll::Ready(result),
            None => {
                if !inner.wakers.iter().any(|w| w.will_wake(waker)) {
                    inner.wakers.push(waker.clone());
                }
                Poll::Pending
            }
        }
    }
}

impl<T> fmt::Debug for ConcurrentFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.lock().state {
            State::Pending => "pending",
            State::Running => "running",
            State::Finished(_) | State::Taken => "finished",
            State::Cancelled => "cancelled",
        };
        write!(f, "<ConcurrentFuture {state}>")
    }
}

/// Awaits a [`ConcurrentFuture`] from a task (asyncio's `wrap_future`).
///
/// Cancelling the awaiting task cancels the concurrent future too, unless
/// its work already runs or is done; either way the awaiter gets
/// `Err(Error::Cancelled)` and a result that arrives later is not handed to
/// anyone.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<i32> {
///     let fut = asyncio::ConcurrentFuture::new();
///     let setter = fut.clone();
///     std::thread::spawn(move || setter.set_result(42));
///     asyncio::wrap_future(fut).await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 42);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn wrap_future<T>(fut: ConcurrentFuture<T>) -> WrapFuture<T> {
    WrapFuture { fut, done: false }
}

/// The future returned by [`wrap_future`] (and by `to_thread` and
/// `run_in_executor`).
#[must_use = "futures do nothing unless polled or awaited"]
pub struct WrapFuture<T> {
    fut: ConcurrentFuture<T>,
    done: bool,
}

impl<T> WrapFuture<T> {
    /// The concurrent future being awaited.
    pub fn concurrent(&self) -> &ConcurrentFuture<T> {
        &self.fut
    }
}

impl<T> Future for WrapFuture<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if self.done {
            return Poll::Ready(Err(Error::invalid_state("polled after completion")));
        }
        if let Some(err) = cancel::take_request() {
            self.fut.cancel();
            self.fut.forget_wakers();
            self.done = true;
            return Poll::Ready(Err(err));
        }
        let poll = self.fut.poll_take(cx.waker());
        if poll.is_ready() {
            self.done = true;
        }
        poll
    }
}

impl<T> Drop for WrapFuture<T> {
    fn drop(&mut self) {
        // Nobody awaits the result any more: a thread that settles it later
        // must not wake (schedule anything on) the loop.
        if !self.done {
            self.fut.forget_wakers();
        }
    }
}

impl<T> fmt::Debug for WrapFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WrapFuture").field(&self.fut).finish()
    }
}
