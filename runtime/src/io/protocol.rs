//! The protocol traits: what a transport calls as the connection goes.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

use super::datagram::DatagramTransport;
use super::transport::Transport;
use crate::error::Error;
use crate::event_loop::driver::Core;

/// The callbacks of a stream connection (asyncio's `asyncio.Protocol`).
/// Every method has a default that does nothing.
///
/// The transport calls them in the order `connection_made`, then
/// `data_received`* and maybe `eof_received`, then `connection_lost`
/// exactly once. A callback may call back into the transport (write,
/// pause reading, close): a flow-control call it triggers on this same
/// protocol (`pause_writing` from a write in `data_received`) is delivered
/// right after the callback returns.
///
/// # Examples
///
/// ```
/// use asyncio::{Protocol, Transport};
///
/// /// Echoes what it receives.
/// #[derive(Default)]
/// struct Echo(Option<Transport>);
///
/// impl Protocol for Echo {
///     fn connection_made(&mut self, transport: &Transport) {
///         self.0 = Some(transport.clone());
///     }
///     fn data_received(&mut self, data: &[u8]) {
///         if let Some(t) = &self.0 {
///             t.write(data).unwrap();
///         }
///     }
/// }
/// ```
pub trait Protocol: 'static {
    /// The connection is up; keep `transport` (a cheap handle) to write.
    fn connection_made(&mut self, transport: &Transport) {
        let _ = transport;
    }

    /// Bytes arrived. `data` is borrowed from the loop's receive buffer:
    /// copy what you keep.
    fn data_received(&mut self, data: &[u8]) {
        let _ = data;
    }

    /// The peer will send nothing more. Return `true` to keep the
    /// connection open for writing (half-closed); `false` (the default)
    /// closes the transport.
    fn eof_received(&mut self) -> bool {
        false
    }

    /// The connection is closed: `None` after a clean close or EOF, the
    /// error otherwise (reset, broken pipe, ...). Called exactly once.
    fn connection_lost(&mut self, exc: Option<Error>) {
        let _ = exc;
    }

    /// The transport's write buffer went over its high-water mark.
    fn pause_writing(&mut self) {}

    /// The transport's write buffer drained to its low-water mark.
    fn resume_writing(&mut self) {}

    /// This protocol as a [`BufferedProtocol`], if it is one: the transport
    /// then receives straight into its buffer and never calls
    /// `data_received`. A buffered protocol returns `Some(self)`.
    fn as_buffered(&mut self) -> Option<&mut dyn BufferedProtocol> {
        None
    }
}

/// A stream protocol that receives into its own buffer, with no copy
/// (asyncio's `asyncio.BufferedProtocol`): the transport asks for a buffer
/// with [`get_buffer`](Self::get_buffer), receives into it, and reports how
/// many bytes it wrote with [`buffer_updated`](Self::buffer_updated).
///
/// It is a [`Protocol`] (for `connection_made`, `eof_received`,
/// `connection_lost` and flow control) whose
/// [`as_buffered`](Protocol::as_buffered) returns `Some(self)`; that is how
/// every `create_*` call that takes a protocol accepts a buffered one.
///
/// # Examples
///
/// ```
/// use asyncio::{BufferedProtocol, Protocol};
///
/// /// Counts the bytes it receives, reusing one buffer.
/// struct Count {
///     buf: Vec<u8>,
///     total: usize,
/// }
///
/// impl Protocol for Count {
///     fn as_buffered(&mut self) -> Option<&mut dyn BufferedProtocol> {
///         Some(self)
///     }
/// }
///
/// impl BufferedProtocol for Count {
///     fn get_buffer(&mut self, _size_hint: usize) -> &mut [u8] {
///         &mut self.buf
///     }
///     fn buffer_updated(&mut self, nbytes: usize) {
///         self.total += nbytes;
///     }
/// }
/// ```
pub trait BufferedProtocol: Protocol {
    /// The buffer to receive into next. `size_hint` is how much the
    /// transport would like to read (any non-empty buffer works). An empty
    /// buffer is an error: the connection is lost with it.
    fn get_buffer(&mut self, size_hint: usize) -> &mut [u8];

    /// The first `nbytes` of the buffer [`get_buffer`](Self::get_buffer)
    /// returned hold received data (`nbytes > 0`).
    fn buffer_updated(&mut self, nbytes: usize);
}

/// Hands `data` to `protocol`: to `data_received`, or copied into a
/// buffered protocol's buffers (when the transport could not receive
/// straight into them). Returns false if a buffered protocol gave an empty
/// buffer before all of `data` was taken.
pub(super) fn hand_over(protocol: &mut dyn Protocol, mut data: &[u8]) -> bool {
    let Some(buffered) = protocol.as_buffered() else {
        protocol.data_received(data);
        return true;
    };
    while !data.is_empty() {
        let buf = buffered.get_buffer(data.len());
        let n = buf.len().min(data.len());
        if n == 0 {
            return false;
        }
        buf[..n].copy_from_slice(&data[..n]);
        buffered.buffer_updated(n);
        data = &data[n..];
    }
    true
}

