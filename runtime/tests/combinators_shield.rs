//! `shield`: cancelling the outer leaves the inner running, and shield
//! combined with `gather` and `wait_for`.
//!
//! CPython case C27 of `/work/shared/CASES.md` (section D). Everything runs
//! on a virtual clock.

mod support;

use support::*;

use asyncio::{Error, Future, Result, Task};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

// ----- D. shield ----------------------------------------------------------------------

#[asyncio::coroutine]
fn shielded_inner(waiter: Future<()>, proof: Rc<Cell<i32>>) -> Result<()> {
    asyncio::shield(await_then_add(waiter, proof.clone(), 1)).await?;
    proof.set(proof.get() + 100);
    Ok(())
}

// C27: cancelling a task that awaits shield(inner()) cancels it, while inner completes.
#[test]
fn c27_shield_effect() {
    check_outer_cancelled_inner_completes(shielded_inner);
}

#[asyncio::coroutine]
fn shield_of(fut: Future<i32>) -> Result<i32> {
    asyncio::shield(fut).await
}

// C27: if inner itself is cancelled, the outer is cancelled too.
#[test]
fn c27_shield_cancel_inner() {
    let event_loop = vloop();
    let inner = event_loop.create_future();
    let outer = event_loop.create_task(shield_of(inner.clone())).unwrap();
    run_once(&event_loop);
    assert!(inner.cancel());
    run_briefly(&event_loop);
    assert!(outer.cancelled());
}

// C27: cancelling the outer leaves inner untouched.
#[test]
fn c27_shield_cancel_outer() {
    let event_loop = vloop();
    let inner = event_loop.create_future();
    let outer = event_loop.create_task(shield_of(inner.clone())).unwrap();
    run_once(&event_loop);
    assert!(outer.cancel());
    run_briefly(&event_loop);
    assert!(outer.cancelled());
    assert!(!inner.done());
    inner.set_result(1).unwrap();
}

// C27: the result or the exception of inner passes through; a done future's result comes directly.
#[test]
fn c27_shield_result_and_exception() {
    let event_loop = vloop();
    let inner = event_loop.create_future();
    let outer = event_loop.create_task(shield_of(inner.clone())).unwrap();
    inner.set_result(42).unwrap();
    assert_eq!(event_loop.run_until_complete(outer).unwrap().unwrap(), 42);

    let inner = event_loop.create_future();
    let outer = event_loop.create_task(shield_of(inner.clone())).unwrap();
    run_once(&event_loop);
    inner.set_exception(exc("ZeroDivisionError")).unwrap();
    run_briefly(&event_loop);
    let err = outer.exception();
    assert!(
        matches!(&err, Ok(Some(Error::InvalidState(m))) if m == "ZeroDivisionError"),
        "{err:?}"
    );

    // shield(already done future)
    let done = event_loop.create_future();
    done.set_result(42).unwrap();
    let outer = event_loop.create_task(shield_of(done)).unwrap();
    assert_eq!(event_loop.run_until_complete(outer).unwrap().unwrap(), 42);
}

#[asyncio::coroutine]
fn shield_gather(
    children: Vec<Future<i32>>,
    parent: Rc<RefCell<Option<Task<Vec<i32>>>>>,
) -> Result<Vec<i32>> {
    let shielded = asyncio::shield(asyncio::gather(children));
    *parent.borrow_mut() = Some(shielded.task()?.clone());
    shielded.await
}

// C27: shield(gather(c1, c2)) with the outer cancelled still lets the gather produce [1, 2].
#[test]
fn c27_shield_gather() {
    let event_loop = vloop();
    let (child1, child2) = (event_loop.create_future(), event_loop.create_future());
    let parent = Rc::new(RefCell::new(None));
    let outer = event_loop
        .create_task(shield_gather(
            vec![child1.clone(), child2.clone()],
            parent.clone(),
        ))
        .unwrap();
    run_once(&event_loop);
    assert!(outer.cancel());
    run_briefly(&event_loop);
    assert!(outer.cancelled());
    child1.set_result(1).unwrap();
    child2.set_result(2).unwrap();
    run_briefly(&event_loop);
    let parent = parent.take().unwrap();
    assert_eq!(parent.result().unwrap(), [1, 2]);
}

#[asyncio::coroutine]
fn gather_tasks(tasks: Vec<Task<i32>>) -> Result<Vec<i32>> {
    asyncio::gather(tasks).await
}

// C27: cancelling gather(shield(c1), shield(c2)) cancels only the shield wrappers.
#[test]
fn c27_gather_shield() {
    let event_loop = vloop();
    let (child1, child2) = (event_loop.create_future(), event_loop.create_future());
    let inner1 = event_loop.create_task(shield_of(child1.clone())).unwrap();
    let inner2 = event_loop.create_task(shield_of(child2.clone())).unwrap();
    let parent = event_loop
        .create_task(gather_tasks(vec![inner1.clone(), inner2.clone()]))
        .unwrap();
    run_once(&event_loop);
    assert!(parent.cancel());
    run_briefly(&event_loop);
    assert!(parent.cancelled());
    assert!(inner1.cancelled());
    assert!(inner2.cancelled());
    child1.set_result(1).unwrap();
    child2.set_result(2).unwrap();
    run_briefly(&event_loop);
}

#[asyncio::coroutine]
fn wait_for_shielded_timeout() -> Result<()> {
    let task = asyncio::create_task(sleep_then(0.1, "done"));
    let outcome = asyncio::wait_for(asyncio::shield(task.clone()), 0.01).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(!task.done() && !task.cancelled());
    assert_eq!(task.await?, "done");
    Ok(())
}

// C27: wait_for(shield(task), 0.01) times out, and the task is neither done nor cancelled.
#[test]
fn c27_wait_for_shielded_timeout() {
    vrun(wait_for_shielded_timeout());
}

#[asyncio::coroutine]
fn wait_for_shielded_none() -> Result<()> {
    let task = asyncio::create_task(sleep_then(0.1, "done"));
    let outcome = asyncio::wait_for(asyncio::shield(task.clone()), None).await;
    assert!(matches!(outcome, Ok("done")), "{outcome:?}");
    assert!(task.done() && !task.cancelled());
    // asyncio's task would give 'done' again; here the value went to the
    // shield's awaiter (a task's value goes to one taker).
    assert!(matches!(task.await, Err(Error::InvalidState(_))));
    Ok(())
}

// C27: wait_for(shield(task), None) runs to completion and gives 'done'.
#[test]
fn c27_wait_for_shielded_none_timeout() {
    vrun(wait_for_shielded_none());
}

#[asyncio::coroutine]
fn wait_for_shielded_zero() -> Result<()> {
    let task = asyncio::create_task(sleep_then(0.01, "done"));
    let waiting = asyncio::wait_for(asyncio::shield(task.clone()), 0);
    let shielded = waiting
        .task()
        .expect("a zero timeout wraps the shield in a task")
        .clone();
    let outcome = waiting.await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(!task.done() && !task.cancelled());
    assert!(shielded.cancelled());
    asyncio::sleep(0.1).await?;
    assert!(task.done());
    Ok(())
}

// C27: with timeout=0 the shield wrapper is cancelled and the task keeps going.
#[test]
fn c27_wait_for_shielded_zero_timeout() {
    vrun(wait_for_shielded_zero());
}
