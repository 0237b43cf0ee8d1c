#[asyncio::coroutine]
fn f() -> u32 {
    yield 1;
    2
}

fn main() {}
