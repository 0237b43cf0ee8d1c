//! `loop`, `while`, `while let` and `for` with awaits in their conditions,
//! iterators and bodies: `break` with values, labels on loops and blocks,
//! `continue`, nested loops and loops as the tail.
//!
//! Each body is compiled twice (as a `#[coroutine] fn` and as an `async fn`),
//! run on a trivial executor and checked with `agree!` (results, effect logs,
//! drop timing; and the same after dropping it at every suspension).

// Test bodies are deliberately unidiomatic (closures called in place,
// `x = x + ..`, ...): clippy's style lints do not apply to them.
#![allow(clippy::all)]

use crate::common::*;

// ---------------------------------------------------------------------------
// `loop` and `break` values.

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
#[test]
fn loop_break_value_and_while() {
    agree!(loops_with_break_value(3));
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
    fn loop_is_the_tail(n: u32) -> u32 {
        let mut i = 0;
        loop {
            i += leaf("i", 1).await;
            if i >= n {
                break i * 3;
            }
        }
    }
);
#[test]
fn t_loop_is_the_tail() {
    agree!(loop_is_the_tail(4));
}

both!(
    fn infinite_loop_tail_with_return(n: u32) -> u32 {
        let mut i = 0;
        loop {
            i += leaf("i", 1).await;
            if i > n {
                return i;
            }
        }
    }
);
#[test]
fn t_infinite_loop_tail_with_return() {
    agree!(infinite_loop_tail_with_return(2));
}

both!(
    fn awaits_in_break_and_return_values(n: u32) -> u32 {
        let x = loop {
            if n == 0 {
                return leaf("ret", 7).await + effect("r", 1);
            }
            break leaf("brk", n).await * 2;
        };
        let y = 'b: {
            if x > 5 {
                break 'b effect("e", 1) + leaf("bb", x).await;
            }
            x
        };
        y
    }
);
#[test]
fn t_awaits_in_break_and_return_values() {
    for n in 0..4 {
        agree!(awaits_in_break_and_return_values(n));
    }
}

// ---------------------------------------------------------------------------
// `while` and `while let`.

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
    fn while_let_continue_await_in_cond(v: Vec<u32>) -> Vec<u32> {
        let mut it = v.into_iter();
        let mut out = vec![];
        while let Some(x) = leaf("next", it.next()).await {
            if x % 2 == 0 {
                continue;
            }
            out.push(leaf("odd", x).await);
        }
        out
    }
);
#[test]
fn t_while_let_continue_await_in_cond() {
    agree!(while_let_continue_await_in_cond(vec![1, 2, 3, 4, 5]));
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
    fn match_continue_in_while_let(v: Vec<Option<u32>>) -> u32 {
        let mut it = v.into_iter();
        let mut total = 0;
        while let Some(item) = leaf("next", it.next()).await {
            match item {
                None => continue,
                Some(0) => break,
                Some(x) if x > 5 => {
                    total += leaf("big", x * 100).await;
                    continue;
                }
                Some(x) => total += x,
            }
            total += 1;
        }
        total
    }
);
#[test]
fn t_match_continue_in_while_let() {
    agree!(match_continue_in_while_let(vec![
        Some(1),
        None,
        Some(7),
        Some(2),
        Some(0),
        Some(3)
    ]));
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
// `for`.

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
#[test]
fn while_let_for() {
    agree!(while_let_and_for(vec![1, 2, 3]));
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
    fn nested_for_loops_with_awaits(n: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for (i, a) in (0..n).map(|x| x * 2).enumerate() {
            for b in leaf("inner", vec![1u32, 2]).await {
                if b == 2 && i == 1 {
                    continue;
                }
                out.push((a, b + leaf("b", 0).await));
            }
        }
        out
    }
);
#[test]
fn t_nested_for_loops_with_awaits() {
    agree!(nested_for_loops_with_awaits(3));
}

both!(
    fn loop_body_state_across_iterations(n: u32) -> Vec<String> {
        let mut prev: Option<String> = None;
        let mut out = Vec::new();
        let mut fs: Vec<Box<dyn Fn() -> String>> = Vec::new();
        for i in 0..n {
            let cur = format!("{i}");
            if let Some(p) = prev.take() {
                out.push(format!("{p}->{}", leaf("cur", cur.clone()).await));
            }
            let c2 = cur.clone();
            fs.push(Box::new(move || c2.clone()));
            prev = Some(cur);
        }
        for f in fs {
            out.push(f());
        }
        out
    }
);
#[test]
fn t_loop_body_state_across_iterations() {
    agree!(loop_body_state_across_iterations(4));
}

// ---------------------------------------------------------------------------
// Labels, `continue`, nesting.

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
#[test]
fn labeled_breaks_and_continues() {
    agree!(labeled_break_continue());
}

both!(
    fn labeled_break_value_from_inner(n: u32) -> (u32, u32) {
        let mut outer_iters = 0;
        let r = 'outer: loop {
            outer_iters += 1;
            let mut j = 0;
            let inner = loop {
                j += leaf("j", 1).await;
                if j == n {
                    break 'outer j * 100;
                }
                if j >= 2 {
                    break j;
                }
            };
            if inner + outer_iters > 20 {
                break outer_iters;
            }
            for k in 0..3u32 {
                if k == outer_iters % 3 && leaf("k", true).await {
                    continue 'outer;
                }
            }
        };
        (r, outer_iters)
    }
);
#[test]
fn t_labeled_break_value_from_inner() {
    agree!(labeled_break_value_from_inner(1));
    agree!(labeled_break_value_from_inner(5));
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
    fn labeled_block_with_nested_loops(n: u32) -> u32 {
        let v = 'blk: {
            let mut acc = 0;
            for i in 0..5u32 {
                let mut j = 0;
                loop {
                    j += 1;
                    if j > i {
                        break;
                    }
                    acc += leaf("a", j).await;
                    if acc > n {
                        break 'blk acc * 10;
                    }
                }
            }
            acc
        };
        v + 1
    }
);
#[test]
fn t_labeled_block_with_nested_loops() {
    agree!(labeled_block_with_nested_loops(5));
    agree!(labeled_block_with_nested_loops(1000));
}

