//! The loop's lifecycle: `run_until_complete`, `stop`/`run_forever`,
//! re-entrancy, closing (and what a closed loop refuses), the running loop,
//! and loops dropped without `close`.
//!
//! CPython case C05 of `/work/shared/CASES.md` (section A), and our own tests.

mod support;

use support::handwritten::*;
use support::*;

use asyncio::{Error, EventLoop, ExceptionContext, Result, Runner, TaskRef};
use std::cell::{Cell, RefCell};
use std::future::{poll_fn, ready};
use std::rc::Rc;
use std::task::Poll;

#[asyncio::coroutine]
fn run_nested(event_loop: EventLoop) -> Result<()> {
    let nested = event_loop.run_until_complete(asyncio::sleep(0));
    assert!(matches!(nested, Err(Error::InvalidState(_))), "{nested:?}");
    asyncio::sleep(0).await
}

// C05: run_until_complete inside the running loop is a RuntimeError.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c05_run_until_complete_nesting_fails() {
    let event_loop = vloop();
    event_loop
        .run_until_complete(run_nested(event_loop.clone()))
        .unwrap()
        .unwrap();
}

#[asyncio::coroutine]
fn stop_then_sleep() -> Result<()> {
    asyncio::get_running_loop()?.stop();
    asyncio::sleep(0.1).await
}

// C05: stop() before the future completes makes run_until_complete fail.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c05_run_until_complete_stopped() {
    let event_loop = vloop();
    let outcome = event_loop.run_until_complete(stop_then_sleep());
    assert!(
        matches!(&outcome, Err(Error::InvalidState(msg)) if msg.contains("stopped before")),
        "{outcome:?}"
    );
}

// C05: a closed loop refuses to run or schedule anything.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c05_closed_loop_refuses_everything() {
    let event_loop = vloop();
    event_loop.close().unwrap();
    assert!(event_loop.is_closed());
    assert!(matches!(
        event_loop.run_forever(),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        event_loop.run_until_complete(ready(())),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        event_loop.call_soon(|| ()),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        event_loop.call_later(1, || ()),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        event_loop.call_at(1.0, || ()),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        event_loop.handle().call_soon_threadsafe(|| ()),
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        event_loop.create_task(asyncio::sleep(0)),
        Err(Error::InvalidState(_))
    ));
    // not ported: add_reader / remove_reader / remove_writer (no fd watching API yet)
}

#[asyncio::coroutine]
fn close_own_loop() -> Result<()> {
    let event_loop = asyncio::get_running_loop()?;
    let closed = event_loop.close();
    assert!(matches!(closed, Err(Error::InvalidState(_))), "{closed:?}");
    assert!(!event_loop.is_closed());
    Ok(())
}

// C05: closing a running loop is a RuntimeError.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c05_close_running_loop_fails() {
    let event_loop = vloop();
    event_loop
        .run_until_complete(close_own_loop())
        .unwrap()
        .unwrap();
    event_loop.close().unwrap();
}

// C05: passing a coroutine where a callback is expected (call_soon, call_soon_threadsafe,
// call_later, call_at, run_in_executor) is rejected at compile time: those take `FnOnce()`,
// which a coroutine is not. not ported: add_signal_handler (no signal API yet).

#[test]
fn run_until_complete_is_not_reentrant() {
    let event_loop = EventLoop::new().unwrap();
    let other = EventLoop::new().unwrap();
    let outcome = event_loop
        .run_until_complete(poll_fn(|_| {
            let running = asyncio::get_running_loop().unwrap();
            let same = running.run_until_complete(ready(1));
            let another = other.run_until_complete(ready(2));
            let runner = Runner::new().run(ready(Ok::<_, Error>(3)));
            let nested_run = asyncio::run(ready(Ok::<_, Error>(4)));
            let close = running.close();
            Poll::Ready((same, another, runner, nested_run.is_err(), close))
        }))
        .unwrap();
    let (same, another, runner, nested_run_panicked, close) = outcome;
    assert!(matches!(same, Err(Error::InvalidState(_))), "{same:?}");
    assert!(
        matches!(another, Err(Error::InvalidState(_))),
        "{another:?}"
    );
    assert!(matches!(runner, Err(Error::InvalidState(_))), "{runner:?}");
    assert!(nested_run_panicked);
    assert!(matches!(close, Err(Error::InvalidState(_))), "{close:?}");
    // The loop is still usable afterwards.
    assert_eq!(event_loop.run_until_complete(ready(5)).unwrap(), 5);
    assert_eq!(other.run_until_complete(ready(6)).unwrap(), 6);
}

