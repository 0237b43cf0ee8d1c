//! Early exits with awaits and live values: `return` (from loops, nested
//! blocks, value positions, tails, unit bodies), `?` on `Result` and
//! `Option` in every position, a diverging last statement, and panics (a
//! future that panicked or completed panics when polled again).
//!
//! Each body is compiled twice (as a `#[coroutine] fn` and as an `async fn`),
//! run on a trivial executor and checked with `agree!` (results, effect logs,
//! drop timing; and the same after dropping it at every suspension).

// Test bodies are deliberately unidiomatic (closures called in place,
// `x = x + ..`, ...): clippy's style lints do not apply to them.
#![allow(clippy::all)]

use crate::common::*;

// ---------------------------------------------------------------------------
// `return`.

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
#[test]
fn return_from_loop() {
    agree!(early_return_in_loop(3));
    agree!(early_return_in_loop(100));
}

both!(
    fn early_return_drop_order(k: u32) -> u32 {
        let a = D("RA");
        let _g = D("RG");
        {
            let b = D("RB");
            let x = leaf("x", k).await;
            if x == 1 {
                see(&b);
                return effect("ret1", 1);
            }
            let c = D("RC");
            if leaf("y", x).await == 2 {
                let _h = D("RH");
                see(&a);
                return leaf("ret2", 2).await;
            }
            see(&c);
            see(&b);
        }
        for i in 0..3 {
            let e = D("RE");
            if leaf("loop", i).await == k {
                see(&e);
                return i * 10;
            }
        }
        see(&a);
        0
    }
);
#[test]
fn t_early_return_drop_order() {
    for k in 0..5 {
        agree!(early_return_drop_order(k));
    }
}

both!(
    fn early_return_nested_blocks(k: u32) -> usize {
        let a = D("a");
        let n = leaf("start", k).await;
        {
            let b = D("b");
            {
                let c = D("c");
                if n == 1 {
                    return see(&a).len() + see(&c).len();
                }
                let e = D("e");
                if n == 2 {
                    let f = D("f");
                    see(&f);
                    return see(&e).len() + see(&b).len();
                }
                see(&c);
            }
            if leaf("mid", n == 3).await {
                let g = D("g");
                see(&g);
                return see(&b).len();
            }
            see(&b);
        }
        see(&a).len()
    }
);
#[test]
fn t_early_return_nested_blocks() {
    for k in [0, 1, 2, 4] {
        agree!(early_return_nested_blocks(k));
    }
    // On this path `a` is dead after the await "mid" and is released there.
    agree!(early_return_nested_blocks(3));
}

both!(
    fn return_from_for_over_owned(k: usize) -> usize {
        let guard = D("FG");
        let items = vec![D("I0"), D("I1"), D("I2"), D("I3")];
        for (i, d) in items.into_iter().enumerate() {
            let j = leaf("i", i).await;
            see(&d);
            if j == k {
                see(&guard);
                return j;
            }
        }
        see(&guard);
        99
    }
);
#[test]
fn t_return_from_for_over_owned() {
    agree!(return_from_for_over_owned(1));
    agree!(return_from_for_over_owned(9));
}

both!(
    fn return_in_value_position(n: u32) -> u32 {
        let x = if n > 2 {
            return leaf("early", n).await;
        } else {
            leaf("late", n + 1).await
        };
        let y = match x {
            1 => return 100,
            k => k + leaf("m", 1).await,
        };
        y
    }
);
#[test]
fn t_return_in_value_position() {
    for n in 0..4 {
        agree!(return_in_value_position(n));
    }
}

both!(
    fn tail_match_with_returns(n: u32) -> String {
        let k = leaf("k", n).await;
        match k {
            0 => return String::from("zero"),
            1 => {
                let d = D("one");
                return format!("{}{}", see(&d), leaf("r", 1).await);
            }
            k if k > 10 => format!("big {}", leaf("big", k).await),
            k => {
                let f = |x: u32| -> String {
                    if x == 2 {
                        return String::from("two");
                    }
                    format!("{x}")
                };
                f(k)
            }
        }
    }
);
#[test]
fn t_tail_match_with_returns() {
    for n in [0, 2, 3, 11] {
        agree!(tail_match_with_returns(n));
    }
    // `d` is dead once `see(&d)` is evaluated: released at the await.
    agree!(tail_match_with_returns(1));
}

