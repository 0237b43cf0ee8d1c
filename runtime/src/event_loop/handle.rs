//! Handles to scheduled callbacks: asyncio's `Handle` and `TimerHandle`.

use std::cell::Cell;
use std::fmt;
use std::rc::Weak;
use std::task::Waker;

use super::driver::Core;
use crate::util::slab::Key;

/// A callback scheduled with [`EventLoop::call_soon`], which can still be
/// cancelled until it runs.
///
/// Dropping the handle does *not* cancel the callback. The handle refers to
/// the loop weakly: it keeps nothing alive, and cancelling after the loop is
/// gone does nothing.
///
/// [`EventLoop::call_soon`]: crate::EventLoop::call_soon
///
/// # Examples
///
/// ```
/// use asyncio::EventLoop;
///
/// let event_loop = EventLoop::new()?;
/// let handle = event_loop.call_soon(|| unreachable!("cancelled"))?;
/// handle.cancel();
/// assert!(handle.cancelled());
/// event_loop.run_until_complete(std::future::ready(()))?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct Handle {
    core: Weak<Core>,
    key: Key,
    cancelled: Cell<bool>,
}

impl Handle {
    pub(super) fn new(core: Weak<Core>, key: Key) -> Self {
        Handle {
            core,
            key,
            cancelled: Cell::new(false),
        }
    }

    /// Cancels the callback: if it has not run yet, it never will, and what
    /// it captured is dropped now. Cancelling twice, or after it ran, does
    /// nothing.
    pub fn cancel(&self) {
        self.cancelled.set(true);
        if let Some(core) = self.core.upgrade() {
            core.cancel_callback(self.key);
        }
    }

    /// Whether [`cancel`](Self::cancel) was called on this handle.
    pub fn cancelled(&self) -> bool {
        self.cancelled.get()
    }

    /// Whether the callback is still waiting to run.
    pub(crate) fn is_scheduled(&self) -> bool {
        self.core
            .upgrade()
            .is_some_and(|core| core.is_scheduled(self.key))
    }

    /// For a timer that wakes a task: makes it wake `waker` instead, unless
    /// the two would wake the same task anyway.
    pub(crate) fn set_waker(&self, waker: &Waker) {
        if let Some(core) = self.core.upgrade() {
            core.set_callback_waker(self.key, waker);
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("key", &self.key)
            .field("cancelled", &self.cancelled.get())
            .finish()
    }
}

/// A callback scheduled for a point in time with
/// [`EventLoop::call_later`] or [`EventLoop::call_at`].
///
/// Like [`Handle`], it can cancel the callback until it runs, and dropping it
/// cancels nothing.
///
/// [`EventLoop::call_later`]: crate::EventLoop::call_later
/// [`EventLoop::call_at`]: crate::EventLoop::call_at
///
/// # Examples
///
/// ```
/// use asyncio::EventLoop;
///
/// let event_loop = EventLoop::new()?;
/// let timer = event_loop.call_later(60, || unreachable!("cancelled"))?;
/// assert!(timer.when() >= 60.0);
/// timer.cancel();
/// event_loop.run_until_complete(std::future::ready(()))?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct TimerHandle {
    handle: Handle,
    when: f64,
}

impl TimerHandle {
    pub(super) fn new(handle: Handle, when: f64) -> Self {
        TimerHandle { handle, when }
    }

    /// Cancels the callback, as [`Handle::cancel`] does. Its slot is freed
    /// at once; the timer heap forgets the deadline lazily, never keeping
    /// more than a bounded share of cancelled entries.
    pub fn cancel(&self) {
        self.handle.cancel();
    }

    /// Whether [`cancel`](Self::cancel) was called on this handle.
    pub fn cancelled(&self) -> bool {
        self.handle.cancelled()
    }

    /// When the callback is due, in the loop's [`time`] scale.
    ///
    /// [`time`]: crate::EventLoop::time
    pub fn when(&self) -> f64 {
        self.when
    }

    /// The underlying handle, for the runtime's own timers.
    pub(crate) fn into_handle(self) -> Handle {
        self.handle
    }

    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHandle")
            .field("when", &self.when)
            .field("key", &self.handle.key)
            .field("cancelled", &self.handle.cancelled())
            .finish()
    }
}
