//! More bodies for the coroutine compiler, each compiled twice (as a
//! `#[coroutine] fn` and as an `async fn`) and checked with `agree!`: awaits
//! in every expression position, every control form and their nesting,
//! early exits with live values, shadowing, format captures, generics,
//! methods, coroutines awaiting coroutines, boxed recursion, moves, guards,
//! deep nesting and long await sequences. Bodies the compiler gets wrong are
//! kept, reduced, under `FAILING` at the end of the file.

// Test bodies are deliberately unidiomatic: clippy's style lints do not
// apply to them.
#![allow(clippy::all)]

use crate::common::*;
use std::pin::Pin;

// ---------------------------------------------------------------------------
// Awaits in expression positions.

both!(
    fn receiver_chain_before_awaited_arg() -> (u32, String) {
        let a = leaf("a", Some(1u32))
            .await
            .map(|x| effect("map", x + 1))
            .unwrap_or(leaf("b", 0).await);
        let s = effect("base", String::from("x")).repeat(leaf("n", 3usize).await);
        let t = leaf("s", String::from("ab"))
            .await
            .replace(effect("from", "a"), &leaf("to", String::from("zz")).await);
        (a, format!("{s}{t}"))
    }
);
#[test]
fn t_receiver_chain_before_awaited_arg() {
    agree!(receiver_chain_before_awaited_arg());
}

both!(
    fn binary_operators_mixed(a: u32, b: u32) -> (u32, bool, u32, i32) {
        let x = leaf("a", a).await * effect("two", 2) + leaf("b", b).await % 3
            - (leaf("c", 1).await << 1);
        let cmp = !(leaf("l", a).await < effect("r", b)) ^ (leaf("e", a).await >= b);
        let bits = leaf("and", a).await & 0b110 | (effect("or", b) ^ leaf("xor", 5).await);
        let signed = -(leaf("neg", a as i32).await) * (leaf("sub", 3i32).await - effect("ten", 10));
        (x, cmp, bits, signed)
    }
);
#[test]
fn t_binary_operators_mixed() {
    agree!(binary_operators_mixed(3, 4));
    agree!(binary_operators_mixed(1, 0));
    agree!(binary_operators_mixed(5, 5));
}

both!(
    fn deref_not_neg_on_awaited() -> (u32, bool, i64, u32) {
        let boxed = *leaf("box", Box::new(7u32)).await;
        let not = !leaf("flag", false).await && !!effect("t", true);
        let neg = -(-leaf("n", 4i64).await);
        let r = *&leaf("r", 5u32).await + *leaf("rb", Box::new(1u32)).await;
        (boxed, not, neg, r)
    }
);
#[test]
fn t_deref_not_neg_on_awaited() {
    agree!(deref_not_neg_on_awaited());
}

#[derive(Debug, PartialEq)]
pub struct Pt {
    x: i32,
    y: i32,
}
#[derive(Debug, PartialEq)]
pub struct Wrap(Pt, [u8; 3], (String, Option<u32>));

both!(
    fn nested_struct_tuple_array_literals() -> Wrap {
        Wrap(
            Pt {
                y: leaf("y", 2).await,
                x: effect("x", 1),
            },
            [effect("b0", 0), leaf("b1", 1).await, leaf("b2", 2).await],
            (
                leaf("str", String::from("s")).await + "!",
                Some(leaf("opt", 9).await),
            ),
        )
    }
);
#[test]
fn t_nested_struct_tuple_array_literals() {
    agree!(nested_struct_tuple_array_literals());
}

both!(
    fn index_positions() -> (u32, u32, Vec<u32>, char, u32) {
        let grid = vec![vec![1u32, 2, 3], vec![4, 5, 6]];
        let r = leaf("r", 1usize).await;
        let a = grid[r][leaf("c", 2usize).await];
        let b = leaf("v", vec![10u32, 20, 30]).await[effect("i", 1)];
        let slice = leaf("w", vec![1u32, 2, 3, 4, 5]).await
            [leaf("lo", 1usize).await..leaf("hi", 4usize).await]
            .to_vec();
        let ch = leaf("s", "hello")
            .await
            .chars()
            .nth(leaf("k", 1).await)
            .unwrap();
        let arr = [7u32, 8, 9];
        let cast =
            arr[leaf("u", 2u8).await as usize] + [1u32, 2][(leaf("t", 3i32).await - 2) as usize];
        (a, b, slice, ch, cast)
    }
);
#[test]
fn t_index_positions() {
    agree!(index_positions());
}

both!(
    fn cast_chains(a: i32) -> (u8, char, u64, f32, i8, bool) {
        let x = leaf("x", a).await as u8;
        let c = (leaf("c", 97u8).await + effect("off", 1)) as char;
        let y = leaf("f", 2.75f64).await as f32 as u64;
        let z = (leaf("z", 3u16).await as f32) / 2.0;
        let w = -(leaf("w", 200u8).await as i8);
        let cmp = (leaf("l", -1i32).await as u32) > effect("r", 5u8) as u32;
        (x, c, y, z, w, cmp)
    }
);
#[test]
fn t_cast_chains() {
    agree!(cast_chains(300));
    agree!(cast_chains(-1));
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

both!(
    fn range_bounds(n: u32) -> (Vec<u32>, bool, Vec<u32>, u32) {
        let mut v = Vec::new();
        for i in leaf("lo", 1).await..leaf("hi", n).await {
            v.push(i * leaf("m", 10).await);
        }
        let inside = std::ops::RangeInclusive::new(effect("a", 2), leaf("b", 5).await)
            .contains(&leaf("probe", n).await);
        let rev: Vec<u32> = (0..leaf("to", 3u32).await).rev().collect();
        let s: u32 = v[leaf("from", 1usize).await..].iter().sum();
        (v, inside, rev, s)
    }
);
#[test]
fn t_range_bounds() {
    agree!(range_bounds(4));
    agree!(range_bounds(7));
}

both!(
    fn closures_with_awaited_args(k: u32) -> (u32, u32, String, u32) {
        let add = move |a: u32, b: u32| a + b + k;
        let twice = |f: fn(u32) -> u32, x: u32| f(f(x));
        let r = add(
            add(leaf("x", 1).await, effect("one", 1)),
            leaf("y", 2).await,
        );
        let t = twice(|v| v * 2, leaf("z", 3).await);
        let mk = |p: &'static str| move |s: String| format!("{p}{s}");
        let g = mk(leaf("p", "pre-").await);
        let s = g(leaf("s", String::from("body")).await);
        let called = leaf("mkf", |x: u32| x + 100).await(leaf("arg", 2).await);
        (r, t, s, called)
    }
);
#[test]
fn t_closures_with_awaited_args() {
    agree!(closures_with_awaited_args(5));
}

both!(
    fn inline_format_args(a: u32) -> Vec<String> {
        let x = leaf("x", a).await;
        let name = leaf("name", String::from("bob")).await;
        let w = effect("w", 7);
        let p = leaf("p", 2usize).await;
        let f = leaf("f", 3.14159f64).await;
        let v = vec![x, leaf("v", 2).await];
        vec![
            format!("{x}"),
            format!("{x:?}|{name:?}"),
            format!("[{x:>w$}]"),
            format!("[{name:<w$}]"),
            format!("[{name:^w$}]"),
            format!("{f:.p$}"),
            format!("{f:>w$.p$}"),
            format!("{x:08b}"),
            format!("{v:?} {v:#?}"),
            format!("{x:#x} {}", leaf("pos", 5).await),
            format!("{0}-{x}-{0}", leaf("z", "zz").await),
        ]
    }
);
#[test]
fn t_inline_format_args() {
    agree!(inline_format_args(42));
}

both!(
    fn format_args_of_shadowed_in_loop(n: u32) -> String {
        let mut out = String::new();
        let x = effect("outer", 100);
        for i in 0..n {
            let x = leaf("inner", i).await;
            let w = (i + 2) as usize;
            out.push_str(&format!("[{x:>w$}]"));
            {
                let x = x * 10;
                let y = leaf("y", x).await;
                out += &format!("{x:?}/{y}");
            }
            out.push_str(&format!("<{x}>"));
        }
        format!("{out}|{x}")
    }
);
#[test]
fn t_format_args_of_shadowed_in_loop() {
    agree!(format_args_of_shadowed_in_loop(3));
}

#[derive(Debug, PartialEq)]
pub enum Shape {
    Circle { r: u32 },
    Rect(u32, u32),
    Empty,
}

both!(
    fn enum_constructors_with_awaits(k: u32) -> Vec<Shape> {
        let mut v = vec![Shape::Circle {
            r: leaf("r", k).await,
        }];
        v.push(Shape::Rect(effect("w", 2), leaf("h", 3).await));
        v.push(if leaf("e", k > 3).await {
            Shape::Empty
        } else {
            Shape::Rect(leaf("sq", k).await, k)
        });
        let wrapped: Result<Option<Shape>, ()> = Ok(Some(Shape::Circle {
            r: leaf("or", 1).await,
        }));
        if let Ok(Some(s)) = wrapped {
            v.push(s);
        }
        v
    }
);
#[test]
fn t_enum_constructors_with_awaits() {
    agree!(enum_constructors_with_awaits(2));
    agree!(enum_constructors_with_awaits(5));
}

both!(
    fn assignment_operand_order() -> (Vec<u32>, u32, String) {
        let mut v = vec![0u32; 4];
        v[leaf("i", 1usize).await] = leaf("val", 5).await;
        v[effect("j", 2)] += leaf("inc", 3).await;
        v[leaf("k", 3usize).await] += leaf("add", 7).await;
        let mut s = String::from("a");
        s += &leaf("sfx", String::from("b")).await;
        let mut t = (1u32, 2u32);
        t.1 = t.0 + leaf("t", 10).await;
        (v, t.1, s)
    }
);
#[test]
fn t_assignment_operand_order() {
    agree!(assignment_operand_order());
}

both!(
    fn control_flow_as_operands(c: bool, n: u32) -> u32 {
        let a = effect("lhs", 1)
            + if c {
                leaf("t", 10).await
            } else {
                effect("f", 20)
            };
        let b = match n {
            0 => 1,
            k => leaf("k", k).await,
        } * (loop {
            break leaf("lv", 2).await;
        });
        let c2 = {
            let x = leaf("blk", 3).await;
            x + 1
        } - 'l: {
            if c {
                break 'l leaf("lb", 1).await;
            }
            2
        };
        a + b + c2
    }
);
#[test]
fn t_control_flow_as_operands() {
    for c in [false, true] {
        agree!(control_flow_as_operands(c, 0));
        agree!(control_flow_as_operands(c, 3));
    }
}

