//! Unusual but valid signatures, on edition 2021.

use std::fmt::Display;
use std::future::Future;
use std::rc::Rc;

struct Store {
    items: Vec<u32>,
}

impl Store {
    #[asyncio::coroutine]
    fn total(&self, extra: &[u32]) -> u32 {
        asyncio::sleep(0).await.unwrap();
        self.items.iter().sum::<u32>() + extra.iter().sum::<u32>()
    }

    #[asyncio::coroutine]
    fn push(&mut self, v: u32) {
        asyncio::sleep(0).await.unwrap();
        self.items.push(v);
    }

    #[asyncio::coroutine]
    fn first(&self) -> &u32 {
        asyncio::sleep(0).await.unwrap();
        &self.items[0]
    }

    #[asyncio::coroutine]
    fn shared(self: Rc<Self>) -> usize {
        asyncio::sleep(0).await.unwrap();
        Rc::strong_count(&self) + self.items.len()
    }

    #[asyncio::coroutine]
    fn boxed(self: Box<Self>) -> Vec<u32> {
        asyncio::sleep(0).await.unwrap();
        let Self { items } = *self;
        items
    }

    #[asyncio::coroutine]
    fn new_self(n: u32) -> Self {
        asyncio::sleep(0).await.unwrap();
        Self { items: vec![n] }
    }
}

trait Source {
    fn fetch(&self, key: &str) -> impl Future<Output = String>;
}

impl Source for Store {
    #[asyncio::coroutine]
    fn fetch(&self, key: &str) -> String {
        asyncio::sleep(0).await.unwrap();
        format!("{key}={}", self.items.len())
    }
}

#[asyncio::coroutine]
fn prefix<'a, 'b: 'a>(s: &'a str, _t: &'b str, n: usize) -> &'a str {
    asyncio::sleep(0).await.unwrap();
    &s[..n]
}

#[asyncio::coroutine]
fn generic<T, U>(t: T, u: impl Display) -> String
where
    T: Display + Clone,
    U: Default,
{
    let _unused = U::default();
    asyncio::sleep(0).await.unwrap();
    format!("{t}{u}")
}

#[asyncio::coroutine]
pub(crate) async fn with_async_keyword(x: u32) -> u32 {
    asyncio::sleep(0).await.unwrap();
    x
}

#[asyncio::coroutine]
fn macros_in_body(v: Vec<u32>) -> String {
    let doubled: Vec<u32> = v.iter().map(|x| x * 2).collect();
    assert!(!doubled.is_empty(), "{doubled:?}");
    let n = asyncio::sleep(0).await.map(|()| doubled.len()).unwrap();
    format!("{n} {:?}", vec![n; 2])
}

/// Runs a future of any output on a fresh loop (`asyncio::run` wants an
/// output that says whether it succeeded).
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    asyncio::EventLoop::new()
        .unwrap()
        .run_until_complete(fut)
        .unwrap()
}

fn main() {
    // Each future borrows `store`; it is awaited by `run` from plain code
    // (a coroutine could not keep `store` across the await while it is
    // borrowed: frame values move at each suspension).
    let mut store = Store { items: vec![1, 2] };
    block_on(store.push(3));
    assert_eq!(block_on(store.total(&[4])), 10);
    assert_eq!(*block_on(store.first()), 1);
    assert_eq!(block_on(store.fetch("k")), "k=3");
    let fresh = block_on(Store::new_self(7));
    assert_eq!(block_on(Rc::new(fresh).shared()), 2);
    assert_eq!(block_on(Box::new(store).boxed()), [1, 2, 3]);
    assert_eq!(block_on(prefix("hello", "x", 2)), "he");
    assert_eq!(block_on(generic::<_, u8>(1, "x")), "1x");
    assert_eq!(block_on(with_async_keyword(5)), 5);
    assert_eq!(block_on(macros_in_body(vec![1])), "1 [1, 1]");
}
