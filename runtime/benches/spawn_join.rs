//! Spawn 1,000,000 trivial tasks, then await each handle in order.
//!
//! ```text
//! cargo bench -p asyncio --bench spawn_join
//! ```

mod common;

const TASKS: usize = 1_000_000;

#[asyncio::coroutine]
fn nothing() {}

#[asyncio::coroutine]
fn spawn_join(n: usize) -> asyncio::Result<()> {
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        tasks.push(asyncio::create_task(nothing()));
    }
    for task in tasks {
        task.await?;
    }
    Ok(())
}

fn main() {
    common::print_header();
    common::compare_times(
        "spawn+join 1,000,000 trivial tasks",
        0.5,
        common::REPS,
        || common::time_ours(spawn_join(TASKS)),
        || {
            common::time_tokio(async {
                let mut tasks = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    tasks.push(tokio::spawn(async {}));
                }
                for task in tasks {
                    task.await.expect("task");
                }
            })
        },
    );
}