both!(
    fn destructuring_awaited(n: u32) -> (u32, u32, i32, String, u32) {
        let (a, b): (u32, u32) = leaf("pair", (n, n + 1)).await;
        let [x, y, ..] = leaf("arr", [1u32, 2, 3, 4]).await;
        let Pt { x: px, y: py } = Pt {
            x: leaf("px", 3).await,
            y: 4,
        };
        let (s, (t, _)) = (
            leaf("s", String::from("s")).await,
            (effect("t", 5u32), D("UNBOUND")),
        );
        effect("after", 0);
        (a + b, x + y, px * py, s, t)
    }
);
#[test]
fn t_destructuring_awaited() {
    agree!(destructuring_awaited(1));
}

// ---------------------------------------------------------------------------
// Control forms.

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
    fn await_in_loop_conditions(n: u32) -> (u32, u32, Vec<u32>) {
        let mut i = 0;
        while leaf("w", i).await < n && effect("and", true) {
            i += 1;
        }
        let mut j = 0;
        while effect("pre", j < 10) && leaf("cond", j * j).await < n * n {
            j += leaf("inc", 2).await;
        }
        let mut stack = vec![1u32, 2, 3];
        let mut popped = vec![];
        while let Some(top) = leaf("pop", stack.pop()).await {
            if top == 2 {
                stack.push(leaf("push", 10).await);
            }
            popped.push(top);
        }
        while (leaf("cast", popped.len() as i64).await as u8) < 6 {
            popped.push(0);
        }
        (i, j, popped)
    }
);
#[test]
fn t_await_in_loop_conditions() {
    agree!(await_in_loop_conditions(3));
    agree!(await_in_loop_conditions(0));
}

both!(
    fn loop_break_on_awaited(n: u32) -> u32 {
        let mut acc = 0;
        loop {
            acc += 1;
            if leaf("stop", acc >= n).await {
                break;
            }
            if acc % 2 == 0 {
                continue;
            }
            acc += effect("odd", 0);
        }
        let r = loop {
            let v = leaf("probe", acc).await;
            if v > 2 {
                break v * 2;
            } else {
                acc += 1
            }
        };
        acc + r
    }
);
#[test]
fn t_loop_break_on_awaited() {
    agree!(loop_break_on_awaited(1));
    agree!(loop_break_on_awaited(4));
}

both!(
    fn labeled_break_values_nested(n: u32) -> (u32, u32, u32) {
        let a = 'outer: loop {
            let mut i = 0;
            loop {
                i += 1;
                let mut j = 0;
                while j < i {
                    j += leaf("j", 1).await;
                    if i * j >= n {
                        break 'outer leaf("found", i * 100 + j).await;
                    }
                }
                if i > 50 {
                    break 'outer 0;
                }
            }
        };
        let b = 'blk: {
            for k in 0..n {
                if leaf("k", k).await == 2 {
                    break 'blk k * 7;
                }
            }
            'inner: {
                if effect("inner", n) > 100 {
                    break 'inner;
                }
                break 'blk leaf("fallback", 1).await;
            }
            99
        };
        let mut rounds = 0;
        let c = 'a: loop {
            rounds += 1;
            'b: loop {
                for x in 0..5u32 {
                    match leaf("x", x + rounds).await {
                        v if v % 3 == 0 => continue,
                        4 => break 'b,
                        v if v > 5 => break 'a v,
                        _ => {}
                    }
                }
                break;
            }
        };
        (a, b, c)
    }
);
#[test]
fn t_labeled_break_values_nested() {
    agree!(labeled_break_values_nested(5));
    agree!(labeled_break_values_nested(2));
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

both!(
    fn for_over_awaited_iterators(n: u32) -> Vec<u32> {
        let mut out = vec![];
        for x in leaf("src", (0..n).collect::<Vec<u32>>())
            .await
            .into_iter()
            .filter(|x| x % 2 == 0)
        {
            out.push(leaf("x", x).await);
        }
        for (a, b) in leaf("za", vec![1u32, 2])
            .await
            .into_iter()
            .zip(leaf("zb", vec![10u32, 20]).await)
        {
            out.push(a + b + leaf("ab", 0).await);
        }
        for c in (effect("lo", 0)..leaf("hi", 2).await).rev() {
            out.push(c);
        }
        out
    }
);
#[test]
fn t_for_over_awaited_iterators() {
    agree!(for_over_awaited_iterators(5));
}

both!(
    fn while_let_pop_owned_values() -> Vec<&'static str> {
        let mut stack = vec![D("S1"), D("S2"), D("S3")];
        let mut seen = vec![];
        while let Some(d) = stack.pop() {
            let n = leaf("w", seen.len()).await;
            seen.push(see(&d));
            if n == 0 {
                stack.push(D("S4"));
            }
            if n == 2 {
                break;
            }
        }
        leaf("after", ()).await;
        seen
    }
);
#[test]
fn t_while_let_pop_owned_values() {
    agree!(while_let_pop_owned_values());
}

// ---------------------------------------------------------------------------
// Early return and `?` with live values.

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

// ---------------------------------------------------------------------------
// Shadowing.

