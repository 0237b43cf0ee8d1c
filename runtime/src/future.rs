//! [`Future`]: asyncio's settable future, the bridge from callback code to
//! `.await`.

use std::cell::RefCell;
use std::fmt;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};
use crate::event_loop::driver::Core;
use crate::event_loop::tasks::CancelTarget;
use crate::event_loop::{CallbackId, EventLoop, ExceptionContext, current};
use crate::task::cancel;
use crate::task::waiter::{WaitSide, Waiter};

type DoneCallback<T> = Box<dyn FnOnce(Future<T>)>;

/// Rarely needed parts, allocated on first use.
struct More<T> {
    waiters: Vec<Waker>,
    callbacks: Vec<(CallbackId, DoneCallback<T>)>,
}

struct Inner<T> {
    /// `None` while pending; a cancellation is `Err(Error::Cancelled)`.
    /// The error is boxed to keep idle futures small.
    result: Option<Result<T, Box<Error>>>,
    /// The first awaiter's waker.
    waiter: Option<Waker>,
    more: Option<Box<More<T>>>,
    retrieved: bool,
}

struct Cell<T> {
    core: Weak<Core>,
    inner: RefCell<Inner<T>>,
}

/// A value that will be set later, by whoever holds a handle (asyncio's
/// `asyncio.Future`).
///
/// A `Future` is pending until [`set_result`](Self::set_result),
/// [`set_exception`](Self::set_exception) or [`cancel`](Self::cancel) is
/// called, once. Awaiting it (any number of tasks may, each with its own
/// clone of the handle) gives a copy of the result; cancelling an awaiting
/// task cancels the future, as in asyncio. Done callbacks run through the
/// loop, never inline, in the order they were added.
///
/// Handles are cheap clones (a reference count) and compare equal when they
/// name the same future. An error set and never looked at is reported to
/// the exception handler when the last handle is dropped.
///
/// (Not to be confused with [`std::future::Future`], which it implements.)
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<&'static str> {
///     let fut = asyncio::get_running_loop()?.create_future();
///     let setter = fut.clone();
///     asyncio::get_running_loop()?.call_later(0.01, move || {
///         setter.set_result("done").unwrap();
///     })?;
///     fut.await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, "done");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct Future<T> {
    /// The cell; registered while this handle, being awaited, made the
    /// awaiting task wait on it.
    waiter: Waiter<Rc<Cell<T>>>,
}

/// Awaiting a future registers the awaiting task as waiting on it, so that
/// cancelling the task cancels the future.
impl<T> WaitSide for Rc<Cell<T>> {
    type Ticket = ();

    fn withdraw(&self, (): ()) {
        cancel::stop_waiting(Rc::as_ptr(self).cast());
    }
}

impl<T> Future<T> {
    fn from_cell(cell: Rc<Cell<T>>) -> Self {
        Future {
            waiter: Waiter::new(cell),
        }
    }

    #[inline]
    fn cell(&self) -> &Rc<Cell<T>> {
        self.waiter.side()
    }
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future::from_cell(self.cell().clone())
    }
}

impl<T> PartialEq for Future<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(self.cell(), other.cell())
    }
}

impl<T> Eq for Future<T> {}

impl EventLoop {
    /// A pending [`Future`] whose done callbacks run on this loop (asyncio's
    /// `loop.create_future()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let event_loop = asyncio::EventLoop::new()?;
    /// let fut = event_loop.create_future::<u8>();
    /// assert!(!fut.done());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_future<T: 'static>(&self) -> Future<T> {
        Future::bound(Rc::downgrade(self.core()))
    }
}

impl<T: 'static> Default for Future<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> Future<T> {
    /// A pending future bound to the running loop (or to no loop, if none
    /// runs: its done callbacks then run on whichever loop runs when it is
    /// settled).
    pub fn new() -> Self {
        let core = current::with_current(Core::weak).unwrap_or_default();
        Future::bound(core)
    }

    fn bound(core: Weak<Core>) -> Self {
        Future::from_cell(Rc::new(Cell {
            core,
            inner: RefCell::new(Inner {
                result: None,
                waiter: None,
                more: None,
                retrieved: false,
            }),
        }))
    }

    /// Settles the future, waking its awaiters and scheduling its done
    /// callbacks. Returns `false` if it was already done.
    fn settle(&self, result: Result<T>) -> bool {
        Cell::settle(self.cell(), result)
    }
}

