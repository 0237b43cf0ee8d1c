//! [`Server`], and the loop's `create_connection` / `create_server`, their
//! Unix-socket forms, and `connect_accepted_socket`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::rc::{Rc, Weak};
use std::time::Duration;

use super::listen::{ServerOptions, SocketFile, tcp_listener, unix_addr, unix_listener};
use super::protocol::Protocol;
use super::socket::Socket;
use super::transport::{Flavor, Transport};
use crate::error::{Error, Result};
use crate::event_loop::scheduled_io::Direction;
use crate::event_loop::{EventLoop, ExceptionContext};
use crate::sync::{Event, EventWait};

/// Connections accepted per readiness event at most (asyncio's backlog
/// default); more are accepted in the next iteration.
const ACCEPTS_PER_TURN: usize = 100;
/// How long accepting pauses after running out of descriptors (asyncio's
/// `ACCEPT_RETRY_DELAY`).
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Makes the protocol of each accepted connection, already shared.
pub(crate) type Factory = dyn Fn() -> Rc<RefCell<dyn Protocol>>;

struct Inner {
    me: Weak<Inner>,
    event_loop: EventLoop,
    listeners: RefCell<Vec<Socket>>,
    /// The files of Unix listeners, removed at close if still theirs.
    files: RefCell<Vec<SocketFile>>,
    factory: Box<Factory>,
    serving: Cell<bool>,
    closed: Cell<bool>,
    clients: RefCell<Vec<Transport>>,
    /// Set once closed and every client connection is lost.
    done: Event,
}

