//! The minimal runtime: loop core, tasks, `sleep` and `run`.
//!
//! Every future here is written by hand (no `async`), so these tests do not
//! depend on the coroutine compiler. Timing assertions are lower bounds
//! only: a test never relies on the machine being fast.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{Future, poll_fn, ready};
use std::panic::catch_unwind;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use asyncio::{Error, EventLoop, Runner, Task};

// ----- hand-written futures ------------------------------------------------

type Step = Pin<Box<dyn Future<Output = ()>>>;

/// Awaits its steps one after another: a stand-in for a coroutine body.
struct Chain {
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

fn chain(steps: impl IntoIterator<Item = Step>) -> Chain {
    Chain {
        steps: steps.into_iter().collect(),
    }
}

/// A step that runs `f` when reached.
fn act(f: impl FnOnce() + 'static) -> Step {
    let mut f = Some(f);
    Box::pin(poll_fn(move |_| {
        if let Some(f) = f.take() {
            f();
        }
        Poll::Ready(())
    }))
}

/// A step that sleeps and expects success.
fn nap(delay: impl Into<asyncio::Delay>) -> Step {
    let mut sleep = asyncio::sleep(delay);
    Box::pin(poll_fn(move |cx| {
        Pin::new(&mut sleep)
            .poll(cx)
            .map(|out| out.expect("sleep failed"))
    }))
}

/// A step that sleeps and records the sleep's result.
fn nap_recording(delay: f64, log: Log) -> Step {
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
fn join<T: 'static>(task: Task<T>, f: impl FnOnce(asyncio::Result<T>) + 'static) -> Step {
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
struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.borrow_mut().push(entry.into());
    }

    fn pusher(&self, entry: &str) -> impl FnOnce() + 'static {
        let log = self.clone();
        let entry = entry.to_owned();
        move || log.push(entry)
    }

    fn entries(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

// ----- loop core -----------------------------------------------------------

#[test]
fn call_soon_is_fifo() {
    let event_loop = EventLoop::new().unwrap();
    let log = Log::default();
    {
        let log = log.clone();
        let inner = event_loop.clone();
        event_loop
            .call_soon(move || {
                log.push("1");
                // Scheduled during an iteration: runs in the next one, after
                // everything already queued.
                inner.call_soon(log.pusher("4")).unwrap();
            })
            .unwrap();
    }
    event_loop.call_soon(log.pusher("2")).unwrap();
    event_loop.call_soon(log.pusher("3")).unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert_eq!(log.entries(), ["1", "2", "3", "4"]);
}

#[test]
fn timers_run_in_deadline_order_and_fifo_on_ties() {
    let event_loop = EventLoop::new().unwrap();
    let log = Log::default();
    let t0 = event_loop.time();
    event_loop.call_at(t0 + 0.03, log.pusher("c")).unwrap();
    event_loop.call_at(t0 + 0.01, log.pusher("a1")).unwrap();
    event_loop.call_at(t0 + 0.02, log.pusher("b")).unwrap();
    event_loop.call_at(t0 + 0.01, log.pusher("a2")).unwrap();
    event_loop.call_at(t0 + 0.01, log.pusher("a3")).unwrap();
    let start = Instant::now();
    event_loop.run_until_complete(nap(0.04)).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(40));
    assert_eq!(log.entries(), ["a1", "a2", "a3", "b", "c"]);
}

#[test]
fn past_deadlines_still_go_through_the_heap() {
    // asyncio's test_call_later_negative_delays: one iteration runs both,
    // earliest deadline first, not in scheduling order.
    let event_loop = EventLoop::new().unwrap();
    let log = Log::default();
    event_loop.call_later(-1, log.pusher("a")).unwrap();
    event_loop.call_later(-2.0, log.pusher("b")).unwrap();
    event_loop.run_until_complete(ready(())).unwrap();
    assert_eq!(log.entries(), ["b", "a"]);
}

