//! The oracle harness shared by the construct tests: one body compiled as a
//! `#[coroutine] fn` and as an `async fn`, run on a trivial executor with
//! leaf futures that log, values that log their drop, and checks that
//! compare results and logs.

#![allow(dead_code, unused_macros, unused_imports)]

pub use std::cell::RefCell;
pub use std::future::Future;
pub use std::pin::pin;
pub use std::task::{Context, Poll, Waker};

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

pub fn log(s: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(s.into()));
}

pub fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Pending once, then ready with the value; logs its poll.
pub struct Leaf<T>(pub Option<T>, pub bool, pub &'static str);
impl<T: Unpin> Future for Leaf<T> {
    type Output = T;
    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        if !self.1 {
            self.1 = true;
            log(format!("pend {}", self.2));
            return Poll::Pending;
        }
        log(format!("ready {}", self.2));
        Poll::Ready(self.0.take().unwrap())
    }
}
pub fn leaf<T>(name: &'static str, v: T) -> Leaf<T> {
    Leaf(Some(v), false, name)
}

/// A value that logs its creation and its drop. (`D("x")` is the
/// function below, which logs `new x`: a drop's position relative to the
/// creation of later values is then visible in the trace.)
pub struct Dv(pub &'static str);
impl Drop for Dv {
    fn drop(&mut self) {
        log(format!("drop {}", self.0));
    }
}

/// The type of the values `D(..)` makes.
pub type D = Dv;

/// Makes a drop-logging value, logging `new NAME`.
#[allow(non_snake_case)]
pub fn D(name: &'static str) -> Dv {
    log(format!("new {name}"));
    Dv(name)
}

pub fn effect<T>(name: &str, v: T) -> T {
    log(format!("eval {name}"));
    v
}

/// One body of the corpus, for the frame-size report.
pub struct Body {
    pub name: &'static str,
    /// `size_of` the future of the `#[coroutine]` fn and of the `async fn`.
    pub sizes: fn() -> (usize, usize),
}

inventory::collect!(Body);

/// The size of the future a fn item returns, without calling it.
pub trait RetSize<Args> {
    fn ret_size(&self) -> usize;
}

macro_rules! ret_size_impl {
    ($($a:ident),*) => {
        impl<F, R, $($a),*> RetSize<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R,
        {
            fn ret_size(&self) -> usize {
                std::mem::size_of::<R>()
            }
        }
    };
}
ret_size_impl!();
ret_size_impl!(A);
ret_size_impl!(A, B);
ret_size_impl!(A, B, C);
ret_size_impl!(A, B, C, D1);
ret_size_impl!(A, B, C, D1, E);
ret_size_impl!(A, B, C, D1, E, G);

pub fn ret_size<Args, F: RetSize<Args>>(f: &F) -> usize {
    f.ret_size()
}

/// The distribution of `ours / async fn` over `sizes`: (median, p90, max).
pub fn distribution(sizes: &[(String, usize, usize)]) -> (f64, f64, f64) {
    let mut ratios: Vec<f64> = sizes
        .iter()
        .map(|(_, ours, rustc)| *ours as f64 / (*rustc).max(1) as f64)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9), at(1.0))
}

/// One body compiled twice, `ours` (`#[coroutine]`) and `oracle` (`async
/// fn`), and registered for the frame-size report. (The module is
/// crate-visible, bodies of one corpus module await bodies of another; its
/// fns may then name types private to the module that holds the body.)
macro_rules! both {
    // A generic body (`impl Trait` arguments): no frame size without types.
    (@generic fn $name:ident($($args:tt)*) -> $ret:ty { $($body:tt)* }) => {
        #[allow(private_interfaces)]
        pub(crate) mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[asyncio::coroutine]
            pub fn ours($($args)*) -> $ret { $($body)* }
            #[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]
            pub async fn oracle($($args)*) -> $ret { $($body)* }
        }
    };
    ($(#[$m:meta])* fn $name:ident($($args:tt)*) -> $ret:ty { $($body:tt)* }) => {
        #[allow(private_interfaces)]
        pub(crate) mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[asyncio::coroutine]
            pub fn ours($($args)*) -> $ret { $($body)* }
            #[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]
            pub async fn oracle($($args)*) -> $ret { $($body)* }
            pub fn sizes() -> (usize, usize) {
                ($crate::common::ret_size(&ours), $crate::common::ret_size(&oracle))
            }
        }
        inventory::submit! {
            $crate::common::Body { name: concat!(module_path!(), "::", stringify!($name)), sizes: $name::sizes }
        }
    };
}

/// Polls `fut` to completion; returns the output and how many polls it took.
pub fn block_on_counted<F: Future>(fut: F) -> (F::Output, usize) {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return (v, polls);
        }
    }
}

