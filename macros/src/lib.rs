//! The coroutine compiler behind [`asyncio`](https://docs.rs/asyncio).
//!
//! `#[coroutine]` rewrites a fn whose body uses `.await` into an explicit
//! state machine implementing `Future`, without language async. The
//! pipeline has one module per stage:
//!
//! 1. `parse`: what the attribute is on; parameters prepared for the frame.
//! 2. `normalize`: awaits hoisted out of expressions (A-normal form).
//! 3. `resolve`: every binding a slot, every use resolved, renames.
//! 4. `lower`: a control-flow graph of blocks between suspensions.
//! 5. `liveness`: which slots each block needs.
//! 6. `codegen`: the frame enum and the poll code.
//!
//! Use it through the `asyncio` crate, which re-exports these attributes.

mod awaits;
mod cfg;
mod codegen;
mod entry;
mod errors;
mod exits;
mod expand;
#[cfg(test)]
mod golden;
mod ir;
mod liveness;
mod lower;
mod names;
mod normalize;
mod parse;
mod pin;
mod resolve;
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