/// A listening server (asyncio's `Server`): accepts connections and gives
/// each a transport and a new protocol from the factory. A cheap `Rc`
/// handle.
///
/// # Examples
///
/// ```
/// use asyncio::{Protocol, Transport};
///
/// #[derive(Default)]
/// struct Echo(Option<Transport>);
/// impl Protocol for Echo {
///     fn connection_made(&mut self, t: &Transport) { self.0 = Some(t.clone()); }
///     fn data_received(&mut self, data: &[u8]) {
///         self.0.as_ref().unwrap().write(data).unwrap();
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let lp = asyncio::get_running_loop()?;
///     let server = lp.create_server(Echo::default, "127.0.0.1", 0).await?;
///     let addr = server.sockets()[0].local_addr()?;
///     let client = lp.sock_connect(addr).await?;
///     lp.sock_sendall(&client, b"echo me").await?;
///     let reply = lp.sock_recv(&client, 64).await?;
///     server.close();
///     client.close();
///     server.wait_closed().await?;
///     Ok(reply)
/// }
/// assert_eq!(asyncio::run(main_())?, b"echo me");
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct Server(Rc<Inner>);

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("serving", &self.0.serving.get())
            .field("clients", &self.0.clients.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts accepting connections (done by `create_server`; asyncio's
    /// `start_serving`). Does nothing once closed.
    pub fn start_serving(&self) {
        let inner = &self.0;
        if inner.closed.get() || inner.serving.replace(true) {
            return;
        }
        for i in 0..inner.listeners.borrow().len() {
            inner.watch(i);
        }
    }

    /// Whether the server accepts connections.
    pub fn is_serving(&self) -> bool {
        self.0.serving.get()
    }

    /// The listening sockets.
    pub fn sockets(&self) -> Vec<Socket> {
        self.0.listeners.borrow().clone()
    }

    /// Stops listening and closes the listening sockets; connections
    /// already accepted go on (asyncio's `close`).
    pub fn close(&self) {
        let inner = &self.0;
        if inner.closed.replace(true) {
            return;
        }
        inner.serving.set(false);
        for listener in inner.listeners.take() {
            listener.close();
        }
        for file in inner.files.take() {
            file.remove_if_ours();
        }
        inner.check_done();
    }

    /// Closes every client transport (flushing each).
    pub fn close_clients(&self) {
        for client in self.0.clients.borrow().clone() {
            client.close();
        }
    }

    /// Aborts every client transport.
    pub fn abort_clients(&self) {
        for client in self.0.clients.borrow().clone() {
            client.abort();
        }
    }

    /// Waits until the server is closed and every connection it accepted
    /// is lost (asyncio 3.12's `wait_closed`).
    pub fn wait_closed(&self) -> EventWait {
        self.0.done.wait()
    }

    /// Serves until cancelled, then closes (asyncio's `serve_forever`).
    ///
    /// # Errors
    ///
    /// The cancellation that ended it.
    pub fn serve_forever(&self) -> impl Future<Output = Result<()>> + use<> {
        self.start_serving();
        ServeForever {
            server: self.clone(),
            forever: crate::sleep(f64::INFINITY),
        }
    }
}

/// The future of [`Server::serve_forever`]: a sleep that only a
/// cancellation ends, closing the server on the way out.
struct ServeForever {
    server: Server,
    forever: crate::Sleep,
}

impl Drop for ServeForever {
    /// Dropped unfinished (its task destroyed): the server closes all the
    /// same, as asyncio's `serve_forever` closes it in a `finally`.
    fn drop(&mut self) {
        self.server.close();
    }
}

impl Future for ServeForever {
    type Output = Result<()>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<()>> {
        let result = std::pin::Pin::new(&mut self.forever).poll(cx);
        if result.is_ready() {
            self.server.close();
        }
        result
    }
}

impl super::registration::Abandon for Inner {
    /// The loop closed while serving: the listeners close with it.
    fn abandon(&self) {}
}

impl Inner {
    /// Accepts on listener `i` at each readiness event. The handler owns
    /// the server, which owns the listener: the cycle ends at `close`,
    /// which deregisters the listener (dropping the handler), or when the
    /// loop closes.
    fn watch(&self, i: usize) {
        let Some(listener) = self.listeners.borrow().get(i).cloned() else {
            return;
        };
        let Some(me) = self.me.upgrade() else {
            return;
        };
        // Owned by the handler: a serving server whose handles were all
        // dropped goes on serving, as in asyncio, until closed.
        let registration = listener.registration();
        registration.set_owning_handler(Direction::Read, me, move |inner: &Inner| {
            inner.on_acceptable(i)
        });
        registration.handle_if_ready(Direction::Read);
    }

    fn on_acceptable(&self, i: usize) {
        let Some(listener) = self.listeners.borrow().get(i).cloned() else {
            return;
        };
        let registration = listener.registration();
        for _ in 0..ACCEPTS_PER_TURN {
            if !self.serving.get() {
                return;
            }
            match registration.try_io(Direction::Read, || listener.accept_now()) {
                None => return, // drained: the next event brings more
                Some(Ok(accepted)) => match accepted.register() {
                    Ok((socket, _)) => self.serve(socket),
                    Err(err) => self.report("cannot register an accepted connection", err),
                },
                Some(Err(err)) if out_of_resources(&err) => {
                    // No event will come for the connections waiting: stop,
                    // and try again later (the readiness is still cached).
                    self.report(
                        "socket.accept() out of system resource; accepting again in 1 s",
                        Error::Io(err),
                    );
                    registration.clear_handler(Direction::Read);
                    let me = self.me.upgrade();
                    let _ = self.event_loop.call_later(ACCEPT_RETRY_DELAY, move || {
                        if let Some(inner) = me {
                            if inner.serving.get() {
                                inner.watch(i);
                            }
                        }
                    });
                    return;
                }
                // The peer gave up before we accepted: next one.
                Some(Err(err)) if err.kind() == io::ErrorKind::ConnectionAborted => {}
                Some(Err(err)) => self.report("error accepting a connection", Error::Io(err)),
            }
        }
        // Bounded work per turn: the rest in the next iteration.
        registration.handle_if_ready(Direction::Read);
    }

    fn report(&self, message: &str, err: Error) {
        self.event_loop
            .call_exception_handler(ExceptionContext::new(message).with_exception(err));
    }

    fn serve(&self, socket: Socket) {
        let protocol = (self.factory)();
        let me = self.me.clone();
        match Transport::start_with(socket, protocol, move |lost| {
            if let Some(inner) = me.upgrade() {
                inner.clients.borrow_mut().retain(|t| !t.same(lost));
                inner.check_done();
            }
        }) {
            Ok(transport) => self.clients.borrow_mut().push(transport),
            Err(err) => self.report("cannot start a transport for an accepted connection", err),
        }
    }

    fn check_done(&self) {
        if self.closed.get() && self.clients.borrow().is_empty() {
            self.done.set();
        }
    }
}

fn out_of_resources(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

impl EventLoop {
    /// Opens a TCP connection to `host:port` and starts `protocol` on it
    /// (asyncio's `loop.create_connection`): the addresses `host` resolves
    /// to are tried in order; the transport has `TCP_NODELAY`.
    /// `connection_made` has been called when this returns.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the name does not resolve, or the last address's
    /// connection error (refused, unreachable...).
    ///
    /// # Examples
    ///
    /// See [`Server`] for a protocol; connecting:
    ///
    /// ```no_run
    /// # #[derive(Default)] struct Echo;
    /// # impl asyncio::Protocol for Echo {}
    /// # #[asyncio::coroutine]
    /// # fn f() -> asyncio::Result<()> {
    /// let lp = asyncio::get_running_loop()?;
    /// let (transport, protocol) = lp.create_connection(Echo::default, "127.0.0.1", 6379).await?;
    /// transport.write(b"PING\r\n")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn create_connection<P: Protocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        host: &str,
        port: u16,
    ) -> impl Future<Output = Result<(Transport, Rc<RefCell<P>>)>> + use<P, F> {
        connect(self.clone(), self.getaddrinfo(host, port), protocol)
    }

    /// Listens on `host:port` (every address `host` resolves to; port 0
    /// picks a free one) and serves each connection with a new protocol
    /// from `factory` (asyncio's `loop.create_server`, serving at once).
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the name does not resolve, or an address cannot be
    /// bound.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub fn create_server<P: Protocol, F: Fn() -> P + 'static>(
        &self,
        factory: F,
        host: &str,
        port: u16,
    ) -> impl Future<Output = Result<Server>> + use<P, F> {
        self.create_server_with(factory, host, port, ServerOptions::default())
    }

    /// [`create_server`](Self::create_server) with options: the listen
    /// `backlog`, `reuse_port`, and whether to start serving at once.
    ///
    /// # Errors
    ///
    /// As [`create_server`](Self::create_server).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[derive(Default)] struct Quiet;
    /// # impl asyncio::Protocol for Quiet {}
    /// use asyncio::ServerOptions;
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<bool> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let options = ServerOptions { backlog: 1024, start_serving: false, ..Default::default() };
    ///     let server = lp.create_server_with(Quiet::default, "127.0.0.1", 0, options).await?;
    ///     let before = server.is_serving();
    ///     server.start_serving();
    ///     Ok(!before && server.is_serving())
    /// }
    /// assert!(asyncio::run(main_())?);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn create_server_with<P: Protocol, F: Fn() -> P + 'static>(
        &self,
        factory: F,
        host: &str,
        port: u16,
        options: ServerOptions,
    ) -> impl Future<Output = Result<Server>> + use<P, F> {
        self.create_server_shared(boxed(factory), host, port, options)
    }

    /// [`create_server_with`](Self::create_server_with) with a factory
    /// that makes each protocol already shared (streams keep a handle to
    /// the protocol they are).
    pub(crate) fn create_server_shared(
        &self,
        factory: Box<Factory>,
        host: &str,
        port: u16,
        options: ServerOptions,
    ) -> impl Future<Output = Result<Server>> + use<> {
        serve(self.clone(), self.getaddrinfo(host, port), factory, options)
    }

    /// Connects to the Unix stream socket at `path` and starts `protocol`
    /// on it (asyncio's `loop.create_unix_connection`). A path starting
    /// with a NUL byte names a socket in Linux's abstract namespace.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: no socket at `path` (`NotFound`), nobody listening
    /// (`ConnectionRefused`), a path too long for a socket address.
    ///
    /// # Examples
    ///
    /// See [`create_unix_server`](Self::create_unix_server).
    pub fn create_unix_connection<P: Protocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        path: &Path,
    ) -> impl Future<Output = Result<(Transport, Rc<RefCell<P>>)>> + use<P, F> {
        unix_connect(path.to_owned(), protocol)
    }

    /// Listens on a Unix stream socket at `path` and serves each
    /// connection with a new protocol from `factory` (asyncio's
    /// `loop.create_unix_server`). A socket file already at `path` (left by
    /// a server that did not clean up) is replaced; the file is removed
    /// when the server closes, if it is still this server's socket. A path
    /// starting with a NUL byte names a socket in Linux's abstract
    /// namespace (no file).
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: a file that is not a socket at `path`
    /// (`AddrInUse`), a missing directory, a path too long for a socket
    /// address.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::{Protocol, Transport};
    ///
    /// #[derive(Default)]
    /// struct Upper(Option<Transport>);
    /// impl Protocol for Upper {
    ///     fn connection_made(&mut self, t: &Transport) { self.0 = Some(t.clone()); }
    ///     fn data_received(&mut self, data: &[u8]) {
    ///         self.0.as_ref().unwrap().write(&data.to_ascii_uppercase()).unwrap();
    ///     }
    /// }
    ///
    /// #[derive(Default)]
    /// struct Client { reply: Vec<u8>, done: asyncio::Event }
    /// impl Protocol for Client {
    ///     fn data_received(&mut self, data: &[u8]) {
    ///         self.reply.extend_from_slice(data);
    ///         self.done.set();
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_(path: std::path::PathBuf) -> asyncio::Result<Vec<u8>> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let server = lp.create_unix_server(Upper::default, &path).await?;
    ///     let (transport, client) = lp.create_unix_connection(Client::default, &path).await?;
    ///     transport.write(b"hello")?;
    ///     let done = client.borrow().done.clone();
    ///     done.wait().await?;
    ///     transport.close();
    ///     server.close();
    ///     server.wait_closed().await?;
    ///     let reply = client.borrow().reply.clone();
    ///     Ok(reply)
    /// }
    ///
    /// let path = std::env::temp_dir().join(format!("asyncio-doc-{}.sock", std::process::id()));
    /// assert_eq!(asyncio::run(main_(path.clone()))?, b"HELLO");
    /// assert!(!path.exists(), "the server removed its socket file");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn create_unix_server<P: Protocol, F: Fn() -> P + 'static>(
        &self,
        factory: F,
        path: &Path,
    ) -> impl Future<Output = Result<Server>> + use<P, F> {
        self.create_unix_server_with(factory, path, ServerOptions::default())
    }

    /// [`create_unix_server`](Self::create_unix_server) with options (the
    /// `backlog`, whether to start serving; `reuse_port` does not apply).
    ///
    /// # Errors
    ///
    /// As [`create_unix_server`](Self::create_unix_server).
    pub fn create_unix_server_with<P: Protocol, F: Fn() -> P + 'static>(
        &self,
        factory: F,
        path: &Path,
        options: ServerOptions,
    ) -> impl Future<Output = Result<Server>> + use<P, F> {
        self.create_unix_server_shared(boxed(factory), path, options)
    }

    /// [`create_unix_server_with`](Self::create_unix_server_with) with a
    /// factory that makes each protocol already shared.
    pub(crate) fn create_unix_server_shared(
        &self,
        factory: Box<Factory>,
        path: &Path,
        options: ServerOptions,
    ) -> impl Future<Output = Result<Server>> + use<> {
        unix_server(self.clone(), path.to_owned(), factory, options)
    }

    /// Starts `protocol` on a socket connected or accepted elsewhere
    /// (asyncio's `loop.connect_accepted_socket`), for instance one from
    /// [`sock_accept`](Self::sock_accept) or made with
    /// [`Socket::from_tcp_stream`] / [`Socket::from_unix_stream`].
    /// `connection_made` has been called when this returns.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] for a closed socket.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[derive(Default)] struct Quiet;
    /// # impl asyncio::Protocol for Quiet {}
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<bool> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let listener = asyncio::Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
    ///     let client = lp.sock_connect(listener.local_addr()?).await?;
    ///     let (accepted, _) = lp.sock_accept(&listener).await?;
    ///     let (transport, _) = lp.connect_accepted_socket(Quiet::default, accepted).await?;
    ///     let peer = transport.peername()?;
    ///     Ok(peer == client.local_addr()?)
    /// }
    /// assert!(asyncio::run(main_())?);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn connect_accepted_socket<P: Protocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        socket: Socket,
    ) -> impl Future<Output = Result<(Transport, Rc<RefCell<P>>)>> + use<P, F> {
        start(socket, protocol)
    }

    /// Reads the pipe `pipe` with `protocol` (asyncio's
    /// `loop.connect_read_pipe`): `data_received` as data comes, then
    /// `eof_received` and `connection_lost(None)` when the writer closes
    /// its end. The transport reads only (`pause_reading`,
    /// `resume_reading`, `close`); `pipe` is any descriptor of a pipe,
    /// socket or character device (`std::io::pipe()`'s reader, a child's
    /// stdout, ...), made non-blocking.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a regular file or directory (which cannot be
    /// polled).
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(Default)]
    /// struct Collect { data: Vec<u8>, done: asyncio::Event }
    /// impl asyncio::Protocol for Collect {
    ///     fn data_received(&mut self, data: &[u8]) { self.data.extend_from_slice(data); }
    ///     fn connection_lost(&mut self, _: Option<asyncio::Error>) { self.done.set(); }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<Vec<u8>> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let (reader, mut writer) = std::io::pipe()?;
    ///     let (_, collect) = lp.connect_read_pipe(Collect::default, reader.into()).await?;
    ///     std::io::Write::write_all(&mut writer, b"through a pipe")?;
    ///     drop(writer);
    ///     let done = collect.borrow().done.clone();
    ///     done.wait().await?;
    ///     let data = collect.borrow().data.clone();
    ///     Ok(data)
    /// }
    /// assert_eq!(asyncio::run(main_())?, b"through a pipe");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn connect_read_pipe<P: Protocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        pipe: std::os::fd::OwnedFd,
    ) -> impl Future<Output = Result<(Transport, Rc<RefCell<P>>)>> + use<P, F> {
        start_flavor(Socket::from_pipe_reader(pipe), Flavor::ReadPipe, protocol)
    }

    /// Writes to the pipe `pipe` through a transport (asyncio's
    /// `loop.connect_write_pipe`): `write`/`writelines` never block (the
    /// rest is buffered, with the water marks and
    /// `pause_writing`/`resume_writing`), `write_eof` and `close` flush and
    /// close. When the reader closes its end, `connection_lost` gets
    /// `None`, or a `BrokenPipe` error if data was still buffered.
    ///
    /// # Errors
    ///
    /// As [`connect_read_pipe`](Self::connect_read_pipe).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[derive(Default)] struct Quiet;
    /// # impl asyncio::Protocol for Quiet {}
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<String> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let (mut reader, writer) = std::io::pipe()?;
    ///     let (transport, _) = lp.connect_write_pipe(Quiet::default, writer.into()).await?;
    ///     transport.write(b"hello, ")?;
    ///     transport.write(b"pipe")?;
    ///     transport.close();
    ///     asyncio::sleep(0.0).await?;
    ///     let mut out = String::new();
    ///     std::io::Read::read_to_string(&mut reader, &mut out)?;
    ///     Ok(out)
    /// }
    /// assert_eq!(asyncio::run(main_())?, "hello, pipe");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn connect_write_pipe<P: Protocol, F: FnOnce() -> P + 'static>(
        &self,
        protocol: F,
        pipe: std::os::fd::OwnedFd,
    ) -> impl Future<Output = Result<(Transport, Rc<RefCell<P>>)>> + use<P, F> {
        start_flavor(Socket::from_pipe_writer(pipe), Flavor::WritePipe, protocol)
    }
}

