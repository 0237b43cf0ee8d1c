//! The state one connection's reader and writer share, which is also the
//! protocol its transport calls (asyncio's `StreamReaderProtocol` and the
//! `StreamReader`'s buffer in one object).
//!
//! Being the protocol itself is what lets the transport receive straight
//! into the reader's buffer ([`BufferedProtocol`]): `get_buffer` lends the
//! free tail of the buffer, with no intermediate copy and no lending of the
//! buffer to another object (which a failed receive could leave stranded).
//!
//! The buffer is a `Vec<u8>` whose bytes are all initialised: the data are
//! `buf[head..tail]`, the rest is free room. Consuming moves `head` (O(1)
//! plus the copy out); room is made by compacting when more than half of
//! the buffer was consumed, else by doubling, so the buffer is zeroed only
//! when it grows.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::task::Waker;

use crate::error::Error;
use crate::event_loop::{EventLoop, ExceptionContext};
use crate::io::{BufferedProtocol, Protocol, Transport};
use crate::sync::Event;
use crate::sync::wait_list::{WaitList, WaitQueue};

use super::reader::StreamReader;
use super::writer::StreamWriter;

/// asyncio's default buffer limit (`_DEFAULT_LIMIT`): 64 KiB.
pub(crate) const DEFAULT_LIMIT: usize = 64 * 1024;
/// Reads taking the whole buffer from this size on take the buffer itself.
const HAND_OVER: usize = 64 * 1024;
/// The room a receive gets at least.
const MIN_ROOM: usize = 16 * 1024;
/// A buffer grows by at least this much.
const GROW: usize = 64 * 1024;

/// What runs for each accepted connection: spawns the client callback.
pub(crate) type OnConnect = Rc<dyn Fn(StreamReader, StreamWriter, &Transport)>;

/// Marks the wait list of `drain` waiters.
pub(crate) enum DrainList {}

pub(crate) struct StreamState {
    /// This state's own `Rc`, for the handles made in `connection_made`.
    pub(super) me: Weak<RefCell<StreamState>>,
    buf: Vec<u8>,
    head: usize,
    tail: usize,
    pub(super) limit: usize,
    pub(super) eof: bool,
    pub(super) exception: Option<Error>,
    pub(super) transport: Option<Transport>,
    /// Reading was paused by this reader (buffer over 2 × limit).
    pub(super) paused: bool,
    /// The one read waiting for data: its ticket and waker.
    pub(super) read_waiter: Option<(u64, Waker)>,
    next_ticket: u64,
    /// Counts consumptions: a `readuntil` that waited starts its search
    /// again from the start when another read consumed meanwhile.
    pub(super) epoch: u64,
    /// `pause_writing` came and `resume_writing` not yet.
    pub(super) write_paused: bool,
    /// `connection_lost` came, with this error if any.
    pub(super) lost: bool,
    pub(super) lost_error: Option<Error>,
    pub(super) drain_waiters: WaitList,
    /// Set at `connection_lost` (`wait_closed`).
    pub(super) closed: Event,
    /// The server's client callback, for accepted connections.
    on_connect: Option<OnConnect>,
}

/// What the user's handles of one connection share: when the last
/// [`StreamReader`] and [`StreamWriter`] of an open connection are gone,
/// the connection closes, reported in debug mode (asyncio's
/// `StreamWriter.__del__`, which runs once nothing refers to the
/// connection any more). The protocol does not hold it, so holding a
/// connection open takes a user handle.
pub(crate) struct Guard {
    transport: Option<Transport>,
    event_loop: Option<EventLoop>,
    /// What else the handles keep alive (a child process's owner, which
    /// ends the child when dropped).
    _owner: Option<Rc<dyn std::any::Any>>,
}

impl Guard {
    /// The guard of a reader fed by hand.
    pub(crate) fn detached() -> Rc<Guard> {
        Rc::new(Guard {
            transport: None,
            event_loop: None,
            _owner: None,
        })
    }

