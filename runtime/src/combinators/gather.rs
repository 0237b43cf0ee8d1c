//! `gather` and `try_gather`: run futures as tasks, collect their results
//! in argument order.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::watch::Watch;
use crate::error::{Error, Result};
use crate::event_loop::TaskRef;
use crate::task::{IntoResult, Task, cancel, ensure_task};

/// When a gather completes early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// asyncio's default: the first child to fail (or be cancelled)
    /// decides, and the others keep running.
    FirstError,
    /// `return_exceptions=True`: wait for every child.
    ReturnExceptions,
    /// `try_gather`: the first failure cancels the others, and the gather
    /// reports it once they have all finished.
    CancelOnError,
}

/// How the children ended, as far as the gather is concerned.
pub(crate) enum Settled {
    /// Every child is done; collect their outputs.
    All,
    /// This child's error is the gather's.
    Failed(usize),
}

/// The waiting part of every gather, blind to the children's types.
pub(crate) struct GatherCore {
    tasks: Vec<TaskRef>,
    watch: Rc<Watch>,
    mode: Mode,
    /// A task could not be created: reported at the first poll.
    spawn_error: Option<Error>,
    /// The awaiting task was cancelled and the cancellation passed on to
    /// the children (asyncio's `_cancel_requested`).
    cancelled: Option<Error>,
    /// `CancelOnError`: the failure that cancelled the others.
    failure: Option<usize>,
    finished: bool,
}

impl GatherCore {
    pub(crate) fn new(tasks: Vec<TaskRef>, mode: Mode, spawn_error: Option<Error>) -> Self {
        let watch = Watch::new(&tasks, true);
        GatherCore {
            tasks,
            watch,
            mode,
            spawn_error,
            cancelled: None,
            failure: None,
            finished: false,
        }
    }

    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<Settled>> {
        if self.finished {
            return Poll::Ready(Err(Error::invalid_state("gather polled after completion")));
        }
        if let Some(err) = self.spawn_error.take() {
            self.finished = true;
            for task in &self.tasks {
                task.cancel();
            }
            return Poll::Ready(Err(err));
        }
        if cancel::requested() {
            let err = cancel::take_request().unwrap_or_else(Error::cancelled);
            let msg = crate::task::cancel_message(&err);
            let mut passed_on = false;
            for task in &self.tasks {
                passed_on |= task.runnable().header().cancel(msg.clone());
            }
            if !passed_on {
                self.finished = true;
                return Poll::Ready(Err(err));
            }
            self.cancelled = Some(err);
        }
        match self.mode {
            Mode::FirstError => {
                if let Some(index) = self.watch.first_failure() {
                    self.finished = true;
                    return Poll::Ready(Ok(Settled::Failed(index)));
                }
            }
            Mode::CancelOnError => {
                if self.failure.is_none() {
                    if let Some(index) = self.watch.first_failure() {
                        self.failure = Some(index);
                        for task in &self.tasks {
                            task.cancel();
                        }
                    }
                }
            }
            Mode::ReturnExceptions => {}
        }
        if self.watch.all_done() {
            self.finished = true;
            if let Some(err) = self.cancelled.take() {
                return Poll::Ready(Err(err));
            }
            if let Some(index) = self
                .failure
                .or(self.watch.first_error())
                .filter(|_| self.mode == Mode::CancelOnError)
            {
                return Poll::Ready(Ok(Settled::Failed(index)));
            }
            return Poll::Ready(Ok(Settled::All));
        }
        self.watch.register(cx.waker());
        Poll::Pending
    }
}

/// The value type of the futures an iterator yields.
type ItemOk<I> = <<<I as IntoIterator>::Item as Future>::Output as IntoResult>::Ok;

/// Makes tasks of `futs`, keeping the first error instead of panicking.
fn spawn_all<I>(futs: I) -> (Vec<Task<ItemOk<I>>>, Option<Error>)
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: IntoResult,
{
    let mut tasks = Vec::new();
    for fut in futs {
        match ensure_task(fut) {
            Ok(task) => tasks.push(task),
            Err(err) => return (tasks, Some(err)),
        }
    }
    (tasks, None)
}

/// Runs `futs` concurrently as tasks and collects their results in
/// argument order (asyncio's `gather(*aws)`).
///
/// Futures that are [`Task`]s already are used as they are. The first
/// child to fail decides the result, at once, and the others keep running
/// (asyncio's default); [`Gather::return_exceptions`] waits for all and
/// returns every result. Cancelling the awaiting task cancels every child,
/// and the gather then ends `Err(Error::Cancelled)`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[asyncio::coroutine]
/// fn after(ms: u64, value: u32) -> asyncio::Result<u32> {
///     asyncio::sleep(Duration::from_millis(ms)).await?;
///     Ok(value)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<Vec<u32>> {
///     asyncio::gather([after(3, 1), after(1, 2), after(2, 3)]).await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, [1, 2, 3]);
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn gather<I>(futs: I) -> Gather<<<I::Item as Future>::Output as IntoResult>::Ok>
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: IntoResult,
{
    Gather::new(futs, Mode::FirstError)
}

