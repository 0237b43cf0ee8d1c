//! Borrows held across awaits, each body compiled twice (as a `#[coroutine]
//! fn` and as an `async fn`) and compared with `agree!` / `check_both`:
//! references to locals (`&`, `&mut`, `&str` slices, field borrows) kept
//! across an await; futures that borrow locals (helpers taking `&`/`&mut`,
//! hand-made futures, closures borrowing locals, pinned and stored futures);
//! `&self`/`&mut self` methods called in sequence on a local; iterators over
//! a local (`iter`, `iter_mut`, `split_whitespace`, `lines`, `chunks`,
//! `enumerate`, `zip`, ...) driven across awaits; temporaries borrowed by the
//! awaited future (`f(&format!(..)).await`, `f(&D("t")).await`) and their
//! drop at the end of the statement; reborrows of `&mut` parameters;
//! `&mut self` methods of a mini-redis-like connection awaiting each other,
//! `ref` bindings into `self.state`; generic fns with lifetimes; early
//! returns, `?`, `break`, `continue`, `match` and shadowing with a borrow
//! held; moves out of a local once its borrow ended; closures, format
//! captures, `#[cfg]` and `macro_rules!` using a borrowed local; and the drop
//! timing of borrowed `D` values in loop bodies and inner blocks.
//!
//! Every body awaits at least once while a borrow of a local is live, but
//! for a few moved here from the other corpus modules: borrows that end just
//! before an await (`borrow_ended_before_await`, `f12`) and `&mut`
//! parameters assigned through across awaits (`deref_assign`).

// Test bodies are deliberately unidiomatic: clippy's style lints do not
// apply to them.
#![allow(clippy::all)]

use crate::common::*;
use std::collections::BTreeMap;
use std::pin::Pin;

// ---------------------------------------------------------------------------
// Helpers shared by both sides (plain `async fn`s, hand-made futures, and
// plain fns returning `impl Future`).

/// Pushes `n` after an await; returns the new length.
async fn push_later(buf: &mut Vec<u32>, n: u32) -> usize {
    let x = leaf("push", n).await;
    buf.push(x);
    buf.len()
}

/// Pushes two values, one await each; returns the new length.
async fn fill(buf: &mut Vec<u32>) -> usize {
    for i in 0..2 {
        buf.push(leaf("fill", i).await);
    }
    buf.len()
}

/// Sees `file` after an await; returns `i * 10`.
async fn upload(file: &D, i: u32) -> u32 {
    let k = leaf("upload", i).await;
    see(file);
    k * 10
}

/// Logs `s` after an await; returns its length.
async fn measure(s: &str) -> usize {
    leaf("measure", ()).await;
    log(format!("measure {s}"));
    s.len()
}

/// Calls `f` on a value that arrives after an await.
async fn apply(f: impl Fn(u32) -> u32, x: u32) -> u32 {
    let y = leaf("apply", x).await;
    f(y)
}

/// Calls `f` twice after an await.
async fn apply_mut(mut f: impl FnMut(u32), x: u32) {
    let y = leaf("apply_mut", x).await;
    f(y);
    f(y + 1);
}

/// Takes `file` by value and sees it after an await.
async fn consume(file: D) {
    leaf("consume", ()).await;
    see(&file);
}

/// Ends a borrow (or drops a value) explicitly: `drop` of a reference is
/// linted.
fn release<T>(_: T) {}

/// Returns a reference into its argument, after an await.
async fn first_of(v: &[D]) -> &D {
    leaf("first_of", ()).await;
    &v[0]
}

/// The longer of two strings, after an await.
async fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    leaf("longest", ()).await;
    if a.len() >= b.len() { a } else { b }
}

/// A plain fn returning a leaf: the future captures the slice's lifetime.
fn len_later(v: &[u32]) -> impl Future<Output = usize> + '_ {
    leaf("len_later", v.len())
}

/// A plain fn returning an `async move` block that reads the slice after an
/// await.
fn sum_later(v: &[u32]) -> impl Future<Output = u32> + '_ {
    async move {
        leaf("sum_later", ()).await;
        v.iter().sum()
    }
}

/// A hand-made future borrowing a `D`: pending once, then sees it.
struct Look<'a>(&'a D, bool);
impl Future for Look<'_> {
    type Output = &'static str;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<&'static str> {
        if !self.1 {
            self.1 = true;
            log(format!("pend look {}", (self.0).0));
            return Poll::Pending;
        }
        Poll::Ready(see(self.0))
    }
}
fn look(d: &D) -> Look<'_> {
    Look(d, false)
}

/// A hand-made future borrowing a `Vec` mutably: pending once, then pushes.
struct Append<'a>(&'a mut Vec<u32>, u32, bool);
impl Future for Append<'_> {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        if !this.2 {
            this.2 = true;
            log(format!("pend append {}", this.1));
            return Poll::Pending;
        }
        this.0.push(this.1);
        log(format!("append {}", this.1));
        Poll::Ready(this.0.len())
    }
}
fn append(v: &mut Vec<u32>, x: u32) -> Append<'_> {
    Append(v, x, false)
}

/// A struct with `&self` / `&mut self` async methods, used by both sides.
struct Counter {
    n: u32,
    tag: D,
}
impl Counter {
    fn new(tag: &'static str) -> Self {
        Counter { n: 0, tag: D(tag) }
    }
    async fn bump(&mut self, by: u32) -> u32 {
        self.n += leaf("bump", by).await;
        self.n
    }
    async fn peek(&self) -> u32 {
        let v = leaf("peek", self.n).await;
        see(&self.tag);
        v
    }
    async fn into_n(self) -> u32 {
        leaf("into_n", self.n).await
    }
    async fn label(&self) -> &str {
        leaf("label", ()).await;
        self.tag.0
    }
}

/// A struct whose fields are borrowed separately.
struct Named {
    name: String,
    d: D,
}

enum Shape {
    Circle(D),
    Square(D, u32),
}

/// Runs `$name` on a fresh `$init` per call, passed as `&mut`, and compares
/// the result together with `$after` (which may read the value, `$x`).
macro_rules! agree_mut {
    ($name:ident($init:expr $(, $arg:expr)*) => |$x:ident| $after:expr) => {
        check_both(
            stringify!($name),
            || async {
                let mut $x = $init;
                let r = $name::ours(&mut $x $(, $arg)*).await;
                (r, $after)
            },
            || async {
                let mut $x = $init;
                let r = $name::oracle(&mut $x $(, $arg)*).await;
                (r, $after)
            },
        )
    };
}

/// A generic body: `pair!(fn name[<generics>](args) -> T where [..] { .. })`
/// (generics in brackets, the `where` clause optional).
macro_rules! pair {
    (fn $name:ident[$($g:tt)*]($($args:tt)*) -> $ret:ty $(where [$($w:tt)*])? { $($body:tt)* }) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[asyncio::coroutine]
            pub fn ours<$($g)*>($($args)*) -> $ret $(where $($w)*)? { $($body)* }
            #[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]
            pub async fn oracle<$($g)*>($($args)*) -> $ret $(where $($w)*)? { $($body)* }
        }
    };
}

// ---------------------------------------------------------------------------
// A reference to a local held across an await.

both!(
    fn ref_to_vec_of_d() -> usize {
        let v = vec![D("a"), D("b")];
        let r = &v;
        leaf("x", ()).await;
        see(&r[0]);
        let n = r.len();
        leaf("y", ()).await;
        see(&r[1]);
        let after = D("after");
        see(&after);
        n
    }
);
#[test]
fn t_ref_to_vec_of_d() {
    agree!(ref_to_vec_of_d());
}

both!(
    fn ref_to_single_d() -> u32 {
        let d = D("one");
        let r = &d;
        let k = leaf("k", 3).await;
        see(r);
        let e = D("two");
        leaf("z", ()).await;
        see(r);
        see(&e);
        k
    }
);
#[test]
fn t_ref_to_single_d() {
    agree!(ref_to_single_d());
}

both!(
    fn two_refs_into_one_local() -> String {
        let v = vec![D("p"), D("q")];
        let a = &v[0];
        let b = &v[1];
        leaf("one", ()).await;
        let s = format!("{}{}", see(b), see(a));
        leaf("two", ()).await;
        see(a);
        s
    }
);
#[test]
fn t_two_refs_into_one_local() {
    agree!(two_refs_into_one_local());
}

both!(
    fn ref_to_ref_chain() -> &'static str {
        let d = D("deep");
        let r = &d;
        let rr = &r;
        leaf("a", ()).await;
        see(rr);
        let rrr = &rr;
        leaf("b", ()).await;
        see(**rrr)
    }
);
#[test]
fn t_ref_to_ref_chain() {
    agree!(ref_to_ref_chain());
}

both!(
    fn mut_ref_written_after() -> Vec<u32> {
        let mut v = vec![1u32];
        let m = &mut v;
        leaf("a", ()).await;
        m.push(leaf("b", 2).await);
        m.push(3);
        let d = D("mut");
        leaf("c", ()).await;
        m.push(see(&d).len() as u32);
        v
    }
);
#[test]
fn t_mut_ref_written_after() {
    agree!(mut_ref_written_after());
}

both!(
    fn mut_ref_to_d_replaced() -> &'static str {
        let mut d = D("old");
        let m = &mut d;
        leaf("a", ()).await;
        *m = D("new");
        leaf("b", ()).await;
        see(m);
        see(&d)
    }
);
#[test]
fn t_mut_ref_to_d_replaced() {
    agree!(mut_ref_to_d_replaced());
}

both!(
    fn two_mut_refs_swapped() -> String {
        let mut a = D("left");
        let mut b = D("right");
        let (x, y) = (&mut a, &mut b);
        leaf("a", ()).await;
        std::mem::swap(x, y);
        leaf("b", ()).await;
        see(x);
        format!("{}{}", see(&a), see(&b))
    }
);
#[test]
fn t_two_mut_refs_swapped() {
    agree!(two_mut_refs_swapped());
}

both!(
    fn str_slice_of_local_string() -> String {
        let s = String::from("hello world");
        let head = &s[..5];
        leaf("a", ()).await;
        log(format!("head {head}"));
        let tail = &s[6..];
        leaf("b", ()).await;
        format!("{tail}-{head}")
    }
);
#[test]
fn t_str_slice_of_local_string() {
    agree!(str_slice_of_local_string());
}

both!(
    fn str_slice_outlives_a_drop() -> usize {
        let d = D("text");
        let s = format!("{}-suffix", d.0);
        let t: &str = s.as_str();
        leaf("a", ()).await;
        drop(d);
        let u = t.trim_end_matches("-suffix");
        leaf("b", ()).await;
        log(format!("trimmed {u}"));
        t.len()
    }
);
#[test]
fn t_str_slice_outlives_a_drop() {
    agree!(str_slice_outlives_a_drop());
}

