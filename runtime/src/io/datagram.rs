//! [`DatagramTransport`]: a UDP socket driven by readiness events, calling
//! a [`DatagramProtocol`] (asyncio's `_SelectorDatagramTransport`), and the
//! loop's `create_datagram_endpoint`.
//!
//! The read handler receives datagrams into the loop-wide receive buffer
//! until the socket would block, handing each to `datagram_received`, and
//! re-queues itself after 128 datagrams or 256 KiB (under edge-triggered
//! polling, stopping early without re-queueing would strand the rest).
//! `sendto` sends at once when nothing is queued and queues the datagram
//! (with its address) only if the socket would block; the write handler,
//! set only while the queue is non-empty, flushes it in order.
//!
//! Errors of a send or a receive (an ICMP "port unreachable" seen as
//! `ConnectionRefused` on a connected endpoint, a datagram too large...)
//! go to `error_received` and the endpoint stays open, as in asyncio. Such
//! an error is transient, so the readiness cache forgets its error bit once
//! a system call consumed the error (a stream socket's error bit is final).
//!
//! Handlers hold the transport weakly; the protocol is released after
//! `connection_lost`, which breaks the transport-protocol cycle.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::rc::{Rc, Weak};

use super::flow::FlowControl;
use super::listen::{AddressFamily, DatagramOptions, udp_socket};
use super::protocol::{DatagramProtocol, call_or_defer};
use super::registration::Abandon;
use super::socket::Socket;
use super::transport::{MAX_READ_PER_TURN, READ_BUFFER};
use crate::error::{Error, Result};
use crate::event_loop::EventLoop;
use crate::event_loop::scheduled_io::Direction;
use crate::sync::Event;

/// Most datagrams one read handler takes before it re-queues itself (it
/// also stops after `MAX_READ_PER_TURN` bytes).
const DATAGRAMS_PER_TURN: usize = 128;

struct WriteState {
    /// Datagrams not yet sent, with their destination (`None`: the
    /// connected peer).
    queue: VecDeque<(Vec<u8>, Option<SocketAddr>)>,
    flow: FlowControl,
}

struct Inner {
    socket: Socket,
    protocol: RefCell<Option<Rc<RefCell<dyn DatagramProtocol>>>>,
    me: Weak<Inner>,
    /// The peer of a connected endpoint.
    remote: Option<SocketAddr>,
    closing: Cell<bool>,
    /// `connection_lost` is scheduled or done.
    lost: Cell<bool>,
    write: RefCell<WriteState>,
    /// Set after `connection_made` (for `create_datagram_endpoint` to wait
    /// on).
    made: Event,
}

/// A datagram endpoint's transport (asyncio's `DatagramTransport`): a
/// cheap `Rc` handle. Made by
/// [`EventLoop::create_datagram_endpoint`].
///
/// Sending never blocks: [`sendto`](Self::sendto) sends the datagram at
/// once, or queues it if the socket would block; the protocol's
/// `pause_writing`/`resume_writing` tell when the queue crosses the water
/// marks (64 KiB and 16 KiB by default).
///
/// # Examples
///
/// See [`DatagramProtocol`].
#[derive(Clone)]
pub struct DatagramTransport(Rc<Inner>);

impl std::fmt::Debug for DatagramTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatagramTransport")
            .field("fd", &self.0.socket.fd())
            .field("remote", &self.0.remote)
            .field("closing", &self.0.closing.get())
            .finish_non_exhaustive()
    }
}

