//! When values are dropped: order and timing at block, arm, branch and
//! iteration ends, guards, moves and reassignment, shadowed and renamed
//! locals (names in macros and format strings included), temporaries, and
//! cancellation: a future dropped at any suspension drops the values live
//! there as rustc does.
//!
//! Each body is compiled twice (as a `#[coroutine] fn` and as an `async fn`),
//! run on a trivial executor and checked with `agree!` (results, effect logs,
//! drop timing; and the same after dropping it at every suspension).

// Test bodies are deliberately unidiomatic (closures called in place,
// `x = x + ..`, ...): clippy's style lints do not apply to them.
#![allow(clippy::all)]

use crate::common::*;

// ---------------------------------------------------------------------------
// Drop order and guards.

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

both!(
    fn drop_order_within_one_block_after_await() -> u32 {
        let a = D("a");
        let x = leaf("x", 1).await;
        let b = D("b");
        let c = (D("c1"), D("c2"));
        see(&c.1);
        let _g = D("g");
        let _ = D("underscore");
        see(&b);
        see(&a);
        x
    }
);
#[test]
fn t_drop_order_within_one_block_after_await() {
    agree!(drop_order_within_one_block_after_await());
}

both!(
    fn guard_among_locals_drop_order() -> u32 {
        let a = D("a");
        let _g = D("g");
        let b = D("b");
        let n = leaf("x", 1).await;
        see(&a);
        see(&b);
        n
    }
);
#[test]
fn t_guard_among_locals_drop_order() {
    agree!(guard_among_locals_drop_order());
    agree!(guard_among_locals_drop_order());
}

// Fixed, was F04: compile error (E0382 use of moved value): two never-read guards of one name, in one scope or nested scopes.
both!(
    fn f04_shadowed_guards() -> u32 {
        let _g = D("g1");
        let _g = D("g2");
        leaf("a", 1).await
    }
);
both!(
    fn f04_shadowed_guards_nested() -> u32 {
        let _g = D("outer");
        {
            let _g = D("inner");
            leaf("a", 1).await;
        }
        2
    }
);
#[test]
fn f04() {
    agree!(f04_shadowed_guards());
    agree!(f04_shadowed_guards_nested());
}

both!(
    fn guards_in_loops(n: u32) -> u32 {
        let _outer = D("outer");
        let mut total = 0;
        for i in 0..n {
            let _g = D("iter");
            total += leaf("l", i).await;
            if i == 1 {
                continue;
            }
            let _h = D("h");
            if total > 2 {
                break;
            }
            leaf("l2", ()).await;
        }
        total
    }
);
#[test]
fn t_guards_in_loops() {
    agree!(guards_in_loops(5));
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
// Drop points at block, arm, branch and iteration ends.

// Fixed, was F06: drop order: locals of an inner block that resumes at a join point (after an `if`/`match`/loop with an await) live to the end of the enclosing block; a `RefMut` kept alive this way makes a later `borrow()` panic.
both!(
    fn f06_inner_block_locals_outlive_block(c: bool) -> &'static str {
        let a = D("a");
        {
            if c {
                leaf("x", ()).await;
            }
            let b = D("b");
            see(&b);
        }
        effect("after", 0);
        see(&a)
    }
);
mod f06_refmut {
    use super::*;
    use std::cell::RefCell;
    #[asyncio::coroutine]
    pub fn ours(cell: &RefCell<Vec<u32>>, c: bool) -> usize {
        {
            if c {
                leaf("x", ()).await;
            }
            cell.borrow_mut().push(1);
            let mut g = cell.borrow_mut();
            g.push(2);
        }
        cell.borrow().len()
    }
    pub async fn oracle(cell: &RefCell<Vec<u32>>, c: bool) -> usize {
        {
            if c {
                leaf("x", ()).await;
            }
            cell.borrow_mut().push(1);
            let mut g = cell.borrow_mut();
            g.push(2);
        }
        cell.borrow().len()
    }
}
#[test]
fn f06() {
    // ours [.., "see b", "eval after", "see a", "drop b", "drop a"], oracle [.., "see b", "drop b", "eval after", ..]
    agree!(f06_inner_block_locals_outlive_block(false));
    agree!(f06_inner_block_locals_outlive_block(true));
}
#[test]
fn f06_refmut() {
    let cell = std::cell::RefCell::new(vec![]);
    assert_eq!(block_on(f06_refmut::oracle(&cell, false)), 2);
    let cell = std::cell::RefCell::new(vec![]);
    assert_eq!(block_on(f06_refmut::ours(&cell, false)), 2); // panics: RefCell already mutably borrowed
}