both!(
    fn field_borrows() -> usize {
        let s = Named {
            name: String::from("pair"),
            d: D("field"),
        };
        let f = &s.d;
        let n = &s.name;
        leaf("a", ()).await;
        see(f);
        log(format!("name {n}"));
        leaf("b", ()).await;
        n.len()
    }
);
#[test]
fn t_field_borrows() {
    agree!(field_borrows());
}

both!(
    fn disjoint_field_borrows_then_move() -> String {
        let mut s = Named {
            name: String::from("nm"),
            d: D("disjoint"),
        };
        let name = &mut s.name;
        let d = &s.d;
        leaf("a", ()).await;
        name.push('!');
        see(d);
        leaf("b", ()).await;
        name.push('?');
        let out = s.name;
        let later = D("later");
        see(&later);
        out
    }
);
#[test]
fn t_disjoint_field_borrows_then_move() {
    agree!(disjoint_field_borrows_then_move());
}

both!(
    fn tuple_field_borrow() -> u32 {
        let t = (D("t0"), D("t1"), 5u32);
        let r = &t.1;
        let k = leaf("a", 1).await;
        see(r);
        leaf("b", ()).await;
        see(&t.0);
        t.2 + k
    }
);
#[test]
fn t_tuple_field_borrow() {
    agree!(tuple_field_borrow());
}

both!(
    fn array_element_mut_borrow() -> Vec<&'static str> {
        let mut arr = [D("x0"), D("x1"), D("x2")];
        let m = &mut arr[1];
        leaf("a", ()).await;
        *m = D("x1b");
        leaf("b", ()).await;
        arr.iter().map(see).collect()
    }
);
#[test]
fn t_array_element_mut_borrow() {
    agree!(array_element_mut_borrow());
}

both!(
    fn slice_of_local_array() -> u32 {
        let arr = [1u32, 2, 3, 4];
        let s = &arr[1..3];
        let k = leaf("a", 10).await;
        let sum: u32 = s.iter().sum();
        sum + k + leaf("b", s[1]).await
    }
);
#[test]
fn t_slice_of_local_array() {
    agree!(slice_of_local_array());
}

both!(
    fn ref_held_through_if_with_awaits(flag: bool) -> usize {
        let v = vec![D("c0")];
        let r = &v;
        if leaf("cond", flag).await {
            leaf("then", ()).await;
            see(&r[0]);
        } else {
            log("else");
        }
        let d = D("c1");
        leaf("after", ()).await;
        see(&d);
        r.len()
    }
);
#[test]
fn t_ref_held_through_if_with_awaits() {
    agree!(ref_held_through_if_with_awaits(true));
    agree!(ref_held_through_if_with_awaits(false));
}

both!(
    fn option_of_ref() -> Option<&'static str> {
        let d = D("optref");
        let o: Option<&D> = Some(&d);
        leaf("a", ()).await;
        let e = D("other");
        leaf("b", ()).await;
        see(&e);
        o.map(see)
    }
);
#[test]
fn t_option_of_ref() {
    agree!(option_of_ref());
}

both!(
    fn vec_of_refs() -> &'static str {
        let a = D("va");
        let b = D("vb");
        let refs = vec![&a, &b];
        leaf("a", ()).await;
        for r in &refs {
            see(r);
        }
        drop(refs);
        drop(a);
        leaf("b", ()).await;
        see(&b)
    }
);
#[test]
fn t_vec_of_refs() {
    agree!(vec_of_refs());
}

both!(
    fn box_deref_borrow() -> &'static str {
        let b = Box::new(D("boxed"));
        let r: &D = &b;
        leaf("a", ()).await;
        let s = see(r);
        let c = D("c");
        leaf("b", ()).await;
        see(&c);
        s
    }
);
#[test]
fn t_box_deref_borrow() {
    agree!(box_deref_borrow());
}

both!(
    fn rc_deref_borrow() -> usize {
        let rc = std::rc::Rc::new(D("rc"));
        let r: &D = &rc;
        let rc2 = rc.clone();
        leaf("a", ()).await;
        see(r);
        let n = std::rc::Rc::strong_count(&rc);
        drop(rc2);
        leaf("b", ()).await;
        see(r);
        n + std::rc::Rc::strong_count(&rc)
    }
);
#[test]
fn t_rc_deref_borrow() {
    agree!(rc_deref_borrow());
}

both!(
    fn refcell_guard_across_await() -> Vec<u32> {
        let cell = RefCell::new(vec![1u32]);
        {
            let b = cell.borrow();
            leaf("a", ()).await;
            log(format!("len {}", b.len()));
        }
        {
            let mut m = cell.borrow_mut();
            m.push(leaf("b", 2).await);
        }
        let r = &cell;
        leaf("c", ()).await;
        r.borrow_mut().push(3);
        cell.into_inner()
    }
);
#[test]
fn t_refcell_guard_across_await() {
    agree!(refcell_guard_across_await());
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

// ---------------------------------------------------------------------------
// Futures that borrow a local.

both!(
    fn fill_local_buffer() -> (usize, Vec<u32>) {
        let mut buf = Vec::new();
        let d = D("buf");
        fill(&mut buf).await;
        see(&d);
        let n = fill(&mut buf).await;
        buf.push(leaf("tail", 9).await);
        (n, buf)
    }
);
#[test]
fn t_fill_local_buffer() {
    agree!(fill_local_buffer());
}

both!(
    fn upload_file_dead_afterwards() -> u32 {
        let file = D("file");
        let mut total = 0;
        for i in 0..3 {
            total += upload(&file, i).await;
        }
        let other = D("after");
        leaf("x", ()).await;
        see(&other);
        total
    }
);
#[test]
fn t_upload_file_dead_afterwards() {
    agree!(upload_file_dead_afterwards());
}

both!(
    fn upload_shadowed_file() -> u32 {
        let file = D("f1");
        let n = upload(&file, 1).await;
        let file = D("f2");
        let m = upload(&file, 2).await;
        leaf("end", ()).await;
        n + m
    }
);
#[test]
fn t_upload_shadowed_file() {
    agree!(upload_shadowed_file());
}

both!(
    fn closure_borrowing_locals_passed_to_helper() -> u32 {
        let base = vec![10u32, 20];
        let d = D("cl");
        let f = |x: u32| {
            see(&d);
            x + base[0]
        };
        let a = apply(&f, 1).await;
        let b = apply(f, 2).await;
        a + b + base[1]
    }
);
#[test]
fn t_closure_borrowing_locals_passed_to_helper() {
    agree!(closure_borrowing_locals_passed_to_helper());
}

both!(
    fn closure_mut_borrowing_local_passed_to_helper() -> Vec<u32> {
        let mut seen = Vec::new();
        apply_mut(|y| seen.push(y), 4).await;
        let d = D("between");
        apply_mut(|y| seen.push(y * 2), 5).await;
        see(&d);
        seen
    }
);
#[test]
fn t_closure_mut_borrowing_local_passed_to_helper() {
    agree!(closure_mut_borrowing_local_passed_to_helper());
}

both!(
    fn hand_made_future_borrowing_local() -> String {
        let d = D("looked");
        let r = look(&d).await;
        let e = D("later");
        let s = look(&e).await;
        see(&d);
        format!("{r}{s}")
    }
);
#[test]
fn t_hand_made_future_borrowing_local() {
    agree!(hand_made_future_borrowing_local());
}

both!(
    fn hand_made_future_mut_borrow() -> (usize, Vec<u32>) {
        let mut v = vec![];
        append(&mut v, 1).await;
        let n = append(&mut v, 2).await;
        v.push(3);
        append(&mut v, 4).await;
        (n, v)
    }
);
#[test]
fn t_hand_made_future_mut_borrow() {
    agree!(hand_made_future_mut_borrow());
}

both!(
    fn future_stored_then_awaited() -> &'static str {
        let d = D("pending");
        let fut = look(&d);
        log("created");
        let e = D("meanwhile");
        let s = fut.await;
        see(&e);
        see(&d);
        s
    }
);
#[test]
fn t_future_stored_then_awaited() {
    agree!(future_stored_then_awaited());
}

both!(
    fn two_stored_futures_awaited_out_of_order() -> String {
        let v = vec![D("s1"), D("s2")];
        let a = look(&v[0]);
        let b = look(&v[1]);
        let x = b.await;
        let y = a.await;
        format!("{x}{y}")
    }
);
#[test]
fn t_two_stored_futures_awaited_out_of_order() {
    agree!(two_stored_futures_awaited_out_of_order());
}

both!(
    fn helper_returns_reference_into_local() -> usize {
        let v = vec![D("h0"), D("h1")];
        let f = first_of(&v).await;
        leaf("x", ()).await;
        see(f);
        v.len()
    }
);
#[test]
fn t_helper_returns_reference_into_local() {
    agree!(helper_returns_reference_into_local());
}

both!(
    fn plain_fns_returning_borrowing_futures() -> (usize, u32) {
        let mut v = vec![1u32, 2, 3];
        let n = len_later(&v).await;
        v.push(4);
        let s = sum_later(&v[1..]).await;
        let d = D("plain");
        let m = len_later(&v).await;
        see(&d);
        (n + m, s)
    }
);
#[test]
fn t_plain_fns_returning_borrowing_futures() {
    agree!(plain_fns_returning_borrowing_futures());
}

both!(
    fn measure_slices_of_local() -> usize {
        let s = String::from("abc def");
        let d = D("measured");
        let n = measure(&s[..3]).await + measure(&s).await;
        see(&d);
        n + measure(s.split(' ').last().unwrap()).await
    }
);
#[test]
fn t_measure_slices_of_local() {
    agree!(measure_slices_of_local());
}

// ---------------------------------------------------------------------------
// `&self` / `&mut self` async methods called in sequence on a local.

both!(
    fn counter_bump_then_peek() -> u32 {
        let mut c = Counter::new("ctr");
        c.bump(2).await;
        c.bump(3).await;
        c.peek().await
    }
);
#[test]
fn t_counter_bump_then_peek() {
    agree!(counter_bump_then_peek());
}

both!(
    fn counter_shared_then_mut_reborrow() -> u32 {
        let mut c = Counter::new("c2");
        let r = &c;
        let p = r.peek().await;
        let q = r.peek().await;
        c.bump(p + q + 1).await;
        let s = &mut c;
        s.bump(1).await;
        s.bump(2).await;
        c.n
    }
);
#[test]
fn t_counter_shared_then_mut_reborrow() {
    agree!(counter_shared_then_mut_reborrow());
}

both!(
    fn counters_in_vec_iter_mut() -> u32 {
        let mut cs = vec![Counter::new("va"), Counter::new("vb")];
        for (i, c) in cs.iter_mut().enumerate() {
            c.bump(i as u32 + 1).await;
        }
        cs[0].peek().await + cs[1].peek().await
    }
);
#[test]
fn t_counters_in_vec_iter_mut() {
    agree!(counters_in_vec_iter_mut());
}

