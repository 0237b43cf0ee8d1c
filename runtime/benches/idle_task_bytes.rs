//! Heap bytes per idle task: 100,000 tasks each awaiting a future that is
//! not set while they are measured (an `asyncio::Future<()>` against a
//! tokio `oneshot::Receiver<()>`), counted by a global allocator.
//!
//! The figure is the growth of live heap bytes from just before the first
//! future is created (the vectors of handles already allocated) to when
//! every task is parked at its await: the tasks, the awaited futures or
//! channels, and whatever the runtime keeps per task. The futures are then
//! set and the tasks joined, outside the measurement.
//!
//! ```text
//! cargo bench -p asyncio --bench idle_task_bytes
//! ```

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::Counting;

#[global_allocator]
static ALLOC: Counting = Counting;

const TASKS: usize = 100_000;

/// Tasks that have started and reached their await.
static PARKED: AtomicUsize = AtomicUsize::new(0);

#[asyncio::coroutine]
fn park(fut: asyncio::Future<()>) -> asyncio::Result<()> {
    PARKED.fetch_add(1, Ordering::Relaxed);
    fut.await
}

/// Returns the bytes and allocations per task, measured while all are
/// parked.
#[asyncio::coroutine]
fn ours(n: usize) -> asyncio::Result<(f64, f64)> {
    PARKED.store(0, Ordering::Relaxed);
    let mut futures = Vec::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    let (before, allocations) = (common::live_bytes(), common::allocations());
    for _ in 0..n {
        let fut = asyncio::Future::new();
        tasks.push(asyncio::create_task(park(fut.clone())));
        futures.push(fut);
    }
    while PARKED.load(Ordering::Relaxed) < n {
        asyncio::sleep(0).await?;
    }
    let per_task = (
        (common::live_bytes() - before) as f64 / n as f64,
        (common::allocations() - allocations) as f64 / n as f64,
    );
    for fut in futures {
        fut.set_result(())?;
    }
    for task in tasks {
        task.await?;
    }
    Ok(per_task)
}

/// Returns the bytes and allocations per task, measured while all are
/// parked.
async fn tokio_side(n: usize) -> (f64, f64) {
    PARKED.store(0, Ordering::Relaxed);
    let mut senders = Vec::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    let (before, allocations) = (common::live_bytes(), common::allocations());
    for _ in 0..n {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tasks.push(tokio::spawn(async move {
            PARKED.fetch_add(1, Ordering::Relaxed);
            rx.await
        }));
        senders.push(tx);
    }
    while PARKED.load(Ordering::Relaxed) < n {
        tokio::task::yield_now().await;
    }
    let per_task = (
        (common::live_bytes() - before) as f64 / n as f64,
        (common::allocations() - allocations) as f64 / n as f64,
    );
    for tx in senders {
        tx.send(()).expect("receiver alive");
    }
    for task in tasks {
        task.await.expect("task").expect("sent");
    }
    per_task
}

fn main() {
    let mut our_bytes = Vec::with_capacity(common::REPS);
    let mut tokio_bytes = Vec::with_capacity(common::REPS);
    let (mut our_allocs, mut tokio_allocs) = (0.0, 0.0);
    for _ in 0..common::REPS {
        let event_loop = common::our_loop();
        let (bytes, allocs) = event_loop
            .run_until_complete(ours(TASKS))
            .expect("loop")
            .expect("tasks");
        our_bytes.push(bytes);
        our_allocs = allocs;
        drop(event_loop);
        let rt = common::tokio_rt();
        let (bytes, allocs) = rt.block_on(tokio_side(TASKS));
        tokio_bytes.push(bytes);
        tokio_allocs = allocs;
    }
    let (o, t) = (common::median(&our_bytes), common::median(&tokio_bytes));
    common::print_header();
    common::print_row(
        "bytes per idle task (100,000 parked)",
        &format!("{o:.1} B"),
        &format!("{t:.1} B"),
        o / t,
        0.75,
    );
    println!("  samples B/task: ours {our_bytes:?}, tokio {tokio_bytes:?}");
    println!("  allocations/task (last run): ours {our_allocs:.3}, tokio {tokio_allocs:.3}");
}
