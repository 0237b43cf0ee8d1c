//! `timeout` and `timeout_at`: a deadline for a piece of work in the same
//! task, delivered as a cancellation and reported as [`Error::Timeout`].
//!
//! The deadline is fixed when the timeout is entered (its first poll, as
//! asyncio computes `loop.time() + delay` when `async with timeout(delay)`
//! is entered), so that whatever the work does before it first suspends
//! counts. A timeout costs no allocation: its timer is a loop callback that
//! cancels a task by id, and it is registered only once the work first
//! returns `Pending` (work that completes at once never touches the timer
//! heap), unless the deadline has passed at entry. Whether the timer fired
//! is read back from the loop's callback table. Only [`Timeout::handle`]
//! moves the state behind a reference count, so that the deadline can be
//! read and moved from elsewhere.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::event_loop::driver::Core;
use crate::event_loop::tasks::TaskId;
use crate::event_loop::{Delay, IntoTimeout, current};
use crate::task::IntoResult;
use crate::util::slab::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Created,
    /// The work runs; once the timer has fired, the timeout is *expiring*
    /// (asyncio's `EXPIRING`): the work has its cancellation.
    Entered,
    /// The work ended after the deadline had passed.
    Expired,
    /// The work ended in time.
    Exited,
}

/// When the timeout is due.
#[derive(Debug, Clone, Copy)]
enum Deadline {
    /// No deadline (`None`).
    Never,
    /// Not fixed yet: a delay from the moment the timeout is entered.
    After(Delay),
    /// Not fixed yet: loop time.
    At(f64),
    /// Fixed: an instant of the loop's clock.
    Instant(Instant),
    /// Fixed: infinitely far away; never reached, but `when()` reports
    /// infinity as asyncio does.
    Infinite,
}

impl Deadline {
    /// This deadline fixed on `core`'s clock (as `Instant`, `Infinite` or
    /// `Never`).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a NaN delay or loop time.
    fn fix(self, core: &Core) -> Result<Deadline> {
        let instant = match self {
            Deadline::After(delay) => core.deadline_after(delay)?,
            Deadline::At(when) => core.instant_at(when)?,
            fixed @ (Deadline::Never | Deadline::Instant(_) | Deadline::Infinite) => {
                return Ok(fixed);
            }
        };
        Ok(instant.map_or(Deadline::Infinite, Deadline::Instant))
    }
}

struct State {
    deadline: Cell<Deadline>,
    phase: Cell<Phase>,
    /// The loop callback that cancels the task, once registered.
    timer: Cell<Option<Key>>,
    task: Cell<Option<TaskId>>,
}

impl State {
    fn new(deadline: Deadline) -> Self {
        State {
            deadline: Cell::new(deadline),
            phase: Cell::new(Phase::Created),
            timer: Cell::new(None),
            task: Cell::new(None),
        }
    }

    /// Registers the timer for the fixed deadline, if there is one and
    /// none is registered: in the timer heap, or, if `soon` and the
    /// deadline has passed, in FIFO order now (asyncio's
    /// `call_soon(self._on_timeout)`, so that it runs before whatever the
    /// work queues from here on).
    fn arm(&self, core: &Core, soon: bool) -> Result<()> {
        if self.timer.get().is_some() {
            return Ok(());
        }
        let (Deadline::Instant(instant), Some(task)) = (self.deadline.get(), self.task.get())
        else {
            return Ok(());
        };
        let at = (!(soon && instant <= core.now())).then_some(instant);
        self.timer.set(Some(core.cancel_task_at(at, task)?));
        Ok(())
    }

    /// Whether the timer ran (and cancelled the task).
    fn fired(&self, core: &Core) -> bool {
        self.timer.get().is_some_and(|key| !core.timer_pending(key))
    }

    /// Unregisters the timer if it has not run; returns whether it had.
    fn disarm(&self, core: &Core) -> bool {
        match self.timer.take() {
            Some(key) if core.timer_pending(key) => {
                core.cancel_timer(key);
                false
            }
            Some(_) => true,
            None => false,
        }
    }
}

/// Where a timeout keeps its state: inline, or shared with handles.
enum Slot {
    Inline(State),
    Shared(Rc<State>),
}

impl Slot {
    fn get(&self) -> &State {
        match self {
            Slot::Inline(state) => state,
            Slot::Shared(state) => state,
        }
    }
}

