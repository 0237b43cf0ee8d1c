//! The frames `#[coroutine]` generates for `examples/say_after.rs` against
//! rustc's own `async fn` lowering of the same bodies: ours must be no
//! larger. Run with `--nocapture` to see the sizes.

use std::mem::size_of_val;
use std::time::Duration;

#[path = "../say_after.rs"]
#[allow(dead_code)]
mod say_after;

mod oracle {
    use super::*;

    pub async fn say_after(delay: u64, what: &'static str) -> asyncio::Result<()> {
        asyncio::sleep(Duration::from_secs(delay)).await?;
        println!("{what}");
        Ok(())
    }

    pub async fn sequential() -> asyncio::Result<()> {
        println!("started at {}", super::say_after::now());
        say_after(1, "hello").await?;
        say_after(2, "world").await?;
        println!("finished at {}", super::say_after::now());
        Ok(())
    }

    pub async fn concurrent() -> asyncio::Result<()> {
        let task1 = asyncio::create_task(say_after(1, "hello"));
        let task2 = asyncio::create_task(say_after(2, "world"));
        println!("started at {}", super::say_after::now());
        task1.await?;
        task2.await?;
        println!("finished at {}", super::say_after::now());
        Ok(())
    }

    /// `main`'s body.
    pub async fn main_body() -> asyncio::Result<()> {
        sequential().await?;
        concurrent().await
    }
}

/// `main`'s body, as `#[entry]` compiles it.
#[asyncio::coroutine]
fn main_body() -> asyncio::Result<()> {
    say_after::sequential().await?;
    say_after::concurrent().await
}

fn compare(name: &str, ours: usize, rustc: usize) {
    println!("{name:<12} #[coroutine] {ours:>4} bytes   async fn {rustc:>4} bytes");
    assert!(
        ours <= rustc,
        "{name}: the generated frame ({ours} B) is larger than async fn's ({rustc} B)"
    );
}

#[test]
fn say_after_frames_are_no_larger_than_async_fn() {
    compare(
        "say_after",
        size_of_val(&say_after::say_after(1, "x")),
        size_of_val(&oracle::say_after(1, "x")),
    );
    compare(
        "sequential",
        size_of_val(&say_after::sequential()),
        size_of_val(&oracle::sequential()),
    );
    compare(
        "concurrent",
        size_of_val(&say_after::concurrent()),
        size_of_val(&oracle::concurrent()),
    );
    compare(
        "main",
        size_of_val(&main_body()),
        size_of_val(&oracle::main_body()),
    );
}
