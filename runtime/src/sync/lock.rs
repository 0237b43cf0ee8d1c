//! [`Lock`]: a mutual-exclusion lock for tasks (asyncio's `Lock`).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{ListWaiter, WaitList, WaitQueue};
use crate::error::Result;

#[derive(Debug, Default)]
struct State {
    locked: bool,
    waiters: WaitList,
}

impl State {
    /// Gives the lock to the first waiter, or unlocks it if none waits.
    /// The lock stays locked across a hand-off: no task can barge in
    /// between a release and the woken waiter's step.
    fn release(&mut self) {
        if !self.waiters.notify_one() {
            self.locked = false;
        }
    }
}

impl WaitQueue for State {
    fn list(&mut self) -> &mut WaitList {
        &mut self.waiters
    }

    /// A lock handed to a waiter that leaves goes on to the next one.
    fn hand_on(&mut self, notified: bool) {
        if notified {
            self.release();
        }
    }
}

/// A lock for tasks (asyncio's `Lock`): at most one holder at a time,
/// handed to waiters strictly in the order they asked.
///
/// [`acquire`](Self::acquire) waits for the lock and returns a
/// [`LockGuard`]; dropping the guard releases it. A release hands the lock
/// straight to the first waiter, so a task that asks later cannot take it
/// first (no barging). A waiter cancelled before it gets the lock leaves
/// the queue; one cancelled just after the lock was handed to it passes the
/// lock on: cancellation never loses a hand-off.
///
/// Handles are cheap clones of one lock, to move into tasks.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// #[asyncio::coroutine]
/// fn worker(lock: asyncio::Lock, log: Rc<RefCell<Vec<String>>>, name: &'static str) -> asyncio::Result<()> {
///     let guard = lock.acquire().await?;
///     log.borrow_mut().push(format!("{name} in"));
///     asyncio::sleep(0.001).await?; // still holding the lock
///     log.borrow_mut().push(format!("{name} out"));
///     drop(guard);
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<Vec<String>> {
///     let lock = asyncio::Lock::new();
///     let log = Rc::new(RefCell::new(Vec::new()));
///     asyncio::gather([
///         worker(lock.clone(), log.clone(), "a"),
///         worker(lock.clone(), log.clone(), "b"),
///     ])
///     .await?;
///     let log = log.borrow().clone();
///     Ok(log)
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, ["a in", "a out", "b in", "b out"]);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Lock {
    state: Rc<RefCell<State>>,
}

impl Lock {
    /// An unlocked lock.
    pub fn new() -> Lock {
        Lock::default()
    }

    /// Whether some task holds the lock (or it is being handed to one).
    pub fn locked(&self) -> bool {
        self.state.borrow().locked
    }

    /// Waits for the lock; the guard releases it when dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`](crate::Error::Cancelled) if the waiting task is
    /// cancelled; it then does not hold the lock.
    pub fn acquire(&self) -> Acquire {
        Acquire {
            waiter: ListWaiter::in_list(self.state.clone()),
        }
    }

    /// Takes the lock if it is free and nobody waits for it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = asyncio::Lock::new();
    /// let guard = lock.try_acquire().expect("free");
    /// assert!(lock.try_acquire().is_none());
    /// drop(guard);
    /// assert!(!lock.locked());
    /// ```
    pub fn try_acquire(&self) -> Option<LockGuard> {
        let mut state = self.state.borrow_mut();
        if state.locked || !state.waiters.is_empty() {
            return None;
        }
        state.locked = true;
        Some(LockGuard {
            state: self.state.clone(),
        })
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("Lock")
            .field("locked", &state.locked)
            .field("waiters", &state.waiters.waiting())
            .finish()
    }
}

/// Holds a [`Lock`]; dropping it releases the lock (to the first waiter,
/// if any).
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard {
    state: Rc<RefCell<State>>,
}

impl LockGuard {
    /// The lock this guard holds.
    pub fn lock(&self) -> Lock {
        Lock {
            state: self.state.clone(),
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.state.borrow_mut().release();
    }
}

impl fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard").finish_non_exhaustive()
    }
}

/// The future returned by [`Lock::acquire`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct Acquire {
    /// Leaving the queue passes on a lock already handed to this waiter.
    waiter: ListWaiter<State>,
}

impl Future for Acquire {
    type Output = Result<LockGuard>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<LockGuard>> {
        if let Err(err) = self.waiter.begin("acquire polled after completion") {
            return Poll::Ready(Err(err));
        }
        let waiter = &mut self.waiter;
        let acquired = waiter.poll_wait(cx, |state, handed| {
            // Handed over by a release: the lock stayed locked for us.
            if !handed {
                if state.locked || !state.waiters.is_empty() {
                    return None;
                }
                // Free, and nobody queued before us.
                state.locked = true;
            }
            Some(())
        });
        acquired.map(|()| {
            Ok(LockGuard {
                state: waiter.state().clone(),
            })
        })
    }
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.waiter.is_waiting())
            .finish()
    }
}
