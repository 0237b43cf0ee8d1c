//! Branches with awaits in their conditions, scrutinees and arms: `if` and
//! `else if` chains, `if let` and let chains, `let`-`else`, `match` with
//! guards, bindings and nested patterns, and `&&`/`||` short-circuit.
//!
//! Each body is compiled twice (as a `#[coroutine] fn` and as an `async fn`),
//! run on a trivial executor and checked with `agree!` (results, effect logs,
//! drop timing; and the same after dropping it at every suspension).

// Test bodies are deliberately unidiomatic (closures called in place,
// `x = x + ..`, ...): clippy's style lints do not apply to them.
#![allow(clippy::all)]

use crate::common::*;

// ---------------------------------------------------------------------------
// `&&` and `||`.

both!(
    fn short_circuit(a: bool, b: bool) -> (bool, bool) {
        let x = effect("left", a) && leaf("and", b).await;
        let y = effect("left2", a) || leaf("or", b).await;
        (x, y)
    }
);
#[test]
fn and_or_short_circuit() {
    for a in [false, true] {
        for b in [false, true] {
            agree!(short_circuit(a, b));
        }
    }
}

both!(
    fn short_circuit_nested(a: bool, b: bool, c: bool) -> (bool, bool, u32) {
        let x = (effect("a", a) && leaf("b", b).await) || (leaf("c", c).await && !effect("a2", a));
        let y = !(leaf("na", a).await || effect("b", b)) && leaf("nc", c).await;
        let mut n = 0;
        if leaf("i1", a).await || (b && leaf("i2", c).await) {
            n += 1;
        }
        while n < 3 && leaf("w", c || n == 1).await {
            n += 1;
        }
        (x, y, n)
    }
);
#[test]
fn t_short_circuit_nested() {
    for a in [false, true] {
        for b in [false, true] {
            for c in [false, true] {
                agree!(short_circuit_nested(a, b, c));
            }
        }
    }
}

both!(
    fn short_circuit_as_arguments(a: bool, b: bool) -> (bool, bool, u32) {
        let pick = |x: bool, y: bool| (x, y);
        let (p, q) = pick(
            effect("a", a) && leaf("and1", b).await && leaf("and2", true).await,
            leaf("or1", b).await || (effect("mid", a) && leaf("or2", a).await),
        );
        let n = if (leaf("c1", a).await || leaf("c2", b).await) && !(leaf("c3", a).await && b) {
            1
        } else {
            2
        };
        (p, q, n)
    }
);
#[test]
fn t_short_circuit_as_arguments() {
    for a in [false, true] {
        for b in [false, true] {
            agree!(short_circuit_as_arguments(a, b));
        }
    }
}

// ---------------------------------------------------------------------------
// `if`, `else if`, `if let` and let chains.

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
#[test]
fn if_else() {
    for n in 0..4 {
        agree!(if_else_chain(n));
    }
}

both!(
    fn else_if_chain_all_awaits(n: u32) -> String {
        if leaf("is0", n == 0).await {
            leaf("zero", "zero".to_string()).await
        } else if leaf("is1", n == 1).await {
            format!("one{}", leaf("one", 1).await)
        } else if effect("is2", n == 2) {
            String::from("two")
        } else if leaf("big", n > 10).await {
            let d = D("BIGD");
            let s = leaf("bigv", n).await;
            format!("{s}{}", see(&d))
        } else {
            effect("else", "other").to_string()
        }
    }
);
#[test]
fn t_else_if_chain_all_awaits() {
    for n in [0, 1, 2, 3, 11] {
        agree!(else_if_chain_all_awaits(n));
    }
}

// Fixed, was F20: compile error (E0308): an `if`/`match` with an await in value position does not get the `let`'s expected type, so branches need the same type before unsizing.
both!(
    fn f20_unsize_in_branches(c: bool) -> String {
        let x: Box<dyn std::fmt::Display> = if c {
            Box::new(1)
        } else {
            Box::new(leaf("s", "s").await)
        };
        x.to_string()
    }
);
#[test]
fn f20() {
    agree!(f20_unsize_in_branches(true));
    agree!(f20_unsize_in_branches(false));
}

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
#[test]
fn if_let_let_else() {
    agree!(if_let_and_let_else(Some(4)));
    agree!(if_let_and_let_else(None));
}

