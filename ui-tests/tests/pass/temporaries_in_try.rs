//! `?` on a value borrowing a temporary of the same statement, and an
//! awaited expression whose temporaries are used before the suspension.

fn first_word(text: &str) -> Option<&str> {
    text.split(' ').next()
}

#[asyncio::coroutine]
fn word_length() -> Option<usize> {
    let n = first_word(&String::from("hello world"))?.len();
    asyncio::sleep(0).await.ok()?;
    Some(n)
}

fn main() {
    let event_loop = asyncio::EventLoop::new().unwrap();
    assert_eq!(event_loop.run_until_complete(word_length()).unwrap(), Some(5));
}
