//! `timeout()` / `timeout_at()`: expiry and the special deadlines, what the
//! body and the outside see, foreign cancellations, the deadline fixed at
//! entry, rescheduling, NaN and infinite delays (also for `wait_for`,
//! `wait` and `as_completed`).
//!
//! CPython cases C31-C34 of `/work/shared/CASES.md` (section E), the issue 11
//! cases, and our own tests. Everything runs on a virtual clock.

mod support;

use support::*;

use asyncio::{Error, Result, ReturnWhen};
use std::cell::{Cell, RefCell};
use std::future::ready;
use std::rc::Rc;

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

#[asyncio::coroutine]
fn reschedule_twice() -> Result<(f64, f64)> {
    let mut work = asyncio::timeout(10.0, asyncio::sleep(3600.0));
    let handle = work.handle();
    let mover = handle.clone();
    asyncio::get_running_loop()?.call_later(1.0, move || {
        // Push the deadline back, then the work must expire at 5.
        mover.reschedule(Some(5.0)).unwrap();
    })?;
    let outcome = work.await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    assert!(handle.expired());
    assert!(handle.reschedule(Some(100.0)).is_err());
    Ok((now(), handle.when().unwrap()))
}

#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn a_timeout_can_be_rescheduled_while_it_runs() {
    let (expired_at, when) = vrun(reschedule_twice());
    assert!((expired_at - 5.0).abs() < 1e-9, "{expired_at}");
    assert!((when - 5.0).abs() < 1e-9, "{when}");
}
