//! [`Condition`]: a condition variable over a [`Lock`] (asyncio's
//! `Condition`).
//!
//! asyncio's locks have no owner: `wait` releases the lock and re-acquires
//! it on behalf of whoever held it. Here the lock is held through a
//! [`ConditionGuard`], so the condition keeps the [`LockGuard`] itself, in
//! a *session* the guard points to: `wait` takes the lock guard out of the
//! session (releasing the lock) and puts the re-acquired one back. The
//! guard's drop releases whatever the session holds then. If the guard is
//! gone by the time a `wait` re-acquires the lock (its task was aborted,
//! say), that `wait` releases the lock at once instead of leaking it.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use super::lock::{Acquire, Lock, LockGuard};
use super::wait_list::{ListWaiter, WaitList};
use crate::error::{Error, Result};
use crate::task::cancel;

/// One holding of the lock through the condition: from an acquisition to
/// the drop of its [`ConditionGuard`]. `guard` is empty while a `wait`
/// has released the lock.
#[derive(Default)]
struct Session {
    guard: RefCell<Option<LockGuard>>,
}

/// What conditions over the same lock share.
struct Shared {
    lock: Lock,
    /// The session holding the lock, or that last did.
    current: RefCell<Weak<Session>>,
}

impl Shared {
    fn enter(self: &Rc<Self>, guard: LockGuard) -> ConditionGuard {
        let session = Rc::new(Session {
            guard: RefCell::new(Some(guard)),
        });
        *self.current.borrow_mut() = Rc::downgrade(&session);
        ConditionGuard { session }
    }
}

/// A condition variable (asyncio's `Condition`): tasks holding its lock
/// [`wait`](Self::wait) until another task [`notify`](Self::notify)s them.
///
/// [`acquire`](Self::acquire) takes the underlying [`Lock`] and returns a
/// [`ConditionGuard`] that releases it when dropped. `wait` releases the
/// lock, waits to be notified, then takes the lock back before it returns,
/// even when it returns `Err(Error::Cancelled)`, as in asyncio. Waiters
/// are notified in the order they started waiting.
///
/// Cancellation never loses a wake-up: a waiter that is notified and then
/// cancelled (before it runs, or while it takes the lock back) passes the
/// notification to the next waiter. (asyncio 3.13 also wakes another
/// waiter when one that was *not* notified is cancelled, a spurious
/// wake-up; this one does not.)
///
/// Handles are cheap clones of one condition, to move into tasks.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// #[asyncio::coroutine]
/// fn consumer(cond: asyncio::Condition, items: Rc<RefCell<Vec<u32>>>) -> asyncio::Result<u32> {
///     let guard = cond.acquire().await?;
///     let probe = items.clone();
///     cond.wait_for(move || !probe.borrow().is_empty()).await?;
///     let item = items.borrow_mut().remove(0);
///     drop(guard);
///     Ok(item)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<u32> {
///     let cond = asyncio::Condition::new();
///     let items = Rc::new(RefCell::new(Vec::new()));
///     let task = asyncio::create_task(consumer(cond.clone(), items.clone()));
///     asyncio::sleep(0).await?;
///     let guard = cond.acquire().await?;
///     items.borrow_mut().push(7);
///     cond.notify(1)?;
///     drop(guard);
///     task.await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 7);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct Condition {
    shared: Rc<Shared>,
    waiters: Rc<RefCell<WaitList>>,
}

impl Default for Condition {
    fn default() -> Self {
        Condition::new()
    }
}

impl Condition {
    /// A condition over a new lock.
    pub fn new() -> Condition {
        Condition::with_lock(Lock::new())
    }

