//! [`SubprocessTransport`] and [`SubprocessProtocol`]: a child process and
//! its pipes as one transport (asyncio's `BaseSubprocessTransport`).
//!
//! Each pipe is a pipe [`Transport`] of the I/O layer; its protocol is
//! either an adapter forwarding to the [`SubprocessProtocol`] with the
//! pipe's fd number ([`EventLoop::subprocess_exec`]), or a stream's state
//! ([`Process`](super::Process)). The transport counts the pipes still
//! open and learns the exit from [`Child`]: `process_exited` comes at the
//! exit, `connection_lost` once the child has exited and every pipe is
//! closed. The loop holds the transport until then (through the child's
//! exit watch and the pipes' handlers), as asyncio's loop does.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::rc::{Rc, Weak};

use super::child::{Child, kill_unwatched};
use super::command::{Spawned, SubprocessCommand};
use crate::error::{Error, Result};
use crate::event_loop::EventLoop;
use crate::event_loop::driver::Core;
use crate::io::{Protocol, Transport, call_or_defer};
use crate::sync::Event;

/// The callbacks of a subprocess (asyncio's `asyncio.SubprocessProtocol`),
/// made by [`EventLoop::subprocess_exec`] and
/// [`EventLoop::subprocess_shell`]. Every method has a default that does
/// nothing.
///
/// Order: `connection_made`; then, for each pipe (fd 1 and 2 for the
/// child's stdout and stderr, 0 for its stdin), `pipe_data_received`* and
/// one `pipe_connection_lost`; `process_exited` once, when the child
/// exits (pipes a grandchild still holds may close later); and
/// `connection_lost` once, when the child has exited and every pipe is
/// closed. `pause_writing`/`resume_writing` are the stdin pipe's flow
/// control.
///
/// # Examples
///
/// ```
/// use asyncio::{SubprocessProtocol, SubprocessTransport};
///
/// /// Collects the child's stdout.
/// #[derive(Default)]
/// struct Collect {
///     out: Vec<u8>,
///     exited: bool,
/// }
///
/// impl SubprocessProtocol for Collect {
///     fn pipe_data_received(&mut self, fd: i32, data: &[u8]) {
///         if fd == 1 {
///             self.out.extend_from_slice(data);
///         }
///     }
///     fn process_exited(&mut self) {
///         self.exited = true;
///     }
/// }
/// ```
pub trait SubprocessProtocol: 'static {
    /// The child is running; keep `transport` to signal it or write to
    /// its stdin.
    fn connection_made(&mut self, transport: &SubprocessTransport) {
        let _ = transport;
    }

    /// The child wrote `data` to pipe `fd` (1: stdout, 2: stderr).
    fn pipe_data_received(&mut self, fd: i32, data: &[u8]) {
        let _ = (fd, data);
    }

    /// Pipe `fd` closed: `None` at EOF, else the error.
    fn pipe_connection_lost(&mut self, fd: i32, exc: Option<Error>) {
        let _ = (fd, exc);
    }

    /// The child exited; [`SubprocessTransport::get_returncode`] has its
    /// returncode.
    fn process_exited(&mut self) {}

    /// The child has exited and every pipe is closed. Called exactly once.
    fn connection_lost(&mut self, exc: Option<Error>) {
        let _ = exc;
    }

    /// The stdin pipe's buffer went over its high-water mark.
    fn pause_writing(&mut self) {}

    /// The stdin pipe's buffer went back under its low-water mark.
    fn resume_writing(&mut self) {}
}

/// What a pipe's protocol is made from: its fd number (0, 1, 2).
pub(crate) type PipeProtocols<'a> = &'a mut dyn FnMut(i32) -> Rc<RefCell<dyn Protocol>>;

struct Inner {
    me: Weak<Inner>,
    child: RefCell<Option<Rc<Child>>>,
    pid: libc::pid_t,
    protocol: RefCell<Option<Rc<RefCell<dyn SubprocessProtocol>>>>,
    /// The pipe transports, by the child's fd number.
    pipes: [RefCell<Option<Transport>>; 3],
    /// Pipes not yet closed.
    open_pipes: Cell<usize>,
    /// `close` was called.
    closed: Cell<bool>,
    /// Set at the exit (what `Process::wait` waits on).
    exited: Event,
    /// Set once the pipes' and the protocol's `connection_made` ran.
    made: Event,
    /// `connection_lost` was delivered.
    finished: Cell<bool>,
    /// The loop that runs the protocol's deferred calls.
    core: Rc<Core>,
}

