//! `Condition`: notify order, the lock held around waits, cancellation while
//! waiting or re-taking the lock (never losing a wake-up), timeouts.
//!
//! The `Condition` parts of CPython cases C18 and C28 of
//! `/work/shared/CASES.md`, ports of more of `test_locks.py`, and our own
//! tests. Every test runs on a loop with a virtual clock.

mod support;

use support::*;

use asyncio::{Condition, Error, Lock, Result, Task};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

// ----- C18 and C28: Condition parts ------------------------------------------------

// C18: a cancellation received while waiting for the wake-up comes out of
// Condition.wait_for unchanged (same message), with the lock held again,
// and reaches whoever awaits the task.
#[test]
fn c18_condition_cancelled_error_wakeup() {
    #[asyncio::coroutine]
    fn func(cond: Condition, raised: Rc<RefCell<Option<String>>>) -> Result<()> {
        let guard = cond.acquire().await?;
        let err = match cond.wait_for(|| false).await {
            Err(err) if err.is_cancelled() => err,
            other => panic!("expected a cancellation, got {other:?}"),
        };
        assert!(cond.locked());
        *raised.borrow_mut() = err.cancel_message().map(str::to_owned);
        drop(guard);
        Err(err)
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let raised = Rc::new(RefCell::new(None));
        let task = asyncio::create_task(func(cond.clone(), raised.clone()));
        asyncio::sleep(0).await?;
        // The task is waiting on the condition: cancel it there.
        task.cancel_with("foo");
        let outcome = task.await;
        assert!(
            matches!(&outcome, Err(err) if err.cancel_message() == Some("foo")),
            "{outcome:?}"
        );
        assert_eq!(raised.borrow().as_deref(), Some("foo"));
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

// C18: the same, for a cancellation received while taking the lock back
// (test_cancelled_error_re_aquire).
#[test]
fn c18_condition_cancelled_error_re_acquire() {
    #[asyncio::coroutine]
    fn func(
        cond: Condition,
        wake: Rc<Cell<bool>>,
        raised: Rc<RefCell<Option<String>>>,
    ) -> Result<()> {
        let guard = cond.acquire().await?;
        let err = match cond.wait_for(move || wake.get()).await {
            Err(err) if err.is_cancelled() => err,
            other => panic!("expected a cancellation, got {other:?}"),
        };
        assert!(cond.locked());
        *raised.borrow_mut() = err.cancel_message().map(str::to_owned);
        drop(guard);
        Err(err)
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let wake = Rc::new(Cell::new(false));
        let raised = Rc::new(RefCell::new(None));
        let task = asyncio::create_task(func(cond.clone(), wake.clone(), raised.clone()));
        asyncio::sleep(0).await?;
        let guard = cond.acquire().await?;
        wake.set(true);
        cond.notify(1)?;
        asyncio::sleep(0).await?;
        // The task is now taking the lock back: cancel it there.
        task.cancel_with("foo");
        drop(guard);
        let outcome = task.await;
        assert!(
            matches!(&outcome, Err(err) if err.cancel_message() == Some("foo")),
            "{outcome:?}"
        );
        assert_eq!(raised.borrow().as_deref(), Some("foo"));
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

// C28: `async with cond: await wait_for(cond.wait(), 0.5)` raises
// TimeoutError with the lock re-acquired, at exactly 0.5.
#[test]
fn c28_condition_timeout_in_block() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let guard = cond.acquire().await?;
        let start = asyncio::get_running_loop()?.time();
        let outcome = asyncio::wait_for(cond.wait(), 0.5).await;
        assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
        assert_eq!(asyncio::get_running_loop()?.time() - start, 0.5);
        assert!(cond.locked());
        drop(guard);
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

// ----- Condition -------------------------------------------------------------------

#[asyncio::coroutine]
fn cond_waiter(cond: Condition, result: Log<i32>, tag: i32) -> Result<bool> {
    let guard = cond.acquire().await?;
    cond.wait().await?;
    result.borrow_mut().push(tag);
    drop(guard);
    Ok(true)
}

/// asyncio's `test_wait`, with a release after each notify.
#[test]
fn condition_notified_waiters_run_in_order_once_the_lock_is_free() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let result = log();
        let tasks: Vec<Task<bool>> = (1..=3)
            .map(|tag| asyncio::create_task(cond_waiter(cond.clone(), result.clone(), tag)))
            .collect();
        asyncio::sleep(0).await?;
        assert!(result.borrow().is_empty());
        assert!(!cond.locked());

        let guard = cond.acquire().await?;
        cond.notify(1)?;
        asyncio::sleep(0).await?;
        // Notified, but the lock is still ours.
        assert!(result.borrow().is_empty());
        assert!(cond.locked());
        drop(guard);
        asyncio::sleep(0).await?;
        assert_eq!(*result.borrow(), [1]);

        let guard = cond.acquire().await?;
        cond.notify(1)?;
        cond.notify(2048)?;
        drop(guard);
        asyncio::sleep(0).await?;
        asyncio::sleep(0).await?;
        assert_eq!(*result.borrow(), [1, 2, 3]);
        for task in tasks {
            assert!(task.await?);
        }
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

#[test]
fn condition_notify_all_and_unacquired_errors() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        assert!(matches!(cond.notify(1), Err(Error::InvalidState(_))));
        assert!(matches!(cond.notify_all(), Err(Error::InvalidState(_))));
        assert!(matches!(cond.wait().await, Err(Error::InvalidState(_))));
        assert!(matches!(
            cond.wait_for(|| false).await,
            Err(Error::InvalidState(_))
        ));
        cond.wait_for(|| true).await?;

        let result = log();
        let tasks: Vec<Task<bool>> = (1..=2)
            .map(|tag| asyncio::create_task(cond_waiter(cond.clone(), result.clone(), tag)))
            .collect();
        asyncio::sleep(0).await?;
        let guard = cond.acquire().await?;
        cond.notify_all()?;
        drop(guard);
        asyncio::gather(tasks).await?;
        assert_eq!(*result.borrow(), [1, 2]);
        Ok(())
    }
    vrun(body());
}

#[test]
fn condition_wait_needs_the_lock_held_through_the_condition() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let lock = Lock::new();
        let cond = Condition::with_lock(lock.clone());
        let plain = lock.acquire().await?;
        assert!(cond.locked());
        cond.notify(1)?; // only needs the lock held
        assert!(matches!(cond.wait().await, Err(Error::InvalidState(_))));
        assert!(lock.locked(), "the failed wait left the lock alone");
        drop(plain);
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

#[test]
fn condition_sharing_a_lock() {
    #[asyncio::coroutine]
    fn wait_on(cond: Condition, log: Log<&'static str>, name: &'static str) -> Result<()> {
        let guard = cond.acquire().await?;
        cond.wait().await?;
        log.borrow_mut().push(name);
        drop(guard);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let not_empty = Condition::new();
        let not_full = not_empty.sharing_lock();
        let result = log();
        let a = asyncio::create_task(wait_on(not_empty.clone(), result.clone(), "not_empty"));
        let b = asyncio::create_task(wait_on(not_full.clone(), result.clone(), "not_full"));
        asyncio::sleep(0).await?;
        let guard = not_full.acquire().await?;
        assert!(not_empty.locked());
        not_full.notify(1)?;
        drop(guard);
        b.await?;
        assert_eq!(*result.borrow(), ["not_full"]);
        assert!(!a.done());
        let guard = not_empty.acquire().await?;
        not_empty.notify(1)?;
        drop(guard);
        a.await?;
        assert_eq!(*result.borrow(), ["not_full", "not_empty"]);
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_wait_cancel`: a waiter cancelled before it is notified
/// leaves the waiters, and holds the lock again.
#[test]
fn condition_wait_cancel_reacquires_the_lock() {
    #[asyncio::coroutine]
    fn waiter(cond: Condition) -> Result<bool> {
        let guard = cond.acquire().await?;
        let outcome = cond.wait().await;
        assert!(is_cancelled(&outcome), "{outcome:?}");
        let held = cond.locked();
        drop(guard);
        outcome?;
        Ok(held)
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let task = asyncio::create_task(waiter(cond.clone()));
        asyncio::sleep(0).await?;
        assert!(!cond.locked());
        task.cancel();
        assert!(is_cancelled(&task.await));
        assert!(format!("{cond:?}").contains("waiters: 0"), "{cond:?}");
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_wait_cancel_contested`: notified, cancelled while the
/// lock is contested, and still ends holding the lock.
#[test]
fn condition_wait_cancel_contested() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let guard = cond.acquire().await?;
        assert!(cond.locked());
        let wait_task = asyncio::create_task(cond.wait());
        asyncio::sleep(0).await?;
        assert!(!cond.locked());

        // The wait released our lock: take it again, notify, and cancel.
        let guard2 = cond.acquire().await?;
        cond.notify(1)?;
        let cancel = wait_task.task_ref().clone();
        let event_loop = asyncio::get_running_loop()?;
        event_loop.call_soon(move || {
            cancel.cancel();
        })?;
        let release = Rc::new(RefCell::new(Some(guard2)));
        event_loop.call_soon(move || drop(release.borrow_mut().take()))?;
        let outcome = wait_task.await;
        assert!(outcome.is_ok() || is_cancelled(&outcome), "{outcome:?}");
        // The wait took the lock back for the first guard.
        assert!(cond.locked());
        drop(guard);
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_wait_cancel_after_notify` (bpo-32841).
#[test]
fn condition_wait_cancel_after_notify() {
    #[asyncio::coroutine]
    fn wait_on_cond(cond: Condition, waited: Rc<Cell<bool>>) -> Result<()> {
        let guard = cond.acquire().await?;
        waited.set(true);
        cond.wait().await?;
        drop(guard);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let waited = Rc::new(Cell::new(false));
        let waiter = asyncio::create_task(wait_on_cond(cond.clone(), waited.clone()));
        asyncio::sleep(0).await?; // start waiting
        let guard = cond.acquire().await?;
        cond.notify(1)?;
        asyncio::sleep(0).await?; // get to the re-acquisition
        waiter.cancel();
        asyncio::sleep(0).await?; // activate the cancellation
        drop(guard);
        asyncio::sleep(0).await?; // the cancellation comes out
        assert!(waiter.cancelled());
        assert!(waited.get());
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

#[asyncio::coroutine]
fn consumer(cond: Condition, state: Rc<Cell<i32>>) -> Result<()> {
    let guard = cond.acquire().await?;
    loop {
        let probe = state.clone();
        cond.wait_for(move || probe.get() != 0).await?;
        if state.get() < 0 {
            drop(guard);
            return Ok(());
        }
        state.set(state.get() - 1);
    }
}

/// asyncio's `test_cancelled_wakeup`: a waiter cancelled after `notify`
/// and before it runs passes the wake-up on.
#[test]
fn condition_cancel_racing_notify_passes_the_wakeup_on() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let state = Rc::new(Cell::new(0));
        let c0 = asyncio::create_task(consumer(cond.clone(), state.clone()));
        let c1 = asyncio::create_task(consumer(cond.clone(), state.clone()));
        asyncio::sleep(0).await?;
        let guard = cond.acquire().await?;
        state.set(1);
        cond.notify(1)?;
        c0.cancel(); // before it runs
        // Nobody notifies us: this times out (as in asyncio's test), and
        // meanwhile the item must have been consumed.
        let probe = state.clone();
        let outcome = asyncio::timeout(0.01, cond.wait_for(move || probe.get() == 0)).await;
        assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
        assert!(cond.locked(), "the lock is held again after the timeout");
        assert_eq!(state.get(), 0, "the wake-up was lost");
        state.set(-1);
        cond.notify_all()?;
        drop(guard);
        c1.await?;
        assert!(is_cancelled(&c0.await));
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_cancelled_wakeup_relock`: cancelled while taking the
/// lock back after a notify: the wake-up is passed on.
#[test]
fn condition_cancel_while_relocking_passes_the_wakeup_on() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let state = Rc::new(Cell::new(0));
        let c0 = asyncio::create_task(consumer(cond.clone(), state.clone()));
        let c1 = asyncio::create_task(consumer(cond.clone(), state.clone()));
        asyncio::sleep(0).await?;
        let guard = cond.acquire().await?;
        state.set(1);
        cond.notify(1)?;
        asyncio::sleep(0).await?; // c0 wakes and queues for the lock
        c0.cancel();
        // Nobody notifies us: this times out (as in asyncio's test), and
        // meanwhile the item must have been consumed.
        let probe = state.clone();
        let outcome = asyncio::timeout(0.01, cond.wait_for(move || probe.get() == 0)).await;
        assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
        assert!(cond.locked(), "the lock is held again after the timeout");
        assert_eq!(state.get(), 0, "the wake-up was lost");
        state.set(-1);
        cond.notify_all()?;
        drop(guard);
        c1.await?;
        assert!(is_cancelled(&c0.await));
        Ok(())
    }
    vrun(body());
}

/// Unlike asyncio 3.13, a waiter cancelled before any notify does not wake
/// another one spuriously.
#[test]
fn condition_cancel_without_notify_wakes_nobody() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let result = log();
        let t1 = asyncio::create_task(cond_waiter(cond.clone(), result.clone(), 1));
        let t2 = asyncio::create_task(cond_waiter(cond.clone(), result.clone(), 2));
        asyncio::sleep(0).await?;
        t1.cancel();
        yields(5).await?;
        assert!(t1.cancelled());
        assert!(!t2.done(), "spurious wake-up");
        assert!(format!("{cond:?}").contains("waiters: 1"), "{cond:?}");
        let guard = cond.acquire().await?;
        cond.notify(1)?;
        drop(guard);
        assert!(t2.await?);
        assert_eq!(*result.borrow(), [2]);
        Ok(())
    }
    vrun(body());
}

