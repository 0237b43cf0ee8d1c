//! A child process of ours: knowing when it exits, reaping it, and
//! signalling it without ever reaching a recycled pid.
//!
//! Exit is seen through a pidfd (`pidfd_open`, Linux 5.3) registered with
//! the loop like any other source: it becomes readable when the child
//! exits, and the loop then reaps it with `waitpid(pid, WNOHANG)`. Where
//! pidfds are missing (older kernels, seccomp filters; or
//! `ASYNCIO_CHILD_WATCHER=thread` in the environment) a thread per child
//! waits for the exit with `waitid(.., WNOWAIT)`, which does not reap, and
//! hands it to the loop, which reaps. Either way reaping happens only on
//! the loop's thread and only for this pid (never `waitpid(-1)`, which
//! would steal other code's children), so "not reaped yet" checked on that
//! thread means the pid is still ours to signal.
//!
//! Why not SIGCHLD: its disposition is process-wide, one loop at a time
//! could own it ([`EventLoop::add_signal_handler`]), and a user's own
//! SIGCHLD handler would be displaced. The thread is CPython's default
//! (`ThreadedChildWatcher`) minus its race: its thread reaps, ours only
//! waits.
//!
//! A child still running when its loop closes is killed, and its pid goes
//! to a process-wide orphan list reaped (without blocking) at each later
//! spawn and exit; a status someone else took (SIGCHLD set to `SIG_IGN`
//! makes the kernel reap) gives returncode 255 and a warning, never a hang.
//!
//! [`EventLoop::add_signal_handler`]: crate::EventLoop::add_signal_handler

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::rc::{Rc, Weak};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::event_loop::ExceptionContext;
use crate::event_loop::driver::Core;
use crate::event_loop::remote::RemoteMsg;
use crate::event_loop::scheduled_io::Direction;
use crate::io::registration::{Abandon, Registration};

/// Set once `pidfd_open` failed with "not supported here".
static NO_PIDFD: AtomicBool = AtomicBool::new(false);

/// Children killed when their loop closed, to be reaped later.
static ORPHANS: Mutex<Vec<libc::pid_t>> = Mutex::new(Vec::new());

thread_local! {
    /// Children watched by a thread, by pid, until the loop reaps them.
    static THREAD_WATCHED: RefCell<HashMap<libc::pid_t, Rc<Child>>> =
        RefCell::new(HashMap::new());
}

/// What runs when the child's exit is known, with its returncode.
type OnExit = Box<dyn FnOnce(i32)>;

/// One child of ours.
pub(crate) struct Child {
    pid: libc::pid_t,
    /// The pidfd, while the child is not reaped (also how it is
    /// signalled).
    pidfd: RefCell<Option<(OwnedFd, Registration)>>,
    /// `None` until reaped; then asyncio's returncode (`-N` for signal N).
    returncode: Cell<Option<i32>>,
    on_exit: RefCell<Option<OnExit>>,
    core: Weak<Core>,
}

impl Child {
    /// Watches `pid`, a child just spawned, on the loop of `core`;
    /// `on_exit` runs in the loop once the child is reaped.
    pub(crate) fn watch(
        core: &Rc<Core>,
        pid: libc::pid_t,
        on_exit: impl FnOnce(i32) + 'static,
    ) -> Result<Rc<Child>> {
        reap_orphans();
        let child = Rc::new(Child {
            pid,
            pidfd: RefCell::new(None),
            returncode: Cell::new(None),
            on_exit: RefCell::new(Some(Box::new(on_exit))),
            core: Rc::downgrade(core),
        });
        match pidfd_open(pid) {
            Some(fd) => {
                let raw = fd.as_raw_fd();
                let registration =
                    Registration::for_loop(core.clone(), &mut mio::unix::SourceFd(&raw), raw)?;
                // The handler owns the child until it is reaped (a process
                // dropped while running is still reaped).
                registration.set_owning_handler(Direction::Read, child.clone(), Child::on_exit);
                *child.pidfd.borrow_mut() = Some((fd, registration));
            }
            None => child.watch_with_thread(core)?,
        }
        Ok(child)
    }

    /// The fallback: a thread waits for the exit without reaping, and the
    /// loop reaps.
    fn watch_with_thread(self: &Rc<Child>, core: &Rc<Core>) -> Result<()> {
        let pid = self.pid;
        THREAD_WATCHED.with(|w| w.borrow_mut().insert(pid, self.clone()));
        let remote = core.remote().clone();
        let spawned = std::thread::Builder::new()
            .name(format!("asyncio-child-{pid}"))
            .spawn(move || {
                wait_exited(pid);
                let on_loop = move || {
                    if let Some(child) = THREAD_WATCHED.with(|w| w.borrow_mut().remove(&pid)) {
                        child.on_exit();
                    }
                };
                if !remote.push(RemoteMsg::Call(Box::new(on_loop))) {
                    // The loop is gone: reap here, nobody else will.
                    reap(pid);
                }
            });
        if let Err(err) = spawned {
            THREAD_WATCHED.with(|w| w.borrow_mut().remove(&pid));
            return Err(Error::Io(err));
        }
        Ok(())
    }

    /// The returncode once the child has been reaped.
    pub(crate) fn returncode(&self) -> Option<i32> {
        self.returncode.get()
    }

