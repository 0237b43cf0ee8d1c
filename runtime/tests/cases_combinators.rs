//! Behaviour cases of `/work/shared/CASES.md`, sections D (gather, wait,
//! as_completed, shield, wait_for), E (timeout) and F (TaskGroup), ported
//! from CPython's `test_asyncio`.
//!
//! Everything runs on loops with a virtual clock, so timing assertions are
//! exact instants.

mod support;

use support::*;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashSet};
use std::future::{Future as _, ready};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Waker};

use asyncio::{Delay, Error, EventLoop, Future, Result, ReturnWhen, Task, TaskGroup, TaskRef};

// ----- helpers ---------------------------------------------------------------

/// The class names of the leaves of an exception group.
fn leaves(err: &Error) -> BTreeSet<String> {
    match err {
        Error::Group(errors) => errors.iter().flat_map(leaves).collect(),
        Error::InvalidState(name) => BTreeSet::from([name.to_string()]),
        other => BTreeSet::from([format!("{other:?}")]),
    }
}

/// Asserts that `outcome` is an exception group whose leaves are `names`.
fn assert_group<T: std::fmt::Debug>(outcome: &Result<T>, names: &[&str]) {
    let expected: BTreeSet<String> = names.iter().map(|name| name.to_string()).collect();
    match outcome {
        Err(err @ Error::Group(_)) => assert_eq!(leaves(err), expected, "{err:?}"),
        other => panic!("expected an exception group of {names:?}, got {other:?}"),
    }
}

/// The running loop's time.
fn now() -> f64 {
    asyncio::get_running_loop().unwrap().time()
}

fn assert_time(expected: f64) {
    let t = now();
    assert!(
        (t - expected).abs() < 1e-9,
        "loop time {t}, expected {expected}"
    );
}

/// Counts the done callbacks a task runs.
fn count_done<T>(task: &Task<T>) -> Rc<Cell<u32>> {
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    task.add_done_callback(move |_| counter.set(counter.get() + 1));
    calls
}

fn refs<T>(tasks: &[Task<T>]) -> HashSet<TaskRef> {
    tasks.iter().map(|task| task.task_ref().clone()).collect()
}

/// Records the messages the exception handler receives.
fn record_messages(event_loop: &EventLoop) -> Rc<RefCell<Vec<String>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    event_loop.set_exception_handler(Some(
        move |_: &EventLoop, ctx: &asyncio::ExceptionContext| {
            sink.borrow_mut().push(ctx.message.clone());
        },
    ));
    seen
}

#[asyncio::coroutine]
fn sleep_then<T: 'static>(delay: f64, value: T) -> Result<T> {
    asyncio::sleep(delay).await?;
    Ok(value)
}

#[asyncio::coroutine]
fn fail_after(delay: f64, name: &'static str) -> Result<i32> {
    asyncio::sleep(delay).await?;
    Err(exc(name))
}

/// Sleeps, noting a cancellation in `flag` before passing it on.
#[asyncio::coroutine]
fn note_cancel(delay: f64, flag: Rc<Cell<bool>>) -> Result<()> {
    let outcome = asyncio::sleep(delay).await;
    if is_cancelled(&outcome) {
        flag.set(true);
    }
    outcome
}

/// Sleeps, adding `by` to `count` if cancelled, before passing it on.
#[asyncio::coroutine]
fn count_cancel(delay: f64, count: Rc<Cell<u32>>, by: u32) -> Result<()> {
    let outcome = asyncio::sleep(delay).await;
    if is_cancelled(&outcome) {
        count.set(count.get() + by);
    }
    outcome
}

#[asyncio::coroutine]
fn await_then_add(waiter: Future<()>, proof: Rc<Cell<i32>>, add: i32) -> Result<()> {
    waiter.await?;
    proof.set(proof.get() + add);
    Ok(())
}

/// Starts `outer(waiter, proof)` as a task, cancels it once it waits, and
/// checks that it ends cancelled while the inner work it started (which
/// adds 1 to `proof` once `waiter` is set) still completes.
fn check_outer_cancelled_inner_completes<F>(outer: fn(Future<()>, Rc<Cell<i32>>) -> F)
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

// ----- D. gather -----------------------------------------------------------------

#[asyncio::coroutine]
fn gather_values(futs: Vec<Future<i32>>) -> Result<Vec<i32>> {
    asyncio::gather(futs).await
}

#[asyncio::coroutine]
fn gather_results(futs: Vec<Future<i32>>) -> Result<Vec<Result<i32>>> {
    asyncio::gather(futs).return_exceptions().await
}

#[asyncio::coroutine]
fn gather_results_ok(futs: Vec<Future<i32>>) -> Result<Vec<i32>> {
    let results = asyncio::gather(futs).return_exceptions().await?;
    results.into_iter().collect()
}

/// asyncio's `_check_success`: completions b=1, a=2, then c=3.
fn check_success<F>(make: impl FnOnce(Vec<Future<i32>>) -> F)
where
    F: std::future::Future<Output = Result<Vec<i32>>> + 'static,
{
    let event_loop = vloop();
    let futs: Vec<Future<i32>> = (0..3).map(|_| event_loop.create_future()).collect();
    let gathered = event_loop.create_task(make(futs.clone())).unwrap();
    let calls = count_done(&gathered);
    futs[1].set_result(1).unwrap();
    futs[0].set_result(2).unwrap();
    run_briefly(&event_loop);
    assert_eq!(calls.get(), 0);
    assert!(!gathered.done());
    futs[2].set_result(3).unwrap();
    run_briefly(&event_loop);
    assert_eq!(calls.get(), 1);
    assert_eq!(gathered.result().unwrap(), [2, 1, 3]);
}

// C20: gather returns results in argument order, once the last child is done.
#[test]
fn c20_gather_argument_order() {
    check_success(gather_values);
}

// C20: the same with return_exceptions=True.
#[test]
fn c20_gather_argument_order_return_exceptions() {
    check_success(gather_results_ok);
}

#[asyncio::coroutine]
fn counted(runs: Rc<Cell<u32>>, value: &'static str) -> Result<&'static str> {
    runs.set(runs.get() + 1);
    asyncio::sleep(0).await?;
    Ok(value)
}

#[asyncio::coroutine]
fn gather_duplicates(runs: Rc<Cell<u32>>) -> Result<Vec<&'static str>> {
    let c = asyncio::create_task(counted(runs.clone(), "abc"));
    let other = asyncio::create_task(counted(runs.clone(), "def"));
    asyncio::gather([c.clone(), c.clone(), other, c]).await
}

// C20: gather(c, c, coro('def'), c) runs c once. asyncio repeats its result;
// here a task's value goes to one taker (README, "Where it differs from
// asyncio"), so the repeated task is reported instead of copied.
#[test]
fn c20_gather_duplicate_coroutines() {
    let runs = Rc::new(Cell::new(0));
    let outcome = vrun_result(gather_duplicates(runs.clone()));
    assert!(
        matches!(&outcome, Err(Error::InvalidState(msg)) if msg.contains("already taken")),
        "{outcome:?}"
    );
    assert_eq!(runs.get(), 2);
}

#[asyncio::coroutine]
fn wait_duplicates() -> Result<()> {
    let runs = Rc::new(Cell::new(0));
    let c = asyncio::create_task(counted(runs.clone(), "abc"));
    let other = asyncio::create_task(counted(runs, "def"));
    let (done, pending) =
        asyncio::wait([c.clone(), c, other], None, ReturnWhen::AllCompleted).await?;
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(pending.is_empty());
    Ok(())
}