both!(
    fn method_returning_reference_into_local() -> usize {
        let c = Counter::new("lab");
        let l = c.label().await;
        leaf("x", ()).await;
        let p = c.peek().await;
        l.len() + p as usize
    }
);
#[test]
fn t_method_returning_reference_into_local() {
    agree!(method_returning_reference_into_local());
}

both!(
    fn counter_moved_after_methods() -> u32 {
        let mut c = Counter::new("moved");
        c.bump(5).await;
        let d = c;
        let e = Counter::new("fresh");
        let n = d.peek().await + e.peek().await;
        drop(d);
        leaf("end", ()).await;
        n
    }
);
#[test]
fn t_counter_moved_after_methods() {
    agree!(counter_moved_after_methods());
}

// ---------------------------------------------------------------------------
// Iterators over a local driven across awaits.

both!(
    fn for_over_iter_of_local() -> Vec<&'static str> {
        let v = vec![D("i0"), D("i1"), D("i2")];
        let mut out = vec![];
        for x in v.iter() {
            leaf("it", ()).await;
            out.push(see(x));
        }
        let d = D("post");
        leaf("later", ()).await;
        see(&d);
        out
    }
);
#[test]
fn t_for_over_iter_of_local() {
    agree!(for_over_iter_of_local());
}

both!(
    fn for_over_a_method_of_a_temporary() -> Vec<i32> {
        // The temporary `make()` lives to the end of the loop, as rustc
        // keeps the temporaries of a `for` head.
        fn make() -> std::collections::BTreeSet<i32> {
            [1, 2, 3, 5].into_iter().collect()
        }
        let before: std::collections::BTreeSet<i32> = [2, 5].into_iter().collect();
        let mut out = vec![];
        for x in make().difference(&before) {
            out.push(leaf("diff", *x).await);
        }
        out
    }
);
#[test]
fn t_for_over_a_method_of_a_temporary() {
    agree!(for_over_a_method_of_a_temporary());
}

both!(
    fn for_over_temporaries_in_a_chain_and_by_reference() -> Vec<String> {
        let mut out = vec![];
        for (i, w) in String::from("a b c")
            .split(' ')
            .map(str::to_uppercase)
            .enumerate()
        {
            out.push(format!("{i}{}", leaf("w", w).await));
        }
        for d in &vec![D("r0"), D("r1")] {
            leaf("ref", ()).await;
            out.push(see(d).to_string());
        }
        fn words(s: &str) -> std::str::SplitWhitespace<'_> {
            s.split_whitespace()
        }
        for w in words(&format!("x{} y{}", 1, 2)) {
            out.push(leaf("word", w).await.to_string());
        }
        for c in format!("{}-{}", 1, 2).chars().rev() {
            out.push(leaf("c", c).await.to_string());
        }
        let mut v = vec![D("m0"), D("m1")];
        for d in std::mem::take(&mut v).iter_mut() {
            leaf("mut", ()).await;
            out.push(see(d).to_string());
        }
        out
    }
);
#[test]
fn t_for_over_temporaries_in_a_chain_and_by_reference() {
    agree!(for_over_temporaries_in_a_chain_and_by_reference());
}

fn make_two() -> Vec<D> {
    vec![D("s0"), D("s1")]
}

both!(
    fn match_scrutinee_temporary_borrowed_across_await() -> Vec<String> {
        let mut out = vec![];
        match make_two().first() {
            Some(d) => {
                leaf("match", ()).await;
                out.push(see(d).to_string());
            }
            None => {}
        }
        out
    }
);
#[test]
fn t_match_scrutinee_temporary_borrowed_across_await() {
    agree!(match_scrutinee_temporary_borrowed_across_await());
}

both!(
    fn if_let_scrutinee_temporary_borrowed_across_await(i: usize) -> Vec<String> {
        let mut out = vec![];
        if let Some(d) = make_two().get(i) {
            leaf("if let", ()).await;
            out.push(see(d).to_string());
        } else {
            // Edition 2024: the scrutinee's temporaries are dropped by now.
            log("else".to_string());
            leaf("else", ()).await;
        }
        out
    }
);
#[test]
fn t_if_let_scrutinee_temporary_borrowed_across_await() {
    agree!(if_let_scrutinee_temporary_borrowed_across_await(1));
    agree!(if_let_scrutinee_temporary_borrowed_across_await(5));
}

both!(
    fn while_let_scrutinee_temporary_borrowed_across_await() -> Vec<String> {
        let mut out = vec![];
        let mut n = 0;
        while let Some(d) = make_two().get(n) {
            leaf("while let", ()).await;
            out.push(see(d).to_string());
            n += 1;
        }
        out
    }
);
#[test]
fn t_while_let_scrutinee_temporary_borrowed_across_await() {
    agree!(while_let_scrutinee_temporary_borrowed_across_await());
}

// Found by the generated corpus: a head temporary kept inside an arm or
// a branch must not move the scrutinee's awaited future (and the temporary
// it borrows, `&D("t")`) out of the statement's reach.
both!(
    fn awaited_scrutinee_temporaries_with_kept_heads_inside() -> u32 {
        let mut acc = 0u32;
        match look(&D("t1")).await.len() % 3 {
            0 => {
                if let Some(d) = make_two().first() {
                    leaf("arm", ()).await;
                    acc += see(d).len() as u32;
                }
            }
            _ => acc += 1,
        }
        if let Some(y) = Some(look(&D("t2")).await.len() as u32) {
            for d in make_two().iter() {
                acc += leaf("it", y).await + see(d).len() as u32;
            }
        }
        acc
    }
);
#[test]
fn t_awaited_scrutinee_temporaries_with_kept_heads_inside() {
    agree!(awaited_scrutinee_temporaries_with_kept_heads_inside());
}

both!(
    fn for_over_split_whitespace() -> usize {
        let text = String::from("the quick  brown fox");
        let mut n = 0;
        for w in text.split_whitespace() {
            n += leaf("w", w.len()).await;
            log(format!("word {w}"));
        }
        n
    }
);
#[test]
fn t_for_over_split_whitespace() {
    agree!(for_over_split_whitespace());
}

both!(
    fn for_over_lines_enumerated() -> Vec<String> {
        let text = format!("{}\n{}\nthird", "one", "two");
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let k = leaf("line", i).await;
            out.push(format!("{k}:{line}"));
        }
        out
    }
);
#[test]
fn t_for_over_lines_enumerated() {
    agree!(for_over_lines_enumerated());
}

both!(
    fn for_over_iter_mut() -> Vec<u32> {
        let mut v = vec![1u32, 2, 3];
        for x in v.iter_mut() {
            *x += leaf("im", *x).await;
        }
        for x in &mut v {
            leaf("again", ()).await;
            *x *= 10;
        }
        v
    }
);
#[test]
fn t_for_over_iter_mut() {
    agree!(for_over_iter_mut());
}

both!(
    fn for_over_chunks() -> Vec<u32> {
        let v: Vec<u32> = (1..=7).collect();
        let mut sums = vec![];
        for c in v.chunks(3) {
            sums.push(leaf("chunk", c.iter().sum::<u32>()).await);
            log(format!("len {}", c.len()));
        }
        sums
    }
);
#[test]
fn t_for_over_chunks() {
    agree!(for_over_chunks());
}

both!(
    fn for_over_chunks_mut_enumerated() -> Vec<u32> {
        let mut v = vec![0u32; 5];
        for (i, c) in v.chunks_mut(2).enumerate() {
            let k = leaf("cm", i as u32).await;
            for x in c.iter_mut() {
                *x = k;
            }
        }
        v
    }
);
#[test]
fn t_for_over_chunks_mut_enumerated() {
    agree!(for_over_chunks_mut_enumerated());
}

both!(
    fn enumerate_borrowed_d() -> String {
        let v = vec![D("e0"), D("e1")];
        let mut s = String::new();
        for (i, d) in v.iter().enumerate() {
            leaf("e", i).await;
            s.push_str(see(d));
        }
        s
    }
);
#[test]
fn t_enumerate_borrowed_d() {
    agree!(enumerate_borrowed_d());
}

both!(
    fn iterator_held_in_a_local() -> (Option<u32>, Option<u32>, usize) {
        let v = vec![1u32, 2, 3, 4];
        let mut it = v.iter();
        let a = it.next();
        leaf("a", ()).await;
        let b = it.next();
        leaf("b", ()).await;
        (a.copied(), b.copied(), it.count())
    }
);
#[test]
fn t_iterator_held_in_a_local() {
    agree!(iterator_held_in_a_local());
}

both!(
    fn peekable_chars_while_let() -> u32 {
        let s = String::from("aabccc");
        let mut it = s.chars().peekable();
        let mut runs = 0;
        while let Some(c) = it.next() {
            leaf("c", ()).await;
            if it.peek() != Some(&c) {
                runs += 1;
            }
        }
        runs
    }
);
#[test]
fn t_peekable_chars_while_let() {
    agree!(peekable_chars_while_let());
}

both!(
    fn zip_two_locals() -> u32 {
        let a = vec![D("za"), D("zb")];
        let b = vec![1u32, 2];
        let mut total = 0;
        for (d, k) in a.iter().zip(&b) {
            total += leaf("z", *k).await;
            see(d);
        }
        total
    }
);
#[test]
fn t_zip_two_locals() {
    agree!(zip_two_locals());
}

both!(
    fn windows_reversed() -> Vec<u32> {
        let v = vec![1u32, 4, 9, 16];
        let mut diffs = vec![];
        for w in v.windows(2).rev() {
            diffs.push(leaf("w", w[1] - w[0]).await);
        }
        diffs
    }
);
#[test]
fn t_windows_reversed() {
    agree!(windows_reversed());
}

both!(
    fn filtered_iter_of_d() -> Vec<&'static str> {
        let v = vec![D("f"), D("ff"), D("fff")];
        let mut out = vec![];
        for d in v.iter().filter(|d| d.0.len() > 1) {
            leaf("flt", ()).await;
            out.push(see(d));
        }
        out
    }
);
#[test]
fn t_filtered_iter_of_d() {
    agree!(filtered_iter_of_d());
}

both!(
    fn btreemap_iter_and_get_mut() -> Vec<(String, u32)> {
        let mut m = BTreeMap::new();
        m.insert(String::from("b"), 2u32);
        m.insert(String::from("a"), 1u32);
        for (k, v) in &m {
            leaf("kv", ()).await;
            log(format!("{k}={v}"));
        }
        if let Some(v) = m.get_mut("a") {
            *v += leaf("add", 10).await;
        }
        m.into_iter().collect()
    }
);
#[test]
fn t_btreemap_iter_and_get_mut() {
    agree!(btreemap_iter_and_get_mut());
}

