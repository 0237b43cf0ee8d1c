//! The coroutine compiler behind [`asyncio`](https://docs.rs/asyncio).
//!
//! `#[coroutine]` rewrites a fn whose body uses `.await` into an explicit
//! state machine implementing `Future`, without language async. The
//! pipeline has one module per stage:
//!
//! 0. `cfg_variants`: a fn with `#[cfg]` on statements that await becomes
//!    one copy per combination of their predicates, each gated by it, and
//!    each copy goes through the stages below.
//! 1. `parse`: what the attribute is on; parameters prepared for the frame.
//! 2. `normalize`: awaits hoisted out of expressions (A-normal form).
//! 3. `resolve`: every binding a slot, every use resolved, renames.
//! 4. `lower`: a control-flow graph of blocks between suspensions.
//! 5. `liveness`: which slots each block needs.
//! 6. `pin`: which locals may be borrowed across an await and so stay in
//!    place; their uses rewritten into accesses to slots; the shadow body.
//!    (When something is pinned, stages 3 to 5 run again on the rewritten
//!    body.)
//! 7. `codegen`: the frame enum and the poll code.
//!
//! # What the compiler generates
//!
//! For each coroutine the expansion defines, inside the fn:
//!
//! - `enum __Frame<..>`: `Start` holds the arguments; `S0`, `S1`, ... hold, for
//!   each suspension point, only the values live there plus the future being
//!   awaited (in an `AwaitSlot`, polled in place); `Running`; `Done`. Variants
//!   overlap, as in rustc's own generator layout.
//! - one local `Option` per block (`__b3`): a jump between blocks inside one
//!   `poll` moves the values live at the target into it, as a tuple; and one
//!   per suspension point (`__s3`), which carries the awaited future and the
//!   values saved there out of the block that suspends. Locals, never stored.
//! - a step closure that runs blocks, each one `match` arm that re-binds its
//!   live values under the user's own names, runs the user's code as
//!   written, and moves the values live at its successor into the next
//!   block's local, or suspends; then calls `__Frame::__resume`, which stores
//!   the suspension just reached in the frame, polls the awaited future in
//!   place, and on `Ready` moves the values of the resumption out.
//!
//! The step closure never names `__Frame` among the blocks: every mention of
//! a generic enum makes rustc infer all of its parameters again, so the
//! user's code is type-checked with the frame as one inference variable,
//! tied to the frame by the single call to `__resume` after the blocks
//! (see "Compile time" below).
//!
//! The enum is generic in every field type, so rustc infers all types, even
//! in generic fns. No allocation per await, no boxing. Polling after completion
//! panics ("polled after it completed"); a panic in the body poisons the future
//! ("polled after it panicked"), never leaving it unsound. Checked-in
//! expansions of five representative fns are under
//! [`macros/tests/expand/`](macros/tests/expand/) (a test fails when the output
//! changes; `UPDATE_EXPAND=1 cargo test -p asyncio-macros` rewrites them).
//!
//! # Borrows across awaits
//!
//! Values move through the frame, which keeps the generated code safe and
//! small, but a value cannot move while it is borrowed. So a local that may
//! be borrowed while the coroutine is suspended (found by `pin::select`
//! without types: a reference to it, a method call on it, or a borrowing
//! closure over it, whose result is live at an await or is the awaited
//! future) stays in place instead, in a slot of a `PinMachine`, which is
//! pinned and `!Unpin`, as every local of an `async fn` does:
//!
//! - `let v = e;` stores `e` in the slot and declares a never-read guard
//!   (`PinnedEnd`) that the rest of the compiler keeps to the end of the
//!   scope like any guard, so the local drops where an `async fn` drops it;
//! - every use of `v` is the place `**slot` (the slot's `Deref`/`DerefMut`,
//!   which rustc picks per use as it picks autoref), a field chain `v.a.b`
//!   is projected in place first (so disjoint field borrows coexist), a
//!   bare `v` in a moving position is a move out of the slot;
//! - the user's body is emitted once more, in dead code and outside any
//!   `unsafe`, as an ordinary closure whose awaits are calls returning the
//!   future's output (the *shadow*), so rustc borrow-checks the body with
//!   locals that never move: exactly an `async fn`'s rules, and its errors.
//!
//! The real code makes the same accesses in the same order, so every
//! reference it makes into a slot is one the shadow proved valid; the slot
//! operations are the runtime's (`asyncio::coroutine::pinned`), the user's
//! code is never inside an `unsafe` block, and Miri runs the borrows corpus
//! under Stacked and Tree Borrows in CI. The returned future's type names
//! the lifetime of references into slots: with type parameters or several
//! lifetimes, a `'__frame` lifetime outlived by all of them is added to the
//! signature (not possible in a trait impl, whose methods must match the
//! trait: there a generic method's pinned locals must outlive a lifetime
//! of the signature).
//!
//! ## Proving it against rustc's own lowering
//!
//! `rustc`'s `async fn` is the oracle. Every body of the corpus is compiled
//! twice, as a `#[coroutine] fn` and as an `async fn`, and both are run on a
//! scripted executor whose leaf futures are pending once and log each poll and
//! completion, and whose values log their creation and their drop. Both are run to completion,
//! then dropped after every possible number of polls, and the traces must
//! agree by one automatic rule (`macros/tests/corpus/common.rs`, `agree`):
//!
//! - every event that is not a value's drop (evaluations, uses, polls,
//!   completions, leaf-future drops) happens in the same order;
//! - every value is dropped exactly as often (never leaked, never twice);
//! - a value is never dropped *later* than rustc drops it; it may be dropped
//!   earlier (released at its last use before an await), but only if no later
//!   event uses it;
//! - values dropped at the same point are dropped in rustc's order (values our
//!   semantics released at a branch may come first, themselves in rustc's
//!   order).
//!
//! | corpus | bodies | command |
//! | --- | ---: | --- |
//! | hand-written (`macros/tests/corpus/`, by construct: expressions, branches, loops, exits, drops, borrows, signatures) | 391 tests (3 ignored: the known failures, and two disagreements) | `cargo test -p asyncio-macros --test corpus` |
//! | known failures (`macros/tests/known_failures/`: bodies `async fn` accepts and the compiler does not, each a program) | 4 | `cargo test -p asyncio-macros --test corpus known_failures -- --ignored` |
//! | generated, in every CI run (seed 1; 30% of statements borrow shapes: frame ratio median 1.00, p90 1.16, max 1.65) | 1,000 | `cargo test -p asyncio-macros --test generated` |
//! | generated, on demand (seed 7, 20,000 bodies: every chunk agreed, over two sessions' compilers; not yet rerun whole on the latest) | any | `CORPUS_BODIES=20000 CORPUS_SEED=7 CORPUS_JOBS=2 cargo test -p asyncio-macros --test generated -- --nocapture` |
//!
//! The generator (`macros/tests/generated/bodies.rs`) is seeded and
//! deterministic: nested `if`/`match`/`loop`/`while`/`for`/blocks, awaits in
//! random expression positions, early `return`, `?`, labeled `break` (with
//! values) and `continue`, and drop-logging values that are created, used,
//! moved and held as guards; and borrow shapes (`CORPUS_BORROWS`, 30% of
//! statements by default): references to locals held across awaits,
//! iterators over local collections with awaits in the loop, `&mut` methods
//! on local structs returning futures that hold the borrow, buffers filled
//! by reference, temporaries borrowed by an awaited future.
//!
//! ## Compile time
//!
//! `CORPUS_BORROWS=0 cargo test -p asyncio-macros --release --test generated
//! compile_time -- --ignored --nocapture` generates a crate of 300 random bodies as
//! `#[coroutine] fn`s and the same 300 as `async fn`s, and builds each (the
//! crate alone, non-incremental, dependencies already built):
//!
//! | 300 fns | time | ratio |
//! | --- | ---: | ---: |
//! | `async fn` | 4.4 s | 1.0 |
//! | `#[coroutine] fn` | 19.5 s | 4.4 |
//!
//! (Measured after the change below, on 2 cores; before it, on an earlier
//! version of the compiler, the same command gave 53 s against 7.9 s, 6.7x.
//! These bodies have no borrow shapes, `CORPUS_BORROWS=0`; the default is
//! now 30%.)
//!
//! Type checking used to grow with the cube of a body's awaits: every
//! mention of the generic `__Frame` (a variant built or matched) gives rustc
//! fresh inference variables for all of its parameters, one per saved value
//! and per awaited future, with obligations that stay pending until those
//! are known, and rustc visits every pending obligation again each time it
//! selects obligations, which it does all through the body. The poll code
//! (four mentions per suspension) came before the blocks and each block
//! built its variant, so the pending set was awaits x parameters through the
//! whole body (time grew with the cube of the number of awaits: a body of
//! 95 awaits, `g10` of the generated run below, took 15.9 s in `typeck`,
//! measured with `-Z time-passes`). Now the
//! blocks never mention the frame: a suspension leaves its values in its
//! `__s` local; the entry block's values get their type from the arguments
//! (`asyncio::coroutine::step`) and a resumption's from its suspension
//! (`asyncio::coroutine::resume_hint`); the step closure is checked before
//! the frame's type exists; and storing, polling and resuming are in
//! `__Frame::__resume`, generic over the frame's parameters, so its
//! mentions of `Self` infer nothing. That 95-await body now takes 0.3 s.
//! The figure to watch (it builds and runs 100 generated bodies with borrow
//! shapes, the largest ones included): `CORPUS_BORROWS=30
//! CORPUS_BODIES=100 CORPUS_SEED=3 cargo test -p asyncio-macros --test
//! generated -- --nocapture`, 71 s before this change and 20 s after, on
//! 2 cores. What is left is roughly linear: the
//! generated code is several times the user's (live values restored at
//! every block, the shadow body of bodies with pinned locals, `__resume`,
//! whose mentions of `Self` still cost rustc one obligation per frame
//! parameter each, so very large bodies still grow faster than linearly),
//! and the proc macro itself (unoptimised in debug builds) takes about a
//! third as long as rustc's type checking of what it emits. Small bodies
//! pay a little for the extra fns (`__resume` and `__entry`, each borrow
//! checked and compiled on its own): the hand-written corpus crate builds
//! in about the same time, with type checking slightly faster and borrow
//! checking and codegen slower.
//!
//! ## Frame size
//!
//! `cargo test -p examples --test frame_size -- --nocapture` compares the
//! frames of `examples/say_after.rs` with rustc's `async fn` for the same
//! bodies (the test fails if ours is larger):
//!
//! | fn | `#[coroutine]` | `async fn` |
//! | --- | ---: | ---: |
//! | `say_after` | 80 B | 112 B |
//! | `sequential` | 88 B | 120 B |
//! | `concurrent` | 40 B | 40 B |
//! | `main`'s body | 88 B | 128 B |
//!
//! Ours is smaller where a value is not needed after an await (see below).
//! Over every corpus body (`cargo test -p asyncio-macros --test corpus
//! frame_size -- --nocapture`; the generated run prints the same), the ratio
//! `#[coroutine]` / `async fn` is:
//!
//! | corpus | median | p90 | max |
//! | --- | ---: | ---: | ---: |
//! | hand-written, 340 bodies (with the borrows section) | 0.89 | 1.14 | 1.50 |
//! | generated, 1,000 bodies (seed 1, with borrow shapes) | 1.00 | 1.16 | 1.65 |
//!
//! Use it through the `asyncio` crate, which re-exports these attributes.