/// A running child process and its pipes (asyncio's
/// `asyncio.SubprocessTransport`): a cheap `Rc` handle, made by
/// [`EventLoop::subprocess_exec`] and [`EventLoop::subprocess_shell`].
///
/// The loop keeps the transport (and its child) until the child has
/// exited and its pipes are closed, whether or not a handle is kept.
/// [`close`](Self::close) closes the pipes and kills the child if it is
/// still running; the loop closing does too.
#[derive(Clone)]
pub struct SubprocessTransport(Rc<Inner>);

impl fmt::Debug for SubprocessTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubprocessTransport")
            .field("pid", &self.0.pid)
            .field("returncode", &self.get_returncode())
            .field("closed", &self.0.closed.get())
            .finish_non_exhaustive()
    }
}

impl SubprocessTransport {
    /// Spawns `command` on the running loop; each requested pipe gets the
    /// protocol `pipe_protocol(fd)` makes. `connection_made` is delivered
    /// soon, after the pipes'.
    pub(crate) fn spawn(
        command: &SubprocessCommand,
        protocol: Rc<RefCell<dyn SubprocessProtocol>>,
        pipe_protocol: PipeProtocols<'_>,
    ) -> Result<SubprocessTransport> {
        let lp = crate::get_running_loop()?;
        let core = lp.core().clone();
        let Spawned { pid, pipes } = command.spawn_now()?;
        let inner = Rc::new_cyclic(|me| Inner {
            me: me.clone(),
            child: RefCell::new(None),
            pid,
            protocol: RefCell::new(Some(protocol)),
            pipes: Default::default(),
            open_pipes: Cell::new(0),
            closed: Cell::new(false),
            exited: Event::new(),
            made: Event::new(),
            finished: Cell::new(false),
            core: core.clone(),
        });
        let transport = SubprocessTransport(inner);
        // From here on, a failure kills and reaps the child (the transport
        // is closed and dropped; its exit watch reaps).
        match transport.start(&core, pipes, pipe_protocol) {
            Ok(()) => Ok(transport),
            Err(err) => {
                transport.close();
                Err(err)
            }
        }
    }

    fn start(
        &self,
        core: &Rc<Core>,
        pipes: [Option<std::os::fd::OwnedFd>; 3],
        pipe_protocol: PipeProtocols<'_>,
    ) -> Result<()> {
        let inner = &self.0;
        let owner = inner.clone();
        let child = Child::watch(core, inner.pid, move |_| owner.on_exit());
        let child = match child {
            Ok(child) => child,
            Err(err) => {
                // Not watched: killed, and reaped by a later spawn.
                kill_unwatched(inner.pid);
                return Err(err);
            }
        };
        *inner.child.borrow_mut() = Some(child);
        for (fd, pipe) in pipes.into_iter().enumerate() {
            let Some(pipe) = pipe else { continue };
            let number = fd as i32;
            let protocol = pipe_protocol(number);
            let owner = inner.clone();
            let transport = Transport::start_pipe(pipe, fd == 0, protocol, move |_| {
                owner.pipe_lost();
            })?;
            inner.open_pipes.set(inner.open_pipes.get() + 1);
            *inner.pipes[fd].borrow_mut() = Some(transport);
        }
        // After the pipes' `connection_made` (queued first).
        let made = inner.clone();
        core.call_soon_internal(Box::new(move || {
            let handle = SubprocessTransport(made.clone());
            made.call_protocol(move |p| p.connection_made(&handle));
            made.made.set();
        }))
    }

    /// The child's process id (asyncio's `get_pid`).
    pub fn get_pid(&self) -> u32 {
        self.0.pid as u32
    }

    /// The child's returncode once it has exited: its exit status, or
    /// `-N` if signal N killed it (asyncio's `get_returncode`).
    pub fn get_returncode(&self) -> Option<i32> {
        self.0.child.borrow().as_ref().and_then(|c| c.returncode())
    }

    /// The transport of the child's pipe `fd` (0: stdin, 1: stdout,
    /// 2: stderr), if it was opened as a pipe and not closed
    /// (asyncio's `get_pipe_transport`).
    pub fn get_pipe_transport(&self, fd: i32) -> Option<Transport> {
        let pipe = self.0.pipes.get(usize::try_from(fd).ok()?)?;
        pipe.borrow().clone()
    }

    /// Sends signal `sig` to the child (asyncio's `send_signal`). A child
    /// already reaped is never signalled: its pid may be another
    /// process's by now.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with kind `NotFound` (asyncio's
    /// `ProcessLookupError`) once the child has exited; the system's error
    /// for an invalid signal.
    pub fn send_signal(&self, sig: libc::c_int) -> Result<()> {
        match &*self.0.child.borrow() {
            Some(child) => child.send_signal(sig),
            None => Err(Error::invalid_state("the process is not running")),
        }
    }

