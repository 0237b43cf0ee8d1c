//! [`IntoResult`]: what a task's future may return.

use crate::error::{Error, Result};

/// The output of a future that can run as a task, or be timed out,
/// gathered or shielded: anything that says whether it succeeded.
///
/// asyncio tells a task's result from its exception, and tells a cancelled
/// task (its coroutine let `CancelledError` escape) from one that failed.
/// In Rust that is the coroutine's `Result`: `Ok(v)` is the result,
/// `Err(Error::Cancelled(_))` a cancellation, any other `Err` the
/// exception. Implemented for `Result<T, E>` whenever `E` converts into
/// [`Error`] (so for [`asyncio::Result`](crate::Result) and
/// [`std::io::Result`]), and for `()`, a future that cannot fail.
///
/// # Examples
///
/// ```
/// use asyncio::IntoResult;
///
/// assert_eq!(Ok::<_, asyncio::Error>(5).into_result().unwrap(), 5);
/// let err: std::io::Result<()> = Err(std::io::ErrorKind::NotFound.into());
/// assert!(matches!(err.into_result(), Err(asyncio::Error::Io(_))));
/// assert!(().into_result().is_ok());
/// ```
pub trait IntoResult {
    /// The value on success.
    type Ok;

    /// The output as the crate's [`Result`].
    fn into_result(self) -> Result<Self::Ok>;
}

impl<T, E: Into<Error>> IntoResult for core::result::Result<T, E> {
    type Ok = T;

    fn into_result(self) -> Result<T> {
        self.map_err(Into::into)
    }
}

impl IntoResult for () {
    type Ok = ();

    fn into_result(self) -> Result<()> {
        Ok(())
    }
}
