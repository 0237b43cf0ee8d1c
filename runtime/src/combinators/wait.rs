//! `wait` and `as_completed`: watch several tasks without taking their
//! results, and without cancelling them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::watch::Watch;
use crate::error::{Error, Result};
use crate::event_loop::driver::Core;
use crate::event_loop::{Handle, IntoTimeout, TaskRef, current};
use crate::task::{Task, cancel};

/// When [`wait`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any task finishes (`FIRST_COMPLETED`).
    FirstCompleted,
    /// As soon as any task fails, or when all are done
    /// (`FIRST_EXCEPTION`).
    FirstException,
    /// When all tasks are done (`ALL_COMPLETED`).
    AllCompleted,
}

/// Waits for tasks until `return_when` is met or `timeout` passes, and
/// returns them split into `(done, pending)`, each in argument order
/// (asyncio's `wait`). A task given twice appears once.
///
/// `wait` takes no results and cancels nothing: on timeout the pending
/// tasks keep running, and cancelling the awaiting task only cancels the
/// wait.
///
/// # Errors
///
/// [`Error::InvalidState`] for an empty set of tasks (asyncio's
/// `ValueError`), [`Error::Value`] for a NaN timeout (asyncio takes it and
/// returns at once), and `Err(Error::Cancelled)` if the awaiting task is
/// cancelled. An infinite timeout is no timeout, as in asyncio.
///
/// # Examples
///
/// ```
/// use asyncio::ReturnWhen;
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<(usize, usize)> {
///     let quick = asyncio::create_task(asyncio::sleep(0.001));
///     let slow = asyncio::create_task(asyncio::sleep(3600.0));
///     let (done, pending) = asyncio::wait([quick, slow], None, ReturnWhen::FirstCompleted).await?;
///     for task in &pending {
///         task.cancel();
///     }
///     Ok((done.len(), pending.len()))
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, (1, 1));
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn wait<T: 'static, I>(
    tasks_in: I,
    timeout: impl IntoTimeout,
    return_when: ReturnWhen,
) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
{
    // A task given twice is one task (asyncio's `wait` takes a set).
    let mut seen = std::collections::HashSet::new();
    let tasks: Vec<Task<T>> = tasks_in
        .into_iter()
        .filter(|task| seen.insert(task.task_ref().clone()))
        .collect();
    let refs: Vec<TaskRef> = tasks.iter().map(|task| task.task_ref().clone()).collect();
    Wait {
        watch: Watch::new(&refs, false),
        tasks,
        timer: Timer::new(timeout),
        return_when,
        done: false,
    }
}

/// A timeout started at the first poll, as a wake-up of the waiting task.
struct Timer {
    delay: Option<crate::event_loop::Delay>,
    handle: Option<Handle>,
    expired: Rc<std::cell::Cell<bool>>,
    /// The delay was NaN: every poll fails.
    invalid: bool,
}

impl Timer {
    fn new(timeout: impl IntoTimeout) -> Self {
        Timer {
            delay: timeout.into_timeout(),
            handle: None,
            expired: Rc::default(),
            invalid: false,
        }
    }

    /// Starts the timer at the first call; whether it has expired.
    ///
    /// # Errors
    ///
    /// The loop's error if the timer cannot be scheduled ([`check`]
    /// first for a NaN delay).
    ///
    /// [`check`]: Self::check
    fn poll(&mut self, cx: &Context<'_>) -> Result<bool> {
        if let Some(delay) = self.delay.take() {
            let core = current::with_current(Core::rc).ok_or_else(current::no_running_loop)?;
            let deadline = core.deadline_after(delay)?;
            // An infinite delay is no timer at all.
            if let Some(deadline) = deadline {
                let expired = self.expired.clone();
                let waker = cx.waker().clone();
                let handle = core.call_at_internal(
                    deadline,
                    Box::new(move || {
                        expired.set(true);
                        waker.wake();
                    }),
                )?;
                self.handle = Some(handle.into_handle());
            }
        }
        Ok(self.expired.get())
    }

    /// Fails, now and at every later call, if the delay is NaN.
    fn check(&mut self) -> Result<()> {
        if self.delay.is_some_and(|delay| delay.is_nan()) {
            self.invalid = true;
        }
        if self.invalid {
            Err(Error::nan_delay())
        } else {
            Ok(())
        }
    }