#[crate::coroutine]
fn connect<P, F, A>(lp: EventLoop, addrs: A, protocol: F) -> Result<(Transport, Rc<RefCell<P>>)>
where
    P: Protocol,
    F: FnOnce() -> P + 'static,
    A: Future<Output = Result<Vec<SocketAddr>>> + 'static,
{
    let addrs = addrs.await?;
    let mut last = Error::Io(io::Error::new(
        io::ErrorKind::NotFound,
        "the name resolved to no address",
    ));
    for addr in addrs {
        match lp.sock_connect(addr).await {
            Ok(socket) => return start(socket, protocol).await,
            Err(err) => last = err,
        }
    }
    Err(last)
}

/// `factory` making shared protocols.
fn boxed<P: Protocol, F: Fn() -> P + 'static>(factory: F) -> Box<Factory> {
    Box::new(move || -> Rc<RefCell<dyn Protocol>> { Rc::new(RefCell::new(factory())) })
}

#[crate::coroutine]
fn serve<A>(
    lp: EventLoop,
    addrs: A,
    factory: Box<Factory>,
    options: ServerOptions,
) -> Result<Server>
where
    A: Future<Output = Result<Vec<SocketAddr>>> + 'static,
{
    let addrs = addrs.await?;
    let mut listeners = Vec::new();
    for mut addr in addrs {
        if addr.port() == 0 {
            // Port 0 on several addresses: one free port for all, as
            // asyncio does by binding the first and reusing its port.
            if let Some(first) = listeners.first() {
                let first: &Socket = first;
                addr.set_port(first.local_addr()?.port());
            }
        }
        let listener = tcp_listener(addr, &options)?;
        listeners.push(Socket::from_tcp_listener(listener)?);
    }
    Ok(new_server(lp, listeners, Vec::new(), factory, &options))
}

