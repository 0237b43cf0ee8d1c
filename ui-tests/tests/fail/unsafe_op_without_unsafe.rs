// A coroutine body needs `unsafe` for an unsafe operation, as an `async fn`
// does: the generated code puts none of the user's code in an `unsafe` block.

unsafe fn dangerous() -> u32 {
    7
}

#[asyncio::coroutine]
fn calls_unsafe_fn() -> u32 {
    asyncio::sleep(0).await.ok();
    dangerous()
}

#[asyncio::coroutine]
fn derefs_raw_pointer(p: *const u32) -> u32 {
    let x = *p;
    asyncio::sleep(0).await.ok();
    x + *p
}

fn main() {}