both!(
    fn nested_iterators_over_two_locals() -> Vec<String> {
        let rows = vec![String::from("ab"), String::from("c")];
        let seps = [":", "-"];
        let mut out = vec![];
        for row in &rows {
            for sep in seps.iter() {
                for ch in row.chars() {
                    leaf("ch", ()).await;
                    out.push(format!("{sep}{ch}"));
                }
            }
        }
        out
    }
);
#[test]
fn t_nested_iterators_over_two_locals() {
    agree!(nested_iterators_over_two_locals());
}

// ---------------------------------------------------------------------------
// A temporary borrowed by the awaited future (it drops at the end of the
// statement).

both!(
    fn format_temporary_borrowed() -> usize {
        let x = 5u32;
        let n = measure(&format!("{x}")).await;
        let m = measure(&format!("{x}{x}")).await;
        n + m
    }
);
#[test]
fn t_format_temporary_borrowed() {
    agree!(format_temporary_borrowed());
}

both!(
    fn d_temporary_borrowed() -> u32 {
        let a = D("before");
        let k = upload(&D("tmp"), 1).await;
        let b = D("after");
        see(&a);
        see(&b);
        k
    }
);
#[test]
fn t_d_temporary_borrowed() {
    agree!(d_temporary_borrowed());
}

both!(
    fn string_from_temporary_borrowed() -> usize {
        let n = measure(&String::from("x")).await;
        let d = D("mid");
        let m = measure(&String::from("yy")).await;
        see(&d);
        n + m
    }
);
#[test]
fn t_string_from_temporary_borrowed() {
    agree!(string_from_temporary_borrowed());
}

both!(
    fn two_temporaries_in_one_statement() -> u32 {
        let k = upload(&D("t1"), 1).await + upload(&D("t2"), 2).await;
        let d = D("next");
        see(&d);
        k
    }
);
#[test]
fn t_two_temporaries_in_one_statement() {
    agree!(two_temporaries_in_one_statement());
}

// A local borrowed across an await inside an `if let` branch, after
// temporaries borrowed by earlier awaits: its drop guard is declared in the
// branch, so it is not held before it (a liveness bug found by the
// generator: the guard was treated as live from the function's start).
both!(
    fn borrowed_local_in_branch_after_temporaries(p: u32) -> u32 {
        look(&D("t3")).await;
        if let Some(y) = (p % 2 == 0).then_some(p / 2) {
            let d = D("d");
            look(&d).await;
            return y;
        }
        p
    }
);
#[test]
fn t_borrowed_local_in_branch_after_temporaries() {
    agree!(borrowed_local_in_branch_after_temporaries(4));
    agree!(borrowed_local_in_branch_after_temporaries(3));
}

// A loop binding in a match arm, then a local borrowed by an awaited future
// after the match: the loop's pattern bindings were kept from the first
// resolution (before the pin stage renumbered the slots), so the later
// local's drop guard counted as declared inside the loop.
both!(
    fn borrowed_local_after_loop_in_arm(p: u32) -> u32 {
        let mut acc = 0u32;
        let mut v = vec![D("a"), D("b")];
        if p > 6 || leaf("c", 3u32).await > 3 {
            match (1u32 ^ leaf("m", 1u32).await) % 3 {
                0 => {
                    let _x = look(&D("t1")).await;
                    acc += look(&D("t2")).await.len() as u32;
                    'a: for x in v.iter_mut() {
                        *x = D("x");
                        acc += look(x).await.len() as u32;
                        if acc > 100 {
                            break 'a;
                        }
                    }
                }
                _ => {}
            }
            let mut u = vec![0u32, 8u32];
            acc += fill(&mut u).await as u32;
        }
        see(&v[0]);
        acc
    }
);
#[test]
fn t_borrowed_local_after_loop_in_arm() {
    agree!(borrowed_local_after_loop_in_arm(7));
    agree!(borrowed_local_after_loop_in_arm(1));
}

both!(
    fn temporary_in_if_condition() -> u32 {
        let mut n = 0;
        if upload(&D("cond"), 3).await > 10 {
            let d = D("inside");
            n += leaf("body", 1).await;
            see(&d);
        }
        n
    }
);
#[test]
fn t_temporary_in_if_condition() {
    agree!(temporary_in_if_condition());
}

both!(
    fn temporary_in_match_scrutinee(i: u32) -> u32 {
        match upload(&D("scrut"), i).await {
            20 => {
                leaf("arm", ()).await;
                log("twenty");
                20
            }
            k => k + 1,
        }
    }
);
#[test]
fn t_temporary_in_match_scrutinee() {
    agree!(temporary_in_match_scrutinee(2));
    agree!(temporary_in_match_scrutinee(3));
}

both!(
    fn temporary_in_tail_expression() -> u32 {
        let d = D("local");
        see(&d);
        upload(&D("tail"), 4).await
    }
);
#[test]
fn t_temporary_in_tail_expression() {
    agree!(temporary_in_tail_expression());
}

both!(
    fn temporaries_in_vec_macro() -> Vec<&'static str> {
        let v = vec![look(&D("v0")).await, look(&D("v1")).await];
        let d = D("v2");
        leaf("x", ()).await;
        see(&d);
        v
    }
);
#[test]
fn t_temporaries_in_vec_macro() {
    agree!(temporaries_in_vec_macro());
}

both!(
    fn temporary_from_method_chain() -> usize {
        let parts = vec!["a", "b", "c"];
        let n = measure(&parts.join("-")).await;
        let m = measure(parts[1..].concat().as_str()).await;
        n + m + parts.len()
    }
);
#[test]
fn t_temporary_from_method_chain() {
    agree!(temporary_from_method_chain());
}

both!(
    fn temporary_in_let_else() -> u32 {
        let Some(k) = Some(upload(&D("le"), 2).await) else {
            return 0;
        };
        let d = D("after_le");
        leaf("x", ()).await;
        see(&d);
        k
    }
);
#[test]
fn t_temporary_in_let_else() {
    agree!(temporary_in_let_else());
}

// ---------------------------------------------------------------------------
// Reborrows of reference parameters used again after an await.

both!(
    @generic fn push_later_then_len(buf: &mut Vec<u32>) -> usize {
        push_later(buf, 1).await;
        push_later(buf, 2).await;
        buf.push(leaf("direct", 3).await);
        buf.len()
    }
);
#[test]
fn t_push_later_then_len() {
    agree_mut!(push_later_then_len(vec![]) => |v| v.clone());
    agree_mut!(push_later_then_len(vec![7]) => |v| v.clone());
}

both!(
    @generic fn explicit_reborrows_of_mut_param(buf: &mut Vec<u32>, n: u32) -> u32 {
        let r = &mut *buf;
        r.push(leaf("a", n).await);
        let s = &*buf;
        let k = leaf("len", s.len()).await;
        let total: u32 = s.iter().sum();
        fill(buf).await;
        total + k as u32
    }
);
#[test]
fn t_explicit_reborrows_of_mut_param() {
    agree_mut!(explicit_reborrows_of_mut_param(vec![1, 2], 5) => |v| v.clone());
}

both!(
    @generic fn mut_param_to_d_replaced(slot: &mut D) -> (&'static str, &'static str) {
        let old = see(slot);
        let r = &mut *slot;
        leaf("a", ()).await;
        *r = D("replaced");
        leaf("b", ()).await;
        (old, see(slot))
    }
);
#[test]
fn t_mut_param_to_d_replaced() {
    agree_mut!(mut_param_to_d_replaced(D("orig")) => |x| see(&x));
}

both!(
    @generic fn shared_param_fields(p: &Named) -> usize {
        let n = &p.name;
        let local = D("local");
        leaf("a", ()).await;
        see(&p.d);
        see(&local);
        leaf("b", ()).await;
        n.len()
    }
);
#[test]
fn t_shared_param_fields() {
    let p = Named {
        name: String::from("param"),
        d: D("pd"),
    };
    agree!(shared_param_fields(&p));
    drop(p);
    take_log();
}

both!(
    @generic fn mut_slice_param_iter_mut(v: &mut [u32]) -> u32 {
        for x in v.iter_mut() {
            *x = leaf("set", *x * 2).await;
        }
        let first = &mut v[0];
        *first += leaf("first", 100).await;
        v.iter().sum()
    }
);
#[test]
fn t_mut_slice_param_iter_mut() {
    agree_mut!(mut_slice_param_iter_mut(vec![1, 2, 3]) => |v| v.clone());
}

both!(
    @generic fn mut_param_and_local_buffer(out: &mut String) -> usize {
        let local = String::from("alpha beta");
        for w in local.split(' ') {
            leaf("w", ()).await;
            out.push_str(w);
            out.push('/');
        }
        let tail = &out[..1];
        measure(tail).await + local.len()
    }
);
#[test]
fn t_mut_param_and_local_buffer() {
    agree_mut!(mut_param_and_local_buffer(String::from(">")) => |s| s.clone());
}

mod deref_assign {
    use super::*;
    #[asyncio::coroutine]
    pub fn ours(r: &mut u32, v: &mut Vec<u32>) -> u32 {
        *r = leaf("a", 5).await;
        *r += leaf("b", 1).await;
        v.push(leaf("c", *r).await);
        v[0] = leaf("d", 9).await;
        *r
    }
    pub async fn oracle(r: &mut u32, v: &mut Vec<u32>) -> u32 {
        *r = leaf("a", 5).await;
        *r += leaf("b", 1).await;
        v.push(leaf("c", *r).await);
        v[0] = leaf("d", 9).await;
        *r
    }
}
#[test]
fn t_deref_assign() {
    let (mut r1, mut v1) = (0, vec![1]);
    let a = block_on(deref_assign::ours(&mut r1, &mut v1));
    let l1 = take_log();
    let (mut r2, mut v2) = (0, vec![1]);
    let b = block_on(deref_assign::oracle(&mut r2, &mut v2));
    let l2 = take_log();
    assert_eq!((a, r1, v1, l1), (b, r2, v2, l2));
}

// ---------------------------------------------------------------------------
// A mini-redis-like connection: `&mut self` methods awaiting other
// `&mut self` methods and using `self` again; `ref` bindings into
// `self.state` kept across an await. One impl per side (`Ours` with
// `#[coroutine]`, `Oracle` with `async fn`).

pub enum Mode {
    Idle,
    Busy(u32),
}
pub struct State {
    pub count: u32,
    pub name: String,
    pub mode: Mode,
}

