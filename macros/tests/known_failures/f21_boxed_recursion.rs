// Fails to compile (E0720, cannot resolve opaque type): recursion through `Box::pin(f(..)).await` without a `dyn Future`.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

// F21 compile error (E0720 cannot resolve opaque type): recursion through `Box::pin(f(..)).await` without a `dyn Future` (allowed for `async fn` since Rust 1.77).
#[asyncio::coroutine]
fn f21_boxed_recursion(n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    Box::pin(f21_boxed_recursion(n - 1)).await + 1
}

fn main() {
    assert_eq!(block_on(f21_boxed_recursion(3)), 3);
}
