//! [`Socket`], and the `sock_*` operations of the loop (asyncio's
//! `loop.sock_recv`, `sock_sendall`, `sock_accept`, ...).
//!
//! Every operation is one leaf, [`SockOp`]: a cancellation request is
//! delivered before the system call, and the call runs inside the task's
//! poll, so an operation cancelled or dropped while it waits has consumed
//! nothing: no byte received, no connection accepted.

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net as unix;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use mio::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};
use mio::unix::pipe;

use super::registration::{IoWaiter, Registered, Registration};
use crate::error::Result;
use crate::event_loop::EventLoop;
use crate::event_loop::scheduled_io::Direction;

/// The kinds of socket a [`Socket`] holds.
#[derive(Debug)]
enum Kind {
    TcpStream(TcpStream),
    TcpListener(TcpListener),
    Udp(UdpSocket),
    UnixStream(UnixStream),
    UnixListener(UnixListener),
    UnixDatagram(UnixDatagram),
    /// The read end of a pipe (or a character device, or any stream fd).
    PipeReader(pipe::Receiver),
    /// The write end of a pipe.
    PipeWriter(pipe::Sender),
}

impl Kind {
    fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Kind::TcpStream(s) => s,
            Kind::TcpListener(s) => s,
            Kind::Udp(s) => s,
            Kind::UnixStream(s) => s,
            Kind::UnixListener(s) => s,
            Kind::UnixDatagram(s) => s,
            Kind::PipeReader(s) => s,
            Kind::PipeWriter(s) => s,
        }
    }

    fn fd(&self) -> RawFd {
        match self {
            Kind::TcpStream(s) => s.as_raw_fd(),
            Kind::TcpListener(s) => s.as_raw_fd(),
            Kind::Udp(s) => s.as_raw_fd(),
            Kind::UnixStream(s) => s.as_raw_fd(),
            Kind::UnixListener(s) => s.as_raw_fd(),
            Kind::UnixDatagram(s) => s.as_raw_fd(),
            Kind::PipeReader(s) => s.as_raw_fd(),
            Kind::PipeWriter(s) => s.as_raw_fd(),
        }
    }

    fn is_datagram(&self) -> bool {
        matches!(self, Kind::Udp(_) | Kind::UnixDatagram(_))
    }

    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Kind::TcpStream(s) => (&*s).read(buf),
            Kind::UnixStream(s) => (&*s).read(buf),
            Kind::Udp(s) => s.recv(buf),
            Kind::UnixDatagram(s) => s.recv(buf),
            Kind::PipeReader(s) => (&*s).read(buf),
            Kind::TcpListener(_) | Kind::UnixListener(_) => Err(not_for("recv", "a listening")),
            Kind::PipeWriter(_) => Err(not_for("read", "a write pipe")),
        }
    }

    fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Kind::TcpStream(s) => (&*s).write(buf),
            Kind::UnixStream(s) => (&*s).write(buf),
            Kind::Udp(s) => s.send(buf),
            Kind::UnixDatagram(s) => s.send(buf),
            Kind::PipeWriter(s) => (&*s).write(buf),
            Kind::TcpListener(_) | Kind::UnixListener(_) => Err(not_for("send", "a listening")),
            Kind::PipeReader(_) => Err(not_for("write", "a read pipe")),
        }
    }
}

fn not_for(op: &str, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{op} is not possible on {what} socket"),
    )
}

/// A socket address: an internet one, or a Unix socket's.
#[derive(Debug, Clone)]
pub enum SockAddr {
    /// An IPv4 or IPv6 address and port.
    Inet(SocketAddr),
    /// A Unix socket's address (a path, or unnamed).
    Unix(unix::SocketAddr),
}

struct Inner {
    /// `None` once closed.
    kind: RefCell<Option<Kind>>,
    registration: Registration,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(mut kind) = self.kind.get_mut().take() {
            // Deregistered before the descriptor closes (with `kind`).
            let _ = self.registration.deregister(kind.source());
        }
    }
}

/// A non-blocking socket registered with a loop: the socket object of
/// asyncio's `loop.sock_*` calls. A cheap `Rc` handle: clones share the
/// socket, which closes when the last one is dropped, or at
/// [`close`](Self::close).
///
/// Made from a std socket inside a running loop (it is set non-blocking
/// and registered with that loop), or by
/// [`EventLoop::sock_connect`] and [`EventLoop::sock_accept`].
///
/// # Examples
///
/// ```
/// use asyncio::Socket;
///
/// #[asyncio::coroutine]
/// fn echo_once() -> asyncio::Result<Vec<u8>> {
///     let lp = asyncio::get_running_loop()?;
///     let listener = Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
///     let addr = listener.local_addr()?;
///     let client = lp.sock_connect(addr).await?;
///     let (server, _) = lp.sock_accept(&listener).await?;
///     lp.sock_sendall(&client, b"hello").await?;
///     lp.sock_recv(&server, 1024).await
/// }
///
/// assert_eq!(asyncio::run(echo_once())?, b"hello");
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct Socket(Rc<Inner>);

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.fd())
            .finish_non_exhaustive()
    }
}