both!(
    fn unit_no_tail(n: u32) -> () {
        let d = D("d");
        leaf("a", n).await;
        if n > 1 {
            see(&d);
            return;
        }
        leaf("b", ()).await;
        log(format!("end {}", d.0));
    }
);
#[test]
fn t_unit_no_tail() {
    agree!(unit_no_tail(1));
    agree!(unit_no_tail(2));
}

both!(
    fn never_awaits(n: u32) -> u32 {
        let d = D("d");
        let mut s = 0;
        for i in 0..n {
            s += i;
        }
        if s > 3 {
            return s;
        }
        see(&d);
        s * 2
    }
);
#[test]
fn t_never_awaits() {
    agree!(never_awaits(2));
    agree!(never_awaits(5));
}

// Fixed, was F18: compile error (E0308): a body whose last statement diverges without being `return`/`break`/`continue` (`unreachable!();`, `panic!();`) in a non-unit fn.
both!(
    fn f18_diverging_last_statement(c: bool) -> u32 {
        let x = leaf("a", 1).await;
        if c {
            return x;
        }
        unreachable!();
    }
);
#[test]
fn f18() {
    agree!(f18_diverging_last_statement(true));
}

// ---------------------------------------------------------------------------
// `?`.

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
#[test]
fn try_operator() {
    agree!(question_mark(Ok(3)));
    agree!(question_mark(Err("bad".into())));
    assert_eq!(block_on(opt_sum(Some(1))), Some(2));
    assert_eq!(block_on(opt_sum(None)), None);
}

#[derive(Debug, PartialEq)]
struct MyErr(String);
impl From<std::num::ParseIntError> for MyErr {
    fn from(e: std::num::ParseIntError) -> Self {
        MyErr(e.to_string())
    }
}
impl From<String> for MyErr {
    fn from(e: String) -> Self {
        MyErr(e)
    }
}

both!(
    fn try_everywhere(v: Vec<&'static str>) -> Result<u32, MyErr> {
        let mut total = 0;
        for s in v {
            let n: u32 = match leaf("s", s).await {
                "skip" => continue,
                "bad" => Err(String::from("bad"))?,
                t => t.parse()?,
            };
            let parse_twice = |t: &str| -> Result<u32, std::num::ParseIntError> {
                let a: u32 = t.parse()?;
                Ok(a * 2)
            };
            total += parse_twice(s)? + leaf("n", n).await;
            if total > 1000 {
                return Err(MyErr(format!("too big {total}")));
            }
        }
        Ok(total)
    }
);
#[test]
fn t_try_everywhere() {
    agree!(try_everywhere(vec!["1", "skip", "2"]));
    agree!(try_everywhere(vec!["1", "bad", "2"]));
    agree!(try_everywhere(vec!["1", "x", "2"]));
    agree!(try_everywhere(vec!["600", "2"]));
}

#[derive(Debug, PartialEq)]
pub enum Ex {
    Parse(String),
    Neg(i64),
}
impl From<std::num::ParseIntError> for Ex {
    fn from(e: std::num::ParseIntError) -> Self {
        Ex::Parse(e.to_string())
    }
}

both!(
    fn try_result_with_live_values(inputs: Vec<&'static str>) -> Result<i64, Ex> {
        let total_guard = D("TG");
        let mut sum = 0i64;
        for s in inputs {
            let item = D("ITEM");
            let n: i64 = leaf("parse", s).await.parse()?;
            if n < 0 {
                see(&item);
                Err(Ex::Neg(leaf("neg", n).await))?;
            }
            sum += leaf("add", n).await;
            see(&item);
        }
        see(&total_guard);
        Ok(leaf("sum", sum).await)
    }
);
#[test]
fn t_try_result_with_live_values() {
    agree!(try_result_with_live_values(vec!["1", "2"]));
    agree!(try_result_with_live_values(vec!["1", "x", "2"]));
    agree!(try_result_with_live_values(vec!["1", "-3", "2"]));
}

