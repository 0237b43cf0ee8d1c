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
    /// Safe to call: `step` receives the frame by `&mut` although the machine
    /// is pinned, and the one way to pin something inside the frame is
    /// [`AwaitSlot::pinned`](super::AwaitSlot::pinned), whose caller promises
    /// not to move the slot until it is cleared. The generated code builds
    /// the machine outside any `unsafe` block, so the user's code in `step`
    /// needs `unsafe` exactly where it would in an `async fn`.
    pub fn new<T>(frame: S, step: F) -> Self
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
        // by `&mut`; a future pinned inside it (in an `AwaitSlot`) stays in
        // place by the contract of `AwaitSlot::pinned`.
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
