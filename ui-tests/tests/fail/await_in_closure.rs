#[asyncio::coroutine]
fn f() -> u32 {
    let g = || asyncio::sleep(0).await;
    g();
    1
}

fn main() {}
