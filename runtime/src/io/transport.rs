//! [`Transport`]: a stream socket driven by readiness events, calling a
//! [`Protocol`] (asyncio's `_SelectorSocketTransport`).
//!
//! The socket's readiness handlers run as loop callbacks, one per event:
//! the read handler receives into one loop-wide 256 KiB buffer until the
//! socket would block, handing each chunk to `data_received`, and re-queues
//! itself after 256 KiB so that one busy peer cannot hold the loop (under
//! edge-triggered polling, stopping early without re-queueing would lose
//! the rest: no new event comes for data already there). `write` sends at
//! once when nothing is buffered and buffers only the rest; the write
//! handler, set only while the buffer is non-empty, flushes it with one
//! gathered send per event.
//!
//! The read handler owns the transport until `connection_lost` (as
//! asyncio's loop holds a transport through its selector callback), so a
//! connection lives on when every handle to it is dropped, and ends only by
//! `close`, `abort`, the peer, an error, or the loop closing (which drops
//! it without `connection_lost`). The protocol is released after
//! `connection_lost`, which breaks the transport-protocol cycle.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::rc::{Rc, Weak};

use super::flow::FlowControl;
use super::protocol::{Protocol, call_or_defer, hand_over};
use super::registration::{Abandon, Registration};
use super::socket::Socket;
use crate::error::{Error, Result};
use crate::event_loop::io_events::poll_now;
use crate::event_loop::scheduled_io::Direction;
use crate::sync::Event;

/// Most bytes one read handler takes before it re-queues itself.
pub(super) const MAX_READ_PER_TURN: usize = 256 * 1024;
/// At most this many buffers in one gathered send.
const MAX_IOVECS: usize = 64;
/// The buffers of one gathered send, on the stack in the common case
/// (a `write` is one buffer).
type IoSlices<'a> = smallvec::SmallVec<[IoSlice<'a>; 8]>;
/// Buffered writes smaller than this are copied into the last chunk.
const COALESCE: usize = 16 * 1024;

thread_local! {
    /// The loop-wide receive buffer (uvloop's), taken while in use.
    pub(super) static READ_BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

struct WriteState {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes of the front chunk already sent.
    head: usize,
    flow: FlowControl,
    /// `write_eof` was called: shut down writing once flushed.
    eof: bool,
    eof_done: bool,
    /// Writes made after the connection was lost (dropped).
    after_lost: usize,
}

/// What a transport carries: a stream socket, or one end of a pipe.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Flavor {
    Stream,
    /// `connect_read_pipe`: reads only; EOF ends the transport.
    ReadPipe,
    /// `connect_write_pipe`: writes only; the reader going away ends it.
    WritePipe,
}

/// What a server runs when one of its connections is lost.
type OnLost = Box<dyn FnOnce(&Transport)>;

struct Inner {
    socket: Socket,
    flavor: Flavor,
    protocol: RefCell<Option<Rc<RefCell<dyn Protocol>>>>,
    me: Weak<Inner>,
    reading: Cell<bool>,
    closing: Cell<bool>,
    /// `connection_lost` is scheduled or done.
    lost: Cell<bool>,
    write: RefCell<WriteState>,
    /// Set after `connection_made` (for `create_connection` to wait on).
    made: Option<Event>,
    /// Told after `connection_lost` (a server forgetting its client).
    on_lost: RefCell<Option<OnLost>>,
}

