//! The loop's own features: virtual clock, stop/run_forever, debug mode,
//! the exception handler, task errors nobody retrieved.

mod support;

use support::*;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use asyncio::{Error, EventLoop, ExceptionContext, TaskRef};

#[test]
fn the_virtual_clock_jumps_to_timers_and_can_be_advanced() {
    let event_loop = EventLoop::with_virtual_clock().unwrap();
    assert_eq!(event_loop.time(), 0.0);
    event_loop
        .run_until_complete(asyncio::sleep(Duration::from_millis(150)))
        .unwrap()
        .unwrap();
    assert!((event_loop.time() - 0.15).abs() < 1e-9);
    event_loop.advance_time(Duration::from_secs(1)).unwrap();
    assert!((event_loop.time() - 1.15).abs() < 1e-9);
    assert!(
        EventLoop::new()
            .unwrap()
            .advance_time(Duration::ZERO)
            .is_err()
    );
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

#[asyncio::coroutine]
fn stop_then_sleep() -> asyncio::Result<()> {
    asyncio::get_running_loop()?.stop();
    asyncio::sleep(0.001).await
}

#[test]
fn run_until_complete_reports_a_stop_before_the_future_is_done() {
    let event_loop = EventLoop::new().unwrap();
    let outcome = event_loop.run_until_complete(stop_then_sleep());
    assert!(matches!(outcome, Err(Error::InvalidState(msg)) if msg.contains("stopped")));
}

#[test]
fn debug_mode_reports_slow_callbacks() {
    let event_loop = EventLoop::new().unwrap();
    let seen = recording_handler(&event_loop);
    event_loop.set_debug(true);
    event_loop.set_slow_callback_duration(Duration::ZERO);
    event_loop.call_soon(|| ()).unwrap();
    event_loop
        .run_until_complete(asyncio::sleep(0))
        .unwrap()
        .unwrap();
    let seen = seen.borrow();
    assert!(
        seen.iter()
            .any(|msg| msg.starts_with("Executing <callback loop_features::debug_mode_reports_slow_callbacks::{{closure}}> took")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|msg| msg.starts_with("Executing <Task Task-")),
        "{seen:?}"
    );
}

#[test]
fn a_callback_panic_goes_to_the_handler_and_the_loop_keeps_running() {
    let event_loop = EventLoop::new().unwrap();
    let seen = recording_handler(&event_loop);
    event_loop
        .call_soon(|| panic!("callback failure (expected by the test)"))
        .unwrap();
    let answer = event_loop
        .run_until_complete(std::future::ready(7))
        .unwrap();
    assert_eq!(answer, 7);
    // The callback is named by its type: the function it was written in.
    assert_eq!(
        *seen.borrow(),
        [
            "Exception in callback loop_features::a_callback_panic_goes_to_the_handler_and_the_loop_keeps_running::{{closure}}"
        ]
    );
}

#[asyncio::coroutine]
fn fails() -> asyncio::Result<()> {
    Err(Error::Timeout)
}

#[asyncio::coroutine]
fn spawn_and_forget() -> asyncio::Result<()> {
    drop(asyncio::create_task(fails()));
    let kept = asyncio::create_task(fails());
    asyncio::sleep(0).await?;
    assert!(matches!(kept.exception(), Ok(Some(Error::Timeout))));
    Ok(())
}

#[test]
fn a_task_error_nobody_retrieved_is_reported_once() {
    let event_loop = EventLoop::new().unwrap();
    let seen = recording_handler(&event_loop);
    event_loop
        .run_until_complete(spawn_and_forget())
        .unwrap()
        .unwrap();
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("Task exception was never retrieved"));
}

#[asyncio::coroutine]
fn pending_forever() -> asyncio::Result<()> {
    asyncio::sleep(3600.0).await
}

#[test]
fn closing_with_pending_tasks_reports_them() {
    let event_loop = EventLoop::new().unwrap();
    let seen = recording_handler(&event_loop);
    let task = event_loop.create_task(pending_forever()).unwrap();
    event_loop
        .run_until_complete(asyncio::sleep(0))
        .unwrap()
        .unwrap();
    event_loop.close().unwrap();
    assert_eq!(*seen.borrow(), ["Task was destroyed but it is pending!"]);
    assert!(task.cancelled());
}

#[asyncio::coroutine]
fn panics() -> asyncio::Result<()> {
    asyncio::sleep(0).await?;
    panic!("task failure (expected by the test)");
}

#[test]
fn a_panicking_task_keeps_the_loop_alive() {
    let event_loop = EventLoop::new().unwrap();
    let task = event_loop.create_task(panics()).unwrap();
    let outcome = event_loop.run_until_complete(task).unwrap();
    assert!(matches!(outcome, Err(Error::Panicked(msg)) if msg.contains("task failure")));
    assert!(event_loop.run_until_complete(std::future::ready(1)).is_ok());
}

#[test]
fn runner_reports_errors_of_tasks_cancelled_at_shutdown() {
    let mut runner = asyncio::Runner::new();
    let event_loop = runner.event_loop().unwrap();
    let seen = recording_handler(&event_loop);
    runner.run(leave_a_bad_task()).unwrap();
    runner.close().unwrap();
    assert_eq!(
        *seen.borrow(),
        ["unhandled exception during asyncio.run() shutdown"]
    );
}

#[asyncio::coroutine]
fn leave_a_bad_task() -> asyncio::Result<()> {
    drop(asyncio::create_task(fails_on_cancel()));
    asyncio::sleep(0).await
}

#[asyncio::coroutine]
fn fails_on_cancel() -> asyncio::Result<()> {
    let _ = asyncio::sleep(3600.0).await;
    Err(Error::InvalidState("ZeroDivisionError".into()))
}

#[asyncio::coroutine]
fn eager_child(log: Rc<RefCell<Vec<&'static str>>>) -> asyncio::Result<()> {
    log.borrow_mut().push("child starts");
    asyncio::sleep(0).await?;
    log.borrow_mut().push("child resumes");
    Ok(())
}

#[asyncio::coroutine]
fn spawn_eagerly(log: Rc<RefCell<Vec<&'static str>>>) -> asyncio::Result<()> {
    let child = asyncio::create_task(eager_child(log.clone()));
    log.borrow_mut().push("create_task returned");
    child.await?;
    let done_at_once = asyncio::create_task(std::future::ready(Ok::<_, Error>(5)));
    assert!(done_at_once.done());
    assert_eq!(done_at_once.await?, 5);
    Ok(())
}

#[test]
fn eager_tasks_run_their_first_step_inside_create_task() {
    let event_loop = EventLoop::new().unwrap();
    event_loop.set_eager_tasks(true);
    let log = Rc::new(RefCell::new(Vec::new()));
    event_loop
        .run_until_complete(spawn_eagerly(log.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(
        *log.borrow(),
        ["child starts", "create_task returned", "child resumes"]
    );
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
