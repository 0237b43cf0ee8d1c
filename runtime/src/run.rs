//! Running a program: [`run`] and [`Runner`] (asyncio's `asyncio.run` and
//! `asyncio.Runner`).
//!
//! The top layer: it creates a loop, runs the main future on it, and shuts
//! it down in asyncio's order — cancel the tasks left behind, let them
//! finish, close the loop.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::event_loop::{EventLoop, ExceptionContext, TaskRef, current};
use crate::task::IntoResult;

/// How long [`Runner::close`] lets cancelled tasks finish before aborting
/// them. asyncio waits without limit; a bound keeps a task that ignores its
/// cancellation from hanging the program's exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `fut` to completion on a new event loop and returns its result
/// (asyncio's `asyncio.run`).
///
/// A fresh loop runs `fut` as its main task. When `fut` completes, the
/// tasks it left pending are cancelled and given the chance to finish (see
/// [`Runner::close`]), then the loop is closed. A panic in `fut` propagates
/// to the caller, after the loop has been closed.
///
/// Ctrl-C, as in asyncio: on the process's main thread, while `SIGINT` is
/// at its default disposition, the first `SIGINT` cancels `fut` (which may
/// clean up, awaiting more); if it then ends with that cancellation, this
/// returns [`Error::Interrupted`] (`KeyboardInterrupt`). A second `SIGINT`
/// ends the process at once, killed by `SIGINT`. `#[asyncio::entry]` exits
/// as Python does after a `KeyboardInterrupt` (see the `interrupt`
/// example).
///
/// # Errors
///
/// The future's own error (its output is an [`IntoResult`]);
/// [`Error::InvalidState`] if called while an event loop is running on this
/// thread (asyncio's "cannot be called from a running event loop": inside a
/// task, await the future instead); [`Error::Io`] if the loop cannot be
/// created or polling fails.
///
/// # Examples
///
/// ```
/// let answer = asyncio::run(std::future::ready(Ok::<_, asyncio::Error>(42)))?;
/// assert_eq!(answer, 42);
/// asyncio::run(asyncio::sleep(0.001))?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn run<F>(fut: F) -> Result<<F::Output as IntoResult>::Ok>
where
    F: Future,
    F::Output: IntoResult,
{
    if current::is_running() {
        return Err(Error::invalid_state(
            "asyncio::run() cannot be called from a running event loop",
        ));
    }
    let mut runner = Runner::new();
    let output = runner.run(fut);
    let closed = runner.close();
    let output = output?;
    closed?;
    Ok(output)
}

/// Runs several futures on one event loop, then shuts it down (asyncio's
/// `asyncio.Runner`).
///
/// The loop is created at the first [`run`](Self::run); tasks spawned by
/// one run keep going during the next. [`close`](Self::close) — called on
/// drop if not before — cancels the remaining tasks, lets them finish and
/// closes the loop.
///
/// # Examples
///
/// ```
/// use asyncio::Runner;
///
/// let mut runner = Runner::new().debug(true);
/// assert_eq!(runner.run(std::future::ready(Ok::<_, asyncio::Error>(1)))?, 1);
/// runner.run(asyncio::sleep(0))?;
/// assert!(runner.event_loop()?.get_debug());
/// runner.close()?;
/// assert!(runner.run(asyncio::sleep(0)).is_err());
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Default)]
pub struct Runner {
    debug: bool,
    virtual_clock: bool,
    slow_callback: Option<Duration>,
    event_loop: Option<EventLoop>,
    closed: bool,
}

impl Runner {
    /// A runner; its loop is created lazily.
    pub fn new() -> Runner {
        Runner::default()
    }

    /// Sets debug mode for the runner's loop (see
    /// [`EventLoop::set_debug`]).
    pub fn debug(mut self, enabled: bool) -> Runner {
        self.debug = enabled;
        if let Some(event_loop) = &self.event_loop {
            event_loop.set_debug(enabled);
        }
        self
    }

