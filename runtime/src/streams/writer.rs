//! [`StreamWriter`]: the writing half, with `drain` and `wait_closed`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::reader::StreamReader;
use super::state::{DrainList, Guard, StreamState};
use crate::error::{Error, Result};
use crate::io::Transport;
use crate::sync::wait_list::ListWaiter;

/// The writing half of a stream connection (asyncio's `StreamWriter`): a
/// cheap `Rc` handle over the connection's [`Transport`].
///
/// [`write`](Self::write) never blocks: what the socket does not take at
/// once is buffered by the transport. [`drain`](Self::drain) is the flow
/// control: it waits while that buffer is above its high-water mark
/// (64 KiB by default) until it is back to the low one (16 KiB; both set
/// with [`Transport::set_write_buffer_limits`]), so `write` then
/// `drain().await?` in a loop keeps memory bounded.
///
/// Close with [`close`](Self::close) and
/// [`wait_closed`](Self::wait_closed). When the last handle to an open
/// connection is dropped (every writer and reader handle of it: a
/// `#[coroutine]` may drop a writer at its last use while it still reads),
/// the connection closes, and in debug mode "unclosed StreamWriter" is
/// reported to the loop's exception handler (asyncio's `__del__` warns
/// with a `ResourceWarning`). TLS (`start_tls`) is not supported.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn shout(reader: asyncio::StreamReader, writer: asyncio::StreamWriter) -> asyncio::Result<()> {
///     let line = reader.readline().await?;
///     writer.write(&line.to_ascii_uppercase())?;
///     writer.drain().await?;
///     writer.close();
///     writer.wait_closed().await
/// }
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let server = asyncio::start_server(shout, "127.0.0.1", 0).await?;
///     let port = server.sockets()[0].local_addr()?.port();
///     let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
///     writer.writelines(&[b"hello, ", b"streams\n"])?;
///     let reply = reader.read_to_end().await?;
///     writer.close();
///     server.close();
///     server.wait_closed().await?;
///     Ok(reply)
/// }
/// assert_eq!(asyncio::run(main_())?, b"HELLO, STREAMS\n");
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct StreamWriter(Rc<Inner>);

struct Inner {
    transport: Transport,
    state: Rc<RefCell<StreamState>>,
    /// Closes the connection when the last reader and writer are gone.
    guard: Rc<Guard>,
}

impl fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamWriter")
            .field("transport", &self.0.transport)
            .finish_non_exhaustive()
    }
}

impl StreamWriter {
    /// A writer over `transport`, whose protocol is `reader`'s state.
    pub(crate) fn new(transport: Transport, reader: &StreamReader) -> StreamWriter {
        StreamWriter(Rc::new(Inner {
            transport,
            state: reader.state().clone(),
            guard: reader.guard().clone(),
        }))
    }

    /// A writer over `transport` (a pipe) whose protocol is `state`.
    pub(crate) fn with_guard(
        transport: Transport,
        state: Rc<RefCell<StreamState>>,
        guard: Rc<Guard>,
    ) -> StreamWriter {
        StreamWriter(Rc::new(Inner {
            transport,
            state,
            guard,
        }))
    }

    /// Sends `data`: as much as the socket takes now, the rest buffered
    /// (asyncio's `write`). Follow with [`drain`](Self::drain) to respect
    /// flow control. Writes after the connection was lost are dropped, as
    /// in asyncio; `drain` reports the loss.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] after [`write_eof`](Self::write_eof).
    pub fn write(&self, data: &[u8]) -> Result<()> {
        self.0.transport.write(data)
    }

    /// Sends several buffers, gathered into one system call when nothing
    /// is buffered (asyncio's `writelines`).
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub fn writelines(&self, data: &[&[u8]]) -> Result<()> {
        self.0.transport.writelines(data)
    }

    /// Waits until it is fine to write again (asyncio's `drain`): at once
    /// unless the transport's buffer went over its high-water mark, else
    /// until it drained to the low-water mark. Any number of tasks may
    /// wait. A cancelled `drain` leaves the bytes buffered, and they are
    /// still sent.
    ///
    /// As in asyncio: it first fails with the reader's exception if it has
    /// one (the error the connection was lost with), and when the
    /// transport is closing it first yields to the loop once, so that a
    /// write + drain loop against a dead peer sees the connection lost
    /// instead of spinning.
    ///
    /// # Errors
    ///
    /// The error the connection was lost with (reset, broken pipe...), or
    /// a `ConnectionReset` [`Error::Io`] once the connection is lost (after
    /// [`close`](Self::close) too); [`Error::Cancelled`].
    ///
    /// # Examples
    ///
    /// See [`StreamWriter`].
    pub fn drain(&self) -> impl Future<Output = Result<()>> + use<> {
        // Nothing to wait for (the common case): ready at once, without
        // suspending, as asyncio's `drain` returns without yielding.
        let idle = {
            let s = self.0.state.borrow();
            s.exception.is_none() && !s.lost && !s.write_paused && !self.0.transport.is_closing()
        };
        UnlessIdle((!idle).then(|| drain(self.0.state.clone(), self.0.transport.clone())))
    }

