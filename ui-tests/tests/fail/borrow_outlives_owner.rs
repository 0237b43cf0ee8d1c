// A reference that outlives its owner is rejected as in an `async fn`, on
// the user's line and in rustc's words.

#[asyncio::coroutine]
fn f() -> usize {
    let r;
    {
        let s = String::from("x");
        r = &s;
        asyncio::sleep(0).await.ok();
    }
    r.len()
}

fn main() {}
