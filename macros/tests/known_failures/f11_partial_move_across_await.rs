// Fails to compile (E0382, use of partially moved value `p`): a local partially moved before an await, used after it.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

// F11 compile error (E0382 use of partially moved value): a local partially moved before an await and used after it.
both!(
    fn f11_partial_move_across_await() -> &'static str {
        let p = (D("a"), D("b"));
        let a = p.0;
        see(&a);
        leaf("x", ()).await;
        see(&p.1)
    }
);

fn main() {
    agree!(f11_partial_move_across_await());
}