/// A stream connection's transport (asyncio's `Transport`): a cheap `Rc`
/// handle. Made by [`EventLoop::create_connection`] and by servers from
/// [`EventLoop::create_server`].
///
/// Writing never blocks: `write` sends what the socket takes now and
/// buffers the rest, and the protocol's `pause_writing`/`resume_writing`
/// tell when the buffer crosses the water marks (64 KiB and 16 KiB by
/// default).
///
/// [`EventLoop::create_connection`]: crate::EventLoop::create_connection
/// [`EventLoop::create_server`]: crate::EventLoop::create_server
#[derive(Clone)]
pub struct Transport(Rc<Inner>);

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("fd", &self.0.socket.fd())
            .field("closing", &self.0.closing.get())
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Wraps a connected stream socket and calls `connection_made` soon,
    /// then sets `made`.
    pub(super) fn start_notify(
        socket: Socket,
        flavor: Flavor,
        protocol: Rc<RefCell<dyn Protocol>>,
        made: Event,
    ) -> Result<Transport> {
        Transport::start(socket, flavor, protocol, Some(made), None)
    }

    /// Wraps an accepted socket; `on_lost` runs after `connection_lost`.
    pub(super) fn start_with(
        socket: Socket,
        protocol: Rc<RefCell<dyn Protocol>>,
        on_lost: impl FnOnce(&Transport) + 'static,
    ) -> Result<Transport> {
        Transport::start(
            socket,
            Flavor::Stream,
            protocol,
            None,
            Some(Box::new(on_lost)),
        )
    }

    /// Wraps one end of a child's pipe (subprocesses): the read end
    /// (`write` false) or the write end, made non-blocking; `on_lost` runs
    /// after `connection_lost`.
    pub(crate) fn start_pipe(
        fd: std::os::fd::OwnedFd,
        write: bool,
        protocol: Rc<RefCell<dyn Protocol>>,
        on_lost: impl FnOnce(&Transport) + 'static,
    ) -> Result<Transport> {
        let (socket, flavor) = if write {
            (Socket::from_pipe_writer(fd)?, Flavor::WritePipe)
        } else {
            (Socket::from_pipe_reader(fd)?, Flavor::ReadPipe)
        };
        Transport::start(socket, flavor, protocol, None, Some(Box::new(on_lost)))
    }

    /// Whether `other` is a handle to this same transport.
    pub(super) fn same(&self, other: &Transport) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    fn start(
        socket: Socket,
        flavor: Flavor,
        protocol: Rc<RefCell<dyn Protocol>>,
        made: Option<Event>,
        on_lost: Option<OnLost>,
    ) -> Result<Transport> {
        let inner = Rc::new_cyclic(|me| Inner {
            socket,
            flavor,
            protocol: RefCell::new(Some(protocol)),
            me: me.clone(),
            reading: Cell::new(flavor != Flavor::WritePipe),
            closing: Cell::new(false),
            lost: Cell::new(false),
            write: RefCell::new(WriteState {
                chunks: VecDeque::new(),
                head: 0,
                flow: FlowControl::new(),
                eof: false,
                eof_done: false,
                after_lost: 0,
            }),
            made,
            on_lost: RefCell::new(on_lost),
        });
        let transport = Transport(inner);
        let registration = transport.0.socket.registration();
        let on_read = match flavor {
            // A write pipe's end is "readable" only when the reader closed
            // its end (an error or hang-up event): asyncio watches for it.
            Flavor::WritePipe => Inner::on_reader_gone,
            Flavor::Stream | Flavor::ReadPipe => Inner::on_readable,
        };
        // The read handler owns the transport until `connection_lost`
        // clears it: a connection whose handles were all dropped goes on.
        registration.set_owning_handler(Direction::Read, transport.0.clone(), on_read);
        let made = transport.clone();
        registration.core().call_soon_internal(Box::new(move || {
            let handle = made.clone();
            made.0.call_protocol(move |p| p.connection_made(&handle));
            if let Some(event) = &made.0.made {
                event.set();
            }
            // Reading starts after `connection_made`, as in asyncio.
            made.0.read_if_ready();
        }))?;
        Ok(transport)
    }

    /// Sends `data`: at once as far as the socket takes it, the rest
    /// buffered and sent as the socket drains. Writes after the connection
    /// was lost are dropped (as asyncio drops them).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] after [`write_eof`](Self::write_eof)
    /// (asyncio's `RuntimeError`).
    pub fn write(&self, data: &[u8]) -> Result<()> {
        self.writelines(&[data])
    }

    /// Sends several buffers, in one gathered system call when nothing is
    /// buffered (asyncio's `writelines`), with the same checks as
    /// [`write`](Self::write).
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub fn writelines(&self, data: &[&[u8]]) -> Result<()> {
        self.0.writelines(data)
    }

    /// Shuts down the writing side once the buffer is flushed: the peer
    /// reads EOF, and can still send (asyncio's `write_eof`). On a write
    /// pipe, the same as [`close`](Self::close); on a read pipe, nothing.
    pub fn write_eof(&self) {
        let inner = &self.0;
        match inner.flavor {
            Flavor::WritePipe => return self.close(),
            Flavor::ReadPipe => return,
            Flavor::Stream => {}
        }
        if inner.lost.get() {
            return;
        }
        let flushed = {
            let mut w = inner.write.borrow_mut();
            w.eof = true;
            w.flow.size == 0
        };
        if flushed {
            inner.shutdown_write();
        }
    }

    /// Whether [`write_eof`](Self::write_eof) works here: for a stream
    /// socket and a write pipe, not for a read pipe.
    pub fn can_write_eof(&self) -> bool {
        self.0.flavor != Flavor::ReadPipe
    }

    /// Closes the transport: stops reading, flushes the buffer, then calls
    /// `connection_lost(None)` (asyncio's `close`). Closing twice does
    /// nothing.
    pub fn close(&self) {
        let inner = &self.0;
        if inner.closing.replace(true) {
            return;
        }
        inner.reading.set(false);
        if inner.write.borrow().flow.size == 0 {
            inner.lose(None);
        }
    }

    /// Closes at once, dropping buffered data (asyncio's `abort`).
    pub fn abort(&self) {
        self.0.closing.set(true);
        self.0.reading.set(false);
        self.0.clear_buffer();
        self.0.lose(None);
    }

    /// Whether the transport is closing or closed.
    pub fn is_closing(&self) -> bool {
        self.0.closing.get() || self.0.lost.get()
    }

    /// Stops calling `data_received` until
    /// [`resume_reading`](Self::resume_reading); data waits in the socket.
    pub fn pause_reading(&self) {
        self.0.reading.set(false);
    }

    /// Resumes reading; data that arrived while paused is delivered without
    /// waiting for more (no new event would come for it).
    pub fn resume_reading(&self) {
        let inner = &self.0;
        if inner.flavor == Flavor::WritePipe
            || inner.closing.get()
            || inner.lost.get()
            || inner.reading.replace(true)
        {
            return;
        }
        inner.read_if_ready();
    }

    /// Whether the transport is reading (not paused, not closing).
    pub fn is_reading(&self) -> bool {
        self.0.reading.get() && !self.is_closing()
    }

    /// Bytes buffered, not yet sent.
    pub fn get_write_buffer_size(&self) -> usize {
        self.0.write.borrow().flow.size
    }

    /// The (low, high) water marks.
    pub fn get_write_buffer_limits(&self) -> (usize, usize) {
        self.0.write.borrow().flow.limits()
    }

    /// Sets the water marks as asyncio does: `high` defaults to 64 KiB (or
    /// 4 × `low`), `low` to `high / 4`.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] unless `high >= low`.
    pub fn set_write_buffer_limits(&self, high: Option<usize>, low: Option<usize>) -> Result<()> {
        self.0.write.borrow_mut().flow.set_limits(high, low)?;
        self.0.maybe_pause_protocol();
        Ok(())
    }

    /// The peer's address (`get_extra_info('peername')`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] for a closed or non-internet socket.
    pub fn peername(&self) -> Result<SocketAddr> {
        self.0.socket.peer_addr()
    }

    /// The local address (`get_extra_info('sockname')`).
    ///
    /// # Errors
    ///
    /// As [`peername`](Self::peername).
    pub fn sockname(&self) -> Result<SocketAddr> {
        self.0.socket.local_addr()
    }

    /// The socket (`get_extra_info('socket')`).
    pub fn socket(&self) -> &Socket {
        &self.0.socket
    }
}

