//! Behaviour cases of `/work/shared/CASES.md`, sections A (event loop core)
//! and K (runners), ported from CPython's `test_asyncio`.

mod support;

use support::*;

use std::cell::RefCell;
use std::future::{poll_fn, ready};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::Poll;
use std::time::Duration;

use asyncio::{
    ConcurrentFuture, Error, EventLoop, ExceptionContext, Result, Runner, TaskRef, ThreadPool,
};

// ----- helpers ---------------------------------------------------------------

type Log = Rc<RefCell<Vec<String>>>;

/// A callback that records `entry` in `log`.
fn pusher(log: &Log, entry: &str) -> impl FnOnce() + 'static {
    let (log, entry) = (log.clone(), entry.to_owned());
    move || log.borrow_mut().push(entry)
}

fn entries(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

fn assert_time(event_loop: &EventLoop, expected: f64) {
    let t = event_loop.time();
    assert!(
        (t - expected).abs() < 1e-9,
        "loop time {t}, expected {expected}"
    );
}

/// What reached the exception handler.
#[derive(Debug)]
struct Reported {
    message: String,
    exception: Option<String>,
    task: Option<TaskRef>,
    handle: Option<String>,
}

/// Installs an exception handler that records every context.
fn record_exceptions(event_loop: &EventLoop) -> Rc<RefCell<Vec<Reported>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    record_into(event_loop, seen.clone());
    seen
}

/// Installs an exception handler that records every context into `sink`.
fn record_into(event_loop: &EventLoop, sink: Rc<RefCell<Vec<Reported>>>) {
    event_loop.set_exception_handler(Some(move |_: &EventLoop, ctx: &ExceptionContext| {
        sink.borrow_mut().push(Reported {
            message: ctx.message.clone(),
            exception: ctx.exception.as_ref().map(|err| format!("{err:?}")),
            task: ctx.task.clone(),
            handle: ctx.handle.as_ref().map(|handle| format!("{handle:?}")),
        });
    }));
}

/// Aborts the test binary if `done` is not set within a minute, so that a
/// loop that never wakes up fails instead of hanging (never fires when the
/// test passes).
fn watchdog(done: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        for _ in 0..600 {
            if done.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("watchdog: the event loop was never woken up");
        std::process::abort();
    });
}

// ----- A. Event loop core ------------------------------------------------------

/// Results shared with callbacks that other threads post.
type Shared = Arc<Mutex<Vec<&'static str>>>;