both!(
    fn shadowing_nested_scopes(a: u32) -> Vec<u32> {
        let mut out = vec![];
        let x = a;
        {
            let x = leaf("s1", x + 1).await;
            out.push(x);
            {
                let x = leaf("s2", x * 2).await;
                out.push(x);
                let x = x + leaf("s3", 1).await;
                out.push(x);
                if x > 3 {
                    let x = effect("s4", x * 100);
                    out.push(leaf("s5", x).await);
                }
                out.push(x);
            }
            out.push(x);
            match leaf("m", x).await {
                x if x > 2 => out.push(x + 1000),
                x => {
                    let x = leaf("mx", x).await;
                    out.push(x)
                }
            }
        }
        let x = x + leaf("last", 0).await;
        out.push(x);
        out
    }
);
#[test]
fn t_shadowing_nested_scopes() {
    agree!(shadowing_nested_scopes(0));
    agree!(shadowing_nested_scopes(3));
}

both!(
    fn shadowed_drop_values_stay_alive() -> Vec<&'static str> {
        let mut seen = vec![];
        let d = D("D1");
        seen.push(see(&d));
        let d = D("D2");
        leaf("a", ()).await;
        seen.push(see(&d));
        {
            let d = D("D3");
            leaf("b", ()).await;
            seen.push(see(&d));
        }
        seen.push(see(&d));
        leaf("c", ()).await;
        seen
    }
);
#[test]
fn t_shadowed_drop_values_stay_alive() {
    agree!(shadowed_drop_values_stay_alive());
}

both!(
    fn shadowing_in_loop_and_arms(v: Vec<u32>) -> (u32, String) {
        let s = String::from("s");
        let n = v.len() as u32;
        let mut total = 0;
        for n in v {
            let s = format!("{s}{n}");
            let n = leaf("n", n * 2).await;
            total += match n {
                0 => 0,
                n if n > 4 => {
                    let n = leaf("big", n + 1).await;
                    n
                }
                n => n + s.len() as u32,
            };
        }
        let s = format!("{s}/{n}/{}", leaf("end", total).await);
        (total, s)
    }
);
#[test]
fn t_shadowing_in_loop_and_arms() {
    agree!(shadowing_in_loop_and_arms(vec![0, 1, 3]));
}

// ---------------------------------------------------------------------------
// Generics, `impl Trait` arguments.

both!(
    @generic fn impl_trait_closure_and_iter(
        f: impl Fn(u32) -> u32,
        it: impl IntoIterator<Item = u32>,
        label: impl Into<String>
    ) -> String {
        let mut s: String = label.into();
        for x in it {
            let y = f(leaf("x", x).await);
            s += &format!(",{y}");
        }
        s
    }
);
#[test]
fn t_impl_trait_closure_and_iter() {
    agree!(impl_trait_closure_and_iter(
        |x: u32| x * 3,
        vec![1, 2, 3],
        "l"
    ));
}

both!(
    @generic fn impl_trait_debug_and_future(
        d: impl std::fmt::Debug,
        fut: impl Future<Output = u32>,
        extra: impl AsRef<str>
    ) -> String {
        let before = leaf("before", 1).await;
        let v = fut.await;
        format!("{d:?} {v} {before} {}", extra.as_ref())
    }
);
#[test]
fn t_impl_trait_debug_and_future() {
    agree!(impl_trait_debug_and_future(
        (1, "x"),
        leaf("arg", 7u32),
        String::from("e")
    ));
}

mod generic_max {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours<T: PartialOrd + Clone + std::fmt::Debug + Unpin>(
        items: Vec<T>,
        floor: T,
    ) -> (T, String) {
        let mut best = floor;
        for it in items {
            let v = leaf("item", it).await;
            if v > best {
                best = v.clone();
            }
        }
        let s = format!("{best:?}");
        (leaf("best", best).await, s)
    }
    pub async fn oracle<T: PartialOrd + Clone + std::fmt::Debug + Unpin>(
        items: Vec<T>,
        floor: T,
    ) -> (T, String) {
        let mut best = floor;
        for it in items {
            let v = leaf("item", it).await;
            if v > best {
                best = v.clone();
            }
        }
        let s = format!("{best:?}");
        (leaf("best", best).await, s)
    }
}
#[test]
fn t_generic_max() {
    agree!(generic_max(vec![3, 9, 2], 4));
    agree!(generic_max(
        vec!["b".to_string(), "a".into()],
        String::new()
    ));
}

mod generic_where_sum {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours<I, T>(it: I, scale: T) -> (T, usize)
    where
        I: IntoIterator<Item = T>,
        T: Default + std::ops::AddAssign + std::ops::Mul<Output = T> + Copy + Unpin,
    {
        let mut acc = T::default();
        let mut count = 0;
        for x in it {
            acc += leaf("x", x).await * scale;
            count += 1;
        }
        (acc, count)
    }
    pub async fn oracle<I, T>(it: I, scale: T) -> (T, usize)
    where
        I: IntoIterator<Item = T>,
        T: Default + std::ops::AddAssign + std::ops::Mul<Output = T> + Copy + Unpin,
    {
        let mut acc = T::default();
        let mut count = 0;
        for x in it {
            acc += leaf("x", x).await * scale;
            count += 1;
        }
        (acc, count)
    }
}
#[test]
fn t_generic_where_sum() {
    agree!(generic_where_sum(vec![1u32, 2, 3], 2));
    agree!(generic_where_sum([1.5f64, 2.0], 2.0));
}

mod generic_drop_order {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours<A: AsRef<str>, B: Into<u32> + Copy>(a: A, b: B, guard: D) -> String {
        let n: u32 = b.into();
        let s = leaf("s", a.as_ref().to_string()).await;
        if n == 0 {
            return s;
        }
        let t = leaf("t", n).await;
        see(&guard);
        format!("{s}{t}")
    }
    pub async fn oracle<A: AsRef<str>, B: Into<u32> + Copy>(a: A, b: B, guard: D) -> String {
        let n: u32 = b.into();
        let s = leaf("s", a.as_ref().to_string()).await;
        if n == 0 {
            return s;
        }
        let t = leaf("t", n).await;
        see(&guard);
        format!("{s}{t}")
    }
}
#[test]
fn t_generic_drop_order() {
    agree!(generic_drop_order("a", 3u8, D("GENG")));
    agree!(generic_drop_order(String::from("b"), 0u16, D("GENG")));
}

// ---------------------------------------------------------------------------
// Methods.

macro_rules! both_impl {
    (struct { $($fields:tt)* } $(fn $name:ident($($args:tt)*) -> $ret:ty { $($body:tt)* })*) => {
        #[derive(Debug, Clone, PartialEq)]
        pub struct Ours { $($fields)* }
        #[derive(Debug, Clone, PartialEq)]
        pub struct Oracle { $($fields)* }
        impl Ours {
            $(
                #[asyncio::coroutine]
                pub fn $name($($args)*) -> $ret { $($body)* }
            )*
        }
        impl Oracle {
            $(
                #[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]
                pub async fn $name($($args)*) -> $ret { $($body)* }
            )*
        }
    };
}