impl Socket {
    fn new(mut kind: Kind) -> Result<Socket> {
        let fd = kind.fd();
        let registration = Registration::new(kind.source(), fd)?;
        Ok(Socket(Rc::new(Inner {
            kind: RefCell::new(Some(kind)),
            registration,
        })))
    }

    /// Registers a connected TCP stream with the running loop; sets
    /// `TCP_NODELAY`, as asyncio does for every TCP connection.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`](crate::Error::InvalidState) outside a running loop; [`Error::Io`](crate::Error::Io) from
    /// the system.
    pub fn from_tcp_stream(stream: std::net::TcpStream) -> Result<Socket> {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        Socket::new(Kind::TcpStream(TcpStream::from_std(stream)))
    }

    /// Registers a listening TCP socket with the running loop.
    ///
    /// # Errors
    ///
    /// As [`from_tcp_stream`](Self::from_tcp_stream).
    pub fn from_tcp_listener(listener: std::net::TcpListener) -> Result<Socket> {
        listener.set_nonblocking(true)?;
        Socket::new(Kind::TcpListener(TcpListener::from_std(listener)))
    }

    /// Registers a UDP socket with the running loop.
    ///
    /// # Errors
    ///
    /// As [`from_tcp_stream`](Self::from_tcp_stream).
    pub fn from_udp(socket: std::net::UdpSocket) -> Result<Socket> {
        socket.set_nonblocking(true)?;
        Socket::new(Kind::Udp(UdpSocket::from_std(socket)))
    }

    /// Registers a connected Unix stream socket with the running loop.
    ///
    /// # Errors
    ///
    /// As [`from_tcp_stream`](Self::from_tcp_stream).
    pub fn from_unix_stream(stream: unix::UnixStream) -> Result<Socket> {
        stream.set_nonblocking(true)?;
        Socket::new(Kind::UnixStream(UnixStream::from_std(stream)))
    }

    /// Registers a listening Unix socket with the running loop.
    ///
    /// # Errors
    ///
    /// As [`from_tcp_stream`](Self::from_tcp_stream).
    pub fn from_unix_listener(listener: unix::UnixListener) -> Result<Socket> {
        listener.set_nonblocking(true)?;
        Socket::new(Kind::UnixListener(UnixListener::from_std(listener)))
    }

    /// Registers a Unix datagram socket with the running loop.
    ///
    /// # Errors
    ///
    /// As [`from_tcp_stream`](Self::from_tcp_stream).
    pub fn from_unix_datagram(socket: unix::UnixDatagram) -> Result<Socket> {
        socket.set_nonblocking(true)?;
        Socket::new(Kind::UnixDatagram(UnixDatagram::from_std(socket)))
    }

    /// Registers the read end of a pipe with the running loop (for
    /// `connect_read_pipe`), made non-blocking.
    pub(super) fn from_pipe_reader(fd: std::os::fd::OwnedFd) -> Result<Socket> {
        check_pipe(&fd)?;
        let receiver = pipe::Receiver::from(fd);
        receiver.set_nonblocking(true)?;
        Socket::new(Kind::PipeReader(receiver))
    }

    /// Registers the write end of a pipe with the running loop (for
    /// `connect_write_pipe`), made non-blocking.
    pub(super) fn from_pipe_writer(fd: std::os::fd::OwnedFd) -> Result<Socket> {
        check_pipe(&fd)?;
        let sender = pipe::Sender::from(fd);
        sender.set_nonblocking(true)?;
        Socket::new(Kind::PipeWriter(sender))
    }

    /// The descriptor, or `-1` once closed.
    pub fn fd(&self) -> RawFd {
        self.0.kind.borrow().as_ref().map_or(-1, Kind::fd)
    }

