//! The synchronization primitives beyond the ported cases: FIFO order and
//! no barging, and cancellation safety for each (a cancelled or aborted
//! waiter never loses or duplicates a wake-up, a permit or a lock
//! hand-off), including a cancellation racing a release in the same loop
//! iteration, before the woken waiter runs.
//!
//! Every test runs on a loop with a virtual clock.

mod support;

use support::*;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use asyncio::{
    Barrier, BarrierState, BoundedSemaphore, Condition, Error, Event, Lock, Result, Semaphore, Task,
};

// ----- helpers ---------------------------------------------------------------

/// Gives the loop `n` iterations.
#[asyncio::coroutine]
fn yields(n: usize) -> Result<()> {
    for _ in 0..n {
        asyncio::sleep(0).await?;
    }
    Ok(())
}

/// A small deterministic pseudo-random generator (an LCG) for the stress
/// tests.
#[derive(Clone)]
struct Rng(Rc<Cell<u64>>);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(Rc::new(Cell::new(seed)))
    }

    fn below(&self, n: usize) -> usize {
        let next = self
            .0
            .get()
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0.set(next);
        ((next >> 33) % n as u64) as usize
    }
}

/// Counts a task as inside a critical section until dropped (also when
/// the task is aborted there).
struct Holding(Rc<Cell<u32>>);

impl Holding {
    fn enter(inside: &Rc<Cell<u32>>) -> Holding {
        inside.set(inside.get() + 1);
        Holding(inside.clone())
    }
}

impl Drop for Holding {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

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

// ----- Event -------------------------------------------------------------------

#[asyncio::coroutine]
fn event_waiter(event: Event, result: Log<i32>, tag: i32) -> Result<()> {
    event.wait().await?;
    result.borrow_mut().push(tag);
    Ok(())
}

#[test]
fn event_cancel_racing_set_wakes_the_others_once() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let event = Event::new();
        let result = log();
        let tasks: Vec<Task<()>> = (1..=3)
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

// ----- Semaphore -------------------------------------------------------------------

#[asyncio::coroutine]
fn take_and_log(sem: Semaphore, result: Log<i32>, tag: i32) -> Result<()> {
    sem.acquire().await?.forget();
    result.borrow_mut().push(tag);
    Ok(())
}

#[test]
fn semaphore_cancel_racing_release_passes_the_permit_on() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let sem = Semaphore::new(0)?;
        let result = log();
        let tasks: Vec<Task<()>> = (1..=3)
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
        let tasks: Vec<Task<()>> = (1..=3)
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

// ----- Barrier -------------------------------------------------------------------

#[asyncio::coroutine]
fn barrier_wait(barrier: Barrier) -> Result<usize> {
    barrier.wait().await
}

#[test]
fn barrier_cancel_racing_trip() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier = Barrier::new(3)?;
        let t1 = asyncio::create_task(barrier_wait(barrier.clone()));
        let t2 = asyncio::create_task(barrier_wait(barrier.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 2);
        // The third party trips the barrier; t1 is cancelled before it
        // leaves.
        assert_eq!(barrier_wait(barrier.clone()).await?, 2);
        assert_eq!(barrier.state(), BarrierState::Draining);
        t1.cancel();
        assert!(is_cancelled(&t1.await));
        assert_eq!(t2.await?, 1);
        assert_eq!(barrier.state(), BarrierState::Filling);
        assert_eq!(barrier.n_waiting(), 0);
        // Usable again.
        let mut indices = asyncio::gather((0..3).map(|_| barrier_wait(barrier.clone()))).await?;
        indices.sort();
        assert_eq!(indices, [0, 1, 2]);
        Ok(())
    }
    vrun(body());
}

