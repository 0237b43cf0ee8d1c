//! `wait` and `as_completed`: `return_when`, timeouts, completion order,
//! never cancelling.
//!
//! CPython cases C25 and C26 of `/work/shared/CASES.md` (section D).
//! Everything runs on a virtual clock.

mod support;

use support::*;

use asyncio::{Error, Future, Result, ReturnWhen, Task};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;

// ----- D. wait / as_completed ------------------------------------------------------

#[asyncio::coroutine]
fn wait_all() -> Result<()> {
    let a = asyncio::create_task(asyncio::sleep(0.1));
    let b = asyncio::create_task(asyncio::sleep(0.15));
    let all = [a.clone(), b.clone()];
    let (done, pending) =
        asyncio::wait([b.clone(), a.clone()], None, ReturnWhen::AllCompleted).await?;
    assert_eq!(refs(&done), refs(&all));
    assert!(pending.is_empty());
    assert_time(0.15);
    // Doing it again takes no time.
    let (done, pending) = asyncio::wait([b, a], None, ReturnWhen::AllCompleted).await?;
    assert_eq!(refs(&done), refs(&all));
    assert!(pending.is_empty());
    assert_time(0.15);
    Ok(())
}

// C25: wait() returns when all are done, at t=0.15; waiting again returns at once.
#[test]
fn c25_wait_all_completed() {
    vrun(wait_all());
}

#[asyncio::coroutine]
fn fail_unit(delay: f64) -> Result<()> {
    asyncio::sleep(delay).await?;
    Err(exc("ZeroDivisionError"))
}

#[asyncio::coroutine]
fn wait_first_exception(delay: f64) -> Result<()> {
    let a = asyncio::create_task(asyncio::sleep(10));
    let b = asyncio::create_task(fail_unit(delay));
    let (done, pending) =
        asyncio::wait([b.clone(), a.clone()], None, ReturnWhen::FirstException).await?;
    assert_eq!(refs(&done), refs(std::slice::from_ref(&b)));
    assert_eq!(refs(&pending), refs(std::slice::from_ref(&a)));
    assert_time(delay);
    let err = b.exception();
    assert!(
        matches!(&err, Ok(Some(Error::InvalidState(m))) if m == "ZeroDivisionError"),
        "{err:?}"
    );
    assert!(!a.done());
    Ok(())
}

// C25: FIRST_EXCEPTION returns as soon as a task fails (already failed, or failing while waiting).
#[test]
fn c25_wait_first_exception() {
    vrun(wait_first_exception(0.0));
    vrun(wait_first_exception(0.01));
}

#[asyncio::coroutine]
fn wait_with_timeout() -> Result<()> {
    let a = asyncio::create_task(asyncio::sleep(0.1));
    let b = asyncio::create_task(asyncio::sleep(0.15));
    let (done, pending) =
        asyncio::wait([b.clone(), a.clone()], 0.11, ReturnWhen::AllCompleted).await?;
    assert_eq!(refs(&done), refs(&[a]));
    assert_eq!(refs(&pending), refs(std::slice::from_ref(&b)));
    assert_time(0.11);
    assert!(!b.done() && !b.cancelled());
    b.await?;
    assert_time(0.15);
    Ok(())
}

// C25: on timeout wait() returns what is done, and cancels nothing.
#[test]
fn c25_wait_with_timeout() {
    vrun(wait_with_timeout());
}

#[asyncio::coroutine]
fn wait_nothing() -> Result<()> {
    let outcome = asyncio::wait(Vec::<Task<()>>::new(), None, ReturnWhen::AllCompleted).await;
    assert!(
        matches!(outcome, Err(Error::InvalidState(_))),
        "{outcome:?}"
    );
    Ok(())
}

// C25: an empty set is a ValueError (bare coroutines, a TypeError, do not compile: wait takes tasks).
#[test]
fn c25_wait_errors() {
    vrun(wait_nothing());
}

#[asyncio::coroutine]
fn wait_on_new_task(waiter: Future<()>, proof: Rc<Cell<i32>>) -> Result<()> {
    let inner = asyncio::create_task(await_then_add(waiter, proof.clone(), 1));
    asyncio::wait([inner], None, ReturnWhen::AllCompleted).await?;
    proof.set(proof.get() + 100);
    Ok(())
}

// C25: cancelling the task that waits cancels only the wait; the inner task completes.
#[test]
fn c25_wait_does_not_shield_or_cancel() {
    check_outer_cancelled_inner_completes(wait_on_new_task);
}

#[asyncio::coroutine]
fn as_completed_order() -> Result<()> {
    let tasks = [
        asyncio::create_task(sleep_then(0.01, "b")),
        asyncio::create_task(sleep_then(0.15, "c")),
        asyncio::create_task(sleep_then(0.01, "a")),
    ];
    let mut completed = asyncio::as_completed(tasks, None);
    let mut values = Vec::new();
    while let Some(next) = completed.next() {
        values.push(next.await?);
    }
    assert_time(0.15);
    let first_two: BTreeSet<_> = values[..2].iter().copied().collect();
    assert_eq!(first_two, BTreeSet::from(["a", "b"]));
    assert_eq!(values[2], "c");
    Ok(())
}

// C26: as_completed yields in completion order (one iteration protocol in Rust: `next()`).
#[test]
fn c26_as_completed_order() {
    vrun(as_completed_order());
}

#[asyncio::coroutine]
fn as_completed_with_timeout() -> Result<()> {
    let a = asyncio::create_task(sleep_then(0.1, "a"));
    let b = asyncio::create_task(sleep_then(0.15, "b"));
    let mut completed = asyncio::as_completed([a.clone(), b.clone()], 0.12);
    let first = completed.next().unwrap().await;
    assert!(matches!(first, Ok("a")), "{first:?}");
    let second = completed.next().unwrap().await;
    assert!(matches!(second, Err(Error::Timeout)), "{second:?}");
    assert_time(0.12);
    assert!(!b.done() && !b.cancelled());
    Ok(())
}

// C26: as_completed's timeout raises TimeoutError at t=0.12 and cancels nothing.
#[test]
fn c26_as_completed_with_timeout() {
    vrun(as_completed_with_timeout());
}
