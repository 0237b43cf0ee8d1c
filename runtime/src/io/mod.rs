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

mod dns;
pub(crate) mod registration;
mod socket;

pub use self::socket::{SockAddr, Socket};
