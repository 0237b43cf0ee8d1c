#[asyncio::coroutine]
fn outer() -> u32 {
    fn inner() -> u32 {
        asyncio::sleep(0).await;
        1
    }
    inner()
}

fn main() {}
