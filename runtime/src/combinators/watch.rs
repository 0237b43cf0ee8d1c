//! Watching many tasks at once, for the combinators that wait on several.
//!
//! Polling every child on every wake-up would make waiting on n tasks cost
//! O(n²). Instead each child gets a listener, run when it finishes, that
//! records the child's index in a shared [`Watch`] and wakes the waiting
//! task; the combinator then only looks at what the listeners recorded.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;

use crate::event_loop::TaskRef;
use crate::event_loop::tasks::{Outcome, Runnable};

/// What the listeners have seen of a set of tasks.
#[derive(Default)]
pub(crate) struct Watch {
    /// Children not finished yet.
    remaining: Cell<usize>,
    /// Indexes of finished children, in the order they finished.
    finished: RefCell<Vec<usize>>,
    /// The first child that failed or was cancelled.
    first_failure: Cell<Option<usize>>,
    /// The first child that failed (not counting cancellations).
    first_error: Cell<Option<usize>>,
    waker: RefCell<Option<Waker>>,
    /// Mark the children's errors retrieved as they finish: the combinator
    /// answers for them (as `gather` marks its children's exceptions).
    claim_errors: bool,
}

impl Watch {
    /// Starts watching `tasks`; those already done are recorded at once.
    pub(crate) fn new(tasks: &[TaskRef], claim_errors: bool) -> Rc<Watch> {
        let watch = Rc::new(Watch {
            remaining: Cell::new(tasks.len()),
            claim_errors,
            ..Watch::default()
        });
        for (index, task) in tasks.iter().enumerate() {
            let header = task.runnable().header();
            if header.is_done() {
                watch.record(index, task.runnable());
            } else {
                let watch = watch.clone();
                header.with_extra(|extra| {
                    extra
                        .listeners
                        .push(Box::new(move |task| watch.record(index, task)));
                });
            }
        }
        watch
    }

    fn record(&self, index: usize, task: &Rc<dyn Runnable>) {
        let header = task.header();
        self.remaining.set(self.remaining.get() - 1);
        self.finished.borrow_mut().push(index);
        let outcome = header.outcome.get();
        if outcome != Outcome::Returned && self.first_failure.get().is_none() {
            self.first_failure.set(Some(index));
        }
        if outcome == Outcome::Failed && self.first_error.get().is_none() {
            self.first_error.set(Some(index));
        }
        if self.claim_errors {
            header.retrieved.set(true);
        }
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    /// Wakes `waker` at the next finish.
    pub(crate) fn register(&self, waker: &Waker) {
        let mut slot = self.waker.borrow_mut();
        match &*slot {
            Some(current) if current.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    pub(crate) fn all_done(&self) -> bool {
        self.remaining.get() == 0
    }

    pub(crate) fn remaining(&self) -> usize {
        self.remaining.get()
    }

    pub(crate) fn first_failure(&self) -> Option<usize> {
        self.first_failure.get()
    }

    pub(crate) fn first_error(&self) -> Option<usize> {
        self.first_error.get()
    }

    /// How many children have finished.
    pub(crate) fn finished_count(&self) -> usize {
        self.finished.borrow().len()
    }

    /// The index of the `n`th child to finish.
    pub(crate) fn finished_at(&self, n: usize) -> Option<usize> {
        self.finished.borrow().get(n).copied()
    }
}