    /// Sets how long a step may take in debug mode before it is reported
    /// (see [`EventLoop::set_slow_callback_duration`]).
    pub fn slow_callback_duration(mut self, duration: Duration) -> Runner {
        self.slow_callback = Some(duration);
        if let Some(event_loop) = &self.event_loop {
            event_loop.set_slow_callback_duration(duration);
        }
        self
    }

    /// Runs on a loop with a virtual clock (see
    /// [`EventLoop::with_virtual_clock`]); takes effect when the loop is
    /// created, at the first run.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut runner = asyncio::Runner::new().virtual_clock(true);
    /// runner.run(asyncio::sleep(60.0))?;
    /// assert_eq!(runner.event_loop()?.time(), 60.0);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn virtual_clock(mut self, enabled: bool) -> Runner {
        self.virtual_clock = enabled;
        self
    }

    /// The runner's loop, created on first use: a handle to it, the runner
    /// keeping the owner (see [`EventLoop`]), so that the loop is closed
    /// with the runner.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the runner is closed;
    /// [`Error::Io`] if the loop cannot be created.
    pub fn event_loop(&mut self) -> Result<EventLoop> {
        if self.closed {
            return Err(Error::invalid_state("the Runner is closed"));
        }
        if let Some(event_loop) = &self.event_loop {
            return Ok(event_loop.clone());
        }
        let event_loop = if self.virtual_clock {
            EventLoop::with_virtual_clock()?
        } else {
            EventLoop::new()?
        };
        event_loop.set_debug(self.debug);
        if let Some(duration) = self.slow_callback {
            event_loop.set_slow_callback_duration(duration);
        }
        let handle = event_loop.clone();
        self.event_loop = Some(event_loop);
        Ok(handle)
    }

    /// Runs `fut` to completion on the runner's loop as its main task and
    /// returns its result (see [`EventLoop::run_until_complete`]).
    ///
    /// # Errors
    ///
    /// The future's own error; [`Error::InvalidState`] if the runner is
    /// closed or an event loop is already running on this thread;
    /// [`Error::Io`] if the loop cannot be created or polling fails.
    pub fn run<F>(&mut self, fut: F) -> Result<<F::Output as IntoResult>::Ok>
    where
        F: Future,
        F::Output: IntoResult,
    {
        if current::is_running() {
            return Err(Error::invalid_state(
                "Runner::run() cannot be called from a running event loop",
            ));
        }
        let (output, interrupted) = self.run_main(fut)?;
        match output.into_result() {
            Err(err) if interrupted && err.is_cancelled() => Err(Error::Interrupted),
            other => other,
        }
    }

    /// Runs `fut` as the main task with Ctrl-C handled as `asyncio.run`
    /// handles it (the first `SIGINT` cancels it); returns its output as
    /// it is and whether a Ctrl-C came. What [`run`](Self::run) and
    /// `#[entry]` share.
    pub(crate) fn run_main<F: Future>(&mut self, fut: F) -> Result<(F::Output, bool)> {
        let event_loop = self.event_loop()?;
        let interrupts = Interrupts::install(&event_loop);
        let output = event_loop.run_until_complete(fut);
        let interrupted = interrupts.is_some_and(Interrupts::finish);
        Ok((output?, interrupted))
    }

    /// Shuts the loop down in asyncio's order: requests cancellation of
    /// every remaining task, runs the loop until they have all finished,
    /// reports those that failed instead of ending cancelled to the
    /// exception handler ("unhandled exception during asyncio.run()
    /// shutdown"), shuts the default executor down, and closes the loop.
    /// Closing twice does nothing.
    ///
    /// Shutdown is bounded: tasks still pending once nothing else can make
    /// progress, or after a grace period of a few seconds, are aborted
    /// (their futures dropped) when the loop closes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if called from inside the runner's running
    /// loop; [`Error::Io`] if polling fails (the loop is closed anyway).
    pub fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        if self.event_loop.as_ref().is_some_and(EventLoop::is_running) {
            return Err(Error::invalid_state("cannot close a running Runner"));
        }
        self.closed = true;
        // The runner's value owns the loop: it is closed below, and
        // dropping it at the end of this function does nothing more.
        let Some(event_loop) = self.event_loop.take() else {
            return Ok(());
        };
        let finished = finish_tasks(&event_loop);
        event_loop.core().shutdown_executor();
        event_loop.close()?;
        finished
    }
}

