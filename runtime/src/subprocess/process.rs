//! [`Process`]: a child process with stream pipes (asyncio's
//! `asyncio.subprocess.Process`).
//!
//! The pipes' protocols are stream states (the same as a connection's),
//! so stdout and stderr are [`StreamReader`]s and stdin a
//! [`StreamWriter`] with `drain`. The process and every pipe handle taken
//! from it share one owner; when the last of them is dropped, a child
//! still running is killed (and reaped by the loop later, never in
//! `Drop`), as asyncio's transport does when it is closed.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::command::{Stdio, SubprocessCommand};
use super::transport::{CloseOnDrop, SubprocessProtocol, SubprocessTransport};
use crate::error::{Error, Result};
use crate::io::Protocol;
use crate::streams::{Guard, StreamRead, StreamReader, StreamState, StreamWriter};

/// The most `communicate` hands the stdin transport at once.
const FEED_PIECE: usize = 64 * 1024;

/// The high-level protocol: nothing to do, the pipes' states do the work.
struct Quiet;

impl SubprocessProtocol for Quiet {}

/// Closes the transport (killing a running child) once the process and
/// all its pipe handles are gone.
struct Owner(SubprocessTransport);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A child process started by awaiting
/// [`create_subprocess_exec`](crate::create_subprocess_exec) or
/// [`create_subprocess_shell`](crate::create_subprocess_shell) (asyncio's
/// `Process`).
///
/// The pipes asked for with [`PIPE`](super::PIPE) are the fields
/// [`stdin`](Self::stdin), [`stdout`](Self::stdout) and
/// [`stderr`](Self::stderr) (take them, or use clones: they are `Rc`
/// handles). [`wait`](Self::wait) waits for the exit;
/// [`communicate`](Self::communicate) feeds stdin and reads both outputs
/// at once, so no pipe fills up and blocks the child.
///
/// When the `Process` and every pipe handle taken from it are dropped, a
/// child still running is killed (`SIGKILL`) and reaped, and the pipes are
/// closed: no zombie is left behind. Keep the `Process` (or a pipe) to
/// keep the child.
///
/// # Examples
///
/// ```
/// use asyncio::subprocess::PIPE;
///
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<(Vec<u8>, i32)> {
///     let process = asyncio::create_subprocess_exec("tr", ["a-z", "A-Z"])
///         .stdin(PIPE)
///         .stdout(PIPE)
///         .await?;
///     let (out, _err) = process.communicate(Some(b"shout")).await?;
///     let code = process.wait().await?;
///     Ok((out, code))
/// }
/// assert_eq!(asyncio::run(main_())?, (b"SHOUT".to_vec(), 0));
/// # Ok::<(), asyncio::Error>(())
/// ```
pub struct Process {
    /// The child's stdin, if it was [`PIPE`](super::PIPE).
    pub stdin: Option<StreamWriter>,
    /// The child's stdout, if it was [`PIPE`](super::PIPE).
    pub stdout: Option<StreamReader>,
    /// The child's stderr, if it was [`PIPE`](super::PIPE).
    pub stderr: Option<StreamReader>,
    transport: SubprocessTransport,
    _owner: Rc<Guard>,
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Process")
            .field("pid", &self.pid())
            .field("returncode", &self.returncode())
            .finish_non_exhaustive()
    }
}

