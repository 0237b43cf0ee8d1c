//! `Waker`s for tasks: a number, not a pointer.
//!
//! A task's waker carries, in its data word, the task's packed id and the
//! slot of its loop in the process-wide loop registry (see `remote`). It
//! owns nothing, so cloning and dropping it cost nothing (no allocation, no
//! reference count, no atomic), and spawning a task allocates no waker.
//!
//! Waking looks at the thread's running loop: if that is the task's own
//! loop, the id goes straight onto the ready queue; so it does if the loop
//! lives on this thread but is not running. Otherwise (another thread) the
//! loop is found in the registry and the id is posted to its mailbox, which
//! wakes its `poll`. Ids are
//! generation-checked, so waking a task that has finished does nothing, and
//! a waker that outlives its loop finds an empty registry slot.

use std::ptr;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::current;
use super::driver::Core;
use super::remote::{self, RemoteMsg};
use super::tasks::TaskId;

#[cfg(not(target_pointer_width = "64"))]
compile_error!("asyncio's task wakers pack a task id and a loop slot into a 64-bit word");

/// A waker that schedules `task` on the loop registered in `loop_slot`.
pub(super) fn new(task: TaskId, loop_slot: u16) -> Waker {
    let bits = task.pack() | (u64::from(loop_slot) << 48);
    // The data word is a number that is never dereferenced.
    let data = ptr::without_provenance::<()>(bits as usize);
    // SAFETY: the vtable's functions never dereference `data`; they only
    // read its address as a number, which is valid on any thread, so the
    // `Send + Sync` contract of `Waker` holds. Clone copies the number, drop
    // does nothing: there is no ownership to track.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, drop_waker);

fn clone(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

/// Schedules the task behind `waker` on `core` directly, if it is one of
/// `core`'s task wakers; returns `false` for any other waker. Saves the
/// thread-local lookup of a generic wake for leaves that have the loop at
/// hand (a `sleep(0)` yielding).
#[inline]
pub(super) fn wake_on(core: &Core, waker: &Waker) -> bool {
    if !ptr::eq(waker.vtable(), &VTABLE) {
        return false;
    }
    let bits = waker.data().addr() as u64;
    if (bits >> 48) as u16 != core.loop_slot() {
        return false;
    }
    core.schedule_packed(bits & 0xFFFF_FFFF_FFFF);
    true
}

fn wake(data: *const ()) {
    let bits = data.addr() as u64;
    let task = bits & 0xFFFF_FFFF_FFFF;
    let loop_slot = (bits >> 48) as u16;
    let done = current::with_current(|core| {
        core.loop_slot() == loop_slot && {
            core.schedule_packed(task);
            true
        }
    });
    if done == Some(true) {
        return;
    }
    if let Some(core) = current::local(loop_slot) {
        core.schedule_packed(task);
    } else if let Some(remote) = remote::lookup(loop_slot) {
        remote.push(RemoteMsg::Wake(task));
    }
}

fn drop_waker(_: *const ()) {}
