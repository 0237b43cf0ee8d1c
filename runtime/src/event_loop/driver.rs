//! The loop core: a loop's state, and one iteration over it.
//!
//! [`Core`] is shared through an `Rc` by the user's [`EventLoop`] handles,
//! the thread's "running loop" slot and (weakly) by callback handles. Each
//! part of the state sits in its own `RefCell` and is borrowed only for a
//! few lines, never while user code runs: a task step or a callback may call
//! back into the loop (schedule, cancel, spawn) at any time.
//!
//! [`EventLoop`]: super::EventLoop

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::Delay;
use super::callbacks::{Callback, Scheduled};
use super::clock::Clock;
use super::current;
use super::handle::{Handle, TimerHandle};
use super::io::Io;
use super::ready::Ready;
use super::remote::{Remote, RemoteMsg};
use super::tasks::{Runnable, TaskId, TaskSlot};
use super::timers::TimerHeap;
use super::waker;
use crate::error::{Error, Result};
use crate::util::slab::{Key, Slab};

/// Source of loop ids, which let a waker recognise its own loop.
static NEXT_LOOP_ID: AtomicU64 = AtomicU64::new(1);

/// Everything one event loop owns.
pub(crate) struct Core {
    id: u64,
    remote: Arc<Remote>,
    clock: Clock,
    /// Runnable task steps and callbacks, FIFO.
    ready: RefCell<VecDeque<Ready>>,
    /// Callbacks that have not run yet, by the key their handles hold.
    callbacks: RefCell<Slab<Scheduled>>,
    timers: RefCell<TimerHeap>,
    tasks: RefCell<Slab<TaskSlot>>,
    /// The root future's slot while `run_until_complete` runs.
    root: Cell<Option<TaskId>>,
    io: RefCell<Io>,
    /// Reused buffer for the remote mailbox's messages.
    inbox: RefCell<VecDeque<RemoteMsg>>,
    /// The task whose step is running.
    current_task: Cell<Option<TaskId>>,
    running: Cell<bool>,
    closed: Cell<bool>,
    debug: Cell<bool>,
}

impl Core {
    pub(super) fn new() -> io::Result<Core> {
        let id = NEXT_LOOP_ID.fetch_add(1, Ordering::Relaxed);
        let (io, mio_waker) = Io::new()?;
        Ok(Core {
            id,
            remote: Arc::new(Remote::new(id, mio_waker)),
            clock: Clock::new(),
            ready: RefCell::default(),
            callbacks: RefCell::default(),
            timers: RefCell::default(),
            tasks: RefCell::default(),
            root: Cell::new(None),
            io: RefCell::new(io),
            inbox: RefCell::default(),
            current_task: Cell::new(None),
            running: Cell::new(false),
            closed: Cell::new(false),
            debug: Cell::new(false),
        })
    }

    /// This loop's process-unique id.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    // ----- state -------------------------------------------------------

    pub(super) fn time(&self) -> f64 {
        self.clock.time()
    }