    fn with<R>(&self, f: impl FnOnce(&Kind) -> io::Result<R>) -> io::Result<R> {
        match &*self.0.kind.borrow() {
            Some(kind) => f(kind),
            None => Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the socket is closed",
            )),
        }
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) from the system, or for a closed socket.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.with(|kind| match kind {
            Kind::TcpStream(s) => s.local_addr(),
            Kind::TcpListener(s) => s.local_addr(),
            Kind::Udp(s) => s.local_addr(),
            _ => Err(not_for("local_addr", "a Unix")),
        })?)
    }

    /// The address of the peer of a connected socket.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) from the system, or for a closed socket.
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        Ok(self.with(|kind| match kind {
            Kind::TcpStream(s) => s.peer_addr(),
            Kind::Udp(s) => s.peer_addr(),
            _ => Err(not_for("peer_addr", "this")),
        })?)
    }

    /// Shuts down the writing half (the peer reads EOF), or both halves.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) from the system, or for a closed socket.
    pub fn shutdown(&self, how: std::net::Shutdown) -> Result<()> {
        Ok(self.with(|kind| match kind {
            Kind::TcpStream(s) => s.shutdown(how),
            Kind::UnixStream(s) => s.shutdown(how),
            _ => Err(not_for("shutdown", "this")),
        })?)
    }

    /// Closes the socket now (deregistered first); operations on any of its
    /// handles then fail. Closing twice does nothing.
    pub fn close(&self) {
        let kind = self.0.kind.borrow_mut().take();
        if let Some(mut kind) = kind {
            let _ = self.0.registration.deregister(kind.source());
        }
    }

    /// The socket's registration with its loop.
    pub(super) fn registration(&self) -> &Registration {
        &self.0.registration
    }

    /// One non-blocking accept on a listening socket.
    pub(super) fn accept_now(&self) -> io::Result<Accepted> {
        self.with(accept)
    }

    /// One non-blocking receive.
    pub(super) fn recv_now(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.with(|kind| kind.recv(buf))
    }

    /// One non-blocking gathered send (a plain `send` for one buffer, the
    /// common case, which is cheaper than `writev`).
    pub(super) fn send_vectored_now(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        if let [one] = bufs {
            return self.with(|kind| kind.send(one));
        }
        self.with(|kind| match kind {
            Kind::TcpStream(s) => (&*s).write_vectored(bufs),
            Kind::UnixStream(s) => (&*s).write_vectored(bufs),
            Kind::PipeWriter(s) => (&*s).write_vectored(bufs),
            _ => Err(not_for("write", "this")),
        })
    }

    /// One non-blocking `recvfrom` on a UDP socket.
    pub(super) fn recv_from_now(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.with(|kind| match kind {
            Kind::Udp(s) => s.recv_from(buf),
            _ => Err(not_for("recvfrom", "this")),
        })
    }

    /// One non-blocking send of a datagram on a UDP socket: to `addr`, or
    /// to the connected peer when `None`.
    pub(super) fn send_to_now(&self, buf: &[u8], addr: Option<SocketAddr>) -> io::Result<usize> {
        self.with(|kind| match (kind, addr) {
            (Kind::Udp(s), Some(addr)) => s.send_to(buf, addr),
            (Kind::Udp(s), None) => s.send(buf),
            _ => Err(not_for("sendto", "this")),
        })
    }

    /// Reports, in debug mode, a transport over this socket that its loop
    /// dropped open (asyncio's "unclosed transport" warning).
    pub(super) fn report_unclosed(&self, what: &str) {
        let core = self.registration().core();
        if core.debug() && !std::thread::panicking() {
            core.call_exception_handler(crate::event_loop::ExceptionContext::new(format!(
                "unclosed transport <{what} fd={}>",
                self.fd()
            )));
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.0.kind.borrow().is_none()
    }
}

/// One `sock_*` operation: waits until the socket is ready in its
/// direction and runs `op`, until it does not block.
#[must_use = "futures do nothing unless polled or awaited"]
pub(crate) struct SockOp<F> {
    waiter: IoWaiter<Socket>,
    op: F,
}

impl Registered for Socket {
    fn registration(&self) -> &Registration {
        &self.0.registration
    }
}

impl<F> std::fmt::Debug for SockOp<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SockOp")
            .field("socket", self.waiter.source())
            .field("direction", &self.waiter.direction())
            .finish_non_exhaustive()
    }
}

impl<F> SockOp<F> {
    fn new(socket: &Socket, direction: Direction, op: F) -> Self {
        SockOp {
            waiter: IoWaiter::readiness(socket.clone(), direction),
            op,
        }
    }
}

