//! Scheduled callbacks: what `call_soon`, `call_later` and timers run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Waker;

use crate::util::panic;

/// Something the loop runs once, from the ready queue.
pub(crate) enum Callback {
    /// A user callback (`call_soon`, `call_later`, `call_at`).
    Call(Box<dyn FnOnce()>),
    /// Wake a task. The runtime's own timers (`sleep`) use this so that a
    /// timer costs no allocation besides its slot.
    Wake(Waker),
}

impl Callback {
    /// Runs the callback. A panic is caught and reported: like an
    /// exception in an asyncio callback, it must not stop the loop.
    pub(super) fn run(self) {
        match self {
            Callback::Wake(waker) => waker.wake(),
            Callback::Call(f) => {
                if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
                    // The panic hook has already printed the panic with its
                    // location; this says that the loop carries on. The full
                    // loop routes it to `call_exception_handler` instead.
                    eprintln!(
                        "asyncio: exception in callback (the loop keeps running): {}",
                        panic::message(&*payload)
                    );
                }
            }
        }
    }
}

/// A callback waiting in the loop's callback slab.
pub(super) struct Scheduled {
    pub(super) callback: Callback,
    /// The callback's key is (still) in the timer heap, rather than in the
    /// ready queue. Cancelling it must then be counted by the heap.
    pub(super) in_heap: bool,
}