/// asyncio's test callback: records its argument; the second call stops the
/// loop it runs on.
fn callback(results: &Shared, arg: &'static str) -> impl FnOnce() + Send + 'static {
    let results = results.clone();
    move || {
        let mut results = results.lock().unwrap();
        results.push(arg);
        if results.len() >= 2 {
            asyncio::get_running_loop().unwrap().stop();
        }
    }
}

// C01: call_soon is FIFO; call_soon_threadsafe from the loop thread keeps its place.
#[test]
fn c01_call_soon_fifo_with_threadsafe_same_thread() {
    let event_loop = vloop();
    let results = Shared::default();
    let handle = event_loop.handle();
    handle
        .call_soon_threadsafe(callback(&results, "hello"))
        .unwrap();
    event_loop.call_soon(callback(&results, "world")).unwrap();
    event_loop.run_forever().unwrap();
    assert_eq!(*results.lock().unwrap(), ["hello", "world"]);
}

// C01: a callback another thread posted before the loop thread's call_soon runs first.
#[test]
fn c01_call_soon_threadsafe_from_other_thread_keeps_order() {
    let event_loop = vloop();
    let results = Shared::default();
    let handle = event_loop.handle();
    let hello = callback(&results, "hello");
    std::thread::spawn(move || handle.call_soon_threadsafe(hello).unwrap())
        .join()
        .unwrap();
    event_loop.call_soon(callback(&results, "world")).unwrap();
    event_loop.run_forever().unwrap();
    assert_eq!(*results.lock().unwrap(), ["hello", "world"]);
}

// C01: call_soon_threadsafe from another thread wakes a loop blocked polling (no timers).
#[test]
fn c01_call_soon_threadsafe_wakes_blocked_loop() {
    let event_loop = EventLoop::new().unwrap();
    let results = Shared::default();
    let (started_tx, started_rx) = mpsc::channel();
    let handle = event_loop.handle();
    let hello = callback(&results, "hello");
    let thread = std::thread::spawn(move || {
        started_rx.recv().unwrap();
        handle.call_soon_threadsafe(hello).unwrap();
    });
    let world = callback(&results, "world");
    event_loop
        .call_soon(move || {
            world();
            started_tx.send(()).unwrap();
        })
        .unwrap();
    let woken = Arc::new(AtomicBool::new(false));
    watchdog(woken.clone());
    event_loop.run_forever().unwrap();
    woken.store(true, Ordering::SeqCst);
    thread.join().unwrap();
    assert_eq!(*results.lock().unwrap(), ["world", "hello"]);
}

// C02: timers run in deadline order, even when their deadlines are already past.
#[test]
fn c02_past_timers_run_in_deadline_order() {
    let event_loop = vloop();
    let log = Log::default();
    event_loop.call_later(-1, pusher(&log, "a")).unwrap();
    event_loop.call_later(-2, pusher(&log, "b")).unwrap();
    run_once(&event_loop);
    assert_eq!(entries(&log), ["b", "a"]);
    // `call_later(None, ..)` and `call_at(None, ..)` (TypeError): enforced at
    // compile time, the delay is a `Delay` and the deadline an `f64`.
}

// C03: one iteration drops cancelled timers and waits until the earliest live one.
#[test]
fn c03_run_once_skips_cancelled_timers() {
    let event_loop = vloop();
    let log = Log::default();
    let h1 = event_loop.call_later(5, pusher(&log, "h1")).unwrap();
    let stopper = event_loop.clone();
    let h2 = pusher(&log, "h2");
    event_loop
        .call_later(10, move || {
            h2();
            stopper.stop();
        })
        .unwrap();
    h1.cancel();
    assert_eq!(event_loop.scheduled_timers(), 1);
    let before = event_loop.iterations();
    event_loop.run_forever().unwrap();
    // The one poll waited 10 s (the virtual clock jumped by the poll timeout).
    assert_eq!(event_loop.iterations() - before, 1);
    assert_time(&event_loop, 10.0);
    assert_eq!(entries(&log), ["h2"]);
}

#[asyncio::coroutine]
fn tiny_sleeps() -> Result<()> {
    for delay in [1e-2, 1e-4, 1e-6, 1e-8, 1e-10] {
        asyncio::sleep(delay).await?;
    }
    Ok(())
}

// C03: tiny timeouts do not make the loop spin (real clock: a slow machine only lowers the count).
#[test]
fn c03_tiny_timeouts_do_not_spin() {
    let event_loop = EventLoop::new().unwrap();
    event_loop
        .run_until_complete(tiny_sleeps())
        .unwrap()
        .unwrap();
    let iterations = event_loop.iterations();
    assert!(iterations <= 20, "{iterations} iterations (ideal: 12)");
}

#[asyncio::coroutine]
fn run_nested(event_loop: EventLoop) -> Result<()> {
    let nested = event_loop.run_until_complete(asyncio::sleep(0));
    assert!(matches!(nested, Err(Error::InvalidState(_))), "{nested:?}");
    asyncio::sleep(0).await
}

// C05: run_until_complete inside the running loop is a RuntimeError.
#[test]
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

// C06: a panicking callback goes to the exception handler and the loop keeps running.
#[test]
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

// C08: run_in_executor runs the function on another thread and returns its result.
#[test]
fn c08_run_in_executor() {
    let event_loop = EventLoop::new().unwrap();
    let arg = String::from("yo");
    let (res, thread) = event_loop
        .run_until_complete(event_loop.run_in_executor(move || (arg, std::thread::current().id())))
        .unwrap()
        .unwrap();
    assert_eq!(res, "yo");
    assert_ne!(thread, std::thread::current().id());
}

// C08: cancelling the awaiter of run_in_executor before f starts: f never runs, nothing comes back.
#[test]
fn c08_run_in_executor_cancel() {
    let event_loop = EventLoop::new().unwrap();
    event_loop.set_default_executor(ThreadPool::new(1));
    // Occupy the only worker, so that f stays queued.
    let (release, blocked) = mpsc::channel::<()>();
    let blocker = event_loop.run_in_executor(move || blocked.recv().ok());
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let wrapped = event_loop.run_in_executor(move || flag.store(true, Ordering::SeqCst));
    let concurrent = wrapped.concurrent().clone();
    let task = event_loop.create_task(wrapped).unwrap();
    run_once(&event_loop);
    assert!(task.cancel());
    let outcome = event_loop.run_until_complete(task.clone()).unwrap();
    assert!(matches!(outcome, Err(Error::Cancelled(_))), "{outcome:?}");
    assert!(concurrent.cancelled());
    drop(blocker);
    event_loop.close().unwrap();
    release.send(()).unwrap();
    event_loop.shutdown_default_executor();
    assert!(!ran.load(Ordering::SeqCst), "a cancelled job must not run");
}

#[asyncio::coroutine]
fn to_thread_cases() -> Result<()> {
    let (word, flag) = ("a".to_owned(), true);
    let got = asyncio::to_thread(move || format!("{word} k={flag}")).await?;
    assert_eq!(got, "a k=true");
    let failed = asyncio::to_thread(|| -> i32 { panic!("ZeroDivisionError") }).await;
    assert!(
        matches!(&failed, Err(Error::Panicked(msg)) if msg.contains("ZeroDivisionError")),
        "{failed:?}"
    );
    Ok(())
}

// C08: to_thread forwards arguments and re-raises f's exception in the awaiting task.
#[test]
fn c08_to_thread_args_and_exception() {
    // not ported: to_thread sees the caller's contextvars (no contextvars yet)
    EventLoop::new()
        .unwrap()
        .run_until_complete(to_thread_cases())
        .unwrap()
        .unwrap();
}

// C08: cancelling a wrap_future wrapper cancels the concurrent future too.
#[test]
fn c08_wrap_future_cancel() {
    let event_loop = vloop();
    let concurrent = ConcurrentFuture::<i32>::new();
    let task = event_loop
        .create_task(asyncio::wrap_future(concurrent.clone()))
        .unwrap();
    run_once(&event_loop);
    assert!(task.cancel());
    let outcome = event_loop.run_until_complete(task.clone()).unwrap();
    assert!(matches!(outcome, Err(Error::Cancelled(_))), "{outcome:?}");
    assert!(task.cancelled());
    assert!(concurrent.cancelled());
}

// C08: if the concurrent future already has its result, only the wrapper is cancelled.
#[test]
fn c08_wrap_future_cancel_after_result() {
    let event_loop = vloop();
    let concurrent = ConcurrentFuture::<i32>::new();
    let task = event_loop
        .create_task(asyncio::wrap_future(concurrent.clone()))
        .unwrap();
    run_once(&event_loop);
    concurrent.set_result(42).unwrap();
    assert!(task.cancel());
    let outcome = event_loop.run_until_complete(task.clone()).unwrap();
    assert!(matches!(outcome, Err(Error::Cancelled(_))), "{outcome:?}");
    assert!(task.cancelled());
    assert!(!concurrent.cancelled());
    assert_eq!(concurrent.result().unwrap(), 42);
}

// C09: not ported: signal handlers (no add_signal_handler yet).

// ----- K. Runners ----------------------------------------------------------------

#[asyncio::coroutine]
fn leave_task_behind(slot: Rc<RefCell<Option<TaskRef>>>, fail_on_cancel: bool) -> Result<i32> {
    let leftover = asyncio::create_task(leftover(fail_on_cancel));
    *slot.borrow_mut() = Some(leftover.task_ref().clone());
    Ok(123)
}

#[asyncio::coroutine]
fn leftover(fail_on_cancel: bool) -> Result<()> {
    match asyncio::sleep(0.1).await {
        Err(Error::Cancelled(_)) if fail_on_cancel => Err(exc("ZeroDivisionError")),
        other => other,
    }
}

// C59: after main returns, run() cancels the task it left behind and lets it finish.
#[test]
fn c59_run_cancels_hanging_tasks() {
    let slot = Rc::new(RefCell::new(None));
    assert_eq!(
        asyncio::run(leave_task_behind(slot.clone(), false)).unwrap(),
        123
    );
    let leftover = slot.take().unwrap();
    assert!(leftover.done());
    assert!(leftover.cancelled());
}

#[asyncio::coroutine]
fn leave_failing_task(
    slot: Rc<RefCell<Option<TaskRef>>>,
    seen: Rc<RefCell<Vec<Reported>>>,
) -> Result<i32> {
    record_into(&asyncio::get_running_loop()?, seen);
    leave_task_behind(slot, true).await
}

// C59: a leftover task that fails while handling its cancellation is reported; run() still returns.
#[test]
fn c59_run_reports_hanging_task_errors() {
    let slot = Rc::new(RefCell::new(None));
    let seen = Rc::new(RefCell::new(Vec::new()));
    assert_eq!(
        asyncio::run(leave_failing_task(slot.clone(), seen.clone())).unwrap(),
        123
    );
    let leftover = slot.take().unwrap();
    assert!(leftover.done());
    let seen = seen.take();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let report = &seen[0];
    assert!(
        report.message.contains("asyncio.run") && report.message.contains("shutdown"),
        "{report:?}"
    );
    assert_eq!(report.task.as_ref(), Some(&leftover));
    assert!(
        report
            .exception
            .as_deref()
            .unwrap()
            .contains("ZeroDivisionError")
    );
    // not ported: async generators are finalised after the leftover tasks (no async generators)
}

#[asyncio::coroutine]
fn answer(value: Result<i32>) -> Result<i32> {
    asyncio::sleep(0).await?;
    value
}

/// Asserts that running a loop from inside one failed as asyncio says.
fn assert_refused_inside_loop(nested: Result<()>) {
    assert!(
        matches!(&nested, Err(Error::InvalidState(msg))
            if msg.contains("cannot be called from a running event loop")),
        "{nested:?}"
    );
}

#[asyncio::coroutine]
fn run_inside_run() -> Result<()> {
    assert_refused_inside_loop(asyncio::run(asyncio::sleep(0)));
    Ok(())
}

// C59: run() returns main's value, re-raises main's exception, and refuses a running loop.
#[test]
fn c59_run_contract() {
    assert_eq!(asyncio::run(answer(Ok(42))).unwrap(), 42);
    let raised = asyncio::run(answer(Err(Error::InvalidState("spam".into()))));
    assert!(
        matches!(&raised, Err(Error::InvalidState(msg)) if msg == "spam"),
        "{raised:?}"
    );
    asyncio::run(run_inside_run()).unwrap();
    // A non-coroutine argument (ValueError): enforced at compile time, run() takes a Future.
}

#[asyncio::coroutine]
fn runner_inside_run() -> Result<()> {
    assert_refused_inside_loop(Runner::new().run(asyncio::sleep(0)));
    Ok(())
}

// C60: Runner.run from inside a run, or after close, is a RuntimeError.
#[test]
fn c60_runner_recursive_run_and_use_after_close() {
    // not ported: SIGINT / KeyboardInterrupt handling (no signal API yet)
    // not ported: Runner.run keeps contextvars across calls (no contextvars yet)
    let mut runner = Runner::new().virtual_clock(true);
    // The same runner cannot be re-entered at all (`run` takes `&mut self`):
    // another runner on the same thread stands in for the recursive call.
    runner.run(runner_inside_run()).unwrap();
    runner.close().unwrap();
    assert!(matches!(
        runner.run(asyncio::sleep(0)),
        Err(Error::InvalidState(_))
    ));
}
