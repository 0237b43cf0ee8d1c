//! Combinators: futures built from tasks and other futures (asyncio's
//! `gather`, `wait`, `as_completed`, `shield`, `timeout`, `wait_for`,
//! `TaskGroup`).
//!
//! This layer sits on tasks and leaves. Each combinator that waits on
//! other tasks is itself a leaf towards cancellation: it takes the awaiting
//! task's request first and decides, as asyncio does, whether to pass it
//! on (`gather`, `wait_for`), absorb it (`shield`, `wait`), or turn it into
//! a timeout (`timeout`).

pub(crate) mod gather;
mod shield;
mod task_group;
mod timeout;
mod wait;
mod wait_for;
mod watch;

pub use self::gather::{Gather, GatherAll, GatherTuple, gather, try_gather};
pub use self::shield::{Shield, shield};
pub use self::task_group::{TaskGroup, TaskGroupRun};
pub use self::timeout::{Timeout, TimeoutHandle, timeout, timeout_at};
pub use self::wait::{AsCompleted, NextCompleted, ReturnWhen, Wait, as_completed, wait};
pub use self::wait_for::{WaitFor, wait_for};
