// Two live `&mut` borrows of one local across an await are rejected as in
// an `async fn`.

#[asyncio::coroutine]
fn f() -> usize {
    let mut v = vec![1];
    let a = &mut v;
    let b = &mut v;
    asyncio::sleep(0).await.ok();
    a.push(2);
    b.push(3);
    v.len()
}

fn main() {}
