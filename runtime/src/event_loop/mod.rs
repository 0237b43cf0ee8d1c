//! The loop core: ready queue, timers, I/O polling and the cross-thread
//! mailbox, and [`EventLoop`], the handle users hold.
//!
//! This is the bottom layer of the runtime. It schedules *ids*: task steps
//! are type-erased [`Runnable`](tasks::Runnable)s that the `task` layer
//! implements, and leaves such as `sleep` use the core through
//! [`current::with_current`]. Nothing here imports from the layers above.
//!
//! Files, one concept each:
//!
//! - `driver`: the loop's state and one iteration;
//! - `ready`, `callbacks`, `timers`: what runs, and when;
//! - `tasks`, `waker`: tasks as the loop sees them, and their wakers;
//! - `remote`, `io`: other threads' wake-ups, and the `mio` poller;
//! - `current`: the thread's running loop;
//! - `clock`, `delay`: loop time;
//! - `handle`: cancellable handles to callbacks.

mod callbacks;
mod clock;
pub(crate) mod current;
mod delay;
pub(crate) mod driver;
mod handle;
mod io;
mod ready;
mod remote;
pub(crate) mod tasks;
mod timers;
mod waker;

use std::fmt;
use std::future::Future;
use std::io as std_io;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use self::callbacks::Callback;
use self::driver::Core;
use crate::error::Result;

pub use self::delay::Delay;
pub use self::handle::{Handle, TimerHandle};

/// An asyncio event loop: runs tasks and callbacks on the current thread.
///
/// One iteration of the loop waits for I/O readiness — not at all if
/// something is ready to run, otherwise until the nearest timer — then
/// moves expired timers and other threads' wake-ups to the ready queue and
/// runs what was ready at that point, in FIFO order. Callbacks and task steps
/// scheduled meanwhile run in the next iteration, so no task can starve the
/// others by rescheduling itself.
///
/// The loop is single-threaded and not `Send`: tasks need not be `Send`
/// either. Other threads reach it only through [`Waker`]s, which are
/// thread-safe. At most one loop runs on a thread at a time.
///
/// `EventLoop` is a cheap handle: clones, and the value returned by
/// [`get_running_loop`](crate::get_running_loop), refer to the same loop.
/// The loop lives while a handle does; [`close`](Self::close) it to release
/// its tasks and callbacks early (a task that holds a handle to its own loop
/// keeps the loop alive until then). Most programs use
/// [`run`](crate::run), which creates, runs and closes a loop.
///
/// [`Waker`]: std::task::Waker
///
/// # Examples
///
/// ```
/// use asyncio::EventLoop;
///
/// let event_loop = EventLoop::new()?;
/// event_loop.call_soon(|| println!("from a callback"))?;
/// let answer = event_loop.run_until_complete(std::future::ready(42))?;
/// assert_eq!(answer, 42);
/// event_loop.close()?;
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct EventLoop {
    core: Rc<Core>,
}

