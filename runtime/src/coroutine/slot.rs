use core::pin::Pin;
use core::task::{Context, Poll};

/// The storage of the one sub-future a coroutine is awaiting.
///
/// It lives inside the pinned frame. Polling drops the future in place as
/// soon as it completes, after which the (now empty) slot may be moved with
/// the rest of the frame. `Option` costs no space when the future has a niche,
/// which every generated frame has.
pub struct AwaitSlot<F>(Option<F>);

impl<F> AwaitSlot<F> {
    /// Stores a future that has not been polled yet. No `Future` bound:
    /// awaiting a value that is not a future is reported by `into_future`,
    /// not again here.
    #[inline]
    pub fn new(future: F) -> Self {
        AwaitSlot(Some(future))
    }
}

impl<F> AwaitSlot<F> {
    /// The stored future, pinned where it lies, for the generated code to
    /// poll with `Future::poll` itself: awaiting something that is not a
    /// future is then reported in the terms of `Future`, on the `.await`,
    /// with no mention of this type.
    ///
    /// # Safety
    ///
    /// Once this has been called, the slot must not move until
    /// [`clear`](Self::clear) has emptied it: the future is pinned where it
    /// lies.
    ///
    /// # Panics
    ///
    /// When the slot is empty, which the generated code never allows.
    #[inline]
    pub unsafe fn pinned(&mut self) -> Pin<&mut F> {
        let future = self
            .0
            .as_mut()
            .expect("asyncio: an await slot was polled after its future completed");
        // SAFETY: the caller keeps the slot in place from the first call
        // until the future is dropped by `clear`, still in place.
        unsafe { Pin::new_unchecked(future) }
    }

    /// Drops the future in place once it has returned `Ready`; the slot may
    /// move again after this.
    #[inline]
    pub fn clear(&mut self) {
        // Dropping through `Option` assignment drops in place.
        self.0 = None;
    }
}

/// Ties the type of what a resumption receives (the values saved at a
/// suspension, then the awaited future's output) to what the suspension
/// saved. Does nothing.
///
/// The generated code calls it where it suspends, so that rustc knows the
/// types of the values the code after the `.await` starts with when it
/// type-checks that code, before the code that moves them into and out of
/// the frame (emitted after every block, see `asyncio-macros`' codegen).
/// The output type comes from `poll`, which is `Future::poll` itself,
/// located at the `.await`: awaiting something that is not a future is
/// then the error already reported there, which rustc does not repeat.
#[inline(always)]
pub fn resume_hint<F, S, O>(
    _saved: &Option<(F, S)>,
    _resumed: &Option<(S, O)>,
    _poll: fn(Pin<&mut F>, &mut Context<'_>) -> Poll<O>,
) {
}
