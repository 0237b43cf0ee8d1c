//! Coroutines and checks shared by the combinator tests (gather, wait,
//! shield, wait_for, timeout, TaskGroup).

use std::cell::Cell;
use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use asyncio::{Error, Future, Result, Task, TaskRef};

use super::{exc, is_cancelled, run_briefly, run_once, vloop};

/// The class names of the leaves of an exception group.
pub fn leaves(err: &Error) -> BTreeSet<String> {
    match err {
        Error::Group(errors) => errors.iter().flat_map(leaves).collect(),
        Error::InvalidState(name) => BTreeSet::from([name.to_string()]),
        other => BTreeSet::from([format!("{other:?}")]),
    }
}

/// Asserts that `outcome` is an exception group whose leaves are `names`.
pub fn assert_group<T: std::fmt::Debug>(outcome: &Result<T>, names: &[&str]) {
    let expected: BTreeSet<String> = names.iter().map(|name| name.to_string()).collect();
    match outcome {
        Err(err @ Error::Group(_)) => assert_eq!(leaves(err), expected, "{err:?}"),
        other => panic!("expected an exception group of {names:?}, got {other:?}"),
    }
}

/// The running loop's time.
pub fn now() -> f64 {
    asyncio::get_running_loop().unwrap().time()
}

pub fn assert_time(expected: f64) {
    let t = now();
    assert!(
        (t - expected).abs() < 1e-9,
        "loop time {t}, expected {expected}"
    );
}

/// Counts the done callbacks a task runs.
pub fn count_done<T>(task: &Task<T>) -> Rc<Cell<u32>> {
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    task.add_done_callback(move |_| counter.set(counter.get() + 1));
    calls
}

pub fn refs<T>(tasks: &[Task<T>]) -> HashSet<TaskRef> {
    tasks.iter().map(|task| task.task_ref().clone()).collect()
}

#[asyncio::coroutine]
pub fn sleep_then<T: 'static>(delay: f64, value: T) -> Result<T> {
    asyncio::sleep(delay).await?;
    Ok(value)
}

#[asyncio::coroutine]
pub fn fail_after(delay: f64, name: &'static str) -> Result<i32> {
    asyncio::sleep(delay).await?;
    Err(exc(name))
}

/// Sleeps, noting a cancellation in `flag` before passing it on.
#[asyncio::coroutine]
pub fn note_cancel(delay: f64, flag: Rc<Cell<bool>>) -> Result<()> {
    let outcome = asyncio::sleep(delay).await;
    if is_cancelled(&outcome) {
        flag.set(true);
    }
    outcome
}

/// Sleeps, adding `by` to `count` if cancelled, before passing it on.
#[asyncio::coroutine]
pub fn count_cancel(delay: f64, count: Rc<Cell<u32>>, by: u32) -> Result<()> {
    let outcome = asyncio::sleep(delay).await;
    if is_cancelled(&outcome) {
        count.set(count.get() + by);
    }
    outcome
}

#[asyncio::coroutine]
pub fn await_then_add(waiter: Future<()>, proof: Rc<Cell<i32>>, add: i32) -> Result<()> {
    waiter.await?;
    proof.set(proof.get() + add);
    Ok(())
}

/// Starts `outer(waiter, proof)` as a task, cancels it once it waits, and
/// checks that it ends cancelled while the inner work it started (which
/// adds 1 to `proof` once `waiter` is set) still completes.
pub fn check_outer_cancelled_inner_completes<F>(outer: fn(Future<()>, Rc<Cell<i32>>) -> F)
where
    F: std::future::Future<Output = Result<()>> + 'static,
{
    let event_loop = vloop();
    let waiter = event_loop.create_future();
    let proof = Rc::new(Cell::new(0));
    let outer = event_loop
        .create_task(outer(waiter.clone(), proof.clone()))
        .unwrap();
    run_once(&event_loop);
    assert!(outer.cancel());
    let outcome = event_loop.run_until_complete(outer.clone()).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
    waiter.set_result(()).unwrap();
    run_briefly(&event_loop);
    assert_eq!(proof.get(), 1);
}