/// A notified waiter that is aborted (its wait dropped) passes the wake-up
/// on, and a holder aborted in the middle of a wait releases nothing it
/// does not hold.
#[test]
fn condition_abort_notified_waiter_passes_the_wakeup_on() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let result = log();
        let t1 = asyncio::create_task(cond_waiter(cond.clone(), result.clone(), 1));
        let t2 = asyncio::create_task(cond_waiter(cond.clone(), result.clone(), 2));
        asyncio::sleep(0).await?;
        let guard = cond.acquire().await?;
        cond.notify(1)?;
        t1.abort(); // its guard is lent to the wait: dropping it releases nothing
        assert!(cond.locked(), "the aborted waiter released our lock");
        drop(guard);
        assert!(t2.await?);
        assert_eq!(*result.borrow(), [2]);
        assert!(t1.cancelled());
        assert!(!cond.locked());
        Ok(())
    }
    vrun(body());
}

/// A wait whose guard is gone by the time it takes the lock back releases
/// it at once (nobody else could).
#[test]
fn condition_wait_outliving_its_guard_does_not_leak_the_lock() {
    #[asyncio::coroutine]
    fn holder(cond: Condition, started: asyncio::Future<asyncio::Task<()>>) -> Result<()> {
        let guard = cond.acquire().await?;
        let wait = asyncio::create_task(cond.wait());
        started.set_result(wait).ok();
        asyncio::sleep(3600).await?;
        drop(guard);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let cond = Condition::new();
        let started = asyncio::get_running_loop()?.create_future();
        let task = asyncio::create_task(holder(cond.clone(), started.clone()));
        let wait = started.await?;
        asyncio::sleep(0).await?;
        assert!(!cond.locked(), "the wait released the lock");
        task.abort(); // the guard goes while the wait waits
        let guard = cond.acquire().await?;
        cond.notify(1)?;
        drop(guard);
        wait.await?;
        assert!(!cond.locked(), "the lock leaked");
        Ok(())
    }
    vrun(body());
}