both!(
    fn if_let_else_if_let_chain(a: Option<u32>, b: Result<u32, &'static str>) -> u32 {
        let first = if let Some(x) = leaf("a", a).await {
            x + leaf("ax", 1).await
        } else if let Ok(y) = leaf("b", b).await {
            y * leaf("by", 2).await
        } else if let Err(e) = b {
            e.len() as u32 + leaf("be", 100).await
        } else {
            unreachable!()
        };
        let d = D("HELD");
        let second = if let (Some(x), Ok(y)) = (a, leaf("pair", b).await) {
            see(&d);
            x + y
        } else {
            leaf("none", 0).await
        };
        first * 1000 + second
    }
);
#[test]
fn t_if_let_else_if_let_chain() {
    agree!(if_let_else_if_let_chain(Some(1), Ok(2)));
    agree!(if_let_else_if_let_chain(None, Ok(3)));
    agree!(if_let_else_if_let_chain(None, Err("bad")));
    agree!(if_let_else_if_let_chain(Some(4), Err("x")));
}

both!(
    fn if_let_else_if_let_chain_tail(a: Option<u32>, b: Result<u32, String>) -> u32 {
        if let Some(x) = leaf("a", a).await {
            x + leaf("ax", 1).await
        } else if let Ok(y) = leaf("b", b.clone()).await {
            let z = leaf("by", y).await;
            z * 2
        } else if let Err(e) = b {
            e.len() as u32 + leaf("e", 100).await
        } else {
            0
        }
    }
);
#[test]
fn t_if_let_else_if_let_chain_tail() {
    agree!(if_let_else_if_let_chain_tail(Some(1), Ok(2)));
    agree!(if_let_else_if_let_chain_tail(None, Ok(2)));
    agree!(if_let_else_if_let_chain_tail(None, Err("xyz".into())));
}

both!(
    fn let_chain_in_if(a: Option<u32>) -> u32 {
        let lim = leaf("lim", 3).await;
        if let Some(x) = a
            && x > lim
        {
            leaf("hit", x).await
        } else {
            leaf("miss", 0).await
        }
    }
);
#[test]
fn t_let_chain_in_if() {
    agree!(let_chain_in_if(Some(5)));
    agree!(let_chain_in_if(Some(1)));
    agree!(let_chain_in_if(None));
}

both!(
    fn let_chains(a: Option<u32>, b: Option<u32>) -> u32 {
        if let Some(x) = a
            && let Some(y) = b
            && x < y
        {
            leaf("xy", x + y).await
        } else {
            leaf("no", 0).await
        }
    }
);
#[test]
fn t_let_chains() {
    agree!(let_chains(Some(1), Some(2)));
    agree!(let_chains(Some(3), Some(2)));
    agree!(let_chains(None, Some(2)));
}

both!(
    fn block_conditions(n: u32) -> u32 {
        let mut r = 0;
        if {
            let t = leaf("c1", n).await;
            t > 2
        } {
            r += 1;
        }
        while {
            let d = D("WCOND");
            let t = leaf("wc", r).await;
            see(&d);
            t < 4
        } {
            r += 1;
        }
        match {
            let x = leaf("m", n).await;
            x % 2
        } {
            0 => r += 10,
            _ => r += leaf("odd", 20).await,
        }
        r
    }
);
#[test]
fn t_block_conditions() {
    agree!(block_conditions(3));
    agree!(block_conditions(2));
}

// ---------------------------------------------------------------------------
// `let`-`else`.

both!(
    fn let_else_await_in_else(a: Option<u32>, b: Option<u32>) -> u32 {
        let d = D("d");
        let Some(x) = a else {
            let v = leaf("else1", 10).await;
            log(format!("else {}", d.0));
            return v;
        };
        let Some(y) = leaf("b", b).await else {
            let w = leaf("else2", x).await;
            return w + 1000;
        };
        see(&d);
        x + y
    }
);
#[test]
fn t_let_else_await_in_else() {
    agree!(let_else_await_in_else(None, None));
    // `d` is dead on this path after the await on `b`: released early.
    agree!(let_else_await_in_else(Some(1), None));
    agree!(let_else_await_in_else(Some(1), Some(2)));
}

both!(
    fn let_else_returns_with_live_values(v: Vec<u32>) -> Result<u32, String> {
        let outer = D("OUTER");
        let Some(first) = leaf("first", v.first().copied()).await else {
            let why = D("WHY");
            see(&why);
            return Err(leaf("err", String::from("empty")).await);
        };
        let inner = D("INNER");
        let Ok(n) = leaf("parse", format!("{first}")).await.parse::<u32>() else {
            return Err("parse".into());
        };
        let Some(half) = (n % 2 == 0).then_some(n / 2) else {
            see(&inner);
            leaf("odd", ()).await;
            return Err(format!("odd {n}"));
        };
        see(&inner);
        leaf("tail", ()).await;
        see(&outer);
        Ok(half + first)
    }
);
#[test]
fn t_let_else_returns_with_live_values() {
    agree!(let_else_returns_with_live_values(vec![]));
    agree!(let_else_returns_with_live_values(vec![3]));
    agree!(let_else_returns_with_live_values(vec![4, 1]));
}

