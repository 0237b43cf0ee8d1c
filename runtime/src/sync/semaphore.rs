//! [`Semaphore`] and [`BoundedSemaphore`]: counted permits for tasks
//! (asyncio's `Semaphore` and `BoundedSemaphore`).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{ListWaiter, WaitList, WaitQueue};
use crate::error::{Error, Result};

#[derive(Debug)]
struct State {
    /// Permits free to take (asyncio's `_value`); permits handed to woken
    /// waiters are no longer counted, as in asyncio.
    value: usize,
    /// The initial value of a [`BoundedSemaphore`].
    bound: Option<usize>,
    waiters: WaitList,
    /// Waiters handed a permit that have not taken it yet (asyncio's
    /// waiter futures that are done but still queued).
    handed: usize,
}

impl State {
    fn new(value: isize, bound: bool) -> Result<State> {
        let value = usize::try_from(value)
            .map_err(|_| Error::invalid_state("Semaphore initial value must be >= 0"))?;
        Ok(State {
            value,
            bound: bound.then_some(value),
            waiters: WaitList::default(),
            handed: 0,
        })
    }

    /// asyncio's `locked()`: no permit can be taken at once, because none
    /// is free or because earlier waiters go first.
    fn locked(&self) -> bool {
        self.value == 0 || self.handed > 0 || !self.waiters.is_empty()
    }

    /// Hands one free permit to the first waiter (asyncio's
    /// `_wake_up_next`); returns whether there was one.
    fn wake_up_next(&mut self) -> bool {
        if self.value > 0 && self.waiters.notify_one() {
            self.value -= 1;
            self.handed += 1;
            true
        } else {
            false
        }
    }

    /// Hands out free permits while waiters wait (after a waiter takes or
    /// gives back its permit, as asyncio's `acquire` does in `finally`).
    fn wake_up_all(&mut self) {
        while self.wake_up_next() {}
    }

    fn release(&mut self) -> Result<()> {
        if self.bound.is_some_and(|bound| self.value >= bound) {
            return Err(Error::invalid_state(
                "BoundedSemaphore released too many times",
            ));
        }
        self.value += 1;
        self.wake_up_next();
        Ok(())
    }

    fn try_acquire(&mut self) -> bool {
        if self.locked() {
            return false;
        }
        self.value -= 1;
        true
    }
}

impl WaitQueue for State {
    fn list(&mut self) -> &mut WaitList {
        &mut self.waiters
    }

    /// A permit already handed to a waiter that leaves is passed on
    /// (asyncio undoes the bookkeeping and wakes the next waiter).
    fn hand_on(&mut self, notified: bool) {
        if notified {
            self.handed -= 1;
            self.value += 1;
        }
        self.wake_up_all();
    }
}

fn fmt_state(name: &str, state: &RefCell<State>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let state = state.borrow();
    f.debug_struct(name)
        .field("locked", &state.locked())
        .field("value", &state.value)
        .field("waiters", &state.waiters.waiting())
        .finish()
}

/// A counter of permits for tasks (asyncio's `Semaphore`), handed to
/// waiters strictly in the order they asked.
///
/// [`acquire`](Self::acquire) takes a permit, waiting while none is free,
/// and returns a [`SemaphoreGuard`] that gives it back when dropped.
/// [`release`](Self::release) adds a permit explicitly, as asyncio code
/// often does from another task than the one that acquired (pair it with
/// [`SemaphoreGuard::forget`]). A release hands its permit straight to the
/// first waiter, and a task that asks while others wait queues behind them
/// even if a permit is free (no barging). A waiter cancelled before it gets
/// a permit leaves the queue; one cancelled just after it was handed one
/// passes it on: cancellation never loses or duplicates a permit.
///
/// Handles are cheap clones of one semaphore, to move into tasks.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// #[asyncio::coroutine]
/// fn worker(sem: asyncio::Semaphore, running: Rc<Cell<u32>>, peak: Rc<Cell<u32>>) -> asyncio::Result<()> {
///     let permit = sem.acquire().await?;
///     running.set(running.get() + 1);
///     peak.set(peak.get().max(running.get()));
///     asyncio::sleep(0.001).await?;
///     running.set(running.get() - 1);
///     drop(permit);
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<u32> {
///     let sem = asyncio::Semaphore::new(2)?;
///     let (running, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
///     asyncio::gather((0..5).map(|_| worker(sem.clone(), running.clone(), peak.clone()))).await?;
///     Ok(peak.get())
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 2);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct Semaphore {
    state: Rc<RefCell<State>>,
}