/// A handle to a [`timeout`]: read or move its deadline, see whether it
/// expired (asyncio's `Timeout` context manager object).
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<bool> {
///     let mut work = asyncio::timeout(3600.0, asyncio::sleep(7200.0));
///     let handle = work.handle();
///     let now = asyncio::get_running_loop()?.time();
///     let mover = handle.clone();
///     asyncio::get_running_loop()?.call_soon(move || {
///         mover.reschedule(Some(now)).unwrap(); // expire at once
///     })?;
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
    /// `None` if the timeout never expires, infinity for an infinite delay
    /// (as asyncio's `when()`).
    ///
    /// Before the timeout is entered (first polled), a deadline given as a
    /// delay is not fixed yet: this reports what it would be if the
    /// timeout were entered now.
    pub fn when(&self) -> Option<f64> {
        match self.state.deadline.get() {
            Deadline::Never => None,
            Deadline::Infinite => Some(f64::INFINITY),
            Deadline::At(when) => Some(when),
            Deadline::Instant(instant) => current::with_current(|core| core.seconds_at(instant)),
            Deadline::After(delay) if delay.is_infinite() || delay.is_nan() => {
                Some(delay.as_secs_f64())
            }
            Deadline::After(delay) => {
                current::with_current(|core| core.seconds_at(core.now()) + delay.as_secs_f64())
            }
        }
    }

    /// Whether the deadline passed and the work was cancelled for it (from
    /// the moment the timer fires, while the work is still finishing:
    /// asyncio's "expiring" state counts as expired).
    pub fn expired(&self) -> bool {
        match self.state.phase.get() {
            Phase::Expired => true,
            Phase::Entered => current::with_current(|core| self.state.fired(core)).unwrap_or(false),
            Phase::Created | Phase::Exited => false,
        }
    }

    /// Moves the deadline to loop time `when` (`None`: never; infinity:
    /// never, with [`when`](Self::when) reporting infinity). A deadline
    /// already past expires the timeout in the next iteration, before what
    /// the work queues after this call.
    ///
    /// Unlike asyncio, the deadline may also be moved before the timeout is
    /// entered (asyncio's `Timeout has not been entered`): take the handle,
    /// reschedule, then await.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidState`] once the timer has fired (asyncio's
    ///   `RuntimeError: Cannot change state of expiring Timeout`: the work
    ///   has received its cancellation, so the timeout stays expired and
    ///   still reports [`Error::Timeout`] when the work ends cancelled),
    ///   once the work is over (`... of expired Timeout`, `... of finished
    ///   Timeout`), or if no loop is running;
    /// - [`Error::Value`] if `when` is NaN; the deadline is left as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let mut work = asyncio::timeout(0.01, asyncio::sleep(3600.0));
    ///     let handle = work.handle();
    ///     assert!(matches!(work.await, Err(asyncio::Error::Timeout)));
    ///     assert!(handle.expired());
    ///     // Too late to move it now.
    ///     assert!(matches!(handle.reschedule(None), Err(asyncio::Error::InvalidState(_))));
    ///     assert!(matches!(handle.reschedule(Some(f64::NAN)), Err(asyncio::Error::Value(_))));
    ///     Ok(())
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn reschedule(&self, when: Option<f64>) -> Result<()> {
        let state = &self.state;
        if when.is_some_and(f64::is_nan) {
            return Err(Error::nan_deadline());
        }
        let deadline = when.map_or(Deadline::Never, Deadline::At);
        match state.phase.get() {
            Phase::Created => {
                state.deadline.set(deadline);
                Ok(())
            }
            Phase::Entered => {
                let core = current::with_current(Core::rc).ok_or_else(current::no_running_loop)?;
                if state.fired(&core) {
                    // The timer stays registered (and fired): on exit the
                    // work's cancellation still becomes `Timeout`.
                    return Err(Error::invalid_state(
                        "cannot change state of expiring Timeout (the work has been cancelled)",
                    ));
                }
                let deadline = deadline.fix(&core)?;
                state.disarm(&core);
                state.deadline.set(deadline);
                state.arm(&core, true)
            }
            Phase::Expired => Err(Error::invalid_state(
                "cannot change state of expired Timeout",
            )),
            Phase::Exited => Err(Error::invalid_state(
                "cannot change state of finished Timeout",
            )),
        }
    }
}

impl fmt::Debug for TimeoutHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutHandle")
            .field("when", &self.when())
            .field("expired", &self.expired())
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
/// stays a cancellation.
///
/// The deadline is fixed when the timeout is entered, at its first poll
/// (which `.await` does at once): `loop.time() + delay`, as asyncio's
/// `async with timeout(delay)`. Time the work spends before it first
/// suspends counts, with asyncio's consequences:
///
/// - a delay of zero or less expires in the next iteration, before the
///   work's own wake-ups: work that suspends at all is cancelled at its
///   first suspension;
/// - work that completes without ever suspending completes normally, even
///   if the deadline passed meanwhile (nothing could cancel it);
/// - if the deadline passes while the work runs before its first
///   suspension, the timer runs in the next iteration, after what is
///   already queued: a `sleep(0)` there still returns, and the next
///   suspension gets the cancellation.
///
/// An infinite delay (`f64::INFINITY`) never expires, as `None`, but
/// [`TimeoutHandle::when`] reports infinity (asyncio's `timeout(math.inf)`).
/// A NaN delay fails with [`Error::Value`] at the first poll, without
/// running the work (asyncio takes it and expires at once).
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
    let deadline = delay
        .into_timeout()
        .map_or(Deadline::Never, Deadline::After);
    Timeout::new(deadline, fut)
}