impl Inner {
    fn registration(&self) -> &Registration {
        self.socket.registration()
    }
}

impl Abandon for Inner {
    /// The loop closed with the transport open: no `connection_lost`
    /// (no callback can run), the socket closes, and the protocol is
    /// released, which breaks the cycle of a protocol holding its
    /// transport. Reported in debug mode, as asyncio warns of an unclosed
    /// transport.
    fn abandon(&self) {
        if self.lost.replace(true) {
            return;
        }
        self.socket
            .report_unclosed(&format!("Transport {:?}", self.flavor));
        self.socket.close();
        let protocol = self.protocol.borrow_mut().take();
        drop(protocol);
        self.on_lost.borrow_mut().take();
    }
}

impl Inner {
    /// Calls the protocol; if it is busy (this call comes from inside one
    /// of its own callbacks), calls it right after, from the loop.
    fn call_protocol(&self, f: impl FnOnce(&mut dyn Protocol) + 'static) {
        let Some(protocol) = self.protocol.borrow().clone() else {
            return;
        };
        call_or_defer(self.socket.registration().core(), &protocol, f);
    }

    /// Queues a read if the socket is known to be readable.
    fn read_if_ready(&self) {
        self.registration().handle_if_ready(Direction::Read);
    }

    fn on_readable(&self) {
        let mut total = 0;
        while self.reading.get() && !self.closing.get() && !self.lost.get() {
            if total >= MAX_READ_PER_TURN {
                // Bounded work per turn: the rest in the next iteration.
                self.read_if_ready();
                return;
            }
            match self.receive(MAX_READ_PER_TURN - total) {
                None => return, // drained: the next event brings more
                Some(Ok(0)) => return self.eof(),
                Some(Ok(n)) => total += n,
                Some(Err(err)) => return self.fatal(err),
            }
        }
    }

