//! A source registered with the running loop, and the one readiness wait
//! every I/O leaf is built on.

use std::io;
use std::os::fd::RawFd;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};
use crate::event_loop::current;
use crate::event_loop::driver::Core;
use crate::event_loop::scheduled_io::{Direction, ScheduledIo};
use crate::task::waiter::{WaitSide, Waiter};
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

    /// Registers `source` with the loop of `core`, running or not.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] on a closed loop; the poller's error
    /// otherwise.
    pub(crate) fn for_loop(
        core: Rc<Core>,
        source: &mut dyn mio::event::Source,
        fd: RawFd,
    ) -> Result<Registration> {
        let (key, scheduled) = core.register_io(source, fd)?;
        Ok(Registration {
            core,
            key,
            scheduled,
        })
    }

    /// Runs `handler` on `target` (while it lives) once per readiness
    /// event in `direction`, as a loop callback: how transports and servers
    /// are driven. The handler drains the source with [`try_io`](Self::try_io).
    pub(crate) fn set_handler<T: 'static>(
        &self,
        direction: Direction,
        target: Weak<T>,
        handler: impl Fn(&T) + 'static,
    ) {
        self.scheduled.set_callback(
            direction,
            Some(Rc::new(move || {
                if let Some(target) = target.upgrade() {
                    handler(&target);
                }
            })),
        );
    }

    /// [`set_handler`](Self::set_handler) with a handler that owns
    /// `target`: the loop keeps it alive while the handler is set (as
    /// asyncio's loop keeps a transport or a serving server alive through
    /// its selector callbacks). [`clear_handler`](Self::clear_handler) or
    /// deregistering releases it; the loop closing releases it too, and
    /// calls [`Abandon::abandon`] first.
    pub(crate) fn set_owning_handler<T: Abandon + 'static>(
        &self,
        direction: Direction,
        target: Rc<T>,
        handler: impl Fn(&T) + 'static,
    ) {
        let owned = Owned(target);
        self.scheduled
            .set_callback(direction, Some(Rc::new(move || handler(&owned.0))));
    }

    /// Removes `direction`'s handler.
    pub(crate) fn clear_handler(&self, direction: Direction) {
        self.scheduled.set_callback(direction, None);
    }

    /// Whether `direction` has a handler.
    pub(crate) fn has_handler(&self, direction: Direction) -> bool {
        self.scheduled.callback(direction).is_some()
    }

    /// Queues a run of `direction`'s handler if the cache says the source
    /// may be ready: when no event would come (reading resumed, data
    /// buffered on a writable socket, work bounded per turn).
    pub(crate) fn handle_if_ready(&self, direction: Direction) {
        if self.scheduled.is_ready(direction) {
            self.core.schedule_io_handler(&self.scheduled, direction);
        }
    }

    /// Forgets `direction`'s readiness without the system call that would
    /// say `WouldBlock` (a short read proved the socket drained).
    pub(crate) fn drained(&self, direction: Direction) {
        self.scheduled.clear(direction);
    }

    /// Forgets a datagram socket's error (and closed) readiness once its
    /// system call consumed the error or would block: a transient error
    /// must not make both directions look ready forever (an operation
    /// retried until `WouldBlock` would spin).
    pub(crate) fn clear_transient_error(&self) {
        self.scheduled.clear_transient();
    }

    /// The loop this source belongs to.
    pub(crate) fn core(&self) -> &Rc<Core> {
        &self.core
    }

    /// Runs `op` (a non-blocking system call) if the source may be ready in
    /// `direction`, retrying on `EINTR`: `None` if the cache says it is not
    /// ready, or if `op` would block (the cache then forgets the
    /// readiness, and the next event brings it back). The one place that
    /// turns `WouldBlock` into a cleared bit: leaves wait with
    /// [`poll_io`](Self::poll_io), transports and servers call it from their
    /// readiness handlers.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Option<io::Result<R>> {
        while self.scheduled.is_ready(direction) {
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.scheduled.clear(direction);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                result => return Some(result),
            }
        }
        None
    }

    /// Runs `op` once the source is ready in `direction` ([`try_io`]
    /// until it does not block, waiting for the next event in between).
    /// `waiting` remembers the waker left behind, for
    /// [`withdraw`](Self::withdraw).
    ///
    /// The call runs inside the task's poll, never in the loop's event
    /// dispatch, so a leaf dropped or cancelled while waiting has consumed
    /// nothing (tokio's rule).
    ///
    /// [`try_io`]: Self::try_io
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        waiting: &mut Option<Waker>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<Result<R>> {
        match self.try_io(direction, op) {
            Some(result) => {
                self.withdraw(direction, waiting);
                Poll::Ready(result.map_err(Error::Io))
            }
            None => {
                self.scheduled.wait(direction, cx.waker());
                *waiting = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    /// Withdraws the waker a leaf left waiting (on completion).
    fn withdraw(&self, direction: Direction, waiting: &mut Option<Waker>) {
        if let Some(waker) = waiting.take() {
            self.scheduled.withdraw(direction, &waker);
        }
    }

    /// Removes the registration; call it before the descriptor closes.
    pub(crate) fn deregister(&self, source: &mut dyn mio::event::Source) -> io::Result<()> {
        self.core.deregister_io(self.key, &self.scheduled, source)
    }
}

/// A source registered with its loop: what an I/O leaf waits on.
pub(crate) trait Registered {
    fn registration(&self) -> &Registration;
}

/// The [`WaitSide`] of an I/O leaf: `source`'s readiness in `direction`.
/// The ticket is the waker the leaf left on the source.
pub(crate) struct Readiness<S> {
    source: S,
    direction: Direction,
}

impl<S: Registered> WaitSide for Readiness<S> {
    type Ticket = Waker;

    fn withdraw(&self, waker: Waker) {
        let registration = self.source.registration();
        registration.scheduled.withdraw(self.direction, &waker);
    }
}

/// An I/O leaf's wait for readiness: its waker is withdrawn from the
/// source when it is cancelled, dropped or done.
pub(crate) type IoWaiter<S> = Waiter<Readiness<S>>;

impl<S: Registered> Waiter<Readiness<S>> {
    /// A wait for `source`'s readiness in `direction`.
    pub(crate) fn readiness(source: S, direction: Direction) -> Self {
        Waiter::new(Readiness { source, direction })
    }

    /// The source waited on.
    pub(crate) fn source(&self) -> &S {
        &self.side().source
    }

    /// The direction waited for.
    pub(crate) fn direction(&self) -> Direction {
        self.side().direction
    }

    /// One poll of an I/O leaf: delivers the task's pending cancellation
    /// (having consumed nothing), then runs `op` on the source once it is
    /// ready ([`Registration::poll_io`]).
    pub(crate) fn poll_io<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<Result<R>> {
        if let Some(err) = self.cancelled_on(|side| side.source.registration().core()) {
            return Poll::Ready(Err(err));
        }
        let (side, waiting) = self.parts();
        let source = &side.source;
        source
            .registration()
            .poll_io(side.direction, cx, waiting, || op(source))
    }
}

/// What an owning handler's target does when the handler is dropped: a
/// no-op after it ended normally; when the loop closes with it still open,
/// it lets go of what it holds (its socket, its protocol, which may hold
/// it back).
pub(crate) trait Abandon {
    fn abandon(&self);
}

/// The target of an owning handler, abandoned when the handler is dropped.
struct Owned<T: Abandon>(Rc<T>);

impl<T: Abandon> Drop for Owned<T> {
    fn drop(&mut self) {
        self.0.abandon();
    }
}
