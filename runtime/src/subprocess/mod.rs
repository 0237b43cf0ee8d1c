//! Subprocesses (asyncio's "Subprocesses"): [`create_subprocess_exec`] and
//! [`create_subprocess_shell`] build a [`SubprocessCommand`]; awaiting it
//! starts a [`Process`] whose pipes are streams. Below that,
//! [`EventLoop::subprocess_exec`](crate::EventLoop::subprocess_exec) runs
//! a child with a [`SubprocessProtocol`] and a [`SubprocessTransport`].
//!
//! Layers: `command` (what to run, spawning), `child` (exit, reaping,
//! signalling), `transport` (the child and its pipe transports as one
//! transport), `process` (the stream-based `Process`). This module sits
//! above the streams, which sit above the I/O layer.

mod child;
mod command;
mod process;
mod transport;

use std::ffi::{OsStr, OsString};

pub use self::command::{Stdio, SubprocessCommand};
pub use self::process::Process;
pub use self::transport::{SubprocessProtocol, SubprocessTransport};

/// Connect the stream to a new pipe (asyncio's `subprocess.PIPE`).
pub const PIPE: Stdio = Stdio::Pipe;
/// Connect the stream to `/dev/null` (asyncio's `subprocess.DEVNULL`).
pub const DEVNULL: Stdio = Stdio::DevNull;
/// For stderr: send it where stdout goes (asyncio's `subprocess.STDOUT`).
pub const STDOUT: Stdio = Stdio::Stdout;

/// No arguments, for [`create_subprocess_exec`]:
/// `create_subprocess_exec("cat", NO_ARGS)`.
pub const NO_ARGS: [&str; 0] = [];

/// A command running `program` with `args` directly, no shell (asyncio's
/// `create_subprocess_exec`): set it up with the [`SubprocessCommand`]
/// methods (`stdin`, `stdout`, `stderr`, `env`, `cwd`, ...), then await it
/// for a [`Process`]. `program` is looked up in `PATH` unless it contains
/// a `/`.
///
/// # Examples
///
/// ```
/// use asyncio::subprocess::PIPE;
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let process = asyncio::create_subprocess_exec("printf", ["%s-%s", "a", "b"])
///         .stdout(PIPE)
///         .await?;
///     let stdout = process.stdout.clone().unwrap();
///     let out = stdout.read_to_end().await?;
///     assert_eq!(process.wait().await?, 0);
///     Ok(out)
/// }
/// assert_eq!(asyncio::run(main_())?, b"a-b");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn create_subprocess_exec<I, S>(program: impl AsRef<OsStr>, args: I) -> SubprocessCommand
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    SubprocessCommand::new(program.as_ref().to_owned(), Vec::new()).args(args)
}

/// A command running the shell command line `cmd` with `/bin/sh -c`
/// (asyncio's `create_subprocess_shell`); await it for a [`Process`].
/// Quoting is the caller's business, as in Python.
///
/// # Examples
///
/// ```
/// use asyncio::subprocess::PIPE;
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let process = asyncio::create_subprocess_shell("echo one; echo two | tr a-z A-Z")
///         .stdout(PIPE)
///         .await?;
///     Ok(process.communicate(None).await?.0)
/// }
/// assert_eq!(asyncio::run(main_())?, b"one\nTWO\n");
/// # Ok::<(), asyncio::Error>(())
/// ```
pub fn create_subprocess_shell(cmd: impl AsRef<OsStr>) -> SubprocessCommand {
    SubprocessCommand::new(
        OsString::from("/bin/sh"),
        vec![OsString::from("-c"), cmd.as_ref().to_owned()],
    )
}