impl<R, F: FnMut(&Kind) -> io::Result<R> + Unpin> Future for SockOp<F> {
    type Output = Result<R>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<R>> {
        let this = self.get_mut();
        let op = &mut this.op;
        this.waiter.poll_io(cx, |socket| {
            socket.with(|kind| {
                let result = op(kind);
                if kind.is_datagram()
                    && matches!(&result, Err(err) if err.kind() != io::ErrorKind::Interrupted)
                {
                    // A datagram socket's error is transient: consumed now.
                    socket.0.registration.clear_transient_error();
                }
                result
            })
        })
    }
}

impl EventLoop {
    /// Receives up to `n` bytes (asyncio's `loop.sock_recv`); an empty
    /// vector means the peer closed its side (EOF).
    ///
    /// Cancelling it before it completes consumes nothing.
    ///
    /// # Examples
    ///
    /// See [`Socket`].
    pub fn sock_recv(
        &self,
        socket: &Socket,
        n: usize,
    ) -> impl Future<Output = Result<Vec<u8>>> + use<> {
        let mut buf = Vec::new();
        SockOp::new(socket, Direction::Read, move |kind: &Kind| {
            buf.resize(n, 0);
            let got = kind.recv(&mut buf)?;
            buf.truncate(got);
            Ok(std::mem::take(&mut buf))
        })
    }

    /// Receives into `buf`; returns how many bytes were received (asyncio's
    /// `loop.sock_recv_into`), 0 at EOF.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::Socket;
    /// use std::os::unix::net::UnixStream;
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<usize> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let (a, b) = UnixStream::pair()?;
    ///     let (a, b) = (Socket::from_unix_stream(a)?, Socket::from_unix_stream(b)?);
    ///     lp.sock_sendall(&a, b"abc").await?;
    ///     let mut buf = [0u8; 8];
    ///     lp.sock_recv_into(&b, &mut buf).await
    /// }
    /// assert_eq!(asyncio::run(main_())?, 3);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn sock_recv_into<'a>(
        &self,
        socket: &Socket,
        buf: &'a mut [u8],
    ) -> impl Future<Output = Result<usize>> + use<'a> {
        SockOp::new(socket, Direction::Read, move |kind: &Kind| kind.recv(buf))
    }

    /// Sends all of `data` (asyncio's `loop.sock_sendall`), waiting for
    /// room as often as needed.
    ///
    /// Cancelled midway, it sends nothing more: some prefix of `data` was
    /// sent, and a later call's bytes follow that prefix (never the rest).
    ///
    /// # Examples
    ///
    /// See [`Socket`].
    pub fn sock_sendall<'a>(
        &self,
        socket: &Socket,
        data: &'a [u8],
    ) -> impl Future<Output = Result<()>> + use<'a> {
        let mut sent = 0;
        SockOp::new(socket, Direction::Write, move |kind: &Kind| {
            while sent < data.len() {
                match kind.send(&data[sent..])? {
                    0 => return Err(io::ErrorKind::WriteZero.into()),
                    n => sent += n,
                }
            }
            Ok(())
        })
    }

    /// Sends a datagram to `addr` (asyncio's `loop.sock_sendto`); returns
    /// the bytes sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::{SockAddr, Socket};
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<Vec<u8>> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let a = Socket::from_udp(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    ///     let b = Socket::from_udp(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    ///     lp.sock_sendto(&a, b"datagram", b.local_addr()?).await?;
    ///     let (data, from) = lp.sock_recvfrom(&b, 64).await?;
    ///     assert!(matches!(from, SockAddr::Inet(addr) if addr == a.local_addr()?));
    ///     Ok(data)
    /// }
    /// assert_eq!(asyncio::run(main_())?, b"datagram");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn sock_sendto<'a>(
        &self,
        socket: &Socket,
        data: &'a [u8],
        addr: SocketAddr,
    ) -> impl Future<Output = Result<usize>> + use<'a> {
        SockOp::new(socket, Direction::Write, move |kind: &Kind| match kind {
            Kind::Udp(s) => s.send_to(data, addr),
            _ => Err(not_for("sendto", "this")),
        })
    }

    /// Receives a datagram of up to `n` bytes, and its sender's address
    /// (asyncio's `loop.sock_recvfrom`).
    ///
    /// # Examples
    ///
    /// See [`sock_sendto`](Self::sock_sendto).
    pub fn sock_recvfrom(
        &self,
        socket: &Socket,
        n: usize,
    ) -> impl Future<Output = Result<(Vec<u8>, SockAddr)>> + use<> {
        let mut buf = Vec::new();
        SockOp::new(socket, Direction::Read, move |kind: &Kind| {
            buf.resize(n, 0);
            let (got, from) = match kind {
                Kind::Udp(s) => s.recv_from(&mut buf).map(|(n, a)| (n, SockAddr::Inet(a)))?,
                Kind::UnixDatagram(s) => {
                    s.recv_from(&mut buf).map(|(n, a)| (n, SockAddr::Unix(a)))?
                }
                _ => return Err(not_for("recvfrom", "this")),
            };
            buf.truncate(got);
            Ok((std::mem::take(&mut buf), from))
        })
    }

    /// Accepts a connection on a listening socket (asyncio's
    /// `loop.sock_accept`): the new socket, registered with this loop, and
    /// the peer's address. TCP connections get `TCP_NODELAY`.
    ///
    /// Cancelling it before it completes accepts nothing: the connection
    /// waits in the backlog for the next call.
    ///
    /// # Examples
    ///
    /// See [`Socket`].
    pub fn sock_accept(
        &self,
        listener: &Socket,
    ) -> impl Future<Output = Result<(Socket, SockAddr)>> + use<> {
        accept_registered(listener.clone())
    }

    /// Connects a new TCP socket to `addr` (asyncio's `loop.sock_connect`,
    /// which here also creates the socket: std has no unconnected TCP
    /// socket type). The socket has `TCP_NODELAY`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io): connection refused, unreachable, ...
    ///
    /// # Examples
    ///
    /// See [`Socket`].
    pub fn sock_connect(&self, addr: SocketAddr) -> impl Future<Output = Result<Socket>> + use<> {
        connect_tcp(addr)
    }
}