impl<T: 'static> Cell<T> {
    /// Settles the future, waking its awaiters and scheduling its done
    /// callbacks. Returns `false` if it was already done.
    fn settle(cell: &Rc<Cell<T>>, result: Result<T>) -> bool {
        let (waiter, more) = {
            let mut inner = cell.inner.borrow_mut();
            if inner.result.is_some() {
                return false;
            }
            inner.result = Some(result.map_err(Box::new));
            (inner.waiter.take(), inner.more.take())
        };
        if let Some(waker) = waiter {
            waker.wake();
        }
        if let Some(more) = more {
            for waker in more.waiters {
                waker.wake();
            }
            let fut = Future::from_cell(cell.clone());
            for (_, callback) in more.callbacks {
                fut.schedule(callback);
            }
        }
        true
    }
}

impl<T: 'static> CancelTarget for Cell<T> {
    fn cancel_target(self: Rc<Self>, msg: Option<Arc<str>>) -> bool {
        Cell::settle(&self, Err(Error::Cancelled(msg)))
    }
}

impl<T: 'static> Future<T> {
    fn schedule(&self, callback: DoneCallback<T>) {
        let fut = self.clone();
        let core = self
            .cell()
            .core
            .upgrade()
            .or_else(|| current::with_current(Core::rc));
        match core {
            Some(core) => {
                let _ = core.call_soon_internal(Box::new(move || callback(fut)));
            }
            // No loop to run it on: run it now rather than never.
            None => callback(fut),
        }
    }

    /// Sets the result (asyncio's `set_result`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the future is already done.
    pub fn set_result(&self, value: T) -> Result<()> {
        if self.settle(Ok(value)) {
            Ok(())
        } else {
            Err(Error::invalid_state("the future is already done"))
        }
    }

    /// Sets an error (asyncio's `set_exception`); awaiters get it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the future is already done.
    pub fn set_exception(&self, err: Error) -> Result<()> {
        if self.settle(Err(err)) {
            Ok(())
        } else {
            Err(Error::invalid_state("the future is already done"))
        }
    }

    /// Cancels the future; returns `false` if it was already done.
    ///
    /// # Examples
    ///
    /// ```
    /// let fut = asyncio::Future::<i32>::new();
    /// assert!(fut.cancel());
    /// assert!(fut.cancelled() && fut.done());
    /// assert!(!fut.cancel());
    /// assert!(fut.set_result(1).is_err());
    /// ```
    pub fn cancel(&self) -> bool {
        self.settle(Err(Error::cancelled()))
    }

    /// [`cancel`](Self::cancel) with a message for the awaiters.
    pub fn cancel_with(&self, msg: impl Into<Arc<str>>) -> bool {
        self.settle(Err(Error::Cancelled(Some(msg.into()))))
    }

    /// Whether the future has a result, an error, or was cancelled.
    pub fn done(&self) -> bool {
        self.cell().inner.borrow().result.is_some()
    }

    /// Whether the future was cancelled.
    pub fn cancelled(&self) -> bool {
        matches!(&self.cell().inner.borrow().result, Some(Err(err)) if err.is_cancelled())
    }

    /// The future's error (asyncio's `exception()`): `Ok(None)` if it has a
    /// result. Marks the error as retrieved.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] while pending; [`Error::Cancelled`] if it
    /// was cancelled.
    pub fn exception(&self) -> Result<Option<Error>> {
        let mut inner = self.cell().inner.borrow_mut();
        inner.retrieved = true;
        match &inner.result {
            None => Err(Error::invalid_state(
                "exception is not set: the future is pending",
            )),
            Some(Ok(_)) => Ok(None),
            Some(Err(err)) if err.is_cancelled() => Err(err.duplicate()),
            Some(Err(err)) => Ok(Some(err.duplicate())),
        }
    }

    /// Adds a callback run, through the loop, when the future is done (at
    /// the next iteration if it already is).
    pub fn add_done_callback(&self, callback: impl FnOnce(Future<T>) + 'static) -> CallbackId {
        let id = CallbackId::next();
        let callback: DoneCallback<T> = Box::new(callback);
        let mut inner = self.cell().inner.borrow_mut();
        if inner.result.is_some() {
            drop(inner);
            self.schedule(callback);
        } else {
            more(&mut inner).callbacks.push((id, callback));
        }
        id
    }

    /// Removes a callback not yet scheduled; returns how many were removed.
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        let mut inner = self.cell().inner.borrow_mut();
        let Some(more) = inner.more.as_mut() else {
            return 0;
        };
        let before = more.callbacks.len();
        more.callbacks.retain(|(other, _)| *other != id);
        before - more.callbacks.len()
    }

    /// The loop the future is bound to, while it exists.
    pub fn get_loop(&self) -> Option<EventLoop> {
        self.cell().core.upgrade().map(EventLoop::from_core)
    }

    /// Registers `waker` to be woken when the future is settled.
    fn add_waiter(&self, waker: &Waker) {
        let mut inner = self.cell().inner.borrow_mut();
        match &inner.waiter {
            None => inner.waiter = Some(waker.clone()),
            Some(first) if first.will_wake(waker) => {}
            Some(_) => {
                let more = more(&mut inner);
                if !more.waiters.iter().any(|w| w.will_wake(waker)) {
                    more.waiters.push(waker.clone());
                }
            }
        }
    }
}

