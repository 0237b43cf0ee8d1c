#[asyncio::coroutine]
struct S;

fn main() {}
