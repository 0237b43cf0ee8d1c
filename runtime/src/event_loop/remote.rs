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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::tasks::TaskId;

/// A message for the loop from any thread.
#[derive(Debug)]
pub(super) enum RemoteMsg {
    /// Schedule this task (a `Waker` used off the loop's thread).
    Wake(TaskId),
}

#[derive(Debug, Default)]
struct Inbox {
    messages: VecDeque<RemoteMsg>,
    /// The loop is closed: messages are dropped instead of piling up.
    closed: bool,
}

/// The part of a loop that other threads may touch.
#[derive(Debug)]
pub(crate) struct Remote {
    loop_id: u64,
    inbox: Mutex<Inbox>,
    /// There are messages the loop has not drained yet. Written only with
    /// `inbox` locked; read without it as a hint.
    pending: AtomicBool,
    waker: mio::Waker,
}

impl Remote {
    pub(super) fn new(loop_id: u64, waker: mio::Waker) -> Self {
        Remote {
            loop_id,
            inbox: Mutex::new(Inbox::default()),
            pending: AtomicBool::new(false),
            waker,
        }
    }

    /// The id of the loop this mailbox belongs to.
    pub(super) fn loop_id(&self) -> u64 {
        self.loop_id
    }

    /// Posts `msg` and makes sure the loop will see it.
    pub(super) fn push(&self, msg: RemoteMsg) {
        let mut inbox = self.lock();
        if inbox.closed {
            return;
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
        inbox.messages.clear();
        self.pending.store(false, Ordering::Relaxed);
    }

    fn lock(&self) -> MutexGuard<'_, Inbox> {
        // Nothing panics while holding the lock except an allocation
        // failure; the queue is consistent either way.
        self.inbox.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
