//! Every await position and control form, each body compiled twice (as a
//! `#[coroutine] fn` and as an `async fn`) and run on a trivial executor:
//! results and effect logs must be equal.

use crate::common::*;

both!(
    fn call_args(a: u32) -> u32 {
        let f = |x: u32, y: u32, z: u32| x * 100 + y * 10 + z;
        f(effect("a", a), leaf("b", 2).await, effect("c", 3))
    }
);

both!(
    fn method_receiver_and_args() -> Vec<u32> {
        let mut v = Vec::new();
        v.push(leaf("x", 1).await);
        v.push(effect("two", 2) + leaf("y", 3).await);
        leaf("v", v).await
    }
);

both!(
    fn operands_struct_tuple_array_index_cast() -> (u64, [u32; 3], Option<u32>, i64) {
        let arr = [leaf("a", 1).await, 2, leaf("c", 3).await];
        let idx = [10u64, 20, 30][leaf("i", 1usize).await];
        let opt = Some(leaf("s", 7).await);
        let neg = -(leaf("n", 5i64).await as i64);
        (idx, arr, opt, neg)
    }
);

both!(
    fn short_circuit(a: bool, b: bool) -> (bool, bool) {
        let x = effect("left", a) && leaf("and", b).await;
        let y = effect("left2", a) || leaf("or", b).await;
        (x, y)
    }
);

both!(
    fn if_else_chain(n: u32) -> u32 {
        let r = if leaf("c1", n == 0).await {
            leaf("zero", 100).await
        } else if n == 1 {
            effect("one", 1)
        } else {
            let t = leaf("other", n).await;
            t * 2
        };
        r + 1
    }
);

both!(
    fn if_let_and_let_else(v: Option<u32>) -> u32 {
        let total = if let Some(x) = leaf("opt", v).await {
            x + leaf("add", 1).await
        } else {
            0
        };
        let Some(y) = leaf("again", v).await else {
            return leaf("early", 999).await;
        };
        total + y
    }
);

both!(
    fn match_arms(n: u32) -> String {
        let s = match leaf("scrut", n).await {
            0 => "zero".to_string(),
            k if k % 2 == 0 => format!("even {}", leaf("even", k).await),
            k => {
                let w = leaf("odd", k * 3).await;
                format!("odd {w}")
            }
        };
        s
    }
);

both!(
    fn loops_with_break_value(n: u32) -> (u32, u32) {
        let mut i = 0;
        let found = loop {
            i += 1;
            if leaf("test", i).await >= n {
                break i * 10;
            }
        };
        let mut sum = 0;
        while i > 0 {
            sum += leaf("w", i).await;
            i -= 1;
        }
        (found, sum)
    }
);

both!(
    fn labeled_break_continue() -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        'outer: for a in 0..4u32 {
            for b in 0..4u32 {
                if b > a {
                    continue 'outer;
                }
                if leaf("ab", a + b).await == 5 {
                    break 'outer;
                }
                out.push((a, b));
            }
        }
        let v = 'blk: {
            if leaf("blk", true).await {
                break 'blk 7;
            }
            8
        };
        out.push((v, v));
        out
    }
);

both!(
    fn while_let_and_for(v: Vec<u32>) -> u32 {
        let mut it = v.clone().into_iter();
        let mut total = 0;
        while let Some(x) = it.next() {
            total += leaf("wl", x).await;
        }
        for x in v {
            if x == 2 {
                continue;
            }
            total += leaf("for", x * 100).await;
        }
        total
    }
);

both!(
    fn question_mark(a: Result<u32, String>) -> Result<u32, String> {
        let x = leaf("r", a).await?;
        let y: Option<u32> = None;
        let z = (|| -> Option<u32> { Some(y? + 1) })().unwrap_or(5);
        for i in 0..3 {
            leaf("loop", Ok::<u32, String>(i)).await?;
        }
        Ok(x + z)
    }
);

fn opt_sum(a: Option<u32>) -> impl Future<Output = Option<u32>> {
    opt_sum_inner(a)
}
#[asyncio::coroutine]
fn opt_sum_inner(a: Option<u32>) -> Option<u32> {
    let x = leaf("o", a).await?;
    Some(x + 1)
}

both!(
    fn shadowing_and_format(a: u32) -> String {
        let x = a;
        let x = leaf("x", x + 1).await;
        let s = {
            let x = x * 10;
            let y = leaf("y", x).await;
            format!("{x} {y}")
        };
        format!("{s} {x} {a}")
    }
);