macro_rules! twin {
    (
        struct { $($fields:tt)* }
        plain { $($plain:tt)* }
        $(fn $name:ident($($args:tt)*) -> $ret:ty { $($body:tt)* })*
    ) => {
        pub struct Ours { $($fields)* }
        pub struct Oracle { $($fields)* }
        impl Ours {
            $($plain)*
            $(
                #[asyncio::coroutine]
                pub fn $name($($args)*) -> $ret { $($body)* }
            )*
        }
        impl Oracle {
            $($plain)*
            $(
                #[allow(unused_mut, unused_variables, unreachable_code, clippy::all)]
                pub async fn $name($($args)*) -> $ret { $($body)* }
            )*
        }
    };
}

mod conn {
    use super::*;
    twin! {
        struct {
            pub inbox: Vec<String>,
            pub outbox: Vec<String>,
            pub store: BTreeMap<String, String>,
            pub state: State,
            pub last: Option<String>,
            pub tag: D,
        }
        plain {
            pub fn new(frames: &[&str]) -> Self {
                Self {
                    inbox: frames.iter().rev().map(|s| s.to_string()).collect(),
                    outbox: Vec::new(),
                    store: BTreeMap::new(),
                    state: State { count: 0, name: String::from("srv"), mode: Mode::Idle },
                    last: None,
                    tag: D("conn"),
                }
            }
        }
        fn read_frame(&mut self) -> Option<String> {
            let f = self.inbox.pop();
            leaf("read", f).await
        }
        fn write_frame(&mut self, frame: &str) -> usize {
            leaf("write", ()).await;
            log(format!("write {frame}"));
            self.outbox.push(frame.to_string());
            self.outbox.len()
        }
        fn pending(&self) -> usize {
            leaf("pending", self.inbox.len()).await
        }
        fn echo(&mut self) -> usize {
            let mut n = 0;
            while let Some(frame) = self.read_frame().await {
                let r = &frame;
                n = self.write_frame(r).await;
                log(format!("echoed {r}"));
            }
            n
        }
        fn handle(&mut self) -> usize {
            match self.read_frame().await {
                Some(frame) => {
                    let mut parts = frame.split_whitespace();
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some("set"), Some(k), Some(v)) => {
                            let v = leaf("set", v.to_string()).await;
                            self.store.insert(k.to_string(), v);
                            self.write_frame("OK").await
                        }
                        (Some("get"), Some(k), None) => {
                            let found = self.store.get(k).cloned();
                            let reply = found.as_deref().unwrap_or("nil");
                            self.write_frame(reply).await
                        }
                        (Some(cmd), ..) => {
                            let msg = format!("ERR {cmd}");
                            self.write_frame(&msg).await
                        }
                        _ => 0,
                    }
                }
                None => 0,
            }
        }
        fn serve(&mut self) -> Vec<usize> {
            let mut out = vec![];
            while self.pending().await > 0 {
                out.push(self.handle().await);
            }
            out
        }
        fn count_through_ref_bindings(&mut self) -> u32 {
            let State { ref mut count, ref name, .. } = self.state;
            *count += leaf("inc", 1).await;
            log(format!("name {name}"));
            *count += leaf("inc", 2).await;
            let c = *count;
            self.write_frame(&format!("count {c}")).await;
            c
        }
        fn mode_through_ref_mut(&mut self) -> u32 {
            match self.state.mode {
                Mode::Idle => {
                    self.state.mode = Mode::Busy(leaf("start", 1).await);
                    0
                }
                Mode::Busy(ref mut n) => {
                    *n += leaf("more", 1).await;
                    let v = *n;
                    self.write_frame("busy").await;
                    v
                }
            }
        }
        fn outbox_borrowed(&mut self) -> usize {
            let buf = &mut self.outbox;
            buf.push(leaf("a", String::from("x")).await);
            buf.push(leaf("b", String::from("y")).await);
            let n = buf.len();
            self.write_frame("done").await + n
        }
        fn tag_held_over_pending(&self) -> &'static str {
            let t = &self.tag;
            let n = self.pending().await;
            log(format!("pending {n}"));
            let m = self.pending().await;
            log(format!("pending {m}"));
            see(t)
        }
        fn drain_local_frames(&mut self) -> usize {
            let frames = std::mem::take(&mut self.inbox);
            for f in frames.iter().rev() {
                self.write_frame(f).await;
            }
            let d = D("drained");
            leaf("d", ()).await;
            see(&d);
            frames.len()
        }
        fn last_through_ref(&mut self) -> usize {
            self.last = self.read_frame().await;
            if let Some(ref last) = self.last {
                leaf("last", ()).await;
                log(format!("last {last}"));
            }
            let n = self.last.as_deref().map_or(0, str::len);
            self.write_frame("seen").await + n
        }
        fn split_self_borrows(&mut self) -> usize {
            let Self { inbox, outbox, tag, .. } = self;
            for f in inbox.iter() {
                outbox.push(leaf("copy", f.clone()).await);
                see(tag);
            }
            inbox.clear();
            outbox.len()
        }
    }
}

macro_rules! agree_conn {
    ($name:literal, [$($frame:expr),*], |$c:ident| $call:expr) => {
        check_both(
            $name,
            || async {
                #[allow(unused_mut)]
                let mut $c = conn::Ours::new(&[$($frame),*]);
                let r = $call.await;
                (r, $c.outbox.clone(), $c.store.clone(), $c.state.count)
            },
            || async {
                #[allow(unused_mut)]
                let mut $c = conn::Oracle::new(&[$($frame),*]);
                let r = $call.await;
                (r, $c.outbox.clone(), $c.store.clone(), $c.state.count)
            },
        )
    };
}

#[test]
fn t_conn_echo() {
    agree_conn!("echo", ["a", "bb"], |c| c.echo());
    agree_conn!("echo empty", [], |c| c.echo());
}
#[test]
fn t_conn_handle() {
    agree_conn!("handle set", ["set k v"], |c| c.handle());
    agree_conn!("handle get", ["get k"], |c| c.handle());
    agree_conn!("handle bad", ["nope x"], |c| c.handle());
}
#[test]
fn t_conn_serve() {
    agree_conn!("serve", ["set k v", "get k", "get z", "bad", ""], |c| c
        .serve());
}
#[test]
fn t_conn_count_through_ref_bindings() {
    agree_conn!("count", [], |c| c.count_through_ref_bindings());
}
#[test]
fn t_conn_mode_through_ref_mut() {
    agree_conn!("mode idle", [], |c| c.mode_through_ref_mut());
    check_both(
        "mode busy",
        || async {
            let mut c = conn::Ours::new(&[]);
            c.state.mode = Mode::Busy(4);
            let a = c.mode_through_ref_mut().await;
            (a, c.mode_through_ref_mut().await, c.outbox.clone())
        },
        || async {
            let mut c = conn::Oracle::new(&[]);
            c.state.mode = Mode::Busy(4);
            let a = c.mode_through_ref_mut().await;
            (a, c.mode_through_ref_mut().await, c.outbox.clone())
        },
    );
}
#[test]
fn t_conn_outbox_borrowed() {
    agree_conn!("outbox", [], |c| c.outbox_borrowed());
}
#[test]
fn t_conn_tag_held_over_pending() {
    agree_conn!("tag", ["p", "q"], |c| c.tag_held_over_pending());
}
#[test]
fn t_conn_drain_local_frames() {
    agree_conn!("drain", ["x", "y", "z"], |c| c.drain_local_frames());
}
#[test]
fn t_conn_last_through_ref() {
    agree_conn!("last", ["hello"], |c| c.last_through_ref());
    agree_conn!("last none", [], |c| c.last_through_ref());
}
#[test]
fn t_conn_split_self_borrows() {
    agree_conn!("split", ["m", "n"], |c| c.split_self_borrows());
}

// ---------------------------------------------------------------------------
// Generic fns with lifetimes; borrows of generic locals.

pair!(
    fn generic_clone_of_ref['a, T: Clone + Unpin](x: &'a T) -> (T, &'a T) {
        let local = D("gen");
        let r = &local;
        let c = leaf("clone", x.clone()).await;
        see(r);
        (c, x)
    }
);
#[test]
fn t_generic_clone_of_ref() {
    let s = String::from("value");
    agree!(generic_clone_of_ref(&s));
    agree!(generic_clone_of_ref(&7u8));
}

pair!(
    fn generic_vec_local_borrowed[T: Clone + std::fmt::Debug](items: &[T]) -> String {
        let v: Vec<T> = items.to_vec();
        let r = &v;
        leaf("a", ()).await;
        let s = format!("{r:?}");
        let last = r.last();
        leaf("b", ()).await;
        format!("{s} {last:?}")
    }
);
#[test]
fn t_generic_vec_local_borrowed() {
    agree!(generic_vec_local_borrowed(&[1u32, 2, 3]));
    agree!(generic_vec_local_borrowed(&["x", "y"]));
}

pair!(
    fn generic_as_ref_of_owned_arg[T: AsRef<str>](x: T) -> usize {
        let d = D("asref");
        let s: &str = x.as_ref();
        leaf("a", ()).await;
        see(&d);
        let n = measure(s).await;
        n + s.len()
    }
);
#[test]
fn t_generic_as_ref_of_owned_arg() {
    agree!(generic_as_ref_of_owned_arg(String::from("owned")));
    agree!(generic_as_ref_of_owned_arg("static"));
}

pair!(
    fn longest_with_local['a](a: &'a str) -> usize {
        let local = String::from("local!");
        let d = D("lw");
        let l = longest(a, &local).await;
        leaf("x", ()).await;
        see(&d);
        l.len()
    }
);
#[test]
fn t_longest_with_local() {
    agree!(longest_with_local("short"));
    agree!(longest_with_local("much longer"));
}

pair!(
    fn max_ref_of_generic_local[T: PartialOrd + Clone](v: Vec<T>) -> Option<T> {
        let mut best = v.first()?;
        for x in &v[1..] {
            leaf("cmp", ()).await;
            if x > best {
                best = x;
            }
        }
        let d = D("max");
        leaf("done", ()).await;
        see(&d);
        Some(best.clone())
    }
);
#[test]
fn t_max_ref_of_generic_local() {
    agree!(max_ref_of_generic_local(vec![3u32, 9, 2]));
    agree!(max_ref_of_generic_local(Vec::<u32>::new()));
    agree!(max_ref_of_generic_local(vec![
        String::from("b"),
        String::from("a")
    ]));
}

pair!(
    fn sum_of_borrowed_items['a, I](items: I) -> u32 where [I: IntoIterator<Item = &'a u32>] {
        let owned: Vec<&'a u32> = items.into_iter().collect();
        let mut total = 0;
        for x in owned.iter() {
            total += leaf("x", **x).await;
        }
        total + owned.len() as u32
    }
);
#[test]
fn t_sum_of_borrowed_items() {
    let v = vec![1u32, 2, 3];
    agree!(sum_of_borrowed_items(&v));
}

// ---------------------------------------------------------------------------
// Early returns, `?`, `break`, `continue`, `match` and shadowing while a
// borrow is held.