// C20: wait([c, c, other]) gives two distinct done tasks.
#[test]
fn c20_wait_duplicate_coroutines() {
    vrun(wait_duplicates());
}

// C21: the first exception completes gather at once; the other children are not cancelled.
#[test]
fn c21_gather_one_exception() {
    let event_loop = vloop();
    let seen = record_messages(&event_loop);
    let futs: Vec<Future<i32>> = (0..5).map(|_| event_loop.create_future()).collect();
    let gathered = event_loop.create_task(gather_values(futs.clone())).unwrap();
    let calls = count_done(&gathered);
    futs[0].set_result(1).unwrap();
    futs[1].set_exception(exc("ZeroDivisionError")).unwrap();
    run_briefly(&event_loop);
    assert!(gathered.done());
    assert_eq!(calls.get(), 1);
    let err = gathered.exception();
    assert!(
        matches!(&err, Ok(Some(Error::InvalidState(m))) if m == "ZeroDivisionError"),
        "{err:?}"
    );
    assert!(futs[2..].iter().all(|fut| !fut.done()));
    // Later completions are ignored, and nobody reports them as unretrieved.
    futs[2].set_result(3).unwrap();
    assert!(futs[3].cancel());
    futs[4].set_exception(exc("RuntimeError")).unwrap();
    run_briefly(&event_loop);
    assert_eq!(calls.get(), 1);
    drop((gathered, futs));
    event_loop.close().unwrap();
    assert!(seen.borrow().is_empty(), "{:?}", seen.borrow());
}

#[asyncio::coroutine]
fn gather_leaves_siblings_running() -> Result<()> {
    let slow = asyncio::create_task(sleep_then(0.1, 7));
    let failing = asyncio::create_task(fail_after(0.0, "ZeroDivisionError"));
    let outcome = asyncio::gather([slow.clone(), failing]).await;
    assert!(is_exc(&outcome, "ZeroDivisionError"), "{outcome:?}");
    assert!(!slow.done());
    assert_eq!(slow.await?, 7);
    assert_time(0.1);
    Ok(())
}

// C21: a sibling task keeps running after gather failed, and finishes later.
#[test]
fn c21_gather_sibling_keeps_running() {
    vrun(gather_leaves_siblings_running());
}

// C22: with return_exceptions, gather waits for every child and keeps errors in place.
#[test]
fn c22_gather_return_exceptions() {
    let event_loop = vloop();
    let futs: Vec<Future<i32>> = (0..4).map(|_| event_loop.create_future()).collect();
    let gathered = event_loop
        .create_task(gather_results(futs.clone()))
        .unwrap();
    let calls = count_done(&gathered);
    futs[1].set_result(1).unwrap();
    futs[2].set_exception(exc("ZeroDivisionError")).unwrap();
    futs[0].set_result(3).unwrap();
    run_briefly(&event_loop);
    assert!(!gathered.done());
    futs[3].set_exception(exc("RuntimeError")).unwrap();
    run_briefly(&event_loop);
    assert!(gathered.done());
    assert_eq!(calls.get(), 1);
    let results = gathered.take_result().unwrap();
    assert!(matches!(results[..2], [Ok(3), Ok(1)]), "{results:?}");
    assert!(is_exc(&results[2], "ZeroDivisionError"));
    assert!(is_exc(&results[3], "RuntimeError"));
}

// C22: a cancelled child shows up as a CancelledError in its slot.
#[test]
fn c22_gather_return_exceptions_with_cancellations() {
    let event_loop = vloop();
    let futs: Vec<Future<i32>> = (0..6).map(|_| event_loop.create_future()).collect();
    let gathered = event_loop
        .create_task(gather_results(futs.clone()))
        .unwrap();
    let calls = count_done(&gathered);
    futs[0].set_result(1).unwrap();
    futs[1].set_exception(exc("ZeroDivisionError")).unwrap();
    futs[2].cancel();
    run_briefly(&event_loop);
    assert!(!gathered.done());
    futs[3].set_result(3).unwrap();
    futs[4].cancel();
    futs[5].set_exception(exc("RuntimeError")).unwrap();
    let results = event_loop
        .run_until_complete(gathered.clone())
        .unwrap()
        .unwrap();
    run_once(&event_loop);
    assert_eq!(calls.get(), 1);
    assert!(matches!(results[0], Ok(1)));
    assert!(is_exc(&results[1], "ZeroDivisionError"));
    assert!(is_cancelled(&results[2]));
    assert!(matches!(results[3], Ok(3)));
    assert!(is_cancelled(&results[4]));
    assert!(is_exc(&results[5], "RuntimeError"));
}

#[asyncio::coroutine]
fn gather_children(children: Vec<Task<()>>, proof: Rc<Cell<i32>>) -> Result<()> {
    asyncio::gather(children).await?;
    proof.set(proof.get() + 100);
    Ok(())
}

// C24: cancelling whoever awaits gather cancels every child; the children never resume.
#[test]
fn c24_gather_cancellation_broadcast() {
    let event_loop = vloop();
    let waiter = event_loop.create_future();
    let proof = Rc::new(Cell::new(0));
    let child1 = event_loop
        .create_task(await_then_add(waiter.clone(), proof.clone(), 1))
        .unwrap();
    let child2 = event_loop
        .create_task(await_then_add(waiter.clone(), proof.clone(), 1))
        .unwrap();
    let outer = event_loop
        .create_task(gather_children(
            vec![child1.clone(), child2.clone()],
            proof.clone(),
        ))
        .unwrap();
    run_once(&event_loop);
    assert!(outer.cancel());
    let outcome = event_loop.run_until_complete(outer.clone()).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
    // `gatherer.cancel()` returning False: gather is not a cancellable handle in Rust.
    assert!(waiter.cancelled());
    assert!(child1.cancelled());
    assert!(child2.cancelled());
    run_once(&event_loop);
    assert_eq!(proof.get(), 0);
}

#[asyncio::coroutine]
fn await_value(fut: Future<i32>) -> Result<i32> {
    fut.await
}

// C24: once every child is done, the gather itself refuses cancellation
// (asyncio's `gatherer.cancel()` is False). A gather is not a cancellable
// object here, only the task awaiting it is, and asyncio's Task.cancel() on
// a task whose gather refuses still returns True and cancels the task at its
// await: that is what this checks. The child's value is not lost.
#[test]
fn c24_cancel_gather_after_children_done() {
    let event_loop = vloop();
    let fut = event_loop.create_future();
    let child = event_loop.create_task(await_value(fut.clone())).unwrap();
    let gathered = event_loop
        .create_task(asyncio::gather([child.clone()]))
        .unwrap();
    run_briefly(&event_loop);
    let cancel_result = Rc::new(Cell::new(None));
    let (result, target) = (cancel_result.clone(), gathered.task_ref().clone());
    fut.add_done_callback(move |_| result.set(Some(target.cancel())));
    fut.set_result(42).unwrap();
    let outcome = event_loop.run_until_complete(gathered.clone()).unwrap();
    assert_eq!(cancel_result.get(), Some(true));
    assert!(gathered.cancelled(), "{outcome:?}");
    assert!(!child.cancelled());
    assert_eq!(child.take_result().unwrap(), 42);
}

#[asyncio::coroutine]
fn gather_all_of_sleep() -> Result<usize> {
    let results = asyncio::gather([asyncio::sleep(10)])
        .return_exceptions()
        .await?;
    Ok(results.len())
}

// C24: with return_exceptions, cancelling the outer task still raises CancelledError in it.
#[test]
fn c24_gather_return_exceptions_cancel_raises() {
    let event_loop = vloop();
    let outer = event_loop.create_task(gather_all_of_sleep()).unwrap();
    run_once(&event_loop);
    assert!(outer.cancel());
    let outcome = event_loop.run_until_complete(outer.clone()).unwrap();
    assert!(is_cancelled(&outcome), "{outcome:?}");
}

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