#[test]
fn closed_loop_refuses_work() {
    let event_loop = EventLoop::new().unwrap();
    event_loop.close().unwrap();
    event_loop.close().unwrap();
    assert!(event_loop.is_closed());
    assert!(matches!(
        event_loop.run_until_complete(ready(())),
        Err(Error::InvalidState(_))
    ));
    assert!(event_loop.call_soon(|| ()).is_err());
    assert!(event_loop.call_later(0, || ()).is_err());
    assert!(event_loop.create_task(ready(())).is_err());
}

#[test]
fn running_loop_is_found_from_inside_only() {
    assert!(matches!(
        asyncio::get_running_loop(),
        Err(Error::InvalidState(_))
    ));
    let event_loop = EventLoop::new().unwrap();
    let inside = event_loop
        .run_until_complete(poll_fn(|_| {
            Poll::Ready(asyncio::get_running_loop().unwrap())
        }))
        .unwrap();
    assert_eq!(inside, event_loop);
    assert!(!event_loop.is_running());
    assert!(asyncio::get_running_loop().is_err());
}

#[test]
fn closing_or_dropping_a_loop_aborts_its_tasks() {
    for drop_instead_of_close in [false, true] {
        let dropped = Rc::new(Cell::new(false));
        let event_loop = EventLoop::new().unwrap();
        let guard = DropFlag(dropped.clone());
        let task = event_loop
            .create_task(chain([nap(3600), act(move || drop(guard))]))
            .unwrap();
        event_loop.run_until_complete(nap(0)).unwrap();
        if drop_instead_of_close {
            drop(event_loop);
        } else {
            event_loop.close().unwrap();
        }
        assert!(dropped.get());
        assert!(task.done());
    }
}

#[test]
fn stop_before_run_forever_runs_one_iteration() {
    let event_loop = EventLoop::new().unwrap();
    let ran = Rc::new(RefCell::new(0));
    let count = ran.clone();
    event_loop
        .call_soon(move || *count.borrow_mut() += 1)
        .unwrap();
    event_loop.stop();
    event_loop.run_forever().unwrap();
    assert_eq!(*ran.borrow(), 1);
}

#[test]
fn run_until_complete_reports_a_stop_before_the_future_is_done() {
    let event_loop = EventLoop::new().unwrap();
    let outcome = event_loop.run_until_complete(stop_then_sleep());
    assert!(matches!(outcome, Err(Error::InvalidState(msg)) if msg.contains("stopped")));
}

// ----- a loop dropped without close (issue 11, item 5) ------------------------------

