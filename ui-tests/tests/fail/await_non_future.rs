#[asyncio::coroutine]
fn f() -> u32 {
    let n = 3u32.await;
    n
}

fn main() {}