// ----- D. wait_for ----------------------------------------------------------------

const EPSILON: f64 = 0.0001;

/// Catches the cancellation, sleeps a little more, re-raises; sets `done`
/// whatever happens (`finally`).
#[asyncio::coroutine]
fn slow_cleanup(done: Rc<Cell<bool>>) -> Result<()> {
    let outcome = match asyncio::sleep(10).await {
        Err(err) if err.is_cancelled() => match asyncio::sleep(EPSILON).await {
            Ok(()) => Err(err),
            Err(other) => Err(other),
        },
        other => other,
    };
    done.set(true);
    outcome
}

#[asyncio::coroutine]
fn wait_for_waits_for_cleanup() -> Result<()> {
    let done = Rc::new(Cell::new(false));
    let inner = asyncio::create_task(slow_cleanup(done.clone()));
    let outcome = asyncio::wait_for(inner.clone(), EPSILON).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(
        done.get(),
        "TimeoutError before the inner task's cleanup finished"
    );
    assert!(inner.cancelled());
    assert_time(2.0 * EPSILON);
    // `TimeoutError.__context__` is a CancelledError: `Error::Timeout` carries no context.
    Ok(())
}

// C28: on timeout wait_for cancels the inner task and waits for its cleanup to finish.
#[test]
fn c28_wait_for_waits_for_task_cancellation() {
    vrun(wait_for_waits_for_cleanup());
    // not ported: `async with cond: await wait_for(cond.wait(), 0.5)` (Condition is section G).
}

const TASK_TIMEOUT: f64 = 0.2;

/// CPython's `SlowTask`: runs for TASK_TIMEOUT, ignoring cancellations.
#[asyncio::coroutine]
fn slow_task(exited: Rc<Cell<bool>>) -> Result<()> {
    let event_loop = asyncio::get_running_loop()?;
    let exit_at = event_loop.time() + TASK_TIMEOUT;
    loop {
        let to_sleep = exit_at - event_loop.time();
        if to_sleep <= 1e-9 {
            break;
        }
        let _ = asyncio::sleep(to_sleep).await;
    }
    exited.set(true);
    Ok(())
}

#[asyncio::coroutine]
fn wait_for_slow_task() -> Result<()> {
    let exited = Rc::new(Cell::new(false));
    let outcome = asyncio::wait_for(slow_task(exited.clone()), TASK_TIMEOUT / 2.0).await;
    assert!(
        matches!(outcome, Ok(()) | Err(Error::Timeout)),
        "{outcome:?}"
    );
    assert!(exited.get());
    assert_time(TASK_TIMEOUT);
    Ok(())
}

// C28: wait_for returns only once a task that ignores its cancellation has exited.
#[test]
fn c28_wait_for_timeout_waits_for_exit() {
    vrun(wait_for_slow_task());
}

/// Sleeps 10 s; `running` is true from its start to its end (`finally`).
#[asyncio::coroutine]
fn foo_running(running: Rc<Cell<Option<bool>>>, started: Future<()>) -> Result<&'static str> {
    running.set(Some(true));
    let _ = started.set_result(());
    let outcome = asyncio::sleep(10).await;
    running.set(Some(false));
    outcome.map(|()| "done")
}

#[asyncio::coroutine]
fn wait_for_basic() -> Result<()> {
    let running = Rc::new(Cell::new(None));
    let task = asyncio::create_task(foo_running(running.clone(), Future::new()));
    let t0 = now();
    let outcome = asyncio::wait_for(task.clone(), 0.1).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!((now() - t0 - 0.1).abs() < 1e-9);
    assert!(task.done() && task.cancelled());
    assert_eq!(running.get(), Some(false));
    Ok(())
}

// C28: wait_for(task, 0.1) cancels the task at t=0.1 and raises TimeoutError.
#[test]
fn c28_wait_for() {
    vrun(wait_for_basic());
}

#[asyncio::coroutine]
fn wait_for_zero_done_future() -> Result<()> {
    let fut = Future::new();
    fut.set_result("done")?;
    let t0 = now();
    let outcome = asyncio::wait_for(fut.clone(), 0).await;
    assert!(matches!(outcome, Ok("done")), "{outcome:?}");
    assert!(fut.done());
    assert_eq!(now(), t0);
    Ok(())
}

// C28: wait_for(done_future, 0) returns its result.
#[test]
fn c28_wait_for_zero_timeout_future_done() {
    vrun(wait_for_zero_done_future());
}

#[asyncio::coroutine]
fn wait_for_zero_done_task() -> Result<()> {
    let task = asyncio::create_task(ready(Ok::<_, Error>("done")));
    asyncio::sleep(0).await?;
    assert!(task.done());
    let outcome = asyncio::wait_for(task, 0).await;
    assert!(matches!(outcome, Ok("done")), "{outcome:?}");
    Ok(())
}

// C28: wait_for(done_task, 0) returns its result.
#[test]
fn c28_wait_for_zero_timeout_task_done() {
    vrun(wait_for_zero_done_task());
}

#[asyncio::coroutine]
fn set_flag(flag: Rc<Cell<bool>>) -> Result<()> {
    flag.set(true);
    Ok(())
}

#[asyncio::coroutine]
fn wait_for_zero_coroutine() -> Result<()> {
    let started = Rc::new(Cell::new(false));
    let t0 = now();
    let outcome = asyncio::wait_for(set_flag(started.clone()), 0).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(!started.get(), "the coroutine body ran");
    assert_eq!(now(), t0);
    Ok(())
}

// C28: wait_for(coroutine, 0) raises TimeoutError and the coroutine body never runs.
#[test]
fn c28_wait_for_zero_timeout_coroutine_not_started() {
    vrun(wait_for_zero_coroutine());
}

#[asyncio::coroutine]
fn wait_for_non_positive(timeout: i32) -> Result<()> {
    let running = Rc::new(Cell::new(None));
    let started = Future::new();
    let task = asyncio::create_task(foo_running(running.clone(), started.clone()));
    started.await?;
    let t0 = now();
    let outcome = asyncio::wait_for(task.clone(), timeout).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert_eq!(now(), t0);
    assert!(task.done() && task.cancelled());
    assert_eq!(running.get(), Some(false));
    Ok(())
}

// C28: wait_for(running_task, 0 or -1) cancels it, lets its finally run, raises TimeoutError.
#[test]
fn c28_wait_for_non_positive_timeout_running_task() {
    vrun(wait_for_non_positive(0));
    vrun(wait_for_non_positive(-1));
}

#[asyncio::coroutine]
fn block_forever() -> Result<()> {
    let fut = Future::<()>::new();
    fut.await
}

#[asyncio::coroutine]
fn cancel_wait_for(timeout: Option<f64>) -> Result<()> {
    let task = asyncio::create_task(block_forever());
    let waiting = asyncio::create_task(asyncio::wait_for(task.clone(), timeout.map(Delay::from)));
    let canceller = waiting.task_ref().clone();
    asyncio::get_running_loop()?.call_soon(move || {
        canceller.cancel();
    })?;
    let outcome = waiting.await;
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(task.cancelled());
    Ok(())
}

// C30: cancelling the task running wait_for cancels the inner task (timeout None or 60).
#[test]
fn c30_cancel_wait_for() {
    vrun(cancel_wait_for(None));
    vrun(cancel_wait_for(Some(60.0)));
}