    /// The guard of pipe handles that keep `owner` alive (a child
    /// process's pipes: the process closes them).
    pub(crate) fn owned(owner: Rc<dyn std::any::Any>) -> Rc<Guard> {
        Rc::new(Guard {
            transport: None,
            event_loop: None,
            _owner: Some(owner),
        })
    }

    /// The guard of a connection over `transport`.
    pub(crate) fn connected(transport: Transport) -> Rc<Guard> {
        Rc::new(Guard {
            transport: Some(transport),
            event_loop: crate::get_running_loop().ok(),
            _owner: None,
        })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(transport) = &self.transport else {
            return;
        };
        if transport.is_closing() {
            return;
        }
        if let Some(lp) = &self.event_loop {
            if lp.get_debug() && !lp.is_closed() && !std::thread::panicking() {
                lp.call_exception_handler(ExceptionContext::new(format!(
                    "unclosed StreamWriter <fd={}>",
                    transport.socket().fd()
                )));
            }
        }
        transport.close();
    }
}

impl WaitQueue<DrainList> for StreamState {
    fn list(&mut self) -> &mut WaitList {
        &mut self.drain_waiters
    }
}

impl StreamState {
    /// A state with `limit`, for a connection whose protocol the I/O layer
    /// wraps itself (no client callback, so no need of its own `Rc`).
    pub(crate) fn new(limit: usize) -> Self {
        StreamState::build(Weak::new(), limit, None)
    }

    /// A shared state with `limit`, calling `on_connect` once connected.
    pub(crate) fn new_shared(limit: usize, on_connect: Option<OnConnect>) -> Rc<RefCell<Self>> {
        Rc::new_cyclic(|me| RefCell::new(StreamState::build(me.clone(), limit, on_connect)))
    }

    fn build(me: Weak<RefCell<StreamState>>, limit: usize, on_connect: Option<OnConnect>) -> Self {
        StreamState {
            me,
            buf: Vec::new(),
            head: 0,
            tail: 0,
            limit,
            eof: false,
            exception: None,
            transport: None,
            paused: false,
            read_waiter: None,
            next_ticket: 0,
            epoch: 0,
            write_paused: false,
            lost: false,
            lost_error: None,
            drain_waiters: WaitList::default(),
            closed: Event::new(),
            on_connect,
        }
    }

    /// The buffered bytes.
    #[inline]
    pub(super) fn data(&self) -> &[u8] {
        &self.buf[self.head..self.tail]
    }