    /// A condition over `lock` (asyncio's `Condition(lock)`).
    ///
    /// The lock still works on its own for mutual exclusion, and
    /// [`notify`](Self::notify) only needs it locked; but to
    /// [`wait`](Self::wait), a task must hold it through this condition's
    /// [`acquire`](Self::acquire), which is what lets `wait` release and
    /// re-take it. For several conditions over one lock, use
    /// [`sharing_lock`](Self::sharing_lock).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let lock = asyncio::Lock::new();
    ///     let cond = asyncio::Condition::with_lock(lock.clone());
    ///     let guard = cond.acquire().await?;
    ///     assert!(lock.locked());
    ///     drop(guard);
    ///     assert!(!cond.locked());
    ///     Ok(())
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn with_lock(lock: Lock) -> Condition {
        Condition {
            shared: Rc::new(Shared {
                lock,
                current: RefCell::new(Weak::new()),
            }),
            waiters: Rc::default(),
        }
    }

    /// Another condition over the same lock, with its own waiters (as
    /// `not_empty` and `not_full` over one lock): a guard from either one
    /// lets a task wait on both.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let not_empty = asyncio::Condition::new();
    ///     let not_full = not_empty.sharing_lock();
    ///     let guard = not_empty.acquire().await?;
    ///     assert!(not_full.locked());
    ///     not_full.notify_all()?; // nobody waits: nothing happens
    ///     drop(guard);
    ///     Ok(())
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn sharing_lock(&self) -> Condition {
        Condition {
            shared: self.shared.clone(),
            waiters: Rc::default(),
        }
    }

    /// Whether the underlying lock is held.
    pub fn locked(&self) -> bool {
        self.shared.lock.locked()
    }

    /// Waits for the underlying lock; the guard releases it when dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`] if the waiting task is cancelled; it then does
    /// not hold the lock.
    pub fn acquire(&self) -> ConditionAcquire {
        ConditionAcquire {
            shared: self.shared.clone(),
            acquire: self.shared.lock.acquire(),
        }
    }

    /// Releases the lock, waits until notified, then takes the lock back.
    ///
    /// The lock is held again when this returns, whatever it returns
    /// except the un-acquired error. Like asyncio's, a wait may end
    /// without the awaited state being true (another task may have changed
    /// it first): check it again, or use [`wait_for`](Self::wait_for).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidState`] if the lock is not held through this
    ///   condition (asyncio's `RuntimeError`);
    /// - [`Error::Cancelled`] if the task is cancelled while waiting or
    ///   while taking the lock back; the lock is held again even then, and
    ///   the error is the latest cancellation's.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let cond = asyncio::Condition::new();
    ///     assert!(cond.wait().await.is_err()); // lock not held
    ///     let _guard = cond.acquire().await?;
    ///     // Nobody notifies: give up after a while, holding the lock again.
    ///     let outcome = asyncio::wait_for(cond.wait(), 0.01).await;
    ///     assert!(matches!(outcome, Err(asyncio::Error::Timeout)));
    ///     assert!(cond.locked());
    ///     Ok(())
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn wait(&self) -> ConditionWait {
        ConditionWait {
            shared: self.shared.clone(),
            waiter: ListWaiter::in_list(self.waiters.clone()),
            phase: Phase::Start,
        }
    }

    /// Waits until `predicate` returns true: checks it first, then after
    /// each wake-up, with the lock held (asyncio's `wait_for`). Returns at
    /// once, without needing the lock, if it is true already.
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let cond = asyncio::Condition::new();
    ///     cond.wait_for(|| true).await?; // no lock needed
    ///     assert!(cond.wait_for(|| false).await.is_err()); // would wait: needs the lock
    ///     Ok(())
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn wait_for<P: FnMut() -> bool>(&self, predicate: P) -> ConditionWaitFor<P> {
        ConditionWaitFor {
            cond: self.clone(),
            predicate,
            wait: None,
            done: false,
        }
    }

    /// Wakes up to `n` waiting tasks, first come first woken. Each takes
    /// the lock back before its `wait` returns, so they proceed only once
    /// the caller releases it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the lock is not held (asyncio's
    /// `RuntimeError`).
    pub fn notify(&self, n: usize) -> Result<()> {
        if !self.locked() {
            return Err(Error::invalid_state("cannot notify on un-acquired lock"));
        }
        let mut waiters = self.waiters.borrow_mut();
        for _ in 0..n {
            if !waiters.notify_one() {
                break;
            }
        }
        Ok(())
    }

