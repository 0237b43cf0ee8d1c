#[asyncio::coroutine(fast)]
fn f() {}

#[asyncio::entry(release)]
fn main() {}