// Fixed, was F07: drop order: a value is dropped where it becomes dead at a branch, although no await runs on that path.
both!(
    fn f07_dropped_at_branch_without_await(c: bool) -> u32 {
        let a = D("a");
        see(&a);
        if c {
            leaf("x", ()).await;
        }
        effect("after", 1)
    }
);
#[test]
fn f07() {
    agree!(f07_dropped_at_branch_without_await(false)); // ours ["see a", "drop a", "eval after"], oracle ["see a", "eval after", "drop a"]
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

/// Bodies the generator found (seed, index), kept as regression tests.
mod generated {
    // Generated bodies compute values they never read.
    #![allow(unused_variables, unused_assignments, clippy::all)]

    use super::*;
    fn half(v: u32) -> Option<u32> {
        (v % 2 == 0).then_some(v / 2)
    }
    both!(
        fn seed7_g8852(p: u32) -> Result<u32, u32> {
            let mut acc: u32 = 0;
            let mut i2: u32 = 0;
            let x1: u32 = 'a3: loop {
                i2 += 1;
                if leaf("c4", false).await {
                    break 'a3 leaf("l5", 4u32).await;
                }
                if i2 > 1 {
                    break 'a3 i2;
                }
                let mut x6: u32 = p.wrapping_add(0u32);
                x6 = x6.wrapping_mul(3).wrapping_add(leaf("l7", 4u32).await);
            };
            let mut i8: u32 = 0;
            'a9: loop {
                i8 += 1;
                if i8 > 1 {
                    break 'a9;
                }
                let mut i10: u32 = 0;
                'a11: loop {
                    i10 += 1;
                    if i10 > 1 {
                        break 'a11;
                    }
                    acc = acc.wrapping_add(leaf("l12", 0u32).await.wrapping_add(2u32));
                }
                let mut i13: u32 = 0;
                'a14: loop {
                    i13 += 1;
                    if i13 > 2 {
                        break 'a14;
                    }
                    let d15 = D("d15");
                }
            }
            let mut i16: u32 = 0;
            'a17: loop {
                i16 += 1;
                if i16 > 3 {
                    break 'a17;
                }
                let d18 = D("d18");
                if let Some(y19) = half(p) {
                    if leaf("l20", 1u32).await % 2 == 0 {
                        if leaf("c21", false).await {
                            continue 'a17;
                        }
                    } else {
                        acc = acc.wrapping_add(leaf("l22", leaf("l23", 3u32).await).await);
                    }
                    if y19 > 7 {
                        acc = acc.wrapping_add(4u32 ^ 4u32);
                    }
                }
                let _g24 = D("g24");
            }
            Ok(acc)
        }
    );

    #[test]
    fn seed7_g8852_released_at_branch_in_loop() {
        // A value released at the branch toward an await, in a loop: the
        // trace needs `new` events to tell that from a drop-order change.
        agree!(seed7_g8852(1));
        agree!(seed7_g8852(2));
    }
}

// ---------------------------------------------------------------------------
// Temporaries and awaited values.

both!(
    fn awaited_value_discarded_drops_now() -> u32 {
        leaf("a", D("a")).await;
        let _ = leaf("b", D("b")).await;
        let _keep = leaf("c", D("c")).await;
        effect("mid", 0);
        let x = leaf("d", (D("d"), 5)).await.1;
        effect("end", x)
    }
);
#[test]
fn t_awaited_value_discarded_drops_now() {
    // `(D("d"), 5)` lives in a hoisted temporary: see f09.
    agree!(awaited_value_discarded_drops_now());
}

