//! Hand-written futures (no `async`, no coroutine compiler) for the tests
//! that check the runtime without it: a `Chain` of steps, and a `Trace` of
//! what happened.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use asyncio::{Error, Task};

// ----- hand-written futures ------------------------------------------------

pub type Step = Pin<Box<dyn Future<Output = ()>>>;

/// Awaits its steps one after another: a stand-in for a coroutine body.
pub struct Chain {
    steps: VecDeque<Step>,
}

impl Future for Chain {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        while let Some(step) = self.steps.front_mut() {
            if step.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.steps.pop_front();
        }
        Poll::Ready(())
    }
}

pub fn chain(steps: impl IntoIterator<Item = Step>) -> Chain {
    Chain {
        steps: steps.into_iter().collect(),
    }
}

/// A step that runs `f` when reached.
pub fn act(f: impl FnOnce() + 'static) -> Step {
    let mut f = Some(f);
    Box::pin(poll_fn(move |_| {
        if let Some(f) = f.take() {
            f();
        }
        Poll::Ready(())
    }))
}

/// A step that sleeps and expects success.
pub fn nap(delay: impl Into<asyncio::Delay>) -> Step {
    let mut sleep = asyncio::sleep(delay);
    Box::pin(poll_fn(move |cx| {
        Pin::new(&mut sleep)
            .poll(cx)
            .map(|out| out.expect("sleep failed"))
    }))
}

/// A step that sleeps and records the sleep's result.
pub fn nap_recording(delay: f64, log: Trace) -> Step {
    let mut sleep = asyncio::sleep(delay);
    Box::pin(poll_fn(move |cx| {
        Pin::new(&mut sleep).poll(cx).map(|out| {
            log.push(match out {
                Ok(()) => "slept".to_owned(),
                Err(Error::Cancelled(_)) => "cancelled".to_owned(),
                Err(err) => format!("error: {err}"),
            });
        })
    }))
}

/// A step that awaits a task and hands its output to `f`.
pub fn join<T: 'static>(task: Task<T>, f: impl FnOnce(asyncio::Result<T>) + 'static) -> Step {
    let mut task = task;
    let mut f = Some(f);
    Box::pin(poll_fn(move |cx| {
        Pin::new(&mut task).poll(cx).map(|out| {
            if let Some(f) = f.take() {
                f(out);
            }
        })
    }))
}

/// A shared, ordered record of what happened.
#[derive(Clone, Default)]
pub struct Trace(pub Rc<RefCell<Vec<String>>>);

impl Trace {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.borrow_mut().push(entry.into());
    }

    pub fn pusher(&self, entry: &str) -> impl FnOnce() + 'static {
        let log = self.clone();
        let entry = entry.to_owned();
        move || log.push(entry)
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

/// Sets a flag when dropped.
pub struct DropFlag(pub Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}
