//! The hand-written corpus: bodies compiled both as a `#[coroutine] fn` and
//! as an `async fn`, run on a scripted executor and compared with rustc's
//! own lowering by the drop-timing rule of [`common::agree`]; plus the
//! frame-size distribution over every body.
//!
//! One module per construct:
//!
//! - `expressions`: awaits in operands, call arguments, method receivers,
//!   operators, casts, indices, literals, assignments, closures, blocks and
//!   macros, and the evaluation order around them;
//! - `branches`: `if`/`else`, `if let` and let chains, `let`-`else`,
//!   `match` with guards, `&&`/`||` short-circuit;
//! - `loops`: `loop`, `while`, `while let`, `for`, `break` values, labels,
//!   `continue`;
//! - `exits`: `return`, `?`, early exits with live values, panics;
//! - `drops`: drop order and timing, guards, scopes, moves, shadowing,
//!   temporaries, cancellation;
//! - `borrows`: borrows of locals and of parameters held across awaits;
//! - `signatures`: generics, `impl Trait`, lifetimes, methods, trait impls,
//!   coroutines awaiting coroutines, recursion, parameters;
//! - `frame_sizes`: `size_of` of every body's future against rustc's.
//!
//! A body the compiler gets wrong is kept: as an `#[ignore]`d test in its
//! module when it compiles but disagrees with the `async fn` (the reason
//! says what differs), and as a standalone program in
//! `tests/known_failures/` when `#[coroutine]` rejects it (see
//! [`known_failures`]). Fixed ones stay as ordinary tests, with a
//! "Fixed, was ..." comment. The differences the README documents ("What
//! remains different") need not have a failing body here: awaits in
//! `assert!` message arguments, for one, run even when the assertion holds.

#[macro_use]
mod common;

mod borrows;
mod branches;
mod drops;
mod exits;
mod expressions;
mod frame_sizes;
mod loops;
mod signatures;

/// Bodies that rustc accepts as an `async fn` and `#[coroutine]` rejects,
/// one program per file, each expected to compile and run (so this test
/// fails while any of them does not). Each file says on its first line
/// what fails.
#[test]
#[ignore = "known compiler gaps: bodies rustc accepts as async fn that #[coroutine] rejects; run with --ignored to see them fail"]
fn known_failures() {
    let t = trybuild::TestCases::new();
    t.pass("tests/known_failures/*.rs");
}
