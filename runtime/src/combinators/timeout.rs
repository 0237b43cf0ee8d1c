//! `timeout` and `timeout_at`: a deadline for a piece of work in the same
//! task, delivered as a cancellation and reported as [`Error::Timeout`].

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::event_loop::{Delay, Handle, IntoTimeout, TaskRef, current};
use crate::task::{IntoResult, current_task};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Created,
    Entered,
    /// The deadline passed and the task was cancelled; the work is
    /// finishing.
    Expiring,
    Expired,
    Exited,
}

struct State {
    /// Deadline in loop time; `None` never expires.
    when: Cell<Option<f64>>,
    phase: Cell<Phase>,
    timer: RefCell<Option<Handle>>,
    task: RefCell<Option<TaskRef>>,
}

/// A handle to a running [`timeout`]: read or move its deadline, see
/// whether it expired (asyncio's `Timeout` context manager object).
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<bool> {
///     let work = asyncio::timeout(3600.0, asyncio::sleep(7200.0));
///     let handle = work.handle();
///     let now = asyncio::get_running_loop()?.time();
///     asyncio::get_running_loop()?.call_soon(move || {
///         handle.reschedule(Some(now)).unwrap(); // expire at once
///     })?;
///     let handle = work.handle();
///     let outcome = work.await;
///     assert!(matches!(outcome, Err(asyncio::Error::Timeout)));
///     Ok(handle.expired())
/// }
/// assert!(asyncio::run(main_coroutine())?);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct TimeoutHandle {
    state: Rc<State>,
}

impl TimeoutHandle {
    /// The deadline, in loop time ([`EventLoop::time`](crate::EventLoop::time));
    /// `None` if the timeout never expires.
    pub fn when(&self) -> Option<f64> {
        self.state.when.get()
    }

    /// Whether the deadline passed and the work was cancelled for it.
    pub fn expired(&self) -> bool {
        matches!(self.state.phase.get(), Phase::Expiring | Phase::Expired)
    }

    /// Moves the deadline (`None`: never). A deadline already past expires
    /// the timeout in the next iteration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] once the timeout has expired or its work is
    /// over.
    pub fn reschedule(&self, when: Option<f64>) -> Result<()> {
        match self.state.phase.get() {
            Phase::Created => {
                self.state.when.set(when);
                Ok(())
            }
            Phase::Entered => {
                self.state.when.set(when);
                self.arm()
            }
            _ => Err(Error::invalid_state(
                "cannot reschedule a timeout that expired or exited",
            )),
        }
    }

    /// (Re)starts the timer for the current deadline.
    fn arm(&self) -> Result<()> {
        if let Some(timer) = self.state.timer.borrow_mut().take() {
            timer.cancel();
        }
        let Some(when) = self.state.when.get() else {
            return Ok(());
        };
        let core = current::with_current(Rc::clone).ok_or_else(current::no_running_loop)?;
        let deadline = core.instant_at(when);
        let weak = Rc::downgrade(&self.state);
        let expire = Box::new(move || {
            if let Some(state) = weak.upgrade() {
                TimeoutHandle { state }.expire();
            }
        });
        // A deadline already past expires in FIFO order with what is queued
        // now (asyncio's `call_soon(self._on_timeout)`), so that even a
        // `sleep(0)` in the work sees it.
        let timer = if deadline <= core.now() {
            core.call_soon_cancellable(expire)?
        } else {
            core.call_at_internal(deadline, expire)?.into_handle()
        };
        *self.state.timer.borrow_mut() = Some(timer);
        Ok(())
    }

    /// The deadline passed: cancel the task running the work.
    fn expire(&self) {
        if self.state.phase.get() != Phase::Entered {
            return;
        }
        self.state.timer.borrow_mut().take();
        if let Some(task) = &*self.state.task.borrow() {
            task.cancel();
        }
        self.state.phase.set(Phase::Expiring);
    }
}

impl fmt::Debug for TimeoutHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutHandle")
            .field("when", &self.when())
            .field("phase", &self.state.phase.get())
            .finish()
    }
}

/// Runs `fut` with a deadline `delay` from now (asyncio's
/// `async with asyncio.timeout(delay)`); `None` means no deadline.
///
/// At the deadline, the task running the work is cancelled: the await it
/// is suspended at returns `Err(Error::Cancelled)`, so the work can clean
/// up, with further awaits if it needs. When the work then ends cancelled,
/// the timeout reports `Err(Error::Timeout)`. A cancellation that does not
/// come from this timeout (from outside, or from an enclosing timeout)
/// stays a cancellation. A delay of zero or less expires in the next
/// iteration.
///
/// The work runs inline in the current task: it need not be `'static`.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<()> {
///     let outcome = asyncio::timeout(0.01, asyncio::sleep(10.0)).await;
///     assert!(matches!(outcome, Err(asyncio::Error::Timeout)));
///     asyncio::timeout(10.0, asyncio::sleep(0.001)).await
/// }
/// asyncio::run(main_coroutine())?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn timeout<F>(delay: impl IntoTimeout, fut: F) -> Timeout<F>
where
    F: Future,
    F::Output: IntoResult,
{
    let Some(delay) = delay.into_timeout() else {
        return Timeout::new(None, fut);
    };
    match current::with_current(|core| core.seconds_at(core.deadline_after(delay))) {
        Some(when) => Timeout::new(Some(when), fut),
        None => {
            let mut timeout = Timeout::new(None, fut);
            timeout.after = Some(delay);
            timeout
        }
    }
}

