//! The loop's callbacks and timers: `call_soon` (also from other threads and
//! through wakers), `call_later`/`call_at` and their ordering, cancelled and
//! infinite timers, the virtual clock, and `sleep`.
//!
//! CPython cases C01-C03 of `/work/shared/CASES.md` (section A), and our own
//! tests; those on `support::handwritten` drive hand-written futures (no
//! coroutine compiler) and their timing assertions are lower bounds only. C09 (signal
//! handlers) is not ported: there is no `add_signal_handler` yet.

mod support;

use support::handwritten::*;
use support::*;

use asyncio::{Error, EventLoop, Result};
use std::cell::Cell;
use std::future::{Future, poll_fn, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

fn assert_loop_time(event_loop: &EventLoop, expected: f64) {
    let t = event_loop.time();
    assert!(
        (t - expected).abs() < 1e-9,
        "loop time {t}, expected {expected}"
    );
}

/// Aborts the test binary if `done` is not set within a minute, so that a
/// loop that never wakes up fails instead of hanging (never fires when the
/// test passes).
fn watchdog(done: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        for _ in 0..600 {
            if done.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("watchdog: the event loop was never woken up");
        std::process::abort();
    });
}

// ----- A. Event loop core ------------------------------------------------------

/// Results shared with callbacks that other threads post.
type Shared = Arc<Mutex<Vec<&'static str>>>;

/// asyncio's test callback: records its argument; the second call stops the
/// loop it runs on.
fn callback(results: &Shared, arg: &'static str) -> impl FnOnce() + Send + 'static {
    let results = results.clone();
    move || {
        let mut results = results.lock().unwrap();
        results.push(arg);
        if results.len() >= 2 {
            asyncio::get_running_loop().unwrap().stop();
        }
    }
}

// C01: call_soon is FIFO; call_soon_threadsafe from the loop thread keeps its place.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c01_call_soon_fifo_with_threadsafe_same_thread() {
    let event_loop = vloop();
    let results = Shared::default();
    let handle = event_loop.handle();
    handle
        .call_soon_threadsafe(callback(&results, "hello"))
        .unwrap();
    event_loop.call_soon(callback(&results, "world")).unwrap();
    event_loop.run_forever().unwrap();
    assert_eq!(*results.lock().unwrap(), ["hello", "world"]);
}

// C01: a callback another thread posted before the loop thread's call_soon runs first.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c01_call_soon_threadsafe_from_other_thread_keeps_order() {
    let event_loop = vloop();
    let results = Shared::default();
    let handle = event_loop.handle();
    let hello = callback(&results, "hello");
    std::thread::spawn(move || handle.call_soon_threadsafe(hello).unwrap())
        .join()
        .unwrap();
    event_loop.call_soon(callback(&results, "world")).unwrap();
    event_loop.run_forever().unwrap();
    assert_eq!(*results.lock().unwrap(), ["hello", "world"]);
}

// C01: call_soon_threadsafe from another thread wakes a loop blocked polling (no timers).
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c01_call_soon_threadsafe_wakes_blocked_loop() {
    let event_loop = EventLoop::new().unwrap();
    let results = Shared::default();
    let (started_tx, started_rx) = mpsc::channel();
    let handle = event_loop.handle();
    let hello = callback(&results, "hello");
    let thread = std::thread::spawn(move || {
        started_rx.recv().unwrap();
        handle.call_soon_threadsafe(hello).unwrap();
    });
    let world = callback(&results, "world");
    event_loop
        .call_soon(move || {
            world();
            started_tx.send(()).unwrap();
        })
        .unwrap();
    let woken = Arc::new(AtomicBool::new(false));
    watchdog(woken.clone());
    event_loop.run_forever().unwrap();
    woken.store(true, Ordering::SeqCst);
    thread.join().unwrap();
    assert_eq!(*results.lock().unwrap(), ["world", "hello"]);
}

