//! Coroutines on the real loop: `#[asyncio::test]`, tasks, sleeps.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[asyncio::coroutine]
fn record(
    log: Rc<RefCell<Vec<&'static str>>>,
    delay_ms: u64,
    what: &'static str,
) -> asyncio::Result<()> {
    asyncio::sleep(Duration::from_millis(delay_ms)).await?;
    log.borrow_mut().push(what);
    Ok(())
}

#[asyncio::test]
fn test_attribute_runs_the_body_on_a_loop() {
    let start = Instant::now();
    asyncio::sleep(Duration::from_millis(5)).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(5));
}

#[asyncio::test]
fn test_attribute_accepts_a_result() -> asyncio::Result<()> {
    asyncio::sleep(0).await?;
    Ok(())
}

#[asyncio::test]
fn timers_fire_in_deadline_order_before_a_later_sleep() -> asyncio::Result<()> {
    // Absolute deadlines from one base time, registered in the opposite
    // order; the sleep's deadline comes after all of them, so the order is
    // exact however slowly this runs.
    let log = Rc::new(RefCell::new(Vec::new()));
    let event_loop = asyncio::get_running_loop()?;
    let base = event_loop.time();
    for (offset, what) in [(0.06, "slow"), (0.03, "middle"), (0.0, "fast")] {
        let log = log.clone();
        event_loop.call_at(base + offset, move || log.borrow_mut().push(what))?;
    }
    record(log.clone(), 70, "coroutine").await?;
    assert_eq!(*log.borrow(), ["fast", "middle", "slow", "coroutine"]);
    Ok(())
}

#[asyncio::coroutine]
fn yields(log: Rc<RefCell<Vec<String>>>, name: &'static str, n: u32) -> asyncio::Result<u32> {
    let mut count = 0;
    for i in 0..n {
        log.borrow_mut().push(format!("{name}{i}"));
        asyncio::sleep(0).await?;
        count += 1;
    }
    Ok(count)
}

#[asyncio::test]
fn sleep_zero_yields_to_other_tasks() -> asyncio::Result<()> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let a = asyncio::create_task(yields(log.clone(), "a", 3));
    let b = asyncio::create_task(yields(log.clone(), "b", 3));
    assert_eq!(a.await?, 3);
    assert_eq!(b.await?, 3);
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
    Ok(())
}

#[asyncio::coroutine]
fn fails() -> asyncio::Result<u32> {
    asyncio::sleep(0).await?;
    Err(asyncio::Error::InvalidState("nope".into()))
}

#[asyncio::test]
fn errors_propagate_with_question_mark() {
    let r = fails().await;
    assert!(matches!(r, Err(asyncio::Error::InvalidState(_))), "{r:?}");
}

#[test]
fn run_returns_the_coroutine_output() {
    assert_eq!(asyncio::run(yields(Rc::default(), "x", 2)).unwrap(), 2);
}
