// Fails to compile (E0507, cannot move out of dereference of `PinnedField<D>`): a field move out of a
// pinned local at its last use, in a statement that also assigns to a local held across an await.
// The pin stage does not know that `acc` (a `u32`) cannot hold a borrow of `ct`, so it does not take
// `ct` out of its slot there. Found by the generator with borrow shapes (seed 1).

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

struct Counter {
    n: u32,
    tag: D,
}

impl Counter {
    async fn bump(&mut self, by: u32) -> u32 {
        self.n += leaf("bump", by).await;
        self.n
    }
}

fn consume(d: D) {
    log(format!("consume {}", d.0));
}

both!(
    fn f30_field_move_at_last_use_after_assignment(p: u32) -> u32 {
        let mut acc = 0u32;
        let mut ct = Counter { n: 0, tag: D("ct") };
        acc = acc.wrapping_add(ct.bump(3).await);
        if leaf("c", true).await {
            if p > 6 {
                acc = acc.wrapping_add(ct.n);
            } else {
                consume(ct.tag);
            }
        }
        acc
    }
);

fn main() {
    agree!(f30_field_move_at_last_use_after_assignment(1));
}
