// Fails to compile (E0308, expected `()`, found `&str`): a `-> ()` body whose last statement is a non-unit `see(&b);`.

#[path = "../corpus/common.rs"]
#[macro_use]
mod common;
use common::*;

// F10 drop order: a pattern parameter is bound in the body, so it is dropped before the identifier parameters (rustc rebinds all parameters in order).
// (That drop order itself now agrees: ending the body with a unit statement,
// `see(&b); log("x");`, makes it compile and match rustc; what fails is the
// non-unit last statement, as the first line says.)
both!(
    fn f10_pattern_param_drop_order((b, _): (D, u32), _g: D) -> () {
        leaf("a", ()).await;
        see(&b);
    }
);

fn main() {
    agree!(f10_pattern_param_drop_order((D("b"), 1), D("g"))); // ours [.., "drop b", "drop g"], oracle [.., "drop g", "drop b"]
}
