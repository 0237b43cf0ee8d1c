//! What reaches the loop's exception handler: callback errors and panics,
//! errors of futures and tasks nobody retrieved, tasks left pending at close,
//! debug mode's slow callbacks.
//!
//! CPython cases C06 and C07 of `/work/shared/CASES.md` (section A), and our
//! own tests.

mod support;

use support::handwritten::*;
use support::*;

use asyncio::{Error, EventLoop, ExceptionContext, Result};
use std::future::poll_fn;
use std::task::Poll;
use std::time::Duration;

// C06: a panicking callback goes to the exception handler and the loop keeps running.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c06_callback_error_goes_to_exception_handler() {
    let event_loop = vloop();
    let seen = record_exceptions(&event_loop);
    let log = Log::default();
    let handle = event_loop
        .call_soon(|| panic!("ZeroDivisionError"))
        .unwrap();
    event_loop.call_soon(pusher(&log, "after")).unwrap();
    run_once(&event_loop);
    assert_eq!(entries(&log), ["after"]);
    {
        let seen = seen.borrow();
        assert_eq!(seen.len(), 1, "{seen:?}");
        let report = &seen[0];
        assert!(
            report.message.starts_with("Exception in callback"),
            "{report:?}"
        );
        let exception = report.exception.as_deref().unwrap_or_default();
        assert!(exception.contains("Panicked") && exception.contains("ZeroDivisionError"));
        assert_eq!(report.handle, Some(format!("{handle:?}")));
    }
    // Back to the default handler (which prints): the loop still keeps running.
    event_loop.set_exception_handler(None::<fn(&EventLoop, &ExceptionContext)>);
    event_loop
        .call_soon(|| panic!("ZeroDivisionError"))
        .unwrap();
    event_loop.call_soon(pusher(&log, "after default")).unwrap();
    run_once(&event_loop);
    assert_eq!(entries(&log), ["after", "after default"]);
    assert_eq!(seen.borrow().len(), 1);
    // A non-callable handler (TypeError): enforced at compile time.
}

/// What the exception handler saw when a future set up by `setup` was
/// dropped.
fn reports_on_drop(setup: impl FnOnce(&asyncio::Future<i32>)) -> Vec<Reported> {
    let event_loop = vloop();
    let seen = record_exceptions(&event_loop);
    let fut = event_loop.create_future::<i32>();
    setup(&fut);
    drop(fut);
    seen.take()
}

// C07: an unretrieved future exception is reported when the future is destroyed.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c07_future_exception_never_retrieved() {
    let seen = reports_on_drop(|fut| fut.set_exception(exc("ZeroDivisionError")).unwrap());
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].message.contains("exception was never retrieved"));
    assert!(
        seen[0]
            .exception
            .as_deref()
            .unwrap()
            .contains("ZeroDivisionError")
    );
}

// C07: nothing is reported once exception() or result() was called, after cancel, or for a result.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c07_future_exception_retrieved_is_not_reported() {
    let retrieved = reports_on_drop(|fut| {
        fut.set_exception(exc("RuntimeError")).unwrap();
        assert!(fut.exception().unwrap().is_some());
    });
    assert!(retrieved.is_empty(), "{retrieved:?}");
    let result_retrieved = reports_on_drop(|fut| {
        fut.set_exception(exc("RuntimeError")).unwrap();
        assert!(fut.result().is_err());
    });
    assert!(result_retrieved.is_empty(), "{result_retrieved:?}");
    let cancelled = reports_on_drop(|fut| assert!(fut.cancel()));
    assert!(cancelled.is_empty(), "{cancelled:?}");
    let result = reports_on_drop(|fut| fut.set_result(42).unwrap());
    assert!(result.is_empty(), "{result:?}");
}

#[asyncio::coroutine]
fn fails(name: &'static str) -> Result<i32> {
    asyncio::sleep(0).await?;
    Err(exc(name))
}