mod acc_methods {
    use super::*;
    both_impl! {
        struct { pub items: Vec<u32>, pub total: u32, pub name: String }
        fn by_ref(&self, k: u32) -> u32 {
            let items = &self.items;
            let first = leaf("first", items.first().copied().unwrap_or(0)).await;
            let n = items.len() as u32;
            first * k + n + leaf("tot", self.total).await
        }
        fn sum_of_refs(&self) -> u32 {
            let a = self.by_ref(1).await;
            let mut b = 0;
            for k in 2..4 {
                b += self.by_ref(k).await;
            }
            a + b + self.name.len() as u32
        }
        fn by_mut(&mut self, v: Vec<u32>) -> (u32, usize) {
            for x in v {
                let y = leaf("y", x * 2).await;
                self.items.push(y);
                self.total += y;
            }
            if leaf("rename", self.total > 10).await {
                self.name.push_str("!");
            }
            (self.total, self.items.len())
        }
        fn mut_then_shared(&mut self, k: u32) -> String {
            self.total = leaf("set", k).await;
            let me: &Self = self;
            let s = format!("{}:{}", &me.name, leaf("show", me.total).await);
            s
        }
        fn consume(self) -> String {
            let Self { items, total, name } = self;
            let n = leaf("n", items.len()).await;
            let extra = D("CONSUMED");
            let t = leaf("t", total).await;
            format!("{name}{n}{t}{}", see(&extra))
        }
        fn consume_mut(mut self, k: u32) -> (Vec<u32>, String) {
            self.items.retain(|x| *x != k);
            self.name = leaf("name", format!("{}-{k}", self.name)).await;
            self.items.push(leaf("push", k).await);
            (self.items, self.name)
        }
    }
}
#[test]
fn t_acc_methods() {
    use acc_methods::{Oracle, Ours};
    let a = Ours {
        items: vec![2, 3],
        total: 5,
        name: "acc".into(),
    };
    let b = Oracle {
        items: vec![2, 3],
        total: 5,
        name: "acc".into(),
    };
    check_both("by_ref", || a.by_ref(3), || b.by_ref(3));
    check_both("sum_of_refs", || a.sum_of_refs(), || b.sum_of_refs());
    check_both(
        "by_mut",
        || Box::leak(Box::new(a.clone())).by_mut(vec![1, 4]),
        || Box::leak(Box::new(b.clone())).by_mut(vec![1, 4]),
    );
    check_both(
        "mut_then_shared",
        || Box::leak(Box::new(a.clone())).mut_then_shared(8),
        || Box::leak(Box::new(b.clone())).mut_then_shared(8),
    );
    check_both("consume", || a.clone().consume(), || b.clone().consume());
    check_both(
        "consume_mut",
        || a.clone().consume_mut(3),
        || b.clone().consume_mut(3),
    );
    let (mut a2, mut b2) = (a.clone(), b.clone());
    assert_eq!(block_on(a2.by_mut(vec![9])), block_on(b2.by_mut(vec![9])));
    assert_eq!(a2.items, b2.items);
    assert_eq!((a2.total, &a2.name), (b2.total, &b2.name));
    take_log();
}

pub trait Step {
    fn step(&self, k: u32) -> impl Future<Output = u32>;
    fn step_mut(&mut self) -> impl Future<Output = u32>;
}
pub struct StepOurs(pub u32);
pub struct StepOracle(pub u32);
impl Step for StepOurs {
    #[asyncio::coroutine]
    fn step(&self, k: u32) -> u32 {
        let d = D("STEP");
        let v = leaf("step", self.0 + k).await;
        see(&d);
        v * 2
    }
    #[asyncio::coroutine]
    fn step_mut(&mut self) -> u32 {
        self.0 += leaf("sm", 1).await;
        self.0
    }
}
impl Step for StepOracle {
    async fn step(&self, k: u32) -> u32 {
        let d = D("STEP");
        let v = leaf("step", self.0 + k).await;
        see(&d);
        v * 2
    }
    async fn step_mut(&mut self) -> u32 {
        self.0 += leaf("sm", 1).await;
        self.0
    }
}
mod generic_over_trait {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours<S: Step>(s: &S, n: u32) -> Vec<u32> {
        let mut out = vec![];
        for k in 0..n {
            out.push(s.step(k).await);
        }
        out.push(s.step(leaf("last", 10).await).await);
        out
    }
    pub async fn oracle<S: Step>(s: &S, n: u32) -> Vec<u32> {
        let mut out = vec![];
        for k in 0..n {
            out.push(s.step(k).await);
        }
        out.push(s.step(leaf("last", 10).await).await);
        out
    }
}
#[test]
fn t_trait_methods_and_generic_caller() {
    let (a, b) = (StepOurs(1), StepOracle(1));
    check_both(
        "generic_over_trait",
        || generic_over_trait::ours(&a, 3),
        || generic_over_trait::oracle(&b, 3),
    );
    check_both("step", || a.step(2), || b.step(2));
    let (mut a, mut b) = (StepOurs(1), StepOracle(1));
    assert_eq!(block_on(a.step_mut()), block_on(b.step_mut()));
    assert_eq!(a.0, b.0);
    take_log();
}

// ---------------------------------------------------------------------------
// Coroutines awaiting coroutines; boxed recursion.

both!(
    fn awaits_other_coroutines(n: u32) -> (Vec<String>, u32) {
        let mut out = vec![];
        for i in 0..n {
            out.push(else_if_chain_all_awaits::ours(i).await);
        }
        let d = D("CALLER");
        let s = early_return_drop_order::ours(leaf("k", 2).await).await
            + binary_operators_mixed::ours(3, 4).await.0;
        see(&d);
        (out, s)
    }
);
#[test]
fn t_awaits_other_coroutines() {
    agree!(awaits_other_coroutines(3));
}

both!(
    fn coroutine_calls_as_operands(n: u32) -> u32 {
        let f = |a: u32, b: u32| a * 10 + b;
        f(
            loop_break_on_awaited::ours(n).await,
            conditional_move::ours(false, n).await,
        ) + if index_positions::ours().await.0 > 0 {
            short_circuit_as_arguments::ours(true, false).await.2
        } else {
            0
        }
    }
);
#[test]
fn t_coroutine_calls_as_operands() {
    agree!(coroutine_calls_as_operands(3));
}

both!(
    fn stored_coroutine_futures(c: bool) -> u32 {
        let first = loop_break_on_awaited::ours(2);
        let second = try_option_chain::ours(Some(1), Some(2));
        effect("created", 0);
        let x = if c { first.await } else { 0 };
        let y = second.await.unwrap_or(0);
        x + y
    }
);
#[test]
fn t_stored_coroutine_futures() {
    agree!(stored_coroutine_futures(true));
    agree!(stored_coroutine_futures(false));
}

fn name_of(id: u32) -> &'static str {
    Box::leak(format!("NODE{id}").into_boxed_str())
}

#[derive(Debug, Clone)]
pub enum Tree {
    Leaf(u32),
    Node(Box<Tree>, Box<Tree>),
}

fn sample_tree() -> Tree {
    use Tree::*;
    Node(
        Box::new(Node(Box::new(Leaf(1)), Box::new(Leaf(2)))),
        Box::new(Node(
            Box::new(Leaf(3)),
            Box::new(Node(Box::new(Leaf(4)), Box::new(Leaf(5)))),
        )),
    )
}

mod boxed_tree_recursion {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours(t: Tree, id: u32) -> u32 {
        let d = D(name_of(id));
        match t {
            Tree::Leaf(v) => leaf("leafv", v).await * id,
            Tree::Node(l, r) => {
                let lf: Pin<Box<dyn Future<Output = u32>>> = Box::pin(ours(*l, id * 2));
                let a = lf.await;
                see(&d);
                let rf: Pin<Box<dyn Future<Output = u32>>> = Box::pin(ours(*r, id * 2 + 1));
                a + rf.await
            }
        }
    }
    pub async fn oracle(t: Tree, id: u32) -> u32 {
        let d = D(name_of(id));
        match t {
            Tree::Leaf(v) => leaf("leafv", v).await * id,
            Tree::Node(l, r) => {
                let lf: Pin<Box<dyn Future<Output = u32>>> = Box::pin(oracle(*l, id * 2));
                let a = lf.await;
                see(&d);
                let rf: Pin<Box<dyn Future<Output = u32>>> = Box::pin(oracle(*r, id * 2 + 1));
                a + rf.await
            }
        }
    }
}
#[test]
fn t_boxed_tree_recursion() {
    agree!(boxed_tree_recursion(sample_tree(), 1));
}

