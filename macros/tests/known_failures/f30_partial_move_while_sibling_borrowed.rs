// Fails to compile (E0507, cannot move out of dereference of `PinnedField<D>`): a non-`Copy`
// field moved out of a pinned local while a reference into another of its fields is still used
// afterwards. `async fn` accepts the partial move. The pinned local cannot be taken out of its
// slot there (that would free `name` under `r`: a use after free the generator's seed 1 shape
// turned up before the pin stage checked for it), and a slot has one drop flag, not one per field.
// Workaround: `std::mem::replace`/`Option::take` the field, or clone it.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

struct Two {
    name: String,
    tag: D,
}

fn consume(d: D) {
    log(format!("consume {}", d.0));
}

both!(
    fn f30_partial_move_while_sibling_borrowed(p: u32) -> usize {
        let two = Two {
            name: format!("name{p}"),
            tag: D("t"),
        };
        let r = &two.name;
        leaf("a", 1u32).await;
        consume(two.tag);
        r.len()
    }
);

fn main() {
    agree!(f30_partial_move_while_sibling_borrowed(1));
}
