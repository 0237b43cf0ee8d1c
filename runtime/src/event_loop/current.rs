//! The running loop of the current thread.
//!
//! Leaf futures (`sleep`) and free functions (`create_task`,
//! `get_running_loop`) find their loop here, as asyncio's
//! `get_running_loop()` does. A loop sets itself as current for exactly as
//! long as it runs, so at most one loop runs per thread.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::{Rc, Weak};

use super::EventLoop;
use super::driver::Core;
use crate::error::{Error, Result};

thread_local! {
    /// The running loop, or null. Owned by the `Running` guard of the
    /// running loop, which clears it before releasing its `Rc`; a plain
    /// pointer makes reading it (every leaf does, on every poll) a single
    /// load.
    static CURRENT: Cell<*const Core> = const { Cell::new(ptr::null()) };
    /// Every loop created on this thread and still alive, by registry slot:
    /// lets wakers and `call_soon_threadsafe` used on a loop's own thread
    /// reach it directly while it is not running.
    static LOCAL: RefCell<Vec<(u16, Weak<Core>)>> = const { RefCell::new(Vec::new()) };
}

/// Records that the loop in `slot` lives on this thread.
pub(super) fn register_local(slot: u16, core: &Rc<Core>) {
    LOCAL.with(|local| local.borrow_mut().push((slot, Rc::downgrade(core))));
}

/// Forgets the loop in `slot` (it is being dropped).
pub(super) fn unregister_local(slot: u16) {
    let _ = LOCAL.try_with(|local| local.borrow_mut().retain(|(other, _)| *other != slot));
}

/// The loop in `slot`, if it lives on this thread: the running loop, or
/// one of the others created here.
pub(super) fn local(slot: u16) -> Option<Rc<Core>> {
    if let Some(Some(core)) = with_current(|core| (core.loop_slot() == slot).then(|| core.rc())) {
        return Some(core);
    }
    LOCAL
        .try_with(|local| {
            local
                .borrow()
                .iter()
                .find(|(other, _)| *other == slot)
                .and_then(|(_, core)| core.upgrade())
        })
        .ok()
        .flatten()
}

/// Calls `f` with the running loop's core, or returns `None` when no loop
/// runs on this thread (or the thread is being torn down).
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    let core = CURRENT.try_with(Cell::get).ok()?;
    // SAFETY: a non-null pointer was set by `set` from an `Rc<Core>` that
    // the running loop's `Running` guard keeps alive, and the guard resets
    // it to null before letting that `Rc` go. The guard lives in the frame
    // of `run_until_complete`/`run_forever`, below every caller of this
    // function on this thread, so the core outlives the borrow given to
    // `f`. Only shared references to the core are ever made.
    unsafe { core.as_ref() }.map(f)
}

/// Whether a loop runs on this thread.
pub(crate) fn is_running() -> bool {
    with_current(|_| ()).is_some()
}

/// Makes `core` the running loop (or none). The caller keeps the core
/// alive for as long as it is set.
pub(super) fn set(core: Option<&Rc<Core>>) {
    let pointer = core.map_or(ptr::null(), Rc::as_ptr);
    let _ = CURRENT.try_with(|current| current.set(pointer));
}

/// The error for operations that need a running loop.
pub(crate) const fn no_running_loop() -> Error {
    Error::invalid_state("no running event loop")
}

/// The event loop running on the current thread.
///
/// This is asyncio's `get_running_loop()`: only meaningful from code that
/// the loop runs (a task, a callback); elsewhere there is no running loop,
/// and the result is an error rather than a panic.
///
/// # Errors
///
/// [`Error::InvalidState`] when no loop is running on this thread.
///
/// # Examples
///
/// ```
/// use std::future::poll_fn;
/// use std::task::Poll;
///
/// assert!(asyncio::get_running_loop().is_err());
/// let time = asyncio::run(poll_fn(|_| {
///     let running = asyncio::get_running_loop()?;
///     Poll::Ready(Ok::<_, asyncio::Error>(running.time()))
/// }))?;
/// assert!(time >= 0.0);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn get_running_loop() -> Result<EventLoop> {
    with_current(|core| EventLoop::from_core(core.rc())).ok_or_else(no_running_loop)
}
