//! The protocol traits: what a transport calls as the connection goes.

use super::transport::Transport;
use crate::error::Error;

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
}
