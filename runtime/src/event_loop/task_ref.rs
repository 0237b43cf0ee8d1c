//! [`TaskRef`]: a task seen without its output type (asyncio's `Task` as
//! `current_task()`, `all_tasks()` and exception contexts return it).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::EventLoop;
use super::tasks::{Extra, Outcome, Runnable};
use crate::error::{Error, Result};

/// Identifies a done callback, to remove it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

static NEXT_CALLBACK: AtomicU64 = AtomicU64::new(1);

impl CallbackId {
    pub(crate) fn next() -> Self {
        CallbackId(NEXT_CALLBACK.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn get(self) -> u64 {
        self.0
    }
}

/// A task, whatever its output type: its name, state and cancellation.
///
/// [`Task<T>`](crate::Task) dereferences to this, and
/// [`current_task`](crate::current_task) and
/// [`all_tasks`](crate::all_tasks) return it. Cloning is cheap (a reference
/// count); clones refer to the same task, and compare equal.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<String> {
///     let me = asyncio::current_task().expect("inside a task");
///     me.set_name("main");
///     Ok(me.name())
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, "main");
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct TaskRef {
    task: Rc<dyn Runnable>,
}

impl TaskRef {
    pub(crate) fn new(task: Rc<dyn Runnable>) -> Self {
        TaskRef { task }
    }

    pub(crate) fn runnable(&self) -> &Rc<dyn Runnable> {
        &self.task
    }

    /// The task's name: the one it was given, else `Task-N` numbered in
    /// creation order, as in asyncio.
    pub fn name(&self) -> String {
        self.task.header().name()
    }

    /// Renames the task.
    pub fn set_name(&self, name: impl Into<String>) {
        let name = name.into();
        self.task
            .header()
            .with_extra(|extra| extra.name = Some(name));
    }

    /// Requests cancellation (asyncio's `Task.cancel()`).
    ///
    /// The task is woken, and the await at which it is suspended returns
    /// `Err(Error::Cancelled)`, once; if it awaits another task or a
    /// [`Future`](crate::Future), that is cancelled instead and the error
    /// arrives when it ends. A task that has not started yet ends cancelled
    /// without running. Returns `false` if the task is already done;
    /// otherwise `true`, and [`cancelling`](Self::cancelling) counts one
    /// more request.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<bool> {
    ///     let sleeper = asyncio::create_task(asyncio::sleep(10.0));
    ///     asyncio::sleep(0).await?;
    ///     assert!(sleeper.cancel());
    ///     let outcome = sleeper.clone().await;
    ///     assert!(matches!(outcome, Err(asyncio::Error::Cancelled(_))));
    ///     Ok(sleeper.cancelled())
    /// }
    /// assert!(asyncio::run(main_coroutine())?);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn cancel(&self) -> bool {
        self.task.header().cancel(None)
    }

    /// [`cancel`](Self::cancel) with a message, which the awaiter finds in
    /// [`Error::Cancelled`].
    pub fn cancel_with(&self, msg: impl Into<Arc<str>>) -> bool {
        self.task.header().cancel(Some(msg.into()))
    }

    /// How many cancellation requests are pending: `cancel()` calls not
    /// matched by [`uncancel`](Self::uncancel) (asyncio's `cancelling()`).
    pub fn cancelling(&self) -> u32 {
        self.task.header().cancelling.get()
    }

    /// Withdraws one cancellation request and returns how many are left;
    /// at zero, a request not yet delivered is dropped. Used by code that
    /// turns a cancellation into something else (as `timeout` does).
    pub fn uncancel(&self) -> u32 {
        self.task.header().uncancel()
    }

    /// Whether the task has finished (returned, failed or was cancelled).
    pub fn done(&self) -> bool {
        self.task.header().is_done()
    }

    /// Whether the task ended cancelled: its coroutine let
    /// `Error::Cancelled` escape, or it was cancelled before it started,
    /// or aborted.
    pub fn cancelled(&self) -> bool {
        self.task.header().outcome.get() == Outcome::Cancelled
    }

