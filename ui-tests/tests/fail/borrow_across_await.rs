#[asyncio::coroutine]
fn f() -> usize {
    let text = String::from("hello");
    let view = &text;
    asyncio::sleep(0).await;
    view.len()
}

fn main() {}
