//! `Semaphore` and `BoundedSemaphore`: values, FIFO order with re-queueing,
//! cancelled waiters never swallowing or duplicating a permit.
//!
//! CPython case C45 of `/work/shared/CASES.md` (section G), ports of more of
//! `test_locks.py`, and our own tests. Every test runs on a loop with a
//! virtual clock.

mod support;

use support::*;

use asyncio::{BoundedSemaphore, Error, Result, Semaphore, Task, TaskRef};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

// ----- C45. Semaphore and BoundedSemaphore ---------------------------------------

/// `await sem.acquire()` in asyncio: takes a permit and keeps it.
#[asyncio::coroutine]
fn take_permit(sem: Semaphore) -> Result<()> {
    sem.acquire().await?.forget();
    Ok(())
}

#[asyncio::coroutine]
fn take_and_log(sem: Semaphore, result: Log<i32>, tag: i32) -> Result<bool> {
    sem.acquire().await?.forget();
    result.borrow_mut().push(tag);
    Ok(true)
}

// C45: Semaphore(-1) is a ValueError.
#[test]
fn c45_semaphore_value() {
    assert!(matches!(Semaphore::new(-1), Err(Error::InvalidState(_))));
    assert!(matches!(
        BoundedSemaphore::new(-1),
        Err(Error::InvalidState(_))
    ));
}

// C45: Semaphore(0) is locked.
#[test]
fn c45_initial_value_zero() {
    assert!(Semaphore::new(0).unwrap().locked());
    assert!(!Semaphore::new(1).unwrap().locked());
}

// C45: releasing a BoundedSemaphore past its initial value is a ValueError.
#[test]
fn c45_release_not_acquired() {
    let sem = BoundedSemaphore::new(1).unwrap();
    assert!(matches!(sem.release(), Err(Error::InvalidState(_))));
    assert_eq!(sem.value(), 1);
}

// C45: value 1 and three tasks each acquiring twice: strict FIFO with
// re-queueing.
#[test]
fn c45_acquire_fifo_order() {
    #[asyncio::coroutine]
    fn coro(sem: Semaphore, result: Log<String>, tag: &'static str) -> Result<()> {
        let permit = sem.acquire().await?;
        result.borrow_mut().push(format!("{tag}_1"));
        asyncio::sleep(0.01).await?;
        drop(permit);

        let permit = sem.acquire().await?;
        result.borrow_mut().push(format!("{tag}_2"));
        asyncio::sleep(0.01).await?;
        drop(permit);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<Vec<String>> {
        let sem = Semaphore::new(1)?;
        let result = log();
        asyncio::gather(["c1", "c2", "c3"].map(|tag| coro(sem.clone(), result.clone(), tag)))
            .await?;
        let result = result.borrow().clone();
        Ok(result)
    }
    assert_eq!(
        vrun(body()),
        ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]
    );
}

// C45: with value 0, t1 cancelled, then two releases: t2 and t3 get them.
#[test]
fn c45_acquire_fifo_order_3() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let result = log();
        let tasks: Vec<Task<bool>> = (1..=3)
            .map(|tag| asyncio::create_task(take_and_log(sem.clone(), result.clone(), tag)))
            .collect();
        asyncio::sleep(0).await?;
        tasks[0].cancel();
        asyncio::sleep(0).await?;
        sem.release();
        sem.release();
        let outcomes = asyncio::gather(tasks).return_exceptions().await?;
        assert!(is_cancelled(&outcomes[0]));
        assert_eq!(*result.borrow(), [2, 3]);
        Ok(())
    }
    vrun(body());
}

// C45: four waiters, t1 and t2 cancelled, one release: t3 gets the permit
// and t4 stays blocked.
#[test]
fn c45_acquire_cancel_before_awoken() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let tasks: Vec<Task<()>> = (0..4)
            .map(|_| asyncio::create_task(take_permit(sem.clone())))
            .collect();
        asyncio::sleep(0).await?;
        tasks[0].cancel();
        tasks[1].cancel();
        sem.release();
        asyncio::sleep(0).await?;
        asyncio::sleep(0).await?;
        assert!(tasks[2].done(), "t3 got the permit");
        assert!(!tasks[3].done(), "t4 is still blocked");
        assert!(tasks[0].cancelled() && tasks[1].cancelled());
        tasks[2].take_result()?;
        tasks[2].cancel();
        tasks[3].cancel();
        asyncio::sleep(0).await?;
        assert!(tasks[3].cancelled());
        Ok(())
    }
    vrun(body());
}

// C45: t1 cancelled and one release: t2 gets the permit and the semaphore
// stays locked; the cancelled waiter did not swallow it.
#[test]
fn c45_acquire_hang() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let t1 = asyncio::create_task(take_permit(sem.clone()));
        let t2 = asyncio::create_task(take_permit(sem.clone()));
        asyncio::sleep(0).await?;
        t1.cancel();
        sem.release();
        asyncio::sleep(0).await?;
        asyncio::sleep(0).await?;
        assert!(sem.locked());
        assert!(t2.done());
        t2.await?;
        assert!(is_cancelled(&t1.await));
        Ok(())
    }
    vrun(body());
}

