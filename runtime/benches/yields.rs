//! 1,000 tasks yielding 1,000 times each: `asyncio::sleep(0)` against
//! `tokio::task::yield_now()`.
//!
//! ```text
//! cargo bench -p asyncio --bench yields
//! ```

mod common;

const TASKS: usize = 1_000;
const YIELDS: usize = 1_000;

#[asyncio::coroutine]
fn yielder(n: usize) -> asyncio::Result<()> {
    for _ in 0..n {
        asyncio::sleep(0).await?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn spawn_yielders(tasks: usize, yields: usize) -> asyncio::Result<()> {
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        handles.push(asyncio::create_task(yielder(yields)));
    }
    for handle in handles {
        handle.await?;
    }
    Ok(())
}

fn main() {
    common::print_header();
    common::compare_times(
        "1,000 tasks x 1,000 yields",
        1.0,
        15,
        || common::time_ours(spawn_yielders(TASKS, YIELDS)),
        || {
            common::time_tokio(async {
                let mut handles = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    handles.push(tokio::spawn(async {
                        for _ in 0..YIELDS {
                            tokio::task::yield_now().await;
                        }
                    }));
                }
                for handle in handles {
                    handle.await.expect("task");
                }
            })
        },
    );
}