both!(
    fn native_loop_inside_lowered_breaks_out(v: Vec<u32>) -> u32 {
        let r = 'outer: loop {
            let base = leaf("base", 10).await;
            for x in &v {
                if *x > base {
                    break 'outer *x;
                }
            }
            let mut i = 0;
            while i < 3 {
                i += 1;
                if i == 2 {
                    break;
                }
            }
            break base + i;
        };
        r
    }
);
#[test]
fn t_native_loop_inside_lowered_breaks_out() {
    agree!(native_loop_inside_lowered_breaks_out(vec![1, 20, 3]));
    agree!(native_loop_inside_lowered_breaks_out(vec![1, 2, 3]));
}

both!(
    fn while_label_continue_from_for(n: u32) -> Vec<u32> {
        let mut out = vec![];
        let mut i = 0;
        'w: while i < n {
            i += 1;
            for j in 0..3 {
                if j == i % 3 {
                    out.push(leaf("skip", i * 10 + j).await);
                    continue 'w;
                }
            }
            out.push(i);
        }
        out
    }
);
#[test]
fn t_while_label_continue_from_for() {
    agree!(while_label_continue_from_for(5));
}

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
    fn deep_nesting_five_levels(n: u32) -> Vec<String> {
        let mut out = vec![];
        for a in 0..n {
            if leaf("l1", a % 2 == 0).await {
                let mut b = 0;
                loop {
                    b += leaf("l2", 1).await;
                    match leaf("l3", (a + b) % 3).await {
                        0 => {
                            let mut c = 0;
                            while c < leaf("l4", 2).await {
                                c += 1;
                                if let Some(d) = leaf("l5", (c == 2).then_some(a * 10 + b)).await {
                                    out.push(format!("{a}{b}{c}:{}", leaf("d", d).await));
                                }
                            }
                        }
                        1 => out.push(format!("one {}", leaf("one", a).await)),
                        _ => break,
                    }
                    if b > 3 {
                        break;
                    }
                }
            } else {
                out.push(leaf("odd", format!("odd {a}")).await);
            }
        }
        out
    }
);
#[test]
fn t_deep_nesting_five_levels() {
    agree!(deep_nesting_five_levels(4));
}
