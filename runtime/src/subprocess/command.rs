//! [`SubprocessCommand`]: what to run and how its stdin, stdout and stderr
//! are connected; spawning it.
//!
//! Spawning goes through `std::process::Command`, which reports a failed
//! `exec` (missing program, bad working directory) at once through its own
//! close-on-exec pipe, resets the child's signal mask and `SIGPIPE`, and
//! closes our descriptors in the child (they are all close-on-exec). The
//! pipes are made here with `pipe2(O_CLOEXEC)`, so that
//! stderr can share stdout's pipe (`STDOUT`); the parent's ends become
//! non-blocking when the I/O layer wraps them.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio as StdStdio;

use super::process::{Process, spawn_process};
use crate::error::{Error, Result};

/// How one of the child's standard streams is connected (asyncio's
/// `stdin=`/`stdout=`/`stderr=` arguments). The constants
/// [`PIPE`](super::PIPE), [`DEVNULL`](super::DEVNULL) and
/// [`STDOUT`](super::STDOUT) read as in Python.
#[derive(Debug, Default)]
pub enum Stdio {
    /// The parent's own (asyncio's `None`, the default).
    #[default]
    Inherit,
    /// A new pipe: the [`Process`] gets a `StreamWriter` (stdin) or a
    /// `StreamReader` (stdout, stderr).
    Pipe,
    /// `/dev/null`.
    DevNull,
    /// stderr only: the same pipe or file as stdout.
    Stdout,
    /// This descriptor (a file, a socket, a pipe end), duplicated into the
    /// child.
    Fd(OwnedFd),
}

impl Stdio {
    fn try_clone(&self) -> Result<Stdio> {
        Ok(match self {
            Stdio::Inherit => Stdio::Inherit,
            Stdio::Pipe => Stdio::Pipe,
            Stdio::DevNull => Stdio::DevNull,
            Stdio::Stdout => Stdio::Stdout,
            Stdio::Fd(fd) => Stdio::Fd(fd.try_clone()?),
        })
    }
}

impl From<OwnedFd> for Stdio {
    fn from(fd: OwnedFd) -> Stdio {
        Stdio::Fd(fd)
    }
}

impl From<std::fs::File> for Stdio {
    fn from(file: std::fs::File) -> Stdio {
        Stdio::Fd(file.into())
    }
}

#[derive(Clone, Debug)]
enum Env {
    Set(OsString, OsString),
    Remove(OsString),
    Clear,
}

/// A command to run as a child process: built by
/// [`create_subprocess_exec`](crate::create_subprocess_exec) or
/// [`create_subprocess_shell`](crate::create_subprocess_shell), set up with
/// the methods below (asyncio's keyword arguments), and run by awaiting it
/// (or [`spawn`](Self::spawn)), which gives a [`Process`].
///
/// By default the child inherits stdin, stdout and stderr, the environment
/// and the working directory, as in asyncio.
///
/// # Examples
///
/// ```
/// use asyncio::subprocess::{PIPE, STDOUT};
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<Vec<u8>> {
///     let process = asyncio::create_subprocess_shell("echo $GREETING; echo oops >&2")
///         .env("GREETING", "hello")
///         .stdout(PIPE)
///         .stderr(STDOUT)
///         .await?;
///     let (out, _) = process.communicate(None).await?;
///     Ok(out)
/// }
/// assert_eq!(asyncio::run(main_())?, b"hello\noops\n");
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Debug)]
pub struct SubprocessCommand {
    program: OsString,
    args: Vec<OsString>,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
    env: Vec<Env>,
    cwd: Option<PathBuf>,
    new_session: bool,
    process_group: Option<i32>,
    limit: usize,
}

/// A spawned child: its pid and the parent's ends of its pipes, by fd.
pub(crate) struct Spawned {
    pub(crate) pid: libc::pid_t,
    pub(crate) pipes: [Option<OwnedFd>; 3],
}

impl SubprocessCommand {
    pub(crate) fn new(program: OsString, args: Vec<OsString>) -> SubprocessCommand {
        SubprocessCommand {
            program,
            args,
            stdin: Stdio::Inherit,
            stdout: Stdio::Inherit,
            stderr: Stdio::Inherit,
            env: Vec::new(),
            cwd: None,
            new_session: false,
            process_group: None,
            limit: crate::streams::DEFAULT_LIMIT,
        }
    }

