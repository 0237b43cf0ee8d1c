//! Python's `asyncio`, rebuilt in Rust around a coroutine compiler.
//!
//! [`#[asyncio::coroutine]`](coroutine) turns an ordinary `fn` whose body
//! uses `.await` into an explicit state machine implementing [`Future`],
//! without language async; the event loop in this crate runs them, one loop
//! per thread, as asyncio runs Python coroutines.
//!
//! ```
//! use std::time::Duration;
//!
//! #[asyncio::coroutine]
//! fn say_after(delay_ms: u64, what: &'static str) -> asyncio::Result<&'static str> {
//!     asyncio::sleep(Duration::from_millis(delay_ms)).await?;
//!     Ok(what)
//! }
//!
//! #[asyncio::coroutine]
//! fn main_coroutine() -> asyncio::Result<String> {
//!     let world = asyncio::create_task(say_after(2, "world"));
//!     let hello = say_after(1, "hello").await?;
//!     Ok(format!("{hello} {}", world.await?))
//! }
//!
//! assert_eq!(asyncio::run(main_coroutine())?, "hello world");
//! # Ok::<(), asyncio::Error>(())
//! ```
//!
//! # Layers
//!
//! The runtime is built in layers, each using only those below it:
//!
//! 1. the loop core ([`EventLoop`]): ready queue, timers, I/O polling, the
//!    cross-thread mailbox ([`LoopHandle`]), the exception handler, and each
//!    task's scheduling and cancellation state ([`TaskRef`]);
//! 2. tasks ([`create_task`], [`Task`], [`current_task`]), and the rule every
//!    blocking leaf follows: deliver a pending cancellation first;
//! 3. leaves, the futures at the bottom of every await ([`sleep`],
//!    [`Future`], and the bridges to threads: [`to_thread`],
//!    [`wrap_future`], [`run_coroutine_threadsafe`]);
//! 4. combinators ([`gather()`], [`wait`], [`as_completed`], [`shield`],
//!    [`timeout`], [`wait_for`], [`TaskGroup`]);
//! 5. I/O: readiness-driven sockets and pipes ([`Socket`], `sock_*`,
//!    [`EventLoop::add_reader`]), transports and protocols ([`Transport`],
//!    [`Protocol`], [`DatagramTransport`]), servers ([`Server`]) and
//!    signals ([`EventLoop::add_signal_handler`]);
//! 6. streams over those transports ([`StreamReader`], [`StreamWriter`],
//!    [`open_connection`], [`start_server`]);
//! 7. subprocesses, whose pipes are streams ([`create_subprocess_exec`],
//!    [`Process`], [`SubprocessTransport`]; the [`subprocess`] module);
//! 8. running a program ([`run`], [`Runner`]).
//!
//! # Cancellation
//!
//! As in asyncio, [`TaskRef::cancel`] only *requests* cancellation. The
//! request is delivered once, as `Err(Error::Cancelled)`, by the await at
//! which the task is suspended (every blocking leaf returns
//! [`Result`]), so the coroutine can clean up, with further awaits if it
//! needs, then propagate the error with `?`, or suppress it. Awaiting
//! another task or a [`Future`] passes the request on to it.
//!
//! ```
//! #[asyncio::coroutine]
//! fn worker(log: std::rc::Rc<std::cell::RefCell<Vec<&'static str>>>) -> asyncio::Result<()> {
//!     match asyncio::sleep(3600.0).await {
//!         Err(err) if err.is_cancelled() => {
//!             log.borrow_mut().push("cleaning up");
//!             asyncio::sleep(0.001).await?; // cleanup may await
//!             Err(err)
//!         }
//!         other => other,
//!     }
//! }
//!
//! #[asyncio::coroutine]
//! fn main_coroutine() -> asyncio::Result<Vec<&'static str>> {
//!     let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
//!     let task = asyncio::create_task(worker(log.clone()));
//!     asyncio::sleep(0).await?;
//!     task.cancel();
//!     assert!(matches!(task.clone().await, Err(asyncio::Error::Cancelled(_))));
//!     assert!(task.cancelled());
//!     let log = log.borrow().clone();
//!     Ok(log)
//! }
//! assert_eq!(asyncio::run(main_coroutine())?, ["cleaning up"]);
//! # Ok::<(), asyncio::Error>(())
//! ```
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

// The runtime's own coroutines (`#[crate::coroutine]`) name `::asyncio`.
extern crate self as asyncio;

pub use asyncio_macros::{coroutine, entry, test};

#[doc(hidden)]
pub mod coroutine;

mod combinators;
mod error;
mod event_loop;
mod future;
mod io;
mod queues;
mod run;
mod streams;
pub mod subprocess;
mod sync;
mod task;
mod threads;
mod time;
mod util;

pub use crate::combinators::{
    AsCompleted, Gather, GatherAll, GatherTuple, NextCompleted, ReturnWhen, Shield, TaskGroup,
    TaskGroupRun, Timeout, TimeoutHandle, Wait, WaitFor, as_completed, gather, shield, timeout,
    timeout_at, try_gather, wait, wait_for,
};
pub use crate::error::{Error, Result};
pub use crate::event_loop::current::get_running_loop;
pub use crate::event_loop::{
    CallbackId, Delay, EventLoop, ExceptionContext, Handle, IntoTimeout, LoopHandle, TaskRef,
    TimerHandle,
};
pub use crate::future::Future;
pub use crate::io::{
    AddressFamily, BufferedProtocol, DatagramOptions, DatagramProtocol, DatagramTransport,
    Protocol, Server, ServerOptions, SockAddr, Socket, Transport,
};
pub use crate::queues::*;
pub use crate::run::{Runner, run};
pub use crate::streams::{
    StreamRead, StreamReader, StreamWriter, open_connection, open_connection_with,
    open_socket_connection, open_unix_connection, open_unix_connection_with, start_server,
    start_server_with, start_unix_server, start_unix_server_with,
};
pub use crate::subprocess::{
    Process, SubprocessCommand, SubprocessProtocol, SubprocessTransport, create_subprocess_exec,
    create_subprocess_shell,
};
pub use crate::sync::*;
pub use crate::task::{IntoResult, Task, all_tasks, create_task, current_task};
pub use crate::threads::{
    ConcurrentFuture, WrapFuture, run_coroutine_threadsafe, to_thread, wrap_future,
};
pub use crate::time::{Sleep, sleep};
pub use crate::util::thread_pool::ThreadPool;

/// Signal numbers for [`EventLoop::add_signal_handler`] (the C library's).
pub mod signal {
    pub use libc::{
        SIGALRM, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSTOP, SIGTERM, SIGUSR1,
        SIGUSR2, SIGWINCH,
    };
}