    /// Sends `SIGTERM` (asyncio's `terminate`).
    ///
    /// # Errors
    ///
    /// As [`send_signal`](Self::send_signal).
    pub fn terminate(&self) -> Result<()> {
        self.send_signal(libc::SIGTERM)
    }

    /// Sends `SIGKILL` (asyncio's `kill`).
    ///
    /// # Errors
    ///
    /// As [`send_signal`](Self::send_signal).
    pub fn kill(&self) -> Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    /// Closes the pipes, and kills the child if it is still running
    /// (asyncio's `close`); the child is reaped when it exits. Idempotent.
    pub fn close(&self) {
        if self.0.closed.replace(true) {
            return;
        }
        for pipe in &self.0.pipes {
            let transport = pipe.borrow().clone();
            if let Some(transport) = transport {
                transport.close();
            }
        }
        if self.get_returncode().is_none() {
            let _ = self.kill();
        }
    }

    /// Whether [`close`](Self::close) was called (asyncio's
    /// `is_closing`).
    pub fn is_closing(&self) -> bool {
        self.0.closed.get()
    }

    /// Waits until every pipe's `connection_made` and the protocol's have
    /// been delivered.
    pub(crate) fn connected(&self) -> impl Future<Output = Result<()>> + use<> {
        self.0.made.wait()
    }

    /// Waits for the child's exit.
    pub(crate) fn exited(&self) -> impl Future<Output = Result<()>> + use<> {
        self.0.exited.wait()
    }
}

impl Inner {
    /// Calls the protocol; if it is busy (this call comes from inside one
    /// of its own callbacks), calls it right after, from the loop.
    fn call_protocol(&self, f: impl FnOnce(&mut dyn SubprocessProtocol) + 'static) {
        let Some(protocol) = self.protocol.borrow().clone() else {
            return;
        };
        call_or_defer(&self.core, &protocol, f);
    }

    fn on_exit(&self) {
        self.call_protocol(|p| p.process_exited());
        self.exited.set();
        self.try_finish();
    }

    fn pipe_lost(&self) {
        self.open_pipes.set(self.open_pipes.get() - 1);
        self.try_finish();
    }

    /// `connection_lost` once the child has exited and every pipe is
    /// closed; the protocol is released after it.
    fn try_finish(&self) {
        let exited = self
            .child
            .borrow()
            .as_ref()
            .is_some_and(|c| c.returncode().is_some());
        if !exited || self.open_pipes.get() > 0 || self.finished.replace(true) {
            return;
        }
        let Some(me) = self.me.upgrade() else { return };
        // After the exit's and the pipes' callbacks (which may be queued).
        let core = crate::event_loop::current::with_current(|core| core.rc());
        let finish = move || {
            let protocol = me.protocol.borrow_mut().take();
            if let Some(protocol) = protocol {
                call_or_defer(&me.core, &protocol, |p| p.connection_lost(None));
            }
        };
        match core {
            Some(core) => {
                let _ = core.call_soon_internal(Box::new(finish));
            }
            None => finish(),
        }
    }
}

/// A pipe's protocol that forwards to the subprocess protocol with the
/// pipe's fd number (asyncio's `ReadSubprocessPipeProto` and
/// `WriteSubprocessPipeProto`).
struct PipeAdapter {
    fd: i32,
    protocol: Rc<RefCell<dyn SubprocessProtocol>>,
    core: Rc<Core>,
}

impl PipeAdapter {
    fn deliver(&self, f: impl FnOnce(&mut dyn SubprocessProtocol) + 'static) {
        call_or_defer(&self.core, &self.protocol, f);
    }
}

impl Protocol for PipeAdapter {
    fn data_received(&mut self, data: &[u8]) {
        let fd = self.fd;
        match self.protocol.try_borrow_mut() {
            Ok(mut p) => p.pipe_data_received(fd, data),
            Err(_) => {
                let data = data.to_vec();
                self.deliver(move |p| p.pipe_data_received(fd, &data));
            }
        }
    }

    fn connection_lost(&mut self, exc: Option<Error>) {
        let fd = self.fd;
        self.deliver(move |p| p.pipe_connection_lost(fd, exc));
    }

    fn pause_writing(&mut self) {
        self.deliver(|p| p.pause_writing());
    }

    fn resume_writing(&mut self) {
        self.deliver(|p| p.resume_writing());
    }
}