both!(
    fn guards_and_drops() -> u32 {
        let _g = D("guard");
        let used = D("used");
        let v = leaf("a", 1).await;
        let _ = &used;
        {
            let _inner = D("inner");
            leaf("b", 2).await;
        }
        v + leaf("c", 3).await
    }
);

both!(
    fn early_return_in_loop(n: u32) -> u32 {
        let d = D("held");
        let mut i = 0;
        loop {
            i += leaf("step", 1).await;
            if i == n {
                drop(d);
                return i;
            }
            if i > 10 {
                break;
            }
        }
        drop(d);
        0
    }
);

both!(
    fn moved_in_loop_and_reassigned() -> u32 {
        let mut s = D("first");
        let mut n = 0;
        for _ in 0..3 {
            drop(s);
            n += leaf("l", 1).await;
            s = D("again");
        }
        drop(s);
        n
    }
);

both!(
    fn unsafe_block_and_nested_blocks() -> u32 {
        let v = [1u32, 2, 3];
        // SAFETY: `a` is 1, inside the array. (`p` is taken after the await:
        // frame values move at a suspension, so a raw pointer into one would
        // not survive it.)
        let r = unsafe {
            let a = leaf("u", 1usize).await;
            let p = v.as_ptr();
            *p.add(a)
        };
        let q = ({ leaf("n", r).await }) + 1;
        q
    }
);

both!(
    fn awaits_in_macros(a: u32) -> String {
        assert_eq!(leaf("m", a).await, a);
        let s = format!("{} {}", effect("f", 1), leaf("g", 2).await);
        let v = vec![leaf("v1", 1).await, leaf("v2", 2).await];
        format!("{s} {v:?}")
    }
);

mod generic_fn {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours<T: Clone + std::fmt::Debug + Unpin + 'static>(t: T, n: usize) -> Vec<T> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(leaf("t", t.clone()).await);
        }
        out
    }
    pub async fn oracle<T: Clone + std::fmt::Debug + Unpin + 'static>(t: T, n: usize) -> Vec<T> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(leaf("t", t.clone()).await);
        }
        out
    }
}

both!(
    @generic fn impl_trait_arg(x: impl std::fmt::Display) -> String {
        let s = leaf("s", 1).await;
        format!("{x}{s}")
    }
);

mod borrowed_arg {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours<'a>(s: &'a str, n: usize) -> &'a str {
        let k = leaf("k", n).await;
        &s[..k]
    }
    #[allow(clippy::needless_lifetimes)]
    pub async fn oracle<'a>(s: &'a str, n: usize) -> &'a str {
        let k = leaf("k", n).await;
        &s[..k]
    }
}

both!(
    fn coroutine_awaits_coroutine(n: u32) -> u32 {
        let a = call_args::ours(n).await;
        let b = if_else_chain::ours(n).await;
        a + b
    }
);

struct Counter {
    n: u32,
}

impl Counter {
    #[asyncio::coroutine]
    fn bump(&mut self, by: u32) -> u32 {
        self.n += leaf("bump", by).await;
        self.n
    }
    #[asyncio::coroutine]
    fn peek(&self) -> u32 {
        let v = leaf("peek", self.n).await;
        v + self.n
    }
    /// Awaits futures that borrow `*self` and uses `self` afterwards: fine
    /// through a shared reference.
    #[asyncio::coroutine]
    fn peek_twice(&self) -> u32 {
        let a = self.peek().await;
        a + self.peek().await + self.n
    }
    #[asyncio::coroutine]
    fn into_n(self) -> u32 {
        leaf("into", ()).await;
        self.n
    }
    #[asyncio::coroutine]
    async fn with_async_keyword(&self) -> u32 {
        leaf("kw", self.n).await
    }
}

#[asyncio::coroutine]
fn boxed_recursion(n: u32) -> u32 {
    if n == 0 {
        return leaf("base", 0).await;
    }
    let inner: std::pin::Pin<Box<dyn Future<Output = u32>>> = Box::pin(boxed_recursion(n - 1));
    inner.await + n
}

#[asyncio::coroutine]
fn panics(flag: bool) -> u32 {
    leaf("before", 1).await;
    if flag {
        panic!("boom");
    }
    2
}

