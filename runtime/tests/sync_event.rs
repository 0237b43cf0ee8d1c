//! `Event`: wake-up order, clear/set, waiting on a set event, cancelled and
//! aborted waiters.
//!
//! CPython case C43 of `/work/shared/CASES.md` (section G), and our own
//! tests. Every test runs on a loop with a virtual clock; "yield once" is
//! `asyncio::sleep(0)`.

mod support;

use support::*;

use asyncio::{Event, Result, Task};
use std::cell::Cell;
use std::rc::Rc;

// ----- C43. Event --------------------------------------------------------------

#[asyncio::coroutine]
fn event_waiter(event: Event, result: Log<i32>, tag: i32) -> Result<bool> {
    event.wait().await?;
    result.borrow_mut().push(tag);
    Ok(true)
}

// C43: with t1 and t2 waiting and t3 created but not started, set() and one
// yield give [3, 1, 2]: t3's first step was queued before the wake-ups.
#[test]
fn c43_event_wait_wakes_in_ready_queue_order() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        assert!(!event.is_set());
        let result = log();
        let t1 = asyncio::create_task(event_waiter(event.clone(), result.clone(), 1));
        let t2 = asyncio::create_task(event_waiter(event.clone(), result.clone(), 2));
        asyncio::sleep(0).await?;
        assert!(result.borrow().is_empty());
        let t3 = asyncio::create_task(event_waiter(event.clone(), result.clone(), 3));
        event.set();
        asyncio::sleep(0).await?;
        assert_eq!(*result.borrow(), [3, 1, 2]);
        for task in [t1, t2, t3] {
            assert!(task.done());
            assert!(task.result()?);
        }
        Ok(())
    }
    vrun(body());
}

// C43: set(); clear(); set(); set() with one waiter wakes it exactly once.
#[test]
fn c43_event_clear_with_waiters() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        let result = log();
        let task = asyncio::create_task(event_waiter(event.clone(), result.clone(), 1));
        asyncio::sleep(0).await?;
        assert!(result.borrow().is_empty());
        event.set();
        event.clear();
        assert!(!event.is_set());
        event.set();
        event.set();
        assert!(format!("{event:?}").contains("waiters: 0"), "{event:?}");
        asyncio::sleep(0).await?;
        assert_eq!(*result.borrow(), [1]);
        assert!(task.done());
        assert!(task.result()?);
        // Nothing else was woken, or left waiting.
        asyncio::sleep(0).await?;
        assert_eq!(*result.borrow(), [1]);
        Ok(())
    }
    vrun(body());
}

// C43: wait() on an event that is already set returns at once, without
// suspending.
#[test]
fn c43_event_wait_on_set() {
    #[asyncio::coroutine]
    fn bump(counter: Rc<Cell<u32>>) {
        counter.set(counter.get() + 1);
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        event.set();
        let counter = Rc::new(Cell::new(0));
        let other = asyncio::create_task(bump(counter.clone()));
        event.wait().await?;
        // Had the wait suspended, the other task would have run.
        assert_eq!(counter.get(), 0);
        other.await?;
        assert_eq!(counter.get(), 1);
        Ok(())
    }
    vrun(body());
}

// C43: a cancelled waiter is removed from the event's waiters.
#[test]
fn c43_event_wait_cancel() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        let wait = asyncio::create_task(event.wait());
        let cancel = wait.task_ref().clone();
        call_soon(move || {
            cancel.cancel();
        });
        let outcome = wait.await;
        assert!(is_cancelled(&outcome), "{outcome:?}");
        assert!(format!("{event:?}").contains("waiters: 0"), "{event:?}");
        Ok(())
    }
    vrun(body());
}

// ----- beyond the CPython cases: cancellation safety, more of test_locks.py -----

#[test]
fn event_cancel_racing_set_wakes_the_others_once() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        let result = log();
        let tasks: Vec<Task<bool>> = (1..=3)
            .map(|tag| asyncio::create_task(event_waiter(event.clone(), result.clone(), tag)))
            .collect();
        asyncio::sleep(0).await?;
        event.set();
        tasks[0].cancel();
        let outcomes = asyncio::gather(tasks).return_exceptions().await?;
        assert!(is_cancelled(&outcomes[0]));
        assert!(outcomes[1].is_ok() && outcomes[2].is_ok());
        assert_eq!(*result.borrow(), [2, 3]);
        assert!(format!("{event:?}").contains("waiters: 0"), "{event:?}");
        Ok(())
    }
    vrun(body());
}

#[test]
fn event_wait_blocks_again_after_clear() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        let result = log();
        event.set();
        event.clear();
        let task = asyncio::create_task(event_waiter(event.clone(), result.clone(), 1));
        yields(3).await?;
        assert!(!task.done());
        event.set();
        task.await?;
        assert_eq!(*result.borrow(), [1]);
        // Set: waits return at once, any number of times.
        event.wait().await?;
        event.wait().await?;
        Ok(())
    }
    vrun(body());
}

#[test]
fn event_aborted_waiter_leaves_no_trace() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        let result = log();
        let t1 = asyncio::create_task(event_waiter(event.clone(), result.clone(), 1));
        let t2 = asyncio::create_task(event_waiter(event.clone(), result.clone(), 2));
        asyncio::sleep(0).await?;
        assert!(format!("{event:?}").contains("waiters: 2"), "{event:?}");
        t1.abort();
        assert!(format!("{event:?}").contains("waiters: 1"), "{event:?}");
        event.set();
        t2.await?;
        assert_eq!(*result.borrow(), [2]);
        Ok(())
    }
    vrun(body());
}