/// Polls `fut` `k` times (it must stay pending), then drops it.
pub fn poll_then_drop<F: Future>(fut: F, k: usize) {
    let mut fut = Box::pin(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for i in 0..k {
        assert!(
            fut.as_mut().poll(&mut cx).is_pending(),
            "ready after {i} of {k} polls"
        );
    }
}

/// Whether our trace agrees with rustc's (`oracle`), by the drop-timing rule:
///
/// - every event that is not a value's drop (`eval`, `see`, `pend`, `ready`,
///   `leaf` drops, ...) happens in the same order in both;
/// - every value is dropped the same number of times in both (never leaked,
///   never twice);
/// - a value is never dropped *later* than rustc drops it; it may be
///   dropped *earlier* (our semantics release a value at its last use before
///   an await, rustc at the end of its scope) but only if no later event
///   names it, i.e. the body does not use it after our drop;
/// - values dropped at the same point as in rustc are dropped in the same
///   order (scope ends, completion, cancellation), except that values our
///   semantics released early at a branch may come first, themselves in
///   rustc's order.
pub fn agree(ours: &[String], oracle: &[String]) -> Result<(), String> {
    let is_drop = |e: &str| e.starts_with("drop ");
    let events = |t: &[String]| {
        t.iter()
            .filter(|e| !is_drop(e))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (ours_events, oracle_events) = (events(ours), events(oracle));
    if ours_events != oracle_events {
        return Err(format!(
            "events differ:\n  ours:   {ours:?}\n  oracle: {oracle:?}"
        ));
    }
    // (value, occurrence, number of events before the drop)
    let drops = |t: &[String]| {
        let mut seen: Vec<String> = Vec::new();
        let mut before = 0;
        let mut out = Vec::new();
        for e in t {
            if let Some(name) = e.strip_prefix("drop ") {
                let n = seen.iter().filter(|s| *s == name).count();
                seen.push(name.to_string());
                out.push((name.to_string(), n, before));
            } else {
                before += 1;
            }
        }
        out
    };
    let (ours_drops, oracle_drops) = (drops(ours), drops(oracle));
    let mut early = Vec::new();
    for (name, n, a) in &ours_drops {
        let Some((_, _, b)) = oracle_drops.iter().find(|(m, k, _)| m == name && k == n) else {
            return Err(format!(
                "`{name}` dropped more often than by rustc:\n  ours:   {ours:?}\n  oracle: {oracle:?}"
            ));
        };
        if a > b {
            return Err(format!(
                "`{name}` dropped later than by rustc:\n  ours:   {ours:?}\n  oracle: {oracle:?}"
            ));
        }
        if a < b {
            let used = ours_events[*a..*b]
                .iter()
                .any(|e| e.split_whitespace().any(|w| w == name));
            if used {
                return Err(format!(
                    "`{name}` dropped before a use:\n  ours:   {ours:?}\n  oracle: {oracle:?}"
                ));
            }
            early.push((name.clone(), *n));
        }
    }
    if ours_drops.len() != oracle_drops.len() {
        return Err(format!(
            "a value is dropped less often than by rustc:\n  ours:   {ours:?}\n  oracle: {oracle:?}"
        ));
    }
    // Values dropped at the same point in both: in rustc's order, except
    // that some may come first (released where the last branch toward an
    // await left them behind) — ours must be rustc's order for those, then
    // rustc's order for the rest.
    let on_time = |d: &[(String, usize, usize)]| {
        d.iter()
            .filter(|(m, k, _)| !early.contains(&(m.clone(), *k)))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (ours_on_time, oracle_on_time) = (on_time(&ours_drops), on_time(&oracle_drops));
    let positions: std::collections::BTreeSet<usize> = ours_on_time.iter().map(|d| d.2).collect();
    for position in positions {
        let group = |d: &[(String, usize, usize)]| {
            d.iter()
                .filter(|x| x.2 == position)
                .map(|x| (x.0.clone(), x.1))
                .collect::<Vec<_>>()
        };
        let (ours_group, oracle_group) = (group(&ours_on_time), group(&oracle_on_time));
        let in_order = |part: &[(String, usize)]| {
            let mut it = oracle_group.iter();
            part.iter().all(|x| it.any(|y| y == x))
        };
        let splits = (0..=ours_group.len())
            .any(|k| in_order(&ours_group[..k]) && in_order(&ours_group[k..]));
        if !splits {
            return Err(format!(
                "drop order differs:\n  ours:   {ours:?}\n  oracle: {oracle:?}"
            ));
        }
    }
    Ok(())
}

/// Runs both bodies to completion and compares outputs and traces; then,
/// for every `k` short of completion, polls both `k` times, drops them, and
/// compares the traces again.
pub fn check_both<A, B, T>(name: &str, ours: impl Fn() -> A, oracle: impl Fn() -> B)
where
    A: Future<Output = T>,
    B: Future<Output = T>,
    T: PartialEq + std::fmt::Debug,
{
    take_log();
    let (ours_out, ours_polls) = block_on_counted(ours());
    let ours_log = take_log();
    let (oracle_out, oracle_polls) = block_on_counted(oracle());
    let oracle_log = take_log();
    assert_eq!(ours_out, oracle_out, "result of {name}");
    if let Err(e) = agree(&ours_log, &oracle_log) {
        panic!("{name}: {e}");
    }
    assert_eq!(ours_polls, oracle_polls, "polls of {name}");
    for k in 1..ours_polls {
        poll_then_drop(ours(), k);
        let ours_log = take_log();
        poll_then_drop(oracle(), k);
        let oracle_log = take_log();
        if let Err(e) = agree(&ours_log, &oracle_log) {
            panic!("{name}, dropped after {k} polls: {e}");
        }
    }
}

/// Checks one body against rustc's `async fn` (see [`check_both`]).
macro_rules! agree {
    ($name:ident($($arg:expr),*)) => {
        $crate::common::check_both(stringify!($name), || $name::ours($($arg),*), || $name::oracle($($arg),*))
    };
}

/// A future that owns a `D` and completes with the inner future's value.
pub struct Hold<F>(pub D, pub F);
impl<F: Future + Unpin> Future for Hold<F> {
    type Output = F::Output;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        std::pin::Pin::new(&mut self.1).poll(cx)
    }
}
pub fn hold<F>(name: &'static str, f: F) -> Hold<F> {
    Hold(D(name), f)
}

pub fn see(d: &D) -> &'static str {
    log(format!("see {}", d.0));
    d.0
}
