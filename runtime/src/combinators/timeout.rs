//! `timeout` and `timeout_at`: a deadline for a piece of work in the same
//! task, delivered as a cancellation and reported as [`Error::Timeout`].
//!
//! A timeout costs no allocation: its timer is a loop callback that cancels
//! a task by id, and it is registered only once the work first returns
//! `Pending` (work that completes at once never touches the timer heap).
//! Whether the timer fired is read back from the loop's callback table.
//! Only [`Timeout::handle`] moves the state behind a reference count, so
//! that the deadline can be read and moved from elsewhere.

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
    Entered,
    /// The work ended after the deadline had passed.
    Expired,
    /// The work ended in time.
    Exited,
}

/// When the timeout is due.
#[derive(Debug, Clone, Copy)]
enum Deadline {
    Never,
    /// Not known yet: a delay from the moment the work starts.
    After(Delay),
    /// Loop time, not yet converted to an instant.
    At(f64),
    Instant(Instant),
}

struct State {
    deadline: Cell<Deadline>,
    phase: Cell<Phase>,
    /// The loop callback that cancels the task, once registered.
    timer: Cell<Option<Key>>,
    /// The deadline had passed when the timer was registered.
    due: Cell<bool>,
    task: Cell<Option<TaskId>>,
}

impl State {
    fn new(deadline: Deadline) -> Self {
        State {
            deadline: Cell::new(deadline),
            phase: Cell::new(Phase::Created),
            timer: Cell::new(None),
            due: Cell::new(false),
            task: Cell::new(None),
        }
    }

    /// Whether the deadline has passed as the work starts (then the timer
    /// must run before anything the work queues). Reads the clock only for
    /// an absolute deadline.
    fn is_due_at_entry(&self, core: &Core) -> bool {
        match self.deadline.get() {
            Deadline::Never => false,
            Deadline::After(delay) => delay.is_due(),
            Deadline::At(_) | Deadline::Instant(_) => {
                self.instant(core);
                self.due.get()
            }
        }
    }

    /// The deadline as an instant of `core`'s clock (`None`: never).
    fn instant(&self, core: &Core) -> Option<Instant> {
        let instant = match self.deadline.get() {
            Deadline::Never => return None,
            Deadline::After(delay) => {
                let instant = core.deadline_after(delay);
                self.due.set(delay.is_due());
                instant
            }
            Deadline::At(when) => {
                let instant = core.instant_at(when);
                self.due.set(instant <= core.now());
                instant
            }
            Deadline::Instant(instant) => {
                self.due.set(instant <= core.now());
                instant
            }
        };
        self.deadline.set(Deadline::Instant(instant));
        Some(instant)
    }

    /// Registers the timer for the deadline, if there is one and none is
    /// registered: in FIFO order now if it is due, else in the heap.
    fn arm(&self, core: &Core) -> Result<()> {
        if self.timer.get().is_some() {
            return Ok(());
        }
        let (Some(instant), Some(task)) = (self.instant(core), self.task.get()) else {
            return Ok(());
        };
        let at = (!self.due.get()).then_some(instant);
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
    /// `None` if the timeout never expires.
    pub fn when(&self) -> Option<f64> {
        match self.state.deadline.get() {
            Deadline::Never => None,
            Deadline::At(when) => Some(when),
            Deadline::Instant(instant) => current::with_current(|core| core.seconds_at(instant)),
            Deadline::After(delay) => {
                current::with_current(|core| core.seconds_at(core.deadline_after(delay)))
            }
        }
    }

    /// Whether the deadline passed and the work was cancelled for it.
    pub fn expired(&self) -> bool {
        match self.state.phase.get() {
            Phase::Expired => true,
            Phase::Entered => current::with_current(|core| self.state.fired(core)).unwrap_or(false),
            Phase::Created | Phase::Exited => false,
        }
    }

    /// Moves the deadline (`None`: never). A deadline already past expires
    /// the timeout in the next iteration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] once the timeout has expired or its work is
    /// over, or if no loop is running.
    pub fn reschedule(&self, when: Option<f64>) -> Result<()> {
        let state = &self.state;
        let deadline = when.map_or(Deadline::Never, Deadline::At);
        match state.phase.get() {
            Phase::Created => {
                state.deadline.set(deadline);
                Ok(())
            }
            Phase::Entered => {
                let core = current::with_current(Core::rc).ok_or_else(current::no_running_loop)?;
                if state.disarm(&core) {
                    return Err(Error::invalid_state("cannot reschedule an expired timeout"));
                }
                state.deadline.set(deadline);
                state.arm(&core)
            }
            Phase::Expired | Phase::Exited => Err(Error::invalid_state(
                "cannot reschedule a timeout that expired or exited",
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
/// stays a cancellation. A delay of zero or less expires in the next
/// iteration, before the work's own wake-ups.
///
/// The work runs inline in the current task: it need not be `'static`. The
/// delay counts from the first poll, which `.await` does at once.
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
                due: Cell::new(state.due.get()),
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
            *level = cancelling;
            state.task.set(Some(task));
            state.phase.set(Phase::Entered);
            if state.is_due_at_entry(core) {
                // Expire before whatever the work queues.
                if let Err(err) = state.arm(core) {
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
        // never touches the timer heap (nor reads the clock).
        if let Err(err) = state.arm(core) {
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