impl Semaphore {
    /// A semaphore with `value` permits.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if `value` is negative (asyncio's
    /// `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(asyncio::Semaphore::new(-1).is_err());
    /// assert!(asyncio::Semaphore::new(0)?.locked());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn new(value: isize) -> Result<Semaphore> {
        Semaphore::with_bound(value, false)
    }

    fn with_bound(value: isize, bounded: bool) -> Result<Semaphore> {
        Ok(Semaphore {
            state: Rc::new(RefCell::new(State::new(value, bounded)?)),
        })
    }

    /// Whether [`acquire`](Self::acquire) would wait: no permit is free,
    /// or tasks already wait for one.
    pub fn locked(&self) -> bool {
        self.state.borrow().locked()
    }

    /// How many permits are free (asyncio's `_value`). Permits handed to
    /// woken waiters that have not run yet are not counted.
    pub fn value(&self) -> usize {
        self.state.borrow().value
    }

    /// Waits for a permit; the guard gives it back when dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`] if the waiting task is cancelled; it then holds
    /// no permit (one handed to it meanwhile goes to the next waiter).
    pub fn acquire(&self) -> SemaphoreAcquire {
        SemaphoreAcquire::new(&self.state)
    }

    /// Takes a permit if one is free and nobody waits for one.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = asyncio::Semaphore::new(1)?;
    /// let permit = sem.try_acquire().expect("free");
    /// assert!(sem.try_acquire().is_none());
    /// drop(permit);
    /// assert_eq!(sem.value(), 1);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphoreGuard> {
        self.state
            .borrow_mut()
            .try_acquire()
            .then(|| SemaphoreGuard::new(&self.state))
    }

    /// Adds a permit, handing it to the first waiter if any (asyncio's
    /// `release()`). Nothing checks that it was acquired: an unbounded
    /// semaphore can grow past its initial value.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn take(sem: asyncio::Semaphore) -> asyncio::Result<()> {
    ///     sem.acquire().await?.forget(); // released by someone else
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let sem = asyncio::Semaphore::new(0)?;
    ///     let waiter = asyncio::create_task(take(sem.clone()));
    ///     asyncio::sleep(0).await?;
    ///     assert!(!waiter.done());
    ///     sem.release(); // from another task than the one that acquires
    ///     waiter.await
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn release(&self) {
        // Unbounded: cannot fail.
        let _ = self.state.borrow_mut().release();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_state("Semaphore", &self.state, f)
    }
}

/// A [`Semaphore`] that refuses to be released beyond its initial value
/// (asyncio's `BoundedSemaphore`), which catches releases not matched by
/// an acquisition.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<()> {
///     let sem = asyncio::BoundedSemaphore::new(1)?;
///     assert!(sem.release().is_err()); // never acquired
///     sem.acquire().await?.forget();
///     assert!(sem.locked());
///     sem.release()?;
///     assert!(!sem.locked());
///     Ok(())
/// }
/// asyncio::run(main_coroutine())?;
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct BoundedSemaphore {
    /// The same semaphore, built with a bound: only `release` differs.
    inner: Semaphore,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` permits, and at most `value`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if `value` is negative (asyncio's
    /// `ValueError`).
    pub fn new(value: isize) -> Result<BoundedSemaphore> {
        Ok(BoundedSemaphore {
            inner: Semaphore::with_bound(value, true)?,
        })
    }

    /// Whether [`acquire`](Self::acquire) would wait (see
    /// [`Semaphore::locked`]).
    pub fn locked(&self) -> bool {
        self.inner.locked()
    }

    /// How many permits are free (see [`Semaphore::value`]).
    pub fn value(&self) -> usize {
        self.inner.value()
    }

    /// Waits for a permit (see [`Semaphore::acquire`]).
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`] if the waiting task is cancelled.
    pub fn acquire(&self) -> SemaphoreAcquire {
        self.inner.acquire()
    }

    /// Takes a permit if one is free and nobody waits for one.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard> {
        self.inner.try_acquire()
    }

    /// Gives a permit back, handing it to the first waiter if any.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if that would raise the value above the
    /// initial one (asyncio's `ValueError`); nothing changes then.
    pub fn release(&self) -> Result<()> {
        self.inner.state.borrow_mut().release()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_state("BoundedSemaphore", &self.inner.state, f)
    }
}

/// Holds one permit of a [`Semaphore`] or [`BoundedSemaphore`]; dropping it
/// gives the permit back (to the first waiter, if any).
///
/// Dropping the guard of a [`BoundedSemaphore`] that is already at its
/// bound (because of unmatched explicit releases) gives nothing back.
#[must_use = "the permit is given back as soon as the guard is dropped"]
pub struct SemaphoreGuard {
    state: Option<Rc<RefCell<State>>>,
}

impl SemaphoreGuard {
    fn new(state: &Rc<RefCell<State>>) -> SemaphoreGuard {
        SemaphoreGuard {
            state: Some(state.clone()),
        }
    }

    /// Keeps the permit taken without a guard: it comes back only through
    /// an explicit `release()`, from this task or another (asyncio's bare
    /// `await sem.acquire()`).
    pub fn forget(mut self) {
        self.state = None;
    }
}

impl Drop for SemaphoreGuard {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            // Past the bound only after unmatched releases: nothing to give.
            let _ = state.borrow_mut().release();
        }
    }
}

impl fmt::Debug for SemaphoreGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphoreGuard")
            .field("held", &self.state.is_some())
            .finish()
    }
}

/// The future returned by [`Semaphore::acquire`] and
/// [`BoundedSemaphore::acquire`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct SemaphoreAcquire {
    waiter: ListWaiter<State>,
}

impl SemaphoreAcquire {
    fn new(state: &Rc<RefCell<State>>) -> SemaphoreAcquire {
        SemaphoreAcquire {
            waiter: ListWaiter::in_list(state.clone()),
        }
    }
}

impl Future for SemaphoreAcquire {
    type Output = Result<SemaphoreGuard>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<SemaphoreGuard>> {
        if let Err(err) = self.waiter.begin("acquire polled after completion") {
            return Poll::Ready(Err(err));
        }
        let waiter = &mut self.waiter;
        let acquired = waiter.poll_wait(cx, |state, handed| {
            if handed {
                // Handed a permit by a release: it is ours already. Permits
                // freed while we were being woken go to those that queued
                // behind us meanwhile.
                state.handed -= 1;
                state.wake_up_all();
                Some(())
            } else {
                // A free permit, and nobody queued before us.
                state.try_acquire().then_some(())
            }
        });
        acquired.map(|()| Ok(SemaphoreGuard::new(waiter.state())))
    }
}

impl fmt::Debug for SemaphoreAcquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphoreAcquire")
            .field("waiting", &self.waiter.is_waiting())
            .finish()
    }
}
