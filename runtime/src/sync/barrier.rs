//! [`Barrier`]: a meeting point for a fixed number of tasks (asyncio's
//! `Barrier`).
//!
//! asyncio builds its barrier on a `Condition` whose lock is only ever held
//! between suspensions; here the same state machine (filling, draining,
//! resetting, broken) sits behind one [`WaitList`] that every state change
//! notifies, and each waiter re-checks the state when it runs, as asyncio's
//! `wait_for` predicates do.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{ListWaiter, WaitList, WaitQueue};
use crate::error::{Error, Result};

/// The state of a [`Barrier`] (asyncio's `_BarrierState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BarrierState {
    /// Tasks arrive and wait for the last party.
    Filling,
    /// The last party arrived: the waiting tasks are leaving; tasks that
    /// arrive meanwhile wait until all have left.
    Draining,
    /// [`Barrier::reset`] was called while tasks waited: they are leaving
    /// with [`Error::BrokenBarrier`].
    Resetting,
    /// [`Barrier::abort`] was called: every wait fails with
    /// [`Error::BrokenBarrier`] until a reset.
    Broken,
}

#[derive(Debug)]
struct State {
    parties: usize,
    state: BarrierState,
    /// Tasks inside the barrier: arrived and not yet left.
    count: usize,
    waiters: WaitList,
}

impl State {
    /// A task leaves the barrier (asyncio's `finally: count -= 1; _exit()`):
    /// the last one out ends draining or resetting, and lets in the tasks
    /// that arrived meanwhile.
    fn exit(&mut self) {
        self.count -= 1;
        if self.count == 0 {
            if matches!(self.state, BarrierState::Resetting | BarrierState::Draining) {
                self.state = BarrierState::Filling;
            }
            self.waiters.notify_all();
        }
    }
}

/// Wake-ups are broadcasts: nothing to pass on.
impl WaitQueue for State {
    fn list(&mut self) -> &mut WaitList {
        &mut self.waiters
    }
}

/// A barrier for a fixed number of tasks (asyncio's `Barrier`): each
/// [`wait`](Self::wait) blocks until `parties` tasks are waiting, then all
/// of them go on, each with its own arrival index in `0..parties`.
///
/// After it trips, the barrier *drains*: tasks arriving for the next round
/// wait until every task of this round has left, then it *fills* again, so
/// it can be reused any number of times. [`reset`](Self::reset) sends the
/// waiting tasks away with [`Error::BrokenBarrier`] and makes it usable
/// again; [`abort`](Self::abort) breaks it for good (until a reset). A
/// waiter that is cancelled leaves the barrier, which then needs one more
/// task to trip.
///
/// Handles are cheap clones of one barrier, to move into tasks.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn party(barrier: asyncio::Barrier) -> asyncio::Result<usize> {
///     let index = barrier.wait().await?;
///     Ok(index)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<Vec<usize>> {
///     let barrier = asyncio::Barrier::new(3)?;
///     let mut indices = asyncio::gather((0..3).map(|_| party(barrier.clone()))).await?;
///     indices.sort();
///     assert_eq!(barrier.n_waiting(), 0);
///     Ok(indices)
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, [0, 1, 2]);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct Barrier {
    state: Rc<RefCell<State>>,
}