impl DatagramTransport {
    /// Wraps a UDP socket (connected to `remote`, if given), calls
    /// `connection_made` soon, then sets `made` and starts reading.
    fn start(
        socket: Socket,
        protocol: Rc<RefCell<dyn DatagramProtocol>>,
        remote: Option<SocketAddr>,
    ) -> Result<DatagramTransport> {
        let inner = Rc::new_cyclic(|me| Inner {
            socket,
            protocol: RefCell::new(Some(protocol)),
            me: me.clone(),
            remote,
            closing: Cell::new(false),
            lost: Cell::new(false),
            write: RefCell::new(WriteState {
                queue: VecDeque::new(),
                flow: FlowControl::new(),
            }),
            made: Event::new(),
        });
        let transport = DatagramTransport(inner);
        let registration = transport.0.socket.registration();
        // The read handler owns the endpoint until `connection_lost`
        // clears it, as for a stream transport.
        registration.set_owning_handler(Direction::Read, transport.0.clone(), Inner::on_readable);
        let made = transport.clone();
        registration.core().call_soon_internal(Box::new(move || {
            let handle = made.clone();
            made.0.call_protocol(move |p| p.connection_made(&handle));
            made.0.made.set();
            // Reading starts after `connection_made`, as in asyncio.
            made.0.read_if_ready();
        }))?;
        Ok(transport)
    }

    /// Sends `data` as one datagram to `addr` (asyncio's `sendto`): at
    /// once, or queued if the socket would block. An empty `data` sends an
    /// empty datagram.
    ///
    /// On a connected endpoint (made with a remote address), `addr` must be
    /// `None` or the remote address; on an unconnected one it is required.
    /// A system error (a datagram too large, the peer's port unreachable)
    /// goes to the protocol's `error_received`, not to the caller.
    /// Datagrams sent after the endpoint was closed are dropped, as asyncio
    /// drops them.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a missing address, or an address other than
    /// the remote one on a connected endpoint (asyncio's `ValueError`).
    pub fn sendto(&self, data: &[u8], addr: Option<SocketAddr>) -> Result<()> {
        self.0.sendto(data, addr)
    }

    /// Closes the endpoint: stops receiving, sends what is queued, then
    /// calls `connection_lost(None)` (asyncio's `close`). Closing twice
    /// does nothing.
    pub fn close(&self) {
        let inner = &self.0;
        if inner.closing.replace(true) {
            return;
        }
        // Reading stops (the read handler checks `closing`); the handler
        // stays, owning the endpoint until `connection_lost`.
        if inner.write.borrow().queue.is_empty() {
            inner.lose(None);
        }
    }

    /// Closes at once, dropping queued datagrams (asyncio's `abort`).
    pub fn abort(&self) {
        let inner = &self.0;
        inner.closing.set(true);
        {
            let mut w = inner.write.borrow_mut();
            w.queue.clear();
            w.flow.size = 0;
        }
        inner.lose(None);
    }

    /// Whether the endpoint is closing or closed.
    pub fn is_closing(&self) -> bool {
        self.0.closing.get() || self.0.lost.get()
    }

    /// Bytes queued, not yet sent.
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

    /// The remote address of a connected endpoint
    /// (`get_extra_info('peername')`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] for an unconnected or closed endpoint.
    pub fn peername(&self) -> Result<SocketAddr> {
        self.0.socket.peer_addr()
    }

    /// The local address (`get_extra_info('sockname')`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] for a closed endpoint.
    pub fn sockname(&self) -> Result<SocketAddr> {
        self.0.socket.local_addr()
    }

    /// The socket (`get_extra_info('socket')`).
    pub fn socket(&self) -> &Socket {
        &self.0.socket
    }
}

impl Inner {
    /// Calls the protocol; if it is busy (this call comes from inside one
    /// of its own callbacks), calls it right after, from the loop.
    fn call_protocol(&self, f: impl FnOnce(&mut dyn DatagramProtocol) + 'static) {
        let Some(protocol) = self.protocol.borrow().clone() else {
            return;
        };
        call_or_defer(self.socket.registration().core(), &protocol, f);
    }

