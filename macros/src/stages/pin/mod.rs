//! Stage 6: locals borrowed across awaits stay in place.
//!
//! [`select`] finds the locals that may be borrowed while the coroutine is
//! suspended; [`rewrite`] turns their declarations and uses into accesses
//! to slots of a pinned machine; [`shadow`] emits the body once more as
//! ordinary code for rustc to borrow-check. The runtime side is
//! `asyncio::coroutine::{PinnedOrMoved, PinnedEnd, PinMachine}`.

mod rewrite;
pub(crate) mod select;
mod shadow;

pub use rewrite::{Pins, guard, nodes as rewrite};
pub use select::{Selection, select};
pub use shadow::shadow;

/// A pinned local, as codegen stores it.
pub struct PinnedLocal {
    /// The name of the raw pointer to its slot in the step.
    pub ptr: proc_macro2::Ident,
    /// For a parameter: the expression passing it in.
    pub param: Option<proc_macro2::TokenStream>,
    /// Its slot needs a drop flag (`PinnedOrMoved`); else a `Pinned`.
    pub flagged: bool,
}