// C45: a task cancelled while waiting does not leave the semaphore hung.
#[test]
fn c45_acquire_no_hang() {
    #[asyncio::coroutine]
    fn c1(sem: Semaphore, t2: Rc<RefCell<Option<TaskRef>>>) -> Result<()> {
        let permit = sem.acquire().await?;
        asyncio::sleep(0).await?;
        drop(permit);
        let t2 = t2.borrow().clone().expect("t2 created");
        t2.cancel();
        Ok(())
    }

    #[asyncio::coroutine]
    fn c2(sem: Semaphore) -> Result<()> {
        let _permit = sem.acquire().await?;
        panic!("c2 must not get the permit");
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(1)?;
        let slot = Rc::new(RefCell::new(None));
        let t1 = asyncio::create_task(c1(sem.clone(), slot.clone()));
        let t2 = asyncio::create_task(c2(sem.clone()));
        *slot.borrow_mut() = Some(t2.task_ref().clone());
        let outcomes = asyncio::gather([t1, t2]).return_exceptions().await?;
        assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
        assert!(is_cancelled(&outcomes[1]), "{:?}", outcomes[1]);
        let _permit = asyncio::wait_for(sem.acquire(), 1.0).await?;
        Ok(())
    }
    vrun(body());
}

// ----- beyond the CPython cases: cancellation safety, more of test_locks.py -----

#[test]
fn semaphore_cancel_racing_release_passes_the_permit_on() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let result = log();
        let tasks: Vec<Task<bool>> = (1..=3)
            .map(|tag| asyncio::create_task(take_and_log(sem.clone(), result.clone(), tag)))
            .collect();
        asyncio::sleep(0).await?;
        sem.release(); // handed to t1 ...
        tasks[0].cancel(); // ... which is cancelled before it runs
        yields(3).await?;
        assert!(tasks[0].cancelled());
        assert_eq!(*result.borrow(), [2], "exactly one permit, to t2");
        assert!(!tasks[2].done());
        assert_eq!(sem.value(), 0);
        sem.release();
        yields(2).await?;
        assert_eq!(*result.borrow(), [2, 3]);
        assert_eq!(sem.value(), 0);
        Ok(())
    }
    vrun(body());
}

#[test]
fn semaphore_abort_after_handoff_passes_the_permit_on() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let result = log();
        let t1 = asyncio::create_task(take_and_log(sem.clone(), result.clone(), 1));
        let t2 = asyncio::create_task(take_and_log(sem.clone(), result.clone(), 2));
        asyncio::sleep(0).await?;
        sem.release();
        t1.abort();
        t2.await?;
        assert_eq!(*result.borrow(), [2]);
        assert_eq!(sem.value(), 0);
        assert!(sem.locked());
        Ok(())
    }
    vrun(body());
}

