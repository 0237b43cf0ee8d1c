//! `Waker`s for tasks.
//!
//! A task's waker points to a [`WakeTarget`]: the task's id and its loop's
//! [`Remote`]. Waking looks at the thread's running loop: if that is the
//! task's own loop, the id goes straight onto the ready queue (no lock, no
//! atomic); otherwise — another thread, or the loop is not running — the id
//! is posted to the loop's mailbox, which wakes its `poll`. Ids are
//! generation-checked, so waking a task that has finished does nothing.
//!
//! Each task allocates its target once, when it is created, and keeps one
//! `Waker` for its whole life; polling lends that waker by reference, so
//! cloning happens only when a leaf keeps the waker. A clone is then one
//! atomic increment of the target's `Arc`.
//!
//! Possible optimisation: clone and drop on the loop's own thread could
//! avoid the atomic too, by pointing the waker at the task cell itself with
//! a biased reference count (a plain counter for the owning thread, an
//! atomic one for the others) and falling back to the shared target only
//! for wakers that leave the thread.

use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::current;
use super::remote::{Remote, RemoteMsg};
use super::tasks::TaskId;

/// What a task's waker points to.
#[derive(Debug)]
pub(super) struct WakeTarget {
    task: TaskId,
    remote: Arc<Remote>,
}

// Wakers must be `Send + Sync`, and the vtable hands out `&WakeTarget` on
// any thread.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<WakeTarget>();
};

impl WakeTarget {
    fn wake(&self) {
        let done = current::with_current(|core| {
            core.id() == self.remote.loop_id() && {
                core.schedule(self.task);
                true
            }
        });
        if done != Some(true) {
            self.remote.push(RemoteMsg::Wake(self.task));
        }
    }
}

/// A waker that schedules `task` on the loop that owns `remote`.
pub(super) fn new(task: TaskId, remote: Arc<Remote>) -> Waker {
    let data = Arc::into_raw(Arc::new(WakeTarget { task, remote }));
    // SAFETY: `data` is a pointer obtained from `Arc::into_raw`, owning one
    // strong count, and `VTABLE`'s functions treat it exactly so: `clone`
    // adds a count, `wake` and `drop` give one back, `wake_by_ref` only
    // borrows. `WakeTarget` is `Send + Sync`, so using it from any thread,
    // as `Waker` allows, is sound.
    unsafe { Waker::from_raw(RawWaker::new(data.cast(), &VTABLE)) }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// # Safety
///
/// `data` must come from a live waker built by [`new`].
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: by the contract above, `data` is an `Arc<WakeTarget>` pointer
    // whose count the waker being cloned keeps above zero.
    unsafe { Arc::increment_strong_count(data.cast::<WakeTarget>()) };
    RawWaker::new(data, &VTABLE)
}

/// # Safety
///
/// `data` must come from a live waker built by [`new`]; this consumes it.
unsafe fn wake(data: *const ()) {
    // SAFETY: the waker owns one strong count, which is taken over here and
    // released when `target` is dropped.
    let target = unsafe { Arc::from_raw(data.cast::<WakeTarget>()) };
    target.wake();
}

/// # Safety
///
/// `data` must come from a live waker built by [`new`].
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the waker keeps the target alive for the duration of this
    // call, and only shared access is needed.
    let target = unsafe { &*data.cast::<WakeTarget>() };
    target.wake();
}

/// # Safety
///
/// `data` must come from a live waker built by [`new`]; this consumes it.
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the waker owns one strong count and is being dropped, so the
    // count is given back exactly once.
    drop(unsafe { Arc::from_raw(data.cast::<WakeTarget>()) });
}