#[asyncio::coroutine]
fn cancel_wait_for_slow_task() -> Result<()> {
    let exited = Rc::new(Cell::new(false));
    let waiting = asyncio::create_task(asyncio::wait_for(
        slow_task(exited.clone()),
        TASK_TIMEOUT * 2.0,
    ));
    asyncio::sleep(0).await?;
    waiting.cancel();
    asyncio::wait([waiting], None, ReturnWhen::AllCompleted).await?;
    assert!(exited.get());
    Ok(())
}

// C30: a cancelled wait_for waits for its inner task, even one that ignores cancellation.
#[test]
fn c30_wait_for_cancelled_waits_for_inner() {
    vrun(cancel_wait_for_slow_task());
}

#[asyncio::coroutine]
fn wait_for_then_sleep(inner: Task<&'static str>, reached_end: Rc<Cell<bool>>) -> Result<()> {
    asyncio::wait_for(inner, 100).await?;
    asyncio::sleep(1).await?;
    reached_end.set(true);
    Ok(())
}

#[asyncio::coroutine]
fn issue86296(check_inner_result: bool) -> Result<()> {
    let inner = asyncio::create_task(ready(Ok::<_, Error>("done")));
    let reached_end = Rc::new(Cell::new(false));
    let task = asyncio::create_task(wait_for_then_sleep(inner.clone(), reached_end.clone()));
    assert!(!task.done());
    asyncio::sleep(0).await?;
    task.cancel();
    let outcome = task.clone().await;
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(!reached_end.get());
    assert!(inner.done());
    if check_inner_result {
        // asyncio keeps 'done' readable; here wait_for handed the value to
        // the outer coroutine (a task's value goes to one taker), and the
        // inner task says it finished normally.
        assert!(!inner.cancelled());
        assert!(matches!(inner.exception(), Ok(None)));
        assert!(matches!(inner.result(), Err(Error::InvalidState(_))));
    }
    Ok(())
}

// C30: an outer cancelled right after its inner completed still raises CancelledError.
#[test]
fn c30_wait_for_issue86296() {
    vrun(issue86296(false));
}

// C30: ... and the inner task finished normally (its value went to wait_for).
#[test]
fn c30_wait_for_issue86296_inner_result_available() {
    vrun(issue86296(true));
}

// ----- E. timeout() / timeout_at() ------------------------------------------------

#[asyncio::coroutine]
fn timeout_basic() -> Result<()> {
    let mut work = asyncio::timeout(0.01, asyncio::sleep(10));
    let cm = work.handle();
    let outcome = work.await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(cm.expired());
    assert_time(0.01);

    let deadline = now() + 0.01;
    let mut work = asyncio::timeout_at(Some(deadline), asyncio::sleep(10));
    let cm = work.handle();
    let outcome = work.await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(cm.expired());
    assert_eq!(cm.when(), Some(deadline));
    Ok(())
}

// C31: timeout(0.01) and timeout_at(now + 0.01) around sleep(10) raise TimeoutError.
#[test]
fn c31_timeout_basic() {
    vrun(timeout_basic());
}

#[asyncio::coroutine]
fn timeout_non_positive(delay: f64, sleep: f64) -> Result<()> {
    let t0 = now();
    let mut work = asyncio::timeout(delay, asyncio::sleep(sleep));
    let cm = work.handle();
    let outcome = work.await;
    let t1 = now();
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(cm.expired());
    let when = cm.when().unwrap();
    if delay == 0.0 {
        assert!(t0 <= when && when <= t1, "{t0} <= {when} <= {t1}");
    } else {
        assert!(when <= t0 && when <= t1, "{when} <= {t0}");
    }
    Ok(())
}

// C31: timeout(0) and timeout(-11) expire at the next iteration, even around sleep(0).
#[test]
fn c31_timeout_zero_or_past() {
    vrun(timeout_non_positive(0.0, 10.0));
    vrun(timeout_non_positive(0.0, 0.0));
    vrun(timeout_non_positive(-11.0, 0.0));
}

#[asyncio::coroutine]
fn timeout_not_expiring() -> Result<()> {
    let mut work = asyncio::timeout(None, asyncio::sleep(0.01));
    let cm = work.handle();
    work.await?;
    assert!(!cm.expired());
    assert_eq!(cm.when(), None);

    let mut work = asyncio::timeout_at(None, asyncio::sleep(0.01));
    let cm = work.handle();
    work.await?;
    assert!(!cm.expired());
    assert_eq!(cm.when(), None);

    let mut work = asyncio::timeout(10, asyncio::sleep(0.01));
    let cm = work.handle();
    work.await?;
    assert!(!cm.expired());
    assert!(cm.when().unwrap() > now());
    Ok(())
}

// C31: timeout(None) never fires (when() is None); an unexpired timeout has expired() false.
#[test]
fn c31_timeout_disabled_and_not_called() {
    vrun(timeout_not_expiring());
}

#[asyncio::coroutine]
fn timeout_body_sees_cancel() -> Result<()> {
    let cancelled = Rc::new(Cell::new(false));
    let outcome = asyncio::timeout(0.01, note_cancel(10.0, cancelled.clone())).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(cancelled.get());
    // `TimeoutError.__cause__` is that CancelledError: `Error::Timeout` carries no cause.
    Ok(())
}

// C32: the body sees CancelledError; the outside sees TimeoutError.
#[test]
fn c32_timeout_waiter_cancelled() {
    vrun(timeout_body_sees_cancel());
}

/// `try: await sleep(1) finally: 1/0`
#[asyncio::coroutine]
fn crash() -> Result<()> {
    let _ = asyncio::sleep(1).await;
    Err(exc("ZeroDivisionError"))
}

#[asyncio::coroutine]
fn timeout_foreign_exceptions() -> Result<()> {
    let outcome = asyncio::timeout(0.01, crash()).await;
    assert!(is_exc(&outcome, "ZeroDivisionError"), "{outcome:?}");
    // Its `__context__` chain (TimeoutError, then CancelledError) has no Rust counterpart.

    let mut work = asyncio::timeout(0.01, ready(Err::<(), _>(exc("KeyError"))));
    let cm = work.handle();
    let outcome = work.await;
    assert!(is_exc(&outcome, "KeyError"), "{outcome:?}");
    assert!(!cm.expired());
    Ok(())
}

// C32: an error raised during cleanup replaces the TimeoutError; one raised before expiry passes.
#[test]
fn c32_timeout_foreign_exceptions() {
    vrun(timeout_foreign_exceptions());
}

#[asyncio::coroutine]
fn cancel_self_then_sleep(delay: f64) -> Result<()> {
    asyncio::current_task().unwrap().cancel();
    asyncio::sleep(delay).await
}

#[asyncio::coroutine]
fn foreign_cancel_in_timeout() -> Result<()> {
    let mut work = asyncio::timeout(10, cancel_self_then_sleep(10.0));
    let cm = work.handle();
    let outcome = work.await;
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(!cm.expired());
    Ok(())
}

// C34: current_task().cancel() inside an unexpired timeout stays a CancelledError.
#[test]
fn c34_foreign_cancel_does_not_time_out() {
    let event_loop = vloop();
    let task = event_loop.create_task(foreign_cancel_in_timeout()).unwrap();
    event_loop.run_until_complete(task).unwrap().unwrap();
}

#[asyncio::coroutine]
fn catch_timeout() -> Result<()> {
    let outcome = asyncio::timeout(0.001, asyncio::sleep(10)).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    Ok(())
}

#[asyncio::coroutine]
fn outer_not_cancelled() -> Result<()> {
    let task = asyncio::create_task(catch_timeout());
    task.clone().await?;
    assert!(task.done());
    assert!(!task.cancelled());
    Ok(())
}