    /// Shuts down the sending side once the buffer is flushed: the peer
    /// reads EOF and may still send (asyncio's `write_eof`).
    pub fn write_eof(&self) {
        self.0.transport.write_eof();
    }

    /// Whether [`write_eof`](Self::write_eof) is supported (always, for
    /// TCP and Unix stream sockets).
    pub fn can_write_eof(&self) -> bool {
        self.0.transport.can_write_eof()
    }

    /// Closes the connection once the buffer is flushed (asyncio's
    /// `close`); [`wait_closed`](Self::wait_closed) waits for it.
    pub fn close(&self) {
        self.0.transport.close();
    }

    /// Whether the connection is closing or closed.
    pub fn is_closing(&self) -> bool {
        self.0.transport.is_closing()
    }

    /// Waits until the connection is closed (its `connection_lost`),
    /// returning at once if it is (asyncio's `wait_closed`).
    ///
    /// # Errors
    ///
    /// The error the connection was lost with, if any;
    /// [`Error::Cancelled`].
    pub fn wait_closed(&self) -> impl Future<Output = Result<()>> + use<> {
        wait_closed(self.0.state.clone())
    }

    /// The peer's address (asyncio's `get_extra_info('peername')`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] for a closed socket or a Unix socket (which has no
    /// internet address).
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        self.0.transport.peername()
    }

    /// The local address (asyncio's `get_extra_info('sockname')`).
    ///
    /// # Errors
    ///
    /// As [`peer_addr`](Self::peer_addr).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.0.transport.sockname()
    }

    /// The transport underneath (asyncio's `transport`): water marks,
    /// buffer size, `abort`, the socket.
    pub fn transport(&self) -> &Transport {
        &self.0.transport
    }

    /// A reader handle of this connection (the one passed to a server
    /// callback or returned with this writer).
    pub fn reader(&self) -> StreamReader {
        StreamReader::with_guard(self.0.state.clone(), self.0.guard.clone())
    }
}

/// asyncio's `ConnectionResetError('Connection lost')`.
fn connection_lost() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::ConnectionReset,
        "connection lost",
    ))
}

#[crate::coroutine]
fn drain(state: Rc<RefCell<StreamState>>, transport: Transport) -> Result<()> {
    let exception = state.borrow().exception.as_ref().map(Error::duplicate);
    if let Some(err) = exception {
        return Err(err);
    }
    if transport.is_closing() {
        // Yield once: a closing transport's `connection_lost` is on its way
        // (python/asyncio#263).
        crate::sleep(0).await?;
    }
    let wait = DrainWait {
        waiter: ListWaiter::in_list(state),
    };
    wait.await
}

/// `drain`'s future: the wait, or ready at once when there is none.
struct UnlessIdle<F>(Option<F>);

impl<F: Future<Output = Result<()>>> Future for UnlessIdle<F> {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        // SAFETY: structural pinning of the only field: it is never moved
        // out of `self` (nor replaced) while pinned.
        let wait = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        match wait.as_pin_mut() {
            Some(wait) => wait.poll(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}

/// Waits for `resume_writing` (or `connection_lost`).
struct DrainWait {
    waiter: ListWaiter<StreamState, DrainList>,
}

impl Future for DrainWait {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Err(err) = self.waiter.begin("drain polled after completion") {
            return Poll::Ready(Err(err));
        }
        self.waiter.poll_wait(cx, |s, woken| {
            if s.lost {
                // asyncio: a waiter woken by a clean loss returns; a drain
                // after the loss fails.
                return Some(match &s.lost_error {
                    Some(err) => Err(err.duplicate()),
                    None if woken => Ok(()),
                    None => Err(connection_lost()),
                });
            }
            (woken || !s.write_paused).then_some(Ok(()))
        })
    }
}

#[crate::coroutine]
fn wait_closed(state: Rc<RefCell<StreamState>>) -> Result<()> {
    let closed = state.borrow().closed.clone();
    closed.wait().await?;
    let lost_error = state.borrow().lost_error.as_ref().map(Error::duplicate);
    match lost_error {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
