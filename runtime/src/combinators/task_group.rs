//! [`TaskGroup`]: structured concurrency, asyncio's `async with
//! TaskGroup() as tg:`.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::error::{Error, Result};
use crate::event_loop::{ExceptionContext, TaskRef};
use crate::task::{IntoResult, Task, cancel, create_task, current_task};

#[derive(Default)]
struct State {
    entered: Cell<bool>,
    exiting: Cell<bool>,
    aborting: Cell<bool>,
    parent: RefCell<Option<TaskRef>>,
    /// The group cancelled its parent task to stop the body.
    parent_cancel_requested: Cell<bool>,
    /// Children not finished yet.
    tasks: RefCell<Vec<TaskRef>>,
    errors: RefCell<Vec<Error>>,
    /// The exit, waiting for the children.
    waker: RefCell<Option<Waker>>,
}

/// A group of tasks that live no longer than a block of code (asyncio's
/// `TaskGroup`).
///
/// [`run`](Self::run) runs a body that receives the group and may add
/// tasks to it ([`create_task`](Self::create_task)); it returns once the
/// body and every task are done. The first task that fails cancels the
/// others and the body; the group then ends with
/// [`Error::Group`] holding every error (the body's included). A
/// cancellation of the task running the group cancels the body and all
/// the tasks, and comes out as `Err(Error::Cancelled)`.
///
/// # Examples
///
/// ```
/// use asyncio::TaskGroup;
///
/// #[asyncio::coroutine]
/// fn fetch(n: u32) -> asyncio::Result<u32> {
///     asyncio::sleep(0.001).await?;
///     Ok(n * 10)
/// }
///
/// #[asyncio::coroutine]
/// fn body(tg: TaskGroup) -> asyncio::Result<(asyncio::Task<u32>, asyncio::Task<u32>)> {
///     Ok((tg.create_task(fetch(1))?, tg.create_task(fetch(2))?))
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<u32> {
///     let (a, b) = TaskGroup::new().run(body).await?;
///     Ok(a.take_result()? + b.take_result()?)
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, 30);
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct TaskGroup {
    state: Rc<State>,
}

impl TaskGroup {
    /// A group, not entered yet.
    pub fn new() -> Self {
        TaskGroup::default()
    }

    /// Runs `body` with this group, then waits for every task of the group
    /// (asyncio's `async with tg:` block). Returns the body's result, or
    /// the errors.
    ///
    /// If [`cancel`](Self::cancel) stopped the body, the result is the
    /// body's `Err(Error::Cancelled)` (it produced no value), while the
    /// task running the group is not left cancelled.
    ///
    /// # Errors
    ///
    /// [`Error::Group`] with every error if a task or the body failed;
    /// `Err(Error::Cancelled)` if the task running the group was
    /// cancelled; [`Error::InvalidState`] if the group was entered already
    /// or no task is running.
    pub fn run<B, Fut>(&self, body: B) -> TaskGroupRun<B, Fut>
    where
        B: FnOnce(TaskGroup) -> Fut,
        Fut: Future,
        Fut::Output: IntoResult,
    {
        TaskGroupRun {
            group: self.clone(),
            stage: Stage::Start(body),
            body_result: None,
            propagate: None,
        }
    }

    /// Starts `fut` as a task of the group.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] before the group is entered ("has not been
    /// entered"), once it is finished ("is finished"), or while it is
    /// shutting down after a failure; `fut` is then dropped without
    /// running.
    pub fn create_task<F>(&self, fut: F) -> Result<Task<<F::Output as IntoResult>::Ok>>
    where
        F: Future + 'static,
        F::Output: IntoResult,
    {
        let state = &self.state;
        if !state.entered.get() {
            return Err(Error::invalid_state("TaskGroup has not been entered"));
        }
        if state.exiting.get() && state.tasks.borrow().is_empty() {
            return Err(Error::invalid_state("TaskGroup is finished"));
        }
        if state.aborting.get() {
            return Err(Error::invalid_state("TaskGroup is shutting down"));
        }
        let task = create_task(fut);
        let child = task.task_ref().clone();
        state.tasks.borrow_mut().push(child.clone());
        let group = Rc::downgrade(&self.state);
        child.runnable().header().with_extra(|extra| {
            extra.listeners.push(Box::new(move |task| {
                if let Some(state) = group.upgrade() {
                    TaskGroup { state }.on_task_done(TaskRef::new(task.clone()));
                }
            }));
        });
        Ok(task)
    }

    /// Cancels every task of the group and its body; the group then ends
    /// without error (unless a task failed).
    pub fn cancel(&self) {
        let state = &self.state;
        if !state.entered.get() {
            return;
        }
        self.abort();
        if !state.exiting.get() && !state.parent_cancel_requested.get() {
            if let Some(parent) = &*state.parent.borrow() {
                state.parent_cancel_requested.set(true);
                parent.cancel();
            }
        }
    }

    /// How many tasks of the group are still running.
    pub fn len(&self) -> usize {
        self.state.tasks.borrow().len()
    }

