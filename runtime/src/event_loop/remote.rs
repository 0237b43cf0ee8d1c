//! The loop's mailbox for other threads.
//!
//! Everything else in the loop is single-threaded. A [`Waker`] may be sent
//! anywhere, though, and later `call_soon_threadsafe` and the executor need
//! to reach the loop too. They all go through [`Remote`]: a mutex-protected
//! queue plus a [`mio::Waker`] that interrupts the loop's `poll`.
//!
//! The mutex is only taken when there is mail: a flag set by the first
//! message after a drain tells the loop to look, and only that first message
//! pays for the `mio` wake-up (a system call), however many follow before
//! the loop drains the queue.
//!
//! [`Waker`]: std::task::Waker

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A message for the loop from any thread.
pub(crate) enum RemoteMsg {
    /// Schedule this task, named by its packed id (a `Waker` used off the
    /// loop's thread).
    Wake(u64),
    /// Run this callback in the loop (`call_soon_threadsafe`).
    Call(Box<dyn FnOnce() + Send>),
}

/// Every live loop's mailbox, by slot: how a task's waker, which carries
/// only a slot number, finds its loop from another thread.
static REGISTRY: Mutex<Vec<Option<Arc<Remote>>>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<Option<Arc<Remote>>>> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers a loop's mailbox and returns its slot.
///
/// # Errors
///
/// When 65,536 loops are alive at once.
pub(super) fn register(remote: Arc<Remote>) -> io::Result<u16> {
    let mut slots = registry();
    let index = match slots.iter().position(Option::is_none) {
        Some(index) => index,
        None => {
            slots.push(None);
            slots.len() - 1
        }
    };
    let slot =
        u16::try_from(index).map_err(|_| io::Error::other("too many event loops alive at once"))?;
    slots[index] = Some(remote);
    Ok(slot)
}

/// Frees a loop's slot.
pub(super) fn unregister(slot: u16) {
    let removed = registry().get_mut(usize::from(slot)).and_then(Option::take);
    drop(removed);
}

/// The mailbox of the loop in `slot`, if it is alive.
pub(super) fn lookup(slot: u16) -> Option<Arc<Remote>> {
    registry().get(usize::from(slot)).cloned().flatten()
}

#[derive(Default)]
struct Inbox {
    messages: VecDeque<RemoteMsg>,
    /// The loop is closed: messages are dropped instead of piling up.
    closed: bool,
}

/// The part of a loop that other threads may touch.
pub(crate) struct Remote {
    inbox: Mutex<Inbox>,
    /// There are messages the loop has not drained yet. Written only with
    /// `inbox` locked; read without it as a hint.
    pending: AtomicBool,
    waker: mio::Waker,
}

impl Remote {
    pub(super) fn new(waker: mio::Waker) -> Self {
        Remote {
            inbox: Mutex::new(Inbox::default()),
            pending: AtomicBool::new(false),
            waker,
        }
    }

    /// Posts `msg` and makes sure the loop will see it. Returns `false`
    /// (dropping `msg`) if the loop is closed.
    pub(crate) fn push(&self, msg: RemoteMsg) -> bool {
        let mut inbox = self.lock();
        if inbox.closed {
            return false;
        }
        inbox.messages.push_back(msg);
        let first = !self.pending.swap(true, Ordering::Release);
        drop(inbox);
        if first {
            // Failing to write to the eventfd/pipe means the descriptor is
            // gone, which only happens once the loop itself is gone; there
            // is nobody left to deliver to.
            let _ = self.waker.wake();
        }
        true
    }

    /// Whether the loop has been closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Whether there may be messages to drain.
    pub(super) fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Moves every message into `out`, oldest first.
    pub(super) fn drain_into(&self, out: &mut VecDeque<RemoteMsg>) {
        let mut inbox = self.lock();
        self.pending.store(false, Ordering::Relaxed);
        out.append(&mut inbox.messages);
    }

    /// Refuses further messages and drops those not yet drained.
    pub(super) fn close(&self) {
        let mut inbox = self.lock();
        inbox.closed = true;
        let dropped = std::mem::take(&mut inbox.messages);
        self.pending.store(false, Ordering::Relaxed);
        drop(inbox);
        // Callbacks may own anything; drop them with the lock released.
        drop(dropped);
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        // Nothing panics while holding the lock except an allocation
        // failure; the queue is consistent either way.
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
