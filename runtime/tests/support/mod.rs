//! Helpers shared by the runtime's integration tests (each test binary
//! uses some of them).
#![allow(dead_code)]

pub mod children;
pub mod combinators;
pub mod handwritten;
pub mod queues;
pub mod recorder;

#[allow(unused_imports)]
pub use combinators::*;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use asyncio::{Error, EventLoop, ExceptionContext, IntoResult, Result, Runner, TaskRef};

/// A user exception (`ZeroDivisionError`, ...), modelled as an error naming
/// its class.
pub fn exc(name: &'static str) -> Error {
    Error::InvalidState(name.into())
}

/// Whether `outcome` is the user exception `name`.
pub fn is_exc<T>(outcome: &Result<T>, name: &str) -> bool {
    matches!(outcome, Err(Error::InvalidState(msg)) if msg == name)
}

/// Whether `outcome` is a cancellation.
pub fn is_cancelled<T>(outcome: &Result<T>) -> bool {
    matches!(outcome, Err(Error::Cancelled(_)))
}

/// A loop with a virtual clock.
pub fn vloop() -> EventLoop {
    EventLoop::with_virtual_clock().unwrap()
}

/// Runs `fut` on a fresh virtual-clock runner and returns its result.
///
/// A deadline far beyond any test's virtual time turns a lost wake-up
/// (every task blocked for good) into a `Timeout` failure instead of a hang.
pub fn vrun_result<F>(fut: F) -> Result<<F::Output as IntoResult>::Ok>
where
    F: std::future::Future,
    F::Output: IntoResult,
{
    let mut runner = Runner::new().virtual_clock(true);
    let output = runner.run(asyncio::timeout(10_000.0, fut));
    runner.close().unwrap();
    output
}

/// A shared log for tests to record what happened, in order.
pub type Log<T> = Rc<RefCell<Vec<T>>>;

/// An empty [`Log`].
pub fn log<T>() -> Log<T> {
    Rc::new(RefCell::new(Vec::new()))
}

/// [`vrun_result`], expecting success.
pub fn vrun<F>(fut: F) -> <F::Output as IntoResult>::Ok
where
    F: std::future::Future,
    F::Output: IntoResult,
{
    vrun_result(fut).unwrap_or_else(|err| panic!("the main coroutine failed: {err:?}"))
}

/// Runs exactly one iteration (asyncio's `loop.stop(); loop.run_forever()`).
pub fn run_once(event_loop: &EventLoop) {
    event_loop.stop();
    event_loop.run_forever().unwrap();
}

/// Runs a few iterations, enough for everything ready to settle (asyncio's
/// `test_utils.run_briefly`). A virtual clock does not move.
pub fn run_briefly(event_loop: &EventLoop) {
    for _ in 0..10 {
        run_once(event_loop);
    }
}

/// Installs an exception handler that records the messages it receives.
pub fn recording_handler(event_loop: &EventLoop) -> Rc<RefCell<Vec<String>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    event_loop.set_exception_handler(Some(move |_: &EventLoop, ctx: &ExceptionContext| {
        log.borrow_mut().push(ctx.message.clone());
    }));
    seen
}

/// A callback that records `entry` in `log`.
pub fn pusher(log: &Log<String>, entry: &str) -> impl FnOnce() + 'static {
    let (log, entry) = (log.clone(), entry.to_owned());
    move || log.borrow_mut().push(entry)
}

pub fn entries(log: &Log<String>) -> Vec<String> {
    log.borrow().clone()
}

/// What reached the exception handler.
#[derive(Debug)]
pub struct Reported {
    pub message: String,
    pub exception: Option<String>,
    pub task: Option<TaskRef>,
    pub handle: Option<String>,
}

/// Installs an exception handler that records every context.
pub fn record_exceptions(event_loop: &EventLoop) -> Rc<RefCell<Vec<Reported>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    record_into(event_loop, seen.clone());
    seen
}

/// Installs an exception handler that records every context into `sink`.
pub fn record_into(event_loop: &EventLoop, sink: Rc<RefCell<Vec<Reported>>>) {
    event_loop.set_exception_handler(Some(move |_: &EventLoop, ctx: &ExceptionContext| {
        sink.borrow_mut().push(Reported {
            message: ctx.message.clone(),
            exception: ctx.exception.as_ref().map(|err| format!("{err:?}")),
            task: ctx.task.clone(),
            handle: ctx.handle.as_ref().map(|handle| format!("{handle:?}")),
        });
    }));
}

pub fn call_soon(f: impl FnOnce() + 'static) {
    asyncio::get_running_loop().unwrap().call_soon(f).unwrap();
}

/// Gives the loop `n` iterations.
#[asyncio::coroutine]
pub fn yields(n: usize) -> Result<()> {
    for _ in 0..n {
        asyncio::sleep(0).await?;
    }
    Ok(())
}

/// A small deterministic pseudo-random generator (an LCG) for the stress
/// tests.
#[derive(Clone)]
pub struct Rng(Rc<Cell<u64>>);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(Rc::new(Cell::new(seed)))
    }

    pub fn below(&self, n: usize) -> usize {
        let next = self
            .0
            .get()
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0.set(next);
        ((next >> 33) % n as u64) as usize
    }
}

/// Counts a task as inside a critical section until dropped (also when
/// the task is aborted there).
pub struct Holding(Rc<Cell<u32>>);

impl Holding {
    pub fn enter(inside: &Rc<Cell<u32>>) -> Holding {
        inside.set(inside.get() + 1);
        Holding(inside.clone())
    }
}

impl Drop for Holding {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}
