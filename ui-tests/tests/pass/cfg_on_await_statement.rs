// `#[cfg]` on statements that contain `.await`: the fn is compiled once per
// combination of the predicates, and rustc keeps the one that holds.
#[asyncio::coroutine]
fn f() -> asyncio::Result<u32> {
    let mut n = 1;
    #[cfg(any())]
    {
        n += g().await;
    }
    #[cfg(all())]
    let m = g().await;
    #[cfg(not(all()))]
    let m = 100;
    Ok(n + m)
}

#[asyncio::coroutine]
fn g() -> u32 {
    1
}

fn main() {
    assert_eq!(asyncio::run(f()).unwrap(), 2);
}