both!(
    fn let_else_in_loop(v: Vec<Option<u32>>) -> u32 {
        let mut sum = 0;
        for item in v {
            let Some(x) = item else {
                leaf("skip", ()).await;
                continue;
            };
            let Some(y) = leaf("chk", x.checked_sub(1)).await else {
                break;
            };
            sum += y;
        }
        sum
    }
);
#[test]
fn t_let_else_in_loop() {
    agree!(let_else_in_loop(vec![
        Some(3),
        None,
        Some(5),
        Some(0),
        Some(9)
    ]));
}

both!(
    fn let_else_continue_with_guards(v: Vec<&'static str>) -> (u32, Vec<&'static str>) {
        let mut sum = 0;
        let mut bad = vec![];
        for s in v {
            let _g = D("LEG");
            let Ok(n) = leaf("p", s).await.parse::<u32>() else {
                bad.push(s);
                leaf("bad", ()).await;
                continue;
            };
            let Some(h) = leaf("half", (n % 2 == 0).then_some(n / 2)).await else {
                sum += 1000;
                continue;
            };
            sum += h;
        }
        (sum, bad)
    }
);
#[test]
fn t_let_else_continue_with_guards() {
    agree!(let_else_continue_with_guards(vec!["4", "x", "3", "10"]));
}

both!(
    fn let_else_break_labeled(v: Vec<Option<u32>>) -> u32 {
        let r = 'found: {
            for x in v {
                let Some(y) = x else {
                    break 'found leaf("none", 999).await;
                };
                if leaf("y", y).await > 3 {
                    break 'found y;
                }
            }
            0
        };
        r
    }
);
#[test]
fn t_let_else_break_labeled() {
    agree!(let_else_break_labeled(vec![Some(1), Some(5)]));
    agree!(let_else_break_labeled(vec![Some(1), None]));
    agree!(let_else_break_labeled(vec![Some(1)]));
}

// ---------------------------------------------------------------------------
// `match`: guards, bindings, nested and enum patterns.

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
#[test]
fn match_with_awaits() {
    for n in 0..4 {
        agree!(match_arms(n));
    }
}

both!(
    fn match_guards_use_bindings(n: u32, limit: u32) -> String {
        let base = effect("base", 100);
        match leaf("s", (n, n % 3)).await {
            (0, _) => "zero".into(),
            (k, r) if k > limit && r == effect("r", 1) => {
                format!("big {} {}", k, leaf("big", base).await)
            }
            (k, 0 | 2) if k + base > effect("g", 102) => {
                let w = leaf("w", k).await;
                format!("mid {w} {base}")
            }
            (k @ 1..=3, r) => format!("small {k} {r}"),
            (k, r) => format!("other {} {}", k, r + leaf("o", 0).await),
        }
    }
);
#[test]
fn t_match_guards_use_bindings() {
    for n in 0..10 {
        agree!(match_guards_use_bindings(n, 6));
    }
}

#[derive(Debug, Clone, PartialEq)]
enum E {
    A(u32),
    B { x: u32, y: String },
    C,
}

both!(
    fn match_enum_struct_patterns(e: E) -> String {
        let x = effect("outer x", 1000);
        let out = match leaf("e", e).await {
            E::A(v) | E::B { x: v, .. } if v > 5 => {
                let r = leaf("av", v).await;
                format!("a/b {r}")
            }
            E::A(v) => format!("a {v}"),
            E::B { x, y } => {
                let z = leaf("bx", x).await;
                format!("b {x} {y} {z}")
            }
            E::C => String::from("c"),
        };
        format!("{out} {x}")
    }
);
#[test]
fn t_match_enum_struct_patterns() {
    agree!(match_enum_struct_patterns(E::A(3)));
    agree!(match_enum_struct_patterns(E::A(8)));
    agree!(match_enum_struct_patterns(E::B {
        x: 2,
        y: "y".into()
    }));
    agree!(match_enum_struct_patterns(E::B {
        x: 9,
        y: "y".into()
    }));
    agree!(match_enum_struct_patterns(E::C));
}

