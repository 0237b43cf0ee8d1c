//! The I/O layer: sources registered with the loop's poller, and the
//! low-level socket operations (`sock_*`).
//!
//! Layering (imports flow down only): the loop core (`event_loop`) owns the
//! poller, the table of registered sources and their readiness caches
//! (`event_loop::scheduled_io`), and runs `add_reader`/`add_writer`
//! callbacks. This layer registers sockets through
//! [`registration::Registration`], whose `poll_io` is the one readiness
//! wait every I/O leaf is built on, and implements asyncio's `loop.sock_*`
//! calls on [`Socket`]s, and name resolution (`getaddrinfo`).
//!
//! Above the sockets: [`Transport`]s, driven by readiness handlers (loop
//! callbacks set on a source's `ScheduledIo`, one run per event), calling
//! [`Protocol`]s (or [`BufferedProtocol`]s, which receive straight into
//! their own buffer); a transport carries a TCP or Unix stream socket, or
//! one end of a pipe (`connect_read_pipe` / `connect_write_pipe`).
//! [`Server`]s accept connections for them; the loop's `create_connection`,
//! `create_server`, their Unix forms and `connect_accepted_socket` make
//! them. Beside them, for UDP: [`DatagramTransport`]s calling
//! [`DatagramProtocol`]s, made by the loop's `create_datagram_endpoint`.
//!
//! Ownership: a transport's (or a serving server's) read handler owns it
//! until `connection_lost`, as asyncio's selector callbacks hold a
//! transport, so dropping every handle does not end a connection. When the
//! loop closes with one still open, the handler is dropped and the
//! transport is abandoned (`registration::Abandon`): socket closed,
//! protocol released (which breaks a protocol-transport cycle), reported
//! in debug mode as an unclosed transport.
//!
//! Files: `socket` (sockets and `sock_*`), `transport`, `protocol` (every
//! kind of protocol), `server` (and `listen` for sockets made with
//! options: listening ones with a backlog, Unix ones with their socket
//! file, UDP ones), `datagram`, `dns`.

mod datagram;
mod dns;
mod flow;
mod listen;
mod protocol;
pub(crate) mod registration;
mod server;
mod signals;
mod socket;
mod transport;

pub use self::datagram::DatagramTransport;
pub use self::listen::{AddressFamily, DatagramOptions, ServerOptions};
pub(crate) use self::protocol::call_or_defer;
pub use self::protocol::{BufferedProtocol, DatagramProtocol, Protocol};
pub(crate) use self::server::Factory;
pub use self::server::Server;
pub use self::socket::{SockAddr, Socket};
pub use self::transport::Transport;
