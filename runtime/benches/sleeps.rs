//! 100,000 tasks sleeping the same 10 ms concurrently, all spawned, then
//! joined.
//!
//! ```text
//! cargo bench -p asyncio --bench sleeps
//! ```

mod common;

use std::time::Duration;

const TASKS: usize = 100_000;
const DELAY: Duration = Duration::from_millis(10);

#[asyncio::coroutine]
fn spawn_sleepers(tasks: usize) -> asyncio::Result<()> {
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        handles.push(asyncio::create_task(asyncio::sleep(DELAY)));
    }
    for handle in handles {
        handle.await?;
    }
    Ok(())
}

fn main() {
    common::print_header();
    common::compare_times(
        "100,000 concurrent 10 ms sleeps",
        1.0,
        15,
        || common::time_ours(spawn_sleepers(TASKS)),
        || {
            common::time_tokio(async {
                let mut handles = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    handles.push(tokio::spawn(tokio::time::sleep(DELAY)));
                }
                for handle in handles {
                    handle.await.expect("task");
                }
            })
        },
    );
}
