// A borrow of a temporary that ends with its statement cannot be held
// across an await, as in an `async fn`.

#[asyncio::coroutine]
fn f() -> usize {
    let r: &str = String::from("x").as_str();
    asyncio::sleep(0).await.ok();
    r.len()
}

fn main() {}
