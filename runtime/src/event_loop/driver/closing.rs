//! Closing the loop: dropping what it holds, once.

use super::Core;
use crate::error::{Error, Result};
use crate::event_loop::exceptions::ExceptionContext;
use crate::event_loop::task_ref::TaskRef;
use crate::event_loop::{current, remote};

impl Core {
    /// Closes the loop: pending tasks are aborted (their futures dropped)
    /// and reported, pending callbacks and timers are dropped, and every
    /// later attempt to schedule or run fails.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the loop is running.
    pub(in crate::event_loop) fn close(&self) -> Result<()> {
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
    pub(in crate::event_loop) fn owner_dropped(&self) {
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
    pub(super) fn release_all(&self, report: bool) {
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
