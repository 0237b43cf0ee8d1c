//! The loop core: a loop's state (here), and what is done with it, one job
//! a module: [`schedule`] queues callbacks and timers, [`task_table`] keeps
//! the tasks, [`iteration`] runs the loop one iteration at a time, and
//! [`closing`] drops what the loop holds.
//!
//! [`Core`] is shared through an `Rc` by the user's [`EventLoop`] handles,
//! the thread's "running loop" slot and (weakly) by callback handles and
//! tasks. Each part of the state sits in its own `RefCell` and is borrowed
//! only for a few lines, never while user code runs: a task step or a
//! callback may call back into the loop (schedule, cancel, spawn) at any
//! time.
//!
//! [`EventLoop`]: super::EventLoop

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::callbacks::Scheduled;
use super::clock::Clock;
use super::exceptions::{self, ExceptionContext, Handler};
use super::io::Io;
use super::ready::Ready;
use super::remote::{self, Remote, RemoteMsg};
use super::tasks::{Runnable, TaskId, TaskSlot};
use super::timers::TimerHeap;
use super::{EventLoop, current};
use crate::error::{Error, Result};
use crate::util::slab::Slab;
use crate::util::thread_pool::ThreadPool;

mod closing;
mod iteration;
mod schedule;
mod task_table;

use self::iteration::CurrentTask;

/// asyncio's default `slow_callback_duration`.
const SLOW_CALLBACK: Duration = Duration::from_millis(100);

/// The state of one event loop.
pub(crate) struct Core {
    /// This core, for handles and contexts built from `&self`.
    pub(super) me: Weak<Core>,
    /// The loop's slot in the registry, carried by its tasks' wakers.
    slot: u16,
    remote: Arc<Remote>,
    clock: Clock,
    ready: RefCell<VecDeque<Ready>>,
    callbacks: RefCell<Slab<Scheduled>>,
    timers: RefCell<TimerHeap>,
    tasks: RefCell<Slab<TaskSlot>>,
    pub(super) io: RefCell<Io>,
    /// Mail taken from `remote`, kept to reuse its allocation.
    inbox: RefCell<VecDeque<RemoteMsg>>,
    current_task: Cell<Option<TaskId>>,
    /// The task whose step is running, for leaves to reach its header
    /// without a table lookup.
    current: RefCell<Option<Rc<dyn Runnable>>>,
    running: Cell<bool>,
    stopping: Cell<bool>,
    closed: Cell<bool>,
    /// The owner was dropped while the loop ran: close it when the run
    /// returns.
    close_after_run: Cell<bool>,
    debug: Cell<bool>,
    /// New tasks run their first step at once (asyncio's
    /// `eager_task_factory`).
    eager_tasks: Cell<bool>,
    slow_callback: Cell<Duration>,
    iterations: Cell<u64>,
    /// How many tasks have a cancellation requested and not delivered.
    cancel_requests: Cell<usize>,
    next_serial: Cell<u32>,
    exception_handler: RefCell<Option<Rc<Handler>>>,
    executor: RefCell<Option<Arc<ThreadPool>>>,
}

impl Core {
    pub(super) fn new(virtual_time: bool) -> io::Result<Rc<Core>> {
        let (io, mio_waker) = Io::new()?;
        let remote = Arc::new(Remote::new(mio_waker));
        let slot = remote::register(remote.clone())?;
        let core = Rc::new_cyclic(|me| Core {
            me: me.clone(),
            slot,
            remote,
            clock: Clock::new(virtual_time),
            ready: RefCell::default(),
            callbacks: RefCell::default(),
            timers: RefCell::default(),
            tasks: RefCell::default(),
            io: RefCell::new(io),
            inbox: RefCell::default(),
            current_task: Cell::new(None),
            current: RefCell::new(None),
            running: Cell::new(false),
            stopping: Cell::new(false),
            closed: Cell::new(false),
            close_after_run: Cell::new(false),
            debug: Cell::new(false),
            eager_tasks: Cell::new(false),
            slow_callback: Cell::new(SLOW_CALLBACK),
            iterations: Cell::new(0),
            cancel_requests: Cell::new(0),
            next_serial: Cell::new(1),
            exception_handler: RefCell::new(None),
            executor: RefCell::new(None),
        });
        current::register_local(slot, &core);
        Ok(core)
    }

