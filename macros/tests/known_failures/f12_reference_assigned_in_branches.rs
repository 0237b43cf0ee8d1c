// Fails to compile (E0597, `v` does not live long enough): a reference to a local assigned in both branches, used after the join.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

// Was F12 (its fixed forms are `f12` in corpus/borrows.rs). Still failing
// (documented: a borrow of a local carried from block to block, here from
// both branches to their join).
both!(
    fn f12_reference_assigned_in_branches(c: bool) -> u32 {
        let v = vec![1u32, 2];
        let r: &u32;
        if c {
            r = &v[0];
        } else {
            leaf("x", ()).await;
            r = &v[1];
        }
        *r
    }
);

fn main() {
    agree!(f12_reference_assigned_in_branches(true));
    agree!(f12_reference_assigned_in_branches(false));
}