/// A server over bound listeners, serving if the options say so.
fn new_server(
    lp: EventLoop,
    listeners: Vec<Socket>,
    files: Vec<SocketFile>,
    factory: Box<Factory>,
    options: &ServerOptions,
) -> Server {
    let server = Server(Rc::new_cyclic(|me| Inner {
        me: me.clone(),
        event_loop: lp,
        listeners: RefCell::new(listeners),
        files: RefCell::new(files),
        factory,
        serving: Cell::new(false),
        closed: Cell::new(false),
        clients: RefCell::new(Vec::new()),
        done: Event::new(),
    }));
    if options.start_serving {
        server.start_serving();
    }
    server
}

#[crate::coroutine]
fn unix_server(
    lp: EventLoop,
    path: PathBuf,
    factory: Box<Factory>,
    options: ServerOptions,
) -> Result<Server> {
    let (listener, file) = unix_listener(&path, &options)?;
    let listener = Socket::from_unix_listener(listener)?;
    Ok(new_server(
        lp,
        vec![listener],
        file.into_iter().collect(),
        factory,
        &options,
    ))
}

/// Starts `protocol` on a connected socket and waits for
/// `connection_made`.
fn start<P, F>(
    socket: Socket,
    protocol: F,
) -> impl Future<Output = Result<(Transport, Rc<RefCell<P>>)>> + use<P, F>
where
    P: Protocol,
    F: FnOnce() -> P + 'static,
{
    start_flavor(Ok(socket), Flavor::Stream, protocol)
}

#[crate::coroutine]
fn start_flavor<P, F>(
    socket: Result<Socket>,
    flavor: Flavor,
    protocol: F,
) -> Result<(Transport, Rc<RefCell<P>>)>
where
    P: Protocol,
    F: FnOnce() -> P + 'static,
{
    let socket = socket?;
    let protocol = Rc::new(RefCell::new(protocol()));
    let made = Event::new();
    let transport = Transport::start_notify(socket, flavor, protocol.clone(), made.clone())?;
    made.wait().await?;
    Ok((transport, protocol))
}

#[crate::coroutine]
fn unix_connect<P, F>(path: PathBuf, protocol: F) -> Result<(Transport, Rc<RefCell<P>>)>
where
    P: Protocol,
    F: FnOnce() -> P + 'static,
{
    let socket = super::socket::connect_unix(unix_addr(&path)?).await?;
    start(socket, protocol).await
}