    /// Wakes every waiting task (see [`notify`](Self::notify)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the lock is not held.
    pub fn notify_all(&self) -> Result<()> {
        if !self.locked() {
            return Err(Error::invalid_state("cannot notify on un-acquired lock"));
        }
        self.waiters.borrow_mut().notify_all();
        Ok(())
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("locked", &self.locked())
            .field("waiters", &self.waiters.borrow().waiting())
            .finish()
    }
}

/// Holds the lock of a [`Condition`]; dropping it releases the lock.
///
/// While a [`Condition::wait`] has released the lock, the guard holds
/// nothing; the wait puts the lock back before it returns.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard {
    session: Rc<Session>,
}

impl Drop for ConditionGuard {
    fn drop(&mut self) {
        let guard = self.session.guard.borrow_mut().take();
        drop(guard);
    }
}

impl fmt::Debug for ConditionGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard")
            .field("holding", &self.session.guard.borrow().is_some())
            .finish()
    }
}

/// The future returned by [`Condition::acquire`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct ConditionAcquire {
    shared: Rc<Shared>,
    acquire: Acquire,
}

impl Future for ConditionAcquire {
    type Output = Result<ConditionGuard>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<ConditionGuard>> {
        match Pin::new(&mut self.acquire).poll(cx) {
            Poll::Ready(Ok(guard)) => Poll::Ready(Ok(self.shared.enter(guard))),
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl fmt::Debug for ConditionAcquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionAcquire").finish_non_exhaustive()
    }
}

enum Phase {
    /// Not polled yet.
    Start,
    /// Released the lock of `session`; waiting to be notified.
    Waiting {
        session: Weak<Session>,
    },
    /// Taking the lock back for `session`. `error` is the cancellation to
    /// return once it is held; `notified`, whether this waiter took a
    /// notification out of the list (to pass on if it does not return
    /// normally).
    Relocking {
        acquire: Acquire,
        session: Weak<Session>,
        error: Option<Error>,
        notified: bool,
    },
    Done,
}

/// The future returned by [`Condition::wait`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct ConditionWait {
    shared: Rc<Shared>,
    /// The place in the condition's waiters. Dropped while waiting, it
    /// passes a notification it got on (asyncio's `_notify(1)` on the way
    /// out of a failed `wait`); cancelled, this wait takes the notification
    /// out and passes it on only once it holds the lock again.
    waiter: ListWaiter<WaitList>,
    phase: Phase,
}

impl ConditionWait {
    fn relock(&self, session: Weak<Session>, error: Option<Error>, notified: bool) -> Phase {
        Phase::Relocking {
            acquire: self.shared.lock.acquire(),
            session,
            error,
            notified,
        }
    }

    /// Releases the lock held through the condition; returns its session.
    fn release(&self) -> Result<Weak<Session>> {
        let current = self.shared.current.borrow().clone();
        let guard = current
            .upgrade()
            .and_then(|session| session.guard.borrow_mut().take());
        match guard {
            Some(guard) => {
                // Hands the lock to its first waiter, if any.
                drop(guard);
                Ok(current)
            }
            None if self.shared.lock.locked() => Err(Error::invalid_state(
                "cannot wait on a lock not acquired through the condition",
            )),
            None => Err(Error::invalid_state("cannot wait on un-acquired lock")),
        }
    }
}

