//! 1,000,000 timeouts of 10 s, each around a future that completes at once,
//! so that each is set up and then cancelled: `asyncio::timeout` against
//! `tokio::time::timeout`, awaited one after the other in one task.
//!
//! tokio registers a timeout's timer only when the wrapped future returns
//! `Pending`, so in the first row tokio never touches its timer wheel while
//! this runtime arms and cancels a timer each time. The second row, for
//! information, wraps a future that yields once first (`asyncio::sleep(0)`,
//! `tokio::task::yield_now()`), so that both register and cancel a timer.
//!
//! ```text
//! cargo bench -p asyncio --bench timeouts
//! ```

mod common;

use std::time::{Duration, Instant};

const TIMEOUTS: usize = 1_000_000;
const YIELDING_TIMEOUTS: usize = 200_000;
const DELAY: Duration = Duration::from_secs(10);

#[asyncio::coroutine]
fn immediate() -> asyncio::Result<u64> {
    Ok(1)
}

#[asyncio::coroutine]
fn yield_once() -> asyncio::Result<u64> {
    asyncio::sleep(0).await?;
    Ok(1)
}

#[asyncio::coroutine]
fn immediate_timeouts(n: usize) -> asyncio::Result<u64> {
    let mut sum = 0;
    for _ in 0..n {
        sum += asyncio::timeout(DELAY, immediate()).await?;
    }
    Ok(sum)
}

#[asyncio::coroutine]
fn yielding_timeouts(n: usize) -> asyncio::Result<u64> {
    let mut sum = 0;
    for _ in 0..n {
        sum += asyncio::timeout(DELAY, yield_once()).await?;
    }
    Ok(sum)
}

fn ours(n: usize, yielding: bool) -> Duration {
    let event_loop = common::our_loop();
    let start = Instant::now();
    let sum = if yielding {
        event_loop.run_until_complete(yielding_timeouts(n))
    } else {
        event_loop.run_until_complete(immediate_timeouts(n))
    }
    .expect("loop")
    .expect("timeouts");
    let elapsed = start.elapsed();
    assert_eq!(sum, n as u64);
    elapsed
}

fn tokio(n: usize, yielding: bool) -> Duration {
    let rt = common::tokio_rt();
    let start = Instant::now();
    let sum = if yielding {
        rt.block_on(async {
            let mut sum = 0;
            for _ in 0..n {
                let inner = async {
                    tokio::task::yield_now().await;
                    1
                };
                sum += tokio::time::timeout(DELAY, inner)
                    .await
                    .expect("no timeout");
            }
            sum
        })
    } else {
        rt.block_on(async {
            let mut sum = 0;
            for _ in 0..n {
                sum += tokio::time::timeout(DELAY, async { 1 })
                    .await
                    .expect("no timeout");
            }
            sum
        })
    };
    let elapsed = start.elapsed();
    assert_eq!(sum, n as u64);
    elapsed
}

fn main() {
    common::print_header();
    common::compare_times(
        "1,000,000 timeouts set and cancelled",
        1.0,
        9,
        || ours(TIMEOUTS, false),
        || tokio(TIMEOUTS, false),
    );
    common::compare_times(
        "(info) 200,000 timeouts, inner yields once",
        1.0,
        9,
        || ours(YIELDING_TIMEOUTS, true),
        || tokio(YIELDING_TIMEOUTS, true),
    );
}
