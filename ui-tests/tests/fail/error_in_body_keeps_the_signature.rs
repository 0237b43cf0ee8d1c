// The body has an error; callers still see `fn count() -> impl Future<Output = u32>`
// and report nothing of their own.
#[asyncio::coroutine]
fn count() -> u32 {
    let closure = || asyncio::sleep(0).await;
    closure();
    1
}

#[asyncio::coroutine]
fn caller() -> u32 {
    let n: u32 = count().await;
    n + 1
}

fn main() {
    let _ = asyncio::EventLoop::new().unwrap().run_until_complete(caller());
}