    /// Sends `sig`, unless the child was reaped (its pid may belong to
    /// another process by now).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with `NotFound` (asyncio's `ProcessLookupError`) once
    /// the child is reaped; `kill`'s error otherwise.
    pub(crate) fn send_signal(&self, sig: libc::c_int) -> Result<()> {
        if self.returncode.get().is_some() {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::NotFound,
                "the process has already exited",
            )));
        }
        let sent = match &*self.pidfd.borrow() {
            // SAFETY: a syscall on a descriptor we own, no pointers.
            Some((fd, _)) => unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    fd.as_raw_fd(),
                    sig,
                    std::ptr::null::<libc::siginfo_t>(),
                    0,
                )
            },
            // SAFETY: `kill` takes plain integers. The pid is not reaped
            // (checked above, and only this thread reaps), so it is still
            // our child, running or a zombie.
            None => unsafe { libc::kill(self.pid, sig) }.into(),
        };
        if sent == 0 {
            Ok(())
        } else {
            Err(Error::Io(io::Error::last_os_error()))
        }
    }

    /// The exit is known (pidfd readable, or the thread's message): reap,
    /// record the returncode, run `on_exit`.
    fn on_exit(&self) {
        if self.returncode.get().is_some() {
            return;
        }
        let code = match waitpid_nohang(self.pid) {
            Ok(Some(code)) => code,
            // Spurious readiness: the next event brings the exit.
            Ok(None) => return,
            Err(err) => {
                // ECHILD: someone else reaped it (SIGCHLD ignored, a
                // stray `waitpid(-1)`); asyncio's 255 and warning.
                if let Some(core) = self.core.upgrade() {
                    core.call_exception_handler(
                        ExceptionContext::new(format!(
                            "Unknown child process pid {}, will report returncode 255",
                            self.pid
                        ))
                        .with_exception(Error::Io(err)),
                    );
                }
                255
            }
        };
        self.returncode.set(Some(code));
        let watched = self.pidfd.borrow_mut().take();
        if let Some((fd, registration)) = watched {
            let raw = fd.as_raw_fd();
            let _ = registration.deregister(&mut mio::unix::SourceFd(&raw));
            // Releases the handler's hold on this child (it lives on
            // while `self` is borrowed: the caller holds it).
            registration.clear_handler(Direction::Read);
        }
        let on_exit = self.on_exit.borrow_mut().take();
        if let Some(on_exit) = on_exit {
            on_exit(code);
        }
        reap_orphans();
    }
}

impl Abandon for Child {
    /// The loop closed with the child unreaped: kill it and leave it to
    /// the orphan list.
    fn abandon(&self) {
        if self.returncode.get().is_some() {
            return;
        }
        let _ = self.send_signal(libc::SIGKILL);
        let on_exit = self.on_exit.borrow_mut().take();
        drop(on_exit);
        orphan(self.pid);
    }
}

/// Kills an unwatched child of ours (never reaped) and leaves it to the
/// orphan list, which reaps it after it dies without blocking anyone.
pub(crate) fn kill_unwatched(pid: libc::pid_t) {
    // SAFETY: `kill` takes integers; the child is ours and not reaped, so
    // `pid` is still its.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    orphan(pid);
}

fn orphan(pid: libc::pid_t) {
    if let Ok(mut orphans) = ORPHANS.lock() {
        orphans.push(pid);
    }
}

/// Reaps the orphans that have exited, without blocking.
pub(crate) fn reap_orphans() {
    let Ok(mut orphans) = ORPHANS.lock() else {
        return;
    };
    orphans.retain(|&pid| matches!(waitpid_nohang(pid), Ok(None)));
}

/// `pidfd_open(pid)`, or `None` where pidfds are unavailable.
fn pidfd_open(pid: libc::pid_t) -> Option<OwnedFd> {
    if NO_PIDFD.load(Ordering::Relaxed)
        || std::env::var_os("ASYNCIO_CHILD_WATCHER").is_some_and(|v| v == "thread")
    {
        return None;
    }
    // SAFETY: a syscall taking integers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, libc::PIDFD_NONBLOCK) };
    if fd < 0 {
        let err = io::Error::last_os_error();
        if matches!(
            err.raw_os_error(),
            Some(libc::ENOSYS | libc::EPERM | libc::EINVAL)
        ) {
            NO_PIDFD.store(true, Ordering::Relaxed);
        }
        return None;
    }
    // SAFETY: `pidfd_open` returned a new descriptor, which we now own.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Blocks until `pid` has exited, without reaping it.
fn wait_exited(pid: libc::pid_t) {
    loop {
        // SAFETY: `siginfo_t` is plain old data; zeroes are a valid value.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is valid for writes during the call.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// `waitpid(pid, WNOHANG)`: the returncode if it was reaped now, `None`
/// if it is still running.
fn waitpid_nohang(pid: libc::pid_t) -> io::Result<Option<i32>> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is valid for writes during the call.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        match r {
            0 => return Ok(None),
            r if r == pid => return Ok(Some(returncode(status))),
            _ => {
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
    }
}

/// Reaps `pid`, blocking (only off the loop, when the loop is gone).
fn reap(pid: libc::pid_t) {
    let mut status = 0;
    // SAFETY: `status` is valid for writes during the call.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0
        && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
    {}
}

/// asyncio's returncode: the exit status, or `-N` for death by signal N.
fn returncode(status: libc::c_int) -> i32 {
    if libc::WIFSIGNALED(status) {
        -libc::WTERMSIG(status)
    } else {
        libc::WEXITSTATUS(status)
    }
}