// C34: a task that catches the TimeoutError finishes normally.
#[test]
fn c34_outer_task_is_not_cancelled() {
    vrun(outer_not_cancelled());
}

#[asyncio::coroutine]
fn timeout_after_cancellation(cancel_in_cleanup: bool) -> Result<()> {
    let work = cancel_self_then_sleep(1.0).await;
    assert!(is_cancelled(&work), "{work:?}");
    // `finally:` after the caught cancellation: a new timeout still works.
    if cancel_in_cleanup {
        let cleanup = asyncio::timeout(1.0, cancel_self_then_sleep(2.0)).await;
        assert!(is_cancelled(&cleanup), "{cleanup:?}");
    } else {
        let cleanup = asyncio::timeout(0.0, asyncio::sleep(1)).await;
        assert!(matches!(cleanup, Err(Error::Timeout)), "{cleanup:?}");
    }
    Ok(())
}

// C34: after a caught CancelledError, a timeout in `finally` still expires, or stays a cancel.
#[test]
fn c34_timeout_after_cancellation() {
    let event_loop = vloop();
    for cancel_in_cleanup in [false, true] {
        let task = event_loop
            .create_task(timeout_after_cancellation(cancel_in_cleanup))
            .unwrap();
        event_loop.run_until_complete(task).unwrap().unwrap();
    }
}

// ----- E (issue 11). Deadline fixed at entry; reschedule while expiring ------------

fn assert_close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a deadline");
    assert!(
        (actual - expected).abs() < 1e-9,
        "deadline {actual}, expected {expected}"
    );
}

/// A body that computes for `busy` seconds before its first await (on a
/// virtual clock, moving the clock stands for the CPU time), then sleeps
/// each of `sleeps`.
#[asyncio::coroutine]
fn busy_then(busy: f64, sleeps: Vec<f64>) -> Result<&'static str> {
    asyncio::get_running_loop()?.advance_time(std::time::Duration::from_secs_f64(busy))?;
    for delay in sleeps {
        asyncio::sleep(delay).await?;
    }
    Ok("done")
}

/// `async with timeout(delay): await busy_then(busy, sleeps)`: the outcome,
/// whether it expired, and its deadline relative to the entry.
#[asyncio::coroutine]
fn timed_busy(delay: f64, busy: f64, sleeps: Vec<f64>) -> Result<(Result<&'static str>, bool)> {
    let mut work = asyncio::timeout(delay, busy_then(busy, sleeps));
    let cm = work.handle();
    let entered = now();
    let outcome = work.await;
    assert_close(cm.when(), entered + delay);
    Ok((outcome, cm.expired()))
}

#[asyncio::coroutine]
fn deadline_fixed_at_entry() -> Result<()> {
    // Checked against CPython 3.13: `async with asyncio.timeout(0.05)`
    // around a body that computes for 0.1 s before its first await.
    // A sleep(0) there still returns: the timer, due since, runs in the
    // next iteration after the task's own step.
    let (outcome, expired) = timed_busy(0.05, 0.1, vec![0.0]).await?;
    assert!(matches!(outcome, Ok("done")) && !expired, "{outcome:?}");
    // The next suspension gets the cancellation.
    let (outcome, expired) = timed_busy(0.05, 0.1, vec![0.0, 0.0]).await?;
    assert!(
        matches!(outcome, Err(Error::Timeout)) && expired,
        "{outcome:?}"
    );
    // A sleep that would have fitted had the deadline been fixed at the
    // first suspension (0.1 + 0.05) does not: the deadline was 0.05.
    let t0 = now();
    let (outcome, expired) = timed_busy(0.05, 0.1, vec![0.01]).await?;
    assert!(
        matches!(outcome, Err(Error::Timeout)) && expired,
        "{outcome:?}"
    );
    assert_time(t0 + 0.1);
    // Work that never suspends completes, deadline or not.
    let (outcome, expired) = timed_busy(0.05, 0.1, vec![]).await?;
    assert!(matches!(outcome, Ok("done")) && !expired, "{outcome:?}");
    let (outcome, expired) = timed_busy(0.0, 0.0, vec![]).await?;
    assert!(matches!(outcome, Ok("done")) && !expired, "{outcome:?}");
    // A deadline due at entry expires before the work's first wake-up.
    let (outcome, expired) = timed_busy(0.0, 0.0, vec![0.0]).await?;
    assert!(
        matches!(outcome, Err(Error::Timeout)) && expired,
        "{outcome:?}"
    );
    // Time inside the work before the deadline still leaves the rest.
    let (outcome, expired) = timed_busy(0.05, 0.02, vec![0.02]).await?;
    assert!(matches!(outcome, Ok("done")) && !expired, "{outcome:?}");

    // Entered at the first poll, not when created.
    let mut work = asyncio::timeout(0.05, asyncio::sleep(0.04));
    let cm = work.handle();
    asyncio::get_running_loop()?.advance_time(std::time::Duration::from_secs(1))?;
    let entered = now();
    work.await?;
    assert_close(cm.when(), entered + 0.05);
    Ok(())
}

// timeout(d) fixes loop.time() + d when entered: CPU time before the first await counts.
#[test]
fn timeout_deadline_is_fixed_when_entered() {
    vrun(deadline_fixed_at_entry());
}

/// Catches the timeout's cancellation, tries to move the deadline, cleans
/// up with an await, and lets the cancellation through.
#[asyncio::coroutine]
fn reschedule_in_cleanup(slot: Rc<RefCell<Option<asyncio::TimeoutHandle>>>) -> Result<()> {
    let outcome = asyncio::sleep(10).await;
    assert!(is_cancelled(&outcome), "{outcome:?}");
    let cm = slot.borrow().clone().expect("the handle");
    assert!(cm.expired());
    let when = cm.when();
    let refused = cm.reschedule(Some(now() + 10.0));
    assert!(
        matches!(&refused, Err(Error::InvalidState(msg)) if msg.contains("expiring")),
        "{refused:?}"
    );
    let refused = cm.reschedule(None);
    assert!(
        matches!(refused, Err(Error::InvalidState(_))),
        "{refused:?}"
    );
    assert!(cm.expired());
    assert_eq!(cm.when(), when);
    asyncio::sleep(0.01).await?;
    assert_eq!(asyncio::current_task().unwrap().cancelling(), 1);
    outcome
}

#[asyncio::coroutine]
fn reschedule_while_expiring() -> Result<()> {
    let slot = Rc::new(RefCell::new(None));
    let mut work = asyncio::timeout(0.01, reschedule_in_cleanup(slot.clone()));
    let cm = work.handle();
    *slot.borrow_mut() = Some(cm.clone());
    let outcome = work.await;
    // Still a timeout: the cancellation is converted, and taken back.
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(cm.expired());
    assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
    assert_time(0.02);
    let refused = cm.reschedule(None);
    assert!(
        matches!(&refused, Err(Error::InvalidState(msg)) if msg.contains("expired")),
        "{refused:?}"
    );
    let mut work = asyncio::timeout(1, asyncio::sleep(0));
    let finished = work.handle();
    work.await?;
    let refused = finished.reschedule(None);
    assert!(
        matches!(&refused, Err(Error::InvalidState(msg)) if msg.contains("finished")),
        "{refused:?}"
    );
    // A later await of the task is not cancelled.
    asyncio::sleep(0.01).await
}

// reschedule() during expiry is refused (asyncio: RuntimeError "Cannot change state of
// expiring Timeout"); the timeout stays expired and still reports TimeoutError.
#[test]
fn timeout_reschedule_while_expiring_is_refused() {
    vrun(reschedule_while_expiring());
}