// C02: timers run in deadline order, even when their deadlines are already past.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c02_past_timers_run_in_deadline_order() {
    let event_loop = vloop();
    let log = Log::default();
    event_loop.call_later(-1, pusher(&log, "a")).unwrap();
    event_loop.call_later(-2, pusher(&log, "b")).unwrap();
    run_once(&event_loop);
    assert_eq!(entries(&log), ["b", "a"]);
    // `call_later(None, ..)` and `call_at(None, ..)` (TypeError): enforced at
    // compile time, the delay is a `Delay` and the deadline an `f64`.
}

// C03: one iteration drops cancelled timers and waits until the earliest live one.
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c03_run_once_skips_cancelled_timers() {
    let event_loop = vloop();
    let log = Log::default();
    let h1 = event_loop.call_later(5, pusher(&log, "h1")).unwrap();
    let stopper = event_loop.clone();
    let h2 = pusher(&log, "h2");
    event_loop
        .call_later(10, move || {
            h2();
            stopper.stop();
        })
        .unwrap();
    h1.cancel();
    assert_eq!(event_loop.scheduled_timers(), 1);
    let before = event_loop.iterations();
    event_loop.run_forever().unwrap();
    // The one poll waited 10 s (the virtual clock jumped by the poll timeout).
    assert_eq!(event_loop.iterations() - before, 1);
    assert_loop_time(&event_loop, 10.0);
    assert_eq!(entries(&log), ["h2"]);
}

#[asyncio::coroutine]
fn tiny_sleeps() -> Result<()> {
    for delay in [1e-2, 1e-4, 1e-6, 1e-8, 1e-10] {
        asyncio::sleep(delay).await?;
    }
    Ok(())
}

// C03: tiny timeouts do not make the loop spin (real clock: a slow machine only lowers the count).
#[test]
#[cfg_attr(
    miri,
    ignore = "kept out of the Miri run, as before the tests were grouped by area"
)]
fn c03_tiny_timeouts_do_not_spin() {
    let event_loop = EventLoop::new().unwrap();
    event_loop
        .run_until_complete(tiny_sleeps())
        .unwrap()
        .unwrap();
    let iterations = event_loop.iterations();
    assert!(iterations <= 20, "{iterations} iterations (ideal: 12)");
}

// ----- loop core -----------------------------------------------------------

#[test]
fn call_soon_is_fifo() {
    let event_loop = EventLoop::new().unwrap();
    let log = Trace::default();
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
    let log = Trace::default();
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
    let log = Trace::default();
    event_loop.call_later(-1, log.pusher("a")).unwrap();
    event_loop.call_later(-2.0, log.pusher("b")).unwrap();
    event_loop.run_until_complete(ready(())).unwrap();
    assert_eq!(log.entries(), ["b", "a"]);
}

#[test]
fn negative_infinity_is_the_earliest_past_deadline() {
    let event_loop = EventLoop::new().unwrap();
    let log = Trace::default();
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
    let log = Trace::default();
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
    let log = Trace::default();
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
    let log = Trace::default();
    let worker = |name: &'static str, log: &Trace| {
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
    let log = Trace::default();
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
    let log = Trace::default();
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
fn async_outcome(mut sleep: asyncio::Sleep, log: Trace) -> impl Future<Output = ()> {
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
    let log = Trace::default();
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

#[test]
fn the_virtual_clock_jumps_to_timers_and_can_be_advanced() {
    let event_loop = EventLoop::with_virtual_clock().unwrap();
    assert_eq!(event_loop.time(), 0.0);
    event_loop
        .run_until_complete(asyncio::sleep(Duration::from_millis(150)))
        .unwrap()
        .unwrap();
    assert!((event_loop.time() - 0.15).abs() < 1e-9);
    event_loop.advance_time(Duration::from_secs(1)).unwrap();
    assert!((event_loop.time() - 1.15).abs() < 1e-9);
    assert!(
        EventLoop::new()
            .unwrap()
            .advance_time(Duration::ZERO)
            .is_err()
    );
}
