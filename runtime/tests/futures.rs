//! `asyncio::Future`: the state machine, settling, awaiting, done callbacks.
//!
//! CPython case C10 of `/work/shared/CASES.md` (section B), and our own
//! tests. (Unretrieved errors are in `loop_exceptions.rs`.)

mod support;

use support::*;

use asyncio::{Error, EventLoop, Future};
use std::cell::RefCell;
use std::rc::Rc;

// ----- B. Futures --------------------------------------------------------------

// C10: a pending future has neither result nor exception.
#[test]
fn c10_future_pending() {
    let fut = vloop().create_future::<i32>();
    assert!(!fut.done() && !fut.cancelled());
    assert!(matches!(fut.result(), Err(Error::InvalidState(_))));
    assert!(matches!(fut.exception(), Err(Error::InvalidState(_))));
}

// C10: after set_result(42) the future is settled for good.
#[test]
fn c10_future_result() {
    let fut = vloop().create_future::<i32>();
    fut.set_result(42).unwrap();
    assert!(fut.done() && !fut.cancelled());
    assert_eq!(fut.result().unwrap(), 42);
    assert!(fut.exception().unwrap().is_none());
    assert!(!fut.cancel());
    assert!(matches!(fut.set_result(1), Err(Error::InvalidState(_))));
    assert!(matches!(
        fut.set_exception(exc("RuntimeError")),
        Err(Error::InvalidState(_))
    ));
}

// C10: after set_exception the future raises it from result() and returns it from exception().
#[test]
fn c10_future_exception() {
    let fut = vloop().create_future::<i32>();
    fut.set_exception(exc("RuntimeError")).unwrap();
    assert!(fut.done() && !fut.cancelled());
    assert!(matches!(fut.result(), Err(Error::InvalidState(m)) if m == "RuntimeError"));
    assert!(matches!(fut.exception(), Ok(Some(Error::InvalidState(m))) if m == "RuntimeError"));
    assert!(!fut.cancel());
    assert!(matches!(fut.set_result(1), Err(Error::InvalidState(_))));
}

// C10: after cancel() the future is cancelled and done, and refuses everything else.
#[test]
fn c10_future_cancel() {
    let fut = vloop().create_future::<i32>();
    assert!(fut.cancel());
    assert!(fut.cancelled() && fut.done());
    assert!(is_cancelled(&fut.result()));
    assert!(matches!(fut.exception(), Err(Error::Cancelled(_))));
    assert!(matches!(fut.set_result(1), Err(Error::InvalidState(_))));
    assert!(matches!(
        fut.set_exception(exc("RuntimeError")),
        Err(Error::InvalidState(_))
    ));
    assert!(!fut.cancel());
}

#[test]
fn done_callbacks_run_through_the_loop_in_order() {
    let event_loop = EventLoop::new().unwrap();
    let fut = event_loop.create_future::<u8>();
    let log = Rc::new(RefCell::new(Vec::new()));
    for name in ["first", "second", "third"] {
        let log = log.clone();
        fut.add_done_callback(move |fut| log.borrow_mut().push((name, fut.result().unwrap())));
    }
    let removed = fut.add_done_callback(|_| unreachable!("removed"));
    assert_eq!(fut.remove_done_callback(removed), 1);
    fut.set_result(5).unwrap();
    // Never inline: nothing ran yet.
    assert!(log.borrow().is_empty());
    event_loop
        .run_until_complete(asyncio::sleep(0))
        .unwrap()
        .unwrap();
    assert_eq!(*log.borrow(), [("first", 5), ("second", 5), ("third", 5)]);
}

#[asyncio::coroutine]
fn wait_on(fut: Future<String>) -> asyncio::Result<String> {
    fut.await
}

#[asyncio::coroutine]
fn two_awaiters() -> asyncio::Result<(String, String)> {
    let fut = Future::new();
    let a = asyncio::create_task(wait_on(fut.clone()));
    let b = asyncio::create_task(wait_on(fut.clone()));
    asyncio::sleep(0).await?;
    fut.set_result("shared".to_owned())?;
    Ok((a.await?, b.await?))
}

#[test]
fn every_awaiter_gets_the_result() {
    let (a, b) = asyncio::run(two_awaiters()).unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("shared", "shared"));
}

#[asyncio::coroutine]
fn cancel_awaiter() -> asyncio::Result<(bool, bool)> {
    let fut = Future::<u8>::new();
    let waiter = asyncio::create_task(wait_on_u8(fut.clone()));
    asyncio::sleep(0).await?;
    waiter.cancel_with("stop");
    let outcome = waiter.clone().await;
    let message_kept = matches!(&outcome, Err(err) if err.cancel_message() == Some("stop"));
    Ok((fut.cancelled(), message_kept))
}

#[asyncio::coroutine]
fn wait_on_u8(fut: Future<u8>) -> asyncio::Result<u8> {
    fut.await
}

#[test]
fn cancelling_the_awaiting_task_cancels_the_future() {
    assert_eq!(asyncio::run(cancel_awaiter()).unwrap(), (true, true));
}

#[test]
fn the_state_machine() {
    // CASES C10 in full is in the c10_ tests above; this checks the messages.
    let fut = Future::<u8>::new();
    assert!(matches!(fut.result(), Err(Error::InvalidState(_))));
    assert!(fut.cancel_with("why"));
    assert!(matches!(fut.result(), Err(err) if err.cancel_message() == Some("why")));
    assert!(matches!(fut.exception(), Err(Error::Cancelled(_))));
    assert!(fut.set_exception(Error::Timeout).is_err());
}
