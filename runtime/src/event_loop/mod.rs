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
//! - `tasks`, `task_ref`, `waker`: tasks as the loop sees them (state,
//!   cancellation, the type-erased handle), and their wakers;
//! - `remote`, `loop_handle`, `io`: other threads' mail, the handle they
//!   post it with, and the `mio` poller with its table of sources;
//! - `io_events`: registering sources, dispatching their events, and
//!   `add_reader`/`add_writer` watchers;
//! - `scheduled_io`: a source's readiness cache (edge events to level
//!   state) and who waits on it;
//! - `exceptions`: the exception handler, for errors nobody awaits;
//! - `current`: the thread's running loop;
//! - `clock`, `delay`: loop time;
//! - `handle`: cancellable handles to callbacks.

mod callbacks;
mod clock;
pub(crate) mod current;
mod delay;
pub(crate) mod driver;
mod exceptions;
mod handle;
mod io;
pub(crate) mod io_events;
mod loop_handle;
mod ready;
pub(crate) mod remote;
pub(crate) mod scheduled_io;
pub(crate) mod task_ref;
pub(crate) mod tasks;
mod timers;
mod waker;

use std::fmt;
use std::future::Future;
use std::io as std_io;
use std::os::fd::RawFd;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use self::callbacks::Callback;
use self::driver::Core;
use self::scheduled_io::Direction;
use self::tasks::{Outcome, RootTask, Runnable};
use crate::error::{Error, Result};

pub use self::delay::{Delay, IntoTimeout};
pub use self::exceptions::ExceptionContext;
pub use self::handle::{Handle, TimerHandle};
pub use self::loop_handle::LoopHandle;
pub use self::task_ref::{CallbackId, TaskRef};

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
/// Most programs use [`run`](crate::run), which creates, runs and closes a
/// loop.
///
/// # The owner and its handles
///
/// The value [`new`](Self::new) (or [`with_virtual_clock`](Self::with_virtual_clock))
/// returns *owns* the loop. Its clones, and the values given by
/// [`get_running_loop`](crate::get_running_loop),
/// [`Runner::event_loop`](crate::Runner::event_loop) and the like, are cheap
/// handles to the same loop that do not own it.
///
/// Dropping the owner closes the loop if it is not closed yet, as asyncio
/// closes an unclosed loop that is garbage-collected: what
/// [`close`](Self::close) does (pending tasks reported as destroyed and
/// aborted, callbacks and timers dropped), and in debug mode an
/// `unclosed event loop` report to the exception handler first (asyncio's
/// `ResourceWarning`). The exception handler itself is released then, later
/// reports going to the default one. This is what frees a loop whose
/// callbacks or tasks hold handles to it, as in
/// `call_later(d, move || lp.stop())`: without it they would keep each
/// other alive forever. If the owner is dropped while the loop runs (it was
/// moved into the loop's own callbacks), the loop is closed when that run
/// returns.
///
/// Handles stay usable after the owner is gone, on a closed loop: running
/// it or scheduling on it fails with
/// [`Error::InvalidState`](crate::Error::InvalidState). So keep the owner for
/// as long as the loop is used, and give callbacks clones.
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
///
/// Forgetting `close` leaks nothing, even with a callback holding a handle:
///
/// ```
/// let event_loop = asyncio::EventLoop::new()?;
/// let handle = event_loop.clone();
/// let stopper = event_loop.clone();
/// event_loop.call_later(3600, move || stopper.stop())?;
/// drop(event_loop); // closes the loop, dropping the callback and its handle
/// assert!(handle.is_closed());
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct EventLoop {
    core: Rc<Core>,
    /// Whether this value owns the loop: dropping it closes the loop.
    owner: bool,
}

impl Clone for EventLoop {
    /// A handle to the same loop, which does not own it (see
    /// [`EventLoop`]).
    fn clone(&self) -> Self {
        EventLoop {
            core: self.core.clone(),
            owner: false,
        }
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        if self.owner {
            self.core.owner_dropped();
        }
    }
}

