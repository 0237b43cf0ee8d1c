//! The loop's table of tasks: spawning, scheduling a step, the running
//! task, and the count of undelivered cancellation requests.

use std::rc::Rc;
use std::task::Waker;

use super::{Core, CurrentTask};
use crate::error::Result;
use crate::event_loop::ready::Ready;
use crate::event_loop::tasks::{Header, Runnable, TaskId, TaskSlot};
use crate::event_loop::waker;

impl Core {
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

    pub(in crate::event_loop) fn set_eager_tasks(&self, enabled: bool) {
        self.eager_tasks.set(enabled);
    }

    pub(in crate::event_loop) fn eager_tasks(&self) -> bool {
        self.eager_tasks.get()
    }

    /// Adds the root future's task object; returns its waker.
    pub(in crate::event_loop) fn insert_root(&self, root: Rc<dyn Runnable>) -> Waker {
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
    pub(super) fn waker(&self, id: TaskId) -> Waker {
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
    pub(in crate::event_loop) fn schedule_packed(&self, bits: u64) {
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
    pub(super) fn spawned_tasks(&self) -> Vec<Rc<dyn Runnable>> {
        self.tasks
            .borrow_mut()
            .iter_mut()
            .filter(|(_, slot)| !slot.is_root)
            .map(|(_, slot)| slot.task.clone())
            .collect()
    }

    /// Requests cancellation of the root task (the main future of
    /// `run_until_complete`), as a first Ctrl-C does.
    pub(crate) fn cancel_roots(&self) {
        let roots: Vec<Rc<dyn Runnable>> = (self.tasks.borrow_mut().iter_mut())
            .filter(|(_, slot)| slot.is_root)
            .map(|(_, slot)| slot.task.clone())
            .collect();
        for root in roots {
            root.header().cancel(None);
        }
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
}
