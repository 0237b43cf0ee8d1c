// A borrowing closure cannot move a local that is borrowed across an await
// out of its place (the move would happen when the closure runs, not where
// it is written): make the closure `move`, or move the value first.

#[asyncio::coroutine]
fn f() -> usize {
    let v = vec![1];
    let r = &v;
    asyncio::sleep(0).await.ok();
    let n = r.len();
    let take = || v;
    take().len() + n
}

fn main() {}
