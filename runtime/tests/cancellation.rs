//! Cancelling tasks: `cancel()` on a sleeping task, cancellation caught or
//! ignored at an await, cancelling the future a task waits on, chains of
//! awaits, cancel messages.
//!
//! CPython cases C12-C18 of `/work/shared/CASES.md` (section C). Most tests
//! drive a loop with a virtual clock by hand, one iteration at a time, as
//! CPython's `test_utils.run_briefly` does.

mod support;

use support::*;

use asyncio::{Error, Future, Result, ReturnWhen};
use std::cell::Cell;
use std::rc::Rc;

// C12: cancel() from a callback ends a sleeping task cancelled, and cancels its timer.
#[test]
fn c12_cancel_sleeping_task() {
    let event_loop = vloop();
    let task = event_loop.create_task(sleep_then(10.0, 12)).unwrap();
    let cancel = task.task_ref().clone();
    event_loop
        .call_soon(move || assert!(cancel.cancel()))
        .unwrap();
    let outcome = event_loop.run_until_complete(task.clone()).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(task.done() && task.cancelled());
    assert!(!task.cancel());
    assert_eq!(event_loop.time(), 0.0);
}

// C12: the sleep's timer handle is cancelled when the task is.
#[test]
fn c12_sleep_cancel_cancels_timer() {
    let event_loop = vloop();
    let task = event_loop.create_task(sleep_then(10.0, 12)).unwrap();
    run_once(&event_loop);
    assert_eq!(event_loop.scheduled_timers(), 1);
    task.cancel();
    run_once(&event_loop);
    assert!(task.cancelled());
    assert_eq!(event_loop.scheduled_timers(), 0);
}

// C12: cancel() returns true while pending (twice, counting up cancelling()), false once done.
#[test]
fn c12_cancelling_counts_requests() {
    let event_loop = vloop();
    let task = event_loop.create_task(sleep_then(10.0, 12)).unwrap();
    assert_eq!(task.cancelling(), 0);
    assert!(!format!("{task:?}").contains("cancelling"));
    assert!(task.cancel());
    assert_eq!(task.cancelling(), 1);
    assert!(format!("{task:?}").contains("cancelling"));
    assert!(task.cancel());
    assert_eq!(task.cancelling(), 2);
    let outcome = event_loop.run_until_complete(task.clone()).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(task.cancelled());
    assert!(!task.cancel());
}

#[asyncio::coroutine]
fn catch_at_second(fut1: Future<()>, fut2: Future<()>) -> Result<i32> {
    fut1.await?;
    match fut2.await {
        Err(Error::Cancelled(_)) => Ok(42),
        other => other.map(|()| 0),
    }
}

// C13: task.cancel() cancels fut2, the future the task waits on, at once
// (not at the task's next step); the cancellation arrives at the await on
// fut2, where it is caught: the task returns 42.
#[test]
fn c13_cancel_caught_at_await() {
    let event_loop = vloop();
    let (fut1, fut2) = (event_loop.create_future(), event_loop.create_future());
    let task = event_loop
        .create_task(catch_at_second(fut1.clone(), fut2.clone()))
        .unwrap();
    run_once(&event_loop);
    fut1.set_result(()).unwrap();
    run_once(&event_loop);
    assert!(task.cancel());
    assert!(fut2.cancelled());
    assert_eq!(
        event_loop
            .run_until_complete(task.clone())
            .unwrap()
            .unwrap(),
        42
    );
    assert!(!task.cancelled());
}

#[asyncio::coroutine]
fn ignore_at_second(fut1: Future<()>, fut2: Future<()>, fut3: Future<i32>) -> Result<i32> {
    fut1.await?;
    if let Err(err) = fut2.await {
        if !err.is_cancelled() {
            return Err(err);
        }
    }
    fut3.await
}

// C13: a task that swallows the cancellation carries on to fut3 and returns its result.
#[test]
fn c13_cancel_ignored_task_carries_on() {
    let event_loop = vloop();
    let (fut1, fut2, fut3) = (
        event_loop.create_future(),
        event_loop.create_future(),
        event_loop.create_future(),
    );
    let task = event_loop
        .create_task(ignore_at_second(fut1.clone(), fut2.clone(), fut3.clone()))
        .unwrap();
    run_once(&event_loop);
    fut1.set_result(()).unwrap();
    run_once(&event_loop);
    assert!(task.cancel());
    run_once(&event_loop);
    assert!(fut2.cancelled());
    assert!(!task.done());
    fut3.set_result(42).unwrap();
    assert_eq!(
        event_loop
            .run_until_complete(task.clone())
            .unwrap()
            .unwrap(),
        42
    );
    assert!(!fut3.cancelled());
    assert!(!task.cancelled());
}

