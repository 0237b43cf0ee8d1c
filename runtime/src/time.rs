//! Time leaves: [`sleep`].
//!
//! A leaf is a future the runtime implements by hand, at the bottom of every
//! chain of awaits. As the point where a task is suspended, each leaf is
//! also where a cancellation request is delivered.

use std::future::Future;
use std::pin::Pin;

use std::task::{Context, Poll};

use crate::error::Result;
use crate::event_loop::driver::Core;
use crate::event_loop::{Delay, TimerHandle, current};
use crate::task::cancel;

/// Waits for `delay` (asyncio's `asyncio.sleep`).
///
/// `delay` is a [`Duration`](std::time::Duration) or seconds (`f64` or an
/// integer); a negative number of seconds means zero, an infinite one means
/// forever: the sleep then ends only by cancellation, as
/// `asyncio.sleep(math.inf)` does (see [`Delay`]). The sleep starts when
/// first polled, not when created, and ends no earlier than `delay` later,
/// in the first loop iteration after that.
///
/// A zero delay yields exactly once, as `asyncio.sleep(0)` does: the first
/// poll schedules the task again and returns `Pending`, so every other ready
/// task and callback gets a turn; the second poll returns `Ready`.
///
/// Dropping a `Sleep` cancels its timer.
///
/// # Errors
///
/// The output is
///
/// - [`Error::Cancelled`](crate::Error::Cancelled) if cancellation of the task was requested (see
///   [`TaskRef::cancel`](crate::TaskRef::cancel)): the request is taken (and so
///   delivered once) by the first poll that sees it, even when the delay has
///   already elapsed;
/// - [`Error::Value`](crate::Error::Value) for a NaN delay, at the first
///   poll and before any cancellation is delivered (asyncio's
///   `ValueError: Invalid delay: NaN (not a number)`);
/// - [`Error::InvalidState`](crate::Error::InvalidState) if polled outside a running event loop.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// asyncio::run(asyncio::sleep(0.01))?;
/// assert!(start.elapsed() >= Duration::from_millis(10));
///
/// asyncio::run(asyncio::sleep(Duration::from_millis(1)))?;
/// asyncio::run(asyncio::sleep(0))?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn sleep(delay: impl Into<Delay>) -> Sleep {
    Sleep {
        delay: delay.into(),
        state: State::Start,
    }
}

/// The future returned by [`sleep`].
#[must_use = "futures do nothing unless polled or awaited"]
#[derive(Debug)]
pub struct Sleep {
    delay: Delay,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Not polled yet.
    Start,
    /// A zero delay has yielded once.
    Yielded,
    /// Waiting for the timer.
    Waiting(TimerHandle),
    /// An infinite delay: waiting for a cancellation.
    Forever,
    /// Returned `Ready`.
    Done,
}

impl Sleep {
    fn poll_on(&mut self, core: &Core, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if matches!(self.state, State::Done) {
            return Poll::Ready(Ok(()));
        }
        if matches!(self.state, State::Start) && self.delay.is_nan() {
            // asyncio raises before its first await, so a pending
            // cancellation stays for the next one.
            self.state = State::Done;
            return Poll::Ready(self.delay.distance().map(drop));
        }
        if let Some(err) = cancel::take_request_on(core) {
            self.finish();
            return Poll::Ready(Err(err));
        }
        match &self.state {
            State::Start if self.delay.as_duration().is_zero() => {
                core.wake(cx.waker());
                self.state = State::Yielded;
                Poll::Pending
            }
            State::Start => {
                let timer = core.deadline_after(self.delay).and_then(|deadline| {
                    deadline
                        .map(|deadline| core.wake_at(deadline, cx.waker().clone()))
                        .transpose()
                });
                match timer {
                    Ok(Some(timer)) => {
                        self.state = State::Waiting(timer);
                        Poll::Pending
                    }
                    Ok(None) => {
                        // Never: a cancellation request wakes the task.
                        self.state = State::Forever;
                        Poll::Pending
                    }
                    Err(err) => {
                        self.state = State::Done;
                        Poll::Ready(Err(err))
                    }
                }
            }
            State::Forever => Poll::Pending,
            State::Waiting(timer) if timer.handle().is_scheduled() => {
                // Polled before the timer fired (by a combinator, or after
                // another wake-up): keep waiting, waking the current waker.
                timer.handle().set_waker(cx.waker());
                Poll::Pending
            }
            State::Yielded | State::Waiting(_) | State::Done => {
                self.finish();
                Poll::Ready(Ok(()))
            }
        }
    }

    /// Marks the sleep as over, cancelling its timer if it is pending.
    fn finish(&mut self) {
        if let State::Waiting(timer) = std::mem::replace(&mut self.state, State::Done) {
            timer.cancel();
        }
    }
}

impl Future for Sleep {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        // `Sleep` is `Unpin`: nothing in it is pinned.
        let this = self.get_mut();
        current::with_current(|core| this.poll_on(core, cx))
            .unwrap_or_else(|| Poll::Ready(Err(current::no_running_loop())))
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.finish();
    }
}
