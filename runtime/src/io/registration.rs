//! A source registered with the running loop, and the one readiness wait
//! every I/O leaf is built on.

use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};
use crate::event_loop::current;
use crate::event_loop::driver::Core;
use crate::event_loop::scheduled_io::{Direction, ScheduledIo};
use crate::util::slab::Key;

/// A source's registration with its loop; deregistered by
/// [`deregister`](Self::deregister) before the descriptor closes.
pub(crate) struct Registration {
    core: Rc<Core>,
    key: Key,
    scheduled: Rc<ScheduledIo>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("ready", &self.scheduled.readiness())
            .finish_non_exhaustive()
    }
}

impl Registration {
    /// Registers `source` with the running loop.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] outside a running loop or on a closed one;
    /// the poller's error otherwise.
    pub(crate) fn new(source: &mut dyn mio::event::Source, fd: RawFd) -> Result<Registration> {
        let core = current::with_current(|core| core.rc()).ok_or_else(current::no_running_loop)?;
        let (key, scheduled) = core.register_io(source, fd)?;
        Ok(Registration {
            core,
            key,
            scheduled,
        })
    }

    /// The source's readiness cache.
    pub(crate) fn scheduled(&self) -> &Rc<ScheduledIo> {
        &self.scheduled
    }

    /// The loop this source belongs to.
    pub(crate) fn core(&self) -> &Rc<Core> {
        &self.core
    }

    /// Runs `op` (a non-blocking system call) once the source is ready in
    /// `direction`: at once if the cache says so, and again after each
    /// event until it does not block. `waiting` remembers the waker left
    /// behind, for [`withdraw`](Self::withdraw).
    ///
    /// The call runs inside the task's poll, never in the loop's event
    /// dispatch, so a leaf dropped or cancelled while waiting has consumed
    /// nothing (tokio's rule).
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        waiting: &mut Option<Waker>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<Result<R>> {
        loop {
            if !self.scheduled.is_ready(direction) {
                self.scheduled.wait(direction, cx.waker());
                *waiting = Some(cx.waker().clone());
                return Poll::Pending;
            }
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    // Drained: wait for the next edge.
                    self.scheduled.clear(direction);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                result => {
                    self.withdraw(direction, waiting);
                    return Poll::Ready(result.map_err(Error::Io));
                }
            }
        }
    }

    /// Withdraws the waker a leaf left waiting (on drop or completion).
    pub(crate) fn withdraw(&self, direction: Direction, waiting: &mut Option<Waker>) {
        if let Some(waker) = waiting.take() {
            self.scheduled.withdraw(direction, &waker);
        }
    }

    /// Removes the registration; call it before the descriptor closes.
    pub(crate) fn deregister(&self, source: &mut dyn mio::event::Source) -> io::Result<()> {
        self.core.deregister_io(self.key, &self.scheduled, source)
    }
}