#[asyncio::coroutine]
fn await_future(fut: Future<i32>) -> Result<i32> {
    let value = fut.await?;
    Ok(value + 12)
}

/// Starts a task awaiting a fresh future, lets it suspend, applies `cancel`,
/// and checks that both end cancelled.
fn check_inner_cancel(cancel: impl FnOnce(&Future<i32>, &asyncio::Task<i32>)) {
    let event_loop = vloop();
    let fut = event_loop.create_future();
    let task = event_loop.create_task(await_future(fut.clone())).unwrap();
    run_once(&event_loop);
    cancel(&fut, &task);
    let outcome = event_loop.run_until_complete(task.clone()).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(task.done() && task.cancelled());
    assert!(fut.cancelled());
}

// C14: cancelling the future a task awaits cancels the task.
#[test]
fn c14_cancel_inner_future() {
    check_inner_cancel(|fut, _| assert!(fut.cancel()));
}

// C14: cancelling both the inner future and the task.
#[test]
fn c14_cancel_both_task_and_inner_future() {
    check_inner_cancel(|fut, task| {
        assert!(fut.cancel());
        assert!(task.cancel());
    });
}

// C14: cancelling the task cancels the future it waits on (the "waiting on" pointer is internal).
#[test]
fn c14_task_cancel_waiter_future() {
    check_inner_cancel(|_, task| assert!(task.cancel()));
}

#[asyncio::coroutine]
fn inner_adds_one(waiter: Future<()>, proof: Rc<Cell<i32>>) -> Result<()> {
    match waiter.await {
        Err(err) if err.is_cancelled() => {
            proof.set(proof.get() + 1);
            Err(err)
        }
        Err(err) => Err(err),
        Ok(()) => panic!("got past the waiter in inner()"),
    }
}

#[asyncio::coroutine]
fn outer_adds_hundred(waiter: Future<()>, proof: Rc<Cell<i32>>) -> Result<()> {
    match inner_adds_one(waiter, proof.clone()).await {
        Err(err) if err.is_cancelled() => proof.set(proof.get() + 100),
        Err(err) => return Err(err),
        Ok(()) => proof.set(proof.get() + 10),
    }
    Ok(())
}

// C17: a cancellation passes through a chain of awaits and can be handled at every level.
#[test]
fn c17_cancel_passes_through_await_chain() {
    let event_loop = vloop();
    let waiter = event_loop.create_future();
    let proof = Rc::new(Cell::new(0));
    let task = event_loop
        .create_task(outer_adds_hundred(waiter.clone(), proof.clone()))
        .unwrap();
    run_once(&event_loop);
    assert!(task.cancel());
    event_loop
        .run_until_complete(task.clone())
        .unwrap()
        .unwrap();
    assert_eq!(proof.get(), 101);
    assert!(waiter.cancelled());
    assert!(!task.cancelled());
}

#[asyncio::coroutine]
fn cancel_before_start() -> Result<()> {
    let task = asyncio::create_task(asyncio::sleep(10));
    // Deliberately no yield: the task never starts.
    task.cancel_with("my message");
    asyncio::wait([task.clone()], None, ReturnWhen::AllCompleted).await?;
    task.exception()?;
    Ok(())
}

// C18: a message given to cancel() before the task ever ran reaches whoever awaits it.
#[test]
fn c18_cancel_message_before_starting_task() {
    let event_loop = vloop();
    let task = event_loop.create_task(cancel_before_start()).unwrap();
    let outcome = event_loop.run_until_complete(task).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert_eq!(outcome.unwrap_err().cancel_message(), Some("my message"));
}

#[asyncio::coroutine]
fn gather_in_a_loop() -> Result<()> {
    let mut time = 0.0;
    loop {
        time += 0.05;
        asyncio::gather([asyncio::sleep(0.05)])
            .return_exceptions()
            .await?;
        if time > 1.0 {
            return Ok(());
        }
    }
}

#[asyncio::coroutine]
fn cancel_gathering_task(msg: Option<&'static str>) -> Result<()> {
    let qwe = asyncio::create_task(gather_in_a_loop());
    asyncio::sleep(0.2).await?;
    match msg {
        Some(msg) => qwe.cancel_with(msg),
        None => qwe.cancel(),
    };
    qwe.await
}

// C18: a cancel message passes through gather(...) unchanged to the caller.
#[test]
fn c18_cancel_message_through_gather() {
    // Messages are strings in Rust: the `cancel(5)` round trip has no counterpart.
    for msg in [None, Some("my message")] {
        let outcome = vloop()
            .run_until_complete(cancel_gathering_task(msg))
            .unwrap();
        assert!(is_cancelled(&outcome), "{outcome:?}");
        assert_eq!(outcome.unwrap_err().cancel_message(), msg);
    }
    // not ported: Condition re-raises the same CancelledError instance (section G).
}
