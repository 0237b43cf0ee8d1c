//! Bridges to other threads: futures settled by a thread
//! ([`ConcurrentFuture`], [`wrap_future`]), blocking work on the executor
//! ([`to_thread`], [`EventLoop::run_in_executor`](crate::EventLoop::run_in_executor)),
//! and coroutines submitted from another thread
//! ([`run_coroutine_threadsafe`]).
//!
//! Results come back through the loop's mailbox: a thread that settles a
//! future wakes the awaiting task with its waker, which posts the task's id
//! to the loop and interrupts its poll.

mod concurrent;
mod executor;
mod threadsafe;

pub use self::concurrent::{ConcurrentFuture, WrapFuture, wrap_future};
pub use self::executor::to_thread;
pub use self::threadsafe::run_coroutine_threadsafe;
