//! Python's `asyncio`, rebuilt in Rust around a coroutine compiler.
//!
//! `#[coroutine]` turns an ordinary `fn` whose body uses `.await` into an
//! explicit state machine implementing [`Future`](core::future::Future); the
//! event loop in this crate runs them.
//!
//! # Layers
//!
//! The runtime is built in layers, each using only those below it:
//!
//! 1. the loop core ([`EventLoop`]): ready queue, timers, I/O polling and
//!    the cross-thread mailbox;
//! 2. tasks ([`create_task`], [`Task`]);
//! 3. leaves, the futures at the bottom of every await ([`sleep`]);
//! 4. running a program ([`run`], [`Runner`]).
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! let start = Instant::now();
//! asyncio::run(asyncio::sleep(Duration::from_millis(5)))?;
//! assert!(start.elapsed() >= Duration::from_millis(5));
//! # Ok::<(), asyncio::Error>(())
//! ```

pub use asyncio_macros::{coroutine, entry, test};

#[doc(hidden)]
#[path = "coroutine/mod.rs"]
pub mod __private;

mod error;
mod event_loop;
mod run;
mod task;
mod time;
mod util;

pub use crate::error::{Error, Result};
pub use crate::event_loop::current::get_running_loop;
pub use crate::event_loop::{Delay, EventLoop, Handle, TimerHandle};
pub use crate::run::{Runner, run};
pub use crate::task::{Task, create_task};
pub use crate::time::{Sleep, sleep};