// Fixed, was F09: drop order: an awaited value used only in part (`x.await.1`, `let (_, b) = x.await`) lives to the end of the block, not the statement.
both!(
    fn f09_await_temporary_outlives_statement() -> u32 {
        let x = leaf("a", (D("d"), 5)).await.1;
        effect("end", x)
    }
);
#[test]
fn f09() {
    agree!(f09_await_temporary_outlives_statement()); // ours ["ready a", "eval end", "drop d"], oracle ["ready a", "drop d", "eval end"]
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
    fn awaited_future_dropped_when_ready() -> u32 {
        let a = effect("before", 1) + hold("fut", leaf("a", 1)).await + effect("after", 2);
        let b = (hold("f2", leaf("b", 2)).await, effect("t", 3));
        a + b.0 + b.1
    }
);
#[test]
fn t_awaited_future_dropped_when_ready() {
    agree!(awaited_future_dropped_when_ready());
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

// Partly fixed, was F08 (temporaries now live through the arm up to its first await): drop order: temporaries of a `match` scrutinee are dropped before the arm runs instead of after the `match`.
both!(
    fn f08_scrutinee_temporary() -> u32 {
        match D("tmp").0.len() {
            n => {
                effect("arm", n);
                leaf("x", ()).await;
                n as u32
            }
        }
    }
);
#[test]
fn f08() {
    // Documented: the temporary cannot be kept across the await; it is
    // released there (README, "Release at last use").
    agree!(f08_scrutinee_temporary());
}

// ---------------------------------------------------------------------------
// Moves and reassignment.

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
#[test]
fn value_moved_and_reassigned_in_loop() {
    agree!(moved_in_loop_and_reassigned());
}

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
    fn reassign_across_awaits(n: u32) -> Vec<u32> {
        let mut cur = D("c0");
        let mut acc = vec![];
        for i in 0..n {
            see(&cur);
            let next = leaf("n", i).await;
            cur = if next % 2 == 0 { D("even") } else { D("odd") };
            acc.push(next);
        }
        see(&cur);
        acc
    }
);
#[test]
fn t_reassign_across_awaits() {
    agree!(reassign_across_awaits(3));
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
    fn moved_into_closure_before_await() -> String {
        let s = String::from("s");
        let d = D("moved");
        log(format!("len {}", s.len()));
        let f = move || {
            see(&d);
            s.len()
        };
        let n = leaf("a", 3usize).await;
        let g = move |x: usize| x + n;
        format!("{} {}", f(), g(leaf("b", 1).await))
    }
);
#[test]
fn t_moved_into_closure_before_await() {
    agree!(moved_into_closure_before_await());
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
    fn option_take_and_replace() -> (Option<u32>, u32) {
        let mut slot = Some(D("first"));
        let taken = slot.take();
        let n = leaf("a", 1).await;
        see(taken.as_ref().unwrap());
        slot = Some(D("second"));
        let old = slot.replace(D("third"));
        see(old.as_ref().unwrap());
        let m = leaf("b", 2).await;
        (slot.map(|d| d.0.len() as u32), n + m)
    }
);
#[test]
fn t_option_take_and_replace() {
    agree!(option_take_and_replace());
}

// Fixed, was F25: compile error (E0382): in macro arguments, a closure parameter or a path segment (`|x| ..`, `String::new`) named like a moved local counts as a use of it.
both!(
    fn f25_macro_names_like_moved_local() -> Vec<String> {
        let x = D("x");
        let new = D("new");
        drop(x);
        drop(new);
        leaf("a", ()).await;
        vec![
            (0..3u32).map(|x| x + 1).sum::<u32>().to_string(),
            String::new(),
        ]
    }
);
#[test]
fn f25() {
    agree!(f25_macro_names_like_moved_local());
}

// ---------------------------------------------------------------------------
// Shadowing and renamed locals.

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
#[test]
fn shadowing_format_args() {
    agree!(shadowing_and_format(4));
}

both!(
    fn shadow_same_scope_chain(a: u32) -> u32 {
        let x = a;
        let x = leaf("a", x + 1).await;
        let x = x * leaf("b", 2).await + x;
        let x = {
            let y = x;
            let x = leaf("c", y).await;
            x + y
        };
        x
    }
);
#[test]
fn t_shadow_same_scope_chain() {
    agree!(shadow_same_scope_chain(3));
}

