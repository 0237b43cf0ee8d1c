use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

/// The future returned by every `#[coroutine] fn`: a generated frame plus the
/// generated step function that advances it.
///
/// The frame is an enum with one variant per suspension point holding the
/// values live there and the sub-future in flight (inside an [`AwaitSlot`]).
/// The step function captures nothing, so a `Machine` is exactly as large as
/// its frame. It also receives `None` typed as the values the body starts
/// with (`Option<E>`): see [`step`].
///
/// [`AwaitSlot`]: super::AwaitSlot
pub struct Machine<S, F, E = ()> {
    frame: S,
    step: F,
    entry: PhantomData<fn() -> E>,
}

impl<S, F, E> Machine<S, F, E> {
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
        F: FnMut(&mut S, &mut Context<'_>, Option<E>) -> Poll<T>,
    {
        Machine {
            frame,
            step,
            entry: PhantomData,
        }
    }
}

impl<S, F, E, T> Future for Machine<S, F, E>
where
    F: FnMut(&mut S, &mut Context<'_>, Option<E>) -> Poll<T>,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: we never move out of `self`. The frame is handed to `step`
        // by `&mut`; a future pinned inside it (in an `AwaitSlot`) stays in
        // place by the contract of `AwaitSlot::pinned`.
        let this = unsafe { self.get_unchecked_mut() };
        (this.step)(&mut this.frame, cx, None)
    }
}

impl<S, F, E> fmt::Debug for Machine<S, F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coroutine")
            .field("frame_size", &core::mem::size_of::<S>())
            .finish_non_exhaustive()
    }
}

/// The step function of a [`Machine`], as is: the generated closure, which
/// also receives `None` typed as the values the body starts with (`entry`
/// is `PhantomData` of them, taken from the arguments).
///
/// The generated code makes the step with this before it makes the frame,
/// so that rustc type-checks the body with the frame's type as one
/// inference variable rather than with one per parameter of the frame,
/// each with obligations pending all through the body; and from a closure
/// that captures nothing (not a `move` closure, which would make rustc
/// stop suggesting to clone a value moved in the body). It returns the
/// closure itself: a wrapper's type would name the frame's type again in
/// its own, and debug info of nested coroutines would grow exponentially.
#[inline(always)]
pub fn step<S, E, T, F>(entry: PhantomData<fn() -> E>, step: F) -> F
where
    F: FnMut(&mut S, &mut Context<'_>, Option<E>) -> Poll<T>,
{
    let _ = entry;
    step
}
