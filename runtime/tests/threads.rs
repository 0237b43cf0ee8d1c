//! Bridges to other threads: the executor (`run_in_executor`, `to_thread`),
//! `call_soon_threadsafe`, `run_coroutine_threadsafe`, `wrap_future`.
//!
//! CPython case C08 of `/work/shared/CASES.md` (section A), and our own tests.

mod support;

use support::*;

use asyncio::{ConcurrentFuture, Error, EventLoop, Result, ThreadPool};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, mpsc};

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

#[test]
fn call_soon_threadsafe_wakes_a_loop_blocked_in_poll() {
    let event_loop = EventLoop::new().unwrap();
    let handle = event_loop.handle();
    let log = Rc::new(RefCell::new(Vec::new()));
    let (tx, rx) = mpsc::channel::<&'static str>();
    let log2 = log.clone();
    // The loop has no timers: only the other thread's message can wake it.
    let waiter = std::thread::spawn(move || {
        handle
            .call_soon_threadsafe(move || tx.send("hello").unwrap())
            .unwrap();
        let stopper = handle.clone();
        handle
            .call_soon_threadsafe(move || {
                drop(stopper);
                asyncio::get_running_loop().unwrap().stop();
            })
            .unwrap();
    });
    event_loop
        .call_soon(move || log2.borrow_mut().push("world"))
        .unwrap();
    event_loop.run_forever().unwrap();
    waiter.join().unwrap();
    assert_eq!(rx.try_recv().unwrap(), "hello");
    assert_eq!(*log.borrow(), ["world"]);
}

#[test]
fn call_soon_threadsafe_after_close_is_an_error() {
    let event_loop = EventLoop::new().unwrap();
    let handle = event_loop.handle();
    event_loop.close().unwrap();
    let posted = std::thread::spawn(move || handle.call_soon_threadsafe(|| ()))
        .join()
        .unwrap();
    assert!(matches!(posted, Err(Error::InvalidState(_))));
}

#[test]
fn run_in_executor_runs_on_another_thread_and_catches_panics() {
    let event_loop = EventLoop::new().unwrap();
    let me = std::thread::current().id();
    let (value, thread) = event_loop
        .run_until_complete(event_loop.run_in_executor(|| ("yo", std::thread::current().id())))
        .unwrap()
        .unwrap();
    assert_eq!(value, "yo");
    assert_ne!(thread, me);
    let panicked = event_loop
        .run_until_complete(
            event_loop
                .run_in_executor(|| -> u8 { panic!("executor failure (expected by the test)") }),
        )
        .unwrap();
    assert!(matches!(panicked, Err(Error::Panicked(msg)) if msg.contains("executor failure")));
}

#[asyncio::coroutine]
fn cancel_before_start(ran: Arc<std::sync::atomic::AtomicBool>) -> asyncio::Result<bool> {
    let event_loop = asyncio::get_running_loop()?;
    // A one-thread pool kept busy, so the second job waits in the queue.
    let gate = Arc::new(Barrier::new(2));
    let blocker_gate = gate.clone();
    let blocker = event_loop.run_in_executor(move || {
        blocker_gate.wait();
    });
    let flag = ran.clone();
    let queued = asyncio::create_task(event_loop.run_in_executor(move || {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    }));
    asyncio::sleep(0).await?;
    queued.cancel();
    let outcome = queued.clone().await;
    gate.wait();
    blocker.await?;
    Ok(matches!(outcome, Err(Error::Cancelled(_))))
}

#[test]
fn cancelling_an_executor_job_before_it_starts_means_it_never_runs() {
    let event_loop = EventLoop::new().unwrap();
    event_loop.set_default_executor(ThreadPool::new(1));
    let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cancelled = event_loop
        .run_until_complete(cancel_before_start(ran.clone()))
        .unwrap()
        .unwrap();
    assert!(cancelled);
    event_loop.shutdown_default_executor();
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
}