both!(
    fn option_try(a: Option<u32>, b: Option<&'static str>) -> Option<usize> {
        let x = leaf("a", a).await?;
        let s = b?;
        let f = |v: Option<u32>| v.map(|v| v + 1);
        let y = f(leaf("f", Some(x)).await)?;
        Some(s.len() + y as usize + leaf("c", s.chars().next()).await? as usize)
    }
);
#[test]
fn t_option_try() {
    agree!(option_try(Some(1), Some("ab")));
    agree!(option_try(None, Some("ab")));
    agree!(option_try(Some(1), None));
    agree!(option_try(Some(1), Some("")));
}

both!(
    fn try_option_in_loops(v: Vec<Option<u32>>) -> Option<u32> {
        let keep = D("KEEP");
        let mut acc = 0;
        for (i, o) in v.into_iter().enumerate() {
            let _g = D("LOOPG");
            let x = leaf("o", o).await?;
            let y = {
                let z = leaf("chk", x.checked_sub(i as u32)).await?;
                z + 1
            };
            acc += y;
        }
        see(&keep);
        Some(acc + leaf("end", 0).await)
    }
);
#[test]
fn t_try_option_in_loops() {
    agree!(try_option_in_loops(vec![Some(5), Some(3)]));
    agree!(try_option_in_loops(vec![Some(1), None, Some(2)]));
    agree!(try_option_in_loops(vec![Some(0), Some(0)]));
}

both!(
    fn try_in_expression_positions(a: Result<u32, String>, b: Option<u32>) -> Result<u32, String> {
        let d = D("TRYD");
        let x = leaf("a", a.clone()).await? + leaf("a2", a).await? * 2;
        let y = leaf("b", b).await.ok_or_else(|| String::from("none"))?;
        let z = [leaf("c", Ok::<u32, String>(1)).await?, y][effect("idx", 1)];
        see(&d);
        Ok(x + z)
    }
);
#[test]
fn t_try_in_expression_positions() {
    agree!(try_in_expression_positions(Ok(1), Some(2)));
    agree!(try_in_expression_positions(Err("e".into()), Some(2)));
    agree!(try_in_expression_positions(Ok(1), None));
}

both!(
    fn try_option_chain(a: Option<u32>, b: Option<u32>) -> Option<u32> {
        let d = D("OPTD");
        let r = leaf("a", a).await?.checked_add(leaf("b", b).await?)?;
        let s = see(&d).len() as u32;
        Some(r + s + leaf("c", Some(1)).await?)
    }
);
#[test]
fn t_try_option_chain() {
    agree!(try_option_chain(Some(1), Some(2)));
    agree!(try_option_chain(None, Some(1)));
    agree!(try_option_chain(Some(1), None));
    agree!(try_option_chain(Some(u32::MAX), Some(1)));
}

both!(
    fn try_inside_labeled_block_and_match(v: Vec<Result<u32, String>>) -> Result<Vec<u32>, String> {
        let _g = D("TRYG");
        let mut out = vec![];
        'items: for r in v {
            let x = 'b: {
                let d = D("TRYB");
                match leaf("r", r.clone()).await {
                    Ok(0) => break 'b 0,
                    Ok(n) => {
                        see(&d);
                        leaf("ok", n).await
                    }
                    Err(e) if e.is_empty() => continue 'items,
                    Err(_) => r?,
                }
            };
            out.push(x);
        }
        Ok(out)
    }
);
#[test]
fn t_try_inside_labeled_block_and_match() {
    agree!(try_inside_labeled_block_and_match(vec![
        Ok(0),
        Ok(4),
        Err(String::new()),
        Ok(1)
    ]));
    agree!(try_inside_labeled_block_and_match(vec![
        Ok(2),
        Err("bad".into()),
        Ok(3)
    ]));
}