impl<T: Clone + 'static> Future<T> {
    /// A copy of the result (asyncio's `result()`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] while pending; the future's error, or
    /// [`Error::Cancelled`], otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let fut = asyncio::Future::new();
    /// assert!(fut.result().is_err());
    /// fut.set_result(42)?;
    /// assert_eq!(fut.result()?, 42);
    /// assert!(fut.exception()?.is_none());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn result(&self) -> Result<T> {
        let mut inner = self.cell().inner.borrow_mut();
        inner.retrieved = true;
        match &inner.result {
            None => Err(Error::invalid_state(
                "result is not set: the future is pending",
            )),
            Some(Ok(value)) => Ok(value.clone()),
            Some(Err(err)) => Err(err.duplicate()),
        }
    }
}

fn more<T>(inner: &mut Inner<T>) -> &mut More<T> {
    inner.more.get_or_insert_with(|| {
        Box::new(More {
            waiters: Vec::new(),
            callbacks: Vec::new(),
        })
    })
}

impl<T: Clone + 'static> std::future::Future for Future<T> {
    type Output = Result<T>;

    /// Waits for the result. If the awaiting task is cancelled meanwhile,
    /// the future is cancelled too (asyncio cancels the future a task
    /// waits on), unless it is already done; the awaiter gets the
    /// cancellation either way.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        if let Some(err) = cancel::take_request() {
            match &err {
                Error::Cancelled(Some(msg)) => self.cancel_with(msg.clone()),
                _ => self.cancel(),
            };
            self.waiter.withdraw();
            return Poll::Ready(Err(err));
        }
        if self.done() {
            self.waiter.withdraw();
            return Poll::Ready(self.result());
        }
        self.add_waiter(cx.waker());
        self.waiter.enlist(|cell| {
            let target: Rc<dyn CancelTarget> = cell.clone();
            cancel::wait_on(target).map(drop)
        });
        Poll::Pending
    }
}

impl<T> Drop for Cell<T> {
    fn drop(&mut self) {
        let inner = self.inner.get_mut();
        if inner.retrieved {
            return;
        }
        let Some(Err(err)) = inner.result.take() else {
            return;
        };
        if err.is_cancelled() {
            inner.result = Some(Err(err));
            return;
        }
        let context =
            ExceptionContext::new("Future exception was never retrieved").with_exception(*err);
        match self.core.upgrade() {
            Some(core) => core.call_exception_handler(context),
            None => eprintln!("asyncio: {context}"),
        }
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.cell().inner.borrow().result {
            None => "pending",
            Some(Ok(_)) => "finished",
            Some(Err(err)) if err.is_cancelled() => "cancelled",
            Some(Err(_)) => "failed",
        };
        write!(f, "<Future {state}>")
    }
}