    /// Adds an argument.
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// How the child's stdin is connected; with [`PIPE`](super::PIPE),
    /// [`Process::stdin`] is a `StreamWriter`.
    #[must_use]
    pub fn stdin(mut self, stdin: impl Into<Stdio>) -> Self {
        self.stdin = stdin.into();
        self
    }

    /// How the child's stdout is connected; with [`PIPE`](super::PIPE),
    /// [`Process::stdout`] is a `StreamReader`.
    #[must_use]
    pub fn stdout(mut self, stdout: impl Into<Stdio>) -> Self {
        self.stdout = stdout.into();
        self
    }

    /// How the child's stderr is connected; [`STDOUT`](super::STDOUT)
    /// sends it where stdout goes.
    #[must_use]
    pub fn stderr(mut self, stderr: impl Into<Stdio>) -> Self {
        self.stderr = stderr.into();
        self
    }

    /// Sets an environment variable in the child.
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push(Env::Set(key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Sets environment variables in the child.
    #[must_use]
    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (key, value) in vars {
            self = self.env(key, value);
        }
        self
    }

    /// Removes an environment variable from the child's environment.
    #[must_use]
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push(Env::Remove(key.as_ref().to_owned()));
        self
    }

    /// Starts the child with an empty environment (plus what
    /// [`env`](Self::env) sets after this).
    #[must_use]
    pub fn env_clear(mut self) -> Self {
        self.env.push(Env::Clear);
        self
    }

    /// The child's working directory (asyncio's `cwd=`).
    #[must_use]
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Runs the child in a new session (`setsid`), so signals for the
    /// parent's terminal and process group do not reach it (asyncio's
    /// `start_new_session=True`).
    #[must_use]
    pub fn start_new_session(mut self, yes: bool) -> Self {
        self.new_session = yes;
        self
    }

    /// Puts the child in process group `pgid`; 0 makes a new group led by
    /// the child (asyncio's `process_group=`).
    #[must_use]
    pub fn process_group(mut self, pgid: i32) -> Self {
        self.process_group = Some(pgid);
        self
    }

    /// The buffer limit of the stdout and stderr readers (asyncio's
    /// `limit=`; 64 KiB by default).
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// How the child's fd `fd` (0, 1 or 2) is connected.
    pub(crate) fn stdio(&self, fd: usize) -> &Stdio {
        match fd {
            0 => &self.stdin,
            1 => &self.stdout,
            _ => &self.stderr,
        }
    }

    pub(crate) fn buffer_limit(&self) -> usize {
        self.limit
    }

    /// Starts the child and returns it as a [`Process`] once its pipes are
    /// connected (what awaiting the command does). The command can be
    /// spawned again.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the program is missing or not executable, the
    /// working directory does not exist (reported at once; no descriptor
    /// leaks); [`Error::Value`]: `STDOUT` for stdin or stdout, a limit of 0;
    /// [`Error::InvalidState`] outside a running loop.
    /// [`Error::Io`] also when a descriptor given as [`Stdio::Fd`] cannot
    /// be duplicated for the spawn (the command keeps its own).
    pub fn spawn(&self) -> impl Future<Output = Result<Process>> + use<> {
        spawn_process(self.try_clone())
    }

    /// A copy for one spawn; each [`Stdio::Fd`] is duplicated, which can
    /// fail (no more descriptors), so this is not `Clone`: a copy that
    /// silently inherited instead would connect the child to the wrong
    /// place.
    pub(crate) fn try_clone(&self) -> Result<SubprocessCommand> {
        Ok(SubprocessCommand {
            program: self.program.clone(),
            args: self.args.clone(),
            stdin: self.stdin.try_clone()?,
            stdout: self.stdout.try_clone()?,
            stderr: self.stderr.try_clone()?,
            env: self.env.clone(),
            cwd: self.cwd.clone(),
            new_session: self.new_session,
            process_group: self.process_group,
            limit: self.limit,
        })
    }