impl Barrier {
    /// A barrier for `parties` tasks.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if `parties` is 0 or negative (asyncio's
    /// `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(asyncio::Barrier::new(0).is_err());
    /// assert_eq!(asyncio::Barrier::new(4)?.parties(), 4);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn new(parties: isize) -> Result<Barrier> {
        let parties = usize::try_from(parties)
            .ok()
            .filter(|&parties| parties > 0)
            .ok_or(Error::invalid_state("parties must be > 0"))?;
        Ok(Barrier {
            state: Rc::new(RefCell::new(State {
                parties,
                state: BarrierState::Filling,
                count: 0,
                waiters: WaitList::default(),
            })),
        })
    }

    /// Waits until `parties` tasks wait; returns this task's arrival index,
    /// from 0 to `parties - 1`. The task that completes the group returns
    /// at once.
    ///
    /// # Errors
    ///
    /// - [`Error::BrokenBarrier`] if the barrier is broken, or is reset or
    ///   aborted while this task waits (or before it leaves);
    /// - [`Error::Cancelled`] if the task is cancelled; it then leaves the
    ///   barrier.
    pub fn wait(&self) -> BarrierWait {
        BarrierWait {
            waiter: ListWaiter::in_list(self.state.clone()),
            phase: Phase::Outside,
        }
    }

    /// Sends the tasks waiting away with [`Error::BrokenBarrier`] and
    /// returns the barrier to filling once they have left (at once if none
    /// waits). Also repairs a broken barrier. (asyncio's `reset()` is a
    /// coroutine because it takes the barrier's lock; nothing here needs
    /// to wait.)
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = asyncio::Barrier::new(2)?;
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// barrier.reset();
    /// assert_eq!(barrier.state(), asyncio::BarrierState::Filling);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn reset(&self) {
        let mut state = self.state.borrow_mut();
        state.state = if state.count > 0 {
            BarrierState::Resetting
        } else {
            BarrierState::Filling
        };
        state.waiters.notify_all();
    }

    /// Breaks the barrier: waiting tasks, and any that call
    /// [`wait`](Self::wait) until a [`reset`](Self::reset), get
    /// [`Error::BrokenBarrier`]. Useful when one party fails and the others
    /// must not wait for it.
    pub fn abort(&self) {
        let mut state = self.state.borrow_mut();
        state.state = BarrierState::Broken;
        state.waiters.notify_all();
    }

    /// How many tasks the barrier waits for.
    pub fn parties(&self) -> usize {
        self.state.borrow().parties
    }

    /// How many tasks wait for the barrier to trip (0 unless it is
    /// filling).
    pub fn n_waiting(&self) -> usize {
        let state = self.state.borrow();
        match state.state {
            BarrierState::Filling => state.count,
            _ => 0,
        }
    }

    /// Whether the barrier is broken.
    pub fn broken(&self) -> bool {
        self.state.borrow().state == BarrierState::Broken
    }

    /// The barrier's state.
    pub fn state(&self) -> BarrierState {
        self.state.borrow().state
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("Barrier")
            .field("state", &state.state)
            .field("count", &state.count)
            .field("parties", &state.parties)
            .finish()
    }
}

#[derive(Debug)]
enum Phase {
    /// Not inside the barrier yet: arriving, or waiting to enter while it
    /// drains or resets.
    Outside,
    /// Inside the barrier with this index, waiting for it to trip.
    Inside(usize),
    /// Left the barrier.
    Left,
}

/// The future returned by [`Barrier::wait`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct BarrierWait {
    waiter: ListWaiter<State>,
    phase: Phase,
}

impl BarrierWait {
    /// Leaves the barrier if inside it (after leaving its wait list).
    fn leave(&mut self) {
        if let Phase::Inside(_) = std::mem::replace(&mut self.phase, Phase::Left) {
            self.waiter.state().borrow_mut().exit();
        }
    }
}

impl Future for BarrierWait {
    type Output = Result<usize>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<usize>> {
        let this = &mut *self;
        if let Err(err) = this.waiter.begin("wait polled after completion") {
            this.leave();
            return Poll::Ready(Err(err));
        }
        let phase = &mut this.phase;
        // Woken or not, every waiter re-checks the state.
        this.waiter.poll_wait(cx, |state, _| {
            loop {
                match *phase {
                    Phase::Outside => {
                        match state.state {
                            BarrierState::Draining | BarrierState::Resetting => return None,
                            BarrierState::Broken => {
                                *phase = Phase::Left;
                                return Some(Err(Error::BrokenBarrier));
                            }
                            BarrierState::Filling => {}
                        }
                        let index = state.count;
                        state.count += 1;
                        if state.count == state.parties {
                            // The last party: trip the barrier, and leave.
                            state.state = BarrierState::Draining;
                            state.waiters.notify_all();
                            state.exit();
                            *phase = Phase::Left;
                            return Some(Ok(index));
                        }
                        *phase = Phase::Inside(index);
                    }
                    Phase::Inside(index) => {
                        let outcome = match state.state {
                            BarrierState::Filling => return None,
                            BarrierState::Draining => Ok(index),
                            BarrierState::Resetting | BarrierState::Broken => {
                                Err(Error::BrokenBarrier)
                            }
                        };
                        state.exit();
                        *phase = Phase::Left;
                        return Some(outcome);
                    }
                    Phase::Left => unreachable!("a barrier wait that left is done"),
                }
            }
        })
    }
}

impl Drop for BarrierWait {
    fn drop(&mut self) {
        self.waiter.withdraw();
        self.leave();
    }
}

impl fmt::Debug for BarrierWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("phase", &self.phase)
            .finish()
    }
}