    /// Runs `op` (a system call on the socket) while the source may be
    /// ready in `direction`; an error it returns (consumed, for a datagram
    /// socket) or `WouldBlock` clears the cached error bit.
    fn try_io<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Option<io::Result<R>> {
        let registration = self.socket.registration();
        registration.try_io(direction, || {
            let result = op();
            if matches!(&result, Err(err) if err.kind() != io::ErrorKind::Interrupted) {
                registration.clear_transient_error();
            }
            result
        })
    }

    /// Queues a read if the socket is known to be readable.
    fn read_if_ready(&self) {
        self.socket.registration().handle_if_ready(Direction::Read);
    }

    fn on_readable(&self) {
        let mut datagrams = 0;
        let mut bytes = 0;
        while !self.closing.get() && !self.lost.get() {
            if datagrams >= DATAGRAMS_PER_TURN || bytes >= MAX_READ_PER_TURN {
                // Bounded work per turn: the rest in the next iteration.
                self.read_if_ready();
                return;
            }
            let mut buf = READ_BUFFER.take();
            buf.resize(MAX_READ_PER_TURN, 0);
            let result = self.try_io(Direction::Read, || self.socket.recv_from_now(&mut buf));
            if let Some(Ok((n, from))) = result {
                self.deliver(&buf[..n], from);
            }
            READ_BUFFER.set(buf);
            match result {
                None => return, // drained: the next event brings more
                Some(Ok((n, _))) => bytes += n,
                Some(Err(err)) => self.error(err),
            }
            datagrams += 1;
        }
    }

    /// Hands a datagram to the protocol (copied and delivered right after,
    /// if the protocol is busy in a callback of its own).
    fn deliver(&self, data: &[u8], from: SocketAddr) {
        let Some(protocol) = self.protocol.borrow().clone() else {
            return;
        };
        match protocol.try_borrow_mut() {
            Ok(mut p) => p.datagram_received(data, from),
            Err(_) => {
                let data = data.to_vec();
                self.call_protocol(move |p| p.datagram_received(&data, from));
            }
        }
    }

    /// A send or receive failed: the protocol hears of it, the endpoint
    /// stays open.
    fn error(&self, err: io::Error) {
        self.call_protocol(move |p| p.error_received(Error::Io(err)));
    }

    fn sendto(&self, data: &[u8], addr: Option<SocketAddr>) -> Result<()> {
        // `None`: the connected peer (sent with `send`).
        let to = match (self.remote, addr) {
            (Some(_), None) => None,
            (Some(remote), Some(addr)) if addr == remote => None,
            (Some(remote), Some(addr)) => {
                return Err(Error::Value(
                    format!("invalid address {addr}: must be None or {remote}").into(),
                ));
            }
            (None, Some(addr)) => Some(addr),
            (None, None) => {
                return Err(Error::Value(
                    "an address is required: the endpoint is not connected".into(),
                ));
            }
        };
        if self.lost.get() {
            return Ok(());
        }
        if self.write.borrow().queue.is_empty() {
            // Nothing queued: send now.
            match self.try_io(Direction::Write, || self.socket.send_to_now(data, to)) {
                Some(Ok(_)) => return Ok(()),
                Some(Err(err)) => {
                    self.error(err);
                    return Ok(());
                }
                None => {}
            }
        }
        {
            let mut w = self.write.borrow_mut();
            w.queue.push_back((data.to_vec(), to));
            w.flow.size += data.len();
        }
        self.arm_writer();
        self.maybe_pause_protocol();
        Ok(())
    }

    /// Sets the write handler (while datagrams are queued).
    fn arm_writer(&self) {
        let registration = self.socket.registration();
        if !registration.has_handler(Direction::Write) {
            registration.set_handler(Direction::Write, self.me.clone(), Inner::on_writable);
            registration.handle_if_ready(Direction::Write);
        }
    }

