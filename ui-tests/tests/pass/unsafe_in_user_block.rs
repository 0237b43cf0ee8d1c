// The same operations inside the user's own `unsafe {}` compile, before and
// after an await, and with an await inside the block.

unsafe fn dangerous() -> u32 {
    7
}

#[asyncio::coroutine]
fn calls_unsafe_fn() -> asyncio::Result<u32> {
    asyncio::sleep(0).await.ok();
    // SAFETY: `dangerous` has no preconditions.
    Ok(unsafe { dangerous() })
}

#[asyncio::coroutine]
fn derefs_raw_pointer(p: *const u32) -> asyncio::Result<u32> {
    // SAFETY: the caller passes a valid pointer.
    let x = unsafe { *p };
    // SAFETY: as above; the await inside the block is allowed.
    let y = unsafe {
        asyncio::sleep(0).await.ok();
        *p
    };
    Ok(x + y)
}

fn main() {
    let v = 5;
    let out = asyncio::run(derefs_raw_pointer(&v)).unwrap();
    assert_eq!(out, 10);
    assert_eq!(asyncio::run(calls_unsafe_fn()).unwrap(), 7);
}