impl EventLoop {
    /// Runs `command` (from [`create_subprocess_exec`] or
    /// [`create_subprocess_shell`], whose `stdin`/`stdout`/`stderr`
    /// settings say which pipes to open) with a protocol from `factory`
    /// (asyncio's `loop.subprocess_exec`): the child's output arrives as
    /// `pipe_data_received`, its stdin is
    /// [`get_pipe_transport(0)`](SubprocessTransport::get_pipe_transport).
    /// Returns when the child runs and its pipes are connected.
    ///
    /// # Errors
    ///
    /// [`Error::Io`]: the program is missing or not executable, the
    /// working directory does not exist (at once, leaking no descriptor), a
    /// descriptor given as [`Stdio::Fd`](super::Stdio::Fd) cannot be duplicated;
    /// [`Error::InvalidState`] outside the running loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use asyncio::subprocess::PIPE;
    ///
    /// #[derive(Default)]
    /// struct Collect(Vec<u8>, Option<asyncio::Event>);
    ///
    /// impl asyncio::SubprocessProtocol for Collect {
    ///     fn pipe_data_received(&mut self, _fd: i32, data: &[u8]) {
    ///         self.0.extend_from_slice(data);
    ///     }
    ///     fn connection_lost(&mut self, _exc: Option<asyncio::Error>) {
    ///         self.1.as_ref().unwrap().set();
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<(Vec<u8>, Option<i32>)> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let done = asyncio::Event::new();
    ///     let signal = done.clone();
    ///     let command = asyncio::create_subprocess_exec("echo", ["hi"]).stdout(PIPE);
    ///     let (transport, protocol) =
    ///         lp.subprocess_exec(move || Collect(Vec::new(), Some(signal)), &command).await?;
    ///     done.wait().await?;
    ///     let out = std::mem::take(&mut protocol.borrow_mut().0);
    ///     Ok((out, transport.get_returncode()))
    /// }
    /// assert_eq!(asyncio::run(main_())?, (b"hi\n".to_vec(), Some(0)));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    ///
    /// [`create_subprocess_exec`]: crate::create_subprocess_exec
    /// [`create_subprocess_shell`]: crate::create_subprocess_shell
    pub fn subprocess_exec<P, F>(
        &self,
        factory: F,
        command: &SubprocessCommand,
    ) -> impl Future<Output = Result<(SubprocessTransport, Rc<RefCell<P>>)>> + use<P, F>
    where
        P: SubprocessProtocol,
        F: FnOnce() -> P + 'static,
    {
        subprocess_with_protocol(command.try_clone(), factory)
    }

    /// [`subprocess_exec`](Self::subprocess_exec) for a shell command
    /// line: `/bin/sh -c cmd` (asyncio's `loop.subprocess_shell`).
    ///
    /// # Errors
    ///
    /// As [`subprocess_exec`](Self::subprocess_exec).
    pub fn subprocess_shell<P, F>(
        &self,
        factory: F,
        cmd: &str,
    ) -> impl Future<Output = Result<(SubprocessTransport, Rc<RefCell<P>>)>> + use<P, F>
    where
        P: SubprocessProtocol,
        F: FnOnce() -> P + 'static,
    {
        let command = crate::create_subprocess_shell(cmd)
            .stdin(super::PIPE)
            .stdout(super::PIPE)
            .stderr(super::PIPE);
        subprocess_with_protocol(Ok(command), factory)
    }
}

#[crate::coroutine]
fn subprocess_with_protocol<P, F>(
    command: Result<SubprocessCommand>,
    factory: F,
) -> Result<(SubprocessTransport, Rc<RefCell<P>>)>
where
    P: SubprocessProtocol,
    F: FnOnce() -> P + 'static,
{
    let command = command?;
    let protocol = Rc::new(RefCell::new(factory()));
    let shared: Rc<RefCell<dyn SubprocessProtocol>> = protocol.clone();
    let forward = shared.clone();
    let core = crate::get_running_loop()?.core().clone();
    let mut adapter = move |fd| -> Rc<RefCell<dyn Protocol>> {
        Rc::new(RefCell::new(PipeAdapter {
            fd,
            protocol: forward.clone(),
            core: core.clone(),
        }))
    };
    let transport = SubprocessTransport::spawn(&command, shared, &mut adapter)?;
    let mut guard = CloseOnDrop(Some(transport.clone()));
    transport.connected().await?;
    guard.0 = None;
    Ok((transport, protocol))
}

/// Closes (and so kills) a child whose creation was cancelled.
pub(crate) struct CloseOnDrop(pub(crate) Option<SubprocessTransport>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        if let Some(transport) = self.0.take() {
            transport.close();
        }
    }
}