mod boxed_recursion_try {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours(n: u32, fail_at: u32) -> Result<u32, String> {
        let d = D(name_of(100 + n));
        if n == fail_at {
            return Err(format!("fail {n}"));
        }
        if n == 0 {
            return Ok(leaf("base", 1).await);
        }
        let inner: Pin<Box<dyn Future<Output = Result<u32, String>>>> =
            Box::pin(ours(n - 1, fail_at));
        let v = inner.await?;
        see(&d);
        Ok(v * 2 + leaf("up", n).await)
    }
    pub async fn oracle(n: u32, fail_at: u32) -> Result<u32, String> {
        let d = D(name_of(100 + n));
        if n == fail_at {
            return Err(format!("fail {n}"));
        }
        if n == 0 {
            return Ok(leaf("base", 1).await);
        }
        let inner: Pin<Box<dyn Future<Output = Result<u32, String>>>> =
            Box::pin(oracle(n - 1, fail_at));
        let v = inner.await?;
        see(&d);
        Ok(v * 2 + leaf("up", n).await)
    }
}
#[test]
fn t_boxed_recursion_try() {
    agree!(boxed_recursion_try(4, 9));
    agree!(boxed_recursion_try(4, 2));
}

mod mutual_recursion {
    use super::*;
    pub mod ours_side {
        use super::*;
        #[asyncio::coroutine]
        pub fn collatz(n: u64, steps: u32) -> u32 {
            if n == 1 {
                return leaf("one", steps).await;
            }
            let next: Pin<Box<dyn Future<Output = u32>>> = if n % 2 == 0 {
                Box::pin(halve(n, steps))
            } else {
                Box::pin(triple(n, steps))
            };
            next.await
        }
        #[asyncio::coroutine]
        pub fn halve(n: u64, steps: u32) -> u32 {
            let m = leaf("half", n / 2).await;
            let r: Pin<Box<dyn Future<Output = u32>>> = Box::pin(collatz(m, steps + 1));
            r.await
        }
        #[asyncio::coroutine]
        pub fn triple(n: u64, steps: u32) -> u32 {
            let m = leaf("triple", 3 * n + 1).await;
            let r: Pin<Box<dyn Future<Output = u32>>> = Box::pin(collatz(m, steps + 1));
            r.await
        }
    }
    pub mod oracle_side {
        use super::*;
        pub async fn collatz(n: u64, steps: u32) -> u32 {
            if n == 1 {
                return leaf("one", steps).await;
            }
            let next: Pin<Box<dyn Future<Output = u32>>> = if n % 2 == 0 {
                Box::pin(halve(n, steps))
            } else {
                Box::pin(triple(n, steps))
            };
            next.await
        }
        pub async fn halve(n: u64, steps: u32) -> u32 {
            let m = leaf("half", n / 2).await;
            let r: Pin<Box<dyn Future<Output = u32>>> = Box::pin(collatz(m, steps + 1));
            r.await
        }
        pub async fn triple(n: u64, steps: u32) -> u32 {
            let m = leaf("triple", 3 * n + 1).await;
            let r: Pin<Box<dyn Future<Output = u32>>> = Box::pin(collatz(m, steps + 1));
            r.await
        }
    }
    pub use oracle_side::collatz as oracle;
    pub use ours_side::collatz as ours;
}
#[test]
fn t_mutual_recursion() {
    agree!(mutual_recursion(6, 0));
    agree!(mutual_recursion(7, 0));
}

// ---------------------------------------------------------------------------
// Moves, reassignment, guards, values live across awaits.

both!(
    fn moved_and_reassigned_in_loop(n: u32) -> Vec<&'static str> {
        let names = ["R0", "R1", "R2", "R3", "R4", "R5"];
        let mut cur = D("R0");
        let mut seen = vec![];
        for i in 1..n {
            let taken = cur;
            leaf("mid", i).await;
            seen.push(see(&taken));
            cur = D(names[i as usize]);
            if i % 2 == 0 {
                drop(taken);
                leaf("after_drop", ()).await;
            } else {
                leaf("keep", ()).await;
                seen.push(see(&taken));
            }
        }
        seen.push(see(&cur));
        seen
    }
);
#[test]
fn t_moved_and_reassigned_in_loop() {
    agree!(moved_and_reassigned_in_loop(1));
    agree!(moved_and_reassigned_in_loop(5));
}

both!(
    fn reassign_drops_old_value(n: u32) -> &'static str {
        let mut d = D("OLD");
        leaf("a", ()).await;
        see(&d);
        d = D("NEW");
        leaf("b", ()).await;
        for _ in 0..n {
            see(&d);
            d = D("LOOPED");
            leaf("c", ()).await;
        }
        see(&d)
    }
);
#[test]
fn t_reassign_drops_old_value() {
    agree!(reassign_drops_old_value(0));
    agree!(reassign_drops_old_value(3));
}

both!(
    fn conditional_move(c: bool, k: u32) -> u32 {
        let a = D("CM_A");
        let b = D("CM_B");
        let mut n = leaf("start", k).await;
        if c {
            let moved = a;
            n += leaf("moved", 1).await;
            see(&moved);
        } else if k > 5 {
            drop(b);
            n += leaf("dropped", 2).await;
            return n;
        }
        n += leaf("end", 3).await;
        n
    }
);
#[test]
fn t_conditional_move() {
    for c in [false, true] {
        for k in [1, 9] {
            agree!(conditional_move(c, k));
        }
    }
}

both!(
    fn conditional_move_in_loop(v: Vec<bool>) -> u32 {
        let mut held = Some(D("OPT"));
        let mut n = 0;
        for take in v {
            if take {
                if let Some(d) = held.take() {
                    leaf("t", ()).await;
                    see(&d);
                }
            }
            n += leaf("it", 1).await;
        }
        n
    }
);
#[test]
fn t_conditional_move_in_loop() {
    agree!(conditional_move_in_loop(vec![false, true, true]));
    agree!(conditional_move_in_loop(vec![false, false]));
}

both!(
    fn move_closure_owns_value_across_awaits() -> (&'static str, u32) {
        let d = D("CLOS");
        let k = leaf("k", 3).await;
        let f = move |x: u32| {
            see(&d);
            x * k
        };
        let a = f(leaf("a", 1).await);
        let b = f(leaf("b", 2).await);
        let name = {
            let g = f;
            leaf("last", ()).await;
            g(0);
            "done"
        };
        (name, a + b)
    }
);
#[test]
fn t_move_closure_owns_value_across_awaits() {
    agree!(move_closure_owns_value_across_awaits());
}

both!(
    fn guards_nested_scopes_and_loops(n: u32) -> u32 {
        let _outer = D("GOUT");
        let mut total = 0;
        for i in 0..n {
            let _iter = D("GITER");
            {
                let _blk = D("GBLK");
                total += leaf("a", i).await;
                if i == 1 {
                    continue;
                }
                let _late = D("GLATE");
                total += leaf("b", 1).await;
                if i == 2 {
                    break;
                }
            }
            total += leaf("c", 10).await;
        }
        let _tail = D("GTAIL");
        leaf("end", ()).await;
        total
    }
);
#[test]
fn t_guards_nested_scopes_and_loops() {
    agree!(guards_nested_scopes_and_loops(1));
    agree!(guards_nested_scopes_and_loops(4));
}

both!(
    fn guards_in_while_and_labeled_block(n: u32) -> u32 {
        let mut i = 0;
        let r = 'blk: {
            let _b = D("LB");
            while leaf("wc", i < n).await {
                let _w = D("WG");
                i += 1;
                if leaf("chk", i).await == 3 {
                    break 'blk i * 10;
                }
            }
            leaf("fall", i).await
        };
        r
    }
);
#[test]
fn t_guards_in_while_and_labeled_block() {
    agree!(guards_in_while_and_labeled_block(2));
    agree!(guards_in_while_and_labeled_block(5));
}

both!(
    fn values_live_across_many_awaits() -> Vec<&'static str> {
        let a = D("L_A");
        let b = D("L_B");
        let mut seen = vec![see(&a)];
        leaf("1", ()).await;
        seen.push(see(&b));
        leaf("2", ()).await;
        {
            let c = D("L_C");
            leaf("3", ()).await;
            seen.push(see(&a));
            leaf("4", ()).await;
            seen.push(see(&c));
            leaf("5", ()).await;
            seen.push(see(&b));
        }
        leaf("6", ()).await;
        seen.push(see(&a));
        seen.push(see(&b));
        seen
    }
);
#[test]
fn t_values_live_across_many_awaits() {
    agree!(values_live_across_many_awaits());
}

