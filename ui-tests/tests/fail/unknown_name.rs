#[asyncio::coroutine]
fn f() -> u32 {
    asyncio::sleep(0).await;
    missing_value + 1
}

fn main() {}
