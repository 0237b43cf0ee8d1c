//! The readiness cache of one registered source: mio's edge-triggered
//! events turned into the level view the I/O layer needs.
//!
//! mio registers every source edge-triggered: an event says "became ready"
//! once, and no other comes until an operation has seen `WouldBlock`. So
//! each source remembers what it was last told. The loop ORs event bits in
//! ([`ScheduledIo::dispatch`]); an operation clears its direction's bit only
//! after it saw `WouldBlock` ([`ScheduledIo::clear`]), and then waits for
//! the next event. The closed and error bits are final and never cleared,
//! except a datagram socket's ([`ScheduledIo::clear_transient`]): its
//! errors (ICMP reports) are transient.
//!
//! tokio pairs each bit with a tick, because there an event can arrive on
//! another thread between an operation's `WouldBlock` and its clearing of
//! the bit. Here the loop dispatches events and runs operations on one
//! thread, never both at once, so the plain bits are exact.
//!
//! Who waits on a direction: the wakers of tasks in an I/O leaf (any
//! number; each leaf withdraws its own on drop), or one callback registered
//! with `add_reader`/`add_writer`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;

use smallvec::SmallVec;

/// Readiness bits.
pub(crate) mod ready {
    pub(crate) const READABLE: u8 = 1;
    pub(crate) const WRITABLE: u8 = 1 << 1;
    /// The peer shut its writing side (a read sees EOF).
    pub(crate) const READ_CLOSED: u8 = 1 << 2;
    /// The peer closed its reading side (a write fails).
    pub(crate) const WRITE_CLOSED: u8 = 1 << 3;
    pub(crate) const ERROR: u8 = 1 << 4;
}

/// A direction of interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    /// The bits that mean an operation in this direction may proceed (an
    /// EOF, a reset or an error is reported by the operation itself).
    pub(crate) fn mask(self) -> u8 {
        match self {
            Direction::Read => ready::READABLE | ready::READ_CLOSED | ready::ERROR,
            Direction::Write => ready::WRITABLE | ready::WRITE_CLOSED | ready::ERROR,
        }
    }

    fn bit(self) -> u8 {
        match self {
            Direction::Read => ready::READABLE,
            Direction::Write => ready::WRITABLE,
        }
    }
}

/// What waits on one direction.
#[derive(Default)]
enum Waiters {
    #[default]
    None,
    Tasks(SmallVec<[Waker; 1]>),
    /// An `add_reader`/`add_writer` callback, run by the loop.
    Callback(Rc<dyn Fn()>),
}

/// One registered source's cached readiness and waiters.
pub(crate) struct ScheduledIo {
    ready: Cell<u8>,
    /// Whether callbacks are `add_reader`/`add_writer` watchers, run while
    /// the fd stays ready, rather than the handlers of a transport, run
    /// once per event (the handler drains the source itself).
    level: bool,
    /// Directions whose watcher callback is queued to run (bit 0 read,
    /// bit 1 write), so that one is never queued twice.
    watcher_queued: Cell<u8>,
    read: RefCell<Waiters>,
    write: RefCell<Waiters>,
}

impl std::fmt::Debug for ScheduledIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScheduledIo")
            .field("ready", &self.ready.get())
            .finish_non_exhaustive()
    }
}

impl ScheduledIo {
    /// A new source is assumed ready both ways: the first operation tries
    /// its system call, and learns otherwise from `WouldBlock`.
    pub(crate) fn new(level: bool) -> ScheduledIo {
        ScheduledIo {
            ready: Cell::new(ready::READABLE | ready::WRITABLE),
            level,
            watcher_queued: Cell::new(0),
            read: RefCell::default(),
            write: RefCell::default(),
        }
    }

    fn waiters(&self, direction: Direction) -> &RefCell<Waiters> {
        match direction {
            Direction::Read => &self.read,
            Direction::Write => &self.write,
        }
    }

    /// Whether the callbacks are level-triggered watchers.
    pub(crate) fn is_level(&self) -> bool {
        self.level
    }

    /// The cached bits.
    pub(crate) fn readiness(&self) -> u8 {
        self.ready.get()
    }

    /// Whether an operation in `direction` may proceed.
    pub(crate) fn is_ready(&self, direction: Direction) -> bool {
        self.ready.get() & direction.mask() != 0
    }