// ---------------------------------------------------------------------------
// Deep nesting, many awaits.

both!(
    fn deep_nesting_rows(v: Vec<Vec<Option<u32>>>) -> (u32, Vec<String>) {
        let mut notes = vec![];
        let mut sum = 0;
        'rows: for (r, row) in v.into_iter().enumerate() {
            let _row = D("ROW");
            let mut it = row.into_iter();
            while let Some(cell) = leaf("cell", it.next()).await {
                match cell {
                    Some(x) if x > 100 => break 'rows,
                    Some(x) => {
                        if let Some(y) = leaf("check", x.checked_sub(1)).await {
                            let mut k = 0;
                            loop {
                                k += leaf("k", 1).await;
                                if k > y {
                                    break;
                                }
                                if k == 3 {
                                    continue 'rows;
                                }
                                sum += leaf("add", k).await;
                            }
                        } else {
                            notes.push(format!("zero at {r}"));
                        }
                    }
                    None => {
                        let w = leaf("none", r as u32).await;
                        notes.push(format!("none {w}"));
                    }
                }
            }
        }
        (sum, notes)
    }
);
#[test]
fn t_deep_nesting_rows() {
    agree!(deep_nesting_rows(vec![
        vec![Some(2), None, Some(0)],
        vec![Some(9), Some(1)],
        vec![None, Some(200), Some(1)],
        vec![Some(1)],
    ]));
}

both!(
    fn deep_nesting_with_guards(n: u32) -> u32 {
        let _l0 = D("N0");
        let r = 'top: {
            let mut acc = 0;
            let mut i = 0;
            loop {
                let _l1 = D("N1");
                i += 1;
                if let Some(m) = leaf("l1", (i <= n).then_some(i)).await {
                    let _l2 = D("N2");
                    match leaf("l2", m % 3).await {
                        0 => {
                            let _l3 = D("N3");
                            let mut j = 0;
                            while j < leaf("l3", m).await {
                                let _l4 = D("N4");
                                j += 1;
                                {
                                    let _l5 = D("N5");
                                    acc += leaf("l5", j).await;
                                    if acc > 40 {
                                        break 'top acc;
                                    }
                                }
                            }
                        }
                        1 => acc += leaf("one", 1).await,
                        _ => {
                            if leaf("two", m).await > 4 {
                                continue;
                            }
                            acc += 100;
                        }
                    }
                } else {
                    break acc;
                }
            }
        };
        r + leaf("end", 0).await
    }
);
#[test]
fn t_deep_nesting_with_guards() {
    agree!(deep_nesting_with_guards(4));
    agree!(deep_nesting_with_guards(9));
}

both!(
    fn deep_nesting_expressions(a: u32) -> u32 {
        let f = |x: u32, y: u32| x + y;
        f(
            f(
                f(f(leaf("d4", a).await, effect("e4", 1)), leaf("d3", 2).await)
                    * leaf("d3b", 2).await,
                if leaf("d2c", a > 1).await {
                    match leaf("d2m", a).await {
                        1 => 0,
                        k => {
                            let mut s = 0;
                            for i in 0..k {
                                s += if i % 2 == 0 {
                                    leaf("d5", i).await
                                } else {
                                    effect("e5", 0)
                                };
                            }
                            s
                        }
                    }
                } else {
                    effect("e2", 7)
                },
            ),
            leaf("d1", 1000).await,
        )
    }
);
#[test]
fn t_deep_nesting_expressions() {
    agree!(deep_nesting_expressions(1));
    agree!(deep_nesting_expressions(4));
}

both!(
    fn many_awaits_mixed_control(a: u32) -> (u32, String) {
        let d1 = D("M1");
        let x1 = leaf("m1", a).await;
        let x2 = leaf("m2", x1 + 1).await;
        let d2 = D("M2");
        let x3 = if leaf("m3", x2 > 2).await {
            leaf("m4", x2 * 2).await
        } else {
            leaf("m5", 0).await
        };
        let mut s = String::new();
        for i in 0..3 {
            s.push_str(&leaf("m6", i.to_string()).await);
        }
        see(&d1);
        let x4 = match leaf("m7", x3 % 3).await {
            0 => leaf("m8", 1).await,
            k => k + leaf("m9", 2).await,
        };
        let x5 = (
            leaf("m10", 1).await,
            leaf("m11", 2).await,
            leaf("m12", 3).await,
        );
        see(&d2);
        let total = x1 + x2 + x3 + x4 + x5.0 + x5.1 + x5.2 + leaf("m13", 0).await;
        (total, s + &leaf("m14", String::from("!")).await)
    }
);
#[test]
fn t_many_awaits_mixed_control() {
    agree!(many_awaits_mixed_control(0));
    agree!(many_awaits_mixed_control(5));
}

both!(
    fn twelve_awaits_in_one_expression() -> (u32, [u32; 4], (u32, u32, u32, u32)) {
        (
            leaf("e1", 1).await + leaf("e2", 2).await * leaf("e3", 3).await - leaf("e4", 4).await,
            [
                leaf("e5", 5).await,
                effect("x", 0),
                leaf("e6", 6).await,
                leaf("e7", 7).await,
            ],
            (
                leaf("e8", 8).await,
                leaf("e9", 9).await,
                leaf("e10", 10).await,
                leaf("e11", 11).await + leaf("e12", 12).await,
            ),
        )
    }
);
#[test]
fn t_twelve_awaits_in_one_expression() {
    agree!(twelve_awaits_in_one_expression());
}

both!(
    fn many_awaits_with_guards_in_loop(n: u32) -> u32 {
        let _g = D("MG");
        let mut acc = 0;
        let mut i = 0;
        while i < n {
            let _it = D("MIT");
            acc += leaf("w1", 1).await;
            acc += leaf("w2", 2).await;
            acc += leaf("w3", 3).await;
            acc += leaf("w4", 4).await;
            acc += leaf("w5", 5).await;
            if leaf("w6", i == 1).await {
                acc *= leaf("w7", 2).await;
            }
            acc -= leaf("w8", 1).await;
            acc += leaf("w9", 0).await + leaf("w10", 0).await + leaf("w11", 1).await;
            i += 1;
        }
        acc
    }
);
#[test]
fn t_many_awaits_with_guards_in_loop() {
    agree!(many_awaits_with_guards_in_loop(3));
}

// ---------------------------------------------------------------------------
// Drop points at block, arm, branch and iteration ends; places, macros and
// names.

both!(
    fn call_arg_place_changed_by_later_arg() -> u32 {
        let mut x = 1u32;
        let f = |a: u32, b: u32| a * 100 + b;
        let r = f(x, {
            x = 10;
            leaf("a", 0).await
        });
        r + x
    }
);
#[test]
fn t_call_arg_place_changed_by_later_arg() {
    agree!(call_arg_place_changed_by_later_arg());
}

both!(
    fn match_arm_binding_drops_at_arm_end(o: Option<D>) -> u32 {
        match o {
            Some(d) => {
                leaf("in", ()).await;
                see(&d);
            }
            None => leaf("none", ()).await,
        }
        effect("after", 0);
        leaf("post", ()).await;
        1
    }
);
#[test]
fn t_match_arm_binding_drops_at_arm_end() {
    agree!(match_arm_binding_drops_at_arm_end(Some(D("ARMD"))));
    agree!(match_arm_binding_drops_at_arm_end(None));
}

both!(
    fn while_body_local_drops_before_condition(n: u32) -> u32 {
        let mut i = 0;
        while effect("cond", i < n) {
            let d = D("WB");
            leaf("w", ()).await;
            see(&d);
            i += 1;
            if effect("chk", i == 5) {
                break;
            }
        }
        effect("end", i)
    }
);
#[test]
fn t_while_body_local_drops_before_condition() {
    agree!(while_body_local_drops_before_condition(3));
}