    fn cancel(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.cancel();
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The future returned by [`wait`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct Wait<T> {
    tasks: Vec<Task<T>>,
    watch: Rc<Watch>,
    timer: Timer,
    return_when: ReturnWhen,
    done: bool,
}

impl<T: 'static> Unpin for Wait<T> {}

impl<T: 'static> Future for Wait<T> {
    type Output = Result<(Vec<Task<T>>, Vec<Task<T>>)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.done {
            return Poll::Ready(Err(Error::invalid_state("wait polled after completion")));
        }
        if self.tasks.is_empty() {
            self.done = true;
            return Poll::Ready(Err(Error::invalid_state("wait() needs at least one task")));
        }
        if let Err(err) = self.timer.check() {
            self.done = true;
            return Poll::Ready(Err(err));
        }
        if let Some(err) = cancel::take_request() {
            self.done = true;
            self.timer.cancel();
            return Poll::Ready(Err(err));
        }
        let met = match self.return_when {
            _ if self.watch.all_done() => true,
            ReturnWhen::FirstCompleted => self.watch.finished_count() > 0,
            ReturnWhen::FirstException => self.watch.first_error().is_some(),
            ReturnWhen::AllCompleted => false,
        };
        let expired = match self.timer.poll(cx) {
            Ok(expired) => expired,
            Err(err) => {
                self.done = true;
                return Poll::Ready(Err(err));
            }
        };
        if !met && !expired {
            self.watch.register(cx.waker());
            return Poll::Pending;
        }
        self.done = true;
        self.timer.cancel();
        let (done, pending) = std::mem::take(&mut self.tasks)
            .into_iter()
            .partition(|task| task.done());
        Poll::Ready(Ok((done, pending)))
    }
}

/// Yields the results of tasks in the order they finish (asyncio's
/// `as_completed`), each through an owned future from
/// [`next`](AsCompleted::next).
///
/// With a timeout, the awaits after it has passed return
/// `Err(Error::Timeout)`; the tasks are not cancelled. An infinite timeout
/// is no timeout; a NaN one makes every await fail with [`Error::Value`]
/// (asyncio takes it and times out at once).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[asyncio::coroutine]
/// fn after(ms: u64, name: &'static str) -> asyncio::Result<&'static str> {
///     asyncio::sleep(Duration::from_millis(ms)).await?;
///     Ok(name)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<Vec<&'static str>> {
///     let tasks = [
///         asyncio::create_task(after(20, "slow")),
///         asyncio::create_task(after(1, "quick")),
///     ];
///     let mut completed = asyncio::as_completed(tasks, None);
///     let mut order = Vec::new();
///     while let Some(next) = completed.next() {
///         order.push(next.await?);
///     }
///     Ok(order)
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, ["quick", "slow"]);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn as_completed<T: 'static, I>(tasks: I, timeout: impl IntoTimeout) -> AsCompleted<T>
where
    I: IntoIterator<Item = Task<T>>,
{
    let tasks: Vec<Task<T>> = tasks.into_iter().collect();
    let refs: Vec<TaskRef> = tasks.iter().map(|task| task.task_ref().clone()).collect();
    AsCompleted {
        shared: Rc::new(Shared {
            watch: Watch::new(&refs, false),
            tasks,
            timer: std::cell::RefCell::new(Timer::new(timeout)),
            taken: std::cell::Cell::new(0),
        }),
        handed_out: 0,
    }
}

struct Shared<T> {
    tasks: Vec<Task<T>>,
    watch: Rc<Watch>,
    timer: std::cell::RefCell<Timer>,
    /// Results handed out so far.
    taken: std::cell::Cell<usize>,
}

/// The iterator returned by [`as_completed`].
pub struct AsCompleted<T> {
    shared: Rc<Shared<T>>,
    handed_out: usize,
}

impl<T: 'static> AsCompleted<T> {
    /// A future of the next result to finish, or `None` once there is one
    /// future per task.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<NextCompleted<T>> {
        if self.handed_out == self.shared.tasks.len() {
            return None;
        }
        self.handed_out += 1;
        Some(NextCompleted {
            shared: self.shared.clone(),
            done: false,
        })
    }

    /// How many tasks have not been handed out yet.
    pub fn remaining(&self) -> usize {
        self.shared.tasks.len() - self.handed_out
    }
}

impl<T: 'static> fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.remaining())
            .finish()
    }
}

/// One result of [`as_completed`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct NextCompleted<T> {
    shared: Rc<Shared<T>>,
    done: bool,
}

impl<T: 'static> Unpin for NextCompleted<T> {}

impl<T: 'static> Future for NextCompleted<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if self.done {
            return Poll::Ready(Err(Error::invalid_state("polled after completion")));
        }
        let checked = self.shared.timer.borrow_mut().check();
        if let Err(err) = checked {
            self.done = true;
            return Poll::Ready(Err(err));
        }
        if let Some(err) = cancel::take_request() {
            self.done = true;
            return Poll::Ready(Err(err));
        }
        let shared = self.shared.clone();
        let taken = shared.taken.get();
        if let Some(index) = shared.watch.finished_at(taken) {
            shared.taken.set(taken + 1);
            if shared.watch.remaining() == 0 && taken + 1 == shared.tasks.len() {
                shared.timer.borrow_mut().cancel();
            }
            let result = shared.tasks[index].take_result();
            self.done = true;
            return Poll::Ready(result);
        }
        let expired = shared.timer.borrow_mut().poll(cx);
        match expired {
            Ok(false) => {}
            Ok(true) => {
                self.done = true;
                return Poll::Ready(Err(Error::Timeout));
            }
            Err(err) => {
                self.done = true;
                return Poll::Ready(Err(err));
            }
        }
        shared.watch.register(cx.waker());
        Poll::Pending
    }
}
