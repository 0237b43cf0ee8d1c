//! Helpers shared by the runtime's integration tests (each test binary
//! uses some of them).
#![allow(dead_code)]

pub mod recorder;

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Error, EventLoop, ExceptionContext, IntoResult, Result, Runner};

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