both!(
    fn if_let_binding_drops_at_branch_end(o: Option<D>) -> u32 {
        if let Some(d) = o {
            leaf("t", ()).await;
            see(&d);
        } else {
            effect("no", 0);
        }
        effect("after", 1);
        leaf("post", 2).await
    }
);
#[test]
fn t_if_let_binding_drops_at_branch_end() {
    agree!(if_let_binding_drops_at_branch_end(Some(D("ILD"))));
    agree!(if_let_binding_drops_at_branch_end(None));
}

both!(
    fn break_value_drops_body_locals(n: u32) -> u32 {
        let mut i = 0;
        let v = loop {
            let d = D("LBV");
            i += leaf("i", 1).await;
            if i >= n {
                see(&d);
                break effect("val", i);
            }
            see(&d);
        };
        effect("after", v)
    }
);
#[test]
fn t_break_value_drops_body_locals() {
    agree!(break_value_drops_body_locals(2));
}

both!(
    fn for_body_guard_per_iteration(n: u32) -> u32 {
        let mut t = 0;
        for i in effect("range", 0..n) {
            let _g = D("FB");
            t += leaf("f", i).await;
            effect("body_end", 0);
        }
        effect("done", t)
    }
);
#[test]
fn t_for_body_guard_per_iteration() {
    agree!(for_body_guard_per_iteration(2));
}

both!(
    fn labeled_block_local_drops_at_break(c: bool) -> u32 {
        let r = 'b: {
            let d = D("LBL");
            if leaf("c", c).await {
                see(&d);
                break 'b 1;
            }
            see(&d);
            2
        };
        effect("after", r)
    }
);
#[test]
fn t_labeled_block_local_drops_at_break() {
    agree!(labeled_block_local_drops_at_break(true));
    agree!(labeled_block_local_drops_at_break(false));
}

both!(
    fn labeled_break_from_for_over_owned() -> u32 {
        let mut n = 0;
        'outer: for d in vec![D("B0"), D("B1"), D("B2")] {
            loop {
                n += leaf("n", 1).await;
                if n == 2 {
                    break 'outer;
                }
                break;
            }
            see(&d);
        }
        effect("after", n)
    }
);
#[test]
fn t_labeled_break_from_for_over_owned() {
    agree!(labeled_break_from_for_over_owned());
}

both!(
    fn format_width_precision_of_shadowed(a: u32) -> Vec<String> {
        let w = 3usize;
        let p = 1usize;
        let x = 1.25f64;
        let mut out = vec![];
        {
            let w = leaf("w", 8usize).await;
            let p = leaf("p", 3usize).await;
            let x = leaf("x", 2.5f64).await;
            out.push(format!(
                "[{x:>w$.p$}] {{x}} {{{x}}} [{:>2$}] [{:>width$}]",
                a,
                leaf("v", 7).await,
                w,
                width = w
            ));
            out.push(format!(r"{x}{{w}}"));
        }
        out.push(format!("[{x:>w$.p$}] {{x}}"));
        let mut s = String::new();
        {
            let s2 = &mut s;
            use std::fmt::Write;
            write!(s2, "{x:.p$}").unwrap();
        }
        out.push(s);
        out
    }
);
#[test]
fn t_format_width_precision_of_shadowed() {
    agree!(format_width_precision_of_shadowed(4));
}

both!(
    fn destructuring_assignment_with_awaits(n: u32) -> (u32, u32, u32, u32, i32) {
        let (mut a, mut b) = (1u32, 2u32);
        (a, b) = (b, leaf("x", a + n).await);
        let [c, d] = leaf("arr", [a * 10, b * 10]).await;
        let (mut px, mut py) = (0, 1);
        px += py;
        Pt { x: px, y: py } = Pt {
            y: leaf("py", 5).await,
            x: px + 1,
        };
        (_, a) = (effect("ignored", 0), leaf("a2", a + 100).await);
        (a, b, c, d, px + py)
    }
);
#[test]
fn t_destructuring_assignment_with_awaits() {
    agree!(destructuring_assignment_with_awaits(1));
}

both!(
    fn deferred_init_destructuring_after_await() -> (u32, u32) {
        leaf("a", ()).await;
        let (c, d);
        (c, d) = (1u32, 2u32);
        (c, d)
    }
);
#[test]
fn t_deferred_init_destructuring_after_await() {
    agree!(deferred_init_destructuring_after_await());
}

both!(
    fn nested_items_named_like_shadowed_locals(o: Option<u32>) -> (u32, bool, u32) {
        let x = 1;
        let y = {
            let x = leaf("a", 2).await;
            x * 10
        };
        fn helper(x: u32) -> u32 {
            let y = x + 100;
            y
        }
        let g = |x: u32| x * 2;
        let m = match o {
            Some(x) if x == y => true,
            x @ Some(_) => x.is_some() && leaf("m", false).await,
            None => false,
        };
        let t = {
            struct Local {
                x: u32,
            }
            let l = Local {
                x: leaf("l", x).await,
            };
            l.x
        };
        (helper(x) + g(y), m, t + x)
    }
);
#[test]
fn t_nested_items_named_like_shadowed_locals() {
    agree!(nested_items_named_like_shadowed_locals(Some(20)));
    agree!(nested_items_named_like_shadowed_locals(Some(3)));
    agree!(nested_items_named_like_shadowed_locals(None));
}

both!(
    fn underscore_bindings_of_awaited_values() -> u32 {
        let _ = leaf("a", D("UND")).await;
        effect("after_und", 0);
        _ = leaf("b", D("UND2")).await;
        effect("after_und2", 0);
        let _keep = leaf("c", D("KEPT")).await;
        drop(leaf("d", D("DROPPED")).await);
        effect("after_drop", 0);
        leaf("e", 5).await
    }
);
#[test]
fn t_underscore_bindings_of_awaited_values() {
    agree!(underscore_bindings_of_awaited_values());
}

both!(
    fn while_let_chain_with_await_in_body(v: Vec<u32>) -> u32 {
        let mut it = v.into_iter();
        let mut t = 0;
        while let Some(x) = it.next()
            && x < 5
        {
            t += leaf("x", x).await;
        }
        t
    }
);
#[test]
fn t_while_let_chain_with_await_in_body() {
    agree!(while_let_chain_with_await_in_body(vec![1, 2, 7, 3]));
}

both!(
    fn shadowed_names_in_matches_macro(o: Option<u32>) -> (bool, bool, u32, Vec<u32>) {
        let x = 1;
        let a = {
            let x = leaf("a", 5).await;
            matches!(o, Some(x) if x > 3) || x > 100
        };
        let b = matches!(o, Some(y) if y == x);
        let v = vec![x; 2];
        (a, b, x, v)
    }
);
#[test]
fn t_shadowed_names_in_matches_macro() {
    agree!(shadowed_names_in_matches_macro(Some(4)));
    agree!(shadowed_names_in_matches_macro(Some(1)));
}

both!(
    fn shadowed_name_in_vec_repeat() -> Vec<u32> {
        let x = 1;
        let mut out = {
            let x = leaf("a", 5).await;
            vec![x; 2]
        };
        out.extend(vec![x; 3]);
        out
    }
);
#[test]
fn t_shadowed_name_in_vec_repeat() {
    agree!(shadowed_name_in_vec_repeat());
}

both!(
    fn comparison_of_non_copy_place_with_awaited() -> (String, bool, bool) {
        let s = String::from("a");
        let eq = s == leaf("b", String::from("a")).await;
        let lt = s < leaf("c", String::from("b")).await;
        (s, eq, lt)
    }
);
#[test]
fn t_comparison_of_non_copy_place_with_awaited() {
    agree!(comparison_of_non_copy_place_with_awaited());
}

both!(
    fn borrow_ended_before_await() -> usize {
        let v = vec![1, 2];
        let r = &v;
        let n = r.len();
        leaf("a", ()).await;
        let e = &leaf("e", 5usize).await;
        let m = *e + 1;
        leaf("b", ()).await;
        n + m + v.len()
    }
);
#[test]
fn t_borrow_ended_before_await() {
    agree!(borrow_ended_before_await());
}