    pub(super) fn is_running(&self) -> bool {
        self.running.get()
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    pub(super) fn debug(&self) -> bool {
        self.debug.get()
    }

    pub(super) fn set_debug(&self, enabled: bool) {
        self.debug.set(enabled);
    }

    fn check_open(&self) -> Result<()> {
        if self.closed.get() {
            Err(Error::invalid_state("event loop is closed"))
        } else {
            Ok(())
        }
    }

    // ----- callbacks and timers ----------------------------------------

    /// Queues `callback` to run in the next iteration, after what is
    /// already queued.
    pub(super) fn call_soon(self: &Rc<Self>, callback: Callback) -> Result<Handle> {
        self.check_open()?;
        let key = self.callbacks.borrow_mut().insert(Scheduled {
            callback,
            in_heap: false,
        });
        self.ready.borrow_mut().push_back(Ready::Callback(key));
        Ok(Handle::new(Rc::downgrade(self), key))
    }

    /// Schedules `callback` for `deadline`.
    pub(super) fn call_at(
        self: &Rc<Self>,
        deadline: Instant,
        callback: Callback,
    ) -> Result<TimerHandle> {
        self.check_open()?;
        let key = self.callbacks.borrow_mut().insert(Scheduled {
            callback,
            in_heap: true,
        });
        self.timers.borrow_mut().push(deadline, key);
        let handle = Handle::new(Rc::downgrade(self), key);
        Ok(TimerHandle::new(handle, self.clock.seconds_at(deadline)))
    }

    /// Schedules a wake-up of `waker` after `delay` (the timer of `sleep`).
    pub(crate) fn wake_after(self: &Rc<Self>, delay: Delay, waker: Waker) -> Result<TimerHandle> {
        self.call_at(self.clock.deadline_after(delay), Callback::Wake(waker))
    }

    /// Schedules `callback` `delay` from now.
    pub(super) fn call_later(
        self: &Rc<Self>,
        delay: Delay,
        callback: Callback,
    ) -> Result<TimerHandle> {
        self.call_at(self.clock.deadline_after(delay), callback)
    }

    /// The instant at loop time `when`.
    pub(super) fn instant_at(&self, when: f64) -> Instant {
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

    // ----- tasks ---------------------------------------------------------

    /// Adds a task, built by `make` from its id and waker, and queues its
    /// first step.
    pub(crate) fn spawn<R: Runnable + 'static>(
        &self,
        make: impl FnOnce(TaskId, Waker) -> Rc<R>,
    ) -> Result<Rc<R>> {
        self.check_open()?;
        let id = self.tasks.borrow().vacant_key();
        // Built with no borrow held: `make` may run arbitrary code.
        let task = make(id, self.waker(id));
        let runnable: Rc<dyn Runnable> = task.clone();
        let inserted = self
            .tasks
            .borrow_mut()
            .insert(TaskSlot::new(Some(runnable)));
        assert_eq!(inserted, id, "the task table changed while building a task");
        self.schedule(inserted);
        Ok(task)
    }

    /// Reserves the slot of `run_until_complete`'s root future.
    pub(super) fn insert_root(&self) -> TaskId {
        let id = self.tasks.borrow_mut().insert(TaskSlot::new(None));
        self.root.set(Some(id));
        id
    }

    /// Releases the root's slot.
    pub(super) fn remove_root(&self, id: TaskId) {
        self.root.set(None);
        self.tasks.borrow_mut().remove(id);
    }

    /// Forgets a task that completed. Stale wake-ups of it are ignored.
    pub(crate) fn remove_task(&self, id: TaskId) {
        let removed = self.tasks.borrow_mut().remove(id);
        drop(removed);
    }

    /// A waker that schedules the task `id` on this loop.
    pub(super) fn waker(&self, id: TaskId) -> Waker {
        waker::new(id, self.remote.clone())
    }

    /// Queues a step of task `id`, unless it is queued already or gone.
    pub(crate) fn schedule(&self, id: TaskId) {
        let mut tasks = self.tasks.borrow_mut();
        if let Some(slot) = tasks.get_mut(id) {
            if !slot.queued {
                slot.queued = true;
                self.ready.borrow_mut().push_back(Ready::Task(id));
            }
        }
    }

    /// Requests cancellation of task `id` and wakes it so that it sees the
    /// request. Returns `false` if the task is gone.
    pub(crate) fn request_cancel(&self, id: TaskId) -> bool {
        let found = match self.tasks.borrow_mut().get_mut(id) {
            Some(slot) => {
                slot.cancel_requested = true;
                true
            }
            None => false,
        };
        if found {
            self.schedule(id);
        }
        found
    }

    /// Takes the running task's pending cancellation request, if any.
    pub(crate) fn take_cancel_request(&self) -> bool {
        let Some(id) = self.current_task.get() else {
            return false;
        };
        self.tasks
            .borrow_mut()
            .get_mut(id)
            .is_some_and(|slot| std::mem::take(&mut slot.cancel_requested))
    }

    /// Requests cancellation of every task (not the root).
    pub(crate) fn cancel_all_tasks(&self) {
        let ids: Vec<TaskId> = self
            .tasks
            .borrow_mut()
            .iter_mut()
            .filter(|(_, slot)| slot.runnable.is_some())
            .map(|(id, slot)| {
                slot.cancel_requested = true;
                id
            })
            .collect();
        for id in ids {
            self.schedule(id);
        }
    }

    /// Number of tasks that have not completed (the root not included).
    pub(crate) fn task_count(&self) -> usize {
        self.tasks.borrow().len() - usize::from(self.root.get().is_some())
    }

    /// Whether nothing is ready, no timer is pending and no mail is waiting:
    /// only I/O could make progress from here.
    pub(crate) fn is_idle(&self) -> bool {
        self.ready.borrow().is_empty()
            && self.timers.borrow().live() == 0
            && !self.remote.has_pending()
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
        current::set(Some(self.clone()));
        Ok(Running { core: self.clone() })
    }

    /// Runs one iteration of the loop.
    ///
    /// In asyncio's order: wait for I/O (not at all if something is ready,
    /// else until the nearest timer, at most `max_wait`), take the other
    /// threads' wake-ups, move expired timers to the ready queue, then run
    /// what is ready — only what was queued by then; whatever those steps
    /// queue runs in the next iteration.
    ///
    /// Steps of the root future (see [`insert_root`](Self::insert_root)) are
    /// handed to `root`.
    pub(crate) fn run_once(
        &self,
        root: &mut dyn FnMut(),
        max_wait: Option<Duration>,
    ) -> io::Result<()> {
        let timeout = self.poll_timeout().map_or(max_wait, |timeout| {
            Some(max_wait.map_or(timeout, |max| max.min(timeout)))
        });
        let woken = self.io.borrow_mut().poll(timeout)?;
        if woken || self.remote.has_pending() {
            self.take_remote();
        }
        self.expire_timers();
        let batch = self.ready.borrow().len();
        for _ in 0..batch {
            let Some(item) = self.ready.borrow_mut().pop_front() else {
                break;
            };
            match item {
                Ready::Task(id) => self.run_task(id, root),
                Ready::Callback(key) => self.run_callback(key),
            }
        }
        Ok(())
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
        let mut inbox = self.inbox.borrow_mut();
        self.remote.drain_into(&mut inbox);
        for msg in inbox.drain(..) {
            match msg {
                RemoteMsg::Wake(id) => self.schedule(id),
            }
        }
    }

    fn expire_timers(&self) {
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

    fn run_task(&self, id: TaskId, root: &mut dyn FnMut()) {
        let runnable = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(id) else {
                // Completed or aborted after it was queued.
                return;
            };
            slot.queued = false;
            slot.runnable.clone()
        };
        let _current = CurrentTask::enter(self, id);
        match runnable {
            Some(task) => task.run(),
            None => root(),
        }
    }

    fn run_callback(&self, key: Key) {
        let scheduled = self.callbacks.borrow_mut().remove(key);
        if let Some(scheduled) = scheduled {
            scheduled.callback.run();
        }
    }

    // ----- closing -------------------------------------------------------

    /// Closes the loop: pending tasks are aborted (their futures dropped),
    /// pending callbacks and timers are dropped, and every later attempt to
    /// schedule or run fails.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop is running.
    pub(super) fn close(&self) -> Result<()> {
        if self.running.get() {
            return Err(Error::invalid_state("cannot close a running event loop"));
        }
        if !self.closed.replace(true) {
            self.release_all();
        }
        Ok(())
    }

    /// Drops everything the loop holds. Whatever was taken out of a cell is
    /// dropped only after the borrow ends, since dropping futures and
    /// callbacks runs user code that may call back into the loop.
    fn release_all(&self) {
        self.remote.close();
        let tasks = self.tasks.borrow_mut().drain();
        for task in tasks.iter().filter_map(|slot| slot.runnable.as_ref()) {
            task.abort();
        }
        drop(tasks);
        self.timers.borrow_mut().clear();
        let callbacks = self.callbacks.borrow_mut().drain();
        drop(callbacks);
        let ready = std::mem::take(&mut *self.ready.borrow_mut());
        drop(ready);
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // A loop dropped without `close()`: still complete its tasks, so
        // that handles to them do not wait forever.
        if !self.closed.replace(true) {
            self.release_all();
        }
    }
}

/// The loop is running on this thread; see [`Core::enter`].
pub(crate) struct Running {
    core: Rc<Core>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.core.running.set(false);
        current::set(None);
    }
}

/// Marks a task as the running one for the length of its step.
struct CurrentTask<'a> {
    core: &'a Core,
    previous: Option<TaskId>,
}

impl<'a> CurrentTask<'a> {
    fn enter(core: &'a Core, id: TaskId) -> Self {
        let previous = core.current_task.replace(Some(id));
        CurrentTask { core, previous }
    }
}

impl Drop for CurrentTask<'_> {
    fn drop(&mut self) {
        self.core.current_task.set(self.previous);
    }
}