    /// Whether no task of the group is running.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn abort(&self) {
        self.state.aborting.set(true);
        let tasks = self.state.tasks.borrow().clone();
        for task in tasks {
            task.cancel();
        }
    }

    fn on_task_done(&self, task: TaskRef) {
        let state = &self.state;
        state.tasks.borrow_mut().retain(|other| *other != task);
        if state.tasks.borrow().is_empty() {
            if let Some(waker) = state.waker.borrow_mut().take() {
                waker.wake();
            }
        }
        let Ok(Some(err)) = task.exception() else {
            return;
        };
        state.errors.borrow_mut().push(err);
        let parent = state.parent.borrow().clone();
        let Some(parent) = parent else {
            return;
        };
        if parent.done() {
            if let Some(event_loop) = parent.get_loop() {
                event_loop.call_exception_handler(
                    ExceptionContext::new("Task was destroyed but it is pending! (TaskGroup)")
                        .with_task(task),
                );
            }
            return;
        }
        if !state.aborting.get() && !state.parent_cancel_requested.get() {
            // Stop the body too: cancel the parent task, and remember to
            // take that cancellation back when the group exits.
            self.abort();
            state.parent_cancel_requested.set(true);
            parent.cancel();
        }
    }
}

impl fmt::Debug for TaskGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("tasks", &self.len())
            .field("entered", &self.state.entered.get())
            .field("aborting", &self.state.aborting.get())
            .finish()
    }
}

enum Stage<B, Fut> {
    Start(B),
    Body(Pin<Box<Fut>>),
    Exit,
    Done,
}

/// The future returned by [`TaskGroup::run`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct TaskGroupRun<B, Fut: Future>
where
    Fut::Output: IntoResult,
{
    group: TaskGroup,
    stage: Stage<B, Fut>,
    body_result: Option<Result<<Fut::Output as IntoResult>::Ok>>,
    /// A cancellation from outside, to report once everything is done.
    propagate: Option<Error>,
}

impl<B, Fut: Future> Unpin for TaskGroupRun<B, Fut> where Fut::Output: IntoResult {}

impl<B, Fut> Future for TaskGroupRun<B, Fut>
where
    B: FnOnce(TaskGroup) -> Fut,
    Fut: Future,
    Fut::Output: IntoResult,
{
    type Output = Result<<Fut::Output as IntoResult>::Ok>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let state = this.group.state.clone();
        loop {
            match std::mem::replace(&mut this.stage, Stage::Done) {
                Stage::Start(body) => {
                    if state.entered.get() {
                        return Poll::Ready(Err(Error::invalid_state(
                            "TaskGroup has already been entered",
                        )));
                    }
                    let Some(parent) = current_task() else {
                        return Poll::Ready(Err(Error::invalid_state(
                            "TaskGroup cannot determine the parent task",
                        )));
                    };
                    *state.parent.borrow_mut() = Some(parent);
                    state.entered.set(true);
                    this.stage = Stage::Body(Box::pin(body(this.group.clone())));
                }
                Stage::Body(mut body) => match body.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.stage = Stage::Body(body);
                        return Poll::Pending;
                    }
                    Poll::Ready(output) => {
                        drop(body);
                        let result = output.into_result();
                        state.exiting.set(true);
                        if let Err(err) = &result {
                            if err.is_cancelled() {
                                this.propagate = Some(err.duplicate());
                            }
                            if !state.aborting.get() {
                                this.group.abort();
                            }
                        }
                        this.body_result = Some(result);
                        this.stage = Stage::Exit;
                    }
                },
                Stage::Exit => {
                    if let Some(err) = cancel::take_request() {
                        if !state.aborting.get() {
                            this.propagate = Some(err);
                            this.group.abort();
                        }
                    }
                    if !state.tasks.borrow().is_empty() {
                        *state.waker.borrow_mut() = Some(cx.waker().clone());
                        this.stage = Stage::Exit;
                        return Poll::Pending;
                    }
                    return Poll::Ready(this.finish());
                }
                Stage::Done => {
                    return Poll::Ready(Err(Error::invalid_state(
                        "TaskGroup polled after completion",
                    )));
                }
            }
        }
    }
}

impl<B, Fut: Future> TaskGroupRun<B, Fut>
where
    Fut::Output: IntoResult,
{
    /// The outcome once the body and every task are done (asyncio's
    /// `TaskGroup.__aexit__`, after its wait).
    fn finish(&mut self) -> Result<<Fut::Output as IntoResult>::Ok> {
        let state = &self.group.state;
        let parent = state.parent.borrow().clone();
        let mut propagate = self.propagate.take();
        if state.parent_cancel_requested.get() {
            if let Some(parent) = &parent {
                if parent.uncancel() == 0 {
                    propagate = None;
                }
            }
        }
        let mut errors = std::mem::take(&mut *state.errors.borrow_mut());
        if let Some(err) = propagate {
            if errors.is_empty() {
                return Err(err);
            }
        }
        let body_result = self
            .body_result
            .take()
            .unwrap_or_else(|| Err(Error::invalid_state("TaskGroup body did not finish")));
        match body_result {
            Err(err) if !err.is_cancelled() => errors.push(err),
            Ok(value) if errors.is_empty() => return Ok(value),
            Err(err) if errors.is_empty() => return Err(err),
            _ => {}
        }
        if let Some(parent) = &parent {
            // Cancelled from outside as well: keep that request pending, so
            // the next await of the parent still sees it.
            if parent.cancelling() > 0 {
                parent.uncancel();
                parent.cancel();
            }
        }
        Err(Error::Group(errors))
    }
}
