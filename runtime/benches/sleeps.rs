//! 100,000 tasks sleeping the same 10 ms concurrently, all spawned, then
//! joined.
//!
//! ```text
//! cargo bench -p asyncio --bench sleeps
//! ```

mod common;

use std::time::{Duration, Instant};

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
        || {
            let event_loop = common::our_loop();
            let start = Instant::now();
            event_loop
                .run_until_complete(spawn_sleepers(TASKS))
                .expect("loop")
                .expect("tasks");
            start.elapsed()
        },
        || {
            let rt = common::tokio_rt();
            let start = Instant::now();
            rt.block_on(async {
                let mut handles = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    handles.push(tokio::spawn(tokio::time::sleep(DELAY)));
                }
                for handle in handles {
                    handle.await.expect("task");
                }
            });
            start.elapsed()
        },
    );
}
