//! [`LoopHandle`]: how other threads reach a loop.

use std::fmt;
use std::sync::Arc;

use super::callbacks::Callback;
use super::current;
use super::remote::{Remote, RemoteMsg};
use crate::error::{Error, Result};

/// A thread-safe handle to an [`EventLoop`](crate::EventLoop): the way other
/// threads schedule work on it (`call_soon_threadsafe`,
/// [`run_coroutine_threadsafe`](crate::run_coroutine_threadsafe)).
///
/// `Send + Sync + Clone`, and it keeps nothing of the loop alive but its
/// mailbox: once the loop is closed or dropped, posting fails.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
///
/// let event_loop = asyncio::EventLoop::new()?;
/// let handle = event_loop.handle();
/// let (tx, rx) = mpsc::channel();
/// let stopper = event_loop.clone();
/// // The loop stops itself once the thread's callback has run.
/// let worker = std::thread::spawn(move || {
///     handle.call_soon_threadsafe(move || tx.send(42).unwrap())
/// });
/// worker.join().unwrap()?;
/// event_loop.run_until_complete(asyncio::sleep(0))??;
/// assert_eq!(rx.try_recv().unwrap(), 42);
/// # drop(stopper);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct LoopHandle {
    slot: u16,
    remote: Arc<Remote>,
}

impl LoopHandle {
    pub(super) fn new(slot: u16, remote: Arc<Remote>) -> Self {
        LoopHandle { slot, remote }
    }

    /// Schedules `f` to run on the loop's thread, in the loop's next
    /// iteration, waking the loop if it is blocked waiting for I/O or a
    /// timer.
    ///
    /// Called on the loop's own thread it is `call_soon`: the callback keeps
    /// its place in FIFO order among the others.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop is closed or gone.
    pub fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) -> Result<()> {
        if let Some(core) = current::local(self.slot) {
            if Arc::ptr_eq(core.remote(), &self.remote) {
                return core.call_soon(Callback::call(f)).map(drop);
            }
        }
        if self.remote.push(RemoteMsg::Call(Box::new(f))) {
            Ok(())
        } else {
            Err(Error::invalid_state("event loop is closed"))
        }
    }

    /// Whether the loop has been closed.
    pub fn is_closed(&self) -> bool {
        self.remote.is_closed()
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopHandle")
            .field("slot", &self.slot)
            .field("closed", &self.is_closed())
            .finish()
    }
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<LoopHandle>();
};
