//! The coroutine compiler behind [`asyncio`](https://docs.rs/asyncio).
//!
//! `#[coroutine]` rewrites a fn whose body uses `.await` into an explicit
//! state machine implementing `Future`, without language async. The
//! pipeline has one module per stage:
//!
//! 1. [`parse`]: what the attribute is on; parameters prepared for the frame.
//! 2. [`normalize`]: awaits hoisted out of expressions (A-normal form).
//! 3. [`resolve`]: every binding a slot, every use resolved, renames.
//! 4. [`lower`]: a control-flow graph of blocks between suspensions.
//! 5. [`liveness`]: which slots each block needs.
//! 6. [`codegen`]: the frame enum and the poll code.
//!
//! Use it through the `asyncio` crate, which re-exports these attributes.

mod awaits;
mod cfg;
mod codegen;
mod entry;
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
mod resolve;
#[cfg(test)]
mod test_util;

use proc_macro::TokenStream;

/// Compiles a fn whose body uses `.await` into a state machine.
///
/// The fn keeps its name, parameters and generics and returns
/// `impl Future<Output = T>`; calling it runs nothing until the first poll.
/// See the `asyncio` crate for the full semantics.
#[proc_macro_attribute]
pub fn coroutine(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::coroutine(attr.into(), item.into()).into()
}

/// Marks the program's entry point: `#[entry] fn main()` runs its body as a
/// coroutine with `asyncio::run`. `#[entry(debug)]` turns on debug mode.
#[proc_macro_attribute]
pub fn entry(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::entry(attr.into(), item.into()).into()
}

/// A test whose body is a coroutine, run on a fresh event loop.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::test(attr.into(), item.into()).into()
}