/// [`gather`] where the first failure cancels the other children; it is
/// reported once they have finished, so nothing keeps running behind the
/// caller's back.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn fails() -> asyncio::Result<u32> {
///     Err(asyncio::Error::Timeout)
/// }
///
/// #[asyncio::coroutine]
/// fn slow() -> asyncio::Result<u32> {
///     asyncio::sleep(3600.0).await?;
///     Ok(1)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<()> {
///     let slow = asyncio::create_task(slow());
///     let both = asyncio::try_gather([slow.clone(), asyncio::create_task(fails())]).await;
///     assert!(matches!(both, Err(asyncio::Error::Timeout)));
///     assert!(slow.cancelled());
///     Ok(())
/// }
/// asyncio::run(main_coroutine())?;
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn try_gather<I>(futs: I) -> Gather<<<I::Item as Future>::Output as IntoResult>::Ok>
where
    I: IntoIterator,
    I::Item: Future + 'static,
    <I::Item as Future>::Output: IntoResult,
{
    Gather::new(futs, Mode::CancelOnError)
}

/// The future returned by [`gather`] and [`try_gather`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct Gather<T> {
    tasks: Vec<Task<T>>,
    core: GatherCore,
}

impl<T: 'static> Gather<T> {
    fn new<I>(futs: I, mode: Mode) -> Self
    where
        I: IntoIterator,
        I::Item: Future + 'static,
        <I::Item as Future>::Output: IntoResult<Ok = T>,
    {
        let (tasks, spawn_error) = spawn_all(futs);
        let refs = tasks.iter().map(|task| task.task_ref().clone()).collect();
        Gather {
            tasks,
            core: GatherCore::new(refs, mode, spawn_error),
        }
    }

    /// The children, in argument order.
    pub fn tasks(&self) -> &[Task<T>] {
        &self.tasks
    }

    /// Waits for every child and returns each one's result, errors and
    /// cancellations included, in argument order (asyncio's
    /// `return_exceptions=True`). Cancelling the awaiting task still ends
    /// the gather with `Err(Error::Cancelled)`.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_coroutine() -> asyncio::Result<usize> {
    ///     let results = asyncio::gather([
    ///         asyncio::create_task(std::future::ready(Ok::<_, asyncio::Error>(1))),
    ///         asyncio::create_task(std::future::ready(Err(asyncio::Error::Timeout))),
    ///     ])
    ///     .return_exceptions()
    ///     .await?;
    ///     assert!(matches!(results[1], Err(asyncio::Error::Timeout)));
    ///     Ok(results.len())
    /// }
    /// assert_eq!(asyncio::run(main_coroutine())?, 2);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn return_exceptions(self) -> GatherAll<T> {
        let refs = self
            .tasks
            .iter()
            .map(|task| task.task_ref().clone())
            .collect();
        GatherAll {
            core: GatherCore::new(refs, Mode::ReturnExceptions, self.core.spawn_error),
            tasks: self.tasks,
        }
    }
}

impl<T: 'static> Unpin for Gather<T> {}

impl<T: 'static> Future for Gather<T> {
    type Output = Result<Vec<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>>> {
        let settled = std::task::ready!(self.core.poll(cx))?;
        Poll::Ready(match settled {
            Settled::Failed(index) => Err(failure(self.tasks[index].take_result())),
            Settled::All => self.tasks.iter().map(Task::take_result).collect(),
        })
    }
}

/// The error of a child that failed.
fn failure<T>(result: Result<T>) -> Error {
    match result {
        Err(err) => err,
        Ok(_) => Error::invalid_state("gather: a failed child returned a value"),
    }
}

/// The future returned by [`Gather::return_exceptions`].
#[must_use = "futures do nothing unless polled or awaited"]
pub struct GatherAll<T> {
    tasks: Vec<Task<T>>,
    core: GatherCore,
}

impl<T: 'static> Unpin for GatherAll<T> {}

impl<T: 'static> Future for GatherAll<T> {
    type Output = Result<Vec<Result<T>>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::task::ready!(self.core.poll(cx))?;
        Poll::Ready(Ok(self.tasks.iter().map(Task::take_result).collect()))
    }
}

/// Tuples of tasks, for [`gather!`](crate::gather!): their handles, and
/// their outputs as a tuple.
#[doc(hidden)]
pub trait TaskTuple {
    type Output;

    fn task_refs(&self) -> Vec<TaskRef>;

    fn take_all(&self) -> Result<Self::Output>;