/// Ping-pong between a producer and consumers over two conditions sharing
/// one lock: each item is notified to exactly one consumer, and the
/// producer waits for it to be taken. The producer cancels consumers at
/// random right after a notify (before they run); a cancelled consumer
/// leaves for good, so a wake-up it did not pass on would leave the item
/// untaken and everyone blocked.
#[test]
fn condition_no_lost_wakeups_under_random_cancels() {
    const ITEMS: usize = 300;
    const CONSUMERS: usize = 8;

    #[asyncio::coroutine]
    fn consume(
        not_empty: Condition,
        not_full: Condition,
        items: Rc<Cell<usize>>,
        done: Rc<Cell<bool>>,
        consumed: Rc<Cell<usize>>,
    ) -> Result<()> {
        let guard = not_empty.acquire().await?;
        loop {
            let probe = (items.clone(), done.clone());
            let outcome = not_empty
                .wait_for(move || probe.0.get() > 0 || probe.1.get())
                .await;
            assert!(not_empty.locked(), "wait returned without the lock");
            if let Err(err) = outcome {
                drop(guard);
                return Err(err);
            }
            if items.get() == 0 {
                drop(guard);
                return Ok(()); // done
            }
            items.set(items.get() - 1);
            consumed.set(consumed.get() + 1);
            not_full.notify(1)?;
        }
    }

    #[asyncio::coroutine]
    fn produce(
        not_empty: Condition,
        not_full: Condition,
        items: Rc<Cell<usize>>,
        done: Rc<Cell<bool>>,
        consumers: Log<(Task<()>, bool)>,
    ) -> Result<usize> {
        let rng = Rng::new(11);
        let mut cancels = 0;
        let guard = not_full.acquire().await?;
        for _ in 0..ITEMS {
            let probe = items.clone();
            not_full.wait_for(move || probe.get() == 0).await?;
            items.set(1);
            not_empty.notify(1)?;
            if rng.below(20) == 0 {
                let mut consumers = consumers.borrow_mut();
                let live: Vec<usize> = (0..consumers.len()).filter(|&i| !consumers[i].1).collect();
                if live.len() > 1 {
                    let victim = live[rng.below(live.len())];
                    consumers[victim].0.cancel();
                    consumers[victim].1 = true;
                    cancels += 1;
                }
            }
        }
        let probe = items.clone();
        not_full.wait_for(move || probe.get() == 0).await?;
        done.set(true);
        not_empty.notify_all()?;
        drop(guard);
        Ok(cancels)
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let not_empty = Condition::new();
        let not_full = not_empty.sharing_lock();
        let items = Rc::new(Cell::new(0));
        let done = Rc::new(Cell::new(false));
        let consumed = Rc::new(Cell::new(0));
        let consumers = Rc::new(RefCell::new(Vec::new()));
        for _ in 0..CONSUMERS {
            let task = asyncio::create_task(consume(
                not_empty.clone(),
                not_full.clone(),
                items.clone(),
                done.clone(),
                consumed.clone(),
            ));
            consumers.borrow_mut().push((task, false));
        }
        asyncio::sleep(0).await?;
        let producer = asyncio::create_task(produce(
            not_empty.clone(),
            not_full.clone(),
            items.clone(),
            done.clone(),
            consumers.clone(),
        ));
        let cancels = producer.await?;
        assert!(cancels >= 5, "only {cancels} cancellations");
        let tasks: Vec<Task<()>> = consumers
            .borrow_mut()
            .drain(..)
            .map(|(task, _)| task)
            .collect();
        let outcomes = asyncio::gather(tasks).return_exceptions().await?;
        let cancelled = outcomes
            .iter()
            .filter(|outcome| is_cancelled(outcome))
            .count();
        assert_eq!(cancelled, cancels);
        assert_eq!(consumed.get(), ITEMS);
        assert_eq!(items.get(), 0);
        assert!(!not_empty.locked());
        Ok(())
    }
    vrun(body());
}
