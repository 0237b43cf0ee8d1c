//! `Lock`: FIFO hand-off without barging, and cancellation safety (a
//! cancelled or aborted waiter never loses or duplicates the hand-off, also
//! when the cancellation races the release in the same iteration).
//!
//! Our own tests (CASES.md has no Lock case). Every test runs on a loop with
//! a virtual clock.

mod support;

use support::*;

use asyncio::{Lock, Result, Task};
use std::cell::Cell;
use std::rc::Rc;

// ----- Lock --------------------------------------------------------------------

#[asyncio::coroutine]
fn lock_and_log(lock: Lock, result: Log<i32>, tag: i32) -> Result<()> {
    let guard = lock.acquire().await?;
    result.borrow_mut().push(tag);
    asyncio::sleep(0).await?;
    drop(guard);
    Ok(())
}

#[test]
fn lock_waiters_get_it_in_fifo_order_without_barging() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let lock = Lock::new();
        let result = log();
        let guard = lock.acquire().await?;
        let t1 = asyncio::create_task(lock_and_log(lock.clone(), result.clone(), 1));
        let t2 = asyncio::create_task(lock_and_log(lock.clone(), result.clone(), 2));
        asyncio::sleep(0).await?;
        drop(guard);
        // Handed to t1: still locked, and a newcomer cannot take it.
        assert!(lock.locked());
        assert!(lock.try_acquire().is_none());
        let t3 = asyncio::create_task(lock_and_log(lock.clone(), result.clone(), 3));
        asyncio::gather([t1, t2, t3]).await?;
        assert_eq!(*result.borrow(), [1, 2, 3]);
        assert!(!lock.locked());
        assert!(lock.try_acquire().is_some());
        Ok(())
    }
    vrun(body());
}

/// How the first of two lock waiters is stopped, relative to the release
/// that hands it the lock.
#[derive(Clone, Copy)]
enum Stop {
    /// Cancelled, and its cancellation delivered, before the release.
    CancelBefore,
    /// Cancelled right after the release handed it the lock, before it ran.
    CancelRacing,
    /// Aborted (its acquire dropped) after the hand-off.
    AbortAfter,
}

/// Two tasks wait for a held lock; the first is stopped as `stop` says;
/// the second still gets the lock and nothing is left locked.
#[asyncio::coroutine]
fn second_waiter_gets_the_lock(stop: Stop) -> Result<()> {
    let lock = Lock::new();
    let result = log();
    let guard = lock.acquire().await?;
    let t1 = asyncio::create_task(lock_and_log(lock.clone(), result.clone(), 1));
    let t2 = asyncio::create_task(lock_and_log(lock.clone(), result.clone(), 2));
    asyncio::sleep(0).await?;
    match stop {
        Stop::CancelBefore => {
            t1.cancel();
            asyncio::sleep(0).await?;
            assert!(t1.cancelled());
            drop(guard);
        }
        Stop::CancelRacing => {
            drop(guard);
            t1.cancel();
            assert!(is_cancelled(&t1.clone().await));
        }
        Stop::AbortAfter => {
            drop(guard);
            t1.abort(); // drops its acquire, which holds the hand-off
        }
    }
    t2.await?;
    assert!(t1.cancelled());
    assert_eq!(*result.borrow(), [2]);
    assert!(!lock.locked());
    Ok(())
}

#[test]
fn lock_waiter_cancelled_before_release_leaves_the_queue() {
    vrun(second_waiter_gets_the_lock(Stop::CancelBefore));
}

#[test]
fn lock_cancel_racing_release_passes_the_lock_on() {
    vrun(second_waiter_gets_the_lock(Stop::CancelRacing));
}

#[test]
fn lock_abort_after_handoff_passes_the_lock_on() {
    vrun(second_waiter_gets_the_lock(Stop::AbortAfter));
}

#[test]
fn lock_mutual_exclusion_under_random_cancels_and_aborts() {
    #[asyncio::coroutine]
    fn worker(lock: Lock, inside: Rc<Cell<u32>>, entries: Rc<Cell<u32>>) -> Result<()> {
        for _ in 0..50 {
            let guard = match lock.acquire().await {
                Ok(guard) => guard,
                Err(err) if err.is_cancelled() => continue,
                Err(err) => return Err(err),
            };
            let holding = Holding::enter(&inside);
            assert_eq!(inside.get(), 1, "two holders at once");
            entries.set(entries.get() + 1);
            let slept = asyncio::sleep(0).await;
            drop(holding);
            drop(guard);
            drop(slept); // a cancellation here is ignored
        }
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let lock = Lock::new();
        let inside = Rc::new(Cell::new(0));
        let entries = Rc::new(Cell::new(0));
        let rng = Rng::new(7);
        let tasks: Vec<Task<()>> = (0..8)
            .map(|_| asyncio::create_task(worker(lock.clone(), inside.clone(), entries.clone())))
            .collect();
        let mut rounds = 0;
        while tasks.iter().any(|task| !task.done()) {
            let victim = &tasks[rng.below(tasks.len())];
            match rng.below(10) {
                0 => victim.abort(),
                1..=5 => {
                    victim.cancel();
                }
                _ => {}
            }
            if rng.below(3) == 0 {
                // A release and a cancel in the same iteration.
                asyncio::sleep(0).await?;
            }
            rounds += 1;
            asyncio::sleep(0).await?;
        }
        assert!(rounds > 10);
        assert!(entries.get() > 0);
        assert_eq!(inside.get(), 0);
        // No hand-off was lost: the lock is free and usable.
        assert!(!lock.locked());
        let _guard = asyncio::wait_for(lock.acquire(), 1.0).await?;
        Ok(())
    }
    vrun(body());
}
