//! Streams (asyncio's "Streams"): [`StreamReader`] and [`StreamWriter`]
//! over a connection, made by [`open_connection`] and
//! [`open_unix_connection`] (clients) or handed to the callback of
//! [`start_server`] and [`start_unix_server`] (servers).
//!
//! Built as asyncio builds them, on the transports and protocols below
//! (`crate::io`): one object per connection is both the transport's
//! protocol and the reader's state (`state::StreamState`, asyncio's
//! `StreamReaderProtocol` and `StreamReader` buffer), a buffered protocol
//! into whose buffer the transport receives directly; the writer wraps the
//! transport and waits on that state for flow control.
//!
//! Files: `state` (the shared state and protocol), `reader`, `writer`,
//! and here the `open_*`/`start_*` functions. `start_tls` is not
//! implemented (the runtime has no TLS).

mod reader;
mod state;
mod writer;

use std::cell::RefCell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use self::reader::{StreamRead, StreamReader};
pub use self::writer::StreamWriter;

pub(crate) use self::reader::check_limit;
use self::state::OnConnect;
pub(crate) use self::state::{DEFAULT_LIMIT, Guard, StreamState};
use crate::error::Result;
use crate::event_loop::ExceptionContext;
use crate::io::{Factory, Protocol, Server, ServerOptions, Socket, Transport};
use crate::task::IntoResult;

/// Opens a TCP connection to `host:port` and returns its reader and
/// writer (asyncio's `open_connection`), with the default buffer limit
/// (64 KiB). `host` is resolved and its addresses tried in order; the
/// socket has `TCP_NODELAY`.
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io): the name does not resolve, or the
/// connection failed (refused, unreachable...);
/// [`Error::InvalidState`](crate::Error::InvalidState) with no running
/// loop.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn greet(_reader: asyncio::StreamReader, writer: asyncio::StreamWriter) -> asyncio::Result<()> {
///     writer.write(b"hello\n")?;
///     writer.close();
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let server = asyncio::start_server(greet, "127.0.0.1", 0).await?;
///     let port = server.sockets()[0].local_addr()?.port();
///     let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
///     let line = reader.readline().await?;
///     writer.close();
///     writer.wait_closed().await?;
///     server.close();
///     server.wait_closed().await?;
///     Ok(line)
/// }
/// assert_eq!(asyncio::run(main_())?, b"hello\n");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn open_connection(
    host: &str,
    port: u16,
) -> impl Future<Output = Result<(StreamReader, StreamWriter)>> + use<> {
    open_connection_with(host, port, DEFAULT_LIMIT)
}

/// [`open_connection`] with the reader's buffer limit `limit` (asyncio's
/// `limit=` argument).
///
/// # Errors
///
/// As [`open_connection`]; [`Error::Value`](crate::Error::Value) if
/// `limit` is 0.
///
/// # Examples
///
/// ```no_run
/// # #[asyncio::coroutine]
/// # fn f() -> asyncio::Result<()> {
/// let (reader, _writer) = asyncio::open_connection_with("example.com", 80, 1 << 20).await?;
/// assert_eq!(reader.limit(), 1 << 20);
/// # Ok(())
/// # }
/// ```
pub fn open_connection_with(
    host: &str,
    port: u16,
    limit: usize,
) -> impl Future<Output = Result<(StreamReader, StreamWriter)>> + use<> {
    connect_tcp(host.to_owned(), port, limit)
}

/// Connects to the Unix stream socket at `path` and returns its reader
/// and writer (asyncio's `open_unix_connection`). A path starting with a
/// NUL byte names a socket in Linux's abstract namespace.
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io): no socket at `path` (`NotFound`),
/// nobody listening (`ConnectionRefused`), a path too long.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn echo(reader: asyncio::StreamReader, writer: asyncio::StreamWriter) -> asyncio::Result<()> {
///     let data = reader.read(100).await?;
///     writer.write(&data)?;
///     writer.drain().await
/// }
///
/// #[asyncio::coroutine]
/// fn main_(path: std::path::PathBuf) -> asyncio::Result<Vec<u8>> {
///     let server = asyncio::start_unix_server(echo, &path).await?;
///     let (reader, writer) = asyncio::open_unix_connection(&path).await?;
///     writer.write(b"over a Unix socket")?;
///     let reply = reader.read_to_end().await?;
///     writer.close();
///     server.close();
///     server.wait_closed().await?;
///     Ok(reply)
/// }
/// let path = std::env::temp_dir().join(format!("asyncio-streams-doc-{}.sock", std::process::id()));
/// assert_eq!(asyncio::run(main_(path))?, b"over a Unix socket");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn open_unix_connection(
    path: &Path,
) -> impl Future<Output = Result<(StreamReader, StreamWriter)>> + use<> {
    open_unix_connection_with(path, DEFAULT_LIMIT)
}