    fn take_error(&self, index: usize) -> Error;
}

macro_rules! task_tuple {
    ($($name:ident $index:tt),+) => {
        impl<$($name: 'static),+> TaskTuple for ($(Task<$name>,)+) {
            type Output = ($($name,)+);

            fn task_refs(&self) -> Vec<TaskRef> {
                vec![$(self.$index.task_ref().clone()),+]
            }

            fn take_all(&self) -> Result<Self::Output> {
                Ok(($(self.$index.take_result()?,)+))
            }

            fn take_error(&self, index: usize) -> Error {
                match index {
                    $($index => failure(self.$index.take_result()),)+
                    _ => Error::invalid_state("gather: no such child"),
                }
            }
        }

        impl<$($name: 'static),+> SpawnedTuple for ($(Result<Task<$name>>,)+) {
            type Tasks = ($(Task<$name>,)+);

            fn into_tasks(self) -> Result<Self::Tasks> {
                Ok(($(self.$index?,)+))
            }
        }
    };
}

/// Tuples of freshly made tasks, any of which may have failed to start.
#[doc(hidden)]
pub trait SpawnedTuple {
    type Tasks: TaskTuple;

    fn into_tasks(self) -> Result<Self::Tasks>;
}

task_tuple!(A 0);
task_tuple!(A 0, B 1);
task_tuple!(A 0, B 1, C 2);
task_tuple!(A 0, B 1, C 2, D 3);
task_tuple!(A 0, B 1, C 2, D 3, E 4);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
task_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// The future of [`gather!`](crate::gather!) and
/// [`try_gather!`](crate::try_gather!): a tuple of tasks.
#[must_use = "futures do nothing unless polled or awaited"]
pub struct GatherTuple<Tasks> {
    tasks: Option<Tasks>,
    core: GatherCore,
}

impl<Tasks: TaskTuple> GatherTuple<Tasks> {
    #[doc(hidden)]
    pub fn __new<S: SpawnedTuple<Tasks = Tasks>>(spawned: S, cancel_on_error: bool) -> Self {
        let mode = if cancel_on_error {
            Mode::CancelOnError
        } else {
            Mode::FirstError
        };
        match spawned.into_tasks() {
            Ok(tasks) => GatherTuple {
                core: GatherCore::new(tasks.task_refs(), mode, None),
                tasks: Some(tasks),
            },
            Err(err) => GatherTuple {
                core: GatherCore::new(Vec::new(), mode, Some(err)),
                tasks: None,
            },
        }
    }
}

impl<Tasks> Unpin for GatherTuple<Tasks> {}

impl<Tasks: TaskTuple> Future for GatherTuple<Tasks> {
    type Output = Result<Tasks::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let settled = std::task::ready!(self.core.poll(cx))?;
        let Some(tasks) = &self.tasks else {
            return Poll::Ready(Err(Error::invalid_state("gather: no tasks")));
        };
        Poll::Ready(match settled {
            Settled::Failed(index) => Err(tasks.take_error(index)),
            Settled::All => tasks.take_all(),
        })
    }
}

/// Runs the futures concurrently as tasks and returns their results as a
/// tuple, in argument order (asyncio's `gather(a, b, ...)`); the futures
/// may have different output types. Semantics as [`gather()`](crate::gather()):
/// the first failure decides and the others keep running; cancelling the
/// awaiting task cancels them all. Up to 12 futures.
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn name() -> asyncio::Result<&'static str> {
///     Ok("answer")
/// }
///
/// #[asyncio::coroutine]
/// fn number() -> asyncio::Result<u32> {
///     asyncio::sleep(0).await?;
///     Ok(42)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<(&'static str, u32)> {
///     asyncio::gather!(name(), number()).await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, ("answer", 42));
/// # Ok::<(), asyncio::Error>(())
/// ```
#[macro_export]
macro_rules! gather {
    ($($fut:expr),+ $(,)?) => {
        $crate::coroutine::GatherTuple::__new(($($crate::coroutine::ensure_task($fut),)+), false)
    };
}

/// [`gather!`](crate::gather!) where the first failure cancels the others and is reported
/// once they have finished (see [`try_gather()`](crate::try_gather())).
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_coroutine() -> asyncio::Result<(u8, ())> {
///     asyncio::try_gather!(std::future::ready(Ok::<_, asyncio::Error>(1)), asyncio::sleep(0)).await
/// }
/// assert_eq!(asyncio::run(main_coroutine())?, (1, ()));
/// # Ok::<(), asyncio::Error>(())
/// ```
#[macro_export]
macro_rules! try_gather {
    ($($fut:expr),+ $(,)?) => {
        $crate::coroutine::GatherTuple::__new(($($crate::coroutine::ensure_task($fut),)+), true)
    };
}
