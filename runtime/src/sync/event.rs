//! [`Event`]: a flag tasks can wait for (asyncio's `Event`).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::wait_list::{ListWaiter, WaitList, WaitQueue};
use crate::error::Result;

#[derive(Debug, Default)]
struct State {
    value: bool,
    waiters: WaitList,
}

/// A `set` is a broadcast: a wake-up a leaving waiter got and will not act
/// on is nobody else's.
impl WaitQueue for State {
    fn list(&mut self) -> &mut WaitList {
        &mut self.waiters
    }
}

/// A flag that tasks wait for (asyncio's `Event`).
///
/// The flag starts cleared. [`set`](Self::set) raises it and wakes every
/// task waiting in [`wait`](Self::wait); while it stays set, `wait` returns
/// at once without suspending. [`clear`](Self::clear) lowers it again. A
/// waiter woken by `set` returns even if the flag was cleared before it
/// ran, as in asyncio, and is woken only once however many times the flag
/// is set meanwhile.
///
/// Handles are cheap clones of one event, to move into tasks.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// #[asyncio::coroutine]
/// fn waiter(event: asyncio::Event, log: Rc<RefCell<Vec<&'static str>>>) -> asyncio::Result<()> {
///     log.borrow_mut().push("waiting");
///     event.wait().await?;
///     log.borrow_mut().push("woken");
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<Vec<&'static str>> {
///     let event = asyncio::Event::new();
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let task = asyncio::create_task(waiter(event.clone(), log.clone()));
///     asyncio::sleep(0).await?;
///     log.borrow_mut().push("setting");
///     event.set();
///     task.await?;
///     let log = log.borrow().clone();
///     Ok(log)
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, ["waiting", "setting", "woken"]);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Event {
    state: Rc<RefCell<State>>,
}

impl Event {
    /// A cleared event.
    pub fn new() -> Event {
        Event::default()
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.state.borrow().value
    }

    /// Sets the flag and wakes every waiting task (each once, even if the
    /// flag is set again before it runs). Does nothing if it is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = asyncio::Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn set(&self) {
        let mut state = self.state.borrow_mut();
        if !state.value {
            state.value = true;
            state.waiters.notify_all();
        }
    }

    /// Clears the flag: later calls to [`wait`](Self::wait) block until
    /// the next [`set`](Self::set). Tasks already woken stay woken.
    pub fn clear(&self) {
        self.state.borrow_mut().value = false;
    }

    /// Waits until the flag is set; returns at once, without suspending,
    /// if it is set already.
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`](crate::Error::Cancelled) if the waiting task is
    /// cancelled; it then leaves the event's waiters.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<()> {
    ///     let event = asyncio::Event::new();
    ///     event.set();
    ///     event.wait().await // already set: no suspension
    /// }
    /// asyncio::run(main_coroutine())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn wait(&self) -> EventWait {
        EventWait {
            waiter: ListWaiter::in_list(self.state.clone()),
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("Event")
            .field("set", &state.value)
            .field("waiters", &state.waiters.waiting())
            .finish()
    }
}

/// The future returned by [`Event::wait`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct EventWait {
    waiter: ListWaiter<State>,
}

impl Future for EventWait {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Err(err) = self.waiter.begin("wait polled after completion") {
            return Poll::Ready(Err(err));
        }
        self.waiter
            .poll_wait(cx, |state, woken| (woken || state.value).then_some(Ok(())))
    }
}

impl fmt::Debug for EventWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("waiting", &self.waiter.is_waiting())
            .finish()
    }
}