/// Cancels the loop's tasks, runs it until they finish (or nothing can
/// progress any more, or [`SHUTDOWN_GRACE`] has passed), and reports the
/// errors they ended with.
fn finish_tasks(event_loop: &EventLoop) -> Result<()> {
    let core = event_loop.core();
    if core.task_count() == 0 {
        return Ok(());
    }
    let _running = core.enter()?;
    let tasks = core.cancel_all_tasks();
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while core.task_count() > 0 && !core.is_idle() && Instant::now() < deadline {
        core.run_once(&mut || {})?;
    }
    for task in tasks {
        let task = TaskRef::new(task);
        if let Ok(Some(err)) = task.exception() {
            core.call_exception_handler(
                ExceptionContext::new("unhandled exception during asyncio.run() shutdown")
                    .with_exception(err)
                    .with_task(task),
            );
        }
    }
    Ok(())
}

/// asyncio's `Runner` handling of Ctrl-C, installed while the main future
/// runs if `SIGINT` is at its default disposition and this is the process's
/// main thread: the first `SIGINT` cancels the main future (which can clean
/// up, with more awaits); a second one ends the process at once, killed by
/// `SIGINT` as an uncaught `KeyboardInterrupt` ends Python.
struct Interrupts {
    event_loop: EventLoop,
    count: std::rc::Rc<std::cell::Cell<u32>>,
}

impl Interrupts {
    fn install(event_loop: &EventLoop) -> Option<Interrupts> {
        if !on_main_thread() || !sigint_is_default() {
            return None;
        }
        let count = std::rc::Rc::new(std::cell::Cell::new(0));
        let seen = count.clone();
        let core = event_loop.core().clone();
        let installed = event_loop.add_signal_handler(libc::SIGINT, move || {
            seen.set(seen.get() + 1);
            if seen.get() == 1 {
                core.cancel_roots();
            } else {
                die_by_sigint();
            }
        });
        installed.ok().map(|()| Interrupts {
            event_loop: event_loop.clone(),
            count,
        })
    }

    /// Removes the handler (the default disposition comes back); returns
    /// whether a `SIGINT` came.
    fn finish(self) -> bool {
        let _ = self.event_loop.remove_signal_handler(libc::SIGINT);
        self.count.get() > 0
    }
}

fn on_main_thread() -> bool {
    // SAFETY: plain system calls without arguments.
    unsafe { libc::gettid() == libc::getpid() }
}

fn sigint_is_default() -> bool {
    // SAFETY: `sigaction` is plain old data; all zeroes is valid.
    let mut now: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a query; `now` is valid for the call.
    let queried = unsafe { libc::sigaction(libc::SIGINT, std::ptr::null(), &mut now) };
    queried == 0 && now.sa_sigaction == libc::SIG_DFL
}

/// Ends the process as an uncaught `KeyboardInterrupt` ends Python: killed
/// by `SIGINT` at its default disposition (the shell sees status 130).
pub(crate) fn die_by_sigint() -> ! {
    // SAFETY: plain system calls; the default disposition of SIGINT
    // terminates the process, so `raise` does not return.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
    std::process::exit(130)
}

impl Drop for Runner {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Running tasks while unwinding risks a double panic; just drop
            // them.
            if let Some(event_loop) = self.event_loop.take() {
                let _ = event_loop.close();
            }
            return;
        }
        let _ = self.close();
    }
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner")
            .field("debug", &self.debug)
            .field("event_loop", &self.event_loop)
            .field("closed", &self.closed)
            .finish()
    }
}
