//! Quick end-to-end checks of generated coroutines on a trivial executor.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Polls `fut` to completion with a no-op waker (leaves here never block).
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Pending once, then ready with `v`.
struct Yield<T>(Option<T>, bool);
impl<T: Unpin> Future for Yield<T> {
    type Output = T;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if !self.1 {
            self.1 = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.0.take().unwrap())
    }
}
fn y<T>(v: T) -> Yield<T> {
    Yield(Some(v), false)
}

#[asyncio::coroutine]
fn add(a: u32, b: u32) -> u32 {
    let x = y(a).await;
    x + y(b).await
}

#[test]
fn straight_line() {
    assert_eq!(block_on(add(2, 3)), 5);
}
