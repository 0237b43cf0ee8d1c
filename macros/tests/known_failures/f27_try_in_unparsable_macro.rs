// Fails to compile (E0277): `?` inside `vec![r?; 2]` (macro arguments that are not comma-separated expressions) is not rewritten.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

// F27 compile error (E0277): `?` inside macro arguments that do not parse as comma-separated expressions (`vec![r?; 2]`) is not rewritten.
both!(
    fn f27_try_in_unparsable_macro(r: Option<u32>) -> Option<Vec<u32>> {
        leaf("a", ()).await;
        Some(vec![r?; 2])
    }
);

fn main() {
    agree!(f27_try_in_unparsable_macro(Some(1)));
    agree!(f27_try_in_unparsable_macro(None));
}
