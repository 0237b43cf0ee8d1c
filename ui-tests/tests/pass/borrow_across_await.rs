// Borrows of locals held across awaits, as an `async fn` holds them: a
// reference, an iterator, `&mut self` methods in sequence, a future that
// borrows a local, and a temporary the awaited future borrows.

#[asyncio::coroutine]
fn view() -> asyncio::Result<usize> {
    let text = String::from("hello");
    let view = &text;
    asyncio::sleep(0).await?;
    Ok(view.len())
}

#[asyncio::coroutine]
fn words() -> asyncio::Result<usize> {
    let text = String::from("a bb ccc");
    let mut total = 0;
    for w in text.split_whitespace() {
        asyncio::sleep(0).await?;
        total += w.len();
    }
    Ok(total + text.len())
}

struct Counter {
    n: u32,
}

impl Counter {
    #[asyncio::coroutine]
    fn bump(&mut self, by: u32) -> asyncio::Result<u32> {
        asyncio::sleep(0).await?;
        self.n += by;
        Ok(self.n)
    }

    #[asyncio::coroutine]
    fn twice(&mut self) -> asyncio::Result<u32> {
        self.bump(1).await?;
        self.bump(2).await
    }
}

#[asyncio::coroutine]
fn fill(buf: &mut Vec<u8>) -> asyncio::Result<()> {
    asyncio::sleep(0).await?;
    buf.push(7);
    Ok(())
}

#[asyncio::coroutine]
fn measure(s: &str) -> asyncio::Result<usize> {
    asyncio::sleep(0).await?;
    Ok(s.len())
}

#[asyncio::coroutine]
fn all() -> asyncio::Result<usize> {
    let mut c = Counter { n: 0 };
    c.twice().await?;
    let mut buf = Vec::new();
    fill(&mut buf).await?;
    let n = measure(&format!("{}", c.n)).await?;
    Ok(view().await? + words().await? + c.n as usize + buf.len() + n)
}

// A coroutine holding borrows of its locals is `Send` when they are, as an
// `async fn` is.
#[asyncio::coroutine]
fn sendable(items: Vec<String>) -> usize {
    let mut total = 0;
    for item in items.iter() {
        total += std::future::ready(item.len()).await;
    }
    let first = &items[0];
    std::future::ready(()).await;
    total + first.len()
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    assert_eq!(asyncio::run(all()).unwrap(), 5 + 14 + 3 + 1 + 1);
    let fut = assert_send(sendable(vec!["ab".into(), "c".into()]));
    assert_eq!(asyncio::run(forward(fut)).unwrap(), 5);
}

#[asyncio::coroutine]
fn forward<F: std::future::Future<Output = usize>>(fut: F) -> asyncio::Result<usize> {
    Ok(fut.await)
}
