//! Synchronization primitives for tasks (asyncio's "Synchronization
//! Primitives"): leaves built on the task and cancellation machinery.
//!
//! None of them is thread-safe, as in asyncio: they coordinate the tasks of
//! one loop. Every handle is a cheap clone of the same primitive, so it can
//! be moved into tasks. Every wait is a leaf that delivers the task's
//! pending cancellation first and, when cancelled or dropped, leaves its
//! [`wait_list::WaitList`] without losing a notification.

mod barrier;
mod condition;
mod event;
mod lock;
mod semaphore;
pub(crate) mod wait_list;

pub use self::barrier::{Barrier, BarrierState, BarrierWait};
pub use self::condition::{
    Condition, ConditionAcquire, ConditionGuard, ConditionWait, ConditionWaitFor,
};
pub use self::event::{Event, EventWait};
pub use self::lock::{Acquire, Lock, LockGuard};
pub use self::semaphore::{BoundedSemaphore, Semaphore, SemaphoreAcquire, SemaphoreGuard};
