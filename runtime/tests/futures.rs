//! `asyncio::Future`: settling, awaiting, callbacks, unretrieved errors.

mod support;

use support::*;

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Error, EventLoop, Future};

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

#[test]
fn the_state_machine() {
    // CASES C10 in full is in cases_tasks.rs; this checks the messages.
    let fut = Future::<u8>::new();
    assert!(matches!(fut.result(), Err(Error::InvalidState(_))));
    assert!(fut.cancel_with("why"));
    assert!(matches!(fut.result(), Err(err) if err.cancel_message() == Some("why")));
    assert!(matches!(fut.exception(), Err(Error::Cancelled(_))));
    assert!(fut.set_exception(Error::Timeout).is_err());
}