#[asyncio::coroutine]
fn add_later(a: i32, b: i32) -> asyncio::Result<i32> {
    asyncio::sleep(0.001).await?;
    Ok(a + b)
}

#[asyncio::coroutine]
fn forever(
    log: Arc<std::sync::Mutex<Vec<String>>>,
    started: mpsc::Sender<()>,
) -> asyncio::Result<()> {
    started.send(()).unwrap();
    let outcome = asyncio::sleep(3600.0).await;
    log.lock().unwrap().push(format!("{outcome:?}"));
    outcome
}

#[test]
fn run_coroutine_threadsafe_returns_the_result_and_cancels_the_task() {
    let event_loop = EventLoop::new().unwrap();
    let handle = event_loop.handle();
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log2 = log.clone();
    let client = std::thread::spawn(move || {
        let sum = asyncio::run_coroutine_threadsafe(|| add_later(2, 3), &handle).result();
        let (started, has_started) = mpsc::channel();
        let stuck = asyncio::run_coroutine_threadsafe(move || forever(log2, started), &handle);
        has_started.recv().unwrap();
        assert!(stuck.cancel());
        let stuck_result = stuck.result();
        handle
            .call_soon_threadsafe(|| asyncio::get_running_loop().unwrap().stop())
            .unwrap();
        (sum, stuck_result)
    });
    event_loop.run_forever().unwrap();
    let (sum, stuck) = client.join().unwrap();
    assert_eq!(sum.unwrap(), 5);
    assert!(matches!(stuck, Err(Error::Cancelled(_))));
    // The task saw its cancellation at its await (it may need one more
    // iteration to run).
    event_loop
        .run_until_complete(asyncio::sleep(0))
        .unwrap()
        .unwrap();
    assert_eq!(log.lock().unwrap().as_slice(), ["Err(Cancelled(None))"]);
}

#[test]
fn run_coroutine_threadsafe_on_a_closed_loop_fails() {
    let event_loop = EventLoop::new().unwrap();
    let handle = event_loop.handle();
    event_loop.close().unwrap();
    let result = asyncio::run_coroutine_threadsafe(|| add_later(1, 1), &handle).result();
    assert!(matches!(result, Err(Error::InvalidState(_))));
}

#[asyncio::coroutine]
fn await_wrapped(fut: ConcurrentFuture<u32>) -> asyncio::Result<u32> {
    asyncio::wrap_future(fut).await
}

#[test]
fn wrap_future_cancellation_cancels_a_pending_concurrent_future_only() {
    asyncio::run(wrap_cases()).unwrap();
}

#[asyncio::coroutine]
fn wrap_cases() -> asyncio::Result<()> {
    // Pending: cancelling the awaiting task cancels the concurrent future.
    let pending = ConcurrentFuture::new();
    let waiter = asyncio::create_task(await_wrapped(pending.clone()));
    asyncio::sleep(0).await?;
    waiter.cancel();
    assert!(matches!(waiter.clone().await, Err(Error::Cancelled(_))));
    assert!(pending.cancelled());
    // Already done: only the wrapper is cancelled, the result stays.
    let done = ConcurrentFuture::new();
    done.set_result(42)?;
    let waiter = asyncio::create_task(await_wrapped(done.clone()));
    waiter.cancel();
    assert!(matches!(waiter.clone().await, Err(Error::Cancelled(_))));
    assert!(!done.cancelled());
    assert_eq!(done.result()?, 42);
    // Settled by a thread.
    let threaded = ConcurrentFuture::new();
    let setter = threaded.clone();
    std::thread::spawn(move || setter.set_result(7).unwrap());
    assert_eq!(await_wrapped(threaded).await?, 7);
    Ok(())
}

#[test]
fn to_thread_needs_a_running_loop() {
    let orphan = asyncio::to_thread(|| 1);
    let result = EventLoop::new()
        .unwrap()
        .run_until_complete(orphan)
        .unwrap();
    assert!(matches!(result, Err(Error::InvalidState(_))));
}
