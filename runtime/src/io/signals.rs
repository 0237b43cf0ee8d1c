//! Unix signals as loop callbacks (asyncio's `loop.add_signal_handler`).
//!
//! The process-wide handler only does what is safe in a signal handler: it
//! writes the signal's number, one byte, to the self-pipe of the loop that
//! owns the signal (`WAKEUP`), keeping `errno`. The loop reads the pipe
//! like any other source and runs each signal's callback as an ordinary
//! loop callback. Handlers are installed with `SA_RESTART`, so a system call
//! the signal interrupts is restarted rather than failing with `EINTR`; the
//! disposition a signal had before is restored when its handler is removed
//! and when the loop closes (through the pipe reader's owning handler,
//! [`Abandon`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicI32, Ordering};

use mio::unix::pipe;

use super::registration::{Abandon, Registration};
use crate::error::{Error, Result};
use crate::event_loop::EventLoop;
use crate::event_loop::scheduled_io::Direction;

/// Signal numbers on Linux are below this (`_NSIG`).
const NSIG: usize = 65;

/// Per signal: the write end of the self-pipe of the loop that owns it, or
/// -1. Read by the signal handler.
static WAKEUP: [AtomicI32; NSIG] = [const { AtomicI32::new(-1) }; NSIG];

extern "C" fn on_signal(sig: libc::c_int) {
    // Only async-signal-safe operations: atomics, `write(2)`, `errno`.
    // SAFETY: `__errno_location` returns this thread's `errno`.
    let errno = unsafe { *libc::__errno_location() };
    let fd = usize::try_from(sig)
        .ok()
        .and_then(|s| WAKEUP.get(s))
        .map_or(-1, |w| w.load(Ordering::Acquire));
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: writes one byte from a live local to a descriptor; a full
        // pipe (`EAGAIN`, the fd is non-blocking) drops the byte, and the
        // bytes already there wake the loop.
        unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// A signal's callback, and the disposition to restore.
struct Handler {
    callback: Rc<dyn Fn()>,
    previous: libc::sigaction,
}

/// A loop's signal handlers and its self-pipe.
struct LoopSignals {
    registration: Registration,
    reader: pipe::Receiver,
    writer: pipe::Sender,
    handlers: RefCell<HashMap<libc::c_int, Handler>>,
}

thread_local! {
    /// Each loop's signal state, by the address of its core (weak: the
    /// pipe reader's handler owns it).
    static LOOPS: RefCell<HashMap<usize, Weak<LoopSignals>>> = RefCell::new(HashMap::new());
}

impl LoopSignals {
    /// The signal state of `lp`, made (with its self-pipe, registered with
    /// the loop) on first use.
    fn of(lp: &EventLoop) -> Result<Rc<LoopSignals>> {
        let key = Rc::as_ptr(lp.core()) as usize;
        if let Some(found) = LOOPS.with(|l| l.borrow().get(&key).and_then(Weak::upgrade)) {
            return Ok(found);
        }
        // The write end is only written by the signal handler: it is not
        // registered.
        let (writer, mut reader) = pipe::new()?;
        let fd = reader.as_raw_fd();
        let registration = Registration::for_loop(lp.core().clone(), &mut reader, fd)?;
        let signals = Rc::new(LoopSignals {
            registration,
            reader,
            writer,
            handlers: RefCell::new(HashMap::new()),
        });
        signals.registration.set_owning_handler(
            Direction::Read,
            signals.clone(),
            LoopSignals::on_readable,
        );
        LOOPS.with(|l| l.borrow_mut().insert(key, Rc::downgrade(&signals)));
        Ok(signals)
    }

    /// Reads the signals' bytes and queues each one's callback, once per
    /// delivery.
    fn on_readable(&self) {
        let mut buf = [0u8; 256];
        while let Some(Ok(n @ 1..)) = self
            .registration
            .try_io(Direction::Read, || (&self.reader).read(&mut buf))
        {
            for &sig in &buf[..n] {
                let callback = self
                    .handlers
                    .borrow()
                    .get(&libc::c_int::from(sig))
                    .map(|handler| handler.callback.clone());
                if let Some(callback) = callback {
                    let _ = self
                        .registration
                        .core()
                        .call_soon_internal(Box::new(move || callback()));
                }
            }
        }
    }

    fn add(&self, sig: libc::c_int, callback: Rc<dyn Fn()>) -> Result<()> {
        if let Some(handler) = self.handlers.borrow_mut().get_mut(&sig) {
            handler.callback = callback;
            return Ok(());
        }
        let wakeup = &WAKEUP[sig as usize];
        if wakeup
            .compare_exchange(
                -1,
                self.writer.as_raw_fd(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            return Err(Error::InvalidState(
                format!("signal {sig} is handled by another event loop").into(),
            ));
        }
        match install(sig) {
            Ok(previous) => {
                let handler = Handler { callback, previous };
                self.handlers.borrow_mut().insert(sig, handler);
                Ok(())
            }
            Err(err) => {
                wakeup.store(-1, Ordering::Release);
                Err(err)
            }
        }
    }

    fn remove(&self, sig: libc::c_int) -> bool {
        let Some(handler) = self.handlers.borrow_mut().remove(&sig) else {
            return false;
        };
        restore(sig, &handler.previous);
        WAKEUP[sig as usize].store(-1, Ordering::Release);
        true
    }
}

impl Abandon for LoopSignals {
    /// The loop closed: every signal gets its previous disposition back.
    fn abandon(&self) {
        let signals: Vec<libc::c_int> = self.handlers.borrow().keys().copied().collect();
        for sig in signals {
            self.remove(sig);
        }
        let fd = self.reader.as_raw_fd();
        let _ = self.registration.deregister(&mut mio::unix::SourceFd(&fd));
    }
}

/// Installs the handler for `sig` (`SA_RESTART`); returns the disposition
/// it replaces.
fn install(sig: libc::c_int) -> Result<libc::sigaction> {
    // SAFETY: `sigaction` is plain old data; all zeroes is a valid value.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `action.sa_mask` is a valid signal set to initialise.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: as above.
    let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: both structs are valid for the duration of the call, and
    // `on_signal` does only async-signal-safe work.
    if unsafe { libc::sigaction(sig, &action, &mut previous) } != 0 {
        let err = std::io::Error::last_os_error();
        return Err(match err.raw_os_error() {
            Some(libc::EINVAL) => Error::InvalidState(format!("sig {sig} cannot be caught").into()),
            _ => Error::Io(err),
        });
    }
    Ok(previous)
}

fn restore(sig: libc::c_int, previous: &libc::sigaction) {
    // SAFETY: `previous` is the valid disposition `sigaction` returned.
    unsafe { libc::sigaction(sig, previous, std::ptr::null_mut()) };
}

/// A signal number `add_signal_handler` may take: asyncio's `ValueError`
/// otherwise.
fn check_signal(sig: libc::c_int) -> Result<()> {
    if sig <= 0 || sig as usize >= NSIG {
        return Err(Error::Value(format!("invalid signal number {sig}").into()));
    }
    if sig == libc::SIGKILL || sig == libc::SIGSTOP {
        return Err(Error::InvalidState(
            format!("sig {sig} cannot be caught").into(),
        ));
    }
    Ok(())
}

impl EventLoop {
    /// Runs `callback` as a loop callback whenever the process receives
    /// signal `sig` (asyncio's `loop.add_signal_handler`), replacing a
    /// callback this loop set before. The handler is installed with
    /// `SA_RESTART`; the signal's previous disposition comes back at
    /// [`remove_signal_handler`](Self::remove_signal_handler) or when the
    /// loop closes. One loop at a time may handle a signal. Signal numbers
    /// are in [`crate::signal`].
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for an invalid signal number;
    /// [`Error::InvalidState`] for `SIGKILL` or `SIGSTOP` ("cannot be
    /// caught"), a signal another loop handles, or a closed loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let lp = asyncio::EventLoop::new()?;
    /// let hits = Rc::new(Cell::new(0));
    /// let seen = hits.clone();
    /// let stop = lp.clone();
    /// lp.add_signal_handler(asyncio::signal::SIGUSR1, move || {
    ///     seen.set(seen.get() + 1);
    ///     stop.stop();
    /// })?;
    /// // SAFETY (of the example): `raise` sends the signal to this thread.
    /// unsafe { libc::raise(asyncio::signal::SIGUSR1) };
    /// lp.run_forever()?;
    /// assert_eq!(hits.get(), 1);
    /// assert!(lp.remove_signal_handler(asyncio::signal::SIGUSR1)?);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn add_signal_handler(
        &self,
        sig: libc::c_int,
        callback: impl Fn() + 'static,
    ) -> Result<()> {
        check_signal(sig)?;
        self.core().check_open()?;
        LoopSignals::of(self)?.add(sig, Rc::new(callback))
    }

    /// Removes this loop's handler of `sig` and restores the disposition it
    /// had before; returns whether there was one (asyncio's
    /// `loop.remove_signal_handler`).
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for an invalid signal number.
    ///
    /// # Examples
    ///
    /// See [`add_signal_handler`](Self::add_signal_handler).
    pub fn remove_signal_handler(&self, sig: libc::c_int) -> Result<bool> {
        if sig <= 0 || sig as usize >= NSIG {
            return Err(Error::Value(format!("invalid signal number {sig}").into()));
        }
        let key = Rc::as_ptr(self.core()) as usize;
        let signals = LOOPS.with(|l| l.borrow().get(&key).and_then(Weak::upgrade));
        Ok(signals.is_some_and(|s| s.remove(sig)))
    }
}
