// Moving a local while a borrow of it is still used after an await is
// rejected as in an `async fn`.

#[asyncio::coroutine]
fn f() -> usize {
    let v = vec![1];
    let r = &v;
    asyncio::sleep(0).await.ok();
    let w = v;
    r.len() + w.len()
}

fn main() {}