// ----- NaN and infinite delays (issue 11) --------------------------------------------

#[asyncio::coroutine]
fn mark_then_sleep(ran: Rc<Cell<bool>>, delay: f64) -> Result<()> {
    ran.set(true);
    asyncio::sleep(delay).await
}

fn is_nan_error<T: std::fmt::Debug>(outcome: &Result<T>) -> bool {
    matches!(outcome, Err(Error::Value(msg)) if msg.contains("NaN"))
}

#[asyncio::coroutine]
fn nan_timeouts() -> Result<()> {
    let ran = Rc::new(Cell::new(false));
    let outcome = asyncio::timeout(f64::NAN, mark_then_sleep(ran.clone(), 0.0)).await;
    assert!(is_nan_error(&outcome), "{outcome:?}");
    let outcome = asyncio::timeout_at(Some(f64::NAN), mark_then_sleep(ran.clone(), 0.0)).await;
    assert!(is_nan_error(&outcome), "{outcome:?}");
    let outcome = asyncio::wait_for(mark_then_sleep(ran.clone(), 0.0), f64::NAN).await;
    assert!(is_nan_error(&outcome), "{outcome:?}");
    assert!(!ran.get(), "the work must not run");
    asyncio::sleep(0).await?;
    assert!(!ran.get(), "wait_for must not have made a task of it");

    let task = asyncio::create_task(sleep_then(0.01, 7));
    let outcome = asyncio::wait([task.clone()], f64::NAN, ReturnWhen::AllCompleted).await;
    assert!(is_nan_error(&outcome), "{outcome:?}");
    let mut completed = asyncio::as_completed([task.clone()], f64::NAN);
    let outcome = completed.next().unwrap().await;
    assert!(is_nan_error(&outcome), "{outcome:?}");
    assert_eq!(task.await?, 7);

    // reschedule(NaN) is refused and leaves the deadline as it was.
    let t0 = now();
    let mut work = asyncio::timeout(0.05, asyncio::sleep(10));
    let cm = work.handle();
    assert!(is_nan_error(&cm.reschedule(Some(f64::NAN))));
    let mover = cm.clone();
    asyncio::get_running_loop()?.call_soon(move || {
        let refused = mover.reschedule(Some(f64::NAN));
        assert!(is_nan_error(&refused), "{refused:?}");
    })?;
    let outcome = work.await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert_time(t0 + 0.05);
    Ok(())
}

// NaN timeouts: asyncio expires at once (timeout, timeout_at, wait_for, as_completed) or
// returns at once (wait); here every one is a ValueError-like Error::Value.
#[test]
fn nan_timeouts_are_value_errors() {
    vrun(nan_timeouts());
}

#[asyncio::coroutine]
fn infinite_timeouts() -> Result<()> {
    let t0 = now();
    let mut work = asyncio::timeout(f64::INFINITY, asyncio::sleep(100));
    let cm = work.handle();
    work.await?;
    assert!(!cm.expired());
    assert_eq!(cm.when(), Some(f64::INFINITY));
    let mut work = asyncio::timeout_at(Some(f64::INFINITY), asyncio::sleep(100));
    let cm = work.handle();
    work.await?;
    assert_eq!(cm.when(), Some(f64::INFINITY));
    asyncio::wait_for(asyncio::sleep(100), f64::INFINITY).await?;
    let task = asyncio::create_task(sleep_then(100.0, 7));
    let (done, pending) =
        asyncio::wait([task.clone()], f64::INFINITY, ReturnWhen::AllCompleted).await?;
    assert_eq!((done.len(), pending.len()), (1, 0));
    let task = asyncio::create_task(sleep_then(100.0, 8));
    let mut completed = asyncio::as_completed([task], f64::INFINITY);
    assert_eq!(completed.next().unwrap().await?, 8);
    // No timer stood for "never": the virtual clock moved only for the sleeps.
    assert_time(t0 + 500.0);
    Ok(())
}

// Infinite timeouts never expire, as in asyncio (when() is inf).
#[test]
fn infinite_timeouts_never_expire() {
    vrun(infinite_timeouts());
}

#[asyncio::coroutine]
fn negative_infinite_timeouts() -> Result<()> {
    let t0 = now();
    let outcome = asyncio::timeout(f64::NEG_INFINITY, asyncio::sleep(1)).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    let outcome = asyncio::timeout_at(Some(f64::NEG_INFINITY), asyncio::sleep(1)).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    let outcome = asyncio::wait_for(asyncio::sleep(1), f64::NEG_INFINITY).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    let task = asyncio::create_task(sleep_then(1.0, 7));
    let (done, pending) =
        asyncio::wait([task.clone()], f64::NEG_INFINITY, ReturnWhen::AllCompleted).await?;
    assert_eq!((done.len(), pending.len()), (0, 1));
    let mut completed = asyncio::as_completed([task.clone()], f64::NEG_INFINITY);
    let outcome = completed.next().unwrap().await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert_time(t0);
    assert_eq!(task.await?, 7);
    Ok(())
}

// Negative infinity is a deadline in the past, as in asyncio: expired at once.
#[test]
fn negative_infinite_timeouts_expire_at_once() {
    vrun(negative_infinite_timeouts());
}

// ----- F. TaskGroup -----------------------------------------------------------------

#[asyncio::coroutine]
fn group_two(g: TaskGroup, pause: f64) -> Result<(Task<i32>, Task<i32>)> {
    let t1 = g.create_task(sleep_then(0.1, 42))?;
    if pause > 0.0 {
        asyncio::sleep(pause).await?;
    }
    let t2 = g.create_task(sleep_then(0.2, 11))?;
    Ok((t1, t2))
}

#[asyncio::coroutine]
fn group_happy(pause: f64) -> Result<()> {
    let (t1, t2) = TaskGroup::new().run(move |g| group_two(g, pause)).await?;
    assert_eq!(t1.result()?, 42);
    assert_eq!(t2.result()?, 11);
    assert_time(pause + 0.2);
    Ok(())
}

// C36: leaving the group waits for every child, also those added later in the body.
#[test]
fn c36_taskgroup_waits_for_children() {
    vrun(group_happy(0.0));
    vrun(group_happy(0.15));
}

#[asyncio::coroutine]
fn group_cancel_one(g: TaskGroup) -> Result<(Task<i32>, Task<i32>)> {
    let t1 = g.create_task(sleep_then(1.0, 42))?;
    asyncio::sleep(0.15).await?;
    t1.cancel();
    let t2 = g.create_task(sleep_then(0.2, 11))?;
    Ok((t1, t2))
}

#[asyncio::coroutine]
fn group_with_one_cancelled() -> Result<()> {
    let (t1, t2) = TaskGroup::new().run(group_cancel_one).await?;
    assert!(t1.cancelled());
    assert_eq!(t2.result()?, 11);
    Ok(())
}

// C36: cancelling one child explicitly does not abort the group.
#[test]
fn c36_taskgroup_child_cancelled_explicitly() {
    vrun(group_with_one_cancelled());
}

#[asyncio::coroutine]
fn leaf(delay: f64, count: Rc<Cell<u32>>) -> Result<()> {
    asyncio::sleep(delay).await?;
    count.set(count.get() + 1);
    Ok(())
}

#[asyncio::coroutine]
fn spawning_root(g: TaskGroup, count: Rc<Cell<u32>>) -> Result<()> {
    asyncio::sleep(0.1).await?;
    drop(g.create_task(leaf(0.1, count.clone()))?);
    drop(g.create_task(leaf(0.2, count))?);
    Ok(())
}

