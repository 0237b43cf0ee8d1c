//! Running the loop: entering it, and one iteration (poll for I/O, take
//! the mail, expire timers, run what is ready).

use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::Core;
use crate::error::{Error, Result};
use crate::event_loop::callbacks::Callback;
use crate::event_loop::current;
use crate::event_loop::exceptions::ExceptionContext;
use crate::event_loop::handle::Handle;
use crate::event_loop::ready::Ready;
use crate::event_loop::remote::RemoteMsg;
use crate::event_loop::task_ref::TaskRef;
use crate::event_loop::tasks::{Runnable, TaskId};
use crate::util::slab::Key;

impl Core {
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
    pub(in crate::event_loop) fn stop(&self) {
        self.stopping.set(true);
    }

    /// Takes the stop request.
    pub(in crate::event_loop) fn take_stop(&self) -> bool {
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
    pub(super) fn check_slow(&self, started: Instant, what: String) {
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
    pub(super) fn poll_timeout(&self) -> Option<Duration> {
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

    pub(super) fn take_remote(&self) {
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

    pub(super) fn expire_timers(&self) {
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
    pub(super) fn run_task(&self, id: TaskId, root: &mut dyn FnMut()) -> Option<String> {
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

    pub(super) fn run_callback(&self, key: Key) -> Option<String> {
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
pub(super) struct CurrentTask<'a> {
    core: &'a Core,
    previous_id: Option<TaskId>,
    previous: Option<Rc<dyn Runnable>>,
}

impl<'a> CurrentTask<'a> {
    pub(super) fn enter(core: &'a Core, id: TaskId, task: Rc<dyn Runnable>) -> Self {
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