    /// Starts the child, now; returns its pid and our ends of its pipes.
    pub(crate) fn spawn_now(&self) -> Result<Spawned> {
        if matches!(self.stdin, Stdio::Stdout) || matches!(self.stdout, Stdio::Stdout) {
            return Err(Error::Value(
                "STDOUT is only for stderr (stderr=STDOUT)".into(),
            ));
        }
        crate::streams::check_limit(self.limit)?;
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args);
        for op in &self.env {
            match op {
                Env::Set(key, value) => command.env(key, value),
                Env::Remove(key) => command.env_remove(key),
                Env::Clear => command.env_clear(),
            };
        }
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        if let Some(pgid) = self.process_group {
            command.process_group(pgid);
        }
        if self.new_session {
            // SAFETY: the hook runs in the child between fork and exec, and
            // calls only `setsid`, which is async-signal-safe.
            unsafe {
                command.pre_exec(|| {
                    if libc::setsid() < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut pipes: [Option<OwnedFd>; 3] = [None, None, None];
        let (stdin, ours) = child_end(&self.stdin, true)?;
        pipes[0] = ours;
        command.stdin(stdin);
        let (stdout, ours) = child_end(&self.stdout, false)?;
        let stdout_twin = match &self.stderr {
            Stdio::Stdout => Some(twin(&self.stdout, &stdout)?),
            _ => None,
        };
        pipes[1] = ours;
        command.stdout(stdout);
        let stderr = match stdout_twin {
            Some(twin) => twin,
            None => {
                let (stderr, ours) = child_end(&self.stderr, false)?;
                pipes[2] = ours;
                StdStdio::from(stderr)
            }
        };
        command.stderr(stderr);
        let child = command.spawn().map_err(Error::Io)?;
        // The child's ends close here (in `command`), ours stay open.
        drop(command);
        Ok(Spawned {
            pid: child.id() as libc::pid_t,
            pipes,
        })
    }
}

/// The child's end of one stream before it becomes a `std` stdio.
enum ChildEnd {
    Std(StdStdio),
    Fd(OwnedFd),
}

impl From<ChildEnd> for StdStdio {
    fn from(end: ChildEnd) -> StdStdio {
        match end {
            ChildEnd::Std(stdio) => stdio,
            ChildEnd::Fd(fd) => StdStdio::from(fd),
        }
    }
}

/// The child's end for `stdio` and, for a pipe, ours. `input` for stdin.
fn child_end(stdio: &Stdio, input: bool) -> Result<(ChildEnd, Option<OwnedFd>)> {
    Ok(match stdio {
        Stdio::Inherit | Stdio::Stdout => (ChildEnd::Std(StdStdio::inherit()), None),
        Stdio::DevNull => (ChildEnd::Std(StdStdio::null()), None),
        Stdio::Fd(fd) => (ChildEnd::Fd(fd.try_clone()?), None),
        Stdio::Pipe => {
            let (reader, writer) = cloexec_pipe()?;
            if input {
                (ChildEnd::Fd(reader), Some(writer))
            } else {
                (ChildEnd::Fd(writer), Some(reader))
            }
        }
    })
}

/// A new pipe, both ends close-on-exec (and blocking: the child's end
/// must be; ours is made non-blocking when the loop wraps it).
fn cloexec_pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is valid for writes of two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `pipe2` returned two new descriptors, which we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A second child end for stderr going where stdout goes.
fn twin(stdout: &Stdio, end: &ChildEnd) -> Result<StdStdio> {
    Ok(match (stdout, end) {
        (_, ChildEnd::Fd(fd)) => StdStdio::from(fd.try_clone()?),
        (Stdio::DevNull, _) => StdStdio::null(),
        // The parent's stdout.
        _ => StdStdio::from(std::io::stdout().as_fd().try_clone_to_owned()?),
    })
}

impl IntoFuture for SubprocessCommand {
    type Output = Result<Process>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Process>>>>;

    /// Awaiting a command spawns it (see [`spawn`](Self::spawn)).
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(spawn_process(Ok(self)))
    }
}

impl fmt::Display for SubprocessCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.program.to_string_lossy())?;
        for arg in &self.args {
            write!(f, " {}", arg.to_string_lossy())?;
        }
        Ok(())
    }
}
