//! Shared by the comparison benches: timing, medians, the report line, and a
//! counting allocator (installed only by the benches that measure memory);
//! [`echo`] drives the TCP echo benches.

#![allow(dead_code)]

pub mod echo;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::time::Duration;

/// Repetitions of each side, by default; the median is reported.
pub const REPS: usize = 5;

/// A fresh single-threaded tokio runtime, as the benches compare against.
pub fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A fresh event loop of this crate.
pub fn our_loop() -> asyncio::EventLoop {
    asyncio::EventLoop::new().expect("event loop")
}

/// Runs `fut` on a fresh event loop of this crate; its output.
pub fn on_our_loop<F: std::future::Future>(fut: F) -> F::Output {
    our_loop().run_until_complete(fut).expect("event loop")
}

/// Runs `fut` on a fresh tokio `current_thread` runtime; its output.
pub fn on_tokio<F: std::future::Future>(fut: F) -> F::Output {
    tokio_rt().block_on(fut)
}

/// Runs `fut` to completion on a fresh event loop of this crate and
/// returns how long that took (the loop's creation not included).
pub fn time_ours<F>(fut: F) -> Duration
where
    F: std::future::Future,
    F::Output: asyncio::IntoResult,
{
    let event_loop = our_loop();
    let start = std::time::Instant::now();
    let output = event_loop.run_until_complete(fut).expect("event loop");
    let elapsed = start.elapsed();
    if asyncio::IntoResult::into_result(output).is_err() {
        panic!("the benchmark's coroutine failed");
    }
    elapsed
}

/// Runs `fut` to completion on a fresh tokio `current_thread` runtime and
/// returns how long that took (the runtime's creation not included).
pub fn time_tokio<F: std::future::Future>(fut: F) -> Duration {
    let rt = tokio_rt();
    let start = std::time::Instant::now();
    rt.block_on(fut);
    start.elapsed()
}

/// The median of `samples` (the upper one for an even count).
pub fn median<T: PartialOrd + Copy>(samples: &[T]) -> T {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("comparable samples"));
    sorted[sorted.len() / 2]
}

/// Runs `ours` and `tokio` alternately, one warm-up each then `reps` timed
/// rounds (short benches use more than [`REPS`] against a noisy machine),
/// and prints a row (see [`print_header`]) of the medians, their ratio and
/// the target. Each closure sets its runtime up, and returns the time of
/// the part measured. Returns the two medians in seconds (NaN for a side
/// not run).
///
/// With `BENCH_SIDE=ours` (or `tokio`) in the environment, only that side
/// runs, which is handy under a profiler; with `BENCH_ONLY=text`, only the
/// rows whose name contains `text`.
pub fn compare_times(
    name: &str,
    target: f64,
    reps: usize,
    mut ours: impl FnMut() -> Duration,
    mut tokio: impl FnMut() -> Duration,
) -> (f64, f64) {
    let side = std::env::var("BENCH_SIDE").unwrap_or_default();
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if !name.contains(&only) {
        return (f64::NAN, f64::NAN);
    }
    let (run_ours, run_tokio) = (side != "tokio", side != "ours");
    let mut our_times = Vec::with_capacity(reps);
    let mut tokio_times = Vec::with_capacity(reps);
    for round in 0..=reps {
        // Round 0 warms up.
        if run_ours {
            let t = ours();
            if round > 0 {
                our_times.push(t);
            }
        }
        if run_tokio {
            let t = tokio();
            if round > 0 {
                tokio_times.push(t);
            }
        }
    }
    let ms = |times: &[Duration]| match times {
        [] => (f64::NAN, "-".to_owned()),
        _ => {
            let m = median(times).as_secs_f64();
            (m, format!("{:.2} ms", m * 1e3))
        }
    };
    let ((o, our_text), (t, tokio_text)) = (ms(&our_times), ms(&tokio_times));
    print_row(name, &our_text, &tokio_text, o / t, target);
    println!(
        "  samples ms: ours {:?}, tokio {:?}",
        millis(&our_times),
        millis(&tokio_times)
    );
    (o, t)
}

fn millis(samples: &[Duration]) -> Vec<f64> {
    samples
        .iter()
        .map(|d| (d.as_secs_f64() * 1e5).round() / 1e2)
        .collect()
}

/// The column titles of [`print_row`].
pub fn print_header() {
    println!(
        "{:<50} {:>14} {:>14} {:>8} {:>8}  met",
        "benchmark", "ours", "tokio", "ratio", "target"
    );
}

/// One result line: the figures, ours/tokio, and whether the ratio is
/// within `target`.
pub fn print_row(name: &str, ours: &str, tokio: &str, ratio: f64, target: f64) {
    let met = if ratio.is_nan() {
        "-"
    } else if ratio <= target {
        "yes"
    } else {
        "NO"
    };
    println!("{name:<50} {ours:>14} {tokio:>14} {ratio:>8.3} {target:>8.2}  {met}");
}

/// A global allocator over [`System`] that counts the bytes live and the
/// allocations made. Install it with
/// `#[global_allocator] static ALLOC: Counting = Counting;`.
pub struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// Bytes allocated through [`Counting`] and not yet freed.
pub fn live_bytes() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Allocations (and reallocations) made through [`Counting`] so far.
pub fn allocations() -> usize {
    ALLOCATIONS.load(Ordering::Relaxed)
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counters only observe the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees on `layout` are passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees on `layout` are passed on.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`, as the
        // caller guarantees for this allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's guarantees on `ptr`, `layout` and
        // `new_size` are passed on.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE_BYTES.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        new
    }
}
