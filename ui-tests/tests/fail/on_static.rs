#[asyncio::coroutine]
static NAME: &str = "x";

fn main() {}
