#[asyncio::coroutine]
fn f() -> u32 {
    let mut n = 1;
    #[cfg_attr(any(), allow(unused))]
    {
        n += g().await;
    }
    n
}

#[asyncio::coroutine]
fn g() -> u32 {
    1
}

fn main() {}
