//! The loop's side of I/O: registering sources with the poller,
//! dispatching the events of a poll to the tasks and watcher callbacks
//! that wait on them, and `add_reader`/`add_writer` watchers.

use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::task::Waker;

use super::callbacks::Callback;
use super::driver::Core;
use super::io::FdOwner;
use super::scheduled_io::{Direction, ScheduledIo};
use crate::error::{Error, Result};
use crate::util::slab::Key;

impl Core {
    /// Registers `source` (descriptor `fd`) with the poller, for reading
    /// and writing; its readiness is then cached in the returned
    /// [`ScheduledIo`], under the returned key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] on a closed loop; the poller's error (an
    /// fd registered already, an invalid fd, a regular file).
    pub(crate) fn register_io(
        &self,
        source: &mut dyn mio::event::Source,
        fd: RawFd,
    ) -> Result<(Key, Rc<ScheduledIo>)> {
        self.check_open()?;
        Ok(self
            .io
            .borrow_mut()
            .register(source, fd, FdOwner::Runtime)?)
    }

    /// Removes a registration; call it before closing the descriptor.
    /// Tasks still waiting on it are woken (and find it gone).
    pub(crate) fn deregister_io(
        &self,
        key: Key,
        scheduled: &ScheduledIo,
        source: &mut dyn mio::event::Source,
    ) -> io::Result<()> {
        let result = self.io.borrow_mut().deregister(key, source);
        let mut wake = Vec::new();
        scheduled.release(&mut wake);
        self.wake_all(wake);
        result
    }

    /// Runs `callback` whenever `fd` is ready in `direction`
    /// (`add_reader`/`add_writer`), replacing a callback set before.
    pub(super) fn add_watcher(
        &self,
        fd: RawFd,
        direction: Direction,
        callback: Rc<dyn Fn()>,
    ) -> Result<()> {
        self.check_open()?;
        let found = self.io.borrow().lookup(fd);
        let scheduled = match found {
            Some((_, scheduled, FdOwner::Watchers)) => scheduled,
            Some((_, _, FdOwner::Runtime)) => return Err(fd_in_use(fd)),
            None => {
                let mut source = mio::unix::SourceFd(&fd);
                let registered = self
                    .io
                    .borrow_mut()
                    .register(&mut source, fd, FdOwner::Watchers);
                registered.map_err(|err| watch_error(fd, err))?.1
            }
        };
        scheduled.set_callback(direction, Some(callback));
        // Whether the fd is ready now is checked when the callback is due:
        // for a new registration the poller reports it at once anyway.
        self.schedule_watcher(scheduled, fd, direction);
        Ok(())
    }

    /// Stops watching `fd` in `direction`; returns whether it was watched.
    pub(super) fn remove_watcher(&self, fd: RawFd, direction: Direction) -> Result<bool> {
        let found = self.io.borrow().lookup(fd);
        let Some((key, scheduled, owner)) = found else {
            return Ok(false);
        };
        if owner == FdOwner::Runtime {
            return Err(fd_in_use(fd));
        }
        let removed = scheduled.set_callback(direction, None);
        let other = match direction {
            Direction::Read => Direction::Write,
            Direction::Write => Direction::Read,
        };
        if scheduled.callback(other).is_none() {
            let mut source = mio::unix::SourceFd(&fd);
            // The fd may have been closed already (a misuse asyncio also
            // tolerates): the registration is forgotten either way.
            let _ = self.io.borrow_mut().deregister(key, &mut source);
        }
        Ok(removed)
    }

    /// Queues a run of a runtime source's `direction` handler (set with
    /// [`ScheduledIo::set_callback`]), unless one is queued: a transport
    /// asks for one when readiness is already cached (resuming reading),
    /// or when it stopped before `WouldBlock` to bound its work per turn.
    pub(crate) fn schedule_io_handler(&self, scheduled: &Rc<ScheduledIo>, direction: Direction) {
        self.schedule_watcher(scheduled.clone(), -1, direction);
    }

