//! Awaits in expression positions: call arguments and method receivers,
//! operators, casts, indices and ranges, struct/tuple/array/enum literals and
//! destructuring, assignments and deferred initialisation, closures and
//! blocks as operands (unsafe, async, `IntoFuture`), macros and format
//! arguments, the evaluation order of place operands against later operands'
//! side effects, long await sequences and deep nesting.
//!
//! Each body is compiled twice (as a `#[coroutine] fn` and as an `async fn`),
//! run on a trivial executor and checked with `agree!` (results, effect logs,
//! drop timing; and the same after dropping it at every suspension).

// Test bodies are deliberately unidiomatic (closures called in place,
// `x = x + ..`, ...): clippy's style lints do not apply to them.
#![allow(clippy::all, clippy::undocumented_unsafe_blocks)]

use crate::common::*;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// Call arguments, method receivers and chains.

both!(
    fn call_args(a: u32) -> u32 {
        let f = |x: u32, y: u32, z: u32| x * 100 + y * 10 + z;
        f(effect("a", a), leaf("b", 2).await, effect("c", 3))
    }
);
#[test]
fn await_in_call_arguments_keeps_order() {
    agree!(call_args(1));
}

#[test]
fn calling_runs_nothing_until_polled() {
    let fut = call_args::ours(1);
    assert!(take_log().is_empty());
    drop(fut);
    assert!(take_log().is_empty());
}

both!(
    fn method_receiver_and_args() -> Vec<u32> {
        let mut v = Vec::new();
        v.push(leaf("x", 1).await);
        v.push(effect("two", 2) + leaf("y", 3).await);
        leaf("v", v).await
    }
);
#[test]
fn await_in_method_calls() {
    agree!(method_receiver_and_args());
}

both!(
    fn deep_expression(a: u32) -> u32 {
        let g = |x: u32, y: u32| x * 10 + y;
        let h = |x: u32| x + 1;
        g(
            effect("g0", 1) + h(leaf("h", a).await),
            h(g(leaf("i", 2).await, effect("e", 3)) * leaf("j", 4).await),
        ) + (leaf("k", 5).await - effect("m", 1))
    }
);
#[test]
fn t_deep_expression() {
    agree!(deep_expression(7));
}

both!(
    fn method_chain_on_awaited() -> u32 {
        let s: u32 = leaf("v", vec![1u32, 2, 3])
            .await
            .into_iter()
            .map(|x| x * 2)
            .sum();
        let t = leaf("p", (4u32, 5u32)).await.1;
        let n = leaf("s", String::from("abc")).await.len() as u32;
        s + t + n + (|a: u32| a + 1)(leaf("c", 9).await)
    }
);
#[test]
fn t_method_chain_on_awaited() {
    agree!(method_chain_on_awaited());
}

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

// Fixed, was F13: compile error (E0596): a `&mut self` method called on an awaited value (`x.await.pop()`): the await's result is bound immutably.
both!(
    fn f13_mut_method_on_awaited() -> Option<u32> {
        leaf("v", vec![1u32, 2]).await.pop()
    }
);
#[test]
fn f13() {
    agree!(f13_mut_method_on_awaited());
}

// ---------------------------------------------------------------------------
// Operators, casts, indices and ranges.

