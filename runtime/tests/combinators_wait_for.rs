//! `wait_for`: on timeout it cancels the inner task and waits for its
//! cleanup; zero and negative timeouts; cancelling the task that runs it.
//!
//! CPython cases C28 and C30 of `/work/shared/CASES.md` (section D).
//! Everything runs on a virtual clock.

mod support;

use support::*;

use asyncio::{Delay, Error, Future, Result, ReturnWhen, Task};
use std::cell::Cell;
use std::future::ready;
use std::rc::Rc;

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