impl Future for ConditionWait {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = &mut *self;
        loop {
            match &mut this.phase {
                Phase::Start => {
                    let session = match this.release() {
                        Ok(session) => session,
                        Err(err) => {
                            this.phase = Phase::Done;
                            return Poll::Ready(Err(err));
                        }
                    };
                    if let Some(err) = cancel::take_request() {
                        // asyncio releases, is cancelled at its first
                        // suspension, and takes the lock back.
                        this.phase = this.relock(session, Some(err), false);
                        continue;
                    }
                    this.phase = Phase::Waiting { session };
                    // Registers: nobody notified it yet.
                    let _ = this
                        .waiter
                        .poll_wait(cx, |_, notified| notified.then_some(()));
                    return Poll::Pending;
                }
                Phase::Waiting { session } => {
                    if let Some(err) = cancel::take_request() {
                        let notified = this.waiter.take_notification();
                        let session = std::mem::take(session);
                        this.phase = this.relock(session, Some(err), notified);
                        continue;
                    }
                    let notified = this
                        .waiter
                        .poll_wait(cx, |_, notified| notified.then_some(()));
                    if notified.is_pending() {
                        return Poll::Pending;
                    }
                    let session = std::mem::take(session);
                    this.phase = this.relock(session, None, true);
                }
                Phase::Relocking {
                    acquire,
                    session,
                    error,
                    notified,
                } => match Pin::new(&mut *acquire).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(err)) => {
                        // Cancelled while taking the lock back: keep the
                        // latest error and queue for the lock again.
                        *error = Some(err);
                        *acquire = this.shared.lock.acquire();
                    }
                    Poll::Ready(Ok(guard)) => {
                        let (error, notified) = (error.take(), *notified);
                        match session.upgrade() {
                            Some(session) => {
                                *this.shared.current.borrow_mut() = Rc::downgrade(&session);
                                let previous = session.guard.borrow_mut().replace(guard);
                                debug_assert!(previous.is_none(), "a session holds the lock twice");
                                drop(previous);
                            }
                            // The guard this wait released for is gone:
                            // nobody would release the lock.
                            None => drop(guard),
                        }
                        this.phase = Phase::Done;
                        return Poll::Ready(match error {
                            None => Ok(()),
                            Some(err) => {
                                if notified {
                                    this.waiter.hand_on();
                                }
                                Err(err)
                            }
                        });
                    }
                },
                Phase::Done => {
                    return Poll::Ready(Err(Error::invalid_state("wait polled after completion")));
                }
            }
        }
    }
}

impl Drop for ConditionWait {
    fn drop(&mut self) {
        // Waiting: the waiter leaves the list, passing a notification on,
        // when it drops after this.
        if let Phase::Relocking {
            acquire, notified, ..
        } = std::mem::replace(&mut self.phase, Phase::Done)
        {
            // Leaves the lock's queue (passing on a hand-off) first.
            drop(acquire);
            if notified {
                self.waiter.hand_on();
            }
        }
    }
}

impl fmt::Debug for ConditionWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match self.phase {
            Phase::Start => "start",
            Phase::Waiting { .. } => "waiting",
            Phase::Relocking { .. } => "relocking",
            Phase::Done => "done",
        };
        f.debug_struct("ConditionWait")
            .field("phase", &phase)
            .finish()
    }
}

/// The future returned by [`Condition::wait_for`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct ConditionWaitFor<P> {
    cond: Condition,
    predicate: P,
    wait: Option<ConditionWait>,
    done: bool,
}

// The predicate is never pinned: it is only called through `&mut`.
impl<P> Unpin for ConditionWaitFor<P> {}

impl<P: FnMut() -> bool> Future for ConditionWaitFor<P> {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(Err(Error::invalid_state(
                "wait_for polled after completion",
            )));
        }
        loop {
            if let Some(wait) = &mut this.wait {
                match Pin::new(wait).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(())) => this.wait = None,
                    Poll::Ready(Err(err)) => {
                        this.wait = None;
                        this.done = true;
                        return Poll::Ready(Err(err));
                    }
                }
            }
            if (this.predicate)() {
                this.done = true;
                return Poll::Ready(Ok(()));
            }
            this.wait = Some(this.cond.wait());
        }
    }
}

impl<P> fmt::Debug for ConditionWaitFor<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionWaitFor")
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}
