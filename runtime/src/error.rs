//! The crate's one error type, mirroring asyncio's exception hierarchy.
//!
//! Python code tells failures apart by exception class; Rust code matches on
//! [`Error`]'s variants. Every blocking operation of the runtime returns
//! [`Result`], so cancellation travels the same road as every other failure
//! and `?` propagates it.

use std::borrow::Cow;
use std::sync::Arc;
use std::{fmt, io};

/// What can go wrong in the runtime, one variant per asyncio exception.
///
/// The enum is `non_exhaustive`, so a `match` needs a wildcard arm.
///
/// # Examples
///
/// ```
/// use asyncio::Error;
///
/// let err = Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
/// assert!(matches!(err, Error::Io(_)));
/// assert_eq!(Error::cancelled().to_string(), "operation was cancelled");
/// let err = Error::Cancelled(Some("shutting down".into()));
/// assert!(err.is_cancelled());
/// assert_eq!(err.cancel_message(), Some("shutting down"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The awaiting task was cancelled (`asyncio.CancelledError`).
    ///
    /// Delivered once per cancellation request, at the await where the task
    /// is suspended; the task may handle it, clean up with further awaits,
    /// or propagate it with `?`. Carries the message given to
    /// [`TaskRef::cancel_with`](crate::TaskRef::cancel_with), if any
    /// (asyncio's `CancelledError(msg)`).
    Cancelled(Option<Arc<str>>),
    /// A deadline expired (`TimeoutError`).
    Timeout,
    /// An operation was attempted in a state that does not allow it
    /// (`asyncio.InvalidStateError`, and the `RuntimeError`s asyncio raises
    /// for misuse such as running a loop twice). The text says what was
    /// wrong.
    InvalidState(Cow<'static, str>),
    /// An argument has a value the operation cannot accept (Python's
    /// `ValueError`): a NaN delay or deadline, for instance (asyncio's
    /// `sleep(nan)` raises `ValueError("Invalid delay: NaN (not a
    /// number)")`). The text says which value was wrong.
    Value(Cow<'static, str>),
    /// The operating system reported an error (`OSError`).
    Io(io::Error),
    /// `StreamReader::readexactly` hit the end of the stream first
    /// (`asyncio.IncompleteReadError`): the bytes read, and how many were
    /// wanted (`None` for `readuntil`).
    IncompleteRead {
        /// What was read before the end of the stream.
        partial: Box<[u8]>,
        /// How many bytes were wanted, if a count was asked for.
        expected: Option<usize>,
    },
    /// A stream's buffer limit was reached before the separator was found
    /// (`asyncio.LimitOverrunError`).
    LimitOverrun {
        /// How many bytes must be consumed to get past the limit.
        consumed: usize,
    },
    /// `get_nowait` on an empty queue (`asyncio.QueueEmpty`).
    QueueEmpty,
    /// `put_nowait` on a full queue (`asyncio.QueueFull`).
    QueueFull,
    /// The queue was shut down (`asyncio.QueueShutDown`).
    QueueShutDown,
    /// A barrier was reset or aborted while tasks waited on it
    /// (`asyncio.BrokenBarrierError`).
    BrokenBarrier,
    /// `sendfile` is not possible on this transport
    /// (`asyncio.SendfileNotAvailableError`).
    SendfileNotAvailable,
    /// Several tasks failed together (asyncio's `ExceptionGroup`, as raised
    /// by [`TaskGroup`](crate::TaskGroup)): every error, in the order they
    /// happened.
    Group(Vec<Error>),
    /// The program was interrupted (Ctrl-C, `SIGINT`) and its main
    /// coroutine ended cancelled (Python's `KeyboardInterrupt` out of
    /// `asyncio.run`).
    Interrupted,
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

    /// The [`Error::Value`] for a NaN delay, in asyncio's words
    /// (`asyncio.sleep`'s `ValueError`).
    pub(crate) const fn nan_delay() -> Self {
        Error::Value(Cow::Borrowed("invalid delay: NaN (not a number)"))
    }

    /// The [`Error::Value`] for a NaN point in loop time (`call_at`,
    /// `timeout_at`, `reschedule`).
    pub(crate) const fn nan_deadline() -> Self {
        Error::Value(Cow::Borrowed("invalid deadline: NaN (not a number)"))
    }

    /// [`Error::Cancelled`] without a message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(asyncio::Error::cancelled().is_cancelled());
    /// ```
    pub const fn cancelled() -> Self {
        Error::Cancelled(None)
    }

    /// Whether this is [`Error::Cancelled`] (asyncio's
    /// `except CancelledError`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!asyncio::Error::Timeout.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled(_))
    }

    /// The message of a cancellation, if it had one.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = asyncio::Error::Cancelled(Some("bye".into()));
    /// assert_eq!(err.cancel_message(), Some("bye"));
    /// assert_eq!(asyncio::Error::Timeout.cancel_message(), None);
    /// ```
    pub fn cancel_message(&self) -> Option<&str> {
        match self {
            Error::Cancelled(Some(msg)) => Some(msg),
            _ => None,
        }
    }

    /// A copy of this error for a second reader (a future's exception is
    /// handed to every awaiter, as in asyncio). `io::Error` is not `Clone`:
    /// its copy keeps the kind and the text.
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::Cancelled(msg) => Error::Cancelled(msg.clone()),
            Error::Timeout => Error::Timeout,
            Error::Interrupted => Error::Interrupted,
            Error::InvalidState(msg) => Error::InvalidState(msg.clone()),
            Error::Value(msg) => Error::Value(msg.clone()),
            Error::IncompleteRead { partial, expected } => Error::IncompleteRead {
                partial: partial.clone(),
                expected: *expected,
            },
            Error::LimitOverrun { consumed } => Error::LimitOverrun {
                consumed: *consumed,
            },
            Error::QueueEmpty => Error::QueueEmpty,
            Error::QueueFull => Error::QueueFull,
            Error::QueueShutDown => Error::QueueShutDown,
            Error::BrokenBarrier => Error::BrokenBarrier,
            Error::SendfileNotAvailable => Error::SendfileNotAvailable,
            Error::Group(errors) => Error::Group(errors.iter().map(Error::duplicate).collect()),
            Error::Io(err) => Error::Io(match err.raw_os_error() {
                Some(code) => io::Error::from_raw_os_error(code),
                None => io::Error::new(err.kind(), err.to_string()),
            }),
            Error::Panicked(msg) => Error::Panicked(msg.clone()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled(None) => f.write_str("operation was cancelled"),
            Error::Cancelled(Some(msg)) => write!(f, "operation was cancelled: {msg}"),
            Error::Timeout => f.write_str("operation timed out"),
            Error::Interrupted => f.write_str("KeyboardInterrupt"),
            Error::InvalidState(msg) => write!(f, "invalid state: {msg}"),
            Error::Value(msg) => write!(f, "value error: {msg}"),
            Error::IncompleteRead { partial, expected } => match expected {
                Some(n) => write!(
                    f,
                    "{} bytes read on a total of {n} expected bytes",
                    partial.len()
                ),
                None => write!(
                    f,
                    "{} bytes read before the end of the stream",
                    partial.len()
                ),
            },
            Error::LimitOverrun { consumed } => write!(
                f,
                "separator not found before the buffer limit ({consumed} bytes to consume)"
            ),
            Error::QueueEmpty => f.write_str("queue is empty"),
            Error::QueueFull => f.write_str("queue is full"),
            Error::QueueShutDown => f.write_str("queue is shut down"),
            Error::BrokenBarrier => f.write_str("barrier is broken"),
            Error::SendfileNotAvailable => f.write_str("sendfile is not available"),
            Error::Group(errors) => {
                write!(f, "{} errors:", errors.len())?;
                for (i, err) in errors.iter().enumerate() {
                    write!(f, "{} {err}", if i == 0 { "" } else { ";" })?;
                }
                Ok(())
            }
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
