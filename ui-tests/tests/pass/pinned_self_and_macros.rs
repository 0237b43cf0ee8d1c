//! `self: Pin<&mut Self>` receivers, and macros in bodies around awaits.

use std::pin::Pin;

struct Counter {
    count: u32,
}

impl Counter {
    #[asyncio::coroutine]
    fn bump(self: Pin<&mut Self>, by: u32) -> u32 {
        asyncio::sleep(0).await.unwrap();
        let this = self.get_mut();
        this.count += by;
        this.count
    }
}

#[asyncio::coroutine]
fn describe(values: Vec<u32>) -> String {
    let first = values[0];
    asyncio::sleep(0).await.unwrap();
    assert_eq!(values.len(), 2, "expected two values, got {values:?}");
    let listed = format!("{first} then {:?}", &values[1..]);
    println!("{listed}");
    debug_assert!(!listed.is_empty());
    listed
}

fn main() {
    let event_loop = asyncio::EventLoop::new().unwrap();
    let mut counter = Counter { count: 1 };
    let bumped = event_loop
        .run_until_complete(Pin::new(&mut counter).bump(2))
        .unwrap();
    assert_eq!(bumped, 3);
    let text = event_loop
        .run_until_complete(describe(vec![1, 2]))
        .unwrap();
    assert_eq!(text, "1 then [2]");
}