mod awaits;
mod entry;
mod errors;
mod exits;
mod expand;
#[cfg(test)]
mod golden;
mod ir;
mod macro_args;
mod names;
mod stages;
#[cfg(test)]
mod test_util;

use proc_macro::TokenStream;

/// Compiles a fn whose body uses `.await` into a state machine.
///
/// The fn keeps its name, parameters, generics and visibility and returns
/// `impl Future<Output = T>` (with or without the `async` keyword on the
/// fn). Calling it runs nothing: the body starts at the first poll, like a
/// Python coroutine object. The future's state is a generated enum holding,
/// at each suspension point, only the values still needed there and the
/// future being awaited.
///
/// Write it as a path, `#[asyncio::coroutine]`: a bare `#[coroutine]` is
/// ambiguous with rustc's built-in attribute of that name.
///
/// ```
/// use std::time::Duration;
///
/// #[asyncio::coroutine]
/// fn countdown(from: u32) -> asyncio::Result<Vec<u32>> {
///     let mut seen = Vec::new();
///     for n in (1..=from).rev() {
///         asyncio::sleep(Duration::from_millis(1)).await?;
///         seen.push(n);
///     }
///     Ok(seen)
/// }
///
/// assert_eq!(asyncio::run(countdown(3))?, [3, 2, 1]);
/// # Ok::<(), asyncio::Error>(())
/// ```
///
/// Where the semantics differ from an `async fn` (values are released at
/// their last use across an await, and a borrow of a local cannot be held
/// across an await), see the README's section "Where coroutine semantics
/// differ from `async fn`".
#[proc_macro_attribute]
pub fn coroutine(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::coroutine(attr.into(), item.into()).into()
}

/// Marks the program's entry point, `asyncio.run(main())`.
///
/// `#[asyncio::entry] fn main()` compiles the body as a coroutine and runs
/// it on a fresh event loop with `asyncio::run`; `#[asyncio::entry(debug)]`
/// runs it in debug mode. `main` takes no arguments and returns `()` or a
/// `Result`.
///
/// ```no_run
/// #[asyncio::entry]
/// fn main() -> asyncio::Result<()> {
///     println!("Hello ...");
///     asyncio::sleep(1.0).await?;
///     println!("... World!");
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn entry(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::entry(attr.into(), item.into()).into()
}

/// A `#[test]` whose body is a coroutine, run on a fresh event loop.
///
/// Write it as `#[asyncio::test]`. The fn takes no arguments and returns
/// `()` or a `Result`; other attributes (`#[should_panic]`, `#[ignore]`)
/// apply as usual.
///
/// ```no_run
/// #[asyncio::test]
/// fn sleeps() -> asyncio::Result<()> {
///     asyncio::sleep(0).await?;
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr.into(), item.into()).into()
}