    pub(crate) fn loop_slot(&self) -> u16 {
        self.slot
    }

    pub(crate) fn weak(&self) -> Weak<Core> {
        self.me.clone()
    }

    /// This core as an `Rc`. Cores are only ever reached through an `Rc`
    /// (the loop's handles, the running loop's guard), so this succeeds
    /// whenever there is a `&Core` to call it on.
    pub(crate) fn rc(&self) -> Rc<Core> {
        self.me.upgrade().expect("a core is always owned by an Rc")
    }

    pub(crate) fn remote(&self) -> &Arc<Remote> {
        &self.remote
    }

    pub(super) fn time(&self) -> f64 {
        self.clock.time()
    }

    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    pub(crate) fn seconds_at(&self, instant: Instant) -> f64 {
        self.clock.seconds_at(instant)
    }

    pub(super) fn advance_time(&self, by: Duration) -> Result<()> {
        if self.clock.advance(by) {
            Ok(())
        } else {
            Err(Error::invalid_state(
                "advance_time() needs a loop with a virtual clock",
            ))
        }
    }

    pub(super) fn iterations(&self) -> u64 {
        self.iterations.get()
    }

    pub(super) fn is_running(&self) -> bool {
        self.running.get()
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    pub(crate) fn debug(&self) -> bool {
        self.debug.get()
    }

    pub(super) fn set_debug(&self, enabled: bool) {
        self.debug.set(enabled);
    }

    pub(super) fn set_slow_callback_duration(&self, duration: Duration) {
        self.slow_callback.set(duration);
    }

    pub(super) fn slow_callback_duration(&self) -> Duration {
        self.slow_callback.get()
    }

    pub(crate) fn check_open(&self) -> Result<()> {
        if self.closed.get() {
            Err(Error::invalid_state("event loop is closed"))
        } else {
            Ok(())
        }
    }

    // ----- the default executor ------------------------------------------

    /// The loop's default thread pool, created on first use.
    pub(crate) fn executor(&self) -> Arc<ThreadPool> {
        self.executor
            .borrow_mut()
            .get_or_insert_with(|| Arc::new(ThreadPool::default()))
            .clone()
    }

    /// Replaces the default thread pool.
    pub(crate) fn set_executor(&self, pool: Arc<ThreadPool>) {
        let previous = self.executor.replace(Some(pool));
        if let Some(previous) = previous {
            previous.shutdown();
        }
    }

    /// Shuts the default thread pool down, waiting for its jobs.
    pub(crate) fn shutdown_executor(&self) {
        let pool = self.executor.borrow_mut().take();
        if let Some(pool) = pool {
            pool.shutdown();
        }
    }

    // ----- errors nobody awaits -------------------------------------------

    pub(super) fn set_exception_handler(&self, handler: Option<Rc<Handler>>) {
        let previous = self.exception_handler.replace(handler);
        drop(previous);
    }

    /// Reports `context` to the exception handler (asyncio's
    /// `call_exception_handler`). A panic in the handler is printed and
    /// swallowed, as asyncio logs errors of its handler.
    pub(crate) fn call_exception_handler(&self, context: ExceptionContext) {
        let handler = self.exception_handler.borrow().clone();
        let Some(core) = self.me.upgrade() else {
            exceptions::default_handler(&context);
            return;
        };
        let event_loop = EventLoop::from_core(core);
        match handler {
            None => exceptions::default_handler(&context),
            Some(handler) => {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handler(&event_loop, &context);
                }));
                if let Err(payload) = outcome {
                    eprintln!(
                        "asyncio: unhandled error in the exception handler: {}\n{context}",
                        crate::util::panic::message(&*payload)
                    );
                }
            }
        }
    }
}
