//! Errors nobody awaits: asyncio's exception handler.
//!
//! A panic in a callback, a task error nobody retrieved, a task still
//! pending when its loop closes, a slow step in debug mode: none of these
//! has a caller to return to, so the loop reports them to its exception
//! handler (`loop.set_exception_handler`), which by default prints them on
//! standard error.

use std::fmt;

use super::EventLoop;
use super::handle::Handle;
use super::task_ref::TaskRef;
use crate::error::Error;

/// What the loop tells its exception handler (asyncio's `context` dict).
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let event_loop = asyncio::EventLoop::new()?;
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let log = seen.clone();
/// event_loop.set_exception_handler(Some(move |_: &asyncio::EventLoop, ctx: &asyncio::ExceptionContext| {
///     log.borrow_mut().push(ctx.message.clone());
/// }));
/// event_loop.call_soon(|| panic!("boom"))?;
/// event_loop.run_until_complete(asyncio::sleep(0))??;
/// assert!(seen.borrow()[0].starts_with("Exception in callback"));
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Default)]
#[non_exhaustive]
pub struct ExceptionContext {
    /// What happened, in words.
    pub message: String,
    /// The error, if there is one (a callback's panic is
    /// [`Error::Panicked`]).
    pub exception: Option<Error>,
    /// The task concerned, if any.
    pub task: Option<TaskRef>,
    /// The callback concerned, if any.
    pub handle: Option<Handle>,
}

impl ExceptionContext {
    /// A context with a message and nothing else.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = asyncio::ExceptionContext::new("something odd")
    ///     .with_exception(asyncio::Error::Timeout);
    /// assert_eq!(ctx.message, "something odd");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        ExceptionContext {
            message: message.into(),
            ..ExceptionContext::default()
        }
    }

    /// The same context carrying `exception`.
    #[must_use]
    pub fn with_exception(mut self, exception: Error) -> Self {
        self.exception = Some(exception);
        self
    }

    /// The same context naming `task`.
    #[must_use]
    pub fn with_task(mut self, task: TaskRef) -> Self {
        self.task = Some(task);
        self
    }

    /// The same context naming the callback `handle`.
    #[must_use]
    pub fn with_handle(mut self, handle: Handle) -> Self {
        self.handle = Some(handle);
        self
    }
}

impl fmt::Debug for ExceptionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExceptionContext")
            .field("message", &self.message)
            .field("exception", &self.exception)
            .field("task", &self.task)
            .field("handle", &self.handle)
            .finish()
    }
}

impl fmt::Display for ExceptionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(task) = &self.task {
            write!(f, "\ntask: {task:?}")?;
        }
        if let Some(err) = &self.exception {
            write!(f, "\nexception: {err}")?;
        }
        Ok(())
    }
}

/// A loop's exception handler.
pub(crate) type Handler = dyn Fn(&EventLoop, &ExceptionContext);

/// asyncio's `default_exception_handler`: print the context.
pub(crate) fn default_handler(context: &ExceptionContext) {
    eprintln!("asyncio: {context}");
}