/// [`open_unix_connection`] with the reader's buffer limit `limit`.
///
/// # Errors
///
/// As [`open_unix_connection`]; [`Error::Value`](crate::Error::Value) if
/// `limit` is 0.
pub fn open_unix_connection_with(
    path: &Path,
    limit: usize,
) -> impl Future<Output = Result<(StreamReader, StreamWriter)>> + use<> {
    connect_unix(path.to_owned(), limit)
}

/// Wraps a stream socket connected or accepted elsewhere (a
/// [`Socket`] from [`EventLoop::sock_accept`](crate::EventLoop::sock_accept),
/// [`Socket::from_tcp_stream`], [`Socket::from_unix_stream`]) in a reader
/// and writer, with buffer limit `limit` (asyncio's `open_connection(sock=...)`
/// and `loop.connect_accepted_socket` with a stream protocol).
///
/// # Errors
///
/// [`Error::InvalidState`](crate::Error::InvalidState) for a closed
/// socket or with no running loop; [`Error::Value`](crate::Error::Value)
/// if `limit` is 0.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let lp = asyncio::get_running_loop()?;
///     let listener = asyncio::Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
///     let client = lp.sock_connect(listener.local_addr()?).await?;
///     let (accepted, _) = lp.sock_accept(&listener).await?;
///     let (reader, writer) = asyncio::open_socket_connection(accepted, 64 * 1024).await?;
///     lp.sock_sendall(&client, b"ping\n").await?;
///     let line = reader.readline().await?;
///     writer.close();
///     client.close();
///     Ok(line)
/// }
/// assert_eq!(asyncio::run(main_())?, b"ping\n");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn open_socket_connection(
    socket: Socket,
    limit: usize,
) -> impl Future<Output = Result<(StreamReader, StreamWriter)>> + use<> {
    connect_socket(socket, limit)
}

/// Listens on `host:port` (each address `host` resolves to; port 0 picks
/// a free one) and runs `callback(reader, writer)` as a new task for each
/// connection (asyncio's `start_server`). The [`Server`] is serving when
/// this returns.
///
/// `callback` is a `#[coroutine]` fn taking a [`StreamReader`] and a
/// [`StreamWriter`], or any `Fn` returning a future (plain fns and
/// closures too); its output is `()` or a `Result`. An error it returns is
/// reported to the loop's exception handler as "Unhandled exception in
/// client_connected_cb" and the connection is closed; a cancelled
/// callback's connection is closed without a report. When the callback
/// returns, the reader and writer it dropped close the connection
/// (reported in debug mode unless closed first).
///
/// [`Server::wait_closed`] waits until the server is closed and every
/// connection is closed.
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io): the name does not resolve, an address
/// cannot be bound.
///
/// # Examples
///
/// An echo server, serving until its task is cancelled:
///
/// ```
/// #[asyncio::coroutine]
/// fn echo(reader: asyncio::StreamReader, writer: asyncio::StreamWriter) -> asyncio::Result<()> {
///     loop {
///         let data = reader.read(64 * 1024).await?;
///         if data.is_empty() {
///             break;
///         }
///         writer.write(&data)?;
///         writer.drain().await?;
///     }
///     writer.close();
///     writer.wait_closed().await
/// }
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let server = asyncio::start_server(echo, "127.0.0.1", 0).await?;
///     let port = server.sockets()[0].local_addr()?.port();
///     let serving = asyncio::create_task(server.serve_forever());
///     let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
///     writer.write(b"marco")?;
///     writer.write_eof();
///     let reply = reader.read_to_end().await?;
///     writer.close();
///     serving.cancel();
///     server.wait_closed().await?;
///     Ok(reply)
/// }
/// assert_eq!(asyncio::run(main_())?, b"marco");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn start_server<C, F>(
    callback: C,
    host: &str,
    port: u16,
) -> impl Future<Output = Result<Server>> + use<C, F>
where
    C: Fn(StreamReader, StreamWriter) -> F + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
{
    start_server_with(
        callback,
        host,
        port,
        DEFAULT_LIMIT,
        ServerOptions::default(),
    )
}

/// [`start_server`] with each reader's buffer limit `limit` and the
/// server's options (`backlog`, `reuse_port`, `start_serving`).
///
/// # Errors
///
/// As [`start_server`]; [`Error::Value`](crate::Error::Value) if `limit`
/// is 0.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn ignore(_r: asyncio::StreamReader, _w: asyncio::StreamWriter) {}
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<bool> {
///     let options = asyncio::ServerOptions { backlog: 1024, ..Default::default() };
///     let server = asyncio::start_server_with(ignore, "127.0.0.1", 0, 1 << 20, options).await?;
///     let serving = server.is_serving();
///     server.close();
///     server.wait_closed().await?;
///     Ok(serving)
/// }
/// assert!(asyncio::run(main_())?);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn start_server_with<C, F>(
    callback: C,
    host: &str,
    port: u16,
    limit: usize,
    options: ServerOptions,
) -> impl Future<Output = Result<Server>> + use<C, F>
where
    C: Fn(StreamReader, StreamWriter) -> F + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
{
    serve_tcp(
        factory(callback, limit),
        host.to_owned(),
        port,
        limit,
        options,
    )
}