#[test]
fn negative_infinity_is_the_earliest_past_deadline() {
    let event_loop = EventLoop::new().unwrap();
    let log = Log::default();
    event_loop.call_later(-1, log.pusher("a")).unwrap();
    event_loop
        .call_later(f64::NEG_INFINITY, log.pusher("b"))
        .unwrap();
    event_loop
        .call_at(f64::NEG_INFINITY, log.pusher("c"))
        .unwrap();
    event_loop.run_until_complete(ready(())).unwrap();
    assert_eq!(log.entries(), ["b", "c", "a"]);
}

#[test]
fn nan_delays_and_deadlines_are_value_errors() {
    // asyncio takes call_later(nan) and call_at(nan) and runs the callback
    // at once (then its selector fails on a NaN timeout): refused here.
    let event_loop = EventLoop::with_virtual_clock().unwrap();
    let ran = Rc::new(Cell::new(false));
    let flag = ran.clone();
    let later = event_loop.call_later(f64::NAN, move || flag.set(true));
    assert!(
        matches!(&later, Err(Error::Value(msg)) if msg.contains("NaN")),
        "{later:?}"
    );
    let flag = ran.clone();
    let at = event_loop.call_at(f64::NAN, move || flag.set(true));
    assert!(
        matches!(&at, Err(Error::Value(msg)) if msg.contains("NaN")),
        "{at:?}"
    );
    assert_eq!(
        later.unwrap_err().to_string(),
        "value error: invalid delay: NaN (not a number)"
    );
    assert_eq!(event_loop.scheduled_timers(), 0);
    event_loop.run_until_complete(nap(1)).unwrap();
    assert!(!ran.get());
}

#[test]
fn an_infinite_timer_never_runs_and_can_be_cancelled() {
    // asyncio: call_later(inf, f).when() == inf, and f never runs.
    let event_loop = EventLoop::with_virtual_clock().unwrap();
    let log = Log::default();
    let later = event_loop
        .call_later(f64::INFINITY, log.pusher("later"))
        .unwrap();
    let at = event_loop.call_at(f64::INFINITY, log.pusher("at")).unwrap();
    assert_eq!(later.when(), f64::INFINITY);
    assert_eq!(at.when(), f64::INFINITY);
    // Nothing in the heap: a virtual clock does not jump to "never".
    assert_eq!(event_loop.scheduled_timers(), 0);
    event_loop.run_until_complete(nap(3600)).unwrap();
    assert_eq!(event_loop.time(), 3600.0);
    assert!(log.entries().is_empty());
    // Cancelling releases what the callback captured.
    let dropped = Rc::new(Cell::new(false));
    let guard = DropFlag(dropped.clone());
    let held = event_loop
        .call_later(f64::INFINITY, move || drop(guard))
        .unwrap();
    held.cancel();
    assert!(dropped.get());
    later.cancel();
    at.cancel();
    event_loop.close().unwrap();
}

#[test]
fn timer_waits_at_least_its_delay() {
    let event_loop = EventLoop::new().unwrap();
    let fired_at = Rc::new(Cell::new(None));
    let start = Instant::now();
    let slot = fired_at.clone();
    let timer = event_loop
        .call_later(Duration::from_millis(20), move || {
            slot.set(Some(Instant::now()))
        })
        .unwrap();
    assert!(timer.when() >= 0.02);
    event_loop.run_until_complete(nap(0.03)).unwrap();
    let fired_at = fired_at.get().expect("timer fired");
    assert!(fired_at - start >= Duration::from_millis(20));
}