both!(
    fn operands_struct_tuple_array_index_cast() -> (u64, [u32; 3], Option<u32>, i64) {
        let arr = [leaf("a", 1).await, 2, leaf("c", 3).await];
        let idx = [10u64, 20, 30][leaf("i", 1usize).await];
        let opt = Some(leaf("s", 7).await);
        let neg = -(leaf("n", 5i64).await as i64);
        (idx, arr, opt, neg)
    }
);
#[test]
fn await_in_operands_literals_indices_casts() {
    agree!(operands_struct_tuple_array_index_cast());
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

both!(
    fn unary_not_neg_and_casts(b: bool) -> (bool, i64, u8, f64) {
        let x = !leaf("b", b).await;
        let y = -(leaf("n", 3i32).await as i64) * 2;
        let z = leaf("w", 300u32).await as u8;
        let f = leaf("f", 7u8).await as f64 / 2.0;
        (x, y, z, f)
    }
);
#[test]
fn t_unary_not_neg_and_casts() {
    agree!(unary_not_neg_and_casts(true));
    agree!(unary_not_neg_and_casts(false));
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
    fn tuples_arrays_ranges() -> (Vec<u32>, [u32; 4], (u32, (u32, u32)), Vec<u32>) {
        let r: Vec<u32> = (effect("lo", 1)..leaf("hi", 4).await).collect();
        let a = [leaf("a0", 1).await, effect("a1", 2), leaf("a2", 3).await, 4];
        let t = (effect("t0", 1), (leaf("t1", 2).await, leaf("t2", 3).await));
        let rep = [leaf("rep", 7u32).await; 3].to_vec();
        let mut inc: Vec<u32> = (leaf("ilo", 2).await..=leaf("ihi", 4).await).collect();
        inc.extend(rep);
        (r, a, t, inc)
    }
);
#[test]
fn t_tuples_arrays_ranges() {
    agree!(tuples_arrays_ranges());
}

// ---------------------------------------------------------------------------
// Struct, tuple, array and enum literals; destructuring lets.

#[derive(Debug, PartialEq)]
pub struct P {
    pub a: u32,
    pub b: u32,
    pub c: String,
}

both!(
    fn struct_shorthand(a: u32) -> (P, P) {
        let c = String::from("c");
        let p = P {
            a,
            b: leaf("b", 2).await,
            c,
        };
        let b = effect("b2", 5);
        let c = leaf("c2", String::from("cc")).await;
        let q = P {
            c,
            b,
            ..P {
                a: leaf("rest", 9).await,
                b: 0,
                c: String::new(),
            }
        };
        (p, q)
    }
);
#[test]
fn t_struct_shorthand() {
    agree!(struct_shorthand(1));
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

both!(
    fn destructuring_lets(a: u32) -> (u32, u32, u32, u32) {
        let (x, y) = (leaf("x", a).await, leaf("y", a + 1).await);
        let P { a: pa, b, .. } = leaf(
            "p",
            P {
                a: 1,
                b: 2,
                c: "c".into(),
            },
        )
        .await;
        let [first, .., last] = leaf("arr", [1u32, 2, 3, 4]).await;
        let (m, (n, _)) = leaf("nested", (5u32, (6u32, D("ignored")))).await;
        (x + y, pa + b, first + last, m + n)
    }
);
#[test]
fn t_destructuring_lets() {
    agree!(destructuring_lets(1));
}

both!(
    fn string_building(parts: Vec<&'static str>) -> String {
        let mut s = String::new();
        let n = parts.len();
        for (i, p) in parts.into_iter().enumerate() {
            if i > 0 {
                s.push_str(&leaf("sep", String::from(", ")).await);
            }
            s += leaf("p", p).await;
            s.push(leaf("c", '!').await);
        }
        s.insert_str(0, &format!("{}:", leaf("n", n).await));
        s
    }
);
#[test]
fn t_string_building() {
    agree!(string_building(vec!["a", "b", "c"]));
}

// ---------------------------------------------------------------------------
// Assignments, compound assignments and deferred initialisation.

both!(
    fn assignments_with_awaits(a: u32) -> (u32, u32, u32, Vec<u32>) {
        let mut x = a;
        x = x + leaf("y", 2).await;
        x = leaf("z", 3).await + x;
        let mut y = 1;
        y += leaf("c", 5).await;
        y *= leaf("d", 2).await + x;
        y -= 1;
        let mut n = 0;
        n += leaf("n", 1).await;
        let mut v = vec![1, 2, 3];
        v[0] += leaf("v0", 10).await;
        v[n] = leaf("v1", 20).await;
        let mut t = (0u32, 0u32);
        t.1 += leaf("t", 4).await;
        (x, y, t.1, v)
    }
);
#[test]
fn t_assignments_with_awaits() {
    agree!(assignments_with_awaits(1));
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
    fn index_await_in_assignment_target_compound(a: u32) -> Vec<u32> {
        let mut v = vec![1u32, 2, 3];
        v[leaf("i", 1usize).await] += a;
        let i = leaf("j", 2usize).await;
        v[i] *= leaf("k", 10).await;
        v
    }
);
#[test]
fn t_index_await_in_assignment_target_compound() {
    agree!(index_await_in_assignment_target_compound(5));
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

// Fixed, was F01: wrong result: a compound assignment whose target is not a plain place is applied to a hoisted copy (`v[i + 1] += x.await`, `*m.entry(k).or_insert(0) += x.await`).
both!(
    fn f01_compound_assign_target_copied() -> (Vec<u32>, u32) {
        let mut v = vec![0u32; 2];
        let i = 0;
        v[i + 1] += leaf("a", 5).await;
        let mut m = std::collections::HashMap::new();
        *m.entry("k").or_insert(0u32) += leaf("b", 7).await;
        (v, m["k"])
    }
);
#[test]
fn f01() {
    agree!(f01_compound_assign_target_copied()); // ours ([0, 0], 0), oracle ([0, 5], 7)
}

// M04 evaluation order: a compound assignment on non-primitive operands (`String += &str`, `Wrapping<u32> += ..`, any `OpAssign` impl) evaluates the value before the place; rustc evaluates the place first (it is the first argument of `add_assign`) and the value first only for primitive types.
both!(
    fn m04_overloaded_compound_assign_order() -> Vec<String> {
        let mut v = vec![String::from("a"), String::from("b")];
        v[effect("idx", 1)] += &leaf("sfx", String::from("!")).await;
        v
    }
);
#[test]
#[ignore = "overloaded compound assignment (String +=): ours awaits the value before evaluating the place (index); async fn evaluates the place first"]
fn m04() {
    agree!(m04_overloaded_compound_assign_order()); // ours ["pend sfx", "ready sfx", "eval idx"], oracle ["eval idx", "pend sfx", "ready sfx"]
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
    fn let_without_initializer(c: bool) -> (u32, String) {
        let x: u32;
        if c {
            x = leaf("a", 1).await;
        } else {
            leaf("b", ()).await;
            x = 2;
        }
        let s: String;
        let t: u32;
        match leaf("m", x).await {
            1 => {
                s = leaf("s", "one".to_string()).await;
                t = 10;
            }
            _ => {
                t = leaf("t", 20).await;
                s = String::from("other");
            }
        }
        (x + t, s)
    }
);
#[test]
fn t_let_without_initializer() {
    agree!(let_without_initializer(true));
    agree!(let_without_initializer(false));
}

// Fixed, was F15: compile error (E0282 type annotations needed): an untyped `let x;` whose assignment comes after an await.
both!(
    fn f15_untyped_let_assigned_after_await() -> u32 {
        let x;
        x = leaf("a", 1).await;
        x
    }
);
#[test]
fn f15() {
    agree!(f15_untyped_let_assigned_after_await());
}

// Fixed, was F16: compile error (E0381/E0384): an assignment nested in await-free control flow (`if c { x = 1 } else { x = 2 }`) counts as a read, so `x` is saved before it is initialised.
both!(
    fn f16_assign_in_plain_if(c: bool) -> u32 {
        let x: u32;
        leaf("a", ()).await;
        if c {
            x = 1;
        } else {
            x = 2;
        }
        x
    }
);
#[test]
fn f16() {
    agree!(f16_assign_in_plain_if(true));
}

// Fixed, was F17: compile error (E0689): the type annotation of `let x: u64;` is lost when `x` is assigned after an await.
both!(
    fn f17_typed_uninit_let_loses_type() -> u32 {
        let x: u64;
        leaf("a", ()).await;
        x = 3;
        x.leading_zeros()
    }
);
#[test]
fn f17() {
    agree!(f17_typed_uninit_let_loses_type());
}

// ---------------------------------------------------------------------------
// Evaluation order: operands read before a later operand's await and side
// effects.

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

// Fixed, was F02: wrong result: a place operand is read after a later operand's side effects (`x + { x = 10; y.await }` reads the new `x`).
both!(
    fn f02_place_operand_read_late() -> (u32, u32) {
        let mut x = 1;
        let y = x + {
            x = 10;
            leaf("a", 0).await
        };
        (x, y)
    }
);
#[test]
fn f02() {
    agree!(f02_place_operand_read_late()); // ours (10, 10), oracle (10, 1)
}

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

// ---------------------------------------------------------------------------
// Closures, blocks and control flow as operands; awaited operands that are
// not plain futures.

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
    fn async_closure(n: u32) -> u32 {
        let f = async |x: u32| leaf("c", x).await + 1;
        let a = f(n).await;
        let g = |x: u32| x + 1;
        let b = leaf("b", 1).await;
        a + g(b)
    }
);
#[test]
fn t_async_closure() {
    agree!(async_closure(2));
}

both!(
    fn unannotated_closure_across_await(n: u32) -> u32 {
        let f = |x| x + 1;
        let k = leaf("k", n).await;
        f(k)
    }
);
#[test]
fn t_unannotated_closure_across_await() {
    agree!(unannotated_closure_across_await(3));
}

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
#[test]
fn unsafe_and_nested() {
    agree!(unsafe_block_and_nested_blocks());
}

both!(
    fn unsafe_and_async_blocks(n: u32) -> u32 {
        let arr = [1u32, 2, 3, 4];
        let v = unsafe {
            let p = arr.as_ptr();
            let i = leaf("i", 1usize).await;
            let x = *p.add(i);
            x + *p.add(leaf("j", 2usize).await)
        };
        let w = async move { n * 2 }.await;
        let fut = leaf("stored", 5);
        effect("between", 0);
        let z = fut.await;
        let ready = std::future::ready(6).await;
        v + w + z + ready
    }
);
#[test]
fn t_unsafe_and_async_blocks() {
    agree!(unsafe_and_async_blocks(3));
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

struct Later(u32);
impl std::future::IntoFuture for Later {
    type Output = u32;
    type IntoFuture = Leaf<u32>;
    fn into_future(self) -> Leaf<u32> {
        log("into_future");
        leaf("later", self.0)
    }
}

both!(
    fn into_future_values() -> u32 {
        let a = Later(effect("mk", 3)).await;
        let b = Later(a + 1).await;
        a * b
    }
);
#[test]
fn t_into_future_values() {
    agree!(into_future_values());
}

both!(
    fn future_chosen_by_expression(c: bool) -> u32 {
        let a = if c { leaf("one", 1) } else { leaf("two", 2) }.await;
        let b = match a {
            1 => leaf("m1", 10),
            _ => leaf("m2", 20),
        }
        .await;
        let fs = vec![leaf("v0", 100), leaf("v1", 200)];
        let mut sum = 0;
        for f in fs {
            sum += f.await;
        }
        a + b + sum
    }
);
#[test]
fn t_future_chosen_by_expression() {
    agree!(future_chosen_by_expression(true));
    agree!(future_chosen_by_expression(false));
}

// ---------------------------------------------------------------------------
// Macros and format arguments; attributes and items in bodies.

both!(
    fn awaits_in_macros(a: u32) -> String {
        assert_eq!(leaf("m", a).await, a);
        let s = format!("{} {}", effect("f", 1), leaf("g", 2).await);
        let v = vec![leaf("v1", 1).await, leaf("v2", 2).await];
        format!("{s} {v:?}")
    }
);
#[test]
fn macros_with_awaits() {
    agree!(awaits_in_macros(3));
}

both!(
    fn macros_with_awaits(a: u32) -> (Vec<u32>, String, bool, bool) {
        let v = vec![effect("v0", 0), leaf("v1", a).await, leaf("v2", 2).await];
        let s = format!("{}-{}-{a}", leaf("f", 1).await, effect("g", 2));
        assert!(leaf("as", true).await, "never {}", a);
        assert_eq!(leaf("ae", a).await, a, "eq {a}");
        assert_ne!(leaf("an", a + 1).await, a);
        let m = matches!(leaf("m", Some(a)).await, Some(3));
        let m2 = matches!(leaf("m2", a).await, 1 | 2 | 3);
        let mut out = String::new();
        write!(out, "{}", leaf("w", 7).await).unwrap();
        writeln!(out, "{s} {}", leaf("w2", 8).await).unwrap();
        (v, out, m, m2)
    }
);
#[test]
fn t_macros_with_awaits() {
    agree!(macros_with_awaits(3));
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

// Fixed, was F22: compile error (E0425): a format width/precision captured by name (`{x:>w$}`) is not seen as a use of `w`.
both!(
    fn f22_format_width_capture() -> String {
        let w = 6;
        let x = leaf("a", 1).await;
        format!("{x:>w$}")
    }
);
#[test]
fn f22() {
    agree!(f22_format_width_capture());
}

both!(
    fn cfg_attrs_on_statements(a: u32) -> u32 {
        // (`#[cfg]` on a statement with an await is a compile error: see
        // ui-tests/tests/fail/cfg_on_await_statement.rs.)
        let mut n = a;
        #[cfg(all())]
        {
            n += 1;
        }
        #[allow(unused_parens)]
        let m = (leaf("m", 2).await);
        n + m
    }
);
#[test]
fn t_cfg_attrs_on_statements() {
    agree!(cfg_attrs_on_statements(1));
}

// Fixed, was F14: compile error (E0425 / cannot find macro): items declared in the body (`fn`, `use`, `const`, `macro_rules!`, `struct`) are not visible after an await.
both!(
    fn f14_items_after_await() -> u32 {
        use std::str::FromStr;
        fn helper(x: u32) -> u32 {
            x + 1
        }
        const K: u32 = 3;
        macro_rules! twice {
            ($e:expr) => {
                $e * 2
            };
        }
        let a = leaf("a", 1).await;
        helper(a) + K + twice!(a) + u32::from_str("5").unwrap()
    }
);
#[test]
fn f14() {
    agree!(f14_items_after_await());
}

// ---------------------------------------------------------------------------
// Integer inference, long await sequences, deep nesting.

both!(
    fn integer_inference() -> (u64, i8, usize) {
        let mut n = 0;
        n += leaf("n", 1).await;
        n += leaf("m", 2u64).await;
        let mut k = 0;
        k -= leaf("k", 3).await;
        let i = leaf("i", 4).await;
        let v = [1, 2, 3, 4, 5];
        (n, k, v[i])
    }
);
#[test]
fn t_integer_inference() {
    agree!(integer_inference());
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
    fn many_awaits_in_sequence(a: u32) -> u32 {
        let mut x = a;
        x += leaf("1", 1).await;
        x += leaf("2", 2).await;
        x += leaf("3", 3).await;
        x += leaf("4", 4).await;
        x += leaf("5", 5).await;
        let y = leaf("6", 6).await + leaf("7", 7).await + leaf("8", 8).await;
        x += leaf("9", 9).await;
        x += leaf("10", 10).await;
        let d = D("mid");
        x += leaf("11", 11).await;
        x += leaf("12", 12).await;
        x += leaf("13", 13).await;
        x += leaf("14", 14).await;
        see(&d);
        x += leaf("15", 15).await;
        x += leaf("16", 16).await;
        x += leaf("17", 17).await;
        x += leaf("18", 18).await;
        x += leaf("19", 19).await;
        x += leaf("20", 20).await;
        x += leaf("21", 21).await;
        x += leaf("22", 22).await;
        x * 1000 + y + leaf("23", 23).await
    }
);
#[test]
fn t_many_awaits_in_sequence() {
    agree!(many_awaits_in_sequence(1));
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

/// A value with an async method, built by a struct literal.
struct Job {
    d: D,
}
impl Job {
    async fn run(self) -> &'static str {
        leaf("run", ()).await;
        see(&self.d)
    }
}

// The awaited expression starts with a struct literal, which a `match`
// scrutinee may not (the generated code parenthesises it).
both!(
    fn struct_literal_receiver_awaited() -> String {
        let a = Job { d: D("a") }.run().await;
        let b = format!("{}{}", a, Job { d: D("b") }.run().await);
        b
    }
);
#[test]
fn t_struct_literal_receiver_awaited() {
    agree!(struct_literal_receiver_awaited());
}