#[test]
fn semaphore_no_barging_after_release() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let result = log();
        let t1 = asyncio::create_task(take_and_log(sem.clone(), result.clone(), 1));
        asyncio::sleep(0).await?;
        sem.release(); // handed to t1, which has not run yet
        assert!(sem.locked());
        assert!(sem.try_acquire().is_none());
        let t2 = asyncio::create_task(take_and_log(sem.clone(), result.clone(), 2));
        sem.release(); // nobody left to hand it to: t2 has not queued yet
        asyncio::gather([t1, t2]).await?;
        assert_eq!(*result.borrow(), [1, 2]);
        assert!(sem.locked());
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_acquire`: releases while waiters wait hand the permits
/// over, and tasks that queue meanwhile wait their turn.
#[test]
fn semaphore_acquire_hand_over() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(3)?;
        let result = log();
        sem.acquire().await?.forget();
        sem.acquire().await?.forget();
        assert!(!sem.locked());
        let tasks: Vec<Task<bool>> = (1..=3)
            .map(|tag| asyncio::create_task(take_and_log(sem.clone(), result.clone(), tag)))
            .collect();
        asyncio::sleep(0).await?;
        assert_eq!(*result.borrow(), [1]);
        assert!(sem.locked());
        assert_eq!(sem.value(), 0);
        let t4 = asyncio::create_task(take_and_log(sem.clone(), result.clone(), 4));
        sem.release();
        sem.release();
        assert_eq!(sem.value(), 0);
        asyncio::sleep(0).await?;
        assert_eq!(sem.value(), 0);
        assert_eq!(result.borrow().len(), 3);
        assert!(sem.locked());
        sem.release();
        asyncio::gather(tasks).await?;
        t4.await?;
        assert_eq!(*result.borrow(), [1, 2, 3, 4]);
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_acquire_fifo_order_4`: a waiter taking its permit wakes
/// those that queued behind it while permits were free.
#[test]
fn semaphore_acquire_wakes_the_waiters_queued_behind() {
    #[asyncio::coroutine]
    fn c1(sem: Semaphore, result: Log<i32>, spawned: Log<Task<()>>) -> Result<()> {
        assert_eq!(sem.value(), 0);
        sem.acquire().await?.forget();
        assert_eq!(sem.value(), 0, "c2 and c3 were woken too");
        let t4 = asyncio::create_task(c4(result.clone()));
        spawned.borrow_mut().push(t4);
        result.borrow_mut().push(1);
        Ok(())
    }

    #[asyncio::coroutine]
    fn c2(sem: Semaphore, result: Log<i32>) -> Result<()> {
        sem.release();
        sem.release();
        sem.release();
        assert_eq!(sem.value(), 2);
        assert!(sem.locked(), "c1 has not taken its permit yet");
        sem.acquire().await?.forget();
        result.borrow_mut().push(2);
        Ok(())
    }

    #[asyncio::coroutine]
    fn c3(sem: Semaphore, result: Log<i32>) -> Result<()> {
        sem.acquire().await?.forget();
        assert!(sem.locked());
        result.borrow_mut().push(3);
        Ok(())
    }

    #[asyncio::coroutine]
    fn c4(result: Log<i32>) -> Result<()> {
        result.borrow_mut().push(4);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let result = log();
        let spawned = log();
        let t1 = asyncio::create_task(c1(sem.clone(), result.clone(), spawned.clone()));
        let t2 = asyncio::create_task(c2(sem.clone(), result.clone()));
        let t3 = asyncio::create_task(c3(sem.clone(), result.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(sem.value(), 2);
        asyncio::sleep(0).await?;
        asyncio::gather([t1, t2, t3]).await?;
        let t4 = spawned.borrow_mut().pop().expect("t4");
        t4.await?;
        assert_eq!(*result.borrow(), [1, 2, 3, 4]);
        Ok(())
    }
    vrun(body());
}

#[test]
fn semaphore_guards_and_explicit_releases() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(2)?;
        let a = sem.acquire().await?;
        let b = sem.acquire().await?;
        assert!(sem.locked());
        drop(a);
        assert_eq!(sem.value(), 1);
        b.forget();
        assert_eq!(sem.value(), 1);
        sem.release();
        assert_eq!(sem.value(), 2);
        sem.release(); // unbounded
        assert_eq!(sem.value(), 3);

        let bounded = BoundedSemaphore::new(2)?;
        let guard = bounded.acquire().await?;
        bounded.acquire().await?.forget();
        assert!(bounded.locked());
        bounded.release()?;
        drop(guard);
        assert_eq!(bounded.value(), 2);
        assert!(matches!(bounded.release(), Err(Error::InvalidState(_))));
        // A guard dropped at the bound gives nothing back.
        let guard = bounded.acquire().await?;
        bounded.release()?;
        drop(guard);
        assert_eq!(bounded.value(), 2);
        Ok(())
    }
    vrun(body());
}

#[test]
fn semaphore_permits_conserved_under_random_cancels_and_aborts() {
    const PERMITS: u32 = 3;

    #[asyncio::coroutine]
    fn worker(sem: Semaphore, inside: Rc<Cell<u32>>, peak: Rc<Cell<u32>>) -> Result<()> {
        for _ in 0..40 {
            let permit = match sem.acquire().await {
                Ok(permit) => permit,
                Err(err) if err.is_cancelled() => continue,
                Err(err) => return Err(err),
            };
            let holding = Holding::enter(&inside);
            assert!(inside.get() <= PERMITS, "more holders than permits");
            peak.set(peak.get().max(inside.get()));
            let slept = asyncio::sleep(0).await;
            drop(holding);
            drop(permit);
            drop(slept);
        }
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(PERMITS as isize)?;
        let inside = Rc::new(Cell::new(0));
        let peak = Rc::new(Cell::new(0));
        let rng = Rng::new(3);
        let tasks: Vec<Task<()>> = (0..10)
            .map(|_| asyncio::create_task(worker(sem.clone(), inside.clone(), peak.clone())))
            .collect();
        while tasks.iter().any(|task| !task.done()) {
            let victim = &tasks[rng.below(tasks.len())];
            match rng.below(12) {
                0 => victim.abort(),
                1..=6 => {
                    victim.cancel();
                }
                _ => {}
            }
            asyncio::sleep(0).await?;
        }
        assert_eq!(peak.get(), PERMITS);
        assert_eq!(inside.get(), 0);
        assert_eq!(
            sem.value(),
            PERMITS as usize,
            "a permit was lost or duplicated"
        );
        assert!(!sem.locked());
        Ok(())
    }
    vrun(body());
}