#[asyncio::coroutine]
fn group_children_spawn_children() -> Result<()> {
    let count = Rc::new(Cell::new(0));
    let leaves = count.clone();
    TaskGroup::new()
        .run(move |g: TaskGroup| {
            let spawned = g.create_task(spawning_root(g.clone(), leaves));
            ready(spawned.map(drop))
        })
        .await?;
    assert_eq!(count.get(), 2);
    assert_time(0.3);
    Ok(())
}

// C36: children can add more children.
#[test]
fn c36_taskgroup_children_add_children() {
    vrun(group_children_spawn_children());
}

#[asyncio::coroutine]
fn own_name(seen: Rc<RefCell<String>>) -> Result<()> {
    *seen.borrow_mut() = asyncio::current_task().unwrap().name();
    asyncio::sleep(0).await
}

#[asyncio::coroutine]
fn group_named_child() -> Result<()> {
    let seen = Rc::new(RefCell::new(String::new()));
    let inside = seen.clone();
    TaskGroup::new()
        .run(move |g: TaskGroup| {
            // No `name=` argument: the name is set right after creation.
            let named = g.create_task(own_name(inside)).map(|t| {
                t.set_name("yolo");
                assert_eq!(t.name(), "yolo");
            });
            ready(named)
        })
        .await?;
    assert_eq!(*seen.borrow(), "yolo");
    Ok(())
}

// C36: a child can be named ('yolo').
#[test]
fn c36_taskgroup_task_name() {
    vrun(group_named_child());
}

#[asyncio::coroutine]
fn group_failing_body(
    g: TaskGroup,
    t2_cancel: Rc<Cell<bool>>,
    body_cancel: Rc<Cell<bool>>,
) -> Result<()> {
    for _ in 0..3 {
        drop(g.create_task(fail_after(0.1, "ZeroDivisionError"))?);
    }
    drop(g.create_task(note_cancel(5.0, t2_cancel))?);
    note_cancel(10.0, body_cancel).await
}

#[asyncio::coroutine]
fn group_runner(
    t2_cancel: Rc<Cell<bool>>,
    body_cancel: Rc<Cell<bool>>,
    num: Rc<Cell<u32>>,
) -> Result<()> {
    TaskGroup::new()
        .run(move |g| group_failing_body(g, t2_cancel, body_cancel))
        .await?;
    num.set(num.get() + 10);
    Ok(())
}

#[asyncio::coroutine]
fn group_child_error() -> Result<()> {
    let (t2_cancel, body_cancel, num) = (Rc::default(), Rc::default(), Rc::default());
    let runner = asyncio::create_task(group_runner(
        Rc::clone(&t2_cancel),
        Rc::clone(&body_cancel),
        Rc::clone(&num),
    ));
    let outcome = runner.await;
    assert_group(&outcome, &["ZeroDivisionError"]);
    assert_eq!(num.get(), 0, "the code after the block ran");
    assert!(t2_cancel.get());
    assert!(body_cancel.get());
    Ok(())
}

// C37: one child fails: siblings and body are cancelled, errors come out as a group.
#[test]
fn c37_taskgroup_child_error_cancels_siblings_and_body() {
    vrun(group_child_error());
}

#[asyncio::coroutine]
fn hydra(g: TaskGroup, heads: Rc<Cell<u32>>) -> Result<()> {
    heads.set(heads.get() + 1);
    asyncio::sleep(0.01).await?;
    drop(g.create_task(hydra(g.clone(), heads.clone()))?);
    drop(g.create_task(hydra(g.clone(), heads))?);
    Ok(())
}

#[asyncio::coroutine]
fn hercules(heads: Rc<Cell<u32>>) -> Result<()> {
    while heads.get() < 10 {
        asyncio::sleep(0.015).await?;
    }
    Err(exc("ZeroDivisionError"))
}

#[asyncio::coroutine]
fn group_of_hydras() -> Result<()> {
    let heads = Rc::new(Cell::new(0));
    let counter = heads.clone();
    let outcome = TaskGroup::new()
        .run(move |g: TaskGroup| {
            let spawned = g
                .create_task(hydra(g.clone(), counter.clone()))
                .and_then(|_| g.create_task(hercules(counter)));
            ready(spawned.map(drop))
        })
        .await;
    assert_group(&outcome, &["ZeroDivisionError"]);
    assert!(heads.get() >= 10);
    Ok(())
}

// C37: children spawned while the group aborts are cancelled too.
#[test]
fn c37_taskgroup_children_spawning_while_aborting() {
    vrun(group_of_hydras());
}

/// A body that starts two children, then fails (after a sleep if `pause`).
#[asyncio::coroutine]
fn group_body_fails(g: TaskGroup, pause: bool, children: Rc<RefCell<Vec<TaskRef>>>) -> Result<()> {
    let t1 = g.create_task(sleep_then(1.0, 42))?;
    let t2 = g.create_task(sleep_then(2.0, 11))?;
    *children.borrow_mut() = vec![t1.task_ref().clone(), t2.task_ref().clone()];
    if pause {
        asyncio::sleep(0.1).await?;
    }
    Err(exc("ZeroDivisionError"))
}

#[asyncio::coroutine]
fn group_body_error(pause: bool) -> Result<()> {
    let children = Rc::new(RefCell::new(Vec::new()));
    let slot = children.clone();
    let outcome = TaskGroup::new()
        .run(move |g| group_body_fails(g, pause, slot))
        .await;
    assert_group(&outcome, &["ZeroDivisionError"]);
    let children = children.take();
    assert_eq!(children.len(), 2);
    assert!(children.iter().all(TaskRef::cancelled));
    Ok(())
}

// C38: an exception in the body (with or without a prior sleep) cancels the children.
#[test]
fn c38_taskgroup_body_error_cancels_children() {
    vrun(group_body_error(true));
    vrun(group_body_error(false));
}

/// `try: await sleep(10) finally: raise MyExc`
#[asyncio::coroutine]
fn nested_my_exc() -> Result<()> {
    let _ = asyncio::sleep(10).await;
    Err(exc("MyExc"))
}

#[asyncio::coroutine]
fn crash_soon_body(g: TaskGroup) -> Result<()> {
    drop(g.create_task(fail_after(0.1, "ZeroDivisionError"))?);
    nested_my_exc().await
}

#[asyncio::coroutine]
fn group_body_cleanup_error() -> Result<()> {
    let runner = asyncio::create_task(TaskGroup::new().run(crash_soon_body));
    let outcome = runner.await;
    assert_group(&outcome, &["MyExc", "ZeroDivisionError"]);
    Ok(())
}

// C38: if the body's cleanup raises while a child fails, the group holds both errors.
#[test]
fn c38_taskgroup_body_cleanup_error_joins_group() {
    vrun(group_body_cleanup_error());
}

