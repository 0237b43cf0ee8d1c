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
            return Poll::Pending;
        }
        log(format!("ready {}", self.2));
        Poll::Ready(self.0.take().unwrap())
    }
}
pub fn leaf<T>(name: &'static str, v: T) -> Leaf<T> {
    Leaf(Some(v), false, name)
}

/// A value that logs its drop.
pub struct D(pub &'static str);
impl Drop for D {
    fn drop(&mut self) {
        log(format!("drop {}", self.0));
    }
}

pub fn effect<T>(name: &str, v: T) -> T {
    log(format!("eval {name}"));
    v
}

macro_rules! both {
    ($(#[$m:meta])* fn $name:ident($($args:tt)*) -> $ret:ty { $($body:tt)* }) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[asyncio::coroutine]
            pub fn ours($($args)*) -> $ret { $($body)* }
            #[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]
            pub async fn oracle($($args)*) -> $ret { $($body)* }
        }
    };
}

macro_rules! check {
    ($name:ident($($arg:expr),*)) => {{
        let ours = block_on($name::ours($($arg),*));
        let ours_log = take_log();
        let oracle = block_on($name::oracle($($arg),*));
        let oracle_log = take_log();
        assert_eq!(ours, oracle, "result of {}", stringify!($name));
        (ours_log, oracle_log)
    }};
}

/// Same result and the same log, drops included.
macro_rules! exact {
    ($name:ident($($arg:expr),*)) => {{
        let (ours, oracle) = check!($name($($arg),*));
        assert_eq!(ours, oracle, "log of {}", stringify!($name));
    }};
}

/// Same result and log, ignoring when drops happen (a value not used after
/// an await is released at that await).
macro_rules! same_effects {
    ($name:ident($($arg:expr),*)) => {{
        let (ours, oracle) = check!($name($($arg),*));
        let strip = |l: Vec<String>| l.into_iter().filter(|e| !e.starts_with("drop")).collect::<Vec<_>>();
        let count = |l: &Vec<String>| { let mut d: Vec<_> = l.iter().filter(|e| e.starts_with("drop")).cloned().collect(); d.sort(); d };
        assert_eq!(count(&ours), count(&oracle), "drops of {}", stringify!($name));
        assert_eq!(strip(ours), strip(oracle), "log of {}", stringify!($name));
    }};
}

/// Drops each future after `polls` polls; the drop logs must agree exactly.
macro_rules! cancel_exact {
    ($name:ident($($arg:expr),*), $polls:expr) => {{
        let mut cx = Context::from_waker(Waker::noop());
        let mut ours = Box::pin($name::ours($($arg),*));
        for _ in 0..$polls {
            assert!(ours.as_mut().poll(&mut cx).is_pending());
        }
        drop(ours);
        let ours_log = take_log();
        let mut oracle = Box::pin($name::oracle($($arg),*));
        for _ in 0..$polls {
            assert!(oracle.as_mut().poll(&mut cx).is_pending());
        }
        drop(oracle);
        let oracle_log = take_log();
        assert_eq!(ours_log, oracle_log, "cancel {} after {} polls", stringify!($name), $polls);
    }};
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
