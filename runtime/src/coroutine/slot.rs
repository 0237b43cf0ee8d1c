use core::future::Future;
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

impl<F: Future> AwaitSlot<F> {
    /// Polls the stored future in place; on `Ready` the future is dropped in
    /// place and the slot becomes empty.
    ///
    /// # Safety
    ///
    /// Once this has been called, the slot must not move until it returns
    /// `Ready`: the future is pinned where it lies.
    ///
    /// # Panics
    ///
    /// When the slot is empty, which the generated code never allows.
    #[inline]
    pub unsafe fn poll(&mut self, cx: &mut Context<'_>) -> Poll<F::Output> {
        let future = self
            .0
            .as_mut()
            .expect("asyncio: an await slot was polled after its future completed");
        // SAFETY: the caller keeps the slot in place from the first poll until
        // the future is dropped, below, still in place.
        let pinned = unsafe { Pin::new_unchecked(future) };
        let output = pinned.poll(cx);
        if output.is_ready() {
            // Dropping through `Option` assignment drops in place.
            self.0 = None;
        }
        output
    }
}