both!(
    fn shadow_in_inner_scope_outer_used_after(a: u32) -> String {
        let x = D("outer");
        let y = a;
        {
            let x = leaf("in", a * 2).await;
            let y = x + 1;
            log(format!("inner {x} {y}"));
            leaf("in2", ()).await;
            log(format!("inner again {x} {y}"));
        }
        let s = format!("{} {y} {}", see(&x), x.0);
        s + &format!(" {:?}", leaf("t", y).await)
    }
);
#[test]
fn t_shadow_in_inner_scope_outer_used_after() {
    agree!(shadow_in_inner_scope_outer_used_after(3));
}

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

// Fixed, was F03: wrong result: three nested scopes shadowing one name; the two outer slots are both renamed `__r_x` and the wrong one is saved.
both!(
    fn f03_three_level_shadowing(a: u32) -> (u32, u32, u32) {
        let x = a;
        let r = {
            let x = a * 10;
            let r = {
                let x = a * 100;
                leaf("a", ()).await;
                x
            };
            (x, r)
        };
        (x, r.0, r.1)
    }
);
#[test]
fn f03() {
    agree!(f03_three_level_shadowing(1)); // ours (10, 10, 100), oracle (1, 10, 100)
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
    fn shadow_by_match_arm_and_if_let(v: Option<u32>) -> String {
        let x = 5u32;
        let r = match leaf("m", v).await {
            Some(x) => {
                let z = leaf("z", x * 10).await;
                format!("some {x} {z}")
            }
            None => format!("none {x}"),
        };
        let s = if let Some(x) = leaf("il", v.map(|v| v + 1)).await {
            leaf("w", ()).await;
            format!("{x}")
        } else {
            format!("{x}!")
        };
        format!("{r} {s} {x}")
    }
);
#[test]
fn t_shadow_by_match_arm_and_if_let() {
    agree!(shadow_by_match_arm_and_if_let(Some(2)));
    agree!(shadow_by_match_arm_and_if_let(None));
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

both!(
    fn shadowed_loop_variable(n: u32) -> (u32, u32) {
        let i = 1000;
        let mut sum = 0;
        for i in 0..n {
            let i = i * 2;
            sum += leaf("i", i).await;
        }
        (i, sum)
    }
);
#[test]
fn t_shadowed_loop_variable() {
    agree!(shadowed_loop_variable(3));
}

both!(
    fn nested_async_block_captures_renamed(a: u32) -> u32 {
        let x = a;
        {
            let x = leaf("in", a + 1).await;
            log(format!("{x}"));
        }
        let fut = async move { x * 2 };
        let y = fut.await;
        let z = leaf("z", x).await;
        y + z
    }
);
#[test]
fn t_nested_async_block_captures_renamed() {
    agree!(nested_async_block_captures_renamed(4));
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

// ---------------------------------------------------------------------------
// Shadowed and renamed locals in macros and format strings.

both!(
    fn format_captures_of_shadowed(a: u32) -> Vec<String> {
        let mut out = vec![];
        let x = a;
        let name = "outer";
        {
            let x = leaf("x", a + 100).await;
            let name = "inner";
            out.push(format!("{name}={x} {x:?} {x:>5}"));
            leaf("y", ()).await;
            out.push(format!("{name}={x}"));
        }
        out.push(format!("{name}={x} {x:?} {{x}} {}", x + 1));
        out.push(format!("{y:03}", y = x + leaf("z", 1).await));
        assert!(x == a, "x was {x}");
        out
    }
);
#[test]
fn t_format_captures_of_shadowed() {
    agree!(format_captures_of_shadowed(7));
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

// Fixed, was F23: compile error (named argument never used / E0425): a renamed (shadowed) local whose name appears as `{x}` in a macro string that is not the format string, or as an explicit named argument.
both!(
    fn f23_named_arg_like_renamed_local() -> String {
        let x = 1;
        {
            let x = leaf("a", 2).await;
            log(format!("{x}"));
        }
        format!("{x}", x = x + 10)
    }
);
both!(
    fn f23_brace_literal_in_vec() -> Vec<&'static str> {
        let x = 1;
        {
            let x = leaf("a", 2).await;
            log(format!("{x}"));
        }
        log(format!("{}", x));
        vec!["{x}"]
    }
);
#[test]
fn f23() {
    agree!(f23_named_arg_like_renamed_local());
    agree!(f23_brace_literal_in_vec());
}

// Fixed, was F24: compile error (E0560): struct shorthand `S { x }` inside a macro, with `x` renamed, becomes `S { __r_x }`.
#[derive(Debug, PartialEq)]
struct Q24 {
    x: u32,
}
both!(
    fn f24_shorthand_in_macro() -> Vec<Q24> {
        let x = 1;
        {
            let x = leaf("a", 2).await;
            log(format!("{x}"));
        }
        vec![Q24 { x }]
    }
);
#[test]
fn f24() {
    agree!(f24_shorthand_in_macro());
}

// F26 wrong output: renamed locals (and `self`, always renamed) show their hidden names in macros that quote their input (`stringify!`, `assert!` failure messages).
both!(
    fn f26_stringify_renamed() -> &'static str {
        let x = 1;
        {
            let x = leaf("a", 2).await;
            log(format!("{x}"));
        }
        let _ = x;
        stringify!(x + 1)
    }
);
#[test]
#[ignore = "stringify! of a renamed local shows its hidden name: ours `__r_x_0 + 1`, async fn `x + 1`"]
fn f26() {
    agree!(f26_stringify_renamed()); // ours "__r_x + 1", oracle "x + 1"
}

// ---------------------------------------------------------------------------
// Cancellation: values live at a suspension are dropped like rustc does.

both!(
    fn cancel_me(n: u32) -> u32 {
        let a = D("a");
        let _g = D("g");
        let mut total = 0;
        {
            let b = D("b");
            for i in 0..n {
                let c = D("c");
                total += hold("fut", leaf("l", i)).await;
                see(&c);
            }
            see(&b);
        }
        see(&a);
        total
    }
);
#[test]
fn t_cancel_me() {
    agree!(cancel_me(3));
    agree!(cancel_me(3));
}

both!(
    fn cancel_before_first_poll(a: D, b: D) -> u32 {
        leaf("x", ()).await;
        see(&a);
        see(&b);
        0
    }
);
#[test]
fn t_cancel_before_first_poll() {
    agree!(cancel_before_first_poll(D("a"), D("b")));
    agree!(cancel_before_first_poll(D("a"), D("b")));
}

both!(
    fn cancel_in_for(n: u32) -> u32 {
        let head = D("head");
        let mut total = 0;
        for d in vec![D("1"), D("2"), D("3")] {
            let local = D("local");
            total += hold("fut", leaf("l", n)).await;
            see(&d);
            see(&local);
        }
        see(&head);
        total
    }
);
#[test]
fn t_cancel_in_for() {
    agree!(cancel_in_for(1));
    agree!(cancel_in_for(1));
}

both!(
    fn cancel_in_match_arm(v: Option<D>) -> u32 {
        let outer = D("outer");
        let r = match v {
            Some(d) => {
                let x = hold("fut", leaf("x", 1)).await;
                see(&d);
                x
            }
            None => 0,
        };
        see(&outer);
        r
    }
);
#[test]
fn t_cancel_in_match_arm() {
    agree!(cancel_in_match_arm(Some(D("d"))));
    agree!(cancel_in_match_arm(Some(D("d"))));
}

both!(
    fn cancel_with_temporaries() -> u32 {
        let a = D("a");
        let v = (D("t1"), effect("e", 1) + leaf("x", 2).await, see(&a));
        v.1
    }
);
#[test]
fn t_cancel_with_temporaries() {
    agree!(cancel_with_temporaries());
}

both!(
    fn cancel_guard_in_loop_with_break(n: u32) -> u32 {
        let _outer = D("outer");
        let mut i = 0;
        let r = loop {
            let _g = D("g");
            i += hold("f", leaf("i", 1)).await;
            if i == n {
                break i;
            }
        };
        r
    }
);
#[test]
fn t_cancel_guard_in_loop_with_break() {
    agree!(cancel_guard_in_loop_with_break(3));
    agree!(cancel_guard_in_loop_with_break(3));
}
