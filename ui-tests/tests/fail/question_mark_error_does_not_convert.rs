#[derive(Debug)]
struct MyError;

#[asyncio::coroutine]
fn f() -> Result<u32, MyError> {
    asyncio::sleep(0).await?;
    Ok(1)
}

fn main() {}