    /// Queues a run of `fd`'s watcher callback, unless one is queued.
    fn schedule_watcher(&self, scheduled: Rc<ScheduledIo>, fd: RawFd, direction: Direction) {
        if !scheduled.mark_watcher_queued(direction) {
            return;
        }
        let core = self.me.clone();
        self.push_callback(Callback::call(move || {
            if let Some(core) = core.upgrade() {
                core.run_watcher(&scheduled, fd, direction);
            }
        }));
    }

    /// Runs a watcher callback if its fd is still ready (asyncio's
    /// callbacks are level-triggered: one that reads 1 byte of 10 is called
    /// again without a new event), then queues the next check.
    fn run_watcher(&self, scheduled: &Rc<ScheduledIo>, fd: RawFd, direction: Direction) {
        scheduled.unmark_watcher_queued(direction);
        let Some(callback) = scheduled.callback(direction) else {
            return;
        };
        if !scheduled.is_level() {
            // A transport's handler: it drains and clears readiness itself.
            callback();
            return;
        }
        if !fd_ready(fd, direction) {
            // Wait for the next edge: the poller reports it.
            scheduled.clear(direction);
            return;
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback()));
        drop(callback);
        if scheduled.callback(direction).is_some() {
            self.schedule_watcher(scheduled.clone(), fd, direction);
        }
        if let Err(payload) = outcome {
            // Reported by the loop as the callback's exception.
            std::panic::resume_unwind(payload);
        }
    }

    /// Records the last poll's events and wakes their waiters.
    pub(super) fn dispatch_io(&self) {
        let pending = self.io.borrow_mut().take_pending();
        if pending.is_empty() {
            self.io.borrow_mut().restore_pending(pending);
            return;
        }
        let mut wake = Vec::new();
        for (scheduled, fd, bits) in &pending {
            let due = scheduled.dispatch(*bits, &mut wake);
            for (due, direction) in due.into_iter().zip([Direction::Read, Direction::Write]) {
                if due {
                    self.schedule_watcher(scheduled.clone(), *fd, direction);
                }
            }
        }
        self.io.borrow_mut().restore_pending(pending);
        self.wake_all(wake);
    }

    pub(super) fn wake_all(&self, wakers: Vec<Waker>) {
        for waker in &wakers {
            self.wake(waker);
        }
    }
}

/// asyncio's `RuntimeError` for `add_reader` on an fd a transport owns.
fn fd_in_use(fd: RawFd) -> Error {
    Error::InvalidState(format!("file descriptor {fd} is used by a transport or socket").into())
}

/// An fd that cannot be watched: asyncio raises `ValueError` for an
/// invalid one (`Invalid file descriptor`), `OSError` otherwise.
fn watch_error(fd: RawFd, err: io::Error) -> Error {
    match err.raw_os_error() {
        Some(libc::EBADF) => Error::Value(format!("invalid file descriptor: {fd}").into()),
        _ => Error::Io(err),
    }
}

/// Whether `fd` is ready in `direction` now (`poll(2)`, no waiting). An
/// error or hang-up counts as ready: the callback's own call reports it.
fn fd_ready(fd: RawFd, direction: Direction) -> bool {
    let events = match direction {
        Direction::Read => libc::POLLIN,
        Direction::Write => libc::POLLOUT,
    };
    poll_now(fd, events) & (events | libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0
}

/// The `revents` of `poll(2)` on `fd` for `events`, without waiting (0 if
/// the call fails). `POLLERR`, `POLLHUP` and `POLLNVAL` are reported even
/// when `events` is 0.
pub(crate) fn poll_now(fd: RawFd, events: libc::c_short) -> libc::c_short {
    let mut pollfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: `pollfd` is a valid, exclusively borrowed array of one
    // element for the duration of the call.
    let n = unsafe { libc::poll(&mut pollfd, 1, 0) };
    if n > 0 { pollfd.revents } else { 0 }
}
