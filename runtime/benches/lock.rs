//! 100 tasks x 10,000 acquisitions of one lock: `asyncio::Lock` against
//! `tokio::sync::Mutex`, both on one thread.
//!
//! Each task holds the lock across one yield (`asyncio::sleep(0)` against
//! `tokio::task::yield_now()`), so every acquisition contends: the lock is
//! handed from task to task through the waiter queue on every release. A
//! second row shows the uncontended fast path (no yield while holding).
//!
//! ```text
//! cargo bench -p asyncio --bench lock
//! ```

mod common;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

const TASKS: usize = 100;
const ACQUISITIONS: usize = 10_000;

#[asyncio::coroutine]
fn contender(
    lock: asyncio::Lock,
    counter: Rc<Cell<u64>>,
    n: usize,
    hold: bool,
) -> asyncio::Result<()> {
    for _ in 0..n {
        let guard = lock.acquire().await?;
        counter.set(counter.get() + 1);
        if hold {
            asyncio::sleep(0).await?;
        }
        drop(guard);
    }
    if !hold {
        // Let the others in between tasks, as tokio's budget does.
        asyncio::sleep(0).await?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn run_ours(hold: bool) -> asyncio::Result<u64> {
    let lock = asyncio::Lock::new();
    let counter = Rc::new(Cell::new(0));
    let mut tasks = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        tasks.push(asyncio::create_task(contender(
            lock.clone(),
            counter.clone(),
            ACQUISITIONS,
            hold,
        )));
    }
    for task in tasks {
        task.await?;
    }
    Ok(counter.get())
}

fn ours(hold: bool) -> std::time::Duration {
    let event_loop = common::our_loop();
    let start = Instant::now();
    let count = event_loop
        .run_until_complete(run_ours(hold))
        .expect("loop")
        .expect("tasks");
    let elapsed = start.elapsed();
    assert_eq!(count, (TASKS * ACQUISITIONS) as u64);
    elapsed
}

fn tokio(hold: bool) -> std::time::Duration {
    let rt = common::tokio_rt();
    let start = Instant::now();
    let count = rt.block_on(async {
        let mutex = Arc::new(tokio::sync::Mutex::new(0u64));
        let mut tasks = Vec::with_capacity(TASKS);
        for _ in 0..TASKS {
            let mutex = mutex.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..ACQUISITIONS {
                    let mut guard = mutex.lock().await;
                    *guard += 1;
                    if hold {
                        tokio::task::yield_now().await;
                    }
                    drop(guard);
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        *mutex.lock().await
    });
    let elapsed = start.elapsed();
    assert_eq!(count, (TASKS * ACQUISITIONS) as u64);
    elapsed
}

fn main() {
    common::print_header();
    common::compare_times(
        "100 tasks x 10k contended acquisitions",
        1.0,
        common::REPS,
        || ours(true),
        || tokio(true),
    );
    common::compare_times(
        "100 tasks x 10k uncontended acq.",
        1.0,
        common::REPS,
        || ours(false),
        || tokio(false),
    );
}