both!(
    fn early_return_with_borrow(n: u32) -> Option<u32> {
        let v = vec![D("er0"), D("er1")];
        let r = &v;
        let k = leaf("k", n).await;
        if k == 0 {
            see(&r[0]);
            return None;
        }
        let first = r.get(k as usize)?;
        leaf("got", ()).await;
        see(first);
        Some(k)
    }
);
#[test]
fn t_early_return_with_borrow() {
    for n in 0..3 {
        agree!(early_return_with_borrow(n));
    }
}

both!(
    fn question_mark_on_parse_of_borrowed(s: String) -> Result<u32, String> {
        let t = s.trim();
        let d = D("parsing");
        let n: u32 = leaf("parse", t).await.parse().map_err(|e| format!("{e}"))?;
        see(&d);
        let m: u32 = leaf("again", &t[..1])
            .await
            .parse()
            .map_err(|_| String::from("first"))?;
        Ok(n + m)
    }
);
#[test]
fn t_question_mark_on_parse_of_borrowed() {
    agree!(question_mark_on_parse_of_borrowed(String::from(" 42 ")));
    agree!(question_mark_on_parse_of_borrowed(String::from("x")));
}

both!(
    fn question_mark_on_map_lookup(key: &'static str) -> Option<usize> {
        let mut m = BTreeMap::new();
        m.insert("a", vec![D("ma")]);
        m.insert("b", vec![]);
        let v = m.get(key)?;
        leaf("found", ()).await;
        let d = v.first()?;
        leaf("first", ()).await;
        see(d);
        Some(v.len())
    }
);
#[test]
fn t_question_mark_on_map_lookup() {
    agree!(question_mark_on_map_lookup("a"));
    agree!(question_mark_on_map_lookup("b"));
    agree!(question_mark_on_map_lookup("z"));
}

both!(
    fn break_with_borrow_found(target: &'static str) -> Option<&'static str> {
        let v = vec![D("b0"), D("b1"), D("b2")];
        let mut found = None;
        for d in &v {
            if leaf("probe", d.0).await == target {
                found = Some(d);
                break;
            }
        }
        leaf("after", ()).await;
        found.map(see)
    }
);
#[test]
fn t_break_with_borrow_found() {
    agree!(break_with_borrow_found("b1"));
    agree!(break_with_borrow_found("none"));
}

both!(
    fn continue_with_borrow() -> Vec<&'static str> {
        let v = vec![D("k0"), D("k1"), D("k2"), D("k3")];
        let mut out = vec![];
        for (i, d) in v.iter().enumerate() {
            let r = &d;
            leaf("c", i).await;
            if i % 2 == 0 {
                continue;
            }
            out.push(see(r));
        }
        out
    }
);
#[test]
fn t_continue_with_borrow() {
    agree!(continue_with_borrow());
}

both!(
    fn reborrow_each_iteration() -> Vec<u32> {
        let mut buf = Vec::new();
        for i in 0..3 {
            let m = &mut buf;
            m.push(leaf("i", i).await);
            let r = &buf;
            leaf("r", ()).await;
            log(format!("len {}", r.len()));
        }
        buf
    }
);
#[test]
fn t_reborrow_each_iteration() {
    agree!(reborrow_each_iteration());
}

both!(
    fn loop_break_value_is_borrow() -> &'static str {
        let v = vec![D("lb0"), D("lb1")];
        let mut i = 0;
        let chosen = loop {
            let d = &v[i];
            if leaf("try", i).await == 1 {
                break d;
            }
            i += 1;
        };
        leaf("chosen", ()).await;
        see(chosen)
    }
);
#[test]
fn t_loop_break_value_is_borrow() {
    agree!(loop_break_value_is_borrow());
}

both!(
    fn labeled_break_out_of_nested_with_borrow() -> u32 {
        let grid = vec![vec![1u32, 2], vec![3, 4]];
        let d = D("grid");
        let r = &d;
        let mut total = 0;
        'outer: for row in &grid {
            for x in row {
                total += leaf("x", *x).await;
                if total > 5 {
                    see(r);
                    break 'outer;
                }
            }
        }
        total
    }
);
#[test]
fn t_labeled_break_out_of_nested_with_borrow() {
    agree!(labeled_break_out_of_nested_with_borrow());
}

both!(
    fn while_let_last_then_pop() -> usize {
        let mut stack = vec![D("w0"), D("w1")];
        let mut n = 0;
        while let Some(top) = stack.last() {
            leaf("top", ()).await;
            see(top);
            stack.pop();
            n += 1;
        }
        n
    }
);
#[test]
fn t_while_let_last_then_pop() {
    agree!(while_let_last_then_pop());
}

both!(
    fn match_on_borrowed_option() -> &'static str {
        let v = vec![D("m0")];
        match v.first() {
            Some(d) => {
                leaf("some", ()).await;
                see(d)
            }
            None => {
                leaf("none", ()).await;
                "none"
            }
        }
    }
);
#[test]
fn t_match_on_borrowed_option() {
    agree!(match_on_borrowed_option());
}

both!(
    fn match_on_reference_to_enum(square: bool) -> u32 {
        let s = if square {
            Shape::Square(D("sq"), 3)
        } else {
            Shape::Circle(D("ci"))
        };
        let n = match &s {
            Shape::Circle(d) => {
                leaf("circle", ()).await;
                see(d);
                1
            }
            Shape::Square(d, n) => {
                let k = leaf("square", *n).await;
                see(d);
                k * k
            }
        };
        leaf("after", ()).await;
        n
    }
);
#[test]
fn t_match_on_reference_to_enum() {
    agree!(match_on_reference_to_enum(true));
    agree!(match_on_reference_to_enum(false));
}

both!(
    fn match_on_str_slice_with_guard(s: String) -> String {
        let word = s.split(' ').next().unwrap_or("");
        match word {
            w if w.len() > 3 => {
                let k = leaf("long", w.len()).await;
                format!("long {w} {k}")
            }
            "hi" => leaf("hi", String::from("hello")).await,
            w => {
                leaf("other", ()).await;
                format!("other {w}")
            }
        }
    }
);
#[test]
fn t_match_on_str_slice_with_guard() {
    agree!(match_on_str_slice_with_guard(String::from("hello there")));
    agree!(match_on_str_slice_with_guard(String::from("hi you")));
    agree!(match_on_str_slice_with_guard(String::from("yo")));
}

both!(
    fn shadowing_a_borrowed_local() -> usize {
        let v = vec![D("sh")];
        let v = &v;
        leaf("a", ()).await;
        see(&v[0]);
        let v = v.len();
        leaf("b", ()).await;
        v
    }
);
#[test]
fn t_shadowing_a_borrowed_local() {
    agree!(shadowing_a_borrowed_local());
}

both!(
    fn shadowed_owner_still_borrowed() -> String {
        let s = D("first");
        let r = &s;
        leaf("a", ()).await;
        let s = D("second");
        leaf("b", ()).await;
        format!("{} {}", see(r), see(&s))
    }
);
#[test]
fn t_shadowed_owner_still_borrowed() {
    agree!(shadowed_owner_still_borrowed());
}

both!(
    fn let_else_with_borrow(empty: bool) -> &'static str {
        let v = if empty { vec![] } else { vec![D("le0")] };
        let Some(first) = v.first() else {
            leaf("empty", ()).await;
            return "empty";
        };
        leaf("first", ()).await;
        see(first)
    }
);
#[test]
fn t_let_else_with_borrow() {
    agree!(let_else_with_borrow(true));
    agree!(let_else_with_borrow(false));
}

// Fixed (but for borrows carried to a join), was F12: compile error (E0597/E0716): a borrow live across a block boundary that is not an await: a by-reference `if let`/`match` binding used before the branch's await, or a reference assigned in branches.
both!(
    fn f12_ref_binding_into_branch(v: Vec<u32>) -> u32 {
        if let Some(x) = v.first() {
            let y = *x;
            leaf("a", ()).await;
            return y;
        }
        0
    }
);
both!(
    fn f12_match_slice_of_awaited() -> u32 {
        match leaf("v", vec![1u32, 2]).await.as_slice() {
            [a, ..] => {
                let a = *a;
                leaf("b", a).await
            }
            [] => 0,
        }
    }
);
#[test]
fn f12() {
    agree!(f12_ref_binding_into_branch(vec![3]));
    agree!(f12_match_slice_of_awaited());
}

// ---------------------------------------------------------------------------
// Moves out of a local after its borrow ended.

both!(
    fn move_after_borrow_ended() -> usize {
        let v = vec![D("mv")];
        let r = &v;
        leaf("a", ()).await;
        see(&r[0]);
        let w = v;
        leaf("b", ()).await;
        see(&w[0]);
        w.len()
    }
);
#[test]
fn t_move_after_borrow_ended() {
    agree!(move_after_borrow_ended());
}

both!(
    fn drop_ref_then_move() -> usize {
        let v = vec![D("dr")];
        let r = &v;
        leaf("a", ()).await;
        release(r);
        let w = v;
        let n = leaf("b", w.len()).await;
        drop(w);
        leaf("c", ()).await;
        n
    }
);
#[test]
fn t_drop_ref_then_move() {
    agree!(drop_ref_then_move());
}

both!(
    fn into_iter_after_borrow_ended() -> usize {
        let v = vec![D("ii0"), D("ii1")];
        let r = &v;
        leaf("a", ()).await;
        see(&r[1]);
        let mut n = 0;
        for d in v.into_iter() {
            leaf("each", ()).await;
            n += see(&d).len();
        }
        n
    }
);
#[test]
fn t_into_iter_after_borrow_ended() {
    agree!(into_iter_after_borrow_ended());
}

both!(
    fn unwrap_after_borrow_ended() -> &'static str {
        let opt = Some(D("opt"));
        if let Some(d) = &opt {
            leaf("peek", ()).await;
            see(d);
        }
        let d = opt.unwrap();
        leaf("own", ()).await;
        see(&d)
    }
);
#[test]
fn t_unwrap_after_borrow_ended() {
    agree!(unwrap_after_borrow_ended());
}

both!(
    fn mem_take_after_borrow_ended() -> (String, String) {
        let mut s = String::from("taken");
        let r = &s;
        leaf("a", ()).await;
        log(format!("saw {r}"));
        let t = std::mem::take(&mut s);
        leaf("b", ()).await;
        s.push_str("new");
        (t, s)
    }
);
#[test]
fn t_mem_take_after_borrow_ended() {
    agree!(mem_take_after_borrow_ended());
}

both!(
    fn return_local_after_block_borrow() -> (Vec<u32>, u32) {
        let v: Vec<u32> = vec![4, 5, 6];
        let total: u32 = {
            let r = &v;
            leaf("a", ()).await;
            r.iter().sum()
        };
        leaf("b", ()).await;
        (v, total)
    }
);
#[test]
fn t_return_local_after_block_borrow() {
    agree!(return_local_after_block_borrow());
}