#[asyncio::coroutine]
fn cancellable_group_body(
    g: TaskGroup,
    count: Rc<Cell<u32>>,
    children: u32,
    body_sleeps: bool,
) -> Result<()> {
    for _ in 0..children {
        drop(g.create_task(count_cancel(5.0, count.clone(), 1))?);
    }
    if body_sleeps {
        count_cancel(10.0, count, 10).await?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn group_cancelled_from_outside(children: u32, body_sleeps: bool) -> Result<u32> {
    let count = Rc::new(Cell::new(0));
    let counter = count.clone();
    let runner = asyncio::create_task(
        TaskGroup::new().run(move |g| cancellable_group_body(g, counter, children, body_sleeps)),
    );
    asyncio::sleep(0.1).await?;
    assert!(!runner.done());
    runner.cancel();
    let outcome = runner.await;
    assert!(
        is_cancelled(&outcome),
        "plain CancelledError expected, got {outcome:?}"
    );
    Ok(count.get())
}

// C39: cancelling the task running the group cancels every child (and the body); plain CancelledError.
#[test]
fn c39_taskgroup_cancelled_from_outside() {
    assert_eq!(vrun(group_cancelled_from_outside(5, false)), 5);
    assert_eq!(vrun(group_cancelled_from_outside(5, true)), 15);
    assert_eq!(vrun(group_cancelled_from_outside(0, true)), 10);
}

#[asyncio::coroutine]
fn refuse_after_failure(g: TaskGroup, refused: Rc<Cell<bool>>) -> Result<()> {
    if let Err(err) = asyncio::sleep(1).await {
        assert!(err.is_cancelled(), "{err:?}");
        let late = g.create_task(fail_after(0.001, "ZeroDivisionError"));
        refused
            .set(matches!(&late, Err(Error::InvalidState(msg)) if msg.contains("shutting down")));
    }
    Ok(())
}

#[asyncio::coroutine]
fn group_no_create_after_failure() -> Result<()> {
    let refused = Rc::new(Cell::new(false));
    let flag = refused.clone();
    let outcome = TaskGroup::new()
        .run(move |g: TaskGroup| {
            let spawned = g
                .create_task(fail_after(0.001, "ZeroDivisionError"))
                .and_then(|_| g.create_task(refuse_after_failure(g.clone(), flag)));
            ready(spawned.map(drop))
        })
        .await;
    assert_group(&outcome, &["ZeroDivisionError"]);
    assert!(refused.get());
    Ok(())
}

// C41: create_task is refused while the group is aborting.
#[test]
fn c41_taskgroup_no_create_task_after_failure() {
    vrun(group_no_create_after_failure());
}

fn is_refusal<T>(outcome: &Result<T>, words: &str) -> bool {
    matches!(outcome, Err(Error::InvalidState(msg)) if msg.contains(words))
}

#[asyncio::coroutine]
fn hold(token: Rc<()>) -> Result<()> {
    drop(token);
    Ok(())
}

#[asyncio::coroutine]
fn group_lifecycle() -> Result<()> {
    let tg = TaskGroup::new();
    let early = tg.create_task(asyncio::sleep(0));
    assert!(is_refusal(&early, "has not been entered"), "{early:?}");

    tg.run(|_| ready(Ok::<_, Error>(()))).await?;
    let token = Rc::new(());
    let late = tg.create_task(hold(token.clone()));
    assert!(is_refusal(&late, "is finished"), "{late:?}");
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "the refused coroutine was not dropped"
    );
    let again = tg.run(|_| ready(Ok::<_, Error>(()))).await;
    assert!(is_refusal(&again, "already been entered"), "{again:?}");

    TaskGroup::new().run(reenter).await
}

#[asyncio::coroutine]
fn reenter(g: TaskGroup) -> Result<()> {
    let nested = g.run(|_| ready(Ok::<_, Error>(()))).await;
    assert!(is_refusal(&nested, "already been entered"), "{nested:?}");
    Ok(())
}

// C41: create_task before entering or after finishing, and entering twice, are RuntimeErrors.
#[test]
fn c41_taskgroup_lifecycle_errors() {
    vrun(group_lifecycle());
}

// C41: entering a group outside a task is a RuntimeError.
#[test]
fn c41_taskgroup_without_parent_task() {
    let event_loop = vloop();
    let tg = TaskGroup::new();
    let group = tg.clone();
    let entered = Rc::new(RefCell::new(None));
    let slot = entered.clone();
    event_loop
        .call_soon(move || {
            // A callback runs outside any task: poll the group's entry there.
            let mut run = pin!(group.run(|_| ready(Ok::<_, Error>(()))));
            let mut cx = Context::from_waker(Waker::noop());
            *slot.borrow_mut() = Some(run.as_mut().poll(&mut cx));
        })
        .unwrap();
    run_once(&event_loop);
    let entered = entered.take().expect("the callback ran");
    assert!(
        matches!(&entered, std::task::Poll::Ready(Err(Error::InvalidState(msg))) if msg.contains("parent task")),
        "{entered:?}"
    );
    let late = tg.create_task(asyncio::sleep(0));
    assert!(is_refusal(&late, "has not been entered"), "{late:?}");
}

#[asyncio::coroutine]
fn group_cancelling_level() -> Result<()> {
    let outcome = TaskGroup::new()
        .run(|g: TaskGroup| ready(g.create_task(fail_after(0.0, "RuntimeError")).map(drop)))
        .await;
    assert_group(&outcome, &["RuntimeError"]);
    assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
    Ok(())
}

// C41: after a failed group whose error is handled, cancelling() is 0 again.
#[test]
fn c41_taskgroup_cancelling_level_preserved() {
    vrun(group_cancelling_level());
}

#[asyncio::coroutine]
fn nested_inner_body(inner: TaskGroup, outer: TaskGroup) -> Result<()> {
    drop(inner.create_task(fail_after(0.0, "RuntimeError"))?);
    drop(outer.create_task(fail_after(0.0, "ValueError"))?);
    Ok(())
}

#[asyncio::coroutine]
fn nested_outer_body(outer: TaskGroup) -> Result<()> {
    let inner = TaskGroup::new()
        .run(move |inner| nested_inner_body(inner, outer))
        .await;
    assert_group(&inner, &["RuntimeError"]);
    assert_eq!(asyncio::current_task().unwrap().cancelling(), 1);
    Ok(())
}

#[asyncio::coroutine]
fn nested_groups_both_fail() -> Result<()> {
    let outcome = TaskGroup::new().run(nested_outer_body).await;
    assert_group(&outcome, &["ValueError"]);
    assert_eq!(asyncio::current_task().unwrap().cancelling(), 0);
    Ok(())
}

// C41: nested groups that both fail: cancelling() is 1 between the exits, 0 at the end.
#[test]
fn c41_taskgroup_nested_groups_both_cancelled() {
    vrun(nested_groups_both_fail());
}

#[asyncio::coroutine]
fn raise_error(event: Future<()>) -> Result<()> {
    event.set_result(())?;
    asyncio::sleep(0).await?;
    Err(exc("RuntimeError"))
}

#[asyncio::coroutine]
fn group_with_raiser(tg: TaskGroup, event: Future<()>) -> Result<()> {
    drop(tg.create_task(raise_error(event))?);
    asyncio::sleep(1).await?;
    panic!("the sleep in the group should have been cancelled");
}

#[asyncio::coroutine]
fn error_then_cancelled(event: Future<()>) -> Result<()> {
    let outcome = TaskGroup::new()
        .run(move |tg| group_with_raiser(tg, event))
        .await;
    assert_group(&outcome, &["RuntimeError"]);
    assert_eq!(asyncio::current_task().unwrap().cancelling(), 1);
    asyncio::sleep(1).await?;
    panic!("the sleep after the group should have been cancelled");
}

#[asyncio::coroutine]
fn error_and_cancel() -> Result<()> {
    let event = Future::new();
    let t = asyncio::create_task(error_then_cancelled(event.clone()));
    event.await?;
    assert_eq!(t.cancelling(), 0);
    t.cancel();
    assert_eq!(t.cancelling(), 1);
    let outcome = t.clone().await;
    assert!(is_cancelled(&outcome), "{outcome:?}");
    assert!(t.cancelled());
    Ok(())
}

// C41: an external cancel() landing while a child fails: the group error can be handled, but the
// next await still raises CancelledError.
#[test]
fn c41_taskgroup_error_and_cancel() {
    vrun(error_and_cancel());
}