#[test]
fn cancelled_callbacks_do_not_run_and_are_released() {
    let event_loop = EventLoop::new().unwrap();
    let log = Log::default();
    let captured = Rc::new(());

    event_loop
        .call_later(0.005, log.pusher("kept timer"))
        .unwrap();
    let held = captured.clone();
    let timer = event_loop.call_later(0.005, move || drop(held)).unwrap();
    let soon = event_loop.call_soon(log.pusher("cancelled soon")).unwrap();
    event_loop.call_soon(log.pusher("kept soon")).unwrap();
    // A far timer that is cancelled must not keep the loop waiting.
    let far = event_loop.call_later(3600, log.pusher("far")).unwrap();

    assert_eq!(Rc::strong_count(&captured), 2);
    timer.cancel();
    soon.cancel();
    far.cancel();
    assert!(timer.cancelled() && soon.cancelled() && far.cancelled());
    // Cancelling frees what the callback captured right away.
    assert_eq!(Rc::strong_count(&captured), 1);

    event_loop.run_until_complete(nap(0.01)).unwrap();
    assert_eq!(log.entries(), ["kept soon", "kept timer"]);
    // Cancelling after the loop ran, or twice, is harmless.
    timer.cancel();
    soon.cancel();
}

#[test]
fn many_cancelled_timers_do_not_slow_the_loop_down() {
    let event_loop = EventLoop::new().unwrap();
    let fired = Rc::new(Cell::new(0));
    for i in 0..10_000 {
        let fired = fired.clone();
        let timer = event_loop
            .call_later(3600.0 + f64::from(i), move || fired.set(fired.get() + 1))
            .unwrap();
        timer.cancel();
    }
    event_loop.run_until_complete(nap(0.001)).unwrap();
    assert_eq!(fired.get(), 0);
}

#[test]
fn callback_panic_does_not_stop_the_loop() {
    let event_loop = EventLoop::new().unwrap();
    let log = Log::default();
    event_loop
        .call_soon(|| panic!("callback failure (expected by the test)"))
        .unwrap();
    event_loop.call_soon(log.pusher("after")).unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert_eq!(log.entries(), ["after"]);
}

#[test]
fn waker_sent_to_another_thread_wakes_the_loop() {
    let event_loop = EventLoop::new().unwrap();
    // Only a watchdog timer far away: the loop blocks in `poll` until the
    // other thread's wake-up interrupts it.
    let watchdog_fired = Rc::new(Cell::new(false));
    let flag = watchdog_fired.clone();
    let watchdog = event_loop.call_later(30, move || flag.set(true)).unwrap();

    let (send_waker, receive_waker) = mpsc::channel::<Waker>();
    let woken = Arc::new(AtomicBool::new(false));
    let thread = {
        let woken = woken.clone();
        std::thread::spawn(move || {
            let waker = receive_waker.recv().unwrap();
            woken.store(true, Ordering::SeqCst);
            waker.wake();
        })
    };

    let mut sent = false;
    event_loop
        .run_until_complete(poll_fn(|cx| {
            if woken.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            if !sent {
                send_waker.send(cx.waker().clone()).unwrap();
                sent = true;
            }
            Poll::Pending
        }))
        .unwrap();
    thread.join().unwrap();
    assert!(
        !watchdog_fired.get(),
        "woken by the watchdog, not the thread"
    );
    watchdog.cancel();
}

#[test]
fn run_until_complete_is_not_reentrant() {
    let event_loop = EventLoop::new().unwrap();
    let other = EventLoop::new().unwrap();
    let outcome = event_loop
        .run_until_complete(poll_fn(|_| {
            let running = asyncio::get_running_loop().unwrap();
            let same = running.run_until_complete(ready(1));
            let another = other.run_until_complete(ready(2));
            let runner = Runner::new().run(ready(Ok::<_, Error>(3)));
            let nested_run = asyncio::run(ready(Ok::<_, Error>(4)));
            let close = running.close();
            Poll::Ready((same, another, runner, nested_run.is_err(), close))
        }))
        .unwrap();
    let (same, another, runner, nested_run_panicked, close) = outcome;
    assert!(matches!(same, Err(Error::InvalidState(_))), "{same:?}");
    assert!(
        matches!(another, Err(Error::InvalidState(_))),
        "{another:?}"
    );
    assert!(matches!(runner, Err(Error::InvalidState(_))), "{runner:?}");
    assert!(nested_run_panicked);
    assert!(matches!(close, Err(Error::InvalidState(_))), "{close:?}");
    // The loop is still usable afterwards.
    assert_eq!(event_loop.run_until_complete(ready(5)).unwrap(), 5);
    assert_eq!(other.run_until_complete(ready(6)).unwrap(), 6);
}