both!(
    fn move_into_helper_after_borrow() -> u32 {
        let file = D("handed");
        let r = &file;
        let k = upload(r, 1).await;
        consume(file).await;
        leaf("end", ()).await;
        k
    }
);
#[test]
fn t_move_into_helper_after_borrow() {
    agree!(move_into_helper_after_borrow());
}

// ---------------------------------------------------------------------------
// Closures, format captures, `#[cfg]` and `macro_rules!` with a borrowed
// local.

both!(
    fn closure_over_borrow_after_await() -> &'static str {
        let v = vec![D("cl0")];
        let r = &v;
        leaf("a", ()).await;
        let f = || see(&r[0]);
        f();
        leaf("b", ()).await;
        f()
    }
);
#[test]
fn t_closure_over_borrow_after_await() {
    agree!(closure_over_borrow_after_await());
}

both!(
    fn closure_held_across_await() -> &'static str {
        let d = D("cap");
        let f = || see(&d);
        f();
        leaf("a", ()).await;
        let g = move || f();
        leaf("b", ()).await;
        g()
    }
);
#[test]
fn t_closure_held_across_await() {
    agree!(closure_held_across_await());
}

both!(
    fn fnmut_closure_held_across_await() -> u32 {
        let mut count = 0;
        let mut inc = |k: u32| count += k;
        inc(1);
        let k = leaf("a", 2).await;
        inc(k);
        leaf("b", ()).await;
        inc(3);
        count
    }
);
#[test]
fn t_fnmut_closure_held_across_await() {
    agree!(fnmut_closure_held_across_await());
}

both!(
    fn format_captures_of_borrowed() -> String {
        let v = vec![1u32, 2];
        let r = &v;
        leaf("a", ()).await;
        log(format!("{v:?} {r:?}"));
        let s = String::from("str");
        let t = &s;
        leaf("b", ()).await;
        format!("{r:?} {s} {t} {}", t.len())
    }
);
#[test]
fn t_format_captures_of_borrowed() {
    agree!(format_captures_of_borrowed());
}

both!(
    fn cfg_on_statements_with_borrow() -> usize {
        let v = vec![D("cfg")];
        #[cfg(all())]
        let r = &v;
        #[cfg(any())]
        let r = &Vec::<D>::new();
        leaf("a", ()).await;
        #[cfg(all())]
        see(&r[0]);
        #[cfg(any())]
        log("never");
        r.len()
    }
);
#[test]
fn t_cfg_on_statements_with_borrow() {
    agree!(cfg_on_statements_with_borrow());
}

// `#[cfg]` on statements that contain `.await` (was known failure F05):
// the fn is compiled once per combination of the predicates, and rustc
// keeps the one that holds.
both!(
    fn cfg_on_statements_with_awaits() -> u32 {
        let mut n = 0;
        #[cfg(any())]
        {
            n += leaf("never", 100).await;
        }
        #[cfg(all())]
        {
            n += leaf("always", 10).await;
        }
        #[cfg(any())]
        let m = leaf("never2", 1000).await;
        #[cfg(not(any()))]
        let m = leaf("m", 1).await;
        #[cfg(all())]
        log(format!("kept {}", leaf("kept", 3).await));
        #[cfg(any())]
        log(format!("dropped {}", leaf("dropped", 4).await));
        let v = vec![D("c")];
        for d in v.iter() {
            #[cfg(all())]
            {
                n += leaf("in loop", see(d).len() as u32).await;
            }
        }
        n + m
    }
);
#[test]
fn t_cfg_on_statements_with_awaits() {
    agree!(cfg_on_statements_with_awaits());
}

macro_rules! see_all {
    ($v:expr) => {
        for d in $v.iter() {
            see(d);
        }
    };
}
macro_rules! borrow_of {
    ($x:expr) => {
        &$x
    };
}
macro_rules! show_len {
    ($r:expr) => {
        log(format!("len {}", $r.len()))
    };
}

both!(
    fn macro_rules_with_borrowed_local() -> usize {
        let v = vec![D("mr0"), D("mr1")];
        let r = borrow_of!(v);
        leaf("a", ()).await;
        see_all!(r);
        show_len!(r);
        leaf("b", ()).await;
        show_len!(v);
        r.len()
    }
);
#[test]
fn t_macro_rules_with_borrowed_local() {
    agree!(macro_rules_with_borrowed_local());
}

// ---------------------------------------------------------------------------
// Drop timing of borrowed values.

both!(
    fn borrowed_d_in_loop_body() -> u32 {
        let names = ["L0", "L1", "L2"];
        let mut n = 0;
        for i in 0..3 {
            let d = D(names[i]);
            let r = &d;
            n += leaf("l", 1).await;
            see(r);
        }
        n
    }
);
#[test]
fn t_borrowed_d_in_loop_body() {
    agree!(borrowed_d_in_loop_body());
}

both!(
    fn borrowed_d_in_while_body_with_two_awaits() -> u32 {
        let names = ["W0", "W1"];
        let mut i = 0;
        while i < 2 {
            let d = D(names[i]);
            let r = &d;
            leaf("first", ()).await;
            see(r);
            leaf("second", ()).await;
            i += 1;
        }
        i as u32
    }
);
#[test]
fn t_borrowed_d_in_while_body_with_two_awaits() {
    agree!(borrowed_d_in_while_body_with_two_awaits());
}

both!(
    fn inner_block_borrow_then_more_awaits() -> &'static str {
        {
            let v = D("x");
            let r = &v;
            leaf("in", ()).await;
            see(r);
        }
        leaf("after", ()).await;
        let w = D("y");
        leaf("more", ()).await;
        see(&w)
    }
);
#[test]
fn t_inner_block_borrow_then_more_awaits() {
    agree!(inner_block_borrow_then_more_awaits());
}

both!(
    fn inner_block_borrows_outer_and_inner() -> &'static str {
        let outer = D("outer");
        {
            let inner = D("inner");
            let (a, b) = (&outer, &inner);
            leaf("in", ()).await;
            see(b);
            see(a);
        }
        leaf("out", ()).await;
        see(&outer)
    }
);
#[test]
fn t_inner_block_borrows_outer_and_inner() {
    agree!(inner_block_borrows_outer_and_inner());
}

both!(
    fn nested_blocks_each_borrowing() -> String {
        let a = D("na");
        let mut s = String::new();
        {
            let b = D("nb");
            let ra = &a;
            {
                let c = D("nc");
                let rc = &c;
                leaf("deep", ()).await;
                s.push_str(see(rc));
                s.push_str(see(ra));
            }
            leaf("mid", ()).await;
            s.push_str(see(&b));
        }
        leaf("top", ()).await;
        s
    }
);
#[test]
fn t_nested_blocks_each_borrowing() {
    agree!(nested_blocks_each_borrowing());
}

both!(
    fn reassign_after_borrow_in_block() -> &'static str {
        let mut d = D("r0");
        {
            let r = &d;
            leaf("a", ()).await;
            see(r);
        }
        d = D("r1");
        leaf("b", ()).await;
        see(&d)
    }
);
#[test]
fn t_reassign_after_borrow_in_block() {
    agree!(reassign_after_borrow_in_block());
}

both!(
    fn hold_future_while_borrowed() -> u32 {
        let d = D("holder");
        let r = &d;
        let k = hold("h", leaf("hl", 1)).await;
        see(r);
        let j = hold("h2", leaf("hl2", 2)).await;
        k + j
    }
);
#[test]
fn t_hold_future_while_borrowed() {
    agree!(hold_future_while_borrowed());
}

both!(
    fn borrowed_in_if_branches_then_dropped(flag: bool) -> &'static str {
        let a = D("ba");
        let b = D("bb");
        let r = if leaf("pick", flag).await { &a } else { &b };
        leaf("use", ()).await;
        let s = see(r);
        drop(b);
        leaf("end", ()).await;
        s
    }
);
#[test]
fn t_borrowed_in_if_branches_then_dropped() {
    agree!(borrowed_in_if_branches_then_dropped(true));
    agree!(borrowed_in_if_branches_then_dropped(false));
}

both!(
    fn borrow_of_loop_scoped_vec() -> usize {
        let mut total = 0;
        for round in 0..2u32 {
            let v = if round == 0 {
                vec![D("r0a"), D("r0b")]
            } else {
                vec![D("r1a")]
            };
            for d in &v {
                leaf("d", round).await;
                see(d);
            }
            total += v.len();
        }
        total
    }
);
#[test]
fn t_borrow_of_loop_scoped_vec() {
    agree!(borrow_of_loop_scoped_vec());
}

// ---------------------------------------------------------------------------
// Field chains of a local that stays in place: disjoint borrows at any
// depth, reads beside a mutable borrow, and chains through references and
// `Rc` (read in place, never through a reference to the whole local).

pub struct Inner2 {
    pub a: Vec<u32>,
    pub b: D,
    pub count: u32,
}
pub struct Outer2 {
    pub inner: Inner2,
    pub tag: D,
    pub shared: std::rc::Rc<Inner2>,
}
fn outer2(name: &'static str) -> Outer2 {
    Outer2 {
        inner: Inner2 {
            a: vec![1],
            b: D(name),
            count: 3,
        },
        tag: D("tag2"),
        shared: std::rc::Rc::new(Inner2 {
            a: vec![7, 8],
            b: D("rc2"),
            count: 9,
        }),
    }
}

both!(
    fn nested_disjoint_field_borrows() -> usize {
        let mut s = outer2("nb");
        let a = &mut s.inner.a;
        let b = &s.inner.b;
        leaf("x", ()).await;
        a.push(2);
        see(b);
        let c = s.inner.count;
        leaf("y", ()).await;
        a.push(c);
        s.inner.a.len() + s.tag.0.len()
    }
);
#[test]
fn t_nested_disjoint_field_borrows() {
    agree!(nested_disjoint_field_borrows());
}

both!(
    fn field_read_beside_mut_borrow() -> u32 {
        let mut s = outer2("rb");
        let a = &mut s.inner.a;
        leaf("x", ()).await;
        a.push(s.inner.count);
        s.inner.count += 1;
        s.inner.a[0] = 10;
        leaf("y", ()).await;
        s.inner.a.iter().sum::<u32>() + s.inner.count
    }
);
#[test]
fn t_field_read_beside_mut_borrow() {
    agree!(field_read_beside_mut_borrow());
}

both!(
    fn field_chain_through_rc() -> u32 {
        let s = outer2("rc");
        let r = &s;
        leaf("x", ()).await;
        see(&s.shared.b);
        let n = s.shared.a.len() as u32 + s.shared.count;
        leaf("y", ()).await;
        see(&r.tag);
        n + s.shared.a.iter().sum::<u32>()
    }
);
#[test]
fn t_field_chain_through_rc() {
    agree!(field_chain_through_rc());
}