/// Runs `fut` with a deadline at loop time `when` (`None`: no deadline),
/// as [`timeout`] does (asyncio's `timeout_at`).
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<()> {
///     let now = asyncio::get_running_loop()?.time();
///     let outcome = asyncio::timeout_at(Some(now + 0.01), asyncio::sleep(10.0)).await;
///     assert!(matches!(outcome, Err(asyncio::Error::Timeout)));
///     asyncio::timeout_at(None, asyncio::sleep(0.001)).await
/// }
/// asyncio::run(main_coroutine())?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn timeout_at<F>(when: Option<f64>, fut: F) -> Timeout<F>
where
    F: Future,
    F::Output: IntoResult,
{
    Timeout::new(when, fut)
}

/// The future returned by [`timeout`] and [`timeout_at`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct Timeout<F> {
    fut: F,
    handle: TimeoutHandle,
    /// `cancelling()` of the task when the work started.
    level: u32,
    /// A delay given with no loop running, turned into a deadline when the
    /// work starts.
    after: Option<Delay>,
}

impl<F> Timeout<F> {
    fn new(when: Option<f64>, fut: F) -> Self {
        Timeout {
            fut,
            handle: TimeoutHandle {
                state: Rc::new(State {
                    when: Cell::new(when),
                    phase: Cell::new(Phase::Created),
                    timer: RefCell::new(None),
                    task: RefCell::new(None),
                }),
            },
            level: 0,
            after: None,
        }
    }

    /// A handle to read and move the deadline, also while the work runs.
    pub fn handle(&self) -> TimeoutHandle {
        self.handle.clone()
    }
}

impl<F> Future for Timeout<F>
where
    F: Future,
    F::Output: IntoResult,
{
    type Output = Result<<F::Output as IntoResult>::Ok>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is structurally pinned: it is only reached through
        // this pinned projection and never moved out; `Timeout` implements
        // neither `Unpin` by hand nor a `Drop` that would move it (the
        // `Drop` below only touches `handle`). The other fields are not
        // pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let state = &this.handle.state;
        match state.phase.get() {
            Phase::Created => {
                let Some(task) = current_task() else {
                    state.phase.set(Phase::Exited);
                    return Poll::Ready(Err(Error::invalid_state(
                        "timeout() must be awaited inside a task",
                    )));
                };
                this.level = task.cancelling();
                if let Some(delay) = this.after.take() {
                    let when =
                        current::with_current(|core| core.seconds_at(core.deadline_after(delay)));
                    state.when.set(when);
                }
                *state.task.borrow_mut() = Some(task);
                state.phase.set(Phase::Entered);
                if let Err(err) = this.handle.arm() {
                    state.phase.set(Phase::Exited);
                    return Poll::Ready(Err(err));
                }
            }
            Phase::Expired | Phase::Exited => {
                return Poll::Ready(Err(Error::invalid_state("timeout polled after completion")));
            }
            Phase::Entered | Phase::Expiring => {}
        }
        // SAFETY: see above.
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let output = std::task::ready!(fut.poll(cx)).into_result();
        if let Some(timer) = state.timer.borrow_mut().take() {
            timer.cancel();
        }
        if state.phase.get() != Phase::Expiring {
            state.phase.set(Phase::Exited);
            return Poll::Ready(output);
        }
        state.phase.set(Phase::Expired);
        let task = state.task.borrow().clone();
        let ours = task.is_some_and(|task| task.uncancel() <= this.level);
        Poll::Ready(match output {
            Err(err) if ours && err.is_cancelled() => Err(Error::Timeout),
            other => other,
        })
    }
}

impl<F> Drop for Timeout<F> {
    fn drop(&mut self) {
        let state = &self.handle.state;
        if let Some(timer) = state.timer.borrow_mut().take() {
            timer.cancel();
        }
        if state.phase.get() == Phase::Expiring {
            // Dropped while the work was still finishing: withdraw our
            // cancellation so that it does not hit the enclosing code.
            state.phase.set(Phase::Expired);
            if let Some(task) = &*state.task.borrow() {
                task.uncancel();
            }
        }
    }
}
