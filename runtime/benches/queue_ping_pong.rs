//! 1,000,000 round trips between two tasks over two queues of maxsize 1:
//! `asyncio::Queue` against `tokio::sync::mpsc::channel(1)`.
//!
//! ```text
//! cargo bench -p asyncio --bench queue_ping_pong
//! ```

mod common;

use asyncio::Queue;

const ROUND_TRIPS: u64 = 1_000_000;

#[asyncio::coroutine]
fn pinger(ping: Queue<u64>, pong: Queue<u64>, n: u64) -> asyncio::Result<u64> {
    let mut sum = 0;
    for i in 0..n {
        ping.put(i).await?;
        sum += pong.get().await?;
    }
    Ok(sum)
}

#[asyncio::coroutine]
fn ponger(ping: Queue<u64>, pong: Queue<u64>, n: u64) -> asyncio::Result<()> {
    for _ in 0..n {
        let item = ping.get().await?;
        pong.put(item).await?;
    }
    Ok(())
}

#[asyncio::coroutine]
fn ping_pong(n: u64) -> asyncio::Result<()> {
    let ping = Queue::with_maxsize(1);
    let pong = Queue::with_maxsize(1);
    let echo = asyncio::create_task(ponger(ping.clone(), pong.clone(), n));
    let sum = asyncio::create_task(pinger(ping, pong, n)).await?;
    echo.await?;
    assert_eq!(sum, n * (n - 1) / 2);
    Ok(())
}

fn main() {
    common::print_header();
    common::compare_times(
        "1,000,000 queue ping-pong round trips",
        0.7,
        common::REPS,
        || common::time_ours(ping_pong(ROUND_TRIPS)),
        || {
            common::time_tokio(async {
                let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(1);
                let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(1);
                let echo = tokio::spawn(async move {
                    for _ in 0..ROUND_TRIPS {
                        let item = ping_rx.recv().await.expect("ping");
                        pong_tx.send(item).await.expect("pong");
                    }
                });
                let pinger = tokio::spawn(async move {
                    let mut sum = 0;
                    for i in 0..ROUND_TRIPS {
                        ping_tx.send(i).await.expect("ping");
                        sum += pong_rx.recv().await.expect("pong");
                    }
                    sum
                });
                let sum = pinger.await.expect("pinger");
                echo.await.expect("echo");
                assert_eq!(sum, ROUND_TRIPS * (ROUND_TRIPS - 1) / 2);
            })
        },
    );
}
