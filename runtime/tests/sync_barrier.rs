//! `Barrier`: parties, indices, filling and draining, abort and reset,
//! cancelled and aborted waiters.
//!
//! CPython case C46 of `/work/shared/CASES.md` (section G), ports of more of
//! `test_locks.py`, and our own tests. Every test runs on a loop with a
//! virtual clock.

mod support;

use support::*;

use asyncio::{Barrier, BarrierState, Error, Result, Task};
use std::cell::Cell;
use std::rc::Rc;

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

// ----- beyond the CPython cases: cancellation safety, more of test_locks.py -----

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