impl Process {
    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.transport.get_pid()
    }

    /// The returncode once the child has exited (and was reaped): its exit
    /// status, or `-N` if signal N killed it; `None` while it runs.
    pub fn returncode(&self) -> Option<i32> {
        self.transport.get_returncode()
    }

    /// The underlying transport (asyncio's `_transport`).
    pub fn transport(&self) -> &SubprocessTransport {
        &self.transport
    }

    /// Waits for the child to exit and returns its returncode (asyncio's
    /// `wait()`). It returns at the exit even if a grandchild still holds
    /// the pipes open (Python 3.14's rule). Cancelling it leaves the child
    /// running.
    ///
    /// Waiting with stdout or stderr piped and unread can deadlock when
    /// the child fills the pipe: read them, or use
    /// [`communicate`](Self::communicate).
    ///
    /// # Errors
    ///
    /// [`Error::Cancelled`](crate::Error::Cancelled) if cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<i32> {
    ///     let process = asyncio::create_subprocess_shell("exit 3").await?;
    ///     process.wait().await
    /// }
    /// assert_eq!(asyncio::run(main_())?, 3);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn wait(&self) -> impl Future<Output = Result<i32>> + use<> {
        wait(self.transport.clone())
    }

    /// Sends `input` (if any) to stdin and closes it, while reading stdout
    /// and stderr to EOF, then waits for the exit; returns what was read
    /// (empty for a stream that is not a pipe) (asyncio's
    /// `communicate()`). A child that stops reading its stdin (a broken
    /// pipe) does not make it fail. Cancelling it loses nothing: bytes
    /// read so far stay in the readers, bytes written stay queued.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] if `input` is given but stdin is not a pipe;
    /// [`Error::Cancelled`](crate::Error::Cancelled) if cancelled; an
    /// output's read error.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::subprocess::PIPE;
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<(Vec<u8>, Vec<u8>)> {
    ///     let process = asyncio::create_subprocess_shell("cat; echo done >&2")
    ///         .stdin(PIPE)
    ///         .stdout(PIPE)
    ///         .stderr(PIPE)
    ///         .await?;
    ///     process.communicate(Some(b"data")).await
    /// }
    /// assert_eq!(asyncio::run(main_())?, (b"data".to_vec(), b"done\n".to_vec()));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn communicate<'a>(
        &self,
        input: Option<&'a [u8]>,
    ) -> impl Future<Output = Result<(Vec<u8>, Vec<u8>)>> + use<'a> {
        let feed = (self.stdin.clone()).map(|stdin| feed_stdin(stdin, input));
        let refused = self.stdin.is_none() && input.is_some();
        let join = Join {
            feed: feed.map(|f| Box::pin(f) as Pin<Box<dyn Future<Output = Result<()>> + 'a>>),
            stdout: Output::start(self.stdout.as_ref()),
            stderr: Output::start(self.stderr.as_ref()),
        };
        communicate(refused, join, self.transport.clone())
    }

    /// Sends signal `sig` to the child (asyncio's `send_signal`); never to
    /// a child already reaped, whose pid may be another process's now.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with kind `NotFound` (asyncio's `ProcessLookupError`)
    /// once the child has exited.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<i32> {
    ///     let process = asyncio::create_subprocess_exec("sleep", ["30"]).await?;
    ///     process.send_signal(asyncio::signal::SIGTERM)?;
    ///     process.wait().await
    /// }
    /// assert_eq!(asyncio::run(main_())?, -asyncio::signal::SIGTERM);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn send_signal(&self, sig: libc::c_int) -> Result<()> {
        self.transport.send_signal(sig)
    }

    /// Sends `SIGTERM` (asyncio's `terminate`).
    ///
    /// # Errors
    ///
    /// As [`send_signal`](Self::send_signal).
    pub fn terminate(&self) -> Result<()> {
        self.transport.terminate()
    }

    /// Sends `SIGKILL` (asyncio's `kill`).
    ///
    /// # Errors
    ///
    /// As [`send_signal`](Self::send_signal).
    pub fn kill(&self) -> Result<()> {
        self.transport.kill()
    }
}

