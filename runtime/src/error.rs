//! The crate's one error type, mirroring asyncio's exception hierarchy.
//!
//! Python code tells failures apart by exception class; Rust code matches on
//! [`Error`]'s variants. Every blocking operation of the runtime returns
//! [`Result`], so cancellation travels the same road as every other failure
//! and `?` propagates it.

use std::borrow::Cow;
use std::{fmt, io};

/// What can go wrong in the runtime, one variant per asyncio exception.
///
/// The enum is `non_exhaustive`: variants for streams, queues and other
/// subsystems (`IncompleteRead`, `QueueEmpty`, ...) join as they land, so a
/// `match` needs a wildcard arm.
///
/// # Examples
///
/// ```
/// use asyncio::Error;
///
/// let err = Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
/// assert!(matches!(err, Error::Io(_)));
/// assert_eq!(Error::Cancelled.to_string(), "operation was cancelled");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The awaiting task was cancelled (`asyncio.CancelledError`).
    ///
    /// Delivered once per cancellation request, at the await where the task
    /// is suspended; the task may handle it, clean up with further awaits,
    /// or propagate it with `?`.
    Cancelled,
    /// A deadline expired (`TimeoutError`).
    Timeout,
    /// An operation was attempted in a state that does not allow it
    /// (`asyncio.InvalidStateError`, and the `RuntimeError`s asyncio raises
    /// for misuse such as running a loop twice). The text says what was
    /// wrong.
    InvalidState(Cow<'static, str>),
    /// The operating system reported an error (`OSError`).
    Io(io::Error),
    /// A task panicked; the payload is the panic message.
    ///
    /// The panic is caught at the task boundary and kept for whoever awaits
    /// the task, so it never tears down the loop.
    Panicked(String),
}

impl Error {
    /// An [`Error::InvalidState`] with a fixed message, without allocating.
    pub(crate) const fn invalid_state(msg: &'static str) -> Self {
        Error::InvalidState(Cow::Borrowed(msg))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled => f.write_str("operation was cancelled"),
            Error::Timeout => f.write_str("operation timed out"),
            Error::InvalidState(msg) => write!(f, "invalid state: {msg}"),
            Error::Io(err) => write!(f, "I/O error: {err}"),
            Error::Panicked(msg) => write!(f, "task panicked: {msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        Error::Io(err)
    }
}

/// `Result` with [`Error`] as the default error type.
///
/// # Examples
///
/// ```
/// fn half(n: u32) -> asyncio::Result<u32> {
///     if n % 2 == 0 {
///         Ok(n / 2)
///     } else {
///         Err(asyncio::Error::InvalidState("odd number".into()))
///     }
/// }
/// assert_eq!(half(4).unwrap(), 2);
/// assert!(half(3).is_err());
/// ```
pub type Result<T, E = Error> = core::result::Result<T, E>;