    /// How many bytes are buffered.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.tail - self.head
    }

    /// Takes the first `n` buffered bytes out.
    pub(super) fn consume(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.len());
        if n == self.len() && n >= HAND_OVER {
            // All of a large buffer (`read_to_end`): hand the vector over
            // rather than copy it into a new one.
            let mut out = std::mem::take(&mut self.buf);
            out.truncate(self.tail);
            out.drain(..self.head);
            self.head = 0;
            self.tail = 0;
            self.epoch += 1;
            return out;
        }
        let out = self.buf[self.head..self.head + n].to_vec();
        self.discard(n);
        out
    }

    /// Drops the first `n` buffered bytes.
    pub(super) fn discard(&mut self, n: usize) {
        let n = n.min(self.len());
        self.head += n;
        self.epoch += 1;
        if self.head == self.tail {
            self.head = 0;
            self.tail = 0;
            // A burst (a long read_to_end) should not pin its memory.
            let keep = (4 * self.limit).max(4 * GROW);
            if self.buf.len() > keep {
                self.buf.truncate(keep);
                self.buf.shrink_to_fit();
            }
        }
    }

    /// Makes at least `want` bytes of room after the data: compacting when
    /// the consumed bytes are at least as many as the data (so a compaction
    /// is paid for by what it frees), else growing by doubling.
    fn make_room(&mut self, want: usize) {
        if self.buf.len() - self.tail >= want {
            return;
        }
        let len = self.len();
        if self.head > 0 && self.head >= len {
            self.buf.copy_within(self.head..self.tail, 0);
            self.head = 0;
            self.tail = len;
            if self.buf.len() - self.tail >= want {
                return;
            }
        }
        let size = (2 * self.buf.len()).max(self.tail + want.max(GROW));
        self.buf.resize(size, 0);
    }

    /// Adds bytes at the end (asyncio's `feed_data`); data after EOF is
    /// ignored.
    pub(super) fn feed(&mut self, data: &[u8]) {
        if data.is_empty() || self.eof {
            return;
        }
        self.make_room(data.len());
        self.buf[self.tail..self.tail + data.len()].copy_from_slice(data);
        self.tail += data.len();
        self.received();
    }

    /// New bytes are in: wake the read, and pause the transport above
    /// 2 × limit, unless a read waits: a read waits only for more than the
    /// buffer holds (`read_to_end`, a long `readexactly`), and pausing
    /// would make it wait for its own resume.
    fn received(&mut self) {
        self.wake_reader();
        if !self.paused && self.read_waiter.is_none() && self.len() > 2 * self.limit {
            if let Some(transport) = &self.transport {
                transport.pause_reading();
                self.paused = true;
            }
        }
    }

    /// Marks the end of the stream (asyncio's `feed_eof`).
    pub(super) fn feed_eof(&mut self) {
        self.eof = true;
        self.wake_reader();
    }

    /// Fails every read from now on with `err`.
    pub(super) fn set_exception(&mut self, err: Error) {
        self.exception = Some(err);
        self.wake_reader();
    }

    fn wake_reader(&self) {
        if let Some((_, waker)) = &self.read_waiter {
            waker.wake_by_ref();
        }
    }

    /// Resumes the transport once the buffer is back to the limit.
    pub(super) fn maybe_resume(&mut self) {
        if self.paused && self.len() <= self.limit {
            self.resume();
        }
    }

    /// Resumes the transport if this reader paused it.
    pub(super) fn resume(&mut self) {
        if std::mem::replace(&mut self.paused, false) {
            if let Some(transport) = &self.transport {
                transport.resume_reading();
            }
        }
    }

    /// A new ticket for a waiting read.
    pub(super) fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }
}

impl Protocol for StreamState {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
        if let (Some(on_connect), Some(me)) = (self.on_connect.take(), self.me.upgrade()) {
            let reader = StreamReader::connected(me, transport.clone());
            let writer = StreamWriter::new(transport.clone(), &reader);
            // Only spawns: the callback's body runs in its task, when this
            // state is no longer borrowed.
            on_connect(reader, writer, transport);
        }
    }

    fn data_received(&mut self, data: &[u8]) {
        self.feed(data);
    }

    /// EOF from the peer: the reader ends, and the connection stays open
    /// for writing (asyncio's `StreamReaderProtocol.eof_received`).
    fn eof_received(&mut self) -> bool {
        self.feed_eof();
        true
    }

    fn connection_lost(&mut self, exc: Option<Error>) {
        match &exc {
            None => self.feed_eof(),
            Some(err) => self.set_exception(err.duplicate()),
        }
        self.lost = true;
        self.lost_error = exc;
        self.paused = false;
        self.drain_waiters.notify_all();
        self.closed.set();
    }

    fn pause_writing(&mut self) {
        self.write_paused = true;
    }

    fn resume_writing(&mut self) {
        self.write_paused = false;
        self.drain_waiters.notify_all();
    }

    fn as_buffered(&mut self) -> Option<&mut dyn BufferedProtocol> {
        Some(self)
    }
}

impl BufferedProtocol for StreamState {
    fn get_buffer(&mut self, size_hint: usize) -> &mut [u8] {
        self.make_room(MIN_ROOM);
        let end = self.buf.len().min(self.tail + size_hint.max(MIN_ROOM));
        &mut self.buf[self.tail..end]
    }

    fn buffer_updated(&mut self, nbytes: usize) {
        if self.eof {
            return; // as `feed_data`: nothing is kept after EOF
        }
        self.tail += nbytes;
        self.received();
    }
}