#[test]
fn await_in_call_arguments_keeps_order() {
    agree!(call_args(1));
}
#[test]
fn await_in_method_calls() {
    agree!(method_receiver_and_args());
}
#[test]
fn await_in_operands_literals_indices_casts() {
    agree!(operands_struct_tuple_array_index_cast());
}
#[test]
fn and_or_short_circuit() {
    for a in [false, true] {
        for b in [false, true] {
            agree!(short_circuit(a, b));
        }
    }
}
#[test]
fn if_else() {
    for n in 0..4 {
        agree!(if_else_chain(n));
    }
}
#[test]
fn if_let_let_else() {
    agree!(if_let_and_let_else(Some(4)));
    agree!(if_let_and_let_else(None));
}
#[test]
fn match_with_awaits() {
    for n in 0..4 {
        agree!(match_arms(n));
    }
}
#[test]
fn loop_break_value_and_while() {
    agree!(loops_with_break_value(3));
}
#[test]
fn labeled_breaks_and_continues() {
    agree!(labeled_break_continue());
}
#[test]
fn while_let_for() {
    agree!(while_let_and_for(vec![1, 2, 3]));
}
#[test]
fn try_operator() {
    agree!(question_mark(Ok(3)));
    agree!(question_mark(Err("bad".into())));
    assert_eq!(block_on(opt_sum(Some(1))), Some(2));
    assert_eq!(block_on(opt_sum(None)), None);
}
#[test]
fn shadowing_format_args() {
    agree!(shadowing_and_format(4));
}
#[test]
fn guards_live_to_scope_end() {
    agree!(guards_and_drops());
    // The guard is dropped after the last await, at the end of the body.
    let _ = block_on(guards_and_drops::ours());
    let log = take_log();
    let guard = log.iter().position(|e| e == "drop guard").unwrap();
    let last = log.iter().position(|e| e == "ready c").unwrap();
    assert!(guard > last, "{log:?}");
}
#[test]
fn return_from_loop() {
    agree!(early_return_in_loop(3));
    agree!(early_return_in_loop(100));
}
#[test]
fn value_moved_and_reassigned_in_loop() {
    agree!(moved_in_loop_and_reassigned());
}
#[test]
fn unsafe_and_nested() {
    agree!(unsafe_block_and_nested_blocks());
}
#[test]
fn macros_with_awaits() {
    agree!(awaits_in_macros(3));
}
#[test]
fn generics_impl_trait_lifetimes() {
    agree!(generic_fn(String::from("s"), 3));
    agree!(impl_trait_arg(5));
    agree!(borrowed_arg("hello", 3));
    agree!(coroutine_awaits_coroutine(2));
}
#[test]
fn methods() {
    let mut c = Counter { n: 1 };
    assert_eq!(block_on(c.bump(2)), 3);
    assert_eq!(block_on(c.peek()), 6);
    assert_eq!(block_on(c.peek_twice()), 15);
    assert_eq!(block_on(c.with_async_keyword()), 3);
    assert_eq!(block_on(c.into_n()), 3);
    take_log();
}
#[test]
fn recursion_through_a_box() {
    assert_eq!(block_on(boxed_recursion(4)), 10);
    take_log();
}
#[test]
fn panic_poisons_the_future() {
    let mut fut = Box::pin(panics(true));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
    assert!(r.is_err());
    let again =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
    let msg = again
        .unwrap_err()
        .downcast::<&str>()
        .map(|s| s.to_string())
        .unwrap_or_default();
    assert!(msg.contains("after it panicked"), "{msg}");
    take_log();
}
#[test]
fn poll_after_completion_panics() {
    let mut fut = Box::pin(panics(false));
    let mut cx = Context::from_waker(Waker::noop());
    while fut.as_mut().poll(&mut cx).is_pending() {}
    let again =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
    let msg = again
        .unwrap_err()
        .downcast::<&str>()
        .map(|s| s.to_string())
        .unwrap_or_default();
    assert!(msg.contains("after it completed"), "{msg}");
    take_log();
}
#[test]
fn calling_runs_nothing_until_polled() {
    let fut = call_args::ours(1);
    assert!(take_log().is_empty());
    drop(fut);
    assert!(take_log().is_empty());
}
#[test]
fn dropping_mid_suspension_drops_live_values_once() {
    for k in 0..4 {
        let mut fut = Box::pin(guards_and_drops::ours());
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..k {
            let _ = fut.as_mut().poll(&mut cx);
        }
        drop(fut);
        let log = take_log();
        for name in ["drop guard", "drop used"] {
            assert!(log.iter().filter(|e| *e == name).count() <= 1, "{log:?}");
        }
        if k > 0 {
            assert_eq!(
                log.iter().filter(|e| *e == "drop guard").count(),
                1,
                "k={k} {log:?}"
            );
        }
    }
}
