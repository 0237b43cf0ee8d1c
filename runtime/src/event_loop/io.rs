//! The I/O driver: a `mio::Poll` and its event buffer.
//!
//! For now only the loop's own wake-up ([`Remote`](super::remote::Remote))
//! is registered. Sockets, pipes and signals will be registered here with
//! tokens drawn from a slab, which never reaches [`WAKER_TOKEN`].

use std::io;
use std::time::Duration;

use mio::{Events, Poll, Token};

/// The token of the loop's cross-thread wake-up.
const WAKER_TOKEN: Token = Token(usize::MAX);

/// How many readiness events one `poll` can return; more wait for the next
/// iteration.
const EVENTS_CAPACITY: usize = 1024;

/// Waits for readiness on the loop's registrations.
#[derive(Debug)]
pub(super) struct Io {
    poll: Poll,
    events: Events,
    /// Sources registered besides the cross-thread waker (sockets, pipes:
    /// the I/O layer counts them). Without any, a poll that must not wait
    /// has nothing to find.
    sources: usize,
}

impl Io {
    /// A poller, with the waker that other threads use to interrupt it.
    pub(super) fn new() -> io::Result<(Io, mio::Waker)> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let io = Io {
            poll,
            events: Events::with_capacity(EVENTS_CAPACITY),
            sources: 0,
        };
        Ok((io, waker))
    }

    /// Waits up to `timeout` (forever for `None`) for readiness.
    ///
    /// Returns whether the cross-thread waker fired. mio rounds a non-zero
    /// timeout up to the poller's resolution, so a timer a few microseconds
    /// away cannot make the loop spin.
    /// Whether any source other than the waker is registered.
    pub(super) fn has_sources(&self) -> bool {
        self.sources > 0
    }

    pub(super) fn poll(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal interrupted the wait: just start the next iteration.
            Err(err) if err.kind() == io::ErrorKind::Interrupted => return Ok(false),
            Err(err) => return Err(err),
        }
        Ok(self.events.iter().any(|event| event.token() == WAKER_TOKEN))
    }
}