/// Adds one to its counter when dropped.
struct Counted(Rc<std::cell::Cell<usize>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A task that holds a handle to its own loop (and a drop counter) in its
/// frame, across an await that does not end while the test looks.
#[asyncio::coroutine]
fn hold_the_loop(event_loop: EventLoop, token: Counted) -> asyncio::Result<()> {
    asyncio::sleep(3600).await?;
    event_loop.stop();
    drop(token);
    Ok(())
}

/// What `loops_dropped_without_close_free_everything` leaves behind in one
/// loop: every kind of callback, and tasks, each holding a handle to the
/// loop and a drop counter. Returns how many counters it handed out, and a
/// task of the loop to tell afterwards whether the loop itself was freed.
fn build_cycles(event_loop: &EventLoop, dropped: &Rc<std::cell::Cell<usize>>) -> (usize, TaskRef) {
    let token = || Counted(dropped.clone());
    let (lp, held) = (event_loop.clone(), token());
    // The exception handler (it gets the "Task was destroyed" reports).
    event_loop.set_exception_handler(Some(move |_: &EventLoop, _: &ExceptionContext| {
        let _ = (&lp, &held);
    }));
    let (lp, held) = (event_loop.clone(), token());
    event_loop
        .call_later(3600, move || {
            lp.stop();
            drop(held);
        })
        .unwrap();
    let (lp, held) = (event_loop.clone(), token());
    event_loop
        .call_later(f64::INFINITY, move || {
            lp.stop();
            drop(held);
        })
        .unwrap();
    let (lp, held) = (event_loop.clone(), token());
    event_loop
        .call_soon(move || {
            // Runs if the loop runs: re-arms itself with another cycle.
            let again = lp.clone();
            lp.call_later(3600, move || {
                again.stop();
                drop(held);
            })
            .unwrap();
        })
        .unwrap();
    let task = event_loop
        .create_task(hold_the_loop(event_loop.clone(), token()))
        .unwrap();
    let (lp, held) = (event_loop.clone(), token());
    task.add_done_callback(move |_| {
        lp.stop();
        drop(held);
    });
    let probe = task.task_ref().clone();
    // A second task, whose frame holds the first task's handle too.
    let second = event_loop
        .create_task(hold_the_loop(event_loop.clone(), token()))
        .unwrap();
    drop((task, second));
    (7, probe)
}

#[test]
fn loops_dropped_without_close_free_everything() {
    const LOOPS: usize = 300;
    let dropped = Rc::new(std::cell::Cell::new(0));
    let mut handed_out = 0;
    for i in 0..LOOPS {
        let event_loop = if i % 2 == 0 {
            EventLoop::new().unwrap()
        } else {
            EventLoop::with_virtual_clock().unwrap()
        };
        event_loop.set_debug(i % 3 == 0);
        let (tokens, probe) = build_cycles(&event_loop, &dropped);
        handed_out += tokens;
        match i % 4 {
            // Never run: tasks not started, callbacks still queued.
            0 => {}
            // Run briefly: tasks suspended in their frames, the call_soon
            // callback replaced by a timer.
            1 | 2 => event_loop
                .run_until_complete(asyncio::sleep(0))
                .unwrap()
                .unwrap(),
            // Stopped by one of its own callbacks.
            _ => {
                let stopper = event_loop.clone();
                event_loop.call_soon(move || stopper.stop()).unwrap();
                event_loop.run_forever().unwrap();
            }
        }
        let handle = event_loop.handle();
        drop(event_loop);
        assert!(handle.is_closed(), "loop {i} is not closed");
        assert!(probe.done(), "loop {i}: its task is still pending");
        assert!(probe.get_loop().is_none(), "loop {i} was not freed");
        assert_eq!(
            dropped.get(),
            handed_out,
            "loop {i} leaked some of its values"
        );
    }
    assert_eq!(dropped.get(), 7 * LOOPS);
}

#[test]
fn dropping_the_owner_reports_an_unclosed_loop_in_debug_mode() {
    for debug in [true, false] {
        let event_loop = EventLoop::new().unwrap();
        event_loop.set_debug(debug);
        let seen = recording_handler(&event_loop);
        let _detached = event_loop
            .create_task(hold_the_loop(event_loop.clone(), Counted(Rc::default())))
            .unwrap();
        drop(event_loop);
        let seen = seen.borrow();
        let unclosed = seen
            .iter()
            .filter(|msg| msg.starts_with("unclosed event loop <EventLoop"))
            .count();
        assert_eq!(unclosed, usize::from(debug), "{seen:?}");
        // Closed as `close()` closes: the pending task is reported.
        assert_eq!(
            seen.last().map(String::as_str),
            Some("Task was destroyed but it is pending!"),
            "{seen:?}"
        );
    }
    // A loop closed before its owner is dropped is not reported.
    let event_loop = EventLoop::new().unwrap();
    event_loop.set_debug(true);
    let seen = recording_handler(&event_loop);
    event_loop.close().unwrap();
    drop(event_loop);
    assert!(seen.borrow().is_empty(), "{:?}", seen.borrow());
}

#[test]
fn clones_are_handles_and_the_owner_closes_the_loop() {
    let event_loop = EventLoop::new().unwrap();
    let handle = event_loop.clone();
    drop(handle);
    assert!(!event_loop.is_closed());
    let handle = event_loop.clone();
    drop(event_loop);
    assert!(handle.is_closed());
    let outcome = handle.run_until_complete(asyncio::sleep(0));
    assert!(
        matches!(outcome, Err(Error::InvalidState(_))),
        "{outcome:?}"
    );
    assert!(handle.call_soon(|| ()).is_err());
    // A runner keeps the owner: its loop lives until the runner closes.
    let mut runner = asyncio::Runner::new();
    let handle = runner.event_loop().unwrap();
    runner.run(asyncio::sleep(0)).unwrap();
    assert!(!handle.is_closed());
    drop(runner);
    assert!(handle.is_closed());
}

#[test]
fn an_owner_dropped_while_the_loop_runs_closes_it_after_the_run() {
    let event_loop = EventLoop::new().unwrap();
    let handle = event_loop.clone();
    let pending = handle
        .create_task(hold_the_loop(handle.clone(), Counted(Rc::default())))
        .unwrap();
    let owner = std::cell::RefCell::new(Some(event_loop));
    handle
        .call_soon(move || {
            // Dropped inside the loop's own callback.
            drop(owner.borrow_mut().take());
        })
        .unwrap();
    let stopper = handle.clone();
    handle.call_later(0.001, move || stopper.stop()).unwrap();
    handle.run_forever().unwrap();
    assert!(handle.is_closed());
    assert!(pending.done());
}