    /// One receive, handed to the protocol: straight into a buffered
    /// protocol's buffer, else through the loop-wide buffer to
    /// `data_received`. `None` when the socket is drained.
    fn receive(&self, budget: usize) -> Option<io::Result<usize>> {
        let protocol = self.protocol.borrow().clone()?;
        if let Ok(mut p) = protocol.try_borrow_mut() {
            if let Some(buffered) = p.as_buffered() {
                let result = {
                    let buf = buffered.get_buffer(budget);
                    if buf.is_empty() {
                        return Some(Err(empty_buffer()));
                    }
                    self.recv_into(buf)
                };
                if let Some(Ok(n @ 1..)) = result {
                    buffered.buffer_updated(n);
                }
                return result;
            }
        }
        let mut buf = READ_BUFFER.take();
        buf.resize(MAX_READ_PER_TURN, 0);
        let result = self.recv_into(&mut buf[..budget.min(MAX_READ_PER_TURN)]);
        if let Some(Ok(n @ 1..)) = result {
            self.deliver(&buf[..n]);
        }
        READ_BUFFER.set(buf);
        result
    }

    /// `recv` into `buf`, `None` if it would block.
    fn recv_into(&self, buf: &mut [u8]) -> Option<io::Result<usize>> {
        let registration = self.socket.registration();
        let result = registration.try_io(Direction::Read, || self.socket.recv_now(buf));
        if let Some(Ok(n)) = result {
            if n > 0 && n < buf.len() {
                // A short read drained the socket (edge-triggered): no need
                // for the read that would say `WouldBlock`. A hang-up bit,
                // if any, keeps it readable for EOF.
                registration.drained(Direction::Read);
            }
        }
        result
    }

    /// Hands received bytes to the protocol (copied and delivered right
    /// after, if the protocol is busy in a callback of its own).
    fn deliver(&self, data: &[u8]) {
        let Some(protocol) = self.protocol.borrow().clone() else {
            return;
        };
        let delivered = match protocol.try_borrow_mut() {
            Ok(mut p) => hand_over(&mut *p, data),
            Err(_) => {
                let data = data.to_vec();
                let me = self.me.clone();
                self.call_protocol(move |p| {
                    if !hand_over(p, &data) {
                        if let Some(inner) = me.upgrade() {
                            inner.fatal(empty_buffer());
                        }
                    }
                });
                true
            }
        };
        if !delivered {
            self.fatal(empty_buffer());
        }
    }