both!(
    fn try_in_nested_closure_and_async_block(s: &'static str) -> Result<u32, MyErr> {
        let parse = |t: &str| -> Option<u32> { t.parse().ok() };
        let inner = async move {
            let v: u32 = s.parse()?;
            Ok::<u32, std::num::ParseIntError>(v + 1)
        };
        let a = inner.await?;
        let b = parse(s).unwrap_or(0);
        Ok(a + b + leaf("x", 1).await)
    }
);
#[test]
fn t_try_in_nested_closure_and_async_block() {
    agree!(try_in_nested_closure_and_async_block("5"));
    agree!(try_in_nested_closure_and_async_block("z"));
}

both!(
    fn closures_with_returns_and_try(v: Vec<u32>) -> Option<u32> {
        let f = |x: u32| {
            if x > 2 {
                return x * 10;
            }
            x
        };
        let g = |x: u32| -> Option<u32> { Some(x.checked_sub(1)? + 1) };
        let mut acc = 0;
        for x in v {
            acc += f(leaf("x", x).await);
            acc += g(x)?;
        }
        let h = move || acc;
        Some(h() + leaf("h", 0).await)
    }
);
#[test]
fn t_closures_with_returns_and_try() {
    agree!(closures_with_returns_and_try(vec![1, 3]));
    agree!(closures_with_returns_and_try(vec![1, 0, 3]));
}

both!(
    fn result_box_dyn_error(s: &'static str) -> Result<u32, Box<dyn std::error::Error>> {
        let n: u32 = leaf("s", s).await.parse()?;
        if n == 0 {
            return Err("zero".into());
        }
        let m: u32 = leaf("t", "2").await.parse::<u32>()?;
        Ok(n * m)
    }
);
#[test]
fn t_result_box_dyn_error() {
    for s in ["3", "0", "x"] {
        let a = block_on(result_box_dyn_error::ours(s)).map_err(|e| e.to_string());
        let la = take_log();
        let b = block_on(result_box_dyn_error::oracle(s)).map_err(|e| e.to_string());
        let lb = take_log();
        assert_eq!((a, la), (b, lb));
    }
}

both!(
    fn exits_in_let_initializers(v: Vec<Option<u32>>) -> Result<u32, String> {
        let mut total = 0;
        let mut i = 0;
        loop {
            let item = match v.get(i) {
                None => break,
                Some(x) => *x,
            };
            i += 1;
            let x = match item {
                Some(0) => return Err(format!("zero at {i}")),
                Some(x) => x,
                None => continue,
            };
            let y: u32 = if x > 100 {
                Err(String::from("big"))?
            } else {
                x
            };
            total += leaf("y", y).await;
        }
        Ok(total)
    }
);
#[test]
fn t_exits_in_let_initializers() {
    agree!(exits_in_let_initializers(vec![Some(1), None, Some(2)]));
    agree!(exits_in_let_initializers(vec![Some(1), Some(0), Some(2)]));
    agree!(exits_in_let_initializers(vec![Some(1), Some(200)]));
}

// ---------------------------------------------------------------------------
// Panics.

#[asyncio::coroutine]
fn panics(flag: bool) -> u32 {
    leaf("before", 1).await;
    if flag {
        panic!("boom");
    }
    2
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

// Was known failure F27: `?` (and an await) inside `vec![value; count]`,
// macro arguments that are not a comma-separated list.
both!(
    fn try_and_await_in_repeat_macro(r: Option<u32>) -> Option<Vec<u32>> {
        leaf("a", ()).await;
        let v = vec![r?; 2];
        let w = vec![leaf("w", 3u32).await; r? as usize];
        Some([v, w].concat())
    }
);
#[test]
fn t_try_and_await_in_repeat_macro() {
    agree!(try_and_await_in_repeat_macro(Some(1)));
    agree!(try_and_await_in_repeat_macro(None));
}
