#[asyncio::coroutine]
fn f() -> usize {
    let text = String::from("hello");
    let moved = text;
    asyncio::sleep(0).await;
    text.len() + moved.len()
}

fn main() {}
