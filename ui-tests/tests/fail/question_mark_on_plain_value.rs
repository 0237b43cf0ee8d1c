#[asyncio::coroutine]
fn f() -> asyncio::Result<u32> {
    let n = 3u32?;
    asyncio::sleep(0).await?;
    Ok(n)
}

fn main() {}
