//! The combinators' own API beyond the asyncio cases: `TaskGroup::cancel`,
//! rescheduling a timeout, `try_gather`, `gather!`.

mod support;

use std::cell::Cell;
use std::rc::Rc;

use asyncio::{Error, Result, TaskGroup};
use support::*;

fn now() -> f64 {
    asyncio::get_running_loop().unwrap().time()
}

#[asyncio::coroutine]
fn sleep_forever(cancelled: Rc<Cell<u32>>) -> Result<()> {
    let outcome = asyncio::sleep(3600.0).await;
    if outcome.is_err() {
        cancelled.set(cancelled.get() + 1);
    }
    outcome
}

#[asyncio::coroutine]
fn body_that_cancels(tg: TaskGroup, cancelled: Rc<Cell<u32>>) -> Result<()> {
    let _child = tg.create_task(sleep_forever(cancelled.clone()))?;
    let _child = tg.create_task(sleep_forever(cancelled.clone()))?;
    asyncio::sleep(0).await?;
    tg.cancel();
    sleep_forever(cancelled).await
}

#[asyncio::coroutine]
fn cancel_a_group() -> Result<(bool, u32, u32)> {
    let cancelled = Rc::new(Cell::new(0));
    let group = TaskGroup::new();
    let counter = cancelled.clone();
    let outcome = group.run(move |tg| body_that_cancels(tg, counter)).await;
    let me = asyncio::current_task().unwrap();
    Ok((is_cancelled(&outcome), cancelled.get(), me.cancelling()))
}

#[test]
fn task_group_cancel_stops_children_and_body_but_not_the_parent() {
    // The body had no value to give: its cancellation is the result; the
    // two children and the body saw it; the parent task is not cancelled.
    assert_eq!(vrun(cancel_a_group()), (true, 3, 0));
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
fn a_timeout_can_be_rescheduled_while_it_runs() {
    let (expired_at, when) = vrun(reschedule_twice());
    assert!((expired_at - 5.0).abs() < 1e-9, "{expired_at}");
    assert!((when - 5.0).abs() < 1e-9, "{when}");
}

#[asyncio::coroutine]
fn fail_after(delay: f64) -> Result<u32> {
    asyncio::sleep(delay).await?;
    Err(exc("ValueError"))
}

#[asyncio::coroutine]
fn value_after(delay: f64, value: u32, finished: Rc<Cell<bool>>) -> Result<u32> {
    asyncio::sleep(delay).await?;
    finished.set(true);
    Ok(value)
}

#[asyncio::coroutine]
fn try_gather_cancels_the_rest() -> Result<(bool, bool, f64)> {
    let finished = Rc::new(Cell::new(false));
    let slow = asyncio::create_task(value_after(10.0, 1, finished.clone()));
    let outcome = asyncio::try_gather([slow.clone(), asyncio::create_task(fail_after(1.0))]).await;
    Ok((
        is_exc(&outcome, "ValueError"),
        slow.cancelled() && !finished.get(),
        now(),
    ))
}

#[test]
fn try_gather_reports_the_first_error_after_cancelling_the_others() {
    let (failed, cancelled, at) = vrun(try_gather_cancels_the_rest());
    assert!(failed && cancelled);
    assert!((at - 1.0).abs() < 1e-9, "{at}");
}

#[asyncio::coroutine]
fn name_of(n: u32) -> Result<String> {
    asyncio::sleep(0).await?;
    Ok(format!("#{n}"))
}

#[asyncio::coroutine]
fn mixed_gather() -> Result<(String, u32, ())> {
    let finished = Rc::new(Cell::new(false));
    asyncio::gather!(
        name_of(7),
        value_after(0.5, 3, finished),
        asyncio::sleep(0.1)
    )
    .await
}

#[asyncio::coroutine]
fn gather_with_a_failure() -> Result<bool> {
    let finished = Rc::new(Cell::new(false));
    let outcome = asyncio::gather!(value_after(2.0, 1, finished.clone()), fail_after(1.0)).await;
    // The first failure decides at once; the sibling keeps running.
    assert!(is_exc(&outcome, "ValueError"), "{outcome:?}");
    assert!((now() - 1.0).abs() < 1e-9);
    asyncio::sleep(2.0).await?;
    Ok(finished.get())
}

#[test]
fn gather_macro_collects_different_types_in_order() {
    assert_eq!(vrun(mixed_gather()), ("#7".to_owned(), 3, ()));
    assert!(vrun(gather_with_a_failure()));
}