/// A connection accepted and not yet registered with the loop.
pub(super) struct Accepted(Kind, SockAddr);

impl Accepted {
    /// Registers the connection with the running loop.
    pub(super) fn register(self) -> Result<(Socket, SockAddr)> {
        Ok((Socket::new(self.0)?, self.1))
    }
}

/// One non-blocking accept; TCP connections get `TCP_NODELAY`.
fn accept(kind: &Kind) -> io::Result<Accepted> {
    match kind {
        Kind::TcpListener(l) => l.accept().and_then(|(s, a)| {
            s.set_nodelay(true)?;
            Ok(Accepted(Kind::TcpStream(s), SockAddr::Inet(a)))
        }),
        Kind::UnixListener(l) => l
            .accept()
            .map(|(s, a)| Accepted(Kind::UnixStream(s), SockAddr::Unix(a))),
        _ => Err(not_for("accept", "a non-listening")),
    }
}

#[crate::coroutine]
fn accept_registered(listener: Socket) -> Result<(Socket, SockAddr)> {
    SockOp::new(&listener, Direction::Read, accept)
        .await?
        .register()
}

/// mio's recipe for a non-blocking connect: once writable, no pending
/// error and a peer address mean connected.
fn connected(kind: &Kind) -> io::Result<()> {
    let (error, peer) = match kind {
        Kind::TcpStream(s) => (s.take_error()?, s.peer_addr().map(drop)),
        Kind::UnixStream(s) => (s.take_error()?, s.peer_addr().map(drop)),
        _ => return Err(not_for("connect", "this")),
    };
    if let Some(err) = error {
        return Err(err);
    }
    match (peer, kind) {
        (Ok(()), Kind::TcpStream(s)) => s.set_nodelay(true),
        (Ok(()), _) => Ok(()),
        (Err(err), _) if err.kind() == io::ErrorKind::NotConnected => {
            Err(io::ErrorKind::WouldBlock.into())
        }
        (Err(err), _) => Err(err),
    }
}

#[crate::coroutine]
fn connect_tcp(addr: SocketAddr) -> Result<Socket> {
    let socket = Socket::new(Kind::TcpStream(TcpStream::connect(addr)?))?;
    SockOp::new(&socket, Direction::Write, connected).await?;
    Ok(socket)
}

/// Connects a new Unix stream socket to `addr`.
#[crate::coroutine]
pub(super) fn connect_unix(addr: unix::SocketAddr) -> Result<Socket> {
    let socket = Socket::new(Kind::UnixStream(UnixStream::connect_addr(&addr)?))?;
    SockOp::new(&socket, Direction::Write, connected).await?;
    Ok(socket)
}

/// asyncio's check: pipe transports are for pipes, sockets and character
/// devices (a regular file is always "ready" and cannot be polled).
fn check_pipe(fd: &std::os::fd::OwnedFd) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let file = std::fs::File::from(fd.try_clone()?);
    let kind = file.metadata()?.file_type();
    if kind.is_fifo() || kind.is_socket() || kind.is_char_device() {
        Ok(())
    } else {
        Err(crate::Error::Value(
            "pipe transports are for pipes, sockets and character devices only".into(),
        ))
    }
}
