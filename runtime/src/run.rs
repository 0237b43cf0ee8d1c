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
use crate::event_loop::{EventLoop, current};

/// How long [`Runner::close`] lets cancelled tasks finish before aborting
/// them. asyncio waits without limit; a bound keeps a task that ignores its
/// cancellation from hanging the program's exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `fut` to completion on a new event loop and returns its output
/// (asyncio's `asyncio.run`).
///
/// A fresh loop runs `fut` as its main task. When `fut` completes, the
/// tasks it left pending are cancelled and given the chance to finish (see
/// [`Runner::close`]), then the loop is closed. A panic in `fut` propagates
/// to the caller, after the loop has been closed.
///
/// # Panics
///
/// - If called while an event loop is running on this thread, as asyncio
///   raises `RuntimeError` ("cannot be called from a running event loop"):
///   inside a task, await the future instead.
/// - If the loop cannot be created (the OS refuses an epoll/kqueue
///   descriptor) or polling fails; use [`Runner`] to get these as errors.
/// - If `fut` panics.
///
/// # Examples
///
/// ```
/// let answer = asyncio::run(std::future::ready(42));
/// assert_eq!(answer, 42);
///
/// // The output of `sleep` is an `asyncio::Result`.
/// asyncio::run(asyncio::sleep(0.001)).unwrap();
/// ```
pub fn run<F: Future>(fut: F) -> F::Output {
    if current::is_running() {
        panic!("asyncio::run() cannot be called from a running event loop");
    }
    let mut runner = Runner::new();
    let output = runner
        .run(fut)
        .unwrap_or_else(|err| panic!("asyncio::run(): {err}"));
    if let Err(err) = runner.close() {
        panic!("asyncio::run(): {err}");
    }
    output
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
/// assert_eq!(runner.run(std::future::ready(1))?, 1);
/// runner.run(asyncio::sleep(0))??;
/// assert!(runner.event_loop()?.get_debug());
/// runner.close()?;
/// assert!(runner.run(std::future::ready(2)).is_err());
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Default)]
pub struct Runner {
    debug: bool,
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

    /// The runner's loop, created on first use.
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
        let event_loop = EventLoop::new()?;
        event_loop.set_debug(self.debug);
        self.event_loop = Some(event_loop.clone());
        Ok(event_loop)
    }

    /// Runs `fut` to completion on the runner's loop and returns its
    /// output (see [`EventLoop::run_until_complete`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the runner is closed or an event loop is
    /// already running on this thread; [`Error::Io`] if the loop cannot be
    /// created or polling fails.
    pub fn run<F: Future>(&mut self, fut: F) -> Result<F::Output> {
        if current::is_running() {
            return Err(Error::invalid_state(
                "Runner::run() cannot be called from a running event loop",
            ));
        }
        self.event_loop()?.run_until_complete(fut)
    }

    /// Shuts the loop down: requests cancellation of every remaining task,
    /// runs the loop until they have all finished, then closes it. Closing
    /// twice does nothing.
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
        let Some(event_loop) = self.event_loop.clone() else {
            self.closed = true;
            return Ok(());
        };
        if event_loop.is_running() {
            return Err(Error::invalid_state("cannot close a running Runner"));
        }
        self.closed = true;
        self.event_loop = None;
        let finished = finish_tasks(&event_loop);
        event_loop.close()?;
        finished
    }
}

/// Cancels the loop's tasks and runs it until they finish, nothing can
/// progress any more, or [`SHUTDOWN_GRACE`] has passed.
fn finish_tasks(event_loop: &EventLoop) -> Result<()> {
    let core = event_loop.core();
    if core.task_count() == 0 {
        return Ok(());
    }
    let _running = core.enter()?;
    core.cancel_all_tasks();
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while core.task_count() > 0 && !core.is_idle() {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        core.run_once(&mut || {}, Some(left))?;
    }
    Ok(())
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