impl EventLoop {
    /// Creates a loop, not yet running (asyncio's `new_event_loop()`).
    ///
    /// The value returned owns the loop: dropping it closes the loop (see
    /// [`EventLoop`]).
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
            core: Core::new(false)?,
            owner: true,
        })
    }

    /// Creates a loop whose clock is virtual: time stands still while
    /// anything is ready to run, and when the loop would wait for a timer it
    /// jumps to the timer's deadline instead (CPython's `TestLoop`). Timing
    /// tests then assert exact instants (`time() == 0.15`) without sleeping.
    /// I/O and other threads still wake it as usual.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::with_virtual_clock()?;
    /// event_loop.run_until_complete(asyncio::sleep(3600.0))??; // returns at once
    /// assert_eq!(event_loop.time(), 3600.0);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn with_virtual_clock() -> std_io::Result<EventLoop> {
        Ok(EventLoop {
            core: Core::new(true)?,
            owner: true,
        })
    }

    /// A handle (not the owner) to `core`.
    pub(crate) fn from_core(core: Rc<Core>) -> Self {
        EventLoop { core, owner: false }
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
        let root = RootTask::new(&self.core);
        let waker = self.core.insert_root(root.clone());
        let _root = RootSlot {
            core: &self.core,
            root: &root,
        };
        let mut cx = Context::from_waker(&waker);
        let mut fut = pin!(fut);
        let mut output = None;
        waker.wake_by_ref();
        loop {
            self.core.run_once(&mut || {
                if output.is_none() {
                    if let Poll::Ready(value) = fut.as_mut().poll(&mut cx) {
                        output = Some(value);
                    }
                }
            })?;
            if let Some(output) = output.take() {
                // asyncio stops the loop from a done callback of the main
                // task, so what the main future's last step queued (the
                // first steps of tasks it spawned) runs for one more
                // iteration; nothing queued after that does.
                self.core.stop();
                self.core.run_once(&mut || ())?;
                self.core.take_stop();
                return Ok(output);
            }
            if self.core.take_stop() {
                return Err(Error::invalid_state(
                    "event loop stopped before the future completed",
                ));
            }
        }
    }

    /// Runs the loop until [`stop`](Self::stop) is called.
    ///
    /// If `stop` was called before, the loop runs one iteration (what is
    /// ready now) and returns.
    ///
    /// # Errors
    ///
    /// As [`run_until_complete`](Self::run_until_complete).
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let stopper = event_loop.clone();
    /// event_loop.call_later(0.001, move || stopper.stop())?;
    /// event_loop.run_forever()?;
    /// assert!(!event_loop.is_running());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn run_forever(&self) -> Result<()> {
        let _running = self.core.enter()?;
        loop {
            self.core.run_once(&mut || ())?;
            if self.core.take_stop() {
                return Ok(());
            }
        }
    }

    /// Stops the loop after the current iteration (asyncio's `stop()`):
    /// [`run_forever`](Self::run_forever) returns, and
    /// [`run_until_complete`](Self::run_until_complete) returns an error if
    /// its future is not done.
    pub fn stop(&self) {
        self.core.stop();
    }

    /// Moves a [virtual clock](Self::with_virtual_clock) forward (the
    /// `advance_time` of CPython's `TestLoop`); timers now due run in the
    /// next iteration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop's clock is real.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::with_virtual_clock()?;
    /// event_loop.advance_time(std::time::Duration::from_millis(250))?;
    /// assert_eq!(event_loop.time(), 0.25);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn advance_time(&self, by: Duration) -> Result<()> {
        self.core.advance_time(by)
    }

    /// How many timers are scheduled and not cancelled (for tests that
    /// check leaves clean up after themselves).
    #[doc(hidden)]
    pub fn scheduled_timers(&self) -> usize {
        self.core.timer_count()
    }

    /// How many iterations the loop has run (for tests of its scheduling).
    #[doc(hidden)]
    pub fn iterations(&self) -> u64 {
        self.core.iterations()
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
        self.core.call_soon(Callback::call(f))
    }

    /// Calls `callback` whenever `fd` is readable (asyncio's `add_reader`),
    /// replacing a reader callback set before on the same fd.
    ///
    /// Level-triggered, as in asyncio: a callback that leaves data unread
    /// is called again in the next iteration, with no new data arriving.
    /// The fd is not owned: the caller keeps it open until
    /// [`remove_reader`](Self::remove_reader), and removes the reader
    /// before closing it. A panic in the callback goes to the exception
    /// handler, and the reader stays.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop is closed, or if a socket or
    /// transport of this loop owns `fd` (asyncio's `RuntimeError`);
    /// [`Error::Value`] for an invalid fd; [`Error::Io`] for an fd the
    /// poller refuses (a regular file).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let (ours, mut theirs) = UnixStream::pair()?;
    /// ours.set_nonblocking(true)?;
    /// theirs.write_all(b"ping")?;
    /// let fd = ours.as_raw_fd();
    /// let lp = event_loop.clone();
    /// event_loop.add_reader(fd, move || {
    ///     let mut buf = [0; 16];
    ///     let n = (&ours).read(&mut buf).unwrap();
    ///     assert_eq!(&buf[..n], b"ping");
    ///     lp.remove_reader(fd).unwrap();
    ///     lp.stop();
    /// })?;
    /// event_loop.run_forever()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_reader(&self, fd: RawFd, callback: impl Fn() + 'static) -> Result<()> {
        self.core
            .add_watcher(fd, Direction::Read, Rc::new(callback))
    }

    /// Stops calling the reader callback of `fd`; returns whether there was
    /// one (asyncio's `remove_reader`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if a socket or transport of this loop owns
    /// `fd`.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// assert!(!event_loop.remove_reader(0)?);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn remove_reader(&self, fd: RawFd) -> Result<bool> {
        self.core.remove_watcher(fd, Direction::Read)
    }

    /// Calls `callback` whenever `fd` is writable (asyncio's `add_writer`):
    /// level-triggered, like [`add_reader`](Self::add_reader), so remove the
    /// writer once there is nothing left to write.
    ///
    /// # Errors
    ///
    /// As [`add_reader`](Self::add_reader).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let (ours, _theirs) = UnixStream::pair()?;
    /// let fd = ours.as_raw_fd();
    /// let lp = event_loop.clone();
    /// event_loop.add_writer(fd, move || {
    ///     lp.remove_writer(fd).unwrap();
    ///     lp.stop();
    /// })?;
    /// event_loop.run_forever()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_writer(&self, fd: RawFd, callback: impl Fn() + 'static) -> Result<()> {
        self.core
            .add_watcher(fd, Direction::Write, Rc::new(callback))
    }

    /// Stops calling the writer callback of `fd`; returns whether there was
    /// one (asyncio's `remove_writer`).
    ///
    /// # Errors
    ///
    /// As [`remove_reader`](Self::remove_reader).
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// assert!(!event_loop.remove_writer(1)?);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn remove_writer(&self, fd: RawFd) -> Result<bool> {
        self.core.remove_watcher(fd, Direction::Write)
    }

    /// A handle other threads can use to reach this loop.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let handle = event_loop.handle();
    /// std::thread::spawn(move || handle.call_soon_threadsafe(|| println!("hi"))).join().unwrap()?;
    /// event_loop.run_until_complete(asyncio::sleep(0))??;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn handle(&self) -> LoopHandle {
        LoopHandle::new(self.core.loop_slot(), self.core.remote().clone())
    }

    /// Schedules `f` to run `delay` from now.
    ///
    /// Callbacks run in deadline order; callbacks with the same deadline
    /// run in the order they were scheduled. A negative delay is a deadline
    /// in the past (see [`Delay`]). The callback runs no earlier than its
    /// deadline, in the first iteration after it.
    ///
    /// An infinite delay (`f64::INFINITY`) schedules a callback that never
    /// runs: its handle's [`when`](TimerHandle::when) is infinity, and it
    /// can be cancelled like any other (asyncio's `call_later(math.inf, f)`).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    ///   closed;
    /// - [`Error::Value`](crate::Error::Value) if the delay is NaN (asyncio
    ///   takes it and corrupts its timer heap: the callback runs at once and
    ///   the loop later fails).
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
        let deadline = self.core.deadline_after(delay.into())?;
        self.core.call_at(deadline, Callback::call(f))
    }

    /// Schedules `f` to run at loop time `when` (see [`time`](Self::time)).
    ///
    /// Ordering is as for [`call_later`](Self::call_later): by deadline,
    /// then FIFO. A `when` in the past (negative infinity included) runs in
    /// the next iteration; at infinity, the callback never runs.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidState`](crate::Error::InvalidState) if the loop is
    ///   closed;
    /// - [`Error::Value`](crate::Error::Value) if `when` is NaN.
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
        let deadline = self.core.instant_at(when)?;
        self.core.call_at(deadline, Callback::call(f))
    }

    /// Closes the loop (dropping the owner does it too, see
    /// [`EventLoop`]).
    ///
    /// Tasks still pending are reported to the exception handler ("Task was
    /// destroyed but it is pending!") and aborted (their futures dropped,
    /// and awaiting them gives [`Error::Cancelled`]); pending callbacks are
    /// dropped without running. Afterwards every attempt to
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
    /// In debug mode every task step and callback is timed, and one that
    /// holds the loop for [`slow_callback_duration`](Self::slow_callback_duration)
    /// or longer is reported to the exception handler with the task's name
    /// (`Executing <Task main pending> took 0.150 seconds`).
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// event_loop.set_debug(true);
    /// assert!(event_loop.get_debug());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_debug(&self, enabled: bool) {
        self.core.set_debug(enabled);
    }

    /// Makes new tasks eager, or not (asyncio's
    /// `loop.set_task_factory(asyncio.eager_task_factory)`).
    ///
    /// An eager task runs its first step at once, inside
    /// [`create_task`](crate::create_task) called from a task, up to its
    /// first suspension; one that finishes without suspending is done when
    /// `create_task` returns and never goes through the ready queue. Tasks
    /// created while the loop is not running start as usual.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<bool> {
    ///     let task = asyncio::create_task(std::future::ready(Ok::<_, asyncio::Error>(1)));
    ///     Ok(task.done())
    /// }
    /// let event_loop = asyncio::EventLoop::new()?;
    /// event_loop.set_eager_tasks(true);
    /// assert!(event_loop.run_until_complete(main_coroutine())??);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn set_eager_tasks(&self, enabled: bool) {
        self.core.set_eager_tasks(enabled);
    }

    /// Whether new tasks are eager (see [`set_eager_tasks`](Self::set_eager_tasks)).
    pub fn eager_tasks(&self) -> bool {
        self.core.eager_tasks()
    }

    /// How long a step may run in debug mode before it is reported (100 ms
    /// by default, as asyncio).
    pub fn slow_callback_duration(&self) -> Duration {
        self.core.slow_callback_duration()
    }

    /// Sets [`slow_callback_duration`](Self::slow_callback_duration).
    pub fn set_slow_callback_duration(&self, duration: Duration) {
        self.core.set_slow_callback_duration(duration);
    }

    /// Installs the handler for errors nobody awaits (`None`: back to the
    /// default, which prints them on standard error).
    ///
    /// The loop reports: panics in callbacks ("Exception in callback"),
    /// task errors never retrieved ("Task exception was never retrieved",
    /// when the task is dropped), tasks still pending at close, errors of
    /// tasks cancelled at shutdown, and slow steps in debug mode. See
    /// [`ExceptionContext`] for an example.
    pub fn set_exception_handler<H>(&self, handler: Option<H>)
    where
        H: Fn(&EventLoop, &ExceptionContext) + 'static,
    {
        self.core
            .set_exception_handler(handler.map(|h| Rc::new(h) as Rc<exceptions::Handler>));
    }

    /// Reports `context` to the exception handler.
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// event_loop.set_exception_handler(Some(|_: &asyncio::EventLoop, ctx: &asyncio::ExceptionContext| {
    ///     assert_eq!(ctx.message, "custom");
    /// }));
    /// event_loop.call_exception_handler(asyncio::ExceptionContext::new("custom"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn call_exception_handler(&self, context: ExceptionContext) {
        self.core.call_exception_handler(context);
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
            .field("slot", &self.core.loop_slot())
            .field("running", &self.is_running())
            .field("closed", &self.is_closed())
            .field("debug", &self.get_debug())
            .finish()
    }
}

/// The root future's slot, released however `run_until_complete` exits.
struct RootSlot<'a> {
    core: &'a Core,
    root: &'a Rc<RootTask>,
}

impl Drop for RootSlot<'_> {
    fn drop(&mut self) {
        self.root.finish(Outcome::Returned);
        self.core.remove_task(self.root.header().id.get());
    }
}