both!(
    fn match_bindings_guards_nested(v: Vec<(u32, Option<&'static str>)>) -> Vec<String> {
        let mut out = Vec::new();
        for item in v {
            let s = match leaf("item", item).await {
                (0, None) => leaf("zero", "z".to_string()).await,
                (n @ 1..=3, Some(tag)) if tag.len() > n as usize => {
                    let extra = leaf("extra", n * 10).await;
                    format!("{tag}{extra}")
                }
                (n, Some(tag)) => match leaf("inner", n % 2).await {
                    0 if tag.starts_with('e') => format!("even-e {n}"),
                    0 => format!("even {}", leaf("ev", n).await),
                    r => {
                        let t = leaf("odd", tag).await;
                        format!("{t}{r}")
                    }
                },
                (n, None) if effect("guard", n > 5) => format!("big {n}"),
                (n, None) => {
                    let d = D("ARM");
                    leaf("plain", ()).await;
                    format!("{n}{}", see(&d))
                }
            };
            out.push(s);
        }
        out
    }
);
#[test]
fn t_match_bindings_guards_nested() {
    agree!(match_bindings_guards_nested(vec![
        (0, None),
        (2, Some("abc")),
        (2, Some("a")),
        (4, Some("ex")),
        (4, Some("x")),
        (5, Some("y")),
        (7, None),
        (3, None),
    ]));
}

both!(
    fn match_binds_owned_values(v: Vec<Option<D>>) -> Vec<&'static str> {
        let mut out = vec![];
        for item in v {
            match item {
                Some(d) if see(&d) == "P1" => {
                    leaf("p1", ()).await;
                    out.push(see(&d));
                }
                Some(d) => {
                    let moved = d;
                    leaf("other", ()).await;
                    out.push(see(&moved));
                }
                None => out.push(leaf("none", "none").await),
            }
        }
        out
    }
);
#[test]
fn t_match_binds_owned_values() {
    agree!(match_binds_owned_values(vec![
        Some(D("P1")),
        None,
        Some(D("P2"))
    ]));
}

both!(
    fn match_on_tuple_of_awaits(a: u32) -> &'static str {
        match (
            leaf("a", a).await,
            effect("b", a % 2),
            leaf("c", a > 2).await,
        ) {
            (0, _, _) => "zero",
            (_, 0, true) => "even big",
            (_, _, true) => "odd big",
            _ => "small",
        }
    }
);
#[test]
fn t_match_on_tuple_of_awaits() {
    for a in 0..5 {
        agree!(match_on_tuple_of_awaits(a));
    }
}

both!(
    fn nested_option_result_matching(v: Vec<Result<Option<u32>, String>>) -> Vec<String> {
        let mut out = vec![];
        for r in v {
            let s = match leaf("r", r).await {
                Ok(Some(n)) if n % 2 == 0 => format!("even {}", leaf("e", n).await),
                Ok(Some(n)) => {
                    let m = if n > 5 { leaf("big", n * 2).await } else { n };
                    format!("odd {m}")
                }
                Ok(None) => continue,
                Err(e) if e.is_empty() => break,
                Err(e) => e,
            };
            out.push(s);
        }
        out
    }
);
#[test]
fn t_nested_option_result_matching() {
    agree!(nested_option_result_matching(vec![
        Ok(Some(2)),
        Ok(Some(7)),
        Ok(None),
        Ok(Some(3)),
        Err("err".into()),
        Err(String::new()),
        Ok(Some(4)),
    ]));
}

#[derive(Debug)]
enum St {
    Idle,
    Run(u32),
    Done(String),
}

both!(
    fn big_match_in_loop_with_state(steps: Vec<u8>) -> (u32, Vec<String>) {
        let mut st = St::Idle;
        let mut log_ = vec![];
        for s in steps {
            st = match (st, s) {
                (St::Idle, 0) => St::Run(leaf("start", 1).await),
                (St::Run(n), 1) => St::Run(n + leaf("inc", 1).await),
                (St::Run(n), 2) => St::Done(format!("done {}", leaf("fin", n).await)),
                (other, _) => {
                    log_.push(format!("{other:?}"));
                    other
                }
            };
        }
        let n = match &st {
            St::Run(n) => *n,
            St::Done(s) => s.len() as u32,
            St::Idle => 0,
        };
        (n, log_)
    }
);
#[test]
fn t_big_match_in_loop_with_state() {
    agree!(big_match_in_loop_with_state(vec![0, 1, 1, 5, 2, 1]));
}