#[test]
fn closed_loop_refuses_work() {
    let event_loop = EventLoop::new().unwrap();
    event_loop.close().unwrap();
    event_loop.close().unwrap();
    assert!(event_loop.is_closed());
    assert!(matches!(
        event_loop.run_until_complete(ready(())),
        Err(Error::InvalidState(_))
    ));
    assert!(event_loop.call_soon(|| ()).is_err());
    assert!(event_loop.call_later(0, || ()).is_err());
    assert!(event_loop.create_task(ready(())).is_err());
}

#[test]
fn running_loop_is_found_from_inside_only() {
    assert!(matches!(
        asyncio::get_running_loop(),
        Err(Error::InvalidState(_))
    ));
    let event_loop = EventLoop::new().unwrap();
    let inside = event_loop
        .run_until_complete(poll_fn(|_| {
            Poll::Ready(asyncio::get_running_loop().unwrap())
        }))
        .unwrap();
    assert_eq!(inside, event_loop);
    assert!(!event_loop.is_running());
    assert!(asyncio::get_running_loop().is_err());
}

#[test]
fn loop_time_is_monotonic_from_creation() {
    let event_loop = EventLoop::new().unwrap();
    let t0 = event_loop.time();
    assert!(t0 >= 0.0);
    event_loop.run_until_complete(nap(0.01)).unwrap();
    assert!(event_loop.time() - t0 >= 0.01);
}

// ----- sleep -------------------------------------------------------------

/// How many times `sleep(delay)` returns `Pending` before it completes.
fn pending_polls(delay: impl Into<asyncio::Delay>) -> u32 {
    let mut sleep = asyncio::sleep(delay);
    let mut pending = 0;
    asyncio::run(poll_fn(|cx| {
        let poll = Pin::new(&mut sleep).poll(cx);
        match poll {
            Poll::Pending => pending += 1,
            Poll::Ready(ref out) => assert!(out.is_ok(), "{out:?}"),
        }
        poll
    }))
    .unwrap();
    pending
}

#[test]
fn sleep_zero_returns_pending_exactly_once() {
    assert_eq!(pending_polls(0), 1);
    assert_eq!(pending_polls(Duration::ZERO), 1);
}