both!(
    fn pinned_future_borrowing_local() -> &'static str {
        let d = D("pinned");
        let fut = pin!(look(&d));
        let e = D("e");
        let s = fut.await;
        see(&e);
        s
    }
);
#[test]
fn t_pinned_future_borrowing_local() {
    agree!(pinned_future_borrowing_local());
}

both!(
    fn pinned_future_polled_in_two_awaits() -> u32 {
        let mut fut = pin!(leaf("twice", 5u32));
        let a = fut.as_mut().await;
        leaf("after", ()).await;
        a
    }
);
#[test]
fn t_pinned_future_polled_in_two_awaits() {
    agree!(pinned_future_polled_in_two_awaits());
}

both!(
    fn method_on_nested_field_beside_sibling_borrow() -> usize {
        let mut s = outer2("ms");
        let b = &s.inner.b;
        leaf("x", ()).await;
        s.inner.a.push(2);
        see(b);
        leaf("y", ()).await;
        s.inner.a.len() + s.shared.a.len()
    }
);
#[test]
fn t_method_on_nested_field_beside_sibling_borrow() {
    agree!(method_on_nested_field_beside_sibling_borrow());
}

both!(
    fn method_on_nested_field_beside_sibling_iterator() -> u32 {
        let mut s = outer2("mi");
        s.inner.a.push(5);
        let mut it = s.inner.a.iter();
        leaf("x", ()).await;
        s.inner.count += 1;
        let first = *it.next().unwrap();
        leaf("y", ()).await;
        first + s.inner.count + it.count() as u32
    }
);
#[test]
fn t_method_on_nested_field_beside_sibling_iterator() {
    agree!(method_on_nested_field_beside_sibling_iterator());
}

both!(
    fn method_on_nested_field_beside_sibling_method_borrow() -> usize {
        let mut s = outer2("mm");
        let it = s.inner.b.0.chars();
        leaf("x", ()).await;
        s.inner.a.push(9);
        let n = it.count();
        leaf("y", ()).await;
        n + s.inner.a.len()
    }
);
#[test]
fn t_method_on_nested_field_beside_sibling_method_borrow() {
    agree!(method_on_nested_field_beside_sibling_method_borrow());
}

// Found by the generator: a `let` that borrows a temporary (extended to the
// end of the block) held across an await, and a `&mut` loop binding given
// to an awaited future and used again.
both!(
    fn extended_temporary_held_across_await() -> &'static str {
        let r = &D("ext");
        let m: &mut Vec<u32> = &mut vec![1];
        leaf("a", ()).await;
        m.push(2);
        see(r)
    }
);
#[test]
fn t_extended_temporary_held_across_await() {
    agree!(extended_temporary_held_across_await());
}

both!(
    fn mut_loop_binding_reborrowed_by_future() -> usize {
        let mut v = vec![D("m0"), D("m1")];
        let mut n = 0;
        for x in v.iter_mut() {
            look(x).await;
            see(x);
            n += 1;
        }
        n + v.len()
    }
);
#[test]
fn t_mut_loop_binding_reborrowed_by_future() {
    agree!(mut_loop_binding_reborrowed_by_future());
}

// Found by the generator: a field moved out at the pinned local's last use,
// in a statement that also assigns to a scalar held across an await. The
// scalar (`acc`, a `u32`) cannot hold a borrow of `ct`, so `ct` is taken out
// of its slot there.
both!(
    fn field_move_at_last_use_after_assignment(p: u32) -> u32 {
        let mut acc = 0u32;
        let mut ct = Counter::new("ct");
        acc = acc.wrapping_add(ct.bump(3).await);
        if leaf("c", true).await {
            if p > 6 {
                acc = acc.wrapping_add(ct.n);
            } else {
                release(ct.tag);
            }
        }
        acc
    }
);
#[test]
fn t_field_move_at_last_use_after_assignment() {
    for p in [1, 7] {
        agree!(field_move_at_last_use_after_assignment(p));
    }
}

// A field copied at the local's last use while a reference into another
// field is still used afterwards: the local stays in its slot (taking it
// out would free `name` under `r`).
both!(
    fn field_copy_at_last_use_while_sibling_borrowed() -> usize {
        let named = Named {
            name: String::from("kept"),
            d: D("named"),
        };
        let r = &named.name;
        leaf("a", ()).await;
        let d = &named.d;
        see(d);
        let n = r.len();
        leaf("b", ()).await;
        n + r.len()
    }
);
#[test]
fn t_field_copy_at_last_use_while_sibling_borrowed() {
    agree!(field_copy_at_last_use_while_sibling_borrowed());
}

/// A struct reached through an `Rc` (an `Event` in a shared state, as in
/// `shared.done.wait().await`).
struct Holder {
    c: Counter,
}

// Found by the echo benchmark: a method on a field of an `Rc` parameter,
// its future awaited at once or held across another await. The field is
// reached by `Deref` only, so it is projected for reading.
both!(
    fn method_on_field_of_rc_param(h: std::rc::Rc<Holder>) -> u32 {
        let a = h.c.peek().await;
        let w = h.c.peek();
        let b = leaf("between", 1u32).await;
        a + w.await + b + h.c.n
    }
);
#[test]
fn t_method_on_field_of_rc_param() {
    agree!(method_on_field_of_rc_param(std::rc::Rc::new(Holder {
        c: Counter::new("held")
    })));
}

// Found by the generator (seed 7, g682): a temporary borrowed by the
// awaited future of a `match` scrutinee, and a `break` (or a `return`) out of
// one of its arms. rustc drops the temporary as the `match` is left, before
// the locals declared before it; so does the temporary's guard.
both!(
    fn scrutinee_temporary_dropped_on_break_and_return(p: u32) -> u32 {
        let _g = D("g");
        let mut acc = 0u32;
        'outer: for i in 0..2u32 {
            match look(&D("t")).await.len() % 3 {
                0 => acc += 1,
                _ => {
                    let inner = D("inner");
                    see(&inner);
                    if p == i {
                        return acc + leaf("r", 7u32).await;
                    }
                    if leaf("b", p > 2).await {
                        break 'outer;
                    }
                    if p == 1 {
                        continue 'outer;
                    }
                }
            }
            acc += leaf("after", 1u32).await;
        }
        acc
    }
);
#[test]
fn t_scrutinee_temporary_dropped_on_break_and_return() {
    for p in [0, 1, 3, 9] {
        agree!(scrutinee_temporary_dropped_on_break_and_return(p));
    }
}

// Found while writing the examples (mini_redis): a `mut` by-value
// parameter whose `&mut self` coroutine methods are awaited in turn.
both!(
    fn mut_param_with_mut_self_methods(mut c: Counter) -> u32 {
        let a = c.bump(2).await;
        let b = c.bump(3).await;
        a + b + c.n
    }
);
#[test]
fn t_mut_param_with_mut_self_methods() {
    agree!(mut_param_with_mut_self_methods(Counter::new("param")));
}

// Found while writing the examples: an iterator advanced by `next()`
// (whose result might borrow it), then consumed whole by `collect()` after
// an await while that result is still used.
both!(
    fn iterator_advanced_then_collected() -> usize {
        let mut words = vec![D("w0"), D("w1"), D("w2")].into_iter();
        let first = words.next();
        leaf("between", ()).await;
        let rest: Vec<D> = words.collect();
        let n = rest.len();
        release(rest);
        n + first.map_or(0, |d| d.0.len())
    }
);
#[test]
fn t_iterator_advanced_then_collected() {
    agree!(iterator_advanced_then_collected());
}

// Found by the 20,000-body run (seed 7, g17692): the last use of a pinned
// local was one statement that both read a field (`c.n`) and moved the
// whole (`let whole = c;`); the field read took the value out of its slot
// too, so it dropped twice.
both!(
    fn field_read_and_whole_move_in_one_statement() -> u32 {
        let mut acc: u32 = 0;
        let mut c = Counter::new("twice");
        acc = acc.wrapping_add(c.bump(5).await);
        {
            acc = acc.wrapping_add(c.n);
            release({
                let whole = c;
                whole.tag
            });
        }
        leaf("after", ()).await;
        acc
    }
);
#[test]
fn t_field_read_and_whole_move_in_one_statement() {
    agree!(field_read_and_whole_move_in_one_statement());
}

/// A new `Counter`, after an await.
async fn counter(tag: &'static str) -> Counter {
    leaf("counter", ()).await;
    Counter::new(tag)
}

/// A new `Counter`, or an error, after an await.
async fn try_counter(tag: &'static str, fail: bool) -> Result<Counter, u32> {
    leaf("try_counter", ()).await;
    if fail { Err(7) } else { Ok(Counter::new(tag)) }
}

// The value of an await, a temporary, receiver of a method whose future
// borrows it (`lock().await.flush().await`): it lives to the end of the
// statement, as in an `async fn`, and drops there in reverse order.
both!(
    fn awaited_value_borrowed_by_the_next_await(fail: bool) -> Result<u32, u32> {
        let a = counter("a").await.bump(2).await;
        let b = try_counter("b", false).await?.peek().await;
        let c = counter("c").await.peek().await + counter("d").await.bump(1).await;
        let e = counter("e").await.into_n().await;
        let mut total = a + b + c + e;
        for i in 0..2u32 {
            total += (try_counter("l", fail).await?).bump(i).await;
        }
        Ok(total)
    }
);
#[test]
fn t_awaited_value_borrowed_by_the_next_await() {
    for fail in [false, true] {
        agree!(awaited_value_borrowed_by_the_next_await(fail));
    }
}

// The same in the heads of `match`, `if let`, `for` and `while let`, where
// the awaited value lives to the end of the construct (of the iteration),
// also while the output of its method's future (`label`: a `&str` into
// it) is still in use after another await.
both!(
    fn awaited_value_in_heads() -> usize {
        let mut total = 0;
        match counter("m").await.label().await {
            "x" => total += 100,
            l => {
                leaf("arm", ()).await;
                log(format!("label {l}"));
                total += l.len();
            }
        }
        if let Some(c) = counter("i").await.label().await.chars().next() {
            leaf("then", ()).await;
            total += c.len_utf8();
        }
        for ch in counter("f").await.label().await.chars() {
            leaf("body", ()).await;
            total += ch.len_utf8();
        }
        let mut k = 0;
        while let Some(ch) = counter("w").await.label().await.chars().nth(k) {
            leaf("w", ()).await;
            total += ch.len_utf8();
            k += 1;
        }
        for n in counter("v").await.into_n().await..2 {
            total += n as usize;
        }
        total
    }
);
#[test]
fn t_awaited_value_in_heads() {
    agree!(awaited_value_in_heads());
}
