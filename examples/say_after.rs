//! The asyncio docs' `say_after`: two coroutines awaited in sequence (3 s),
//! then run concurrently as tasks (2 s).
//!
//! ```text
//! cargo run --example say_after
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Waits `delay` seconds, then prints `what`.
#[asyncio::coroutine]
pub fn say_after(delay: u64, what: &'static str) -> asyncio::Result<()> {
    asyncio::sleep(Duration::from_secs(delay)).await?;
    println!("{what}");
    Ok(())
}

/// Wall-clock time of day, `HH:MM:SS`, like `time.strftime('%X')`.
pub fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// Awaits two `say_after` calls one after the other: about 3 seconds.
#[asyncio::coroutine]
pub fn sequential() -> asyncio::Result<()> {
    println!("started at {}", now());
    say_after(1, "hello").await?;
    say_after(2, "world").await?;
    println!("finished at {}", now());
    Ok(())
}

/// Runs two `say_after` calls as tasks, concurrently: about 2 seconds.
#[asyncio::coroutine]
pub fn concurrent() -> asyncio::Result<()> {
    let task1 = asyncio::create_task(say_after(1, "hello"));
    let task2 = asyncio::create_task(say_after(2, "world"));
    println!("started at {}", now());
    // Wait until both tasks are completed (should take around 2 seconds).
    task1.await?;
    task2.await?;
    println!("finished at {}", now());
    Ok(())
}

#[asyncio::entry]
fn main() -> asyncio::Result<()> {
    sequential().await?;
    concurrent().await
}