#[test]
fn sleep_zero_lets_other_tasks_run() {
    let log = Log::default();
    let worker = |name: &'static str, log: &Log| {
        chain([
            act(log.pusher(&format!("{name}0"))),
            nap(0),
            act(log.pusher(&format!("{name}1"))),
            nap(0.0),
            act(log.pusher(&format!("{name}2"))),
        ])
    };
    let event_loop = EventLoop::new().unwrap();
    let a = event_loop.create_task(worker("a", &log)).unwrap();
    let b = event_loop.create_task(worker("b", &log)).unwrap();
    event_loop
        .run_until_complete(chain([
            join(a, |out| out.unwrap()),
            join(b, |out| out.unwrap()),
        ]))
        .unwrap();
    assert_eq!(log.entries(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the three sleeps start in successive polls; under Miri those are more than \
              10 ms apart (the virtual clock will make this exact)"
)]
fn sleeps_end_in_delay_order() {
    let log = Log::default();
    let start = Instant::now();
    let main = {
        let log = log.clone();
        let mut tasks = None;
        poll_fn(move |cx| {
            let tasks = tasks.get_or_insert_with(|| {
                [30_u64, 10, 20].map(|ms| {
                    asyncio::create_task(chain([
                        nap(Duration::from_millis(ms)),
                        act(log.pusher(&ms.to_string())),
                    ]))
                })
            });
            let mut all_done = true;
            for task in tasks.iter_mut() {
                if !task.done() {
                    all_done &= Pin::new(task).poll(cx).is_ready();
                }
            }
            if all_done {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    };
    asyncio::run(main).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(log.entries(), ["10", "20", "30"]);
}

#[test]
fn sleep_waits_at_least_its_delay() {
    for delay in [Duration::from_millis(1), Duration::from_millis(15)] {
        let start = Instant::now();
        asyncio::run(asyncio::sleep(delay)).unwrap();
        assert!(start.elapsed() >= delay);
    }
}

#[test]
fn sleep_outside_a_loop_is_an_error() {
    let mut sleep = asyncio::sleep(0.01);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(matches!(
        Pin::new(&mut sleep).poll(&mut cx),
        Poll::Ready(Err(Error::InvalidState(_)))
    ));
}

#[test]
fn negative_sleeps_yield_once() {
    assert_eq!(pending_polls(-1.0), 1);
    assert_eq!(pending_polls(-3), 1);
    assert_eq!(pending_polls(f64::NEG_INFINITY), 1);
}

#[test]
fn a_nan_sleep_is_a_value_error_before_any_cancellation() {
    // asyncio.sleep(nan): ValueError("Invalid delay: NaN (not a number)"),
    // raised before the coroutine's first await.
    let event_loop = EventLoop::new().unwrap();
    let outcome = event_loop
        .run_until_complete(asyncio::sleep(f64::NAN))
        .unwrap();
    assert!(
        matches!(&outcome, Err(Error::Value(msg)) if msg.contains("NaN")),
        "{outcome:?}"
    );
    // A pending cancellation is not consumed by the NaN sleep: the next
    // await delivers it.
    let log = Log::default();
    let (first, second) = (log.clone(), log.clone());
    let task = event_loop
        .create_task(chain([
            act(|| {
                asyncio::current_task().unwrap().cancel();
            }),
            Box::pin(async_outcome(asyncio::sleep(f64::NAN), first)),
            Box::pin(async_outcome(asyncio::sleep(0), second)),
        ]))
        .unwrap();
    event_loop.run_until_complete(task).unwrap().unwrap();
    assert_eq!(log.entries(), ["value error", "cancelled"]);
}

/// Awaits `sleep` and records how it ended.
fn async_outcome(mut sleep: asyncio::Sleep, log: Log) -> impl Future<Output = ()> {
    poll_fn(move |cx| {
        let outcome = std::task::ready!(Pin::new(&mut sleep).poll(cx));
        log.push(match outcome {
            Ok(()) => "slept",
            Err(Error::Value(_)) => "value error",
            Err(Error::Cancelled(_)) => "cancelled",
            Err(_) => "other",
        });
        Poll::Ready(())
    })
}

#[test]
fn an_infinite_sleep_ends_only_by_cancellation() {
    // asyncio.sleep(math.inf) sleeps until cancelled; a virtual clock must
    // not jump to "never".
    let event_loop = EventLoop::with_virtual_clock().unwrap();
    let log = Log::default();
    let task = event_loop
        .create_task(async_outcome(asyncio::sleep(f64::INFINITY), log.clone()))
        .unwrap();
    event_loop.run_until_complete(nap(3600)).unwrap();
    assert_eq!(event_loop.time(), 3600.0);
    assert!(!task.done());
    assert_eq!(event_loop.scheduled_timers(), 0);
    assert!(task.cancel());
    event_loop.run_until_complete(task).unwrap().unwrap();
    assert_eq!(log.entries(), ["cancelled"]);
    assert_eq!(event_loop.time(), 3600.0);
}

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
    let log = Log::default();
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

/// Sets a flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
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

#[test]
fn closing_or_dropping_a_loop_aborts_its_tasks() {
    for drop_instead_of_close in [false, true] {
        let dropped = Rc::new(Cell::new(false));
        let event_loop = EventLoop::new().unwrap();
        let guard = DropFlag(dropped.clone());
        let task = event_loop
            .create_task(chain([nap(3600), act(move || drop(guard))]))
            .unwrap();
        event_loop.run_until_complete(nap(0)).unwrap();
        if drop_instead_of_close {
            drop(event_loop);
        } else {
            event_loop.close().unwrap();
        }
        assert!(dropped.get());
        assert!(task.done());
    }
}

// ----- run and Runner ----------------------------------------------------

#[test]
fn run_returns_the_output() {
    assert_eq!(asyncio::run(ready(Ok::<_, Error>(42))).unwrap(), 42);
}

#[test]
fn run_propagates_a_panic_of_the_main_future() {
    let caught = catch_unwind(|| {
        asyncio::run(poll_fn(|_| -> Poll<()> {
            panic!("main failure (expected by the test)")
        }))
    });
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"main failure (expected by the test)")
    );
    // The thread has no loop left running.
    assert!(asyncio::get_running_loop().is_err());
    assert_eq!(asyncio::run(ready(Ok::<_, Error>(1))).unwrap(), 1);
}

#[test]
fn run_cancels_and_finishes_leftover_tasks() {
    // asyncio's test_asyncio_run_cancels_hanging_tasks.
    let log = Log::default();
    let leftover: Rc<RefCell<Option<Task<()>>>> = Rc::default();
    let slot = leftover.clone();
    let log2 = log.clone();
    asyncio::run(chain([
        act(move || {
            *slot.borrow_mut() = Some(asyncio::create_task(chain([
                nap_recording(3600.0, log2.clone()),
                act(log2.pusher("cleanup")),
                // Clean-up may await again after the cancellation.
                nap_recording(0.001, log2.clone()),
            ])));
        }),
        // Main returns at once: as in asyncio, the leftover still gets the
        // one iteration that stops the loop, so it starts and can clean up.
    ]))
    .unwrap();
    assert_eq!(log.entries(), ["cancelled", "cleanup", "slept"]);
    assert!(leftover.borrow().as_ref().unwrap().done());
}

#[test]
fn runner_keeps_tasks_between_runs() {
    let log = Log::default();
    let mut runner = Runner::new();
    let first = runner
        .run(poll_fn(|_| {
            Poll::Ready(Ok::<_, Error>(asyncio::create_task(chain([
                nap(0.005),
                act(log.pusher("background")),
            ]))))
        }))
        .unwrap();
    assert!(!first.done());
    let output = runner.run(first);
    assert!(output.is_ok());
    assert_eq!(log.entries(), ["background"]);
    runner.close().unwrap();
    runner.close().unwrap();
    assert!(matches!(runner.run(ready(())), Err(Error::InvalidState(_))));
}

#[test]
fn runner_close_aborts_tasks_that_cannot_progress() {
    // A task that waits on something nothing will ever wake cannot finish
    // its cancellation; shutdown gives up instead of hanging.
    let dropped = Rc::new(Cell::new(false));
    let guard = DropFlag(dropped.clone());
    let mut runner = Runner::new();
    let stuck = runner
        .run(poll_fn(|_| {
            let guard = DropFlag(guard.0.clone());
            Poll::Ready(Ok::<_, Error>(asyncio::create_task(poll_fn(move |_| {
                let _ = &guard;
                Poll::<()>::Pending
            }))))
        }))
        .unwrap();
    drop(guard);
    runner.close().unwrap();
    assert!(dropped.get());
    assert!(stuck.done());
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

#[test]
fn a_wake_between_runs_is_delivered_at_the_next_run() {
    let event_loop = EventLoop::new().unwrap();
    let kept: Rc<RefCell<Option<Waker>>> = Rc::default();
    let polls = Rc::new(Cell::new(0));
    let (slot, count) = (kept.clone(), polls.clone());
    let task = event_loop
        .create_task(poll_fn(move |cx| {
            count.set(count.get() + 1);
            *slot.borrow_mut() = Some(cx.waker().clone());
            if count.get() == 2 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }))
        .unwrap();
    event_loop.run_until_complete(nap(0)).unwrap();
    assert_eq!(polls.get(), 1);
    // Not running: the wake-up goes through the loop's mailbox.
    kept.borrow_mut().take().unwrap().wake();
    event_loop.run_until_complete(task).unwrap().unwrap();
    assert_eq!(polls.get(), 2);
}
