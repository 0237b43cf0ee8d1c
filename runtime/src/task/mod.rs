//! Tasks: futures that the loop runs concurrently (asyncio's `Task`).
//!
//! This layer sits on the loop core: it gives the core type-erased
//! [`Runnable`](crate::event_loop::tasks::Runnable) cells to schedule by id,
//! and gives users typed [`Task`] handles to the same cells.

mod cell;
mod handle;

use std::future::Future;
use std::rc::Rc;

use self::cell::{Join, TaskCell};
use crate::error::Result;
use crate::event_loop::EventLoop;
use crate::event_loop::current;
use crate::event_loop::driver::Core;

pub use self::handle::Task;

/// Spawns `fut` as a task on the running event loop (asyncio's
/// `create_task`).
///
/// The task's first step is queued behind whatever is ready; it then runs
/// concurrently with the caller, whether or not the returned handle is kept.
/// The future need not be `Send`.
///
/// # Panics
///
/// If no event loop is running on this thread (asyncio raises
/// `RuntimeError`). Outside a running loop, use
/// [`EventLoop::create_task`].
///
/// # Examples
///
/// ```
/// use std::future::{poll_fn, ready};
/// use std::pin::Pin;
///
/// let mut task = None;
/// let doubled = asyncio::run(poll_fn(|cx| {
///     let task = task.get_or_insert_with(|| asyncio::create_task(ready(21)));
///     Pin::new(task).poll(cx).map(|output| output.unwrap() * 2)
/// }));
/// assert_eq!(doubled, 42);
/// ```
pub fn create_task<F>(fut: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let spawned = current::with_current(|core| spawn(core, fut));
    match spawned {
        Some(Ok(task)) => task,
        Some(Err(err)) => panic!("asyncio::create_task(): {err}"),
        None => panic!("asyncio::create_task() called with no running event loop"),
    }
}

impl EventLoop {
    /// Spawns `fut` as a task on this loop, which need not be running yet
    /// (asyncio's `loop.create_task`).
    ///
    /// The task's first step runs in the loop's next iteration.
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
    /// let task = event_loop.create_task(std::future::ready("done"))?;
    /// assert_eq!(event_loop.run_until_complete(task)??, "done");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn create_task<F>(&self, fut: F) -> Result<Task<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn(self.core(), fut)
    }
}

/// Spawns `fut` on `core`.
fn spawn<F>(core: &Rc<Core>, fut: F) -> Result<Task<F::Output>>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let weak = Rc::downgrade(core);
    let cell = core.spawn(move |id, waker| Rc::new(TaskCell::new(id, weak, waker, fut)))?;
    let join: Rc<dyn Join<F::Output>> = cell;
    Ok(Task::new(join))
}
