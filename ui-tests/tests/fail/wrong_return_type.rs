#[asyncio::coroutine]
fn f() -> u32 {
    asyncio::sleep(0).await;
    String::from("not a number")
}

fn main() {}
