//! The loop core: a loop's state, and one iteration over it.
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
use std::task::Waker;
use std::time::{Duration, Instant};

use super::callbacks::{Callback, Scheduled};
use super::clock::Clock;
use super::exceptions::{self, ExceptionContext, Handler};
use super::handle::{Handle, TimerHandle};
use super::io::Io;
use super::ready::Ready;
use super::remote::{self, Remote, RemoteMsg};
use super::task_ref::TaskRef;
use super::tasks::{Header, Runnable, TaskId, TaskSlot};
use super::timers::TimerHeap;
use super::{Delay, EventLoop, current, waker};
use crate::error::{Error, Result};
use crate::util::slab::{Key, Slab};
use crate::util::thread_pool::ThreadPool;

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

    // ----- callbacks and timers ----------------------------------------

    fn insert_ready(&self, callback: Callback) -> Result<Key> {
        self.check_open()?;
        if self.remote.has_pending() {
            // Mail posted by another thread before this call (asyncio's
            // `call_soon_threadsafe` appends to the same queue): keep its
            // place in FIFO order.
            self.take_remote();
        }
        Ok(self.push_callback(callback))
    }

    /// Appends `callback` to the ready queue.
    pub(super) fn push_callback(&self, callback: Callback) -> Key {
        let key = self.callbacks.borrow_mut().insert(Scheduled {
            callback,
            in_heap: false,
        });
        self.ready.borrow_mut().push_back(Ready::Callback(key));
        key
    }

    /// Queues `callback` to run in the next iteration, after what is
    /// already queued.
    pub(super) fn call_soon(&self, callback: Callback) -> Result<Handle> {
        let key = self.insert_ready(callback)?;
        Ok(Handle::new(self.weak(), key))
    }

    /// `call_soon` for the runtime's own callbacks, which need no handle.
    pub(crate) fn call_soon_internal(&self, f: Box<dyn FnOnce()>) -> Result<()> {
        self.insert_ready(Callback::Call(f, "asyncio")).map(drop)
    }

    /// Schedules `callback` for `deadline`. A callback for never (`None`)
    /// is kept, cancellable, until the loop closes, and never runs.
    pub(super) fn call_at(
        &self,
        deadline: Option<Instant>,
        callback: Callback,
    ) -> Result<TimerHandle> {
        self.check_open()?;
        let key = self.callbacks.borrow_mut().insert(Scheduled {
            callback,
            in_heap: deadline.is_some(),
        });
        let when = match deadline {
            Some(deadline) => {
                self.timers.borrow_mut().push(deadline, key);
                self.clock.seconds_at(deadline)
            }
            None => f64::INFINITY,
        };
        let handle = Handle::new(self.weak(), key);
        Ok(TimerHandle::new(handle, when))
    }

    /// Schedules a wake-up of `waker` at `deadline` (the timer of leaves).
    pub(crate) fn wake_at(&self, deadline: Instant, waker: Waker) -> Result<TimerHandle> {
        self.call_at(Some(deadline), Callback::Wake(waker))
    }

    /// Schedules the cancellation of task `id` at `deadline`, or in FIFO
    /// order with what is ready now if `now` (a timeout's timer).
    pub(crate) fn cancel_task_at(&self, deadline: Option<Instant>, id: TaskId) -> Result<Key> {
        match deadline {
            None => self.insert_ready(Callback::CancelTask(id)),
            Some(deadline) => {
                self.check_open()?;
                let key = self.callbacks.borrow_mut().insert(Scheduled {
                    callback: Callback::CancelTask(id),
                    in_heap: true,
                });
                self.timers.borrow_mut().push(deadline, key);
                Ok(key)
            }
        }
    }

    /// Forgets a runtime timer scheduled by key.
    pub(crate) fn cancel_timer(&self, key: Key) {
        self.cancel_callback(key);
    }

    /// Whether a runtime timer has neither run nor been cancelled.
    pub(crate) fn timer_pending(&self, key: Key) -> bool {
        self.is_scheduled(key)
    }

    /// Schedules a runtime callback at `deadline`.
    pub(crate) fn call_at_internal(
        &self,
        deadline: Instant,
        f: Box<dyn FnOnce()>,
    ) -> Result<TimerHandle> {
        self.call_at(Some(deadline), Callback::Call(f, "asyncio"))
    }

    /// The deadline `delay` from now (`None`: never, for an infinite
    /// delay).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a NaN delay.
    pub(crate) fn deadline_after(&self, delay: Delay) -> Result<Option<Instant>> {
        self.clock.deadline_after(delay)
    }

    /// The instant at loop time `when` (`None`: never, for infinity).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for a NaN `when`.
    pub(crate) fn instant_at(&self, when: f64) -> Result<Option<Instant>> {
        self.clock.instant_at(when)
    }

    /// Forgets the callback behind `key` if it has not run yet.
    pub(super) fn cancel_callback(&self, key: Key) {
        let removed = {
            let mut callbacks = self.callbacks.borrow_mut();
            let removed = callbacks.remove(key);
            if removed.as_ref().is_some_and(|scheduled| scheduled.in_heap) {
                self.timers
                    .borrow_mut()
                    .note_cancelled(|key| callbacks.contains(key));
            }
            removed
        };
        // The callback's captures may run arbitrary destructors: drop them
        // with no borrow held.
        drop(removed);
    }

    /// Whether the callback behind `key` is still waiting to run.
    pub(super) fn is_scheduled(&self, key: Key) -> bool {
        self.callbacks.borrow().contains(key)
    }

    /// Points a waking callback at `waker`.
    pub(super) fn set_callback_waker(&self, key: Key, waker: &Waker) {
        let previous = {
            let mut callbacks = self.callbacks.borrow_mut();
            match callbacks.get_mut(key) {
                Some(Scheduled {
                    callback: Callback::Wake(current),
                    ..
                }) if !current.will_wake(waker) => Some(std::mem::replace(current, waker.clone())),
                _ => None,
            }
        };
        drop(previous);
    }

    /// Number of live timers.
    pub(crate) fn timer_count(&self) -> usize {
        self.timers.borrow().live()
    }

    // ----- tasks ---------------------------------------------------------

    /// Adds a task, built by `make`, and queues its first step.
    pub(crate) fn spawn<R: Runnable + 'static>(
        &self,
        make: impl FnOnce() -> Rc<R>,
    ) -> Result<Rc<R>> {
        self.check_open()?;
        let id = self.tasks.borrow().vacant_key();
        // Built with no borrow held: `make` may run arbitrary code.
        let task = make();
        task.header().id.set(id);
        let runnable: Rc<dyn Runnable> = task.clone();
        let inserted = self.tasks.borrow_mut().insert(TaskSlot {
            task: runnable,
            queued: false,
            is_root: false,
        });
        assert_eq!(inserted, id, "the task table changed while building a task");
        if self.eager_tasks.get() && self.current_task.get().is_some() {
            // asyncio's eager task factory: the first step runs now, inside
            // the creating task's step; a coroutine that finishes without
            // blocking never reaches the ready queue.
            let runnable: Rc<dyn Runnable> = task.clone();
            let _current = CurrentTask::enter(self, id, runnable.clone());
            runnable.run();
        } else {
            self.schedule(inserted);
        }
        Ok(task)
    }

    pub(super) fn set_eager_tasks(&self, enabled: bool) {
        self.eager_tasks.set(enabled);
    }

    pub(super) fn eager_tasks(&self) -> bool {
        self.eager_tasks.get()
    }

    /// Adds the root future's task object; returns its waker.
    pub(super) fn insert_root(&self, root: Rc<dyn Runnable>) -> Waker {
        let id = self.tasks.borrow_mut().insert(TaskSlot {
            task: root.clone(),
            queued: false,
            is_root: true,
        });
        root.header().id.set(id);
        self.waker(id)
    }

    /// Forgets a task that completed (or the root). Stale wake-ups of it are
    /// ignored.
    pub(crate) fn remove_task(&self, id: TaskId) {
        let removed = self.tasks.borrow_mut().remove(id);
        drop(removed);
    }

    /// A waker that schedules the task `id` on this loop.
    fn waker(&self, id: TaskId) -> Waker {
        waker::new(id, self.slot)
    }

    /// Queues a step of task `id`, unless it is queued already or gone.
    pub(crate) fn schedule(&self, id: TaskId) {
        let mut tasks = self.tasks.borrow_mut();
        if let Some(slot) = tasks.get_mut(id) {
            if !std::mem::replace(&mut slot.queued, true) {
                self.ready.borrow_mut().push_back(Ready::Task(id));
            }
        }
    }

    /// [`schedule`](Self::schedule) for a packed id (from a waker).
    pub(super) fn schedule_packed(&self, bits: u64) {
        let mut tasks = self.tasks.borrow_mut();
        if let Some((id, slot)) = tasks.get_packed_mut(bits) {
            if !std::mem::replace(&mut slot.queued, true) {
                self.ready.borrow_mut().push_back(Ready::Task(id));
            }
        }
    }

    /// Runs `f` on the header of the task whose step is running.
    #[inline]
    pub(crate) fn with_current_header<R>(&self, f: impl FnOnce(&Header) -> R) -> Option<R> {
        self.current.borrow().as_ref().map(|task| f(task.header()))
    }

    /// Counts a cancellation request made (`true`) or delivered or
    /// withdrawn (`false`).
    pub(crate) fn count_cancel_request(&self, made: bool) {
        let count = self.cancel_requests.get();
        self.cancel_requests.set(if made {
            count + 1
        } else {
            count.saturating_sub(1)
        });
    }

    /// Whether any task has an undelivered cancellation request (if not,
    /// leaves need not look at the running task).
    #[inline]
    pub(crate) fn cancel_requests_pending(&self) -> bool {
        self.cancel_requests.get() > 0
    }

    /// The id of the task whose step is running.
    #[inline]
    pub(crate) fn current_task_id(&self) -> Option<TaskId> {
        self.current_task.get()
    }

    /// Runs `f` on the header of task `id`, if it is still in the table.
    pub(crate) fn with_task_header<R>(
        &self,
        id: TaskId,
        f: impl FnOnce(&Header) -> R,
    ) -> Option<R> {
        let tasks = self.tasks.borrow();
        let slot = tasks.get(id)?;
        Some(f(slot.task.header()))
    }

    /// A number for the next task's default name (`Task-N`).
    pub(crate) fn next_serial(&self) -> u32 {
        let serial = self.next_serial.get();
        self.next_serial.set(serial.wrapping_add(1));
        serial
    }

    /// Wakes `waker`, directly if it is a waker of this loop's tasks.
    #[inline]
    pub(crate) fn wake(&self, waker: &Waker) {
        if !waker::wake_on(self, waker) {
            waker.wake_by_ref();
        }
    }

    /// The task whose step is running.
    pub(crate) fn current_task(&self) -> Option<Rc<dyn Runnable>> {
        self.current.borrow().clone()
    }

    /// Every task not yet done, the root included.
    pub(crate) fn all_tasks(&self) -> Vec<Rc<dyn Runnable>> {
        self.tasks
            .borrow_mut()
            .iter_mut()
            .map(|(_, slot)| slot.task.clone())
            .collect()
    }

    /// The tasks that are not the root.
    fn spawned_tasks(&self) -> Vec<Rc<dyn Runnable>> {
        self.tasks
            .borrow_mut()
            .iter_mut()
            .filter(|(_, slot)| !slot.is_root)
            .map(|(_, slot)| slot.task.clone())
            .collect()
    }

    /// Requests cancellation of every task (not the root); returns them.
    pub(crate) fn cancel_all_tasks(&self) -> Vec<Rc<dyn Runnable>> {
        let tasks = self.spawned_tasks();
        for task in &tasks {
            task.header().cancel(None);
        }
        tasks
    }

    /// Number of tasks that have not completed (the root not included).
    pub(crate) fn task_count(&self) -> usize {
        self.tasks
            .borrow_mut()
            .iter_mut()
            .filter(|(_, slot)| !slot.is_root)
            .count()
    }

    /// Whether nothing is ready, no timer is pending and no mail is waiting:
    /// only I/O could make progress from here.
    pub(crate) fn is_idle(&self) -> bool {
        self.ready.borrow().is_empty()
            && self.timers.borrow().live() == 0
            && !self.remote.has_pending()
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

    // ----- running -------------------------------------------------------

    /// Marks the loop as running on this thread until the guard drops.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop is closed, already running, or
    /// another loop runs on this thread.
    pub(crate) fn enter(self: &Rc<Self>) -> Result<Running> {
        self.check_open()?;
        if self.running.get() {
            return Err(Error::invalid_state("this event loop is already running"));
        }
        if current::is_running() {
            return Err(Error::invalid_state(
                "cannot run an event loop while another loop is running",
            ));
        }
        self.running.set(true);
        current::set(Some(self));
        Ok(Running { core: self.clone() })
    }

    /// Asks the running loop to stop after the current iteration.
    pub(super) fn stop(&self) {
        self.stopping.set(true);
    }

    /// Takes the stop request.
    pub(super) fn take_stop(&self) -> bool {
        self.stopping.replace(false)
    }

    /// Runs one iteration of the loop.
    ///
    /// In asyncio's order: wait for I/O (not at all if something is ready,
    /// else until the nearest timer), take the other threads' mail, move
    /// expired timers to the ready queue, then run what is ready: only what
    /// was queued by then; whatever those steps queue runs in the next
    /// iteration. With a virtual clock, waiting for a timer is jumping to
    /// it.
    ///
    /// Steps of the root future are handed to `root`.
    pub(crate) fn run_once(&self, root: &mut dyn FnMut()) -> io::Result<()> {
        self.iterations.set(self.iterations.get() + 1);
        let timeout = if self.stopping.get() {
            Some(Duration::ZERO)
        } else {
            self.poll_timeout()
        };
        let (poll_for, jump) = match timeout {
            Some(wait) if self.clock.is_virtual() && !wait.is_zero() => {
                (Some(Duration::ZERO), wait)
            }
            other => (other, Duration::ZERO),
        };
        // Polling without waiting only finds I/O readiness: with no source
        // registered it would find nothing (other threads' mail has its own
        // flag), so the system call is skipped.
        let woken = if poll_for == Some(Duration::ZERO) && !self.io.borrow().has_sources() {
            false
        } else {
            let woken = self.io.borrow_mut().poll(poll_for)?;
            self.dispatch_io();
            woken
        };
        if woken || self.remote.has_pending() {
            self.take_remote();
        } else if !jump.is_zero() {
            self.clock.advance(jump);
        }
        self.expire_timers();
        let batch = self.ready.borrow().len();
        for _ in 0..batch {
            let Some(item) = self.ready.borrow_mut().pop_front() else {
                break;
            };
            let started = self.debug.get().then(Instant::now);
            let what = match item {
                Ready::Task(id) => self.run_task(id, root),
                Ready::Callback(key) => self.run_callback(key),
            };
            if let (Some(started), Some(what)) = (started, what) {
                self.check_slow(started, what);
            }
        }
        Ok(())
    }

    /// In debug mode, reports a step or callback that held the loop longer
    /// than `slow_callback_duration`.
    fn check_slow(&self, started: Instant, what: String) {
        let took = started.elapsed();
        if took >= self.slow_callback.get() {
            self.call_exception_handler(ExceptionContext::new(format!(
                "Executing {what} took {:.3} seconds",
                took.as_secs_f64()
            )));
        }
    }

    /// How long the next poll may block: not at all if anything is ready,
    /// until the nearest timer otherwise, forever (`None`) without timers.
    fn poll_timeout(&self) -> Option<Duration> {
        if !self.ready.borrow().is_empty() || self.remote.has_pending() {
            return Some(Duration::ZERO);
        }
        let callbacks = self.callbacks.borrow();
        let next = self
            .timers
            .borrow_mut()
            .next_deadline(|key| callbacks.contains(key));
        next.map(|deadline| deadline.saturating_duration_since(self.clock.now()))
    }

    fn take_remote(&self) {
        let mut inbox = std::mem::take(&mut *self.inbox.borrow_mut());
        self.remote.drain_into(&mut inbox);
        for msg in inbox.drain(..) {
            match msg {
                RemoteMsg::Wake(bits) => self.schedule_packed(bits),
                RemoteMsg::Call(f) => {
                    self.push_callback(Callback::Call(f, "call_soon_threadsafe"));
                }
            }
        }
        *self.inbox.borrow_mut() = inbox;
    }

    fn expire_timers(&self) {
        if self.timers.borrow().is_empty() {
            return;
        }
        let now = self.clock.now();
        let mut timers = self.timers.borrow_mut();
        let mut callbacks = self.callbacks.borrow_mut();
        let mut ready = self.ready.borrow_mut();
        while let Some(key) = timers.pop_expired(now, |key| callbacks.contains(key)) {
            if let Some(scheduled) = callbacks.get_mut(key) {
                scheduled.in_heap = false;
            }
            ready.push_back(Ready::Callback(key));
        }
    }

    /// Runs one step of task `id`; in debug mode, returns what ran.
    fn run_task(&self, id: TaskId, root: &mut dyn FnMut()) -> Option<String> {
        let (task, is_root) = {
            let mut tasks = self.tasks.borrow_mut();
            // Completed or aborted after it was queued.
            let slot = tasks.get_mut(id)?;
            slot.queued = false;
            (slot.task.clone(), slot.is_root)
        };
        let what = self
            .debug
            .get()
            .then(|| format!("{:?}", TaskRef::new(task.clone())));
        let _current = CurrentTask::enter(self, id, task.clone());
        if is_root {
            root();
        } else {
            task.run();
        }
        what
    }

    fn run_callback(&self, key: Key) -> Option<String> {
        let scheduled = self.callbacks.borrow_mut().remove(key)?;
        let name = scheduled.callback.name();
        let what = self.debug.get().then(|| format!("<callback {name}>"));
        if let Callback::CancelTask(id) = scheduled.callback {
            let task = self.tasks.borrow().get(id).map(|slot| slot.task.clone());
            if let Some(task) = task {
                task.header().cancel(None);
            }
            return what;
        }
        if let Err(err) = scheduled.callback.run() {
            let handle = Handle::new(self.weak(), key);
            self.call_exception_handler(
                ExceptionContext::new(format!("Exception in callback {name}"))
                    .with_exception(err)
                    .with_handle(handle),
            );
        }
        what
    }

    // ----- closing -------------------------------------------------------

    /// Closes the loop: pending tasks are aborted (their futures dropped)
    /// and reported, pending callbacks and timers are dropped, and every
    /// later attempt to schedule or run fails.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop is running.
    pub(super) fn close(&self) -> Result<()> {
        if self.running.get() {
            return Err(Error::invalid_state("cannot close a running event loop"));
        }
        if !self.closed.replace(true) {
            self.release_all(true);
        }
        Ok(())
    }

    /// The loop's owner was dropped (asyncio's `BaseEventLoop.__del__`):
    /// an unclosed loop is reported in debug mode and closed, now or when
    /// its run returns; the exception handler is released. This breaks the
    /// reference cycles of callbacks and tasks that hold handles to the
    /// loop.
    pub(super) fn owner_dropped(&self) {
        // Reporting runs user code (the handler): not while unwinding, where
        // a second panic would abort.
        let report = !std::thread::panicking();
        if !self.closed.get() {
            if report && self.debug.get() {
                self.call_exception_handler(ExceptionContext::new(format!(
                    "unclosed event loop <EventLoop slot={} running={} closed=false debug=true>",
                    self.slot,
                    self.running.get()
                )));
            }
            if self.running.get() {
                self.close_after_run.set(true);
                return;
            }
            self.closed.set(true);
            self.release_all(report);
        }
        self.set_exception_handler(None);
    }

    /// Drops everything the loop holds. Whatever was taken out of a cell is
    /// dropped only after the borrow ends, since dropping futures and
    /// callbacks runs user code that may call back into the loop.
    fn release_all(&self, report: bool) {
        self.remote.close();
        let tasks = self.tasks.borrow_mut().drain();
        for slot in tasks.iter().filter(|slot| !slot.is_root) {
            if report {
                self.call_exception_handler(
                    ExceptionContext::new("Task was destroyed but it is pending!")
                        .with_task(TaskRef::new(slot.task.clone())),
                );
            }
            slot.task.clone().abort();
        }
        drop(tasks);
        self.timers.borrow_mut().clear();
        let callbacks = self.callbacks.borrow_mut().drain();
        drop(callbacks);
        let ready = std::mem::take(&mut *self.ready.borrow_mut());
        drop(ready);
        // Watcher callbacks are dropped; leaves still waiting on a socket
        // are woken and find the loop closed.
        let sources = self.io.borrow_mut().take_all();
        let mut wake = Vec::new();
        for scheduled in &sources {
            scheduled.release(&mut wake);
        }
        drop(sources);
        self.wake_all(wake);
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // A loop dropped without `close()`: still complete its tasks, so
        // that handles to them do not wait forever.
        if !self.closed.replace(true) {
            self.release_all(false);
        }
        current::unregister_local(self.slot);
        remote::unregister(self.slot);
    }
}

/// The loop is running on this thread; see [`Core::enter`].
pub(crate) struct Running {
    core: Rc<Core>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.core.running.set(false);
        self.core.stopping.set(false);
        current::set(None);
        if self.core.close_after_run.replace(false) {
            // The owner went away during the run.
            self.core.owner_dropped();
        }
    }
}

/// Marks a task as the running one for the length of its step.
struct CurrentTask<'a> {
    core: &'a Core,
    previous_id: Option<TaskId>,
    previous: Option<Rc<dyn Runnable>>,
}

impl<'a> CurrentTask<'a> {
    fn enter(core: &'a Core, id: TaskId, task: Rc<dyn Runnable>) -> Self {
        let previous_id = core.current_task.replace(Some(id));
        let previous = core.current.replace(Some(task));
        CurrentTask {
            core,
            previous_id,
            previous,
        }
    }
}

impl Drop for CurrentTask<'_> {
    fn drop(&mut self) {
        self.core.current_task.set(self.previous_id);
        // Dropped after the cell is released: it may be the last reference
        // to a finished task, whose drop can report to the handler.
        let finished = self.core.current.replace(self.previous.take());
        drop(finished);
    }
}
