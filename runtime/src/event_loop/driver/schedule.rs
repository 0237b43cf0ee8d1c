//! Queuing work on the loop: callbacks for the next iteration, and timers.

use std::task::Waker;
use std::time::Instant;

use super::Core;
use crate::error::Result;
use crate::event_loop::Delay;
use crate::event_loop::callbacks::{Callback, Scheduled};
use crate::event_loop::handle::{Handle, TimerHandle};
use crate::event_loop::ready::Ready;
use crate::event_loop::tasks::TaskId;
use crate::util::slab::Key;

impl Core {
    pub(super) fn insert_ready(&self, callback: Callback) -> Result<Key> {
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
    pub(in crate::event_loop) fn push_callback(&self, callback: Callback) -> Key {
        let key = self.callbacks.borrow_mut().insert(Scheduled {
            callback,
            in_heap: false,
        });
        self.ready.borrow_mut().push_back(Ready::Callback(key));
        key
    }

    /// Queues `callback` to run in the next iteration, after what is
    /// already queued.
    pub(in crate::event_loop) fn call_soon(&self, callback: Callback) -> Result<Handle> {
        let key = self.insert_ready(callback)?;
        Ok(Handle::new(self.weak(), key))
    }

    /// `call_soon` for the runtime's own callbacks, which need no handle.
    pub(crate) fn call_soon_internal(&self, f: Box<dyn FnOnce()>) -> Result<()> {
        self.insert_ready(Callback::Call(f, "asyncio")).map(drop)
    }

    /// Schedules `callback` for `deadline`. A callback for never (`None`)
    /// is kept, cancellable, until the loop closes, and never runs.
    pub(in crate::event_loop) fn call_at(
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
    /// [`Error::Value`](crate::Error::Value) for a NaN delay.
    pub(crate) fn deadline_after(&self, delay: Delay) -> Result<Option<Instant>> {
        self.clock.deadline_after(delay)
    }

    /// The instant at loop time `when` (`None`: never, for infinity).
    ///
    /// # Errors
    ///
    /// [`Error::Value`](crate::Error::Value) for a NaN `when`.
    pub(crate) fn instant_at(&self, when: f64) -> Result<Option<Instant>> {
        self.clock.instant_at(when)
    }

    /// Forgets the callback behind `key` if it has not run yet.
    pub(in crate::event_loop) fn cancel_callback(&self, key: Key) {
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
    pub(in crate::event_loop) fn is_scheduled(&self, key: Key) -> bool {
        self.callbacks.borrow().contains(key)
    }

    /// Points a waking callback at `waker`.
    pub(in crate::event_loop) fn set_callback_waker(&self, key: Key, waker: &Waker) {
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
}