/// [`start_server`] on a Unix stream socket at `path` (asyncio's
/// `start_unix_server`). A stale socket file at `path` is replaced; the
/// file is removed when the server closes.
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io): a file that is not a socket at
/// `path`, a missing directory, a path too long.
///
/// # Examples
///
/// See [`open_unix_connection`].
pub fn start_unix_server<C, F>(
    callback: C,
    path: &Path,
) -> impl Future<Output = Result<Server>> + use<C, F>
where
    C: Fn(StreamReader, StreamWriter) -> F + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
{
    start_unix_server_with(callback, path, DEFAULT_LIMIT, ServerOptions::default())
}

/// [`start_unix_server`] with a buffer limit and server options.
///
/// # Errors
///
/// As [`start_unix_server`]; [`Error::Value`](crate::Error::Value) if
/// `limit` is 0.
pub fn start_unix_server_with<C, F>(
    callback: C,
    path: &Path,
    limit: usize,
    options: ServerOptions,
) -> impl Future<Output = Result<Server>> + use<C, F>
where
    C: Fn(StreamReader, StreamWriter) -> F + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
{
    serve_unix(factory(callback, limit), path.to_owned(), limit, options)
}

/// The reader and writer of a connected transport.
fn halves(
    (transport, state): (Transport, Rc<RefCell<StreamState>>),
) -> (StreamReader, StreamWriter) {
    let reader = StreamReader::connected(state, transport.clone());
    let writer = StreamWriter::new(transport, &reader);
    (reader, writer)
}

#[crate::coroutine]
fn connect_tcp(host: String, port: u16, limit: usize) -> Result<(StreamReader, StreamWriter)> {
    check_limit(limit)?;
    let lp = crate::get_running_loop()?;
    let connected = lp
        .create_connection(move || StreamState::new(limit), &host, port)
        .await?;
    Ok(halves(connected))
}

#[crate::coroutine]
fn connect_unix(path: PathBuf, limit: usize) -> Result<(StreamReader, StreamWriter)> {
    check_limit(limit)?;
    let lp = crate::get_running_loop()?;
    let connected = lp
        .create_unix_connection(move || StreamState::new(limit), &path)
        .await?;
    Ok(halves(connected))
}

#[crate::coroutine]
fn connect_socket(socket: Socket, limit: usize) -> Result<(StreamReader, StreamWriter)> {
    check_limit(limit)?;
    let lp = crate::get_running_loop()?;
    let connected = lp
        .connect_accepted_socket(move || StreamState::new(limit), socket)
        .await?;
    Ok(halves(connected))
}

#[crate::coroutine]
fn serve_tcp(
    factory: Box<Factory>,
    host: String,
    port: u16,
    limit: usize,
    options: ServerOptions,
) -> Result<Server> {
    check_limit(limit)?;
    let lp = crate::get_running_loop()?;
    lp.create_server_shared(factory, &host, port, options).await
}

#[crate::coroutine]
fn serve_unix(
    factory: Box<Factory>,
    path: PathBuf,
    limit: usize,
    options: ServerOptions,
) -> Result<Server> {
    check_limit(limit)?;
    let lp = crate::get_running_loop()?;
    lp.create_unix_server_shared(factory, &path, options).await
}

/// The protocol factory of a stream server: each connection's state,
/// which spawns `callback` once connected.
fn factory<C, F>(callback: C, limit: usize) -> Box<Factory>
where
    C: Fn(StreamReader, StreamWriter) -> F + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
{
    let callback = Rc::new(callback);
    let on_connect: OnConnect = Rc::new(move |reader, writer, transport: &Transport| {
        let task = client_connected(callback.clone(), reader, writer, transport.clone());
        let spawned = crate::get_running_loop().and_then(|lp| lp.create_task(task));
        if let Err(err) = spawned {
            report("cannot start client_connected_cb", err);
            transport.close();
        }
    });
    Box::new(move || -> Rc<RefCell<dyn Protocol>> {
        StreamState::new_shared(limit, Some(on_connect.clone()))
    })
}

/// Runs a server's callback for one connection, as asyncio's
/// `StreamReaderProtocol` does with the task it makes: an error is
/// reported and closes the connection; a cancellation closes it.
#[crate::coroutine]
fn client_connected<C, F>(
    callback: Rc<C>,
    reader: StreamReader,
    writer: StreamWriter,
    transport: Transport,
) -> Result<()>
where
    C: Fn(StreamReader, StreamWriter) -> F + 'static,
    F: Future + 'static,
    F::Output: IntoResult,
{
    let outcome = (*callback)(reader, writer).await.into_result();
    match outcome {
        Ok(_) => Ok(()),
        Err(err) if err.is_cancelled() => {
            transport.close();
            Err(err)
        }
        Err(err) => {
            report("Unhandled exception in client_connected_cb", err);
            transport.close();
            Ok(())
        }
    }
}

fn report(message: &str, err: crate::Error) {
    if let Ok(lp) = crate::get_running_loop() {
        lp.call_exception_handler(ExceptionContext::new(message).with_exception(err));
    }
}