    /// Forgets `direction`'s readiness after its operation saw
    /// `WouldBlock` (the final bits stay).
    pub(crate) fn clear(&self, direction: Direction) {
        self.ready.set(self.ready.get() & !direction.bit());
    }

    /// Forgets the error and closed bits: for a datagram socket, whose
    /// errors are transient (an ICMP report, consumed by the next
    /// `recvfrom` or `send`), unlike a stream socket's. (mio reports
    /// `EPOLLOUT | EPOLLERR` as write-closed too.)
    pub(crate) fn clear_transient(&self) {
        self.ready
            .set(self.ready.get() & !(ready::ERROR | ready::READ_CLOSED | ready::WRITE_CLOSED));
    }

    /// Makes the task behind `waker` wait for `direction`, once.
    pub(crate) fn wait(&self, direction: Direction, waker: &Waker) {
        let mut waiters = self.waiters(direction).borrow_mut();
        match &mut *waiters {
            Waiters::Tasks(wakers) => {
                if !wakers.iter().any(|w| w.will_wake(waker)) {
                    wakers.push(waker.clone());
                }
            }
            other => *other = Waiters::Tasks(SmallVec::from_elem(waker.clone(), 1)),
        }
    }

    /// Withdraws a waiter (a leaf dropped or cancelled while waiting).
    pub(crate) fn withdraw(&self, direction: Direction, waker: &Waker) {
        if let Waiters::Tasks(wakers) = &mut *self.waiters(direction).borrow_mut() {
            wakers.retain(|w| !w.will_wake(waker));
        }
    }

    /// Sets or removes the watcher callback of `direction`; returns whether
    /// one was set before.
    pub(crate) fn set_callback(
        &self,
        direction: Direction,
        callback: Option<Rc<dyn Fn()>>,
    ) -> bool {
        let new = callback.map_or(Waiters::None, Waiters::Callback);
        let old = std::mem::replace(&mut *self.waiters(direction).borrow_mut(), new);
        // Dropped with no borrow held: a callback's captures run code.
        matches!(old, Waiters::Callback(_))
    }

    /// The watcher callback of `direction`, if any.
    pub(crate) fn callback(&self, direction: Direction) -> Option<Rc<dyn Fn()>> {
        match &*self.waiters(direction).borrow() {
            Waiters::Callback(callback) => Some(callback.clone()),
            _ => None,
        }
    }

    /// Marks `direction`'s watcher as queued; `false` if it was already.
    pub(crate) fn mark_watcher_queued(&self, direction: Direction) -> bool {
        let bit = direction.bit();
        let was = self.watcher_queued.get();
        self.watcher_queued.set(was | bit);
        was & bit == 0
    }

    pub(crate) fn unmark_watcher_queued(&self, direction: Direction) {
        self.watcher_queued
            .set(self.watcher_queued.get() & !direction.bit());
    }

    /// Records an event's bits and returns what must run: the wakers of the
    /// directions that became ready (taken: a woken leaf waits again if it
    /// must), and the directions whose watcher callback is due.
    pub(crate) fn dispatch(&self, bits: u8, wake: &mut Vec<Waker>) -> [bool; 2] {
        self.ready.set(self.ready.get() | bits);
        let mut callbacks = [false; 2];
        for (i, direction) in [Direction::Read, Direction::Write].into_iter().enumerate() {
            if bits & direction.mask() == 0 {
                continue;
            }
            match &mut *self.waiters(direction).borrow_mut() {
                Waiters::Tasks(wakers) => wake.extend(wakers.drain(..)),
                Waiters::Callback(_) => callbacks[i] = true,
                Waiters::None => {}
            }
        }
        callbacks
    }

    /// Lets go of everything waiting (the source is going away, or the loop
    /// closes): waiting tasks are handed to `wake` (their leaves then find
    /// the source gone), callbacks are dropped, which also breaks the
    /// cycle of a handler holding its own source.
    pub(crate) fn release(&self, wake: &mut Vec<Waker>) {
        for direction in [Direction::Read, Direction::Write] {
            let waiters = std::mem::take(&mut *self.waiters(direction).borrow_mut());
            if let Waiters::Tasks(wakers) = waiters {
                wake.extend(wakers);
            }
        }
    }
}