/// Runs `fut` with a deadline at loop time `when` (`None`: no deadline),
/// as [`timeout`] does (asyncio's `timeout_at`).
///
/// `Some(f64::INFINITY)` never expires (and `when()` reports infinity);
/// `Some(f64::NEG_INFINITY)`, like any time in the past, expires in the
/// next iteration; `Some(f64::NAN)` fails with [`Error::Value`] at the
/// first poll, without running the work.
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
    Timeout::new(when.map_or(Deadline::Never, Deadline::At), fut)
}

/// The future returned by [`timeout`] and [`timeout_at`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct Timeout<F> {
    fut: F,
    state: Slot,
    /// `cancelling()` of the task when the work started.
    level: u32,
}

impl<F> Timeout<F> {
    fn new(deadline: Deadline, fut: F) -> Self {
        Timeout {
            fut,
            state: Slot::Inline(State::new(deadline)),
            level: 0,
        }
    }

    /// A handle to read and move the deadline, also while the work runs.
    /// Call it before awaiting.
    pub fn handle(&mut self) -> TimeoutHandle {
        if let Slot::Inline(state) = &self.state {
            let shared = Rc::new(State {
                deadline: Cell::new(state.deadline.get()),
                phase: Cell::new(state.phase.get()),
                timer: Cell::new(state.timer.get()),
                task: Cell::new(state.task.get()),
            });
            self.state = Slot::Shared(shared);
        }
        match &self.state {
            Slot::Shared(state) => TimeoutHandle {
                state: state.clone(),
            },
            Slot::Inline(_) => unreachable!("made shared above"),
        }
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
        // this projection and never moved out; `Timeout` has no `Unpin`
        // impl of its own, and its `Drop` touches only `state`. The other
        // fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `fut` stays pinned along with `self`.
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let state = this.state.get();
        let level = &mut this.level;
        current::with_current(|core| poll_timeout(core, state, level, fut, cx))
            .unwrap_or_else(|| Poll::Ready(Err(current::no_running_loop())))
    }
}

/// One poll of a timeout's work, on the running loop `core`.
fn poll_timeout<F>(
    core: &Core,
    state: &State,
    level: &mut u32,
    fut: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<Result<<F::Output as IntoResult>::Ok>>
where
    F: Future,
    F::Output: IntoResult,
{
    match state.phase.get() {
        Phase::Created => {
            let Some((task, cancelling)) = core
                .current_task_id()
                .zip(core.with_current_header(|header| header.cancelling.get()))
            else {
                state.phase.set(Phase::Exited);
                return Poll::Ready(Err(Error::invalid_state(
                    "timeout() must be awaited inside a task",
                )));
            };
            let deadline = match state.deadline.get().fix(core) {
                Ok(deadline) => deadline,
                Err(err) => {
                    state.phase.set(Phase::Exited);
                    return Poll::Ready(Err(err));
                }
            };
            state.deadline.set(deadline);
            *level = cancelling;
            state.task.set(Some(task));
            state.phase.set(Phase::Entered);
            if matches!(deadline, Deadline::Instant(instant) if instant <= core.now()) {
                // Due already: expire before whatever the work queues.
                if let Err(err) = state.arm(core, true) {
                    state.phase.set(Phase::Exited);
                    return Poll::Ready(Err(err));
                }
            }
        }
        Phase::Expired | Phase::Exited => {
            return Poll::Ready(Err(Error::invalid_state("timeout polled after completion")));
        }
        Phase::Entered => {}
    }
    let Poll::Ready(output) = fut.poll(cx) else {
        // The timer is registered only now: work that completes at once
        // never touches the timer heap. The deadline was fixed at entry; if
        // it has passed since, the timer runs in the next iteration after
        // what is queued already, as asyncio's timer would.
        if let Err(err) = state.arm(core, false) {
            state.phase.set(Phase::Exited);
            return Poll::Ready(Err(err));
        }
        return Poll::Pending;
    };
    let output = output.into_result();
    if !state.disarm(core) {
        state.phase.set(Phase::Exited);
        return Poll::Ready(output);
    }
    state.phase.set(Phase::Expired);
    let ours = core
        .with_current_header(|header| header.uncancel() <= *level)
        .unwrap_or(false);
    Poll::Ready(match output {
        Err(err) if ours && err.is_cancelled() => Err(Error::Timeout),
        other => other,
    })
}

impl<F> Drop for Timeout<F> {
    fn drop(&mut self) {
        let state = self.state.get();
        if state.phase.get() != Phase::Entered {
            return;
        }
        state.phase.set(Phase::Exited);
        current::with_current(|core| {
            if state.disarm(core) {
                // Dropped while the work was finishing after expiry: take
                // our cancellation back so it does not hit the caller.
                state.phase.set(Phase::Expired);
                if let Some(task) = state.task.get() {
                    core.with_task_header(task, |header| header.uncancel());
                }
            }
        });
    }
}