    /// The task's error (asyncio's `Task.exception()`): `Ok(None)` if it
    /// returned normally, `Ok(Some(err))` if it failed. Marks the error as
    /// retrieved, so it is not reported when the task is dropped.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] while the task is pending;
    /// [`Error::Cancelled`] if it was cancelled.
    pub fn exception(&self) -> Result<Option<Error>> {
        let header = self.task.header();
        match header.outcome.get() {
            Outcome::Pending => Err(Error::invalid_state(
                "exception is not set: task is pending",
            )),
            Outcome::Returned => Ok(None),
            Outcome::Failed => Ok(self.task.exception()),
            Outcome::Cancelled => Err(self.task.exception().unwrap_or(Error::Cancelled(None))),
        }
    }

    /// Schedules `callback` to run, through the loop, when the task is done
    /// (at once if it already is). Callbacks run in the order they were
    /// added, never inline.
    pub fn add_done_callback(&self, callback: impl FnOnce(TaskRef) + 'static) -> CallbackId {
        let id = CallbackId::next();
        let header = self.task.header();
        if header.is_done() {
            if let Some(core) = header.core.upgrade() {
                let task = self.clone();
                let _ = core.call_soon_internal(Box::new(move || callback(task)));
            }
        } else {
            header.with_extra(|extra| {
                extra.done_callbacks.push((
                    id.get(),
                    Box::new(move |task| callback(TaskRef::new(task.clone()))),
                ));
            });
        }
        id
    }

    /// Removes a done callback that has not been scheduled yet; returns how
    /// many were removed (0 or 1).
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        self.task.header().with_extra(|extra| {
            let before = extra.done_callbacks.len();
            extra.done_callbacks.retain(|(other, _)| *other != id.get());
            before - extra.done_callbacks.len()
        })
    }

    /// Drops the task's future now, without letting it clean up (Rust's
    /// `JoinHandle::abort`); the task ends cancelled. From inside the task
    /// itself, the future is dropped when its current step returns.
    pub fn abort(&self) {
        self.task.clone().abort();
    }

    /// The loop the task runs on, while that loop exists.
    pub fn get_loop(&self) -> Option<EventLoop> {
        self.task.header().core.upgrade().map(EventLoop::from_core)
    }
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.task, &other.task)
    }
}

impl Eq for TaskRef {}

impl Hash for TaskRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Rc::as_ptr(&self.task).cast::<()>().hash(state);
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = self.task.header();
        let state = match header.outcome.get() {
            Outcome::Pending if header.cancelling.get() > 0 => "cancelling",
            Outcome::Pending => "pending",
            Outcome::Returned => "finished",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
        };
        write!(f, "<Task {} {state}>", header.name())
    }
}

/// Records that `task` ended with `outcome`: takes it off its loop, wakes
/// its awaiters, runs the combinators' listeners and schedules the user's
/// done callbacks (in that order, as asyncio's `__schedule_callbacks` runs
/// after the result is set).
pub(crate) fn complete(task: &Rc<dyn Runnable>, outcome: Outcome) {
    let header = task.header();
    header.outcome.set(outcome);
    header.set_must_cancel(false);
    let core = header.core.upgrade();
    if let Some(core) = &core {
        core.remove_task(header.id.get());
    }
    if let Some(waker) = header.waiter.take() {
        waker.wake();
    }
    let Some(extra) = header.take_extra() else {
        return;
    };
    let Extra {
        waiters,
        listeners,
        done_callbacks: callbacks,
        name,
        cancel_message,
    } = *extra;
    if name.is_some() || cancel_message.is_some() {
        // Still read after the task is done (its name, the message of its
        // cancellation).
        header.with_extra(|extra| {
            extra.name = name;
            extra.cancel_message = cancel_message;
        });
    }
    for waker in waiters {
        waker.wake();
    }
    for listener in listeners {
        listener(task);
    }
    if let Some(core) = core {
        for (_, callback) in callbacks {
            let task = task.clone();
            let _ = core.call_soon_internal(Box::new(move || callback(&task)));
        }
    }
}