/// Spawns `command` (a copy made for this spawn, or the error of making
/// it) and waits until its pipes are connected; a cancellation meanwhile
/// kills the child.
#[crate::coroutine]
pub(crate) fn spawn_process(command: Result<SubprocessCommand>) -> Result<Process> {
    let command = command?;
    let limit = command.buffer_limit();
    // One stream state per pipe: the pipe transport's protocol, and the
    // reader's or writer's state.
    let states: [Option<Rc<RefCell<StreamState>>>; 3] = std::array::from_fn(|fd| {
        matches!(command.stdio(fd), Stdio::Pipe).then(|| StreamState::new_shared(limit, None))
    });
    let for_pipes = states.clone();
    let mut pipe_protocol = move |fd: i32| -> Rc<RefCell<dyn Protocol>> {
        let state = for_pipes[fd as usize].clone();
        state.unwrap_or_else(|| StreamState::new_shared(limit, None))
    };
    let transport =
        SubprocessTransport::spawn(&command, Rc::new(RefCell::new(Quiet)), &mut pipe_protocol)?;
    let mut cancelled = CloseOnDrop(Some(transport.clone()));
    transport.connected().await?;
    cancelled.0 = None;
    let owner = Guard::owned(Rc::new(Owner(transport.clone())));
    let [stdin, stdout, stderr] = states;
    let reader = |state: Option<Rc<RefCell<StreamState>>>| {
        state.map(|s| StreamReader::with_guard(s, owner.clone()))
    };
    let stdin = stdin
        .zip(transport.get_pipe_transport(0))
        .map(|(state, pipe)| StreamWriter::with_guard(pipe, state, owner.clone()));
    Ok(Process {
        stdin,
        stdout: reader(stdout),
        stderr: reader(stderr),
        transport,
        _owner: owner,
    })
}

#[crate::coroutine]
fn wait(transport: SubprocessTransport) -> Result<i32> {
    transport.exited().await?;
    transport
        .get_returncode()
        .ok_or_else(|| Error::invalid_state("the process exited without a returncode"))
}

/// Writes `input` (if any) a piece at a time, draining after each (so
/// that the transport never buffers more than about the high-water mark,
/// however large the input), and closes stdin; a child that closed its
/// end is not an error.
#[crate::coroutine]
fn feed_stdin<'a>(stdin: StreamWriter, input: Option<&'a [u8]>) -> Result<()> {
    for piece in input.unwrap_or_default().chunks(FEED_PIECE) {
        let sent = match stdin.write(piece) {
            Ok(()) => stdin.drain().await,
            Err(err) => Err(err),
        };
        match sent {
            Ok(()) => {}
            Err(err) if is_broken_pipe(&err) => break,
            Err(err) => return Err(err),
        }
    }
    stdin.close();
    Ok(())
}

fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Io(e) if matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset))
}

#[crate::coroutine]
fn communicate<'a>(
    refused: bool,
    join: Join<'a>,
    transport: SubprocessTransport,
) -> Result<(Vec<u8>, Vec<u8>)> {
    if refused {
        return Err(Error::Value(
            "communicate() with input needs stdin=PIPE".into(),
        ));
    }
    let outputs = join.await?;
    transport.exited().await?;
    Ok(outputs)
}

/// One output of `communicate`: reading to EOF, or not a pipe.
enum Output {
    Reading(StreamRead),
    Done(Vec<u8>),
}

impl Output {
    fn start(reader: Option<&StreamReader>) -> Output {
        match reader {
            Some(reader) => Output::Reading(reader.read_to_end()),
            None => Output::Done(Vec::new()),
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if let Output::Reading(read) = self {
            let data = std::task::ready!(Pin::new(read).poll(cx))?;
            *self = Output::Done(data);
        }
        Poll::Ready(Ok(()))
    }

    fn take(&mut self) -> Vec<u8> {
        match self {
            Output::Done(data) => std::mem::take(data),
            Output::Reading(_) => Vec::new(),
        }
    }
}

/// Feeding stdin and reading both outputs at once (asyncio gathers the
/// three), in one future: the first error ends it.
struct Join<'a> {
    feed: Option<Pin<Box<dyn Future<Output = Result<()>> + 'a>>>,
    stdout: Output,
    stderr: Output,
}

impl Future for Join<'_> {
    type Output = Result<(Vec<u8>, Vec<u8>)>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut pending = false;
        if let Some(feed) = &mut this.feed {
            match feed.as_mut().poll(cx) {
                Poll::Ready(result) => {
                    this.feed = None;
                    result?;
                }
                Poll::Pending => pending = true,
            }
        }
        for output in [&mut this.stdout, &mut this.stderr] {
            match output.poll(cx) {
                Poll::Ready(result) => result?,
                Poll::Pending => pending = true,
            }
        }
        if pending {
            return Poll::Pending;
        }
        Poll::Ready(Ok((this.stdout.take(), this.stderr.take())))
    }
}