both!(
    fn field_and_deref_compound_assignments(k: u32) -> (u32, String, (u32, u32), u32) {
        struct S {
            n: u32,
            name: String,
            items: Vec<u32>,
        }
        let mut p = S {
            n: k,
            name: String::from("p"),
            items: vec![],
        };
        p.n += leaf("a", 1).await;
        p.name.push_str(&leaf("b", String::from("q")).await);
        p.items.push(leaf("c", 3).await);
        p.name = p.name.clone() + &leaf("d", String::from("r")).await;
        let mut t = (1u32, 2u32);
        t.0 += leaf("e", 5).await;
        let mut b = Box::new(3u32);
        *b += leaf("f", 4).await;
        (p.n + p.items[0], p.name, t, *b)
    }
);
#[test]
fn t_field_and_deref_compound_assignments() {
    agree!(field_and_deref_compound_assignments(1));
}

pub fn peek_len(d: &D) -> Option<usize> {
    log(format!("peek {}", d.0));
    Some(d.0.len())
}

both!(
    fn tail_and_statement_temporaries() -> usize {
        let a = D("TA");
        let n = see(&D("STMT")).len() + leaf("x", 1usize).await;
        effect("after_stmt", n);
        leaf("y", ()).await;
        see(&D("TMP")).len() + see(&a).len() + n
    }
);
#[test]
fn t_tail_and_statement_temporaries() {
    agree!(tail_and_statement_temporaries());
}

both!(
    fn if_let_scrutinee_temporaries(c: bool) -> usize {
        let keep = D("KEEP2");
        let r = if let Some(n) = peek_len(&D(if c { "SCRT" } else { "" })).filter(|n| *n > 0) {
            leaf("then", ()).await;
            n
        } else {
            leaf("else", ()).await;
            0
        };
        see(&keep);
        r
    }
);
#[test]
fn t_if_let_scrutinee_temporaries() {
    agree!(if_let_scrutinee_temporaries(true));
    agree!(if_let_scrutinee_temporaries(false));
}

both!(
    fn while_let_scrutinee_temporaries() -> usize {
        let mut i = 0;
        let mut total = 0;
        while let Some(n) = peek_len(&D(["W1", "W2", "W3"][i])).filter(|_| i < 2) {
            total += leaf("w", n).await;
            i += 1;
        }
        total
    }
);
#[test]
fn t_while_let_scrutinee_temporaries() {
    agree!(while_let_scrutinee_temporaries());
}

both!(
    fn inference_across_awaits() -> (Vec<u8>, u8, u64) {
        let mut v = Vec::new();
        let mut x = 0;
        leaf("a", ()).await;
        v.push(1u8);
        x += leaf("b", 5u8).await;
        let y = 7;
        leaf("c", ()).await;
        let z: u64 = y;
        (v, x, z)
    }
);
#[test]
fn t_inference_across_awaits() {
    agree!(inference_across_awaits());
}

both!(
    fn field_place_in_assert_eq(k: u32) -> u32 {
        struct S {
            name: String,
        }
        let p = S {
            name: String::from("a"),
        };
        assert_eq!(p.name, leaf("a", String::from("a")).await);
        p.name.len() as u32 + k
    }
);
#[test]
fn t_field_place_in_assert_eq() {
    agree!(field_place_in_assert_eq(1));
}

// ===========================================================================
// FAILING
//
// Bodies the compiler gets wrong, each reduced to a minimal repro and kept
// commented out so that this file compiles and passes. To reproduce one,
// uncomment it (its `both!` and its `#[test]`) and run
// `cargo test -p asyncio-macros --test corpus more::`. Traces and results
// are `ours` (the `#[coroutine]` fn) against `oracle` (`async fn`).
// Not listed, because the README documents them: awaiting a future that
// borrows a local (`(&mut fut).await`, `Pin::new(&mut g).await`: E0597,
// difference 2).
// ===========================================================================

// Fixed, was M01: rustc warning (unused_parens) on the user's code: a parenthesised operand evaluated before a later operand's await is hoisted into `let t = (..);` with its parentheses (also `(x.await < y) == (..)`, `(a..=b.await).contains(&c.await)`, `(&mut fut).await`).
both!(
    fn m01_parenthesised_operand_hoisted(a: u32) -> u32 {
        (a + 3) * leaf("a", a).await
    }
);
#[test]
fn m01() {
    agree!(m01_parenthesised_operand_hoisted(1)); // warning: unnecessary parentheses around assigned value
}

// Fixed, was M02: compile error (E0382 / E0507): a non-`Copy` place operand taken by reference (`==`, `<`, format arguments) is moved into a temporary when a later operand names its variable; rustc only borrows it (`format!("{}", p.name, leaf(p.n).await)` partially moves `p`; through `&Self` it is E0507).
both!(
    fn m02_place_operand_moved() -> (String, bool) {
        let s = String::from("a");
        let eq = s == leaf("b", s.clone()).await;
        (s, eq)
    }
);
#[test]
fn m02() {
    agree!(m02_place_operand_moved()); // E0382 borrow of moved value: `s`
}

// Fixed, was M03: wrong result: an index place operand (`v[i]`) is read after a later operand that changes the index variable (only the base `v` is checked); also `v[i].push({ i = 1; x.await })` pushes into `v[1]`.
both!(
    fn m03_index_variable_changed_later() -> u32 {
        let v = [10u32, 20];
        let mut i = 0;
        let r = v[i] + {
            i = 1;
            leaf("a", 0).await
        };
        r + i as u32
    }
);
#[test]
fn m03() {
    agree!(m03_index_variable_changed_later()); // ours 21, oracle 11
}

// M04 evaluation order: a compound assignment on non-primitive operands (`String += &str`, `Wrapping<u32> += ..`, any `OpAssign` impl) evaluates the value before the place; rustc evaluates the place first (it is the first argument of `add_assign`) and the value first only for primitive types.
// both!(
//     fn m04_overloaded_compound_assign_order() -> Vec<String> {
//         let mut v = vec![String::from("a"), String::from("b")];
//         v[effect("idx", 1)] += &leaf("sfx", String::from("!")).await;
//         v
//     }
// );
// #[test]
// fn m04() {
//     agree!(m04_overloaded_compound_assign_order()); // ours ["pend sfx", "ready sfx", "eval idx"], oracle ["eval idx", "pend sfx", "ready sfx"]
// }

// Fixed, was M05: compile error (E0381 / E0384): a destructuring assignment whose value awaits, into bindings declared without an initialiser (`let (c, d); [c, d] = x.await;`, also `S { x: c, .. } = ..`); without the await in the value it compiles.
both!(
    fn m05_deferred_init_destructuring_assign() -> (u32, u32) {
        let (c, d);
        [c, d] = leaf("arr", [1u32, 2]).await;
        (c, d)
    }
);
#[test]
fn m05() {
    agree!(m05_deferred_init_destructuring_assign()); // E0381 used binding `c` isn't initialized; E0384 cannot assign twice to immutable variable `c`
}

// Fixed, was M06: wrong result: a `move` closure operand is created after a later operand's await (closures count as side-effect free), so it captures the variable's later value.
pub fn apply<F: Fn() -> u32>(f: F, y: u32) -> u32 {
    f() + y
}
both!(
    fn m06_closure_created_late() -> u32 {
        let mut x = 1;
        let r = apply(move || x, {
            x = 10;
            leaf("a", 0).await
        });
        r + x
    }
);
#[test]
fn m06() {
    agree!(m06_closure_created_late()); // ours 20, oracle 11
}

// Fixed, was M07: wrong result: a method receiver taken by value (`Copy`: `x.max(..)`, `p.0.pow(..)`) is read after a later argument changes it; only receivers taken by reference may be read late.
both!(
    fn m07_by_value_receiver_read_late() -> u32 {
        let mut x = 1u32;
        let r = x.max({
            x = 10;
            leaf("a", 0).await
        });
        r + x
    }
);
#[test]
fn m07() {
    agree!(m07_by_value_receiver_read_late()); // ours 20, oracle 11
}
