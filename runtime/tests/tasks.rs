//! Tasks: panics, dropped handles, taking the output, cancel and abort,
//! eager tasks, and a task queued at most once.
//!
//! Our own tests (the cancellation cases of CPython are in
//! `cancellation.rs`); most drive hand-written futures (`support::handwritten`).

mod support;

use support::handwritten::*;

use asyncio::{Error, EventLoop, Task};
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

// ----- tasks -------------------------------------------------------------

#[test]
fn task_panic_becomes_an_error() {
    let event_loop = EventLoop::new().unwrap();
    let failing = event_loop
        .create_task(poll_fn(|_| -> Poll<Result<u32, Error>> {
            panic!("task failure (expected by the test)")
        }))
        .unwrap();
    let healthy = event_loop.create_task(ready(Ok::<_, Error>(7))).unwrap();
    let failed = event_loop.run_until_complete(failing).unwrap();
    match failed {
        Err(Error::Panicked(msg)) => assert!(msg.contains("task failure"), "{msg}"),
        other => panic!("expected a panic error, got {other:?}"),
    }
    assert_eq!(event_loop.run_until_complete(healthy).unwrap().unwrap(), 7);
}

#[test]
fn dropped_task_handle_still_runs() {
    let ran = Rc::new(Cell::new(false));
    let flag = ran.clone();
    asyncio::run(chain([
        act(move || {
            drop(asyncio::create_task(chain([
                nap(0.005),
                act(move || flag.set(true)),
            ])));
        }),
        nap(0.02),
    ]))
    .unwrap();
    assert!(ran.get());
}

#[test]
fn task_output_is_taken_once() {
    let event_loop = EventLoop::new().unwrap();
    let mut task = event_loop
        .create_task(ready(Ok::<_, Error>("once")))
        .unwrap();
    assert_eq!(
        event_loop
            .run_until_complete(poll_fn(|cx| Pin::new(&mut task).poll(cx)))
            .unwrap()
            .unwrap(),
        "once"
    );
    assert!(task.done());
    let again = event_loop
        .run_until_complete(poll_fn(|cx| Pin::new(&mut task).poll(cx)))
        .unwrap();
    assert!(matches!(again, Err(Error::InvalidState(_))));
}

#[test]
fn cancel_is_delivered_once_at_sleep() {
    let log = Trace::default();
    let event_loop = EventLoop::new().unwrap();
    let task = event_loop
        .create_task(chain([
            nap_recording(3600.0, log.clone()),
            // Delivered once: the task handles it and sleeps again.
            nap_recording(0.001, log.clone()),
        ]))
        .unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert!(task.cancel());
    event_loop.run_until_complete(task).unwrap().unwrap();
    assert_eq!(log.entries(), ["cancelled", "slept"]);
}

#[test]
fn cancel_of_a_finished_task_returns_false() {
    let event_loop = EventLoop::new().unwrap();
    let task = event_loop.create_task(ready(())).unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert!(task.done());
    assert!(!task.cancel());
}

#[test]
fn abort_drops_the_future_now() {
    let dropped = Rc::new(Cell::new(false));
    let event_loop = EventLoop::new().unwrap();
    let guard = DropFlag(dropped.clone());
    let task = event_loop
        .create_task(chain([nap(3600), act(move || drop(guard))]))
        .unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert!(!dropped.get());
    task.abort();
    assert!(dropped.get());
    assert!(task.done());
    assert!(matches!(
        event_loop.run_until_complete(task).unwrap(),
        Err(Error::Cancelled(_))
    ));
}

#[test]
fn a_task_can_abort_itself() {
    let event_loop = EventLoop::new().unwrap();
    let me: Rc<RefCell<Option<Task<()>>>> = Rc::default();
    let steps_after_abort = Rc::new(Cell::new(0));
    let (slot, count) = (me.clone(), steps_after_abort.clone());
    let task = event_loop
        .create_task(chain([
            act(move || slot.borrow().as_ref().unwrap().abort()),
            act(move || count.set(count.get() + 1)),
            nap(0),
            act(|| unreachable!("aborted tasks do not run again")),
        ]))
        .unwrap();
    *me.borrow_mut() = Some(task);
    event_loop.run_until_complete(nap(0.001)).unwrap();
    let task = me.borrow_mut().take().unwrap();
    assert!(task.done());
    // The step that aborted ran to its end; nothing after it.
    assert_eq!(steps_after_abort.get(), 1);
    assert!(matches!(
        event_loop.run_until_complete(task).unwrap(),
        Err(Error::Cancelled(_))
    ));
}

/// Wakes its task twice per poll and counts its polls.
struct Restless {
    polls: Rc<Cell<u32>>,
}

impl Future for Restless {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.set(self.polls.get() + 1);
        cx.waker().wake_by_ref();
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn a_queued_task_is_not_queued_twice() {
    let event_loop = EventLoop::new().unwrap();
    let polls = Rc::new(Cell::new(0));
    let task = event_loop
        .create_task(Restless {
            polls: polls.clone(),
        })
        .unwrap();
    // Three iterations for the main future, plus the one after it that
    // stops the loop: the task runs once in each, however often it wakes.
    event_loop
        .run_until_complete(chain([nap(0), nap(0)]))
        .unwrap();
    assert_eq!(polls.get(), 4);
    task.abort();
}

#[asyncio::coroutine]
fn eager_child(log: Rc<RefCell<Vec<&'static str>>>) -> asyncio::Result<()> {
    log.borrow_mut().push("child starts");
    asyncio::sleep(0).await?;
    log.borrow_mut().push("child resumes");
    Ok(())
}

#[asyncio::coroutine]
fn spawn_eagerly(log: Rc<RefCell<Vec<&'static str>>>) -> asyncio::Result<()> {
    let child = asyncio::create_task(eager_child(log.clone()));
    log.borrow_mut().push("create_task returned");
    child.await?;
    let done_at_once = asyncio::create_task(std::future::ready(Ok::<_, Error>(5)));
    assert!(done_at_once.done());
    assert_eq!(done_at_once.await?, 5);
    Ok(())
}

#[test]
fn eager_tasks_run_their_first_step_inside_create_task() {
    let event_loop = EventLoop::new().unwrap();
    event_loop.set_eager_tasks(true);
    let log = Rc::new(RefCell::new(Vec::new()));
    event_loop
        .run_until_complete(spawn_eagerly(log.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(
        *log.borrow(),
        ["child starts", "create_task returned", "child resumes"]
    );
}
