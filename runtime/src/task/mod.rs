//! Tasks: futures that the loop runs concurrently (asyncio's `Task`).
//!
//! This layer sits on the loop core: it gives the core type-erased
//! [`Runnable`](crate::event_loop::tasks::Runnable) cells to schedule by id,
//! and gives users typed [`Task`] handles to the same cells. It also holds
//! the one rule every blocking leaf above it follows: deliver a pending
//! cancellation first ([`cancel`]).

pub(crate) mod cancel;
mod cell;
mod handle;
mod output;
pub(crate) mod waiter;

use std::future::Future;
use std::rc::Rc;

use self::cell::TaskCell;
use crate::error::Result;
use crate::event_loop::driver::Core;
use crate::event_loop::tasks::Runnable;
use crate::event_loop::{EventLoop, TaskRef, current};

pub use self::handle::Task;
pub(crate) use self::handle::cancel_message;
pub use self::output::IntoResult;

/// Schedules `fut` to run concurrently on the running loop, as a task
/// (asyncio's `create_task`), and returns its handle.
///
/// The task's first step runs in the loop's next iteration, after what is
/// already queued. The future need not be `Send`. Its output says whether it
/// succeeded ([`IntoResult`]): awaiting the task gives that result.
///
/// # Panics
///
/// If no loop is running on this thread (asyncio raises `RuntimeError`);
/// use [`EventLoop::create_task`] to spawn on a loop that is not running.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<()> {
///     let background = asyncio::create_task(asyncio::sleep(0.001));
///     background.set_name("background");
///     assert_eq!(background.name(), "background");
///     background.await
/// }
/// asyncio::run(main_coroutine())?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn create_task<F>(fut: F) -> Task<<F::Output as IntoResult>::Ok>
where
    F: Future + 'static,
    F::Output: IntoResult,
{
    let spawned = current::with_current(|core| spawn(core, fut));
    match spawned {
        Some(Ok(task)) => task,
        Some(Err(err)) => panic!("asyncio::create_task(): {err}"),
        None => panic!("asyncio::create_task() called with no running event loop"),
    }
}

impl EventLoop {
    /// Schedules `fut` to run on this loop as a task; it starts when the
    /// loop runs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    /// closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let task = event_loop.create_task(std::future::ready(Ok::<_, asyncio::Error>(5)))?;
    /// assert_eq!(event_loop.run_until_complete(task)??, 5);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn create_task<F>(&self, fut: F) -> Result<Task<<F::Output as IntoResult>::Ok>>
    where
        F: Future + 'static,
        F::Output: IntoResult,
    {
        spawn(self.core(), fut)
    }
}

pub(crate) fn spawn<F>(core: &Core, fut: F) -> Result<Task<<F::Output as IntoResult>::Ok>>
where
    F: Future + 'static,
    F::Output: IntoResult,
{
    let cell: Rc<dyn Runnable> = core.spawn(|| Rc::new(TaskCell::new(core, fut)))?;
    Ok(Task::new(TaskRef::new(cell)))
}

/// `fut` as a task: itself if it is a [`Task`] already (asyncio's
/// `ensure_future`), else a new task on the running loop.
///
/// # Errors
///
/// [`Error::InvalidState`](crate::Error::InvalidState) if a new task is
/// needed and no loop is running, or it is closed.
pub fn ensure_task<F>(fut: F) -> Result<Task<<F::Output as IntoResult>::Ok>>
where
    F: Future + 'static,
    F::Output: IntoResult,
{
    let mut slot = Some(fut);
    let any: &mut dyn std::any::Any = &mut slot;
    if let Some(task) = any.downcast_mut::<Option<Task<<F::Output as IntoResult>::Ok>>>() {
        if let Some(task) = task.take() {
            return Ok(task);
        }
    }
    let fut = slot.take().expect("taken only when it is a task");
    current::with_current(|core| spawn(core, fut))
        .unwrap_or_else(|| Err(current::no_running_loop()))
}

/// The task running now (asyncio's `current_task()`): inside a task or the
/// main future of [`run`](crate::run), that task; elsewhere `None`.
///
/// # Examples
///
/// ```
/// assert!(asyncio::current_task().is_none());
/// let inside = asyncio::run(std::future::poll_fn(|_| {
///     std::task::Poll::Ready(Ok::<_, asyncio::Error>(asyncio::current_task().is_some()))
/// }))?;
/// assert!(inside);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn current_task() -> Option<TaskRef> {
    current::with_current(|core| core.current_task().map(TaskRef::new)).flatten()
}

/// Every task of the running loop that is not done yet, the main one
/// included (asyncio's `all_tasks()`); empty when no loop runs.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<usize> {
///     let _a = asyncio::create_task(asyncio::sleep(0));
///     let _b = asyncio::create_task(asyncio::sleep(0));
///     Ok(asyncio::all_tasks().len())
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 3);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn all_tasks() -> Vec<TaskRef> {
    current::with_current(|core| core.all_tasks().into_iter().map(TaskRef::new).collect())
        .unwrap_or_default()
}