/// The callbacks of a datagram endpoint (asyncio's
/// `asyncio.DatagramProtocol`), made by
/// [`EventLoop::create_datagram_endpoint`](crate::EventLoop::create_datagram_endpoint).
/// Every method has a default that does nothing.
///
/// The transport calls `connection_made`, then `datagram_received` for each
/// datagram and `error_received` for each error a send or receive reported
/// (the endpoint stays open), then `connection_lost` exactly once. As with
/// [`Protocol`], a callback may call back into the transport (`sendto`,
/// `close`); what that triggers on this same protocol is delivered right
/// after the callback returns.
///
/// # Examples
///
/// An echo endpoint, and a client that sends it one datagram:
///
/// ```
/// use std::net::SocketAddr;
/// use asyncio::{DatagramProtocol, DatagramTransport, Event};
///
/// /// Sends each datagram back to its sender.
/// #[derive(Default)]
/// struct Echo(Option<DatagramTransport>);
///
/// impl DatagramProtocol for Echo {
///     fn connection_made(&mut self, transport: &DatagramTransport) {
///         self.0 = Some(transport.clone());
///     }
///     fn datagram_received(&mut self, data: &[u8], addr: SocketAddr) {
///         if let Some(t) = &self.0 {
///             t.sendto(data, Some(addr)).unwrap();
///         }
///     }
/// }
///
/// /// Keeps the reply, and says it came.
/// #[derive(Default)]
/// struct Client {
///     reply: Vec<u8>,
///     got: Event,
/// }
///
/// impl DatagramProtocol for Client {
///     fn datagram_received(&mut self, data: &[u8], _from: SocketAddr) {
///         self.reply = data.to_vec();
///         self.got.set();
///     }
/// }
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let lp = asyncio::get_running_loop()?;
///     let (server, _) = lp
///         .create_datagram_endpoint(Echo::default, Some(("127.0.0.1", 0)), None)
///         .await?;
///     let port = server.sockname()?.port();
///     let (client, protocol) = lp
///         .create_datagram_endpoint(Client::default, None, Some(("127.0.0.1", port)))
///         .await?;
///     client.sendto(b"ping", None)?;
///     let got = protocol.borrow().got.clone();
///     got.wait().await?;
///     client.close();
///     server.close();
///     let reply = protocol.borrow().reply.clone();
///     Ok(reply)
/// }
/// assert_eq!(asyncio::run(main_())?, b"ping");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub trait DatagramProtocol: 'static {
    /// The endpoint is ready; keep `transport` (a cheap handle) to send.
    fn connection_made(&mut self, transport: &DatagramTransport) {
        let _ = transport;
    }

    /// A datagram arrived from `addr`. `data` is borrowed from the loop's
    /// receive buffer: copy what you keep.
    fn datagram_received(&mut self, data: &[u8], addr: SocketAddr) {
        let _ = (data, addr);
    }

    /// A send or receive failed: for instance `ConnectionRefused` after a
    /// datagram to a port where nothing listens (an ICMP report, seen on a
    /// connected endpoint). The endpoint stays open.
    fn error_received(&mut self, exc: Error) {
        let _ = exc;
    }

    /// The endpoint is closed: `None` after [`close`](DatagramTransport::close)
    /// or [`abort`](DatagramTransport::abort). Called exactly once.
    fn connection_lost(&mut self, exc: Option<Error>) {
        let _ = exc;
    }

    /// The transport's send buffer went over its high-water mark.
    fn pause_writing(&mut self) {}

    /// The transport's send buffer drained to its low-water mark.
    fn resume_writing(&mut self) {}
}

/// Calls `f` on `protocol` now or, when the protocol is borrowed (one of
/// its own callbacks is running and called into its transport), from
/// `core`'s loop right after that callback, as asyncio's `call_soon`
/// would. A closed loop drops the call. Every transport (stream,
/// datagram, subprocess, and a subprocess's pipes) reaches its protocol
/// through this.
pub(crate) fn call_or_defer<P: ?Sized + 'static>(
    core: &Core,
    protocol: &Rc<RefCell<P>>,
    f: impl FnOnce(&mut P) + 'static,
) {
    match protocol.try_borrow_mut() {
        Ok(mut p) => f(&mut *p),
        Err(_) => {
            let again = protocol.clone();
            let _ = core.call_soon_internal(Box::new(move || f(&mut *again.borrow_mut())));
        }
    }
}
