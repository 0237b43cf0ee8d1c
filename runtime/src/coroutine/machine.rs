use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The future returned by every `#[coroutine] fn`: a generated frame plus the
/// generated step function that advances it.
///
/// The frame is an enum with one variant per suspension point holding the
/// values live there and the sub-future in flight (inside an [`AwaitSlot`]).
/// The step function captures nothing, so a `Machine` is exactly as large as
/// its frame.
///
/// [`AwaitSlot`]: super::AwaitSlot
pub struct Machine<S, F> {
    frame: S,
    step: F,
}

impl<S, F> Machine<S, F> {
    /// Wraps a frame and its step function.
    ///
    /// # Safety
    ///
    /// `step` receives the frame by `&mut` although the machine is pinned. It
    /// must never move a value out of the frame (or swap the frame) while that
    /// value is an [`AwaitSlot`](super::AwaitSlot) holding a future: a slot
    /// may only move before its first poll, or once
    /// [`AwaitSlot::clear`](super::AwaitSlot::clear) has dropped its future in
    /// place after it returned `Ready`.
    /// Every other value in the frame is never pinned and may move freely.
    pub unsafe fn new<T>(frame: S, step: F) -> Self
    where
        F: FnMut(&mut S, &mut Context<'_>) -> Poll<T>,
    {
        Machine { frame, step }
    }
}

impl<S, F, T> Future for Machine<S, F>
where
    F: FnMut(&mut S, &mut Context<'_>) -> Poll<T>,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: we never move out of `self`. The frame is handed to `step`
        // by `&mut`; `Machine::new`'s contract makes `step` keep every pinned
        // future (each inside an `AwaitSlot`) in place until it is dropped.
        let this = unsafe { self.get_unchecked_mut() };
        (this.step)(&mut this.frame, cx)
    }
}

impl<S, F> fmt::Debug for Machine<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coroutine")
            .field("frame_size", &core::mem::size_of::<S>())
            .finish_non_exhaustive()
    }
}
