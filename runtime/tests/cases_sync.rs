//! Behaviour cases of `/work/shared/CASES.md`, section G (synchronisation
//! primitives), and the `Condition` parts of C18 and C28, ported from
//! CPython 3.13's `test_asyncio/test_locks.py`.
//!
//! Every test runs on a loop with a virtual clock; "yield once" is
//! `asyncio::sleep(0)`.

mod support;

use support::*;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use asyncio::{
    Barrier, BarrierState, BoundedSemaphore, Condition, Error, Event, Result, Semaphore, Task,
    TaskRef,
};

// ----- helpers ---------------------------------------------------------------

fn call_soon(f: impl FnOnce() + 'static) {
    asyncio::get_running_loop().unwrap().call_soon(f).unwrap();
}

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

// ----- C46. Barrier ------------------------------------------------------------

#[asyncio::coroutine]
fn barrier_wait(barrier: Barrier) -> Result<usize> {
    barrier.wait().await
}

// C46: Barrier(0) and Barrier(-4) are ValueErrors.
#[test]
fn c46_barrier_parties() {
    assert!(matches!(Barrier::new(0), Err(Error::InvalidState(_))));
    assert!(matches!(Barrier::new(-4), Err(Error::InvalidState(_))));
    assert_eq!(Barrier::new(5).unwrap().parties(), 5);
}

// C46: N tasks get the indices 0..N-1 exactly once each; afterwards
// n_waiting is 0 and the barrier is not broken.
#[test]
fn c46_context_manager() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let n = 3;
        let barrier = Barrier::new(n as isize)?;
        let mut results = asyncio::gather((0..n).map(|_| barrier_wait(barrier.clone()))).await?;
        results.sort();
        assert_eq!(results, (0..n).collect::<Vec<_>>());
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.broken());
        Ok(())
    }
    vrun(body());
}

// C46: a cancelled waiter decrements n_waiting (2 -> 1), and the barrier
// then trips with other tasks.
#[test]
fn c46_filling_tasks_cancel_one() {
    #[asyncio::coroutine]
    fn coro(barrier: Barrier, results: Log<bool>) -> Result<()> {
        barrier.wait().await?;
        results.borrow_mut().push(true);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier = Barrier::new(3)?;
        let results = log();
        let t1 = asyncio::create_task(coro(barrier.clone(), results.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 1);
        let t2 = asyncio::create_task(coro(barrier.clone(), results.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 2);

        t1.cancel();
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 1);
        assert!(is_cancelled(&t1.clone().await));
        assert!(t1.cancelled());

        let t3 = asyncio::create_task(coro(barrier.clone(), results.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 2);
        let t4 = asyncio::create_task(coro(barrier.clone(), results.clone()));
        asyncio::gather([t2, t3, t4]).await?;

        assert_eq!(*results.borrow(), [true; 3]);
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.broken());
        Ok(())
    }
    vrun(body());
}

// C46: while waiters are released the barrier is draining, and the last
// task to leave sees it filling again.
#[test]
fn c46_draining_state() {
    #[asyncio::coroutine]
    fn coro(barrier: Barrier, results: Log<bool>) -> Result<()> {
        barrier.wait().await?;
        results
            .borrow_mut()
            .push(barrier.state() == BarrierState::Draining);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let n = 5;
        let barrier = Barrier::new(n as isize)?;
        let results = log();
        asyncio::gather((0..n).map(|_| coro(barrier.clone(), results.clone()))).await?;
        let results = results.borrow().clone();
        assert_eq!(results.len(), n);
        assert_eq!(results[..n - 1], [true; 4]);
        assert!(!results[n - 1]);
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.broken());
        Ok(())
    }
    vrun(body());
}

// C46: one task fails and aborts the barrier: every other waiter gets
// BrokenBarrierError.
#[test]
fn c46_abort_barrier_when_exception() {
    const N: usize = 5;

    #[asyncio::coroutine]
    fn coro(barrier: Barrier, results1: Log<bool>, results2: Log<bool>) -> Result<()> {
        let attempt: Result<()> = match barrier.wait().await {
            Ok(i) if i == N / 2 => {
                // RuntimeError inside the barrier's block.
                barrier.abort();
                return Ok(());
            }
            Ok(_) => match barrier.wait().await {
                Ok(_) => {
                    results1.borrow_mut().push(true);
                    Ok(())
                }
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        };
        match attempt {
            Err(Error::BrokenBarrier) => {
                results2.borrow_mut().push(true);
                Ok(())
            }
            other => other,
        }
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier = Barrier::new(N as isize)?;
        let (results1, results2) = (log(), log());
        asyncio::gather((0..N).map(|_| coro(barrier.clone(), results1.clone(), results2.clone())))
            .await?;
        assert!(barrier.broken());
        assert!(results1.borrow().is_empty());
        assert_eq!(*results2.borrow(), [true; N - 1]);
        assert_eq!(barrier.n_waiting(), 0);
        Ok(())
    }
    vrun(body());
}

// C46: after an abort, reset() makes the barrier usable again.
#[test]
fn c46_abort_barrier_when_exception_then_resetting() {
    const N: usize = 5;

    #[asyncio::coroutine]
    fn coro(barrier1: Barrier, barrier2: Barrier, results: [Log<bool>; 3]) -> Result<()> {
        let [results1, results2, results3] = results;
        let first: Result<()> = match barrier1.wait().await {
            Ok(i) if i == N / 2 => {
                // RuntimeError: abort the barrier.
                barrier1.abort();
                Ok(())
            }
            Ok(_) => match barrier1.wait().await {
                Ok(_) => {
                    results1.borrow_mut().push(true);
                    Ok(())
                }
                Err(err) => Err(err),
            },
            Err(err) => Err(err),
        };
        match first {
            Err(Error::BrokenBarrier) => results2.borrow_mut().push(true),
            other => other?,
        }
        // Synchronize and reset the barrier. Must synchronize first so
        // that everyone has left it when we reset, and after so that no
        // one enters it before the reset.
        let i = barrier2.wait().await?;
        if i == N / 2 {
            barrier1.reset();
        }
        barrier2.wait().await?;
        barrier1.wait().await?;
        results3.borrow_mut().push(true);
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier1 = Barrier::new(N as isize)?;
        let barrier2 = Barrier::new(N as isize)?;
        let results = [log(), log(), log()];
        asyncio::gather((0..N).map(|_| coro(barrier1.clone(), barrier2.clone(), results.clone())))
            .await?;
        assert!(!barrier1.broken());
        assert!(results[0].borrow().is_empty());
        assert_eq!(*results[1].borrow(), [true; N - 1]);
        assert_eq!(*results[2].borrow(), [true; N]);
        Ok(())
    }
    vrun(body());
}

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