    /// The peer sent EOF: reading stops, and the transport closes unless
    /// the protocol keeps it half-open (a read pipe always closes).
    fn eof(&self) {
        self.reading.set(false);
        let me = self.me.clone();
        let pipe = self.flavor == Flavor::ReadPipe;
        self.call_protocol(move |p| {
            if !p.eof_received() || pipe {
                if let Some(inner) = me.upgrade() {
                    Transport(inner).close();
                }
            }
        });
    }

    /// The reader of a write pipe closed its end: lost, with
    /// `BrokenPipe` if data was still to be sent (asyncio's
    /// `_UnixWritePipeTransport._read_ready`).
    fn on_reader_gone(&self) {
        if self.lost.get() {
            return;
        }
        let hang_up = libc::POLLERR | libc::POLLHUP;
        if poll_now(self.socket.fd(), 0) & hang_up == 0 {
            // Not gone: a source starts out assumed ready. The error event
            // brings this handler back.
            self.registration().drained(Direction::Read);
            return;
        }
        if self.write.borrow().flow.size > 0 {
            self.fatal(io::ErrorKind::BrokenPipe.into());
        } else {
            self.closing.set(true);
            self.lose(None);
        }
    }

    fn writelines(&self, data: &[&[u8]]) -> Result<()> {
        if self.flavor == Flavor::ReadPipe {
            return Err(Error::invalid_state("a read pipe transport cannot write"));
        }
        let total: usize = data.iter().map(|d| d.len()).sum();
        {
            let mut w = self.write.borrow_mut();
            if w.eof {
                return Err(Error::invalid_state(
                    "cannot call write() after write_eof()",
                ));
            }
            if self.lost.get() {
                w.after_lost += 1;
                return Ok(());
            }
        }
        if total == 0 {
            return Ok(());
        }
        let mut sent = 0;
        if self.write.borrow().flow.size == 0 {
            // Nothing queued: send now, as much as the socket takes.
            let registration = self.socket.registration();
            while sent < total {
                let slices: IoSlices<'_> = after(data.iter().copied(), sent)
                    .take(MAX_IOVECS)
                    .map(IoSlice::new)
                    .collect();
                match registration
                    .try_io(Direction::Write, || self.socket.send_vectored_now(&slices))
                {
                    Some(Ok(0)) | None => break,
                    Some(Ok(n)) => sent += n,
                    Some(Err(err)) => {
                        self.fatal(err);
                        return Ok(());
                    }
                }
            }
        }
        if sent == total {
            return Ok(());
        }
        {
            let mut w = self.write.borrow_mut();
            for piece in after(data.iter().copied(), sent) {
                match w.chunks.back_mut() {
                    Some(last) if piece.len() < COALESCE && last.len() < COALESCE => {
                        last.extend_from_slice(piece)
                    }
                    _ => w.chunks.push_back(piece.to_vec()),
                }
            }
            w.flow.size += total - sent;
        }
        self.arm_writer();
        self.maybe_pause_protocol();
        Ok(())
    }

    /// Sets the write handler (while data is buffered).
    fn arm_writer(&self) {
        let registration = self.registration();
        if !registration.has_handler(Direction::Write) {
            registration.set_handler(Direction::Write, self.me.clone(), Inner::on_writable);
            registration.handle_if_ready(Direction::Write);
        }
    }