impl EventLoop {
    /// Creates a loop, not yet running (asyncio's `new_event_loop()`).
    ///
    /// # Errors
    ///
    /// The operating system's error if the poller (epoll, kqueue) or its
    /// wake-up descriptor cannot be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// assert!(!event_loop.is_running());
    /// assert!(!event_loop.is_closed());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> std_io::Result<EventLoop> {
        Ok(EventLoop {
            core: Rc::new(Core::new()?),
        })
    }

    pub(crate) fn from_core(core: Rc<Core>) -> Self {
        EventLoop { core }
    }

    pub(crate) fn core(&self) -> &Rc<Core> {
        &self.core
    }

    /// Runs the loop until `fut` completes, and returns its output.
    ///
    /// `fut` is driven as the loop's main task: its first step is queued
    /// behind whatever is ready, it can read its cancellation requests like
    /// any task, and it may borrow from the caller (it need not be
    /// `'static`). Tasks it spawns and does not await keep their state when
    /// this returns, and continue at the next run.
    ///
    /// A panic in `fut` propagates to the caller, leaving the loop usable;
    /// panics in tasks are kept in the tasks.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    ///   closed or already running, or another loop runs on this thread
    ///   (calling this from a task: asyncio's `RuntimeError`).
    /// - [`Error::Io`](crate::Error::Io) if polling for I/O fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::EventLoop;
    ///
    /// let event_loop = EventLoop::new()?;
    /// let name = String::from("borrowed");
    /// let len = event_loop.run_until_complete(std::future::ready(name.len()))?;
    /// assert_eq!(len, 8);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn run_until_complete<F: Future>(&self, fut: F) -> Result<F::Output> {
        let _running = self.core.enter()?;
        let root = RootSlot::insert(&self.core);
        let waker = self.core.waker(root.id);
        let mut cx = Context::from_waker(&waker);
        let mut fut = pin!(fut);
        let mut output = None;
        self.core.schedule(root.id);
        while output.is_none() {
            self.core.run_once(
                &mut || {
                    if output.is_none() {
                        if let Poll::Ready(value) = fut.as_mut().poll(&mut cx) {
                            output = Some(value);
                        }
                    }
                },
                None,
            )?;
        }
        Ok(output.expect("the loop only stops once the output is set"))
    }

    /// Seconds elapsed since the loop was created, from a monotonic clock.
    ///
    /// This is the time scale of [`call_at`](Self::call_at) and
    /// [`TimerHandle::when`].
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let t0 = event_loop.time();
    /// assert!(event_loop.time() >= t0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn time(&self) -> f64 {
        self.core.time()
    }

    /// Schedules `f` to run in the next iteration, after every callback and
    /// task step already queued (FIFO).
    ///
    /// A panic in `f` is reported on standard error and the loop keeps
    /// running.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    /// closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    ///
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// for word in ["hello", "world"] {
    ///     let log = log.clone();
    ///     event_loop.call_soon(move || log.borrow_mut().push(word))?;
    /// }
    /// event_loop.run_until_complete(std::future::ready(()))?;
    /// assert_eq!(*log.borrow(), ["hello", "world"]);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn call_soon(&self, f: impl FnOnce() + 'static) -> Result<Handle> {
        self.core.call_soon(Callback::Call(Box::new(f)))
    }

    /// Schedules `f` to run `delay` from now.
    ///
    /// Callbacks run in deadline order; callbacks with the same deadline
    /// run in the order they were scheduled. A negative delay is a deadline
    /// in the past (see [`Delay`]). The callback runs no earlier than its
    /// deadline, in the first iteration after it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    /// closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use std::time::Duration;
    ///
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let fired = Rc::new(Cell::new(false));
    /// let flag = fired.clone();
    /// event_loop.call_later(Duration::from_millis(5), move || flag.set(true))?;
    /// event_loop.run_until_complete(asyncio::sleep(0.01))??;
    /// assert!(fired.get());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn call_later(
        &self,
        delay: impl Into<Delay>,
        f: impl FnOnce() + 'static,
    ) -> Result<TimerHandle> {
        self.core
            .call_later(delay.into(), Callback::Call(Box::new(f)))
    }

    /// Schedules `f` to run at loop time `when` (see [`time`](Self::time)).
    ///
    /// Ordering is as for [`call_later`](Self::call_later): by deadline,
    /// then FIFO. A `when` in the past runs in the next iteration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    /// closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    ///
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let when = event_loop.time();
    /// for name in ["first", "second"] {
    ///     let log = log.clone();
    ///     event_loop.call_at(when, move || log.borrow_mut().push(name))?;
    /// }
    /// event_loop.run_until_complete(asyncio::sleep(0))??;
    /// assert_eq!(*log.borrow(), ["first", "second"]);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn call_at(&self, when: f64, f: impl FnOnce() + 'static) -> Result<TimerHandle> {
        let deadline = self.core.instant_at(when);
        self.core.call_at(deadline, Callback::Call(Box::new(f)))
    }

    /// Closes the loop.
    ///
    /// Tasks still pending are aborted (their futures dropped, and awaiting
    /// them gives [`Error::Cancelled`](crate::Error::Cancelled)); pending
    /// callbacks are dropped without running. Afterwards every attempt to
    /// run the loop or schedule on it fails. Closing twice does nothing.
    /// To let tasks finish first, use [`Runner`](crate::Runner).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    /// running.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// event_loop.close()?;
    /// assert!(event_loop.is_closed());
    /// assert!(event_loop.call_soon(|| ()).is_err());
    /// assert!(event_loop.run_until_complete(std::future::ready(())).is_err());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn close(&self) -> Result<()> {
        self.core.close()
    }

    /// Whether [`close`](Self::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// Whether the loop is running (inside
    /// [`run_until_complete`](Self::run_until_complete)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::task::Poll;
    ///
    /// let event_loop = asyncio::EventLoop::new()?;
    /// assert!(!event_loop.is_running());
    /// let inside = event_loop.run_until_complete(poll_fn(|_| {
    ///     Poll::Ready(asyncio::get_running_loop().unwrap().is_running())
    /// }))?;
    /// assert!(inside);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn is_running(&self) -> bool {
        self.core.is_running()
    }

    /// Whether debug mode is on.
    pub fn get_debug(&self) -> bool {
        self.core.debug()
    }

    /// Turns debug mode on or off.
    ///
    /// The flag is recorded for now; the checks of asyncio's debug mode
    /// (slow callbacks, never-retrieved errors) arrive with the full loop.
    pub fn set_debug(&self, enabled: bool) {
        self.core.set_debug(enabled);
    }
}

impl PartialEq for EventLoop {
    /// Two handles are equal when they refer to the same loop.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.core, &other.core)
    }
}

impl Eq for EventLoop {}

impl fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLoop")
            .field("id", &self.core.id())
            .field("running", &self.is_running())
            .field("closed", &self.is_closed())
            .field("debug", &self.get_debug())
            .finish()
    }
}

/// The root future's slot, released however `run_until_complete` exits.
struct RootSlot<'a> {
    core: &'a Core,
    id: tasks::TaskId,
}

impl<'a> RootSlot<'a> {
    fn insert(core: &'a Core) -> Self {
        RootSlot {
            core,
            id: core.insert_root(),
        }
    }
}

impl Drop for RootSlot<'_> {
    fn drop(&mut self) {
        self.core.remove_root(self.id);
    }
}