#[test]
fn barrier_aborted_waiter_leaves() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier = Barrier::new(2)?;
        let t1 = asyncio::create_task(barrier_wait(barrier.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 1);
        t1.abort();
        assert_eq!(barrier.n_waiting(), 0);
        let t2 = asyncio::create_task(barrier_wait(barrier.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier_wait(barrier.clone()).await?, 1);
        assert_eq!(t2.await?, 0);
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_filling_one_task_twice` and `test_filling_task_by_task`.
#[test]
fn barrier_fills_task_by_task() {
    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let single = Barrier::new(1)?;
        assert_eq!(single.wait().await?, 0);
        assert_eq!(single.wait().await?, 0);
        assert_eq!(single.n_waiting(), 0);

        let barrier = Barrier::new(3)?;
        let t1 = asyncio::create_task(barrier_wait(barrier.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 1);
        let t2 = asyncio::create_task(barrier_wait(barrier.clone()));
        asyncio::sleep(0).await?;
        assert_eq!(barrier.n_waiting(), 2);
        assert_eq!(barrier.state(), BarrierState::Filling);
        let t3 = asyncio::create_task(barrier_wait(barrier.clone()));
        let indices = asyncio::gather([t1, t2, t3]).await?;
        assert_eq!(indices, [0, 1, 2]);
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.broken());
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_reset_barrier_while_tasks_waiting`.
#[test]
fn barrier_reset_while_tasks_wait() {
    #[asyncio::coroutine]
    fn coro(barrier: Barrier, results: Log<bool>) -> Result<()> {
        match barrier.wait().await {
            Err(Error::BrokenBarrier) => results.borrow_mut().push(true),
            other => panic!("expected a broken barrier, got {other:?}"),
        }
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let n = 5;
        let barrier = Barrier::new(n)?;
        let results = log();
        let tasks: Vec<Task<()>> = (0..n - 1)
            .map(|_| asyncio::create_task(coro(barrier.clone(), results.clone())))
            .collect();
        asyncio::sleep(0).await?;
        barrier.reset();
        assert_eq!(barrier.state(), BarrierState::Resetting);
        asyncio::gather(tasks).await?;
        assert_eq!(results.borrow().len(), 4);
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(barrier.state(), BarrierState::Filling);
        assert!(!barrier.broken());
        // Reset with nobody waiting: filling at once.
        barrier.reset();
        assert_eq!(barrier.state(), BarrierState::Filling);
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_blocking_tasks_while_draining`: tasks arriving while
/// the barrier drains wait for the next round.
#[test]
fn barrier_blocks_arrivals_while_draining() {
    #[asyncio::coroutine]
    fn coro(barrier: Barrier, nowaiting: Barrier, rewait: Rc<Cell<u32>>) -> Result<()> {
        barrier.wait().await?;
        if rewait.get() > 0 {
            rewait.set(rewait.get() - 1);
            barrier.wait().await?;
        } else {
            nowaiting.wait().await?;
            barrier.wait().await?;
        }
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let n = 5;
        let barrier = Barrier::new(n)?;
        let nowaiting = Barrier::new(n - 2)?;
        let rewait = Rc::new(Cell::new(2));
        asyncio::gather((0..n).map(|_| coro(barrier.clone(), nowaiting.clone(), rewait.clone())))
            .await?;
        assert_eq!(barrier.n_waiting(), 0);
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_reset_barrier_when_tasks_half_draining`: the tasks not
/// yet out when the barrier is reset get BrokenBarrierError.
#[test]
fn barrier_reset_while_half_draining() {
    const N: usize = 5;

    #[asyncio::coroutine]
    fn coro(barrier: Barrier, drained: Rc<Cell<usize>>, results: Log<bool>) -> Result<()> {
        match barrier.wait().await {
            Err(Error::BrokenBarrier) => results.borrow_mut().push(true),
            Err(err) => return Err(err),
            Ok(_) => {
                drained.set(drained.get() + 1);
                // Once the tasks that are out outnumber those still in.
                if drained.get() == N - N / 2 {
                    barrier.reset();
                }
            }
        }
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier = Barrier::new(N as isize)?;
        let drained = Rc::new(Cell::new(0));
        let results = log();
        asyncio::gather((0..N).map(|_| coro(barrier.clone(), drained.clone(), results.clone())))
            .await?;
        assert_eq!(*results.borrow(), [true; N / 2]);
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(barrier.state(), BarrierState::Filling);
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_abort_barrier_when_tasks_half_draining_half_blocking`.
#[test]
fn barrier_abort_while_half_draining_half_blocking() {
    const N: usize = 5;
    const BLOCKING: usize = N / 2;

    #[asyncio::coroutine]
    fn coro(barrier: Barrier, count: Rc<Cell<usize>>, results: [Log<bool>; 2]) -> Result<()> {
        let [results1, results2] = results;
        match barrier.wait().await {
            Err(Error::BrokenBarrier) => results1.borrow_mut().push(true),
            Err(err) => return Err(err),
            Ok(_) => {
                count.set(count.get() + 1);
                if count.get() > BLOCKING {
                    barrier.abort();
                } else {
                    match barrier.wait().await {
                        Err(Error::BrokenBarrier) => results2.borrow_mut().push(true),
                        other => panic!("expected a broken barrier, got {other:?}"),
                    }
                }
            }
        }
        Ok(())
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let barrier = Barrier::new(N as isize)?;
        let count = Rc::new(Cell::new(0));
        let results = [log(), log()];
        asyncio::gather((0..N).map(|_| coro(barrier.clone(), count.clone(), results.clone())))
            .await?;
        assert!(barrier.broken());
        assert_eq!(*results[0].borrow(), [true; BLOCKING]);
        assert_eq!(*results[1].borrow(), [true; N - BLOCKING - 1]);
        assert_eq!(barrier.n_waiting(), 0);
        // Broken until reset.
        assert!(matches!(barrier.wait().await, Err(Error::BrokenBarrier)));
        barrier.reset();
        assert!(!barrier.broken());
        Ok(())
    }
    vrun(body());
}

/// asyncio's `test_filling_tasks_check_return_value`: two rounds in a row.
#[test]
fn barrier_two_rounds_return_each_index_once() {
    #[asyncio::coroutine]
    fn coro(barrier: Barrier) -> Result<(usize, usize)> {
        let first = barrier.wait().await?;
        let second = barrier.wait().await?;
        Ok((first, second))
    }

    #[asyncio::coroutine]
    fn body() -> Result<()> {
        let n = 5;
        let barrier = Barrier::new(n as isize)?;
        let pairs = asyncio::gather((0..n).map(|_| coro(barrier.clone()))).await?;
        let mut firsts: Vec<usize> = pairs.iter().map(|pair| pair.0).collect();
        let mut seconds: Vec<usize> = pairs.iter().map(|pair| pair.1).collect();
        firsts.sort();
        seconds.sort();
        assert_eq!(firsts, (0..n).collect::<Vec<_>>());
        assert_eq!(seconds, (0..n).collect::<Vec<_>>());
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.broken());
        Ok(())
    }
    vrun(body());
}