    fn on_writable(&self) {
        while !self.lost.get() {
            let result = {
                let w = self.write.borrow();
                let Some((data, to)) = w.queue.front() else {
                    break;
                };
                self.try_io(Direction::Write, || self.socket.send_to_now(data, *to))
            };
            let Some(result) = result else {
                break; // full: the next event resumes the flush
            };
            {
                let mut w = self.write.borrow_mut();
                if let Some((data, _)) = w.queue.pop_front() {
                    w.flow.size -= data.len();
                }
            }
            if let Err(err) = result {
                // That datagram is dropped (as asyncio drops it); the rest
                // is still sent.
                self.error(err);
            }
        }
        if self.lost.get() {
            return;
        }
        self.maybe_resume_protocol();
        if self.write.borrow().queue.is_empty() {
            self.socket.registration().clear_handler(Direction::Write);
            if self.closing.get() {
                self.lose(None);
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

    /// Schedules `connection_lost` (once), which closes the socket.
    fn lose(&self, exc: Option<Error>) {
        if self.lost.replace(true) {
            return;
        }
        let registration = self.socket.registration();
        registration.clear_handler(Direction::Read);
        registration.clear_handler(Direction::Write);
        let me = self.me.upgrade();
        let scheduled = registration.core().call_soon_internal(Box::new(move || {
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
            call_or_defer(self.socket.registration().core(), &protocol, move |p| {
                p.connection_lost(exc)
            });
        }
    }
}

impl Abandon for Inner {
    /// The loop closed with the endpoint open: the socket closes and the
    /// protocol is released, with no `connection_lost`; reported in debug
    /// mode.
    fn abandon(&self) {
        if self.lost.replace(true) {
            return;
        }
        self.socket.report_unclosed("DatagramTransport");
        self.socket.close();
        let protocol = self.protocol.borrow_mut().take();
        drop(protocol);
    }
}

impl EventLoop {
    /// Opens a UDP endpoint and starts `protocol` on it (asyncio's
    /// `loop.create_datagram_endpoint(factory, local_addr=, remote_addr=)`).
    ///
    /// `local_addr` (a host, resolved with [`getaddrinfo`](Self::getaddrinfo),
    /// and a port, 0 for any free one) is the address to bind;
    /// `remote_addr` the peer to connect the socket to: the endpoint then
    /// receives only from it, [`DatagramTransport::sendto`] takes no
    /// address, and ICMP errors for it reach `error_received`. With only
    /// a remote address, the system picks the local one; one of the two is
    /// needed here (or a family, with
    /// [`create_datagram_endpoint_with`](Self::create_datagram_endpoint_with)).
    /// When the names resolve to several families, the first family with
    /// an address on each side given is used. `connection_made` has been
    /// called when this returns.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] with neither address, or when the addresses have
    /// no family in common; [`Error::Io`] when a name does not resolve, or
    /// the socket cannot be bound or connected (address in use...).
    ///
    /// # Examples
    ///
    /// See [`DatagramProtocol`].
    pub fn create_datagram_endpoint<P: DatagramProtocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        local_addr: Option<(&str, u16)>,
        remote_addr: Option<(&str, u16)>,
    ) -> impl Future<Output = Result<(DatagramTransport, Rc<RefCell<P>>)>> + use<P, F> {
        self.create_datagram_endpoint_with(
            protocol,
            local_addr,
            remote_addr,
            DatagramOptions::default(),
        )
    }

    /// [`create_datagram_endpoint`](Self::create_datagram_endpoint) with
    /// options: the address `family` (needed when neither address is
    /// given: the socket is then unbound until its first send),
    /// `reuse_port` and `allow_broadcast`.
    ///
    /// # Errors
    ///
    /// As [`create_datagram_endpoint`](Self::create_datagram_endpoint).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[derive(Default)] struct Quiet;
    /// # impl asyncio::DatagramProtocol for Quiet {}
    /// use asyncio::{AddressFamily, DatagramOptions};
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<()> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let options = DatagramOptions {
    ///         family: Some(AddressFamily::Ipv4),
    ///         allow_broadcast: true,
    ///         ..Default::default()
    ///     };
    ///     let (transport, _) = lp
    ///         .create_datagram_endpoint_with(Quiet::default, None, None, options)
    ///         .await?;
    ///     transport.sendto(b"hello", Some("127.0.0.1:9".parse().unwrap()))?;
    ///     transport.close();
    ///     Ok(())
    /// }
    /// asyncio::run(main_())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn create_datagram_endpoint_with<P: DatagramProtocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        local_addr: Option<(&str, u16)>,
        remote_addr: Option<(&str, u16)>,
        options: DatagramOptions,
    ) -> impl Future<Output = Result<(DatagramTransport, Rc<RefCell<P>>)>> + use<P, F> {
        let local = local_addr.map(|(host, port)| self.getaddrinfo(host, port));
        let remote = remote_addr.map(|(host, port)| self.getaddrinfo(host, port));
        endpoint(local, remote, protocol, options)
    }
}

#[crate::coroutine]
fn endpoint<P, F, A>(
    local: Option<A>,
    remote: Option<A>,
    protocol: F,
    options: DatagramOptions,
) -> Result<(DatagramTransport, Rc<RefCell<P>>)>
where
    P: DatagramProtocol,
    F: FnOnce() -> P + 'static,
    A: Future<Output = Result<Vec<SocketAddr>>> + 'static,
{
    let mut local_addrs = None;
    if let Some(lookup) = local {
        local_addrs = Some(lookup.await?);
    }
    let mut remote_addrs = None;
    if let Some(lookup) = remote {
        remote_addrs = Some(lookup.await?);
    }
    let (socket, remote) = open_udp(local_addrs, remote_addrs, &options)?;
    let socket = Socket::from_udp(socket)?;
    let protocol = Rc::new(RefCell::new(protocol()));
    let transport = DatagramTransport::start(socket, protocol.clone(), remote)?;
    let made = transport.0.made.clone();
    made.wait().await?;
    Ok((transport, protocol))
}

/// A UDP socket bound to the first local address and connected to the
/// first remote address of one family (asyncio's order: each family in
/// turn, until one works), and the remote address it is connected to.
fn open_udp(
    local: Option<Vec<SocketAddr>>,
    remote: Option<Vec<SocketAddr>>,
    options: &DatagramOptions,
) -> Result<(std::net::UdpSocket, Option<SocketAddr>)> {
    if local.is_none() && remote.is_none() {
        let Some(family) = options.family else {
            return Err(Error::Value(
                "a datagram endpoint needs a local address, a remote address or a family".into(),
            ));
        };
        return Ok((udp_socket(family, None, options)?, None));
    }
    let wanted = |addr: &SocketAddr| options.family.is_none_or(|f| f == AddressFamily::of(addr));
    let mut families = Vec::new();
    for addr in remote.iter().chain(local.iter()).flatten() {
        let family = AddressFamily::of(addr);
        if wanted(addr) && !families.contains(&family) {
            families.push(family);
        }
    }
    let mut first_error = None;
    for family in families {
        // `Some(None)`: that side was given, with no address of `family`.
        let pick = |addrs: &Option<Vec<SocketAddr>>| {
            addrs.as_ref().map(|addrs| {
                addrs
                    .iter()
                    .copied()
                    .find(|a| AddressFamily::of(a) == family)
            })
        };
        let (local, remote) = match (pick(&local), pick(&remote)) {
            (Some(None), _) | (_, Some(None)) => continue,
            (local, remote) => (local.flatten(), remote.flatten()),
        };
        let socket = udp_socket(family, local, options).and_then(|socket| {
            if let Some(remote) = remote {
                socket.connect(remote)?;
            }
            Ok(socket)
        });
        match socket {
            Ok(socket) => return Ok((socket, remote)),
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    Err(first_error.map_or_else(
        || Error::Value("can not get address information (no address of a common family)".into()),
        Error::Io,
    ))
}