// C07: a task's unretrieved exception is reported when its last handle is dropped, and only then.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c07_task_exception_never_retrieved() {
    let event_loop = vloop();
    let seen = record_exceptions(&event_loop);
    let task = event_loop.create_task(fails("ZeroDivisionError")).unwrap();
    run_once(&event_loop);
    run_once(&event_loop);
    assert!(task.done());
    assert!(seen.borrow().is_empty());
    drop(task);
    let seen = seen.take();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].message.contains("exception was never retrieved"));
    assert!(
        seen[0]
            .exception
            .as_deref()
            .unwrap()
            .contains("ZeroDivisionError")
    );

    // Retrieved with exception(): nothing to report.
    let seen = record_exceptions(&event_loop);
    let task = event_loop.create_task(fails("ZeroDivisionError")).unwrap();
    run_once(&event_loop);
    run_once(&event_loop);
    assert!(task.exception().unwrap().is_some());
    drop(task);
    assert!(seen.borrow().is_empty(), "{:?}", seen.borrow());
}

#[asyncio::coroutine]
fn wait_forever() -> Result<()> {
    let orphan = asyncio::Future::<()>::new();
    orphan.await
}

// C07: a pending task whose handles are all dropped is kept (strongly) and reported at close.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c07_pending_task_destroyed_is_reported() {
    let event_loop = vloop();
    let seen = record_exceptions(&event_loop);
    let task = event_loop.create_task(wait_forever()).unwrap();
    let name = task.name();
    run_once(&event_loop);
    drop(task);
    let alive = event_loop
        .run_until_complete(poll_fn(|_| {
            Poll::Ready(asyncio::all_tasks().iter().any(|t| t.name() == name))
        }))
        .unwrap();
    assert!(alive, "the loop keeps tasks strongly");
    assert!(seen.borrow().is_empty());
    event_loop.close().unwrap();
    let seen = seen.take();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].message, "Task was destroyed but it is pending!");
    let task = seen[0].task.as_ref().expect("the context names the task");
    assert_eq!(task.name(), name);
    assert!(task.done());
}

#[test]
fn callback_panic_does_not_stop_the_loop() {
    let event_loop = EventLoop::new().unwrap();
    let log = Trace::default();
    event_loop
        .call_soon(|| panic!("callback failure (expected by the test)"))
        .unwrap();
    event_loop.call_soon(log.pusher("after")).unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert_eq!(log.entries(), ["after"]);
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
            .any(|msg| msg.starts_with("Executing <callback loop_exceptions::debug_mode_reports_slow_callbacks::{{closure}}> took")),
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
            "Exception in callback loop_exceptions::a_callback_panic_goes_to_the_handler_and_the_loop_keeps_running::{{closure}}"
        ]
    );
}

#[asyncio::coroutine]
fn fails_with_timeout() -> asyncio::Result<()> {
    Err(Error::Timeout)
}

#[asyncio::coroutine]
fn spawn_and_forget() -> asyncio::Result<()> {
    drop(asyncio::create_task(fails_with_timeout()));
    let kept = asyncio::create_task(fails_with_timeout());
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
fn an_error_nobody_retrieved_is_reported_when_the_future_is_dropped() {
    let event_loop = EventLoop::new().unwrap();
    let seen = recording_handler(&event_loop);
    let unretrieved = event_loop.create_future::<u8>();
    unretrieved.set_exception(Error::Timeout).unwrap();
    let retrieved = event_loop.create_future::<u8>();
    retrieved.set_exception(Error::Timeout).unwrap();
    assert!(matches!(retrieved.exception(), Ok(Some(Error::Timeout))));
    let cancelled = event_loop.create_future::<u8>();
    cancelled.cancel();
    let clone = unretrieved.clone();
    drop(unretrieved);
    assert!(
        seen.borrow().is_empty(),
        "reported only when the last handle goes"
    );
    drop((clone, retrieved, cancelled));
    assert_eq!(*seen.borrow(), ["Future exception was never retrieved"]);
}