    fn on_writable(&self) {
        if self.lost.get() {
            return;
        }
        let registration = self.socket.registration();
        loop {
            let result = {
                let w = self.write.borrow();
                if w.flow.size == 0 {
                    break;
                }
                let chunks = w.chunks.iter().map(Vec::as_slice);
                let slices: IoSlices<'_> = after(chunks, w.head)
                    .take(MAX_IOVECS)
                    .map(IoSlice::new)
                    .collect();
                registration.try_io(Direction::Write, || self.socket.send_vectored_now(&slices))
            };
            match result {
                Some(Ok(n)) => self.consume(n),
                None => break, // full: the next event resumes the flush
                Some(Err(err)) => return self.fatal(err),
            }
        }
        self.maybe_resume_protocol();
        let (empty, eof) = {
            let w = self.write.borrow();
            (w.flow.size == 0, w.eof && !w.eof_done)
        };
        if empty {
            self.registration().clear_handler(Direction::Write);
            if eof {
                self.shutdown_write();
            }
            if self.closing.get() {
                self.lose(None);
            }
        }
    }

    fn consume(&self, mut n: usize) {
        let mut w = self.write.borrow_mut();
        w.flow.size -= n;
        while n > 0 {
            let front_left = w.chunks[0].len() - w.head;
            if n >= front_left {
                n -= front_left;
                w.chunks.pop_front();
                w.head = 0;
            } else {
                w.head += n;
                n = 0;
            }
        }
    }

    fn shutdown_write(&self) {
        self.write.borrow_mut().eof_done = true;
        // Not connected any more: the peer is gone, and the read side
        // reports it.
        if let Err(Error::Io(err)) = self.socket.shutdown(std::net::Shutdown::Write) {
            if err.kind() != io::ErrorKind::NotConnected {
                self.fatal(err);
            }
        }
    }

    fn maybe_pause_protocol(&self) {
        let pause = self.write.borrow_mut().flow.pause();
        if pause {
            self.call_protocol(|p| p.pause_writing());
        }
    }

    fn maybe_resume_protocol(&self) {
        let resume = self.write.borrow_mut().flow.resume();
        if resume {
            self.call_protocol(|p| p.resume_writing());
        }
    }

    fn clear_buffer(&self) {
        let mut w = self.write.borrow_mut();
        w.chunks.clear();
        w.head = 0;
        w.flow.size = 0;
    }

    /// A failed system call: the connection is lost with that error, and
    /// the buffer is dropped.
    fn fatal(&self, err: io::Error) {
        self.closing.set(true);
        self.reading.set(false);
        self.clear_buffer();
        self.lose(Some(Error::Io(err)));
    }

    /// Schedules `connection_lost` (once), which closes the socket.
    fn lose(&self, exc: Option<Error>) {
        if self.lost.replace(true) {
            return;
        }
        self.registration().clear_handler(Direction::Read);
        self.registration().clear_handler(Direction::Write);
        let me = self.me.upgrade();
        let core = self.socket.registration().core().clone();
        let scheduled = core.call_soon_internal(Box::new(move || {
            if let Some(inner) = me {
                inner.finish(exc);
            }
        }));
        if scheduled.is_err() {
            // The loop is closed: close the socket now, with no callback.
            self.socket.close();
            self.protocol.borrow_mut().take();
        }
    }

    fn finish(&self, exc: Option<Error>) {
        self.socket.close();
        let protocol = self.protocol.borrow_mut().take();
        if let Some(protocol) = protocol {
            protocol.borrow_mut().connection_lost(exc);
        }
        let on_lost = self.on_lost.borrow_mut().take();
        if let (Some(on_lost), Some(me)) = (on_lost, self.me.upgrade()) {
            on_lost(&Transport(me));
        }
    }
}

/// asyncio's error for a buffered protocol that gives no room.
fn empty_buffer() -> io::Error {
    io::Error::other("get_buffer() returned an empty buffer")
}

/// The bytes of `pieces` after the first `skip`, as slices.
fn after<'a>(
    pieces: impl Iterator<Item = &'a [u8]>,
    mut skip: usize,
) -> impl Iterator<Item = &'a [u8]> {
    pieces.filter_map(move |piece| {
        if skip >= piece.len() {
            skip -= piece.len();
            return None;
        }
        let rest = &piece[skip..];
        skip = 0;
        Some(rest)
    })
}
