#[asyncio::coroutine]
fn f() -> u32 {
    let n: u32 = "three";
    asyncio::sleep(0).await;
    n
}

fn main() {}
