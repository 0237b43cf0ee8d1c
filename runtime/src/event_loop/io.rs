//! The I/O driver: a `mio::Poll`, its event buffer, and the table of
//! registered sources.
//!
//! Each source (a socket, a pipe, an fd watched with `add_reader`) is
//! registered once, for reading and writing, with a token naming its entry
//! in a generational slab; a stale event for a source removed meanwhile
//! finds no entry (or a newer generation) and is dropped. The loop's own
//! wake-up ([`Remote`](super::remote::Remote)) has the token
//! [`WAKER_TOKEN`], which no slab key reaches.
//!
//! Polling only records readiness: [`Io::poll`] collects the sources that
//! got events, and the loop dispatches them afterwards, with no borrow of
//! the driver held (see [`ScheduledIo`]).

use std::collections::HashMap;
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Poll, Token};

use super::scheduled_io::{ScheduledIo, ready};
use crate::util::slab::{Key, Slab};

/// The token of the loop's cross-thread wake-up.
const WAKER_TOKEN: Token = Token(usize::MAX);

/// How many readiness events one `poll` can return; more wait for the next
/// iteration.
const EVENTS_CAPACITY: usize = 1024;

/// Who registered an fd: `add_reader`/`add_writer`, or a socket or
/// transport of the runtime, which the watchers must not touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FdOwner {
    Watchers,
    Runtime,
}

struct Entry {
    io: Rc<ScheduledIo>,
    fd: RawFd,
    owner: FdOwner,
}

/// Waits for readiness on the loop's registrations.
pub(super) struct Io {
    poll: Poll,
    events: Events,
    sources: Slab<Entry>,
    /// The entry of each registered fd.
    fds: HashMap<RawFd, Key>,
    /// Sources that got events in the last poll, with the bits.
    pending: Vec<(Rc<ScheduledIo>, RawFd, u8)>,
}

impl std::fmt::Debug for Io {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("sources", &self.sources.len())
            .finish_non_exhaustive()
    }
}

impl Io {
    /// A poller, with the waker that other threads use to interrupt it.
    pub(super) fn new() -> io::Result<(Io, mio::Waker)> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let io = Io {
            poll,
            events: Events::with_capacity(EVENTS_CAPACITY),
            sources: Slab::default(),
            fds: HashMap::new(),
            pending: Vec::new(),
        };
        Ok((io, waker))
    }

    /// Whether any source other than the waker is registered.
    pub(super) fn has_sources(&self) -> bool {
        self.sources.len() > 0
    }

    /// Registers `source` (whose descriptor is `fd`) for reading and
    /// writing.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` if `fd` is registered already; the poller's error
    /// otherwise (an invalid fd is `EBADF`, a regular file `EPERM`).
    pub(super) fn register(
        &mut self,
        source: &mut dyn Source,
        fd: RawFd,
        owner: FdOwner,
    ) -> io::Result<(Key, Rc<ScheduledIo>)> {
        if let Some(&key) = self.fds.get(&fd) {
            let by = match self.sources.get(key).map(|entry| entry.owner) {
                Some(FdOwner::Runtime) => "a transport or socket of this loop",
                _ => "add_reader/add_writer",
            };
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("file descriptor {fd} is used by {by}"),
            ));
        }
        let io = Rc::new(ScheduledIo::new(owner == FdOwner::Watchers));
        let key = self.sources.vacant_key();
        self.poll.registry().register(
            source,
            Token(key.pack() as usize),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let inserted = self.sources.insert(Entry {
            io: io.clone(),
            fd,
            owner,
        });
        debug_assert_eq!(inserted, key);
        self.fds.insert(fd, key);
        Ok((key, io))
    }

    /// Removes a registration made by [`register`](Self::register). Call it
    /// before the descriptor is closed: a closed fd cannot be deregistered,
    /// and its number may already name another file.
    pub(super) fn deregister(&mut self, key: Key, source: &mut dyn Source) -> io::Result<()> {
        let Some(entry) = self.sources.remove(key) else {
            return Ok(());
        };
        self.fds.remove(&entry.fd);
        self.poll.registry().deregister(source)
    }

    /// The registration of `fd`, if any.
    pub(super) fn lookup(&self, fd: RawFd) -> Option<(Key, Rc<ScheduledIo>, FdOwner)> {
        let key = *self.fds.get(&fd)?;
        let entry = self.sources.get(key)?;
        Some((key, entry.io.clone(), entry.owner))
    }

    /// Takes every registration (the loop is closing).
    pub(super) fn take_all(&mut self) -> Vec<Rc<ScheduledIo>> {
        self.fds.clear();
        self.sources
            .drain()
            .into_iter()
            .map(|entry| entry.io)
            .collect()
    }

    /// Waits up to `timeout` (forever for `None`) for readiness.
    ///
    /// Returns whether the cross-thread waker fired. The sources that got
    /// events wait in [`take_pending`](Self::take_pending). mio rounds a
    /// non-zero timeout up to the poller's resolution, so a timer a few
    /// microseconds away cannot make the loop spin.
    pub(super) fn poll(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal interrupted the wait: just start the next iteration.
            Err(err) if err.kind() == io::ErrorKind::Interrupted => return Ok(false),
            Err(err) => return Err(err),
        }
        let mut woken = false;
        for event in &self.events {
            if event.token() == WAKER_TOKEN {
                woken = true;
                continue;
            }
            let mut bits = 0;
            for (is, bit) in [
                (event.is_readable(), ready::READABLE),
                (event.is_writable(), ready::WRITABLE),
                (event.is_read_closed(), ready::READ_CLOSED),
                (event.is_write_closed(), ready::WRITE_CLOSED),
                (event.is_error(), ready::ERROR),
            ] {
                if is {
                    bits |= bit;
                }
            }
            if let Some((_, entry)) = self.sources.get_packed_mut(event.token().0 as u64) {
                self.pending.push((entry.io.clone(), entry.fd, bits));
            }
        }
        Ok(woken)
    }

    /// The sources that got events in the last poll (the vector is handed
    /// back with [`restore_pending`](Self::restore_pending) to keep its
    /// allocation).
    pub(super) fn take_pending(&mut self) -> Vec<(Rc<ScheduledIo>, RawFd, u8)> {
        std::mem::take(&mut self.pending)
    }

    pub(super) fn restore_pending(&mut self, mut pending: Vec<(Rc<ScheduledIo>, RawFd, u8)>) {
        pending.clear();
        if self.pending.is_empty() {
            self.pending = pending;
        }
    }
}
