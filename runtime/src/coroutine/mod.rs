//! Support code for the state machines that `#[coroutine]` generates.
//!
//! Everything here is `#[doc(hidden)]` and reached only through
//! `::asyncio::coroutine` (a module beside the attribute of the same name:
//! they live in different namespaces, and the path reads well in the rare
//! compiler note that shows it): it is the contract between the compiler in
//! `asyncio-macros` and the runtime, not an API for users. Keeping it small
//! and in one place means the generated code carries no logic of its own
//! beyond the user's body: pinning, in-place polling and `?` live here.

mod machine;
mod pinned;
mod slot;
mod try_op;

pub use machine::{Machine, step};
pub use pinned::{
    PinMachine, Pinned, PinnedEnd, PinnedField, PinnedOrMoved, PinnedSlot, in_place, in_place_ref,
    pinned_step, place, shadow_await,
};
pub use slot::{AwaitSlot, resume_hint};
pub use try_op::{FromResidual, Try};

pub use core::future::{Future, IntoFuture};
pub use core::ops::ControlFlow;
pub use core::pin::Pin;
pub use core::task::{Context, Poll};

/// Names lifetimes a coroutine's `impl Future` captures, so it borrows its
/// arguments in every edition (edition 2021 captures only the lifetimes an
/// `impl Trait` mentions).
pub trait Captures<T: ?Sized> {}

impl<T: ?Sized, U: ?Sized> Captures<U> for T {}

// Used by the runtime's own macros (`gather!`, `try_gather!`).
pub use crate::combinators::gather::GatherTuple;
pub use crate::task::ensure_task;

/// Runs the body of `#[entry]` or `#[asyncio::test]` on a fresh loop (a
/// [`Runner`](crate::Runner)) and returns its output as it is, whatever its
/// type.
///
/// # Panics
///
/// If the loop cannot be created or run (an entry point called from inside
/// a running loop): there is no caller to return that error to.
pub fn run_entry<F: Future>(fut: F, debug: bool) -> F::Output
where
    F::Output: EntryOutput,
{
    let mut runner = crate::Runner::new().debug(debug);
    let output = runner.run_main(fut);
    let closed = runner.close();
    match (output, closed) {
        // Ctrl-C cancelled `main`, which ended cancelled: exit as Python
        // does after an uncaught `KeyboardInterrupt`.
        (Ok((value, true)), Ok(())) if value.cancelled() => {
            eprintln!("KeyboardInterrupt");
            crate::run::die_by_sigint()
        }
        (Ok((value, _)), Ok(())) => value,
        (Err(err), _) | (_, Err(err)) => panic!("asyncio: {err}"),
    }
}

/// What an `#[entry]` fn may return: `()` or a `Result`. Tells whether it
/// ended by a cancellation (an [`Error::Cancelled`](crate::Error::Cancelled),
/// possibly boxed as a `Box<dyn std::error::Error>`).
pub trait EntryOutput {
    /// Whether this is a cancellation error.
    fn cancelled(&self) -> bool;
}

impl EntryOutput for () {
    fn cancelled(&self) -> bool {
        false
    }
}

impl<T, E: 'static> EntryOutput for core::result::Result<T, E> {
    fn cancelled(&self) -> bool {
        let Err(err) = self else { return false };
        let any: &dyn std::any::Any = err;
        if let Some(err) = any.downcast_ref::<crate::Error>() {
            return err.is_cancelled();
        }
        let boxed = any
            .downcast_ref::<Box<dyn std::error::Error>>()
            .map(|b| &**b as &(dyn std::error::Error + 'static))
            .or_else(|| {
                any.downcast_ref::<Box<dyn std::error::Error + Send + Sync>>()
                    .map(|b| &**b as &(dyn std::error::Error + 'static))
            });
        boxed
            .and_then(|b| b.downcast_ref::<crate::Error>())
            .is_some_and(crate::Error::is_cancelled)
    }
}
