//! Which locals must stay in place: those that may be borrowed while the
//! coroutine is suspended.
//!
//! Found without types, from the resolved body and liveness:
//!
//! - `holds[s]`: the slots whose borrow the value of slot `s` may carry,
//!   from the expression that gave `s` its value (`let r = &v;`,
//!   `let it = v.iter();`, the `for` loop's iterator over `v.iter()`, a
//!   binding `ref x` of a `match` on `v`), and transitively from the slots
//!   that expression uses by value (`let r2 = r;`);
//! - a slot is pinned when a value live across an await holds a borrow of
//!   it, or when the future being awaited borrows it (`c.bump(2).await`,
//!   `fill(&mut buf).await`).
//!
//! A borrow is any `&place` rooted at the local, a method call on it other
//! than the few whose result is known to be owned (`len`, `clone`, ...), or
//! a use inside a non-`move` closure. The choice may pin more than needed,
//! which costs a slot but never correctness: a pinned local is checked by
//! the shadow, and a use the real code cannot express through a place
//! (moving out by a method that takes `self`) is a compile error, not a
//! silent change.

use crate::macro_args::MacroArgs;
use std::collections::{BTreeMap, BTreeSet};

use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use crate::ir::graph::{Cfg, Term};
use crate::ir::{Node, SlotId};
use crate::stages::liveness::Liveness;
use crate::stages::resolve::Resolution;

/// Methods whose result never borrows the receiver: calling one on a local
/// does not make the local borrowed by what the call returns.
const OWNED_RESULT: &[&str] = &[
    "len",
    "is_empty",
    "clone",
    "to_string",
    "to_owned",
    "to_vec",
    "to_uppercase",
    "to_lowercase",
    "count",
    "sum",
    "product",
    "contains",
    "contains_key",
    "starts_with",
    "ends_with",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "cmp",
    "partial_cmp",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "capacity",
    "push",
    "push_str",
    "push_back",
    "push_front",
    "pop",
    "pop_back",
    "pop_front",
    "insert",
    "remove",
    "clear",
    "extend",
    "truncate",
    "sort",
    "sort_unstable",
    "reverse",
    "dedup",
    "retain",
    "swap",
    "into_iter",
    "into_inner",
    "into_bytes",
    "into_boxed_slice",
    "unwrap",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "expect",
    "take",
    "replace",
    "map",
    "and_then",
    "ok",
    "err",
    "ok_or",
    "ok_or_else",
    "parse",
    "collect",
    "join",
    "concat",
    "repeat",
    "checked_add",
    "checked_sub",
    "checked_mul",
    "checked_div",
    "wrapping_add",
    "wrapping_sub",
    "wrapping_mul",
    "saturating_add",
    "saturating_sub",
    "saturating_mul",
    "pow",
    "abs",
    "min",
    "max",
    "clamp",
    "to_le_bytes",
    "to_be_bytes",
    "elapsed",
];

/// Does a call of `method` give a value that borrows nothing of its
/// receiver (by name: the receiver's type is not known here)?
pub fn owned_result(method: &syn::Ident) -> bool {
    let name = method.to_string();
    name.starts_with("to_") || OWNED_RESULT.contains(&name.as_str())
}

/// Does `method` usually take its receiver by value?
pub fn by_value(method: &syn::Ident) -> bool {
    let name = method.to_string();
    name.starts_with("into_") || BY_VALUE.contains(&name.as_str())
}

/// Methods that usually take their receiver by value: at a pinned local's
/// last use they take the value out of its slot (see [`Selection`]).
pub const BY_VALUE: &[&str] = &[
    "into_iter",
    "into_inner",
    "into_bytes",
    "into_boxed_slice",
    "into_string",
    "into_keys",
    "into_values",
    "into_vec",
    "into",
    "unwrap",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "unwrap_err",
    "expect",
    "expect_err",
    "map",
    "map_err",
    "map_or",
    "map_or_else",
    "and_then",
    "or_else",
    "ok",
    "err",
    "ok_or",
    "ok_or_else",
    "finish",
    "build",
    "count",
    "sum",
    "product",
    "collect",
    "fold",
    "for_each",
    "rev",
    "skip",
    "zip",
    "chain",
    "enumerate",
    "peekable",
    "filter",
    "filter_map",
    "flatten",
    "flat_map",
];

/// What the stage decided.
pub struct Selection {
    /// The slots to pin.
    pub pinned: BTreeSet<SlotId>,
    /// For a pinned slot, the node (in pre-order, see [`crate::ir::Node`])
    /// of its last use, where a use that may move it (a `BY_VALUE` method,
    /// a field read, a `match` on it) takes the value out of the slot
    /// instead of using it in place. Safe whatever the method really takes:
    /// no later code uses the local, and a borrow of the taken value that
    /// outlives the statement is a compile error (E0716), not a dangling
    /// reference. Only where no loop encloses the use but not the
    /// declaration, and not at the use that borrows it across an await.
    ///
    /// A field read or a `match` takes the value out here only if no value
    /// that may hold a borrow of the local is used afterwards: rustc allows
    /// a borrow of one field to outlive a move or copy of another, and
    /// taking the whole value out would free it.
    pub last_use: BTreeMap<SlotId, usize>,
    /// [`last_use`](Self::last_use) for a `BY_VALUE` method's receiver,
    /// without that condition: a method that takes the whole value by
    /// value is a move rustc checks in the shadow (no borrow of the local
    /// may outlive it), so holders that merely *may* borrow it (`first` of
    /// `let first = args.next();`) do not stand in the way.
    pub last_move: BTreeMap<SlotId, usize>,
    /// Pinned slots known to hold a shared reference (`let r = &v;`, a
    /// `ref` binding): their fields are reached through the reference, not
    /// projected in place.
    pub shared_refs: BTreeSet<SlotId>,
    /// Pinned slots through which nothing can be mutated: bindings not
    /// declared `mut` that are not known to hold a `&mut` (an `Rc`, a
    /// plain value). A field of one is reached with a shared projection:
    /// `shared.done.wait()` on an `Rc<Shared>` must not need `DerefMut`.
    pub read_only: BTreeSet<SlotId>,
}

/// Decides which slots to pin.
pub fn select(
    body: &[Node],
    resolution: &Resolution,
    cfg: &Cfg,
    liveness: &Liveness,
    mut_ref_params: &[SlotId],
    shared_ref_params: &[SlotId],
) -> Selection {
    let mut walk = Walk {
        resolution,
        mut_refs: mut_ref_params.iter().copied().collect(),
        shared_refs: BTreeSet::new(),
        cfg_lets: BTreeMap::new(),
        ref_args: BTreeSet::new(),
        let_slots: BTreeSet::new(),
        mut_holders: BTreeSet::new(),
        holds: vec![BTreeSet::new(); resolution.slots.len()],
        awaited: BTreeSet::new(),
        pinnable: BTreeSet::new(),
        scalars: BTreeSet::new(),
        changed: false,
        index: 0,
        loops: Vec::new(),
        record: None,
    };
    // Loops may carry a borrow back to an earlier statement: iterate.
    loop {
        walk.changed = false;
        walk.index = 0;
        walk.nodes(body);
        if !walk.changed {
            break;
        }
    }
    let mut held: BTreeSet<SlotId> = BTreeSet::new();
    for block in &cfg.blocks {
        if let Term::Suspend { resume, .. } = block.term {
            let out = cfg.blocks[resume].resumes;
            held.extend(liveness.live_in[resume].iter().filter(|&&s| Some(s) != out));
        }
    }
    let mut pinned = walk.awaited.clone();
    for &s in &held {
        pinned.extend(&walk.holds[s]);
    }
    // Only pattern bindings (`for x in v.iter_mut()`): a `let` of a
    // reference is classified by its initialiser (`mut_refs`), and a shared
    // reference is `Copy`, not reborrowed when given on.
    pinned.extend(
        (walk.ref_args.intersection(&held))
            .filter(|s| !walk.shared_refs.contains(s) && !walk.let_slots.contains(s)),
    );
    pinned.retain(|s| walk.pinnable.contains(s) || is_param(resolution, *s));
    // A shared reference parameter is `Copy`: moving it into the frame
    // while it is reborrowed is fine.
    pinned.retain(|s| !shared_ref_params.contains(s));
    // Temporaries borrowed by an awaited future (see
    // `normalize::PIN_TEMPORARY`) are pinned by construction.
    pinned.extend((0..resolution.slots.len()).filter(|&s| {
        let name = &resolution.slots[s].name;
        name.starts_with(crate::stages::normalize::PIN_TEMPORARY_LOCAL)
            || name.starts_with(crate::stages::normalize::PIN_KEPT_LOCAL)
    }));

    // One more walk, recording where each slot is declared and used.
    walk.record = Some(Record::default());
    walk.index = 0;
    walk.nodes(body);
    let record = walk.record.take().expect("recorded");
    let mut last_use = BTreeMap::new();
    let mut last_move = BTreeMap::new();
    for &slot in &pinned {
        let Some((at, _, loops)) = record.uses.iter().rev().find(|(_, s, _)| *s == slot) else {
            continue;
        };
        let at = *at;
        let decl_loops = record.decls.get(&slot).cloned().unwrap_or_default();
        let in_same_loops = loops.iter().all(|l| decl_loops.contains(l));
        // Taking the local out of its slot ends every borrow of it: no
        // value that may hold one can be used afterwards, neither one made
        // before (`let r = &v.name; ..; consume(v.tag); r.len()`) nor one
        // this node makes (`let r = (v.tag, &v.name);`).
        let used_after = |s: SlotId| record.uses.iter().any(|(u, us, _)| *u > at && *us == s);
        let held_after = (0..walk.holds.len())
            .any(|h| h != slot && walk.holds[h].contains(&slot) && used_after(h));
        let causes = record
            .causes
            .get(&at)
            .is_some_and(|(carried, defs, awaits)| {
                carried.contains(&slot)
                    && (*awaits || defs.iter().any(|&d| held.contains(&d) || used_after(d)))
            });
        if in_same_loops && !causes {
            last_move.insert(slot, at);
        }
        if in_same_loops && !causes && !held_after {
            last_use.insert(slot, at);
        }
    }
    let shared_refs = walk.shared_refs.intersection(&pinned).copied().collect();
    let read_only = (pinned.iter().copied())
        .filter(|&s| {
            !resolution.slots[s].mutable
                && !walk.mut_refs.contains(&s)
                && !walk.mut_holders.contains(&s)
                && !mut_ref_params.contains(&s)
        })
        .collect();
    Selection {
        pinned,
        last_use,
        last_move,
        shared_refs,
        read_only,
    }
}

/// Where slots are declared and used, by node.
#[derive(Default)]
struct Record {
    /// (node, (slot, enclosing loops)) for every use, in pre-order.
    uses: Vec<(usize, SlotId, Vec<usize>)>,
    /// The loops enclosing each slot's declaration.
    decls: BTreeMap<SlotId, Vec<usize>>,
    /// Per node: the slots its value may borrow, the slots it defines, and
    /// whether it is an await.
    causes: BTreeMap<usize, (BTreeSet<SlotId>, Vec<SlotId>, bool)>,
}

/// Parameters are declared in scope 0.
fn is_param(resolution: &Resolution, slot: SlotId) -> bool {
    resolution.slots[slot].scope == 0
}

struct Walk<'a> {
    resolution: &'a Resolution,
    /// Slots holding a `&mut` (a `&mut` parameter, `let r = &mut v;`):
    /// passing one to a call reborrows it, so an awaited future that is
    /// given one borrows the slot.
    mut_refs: BTreeSet<SlotId>,
    /// Slots known to hold a shared reference (see `Selection::shared_refs`).
    shared_refs: BTreeSet<SlotId>,
    /// Slots that may hold a unique borrow (see `mark_mut`).
    mut_holders: BTreeSet<SlotId>,
    /// Slots declared by a `let` of a plain name.
    let_slots: BTreeSet<SlotId>,
    /// Slots holding a borrow that an awaited future is given (see
    /// `Walk::node`'s await case).
    ref_args: BTreeSet<SlotId>,
    /// `#[cfg]` lets by name (see `cfg_alternatives`).
    cfg_lets: BTreeMap<String, Vec<SlotId>>,
    holds: Vec<BTreeSet<SlotId>>,
    awaited: BTreeSet<SlotId>,
    /// Slots declared by `let name` (the declarations the rewrite handles).
    pinnable: BTreeSet<SlotId>,
    /// Slots of a primitive scalar type (see [`is_scalar`]): they hold no
    /// borrow, whatever the expressions giving them values mention.
    scalars: BTreeSet<SlotId>,
    changed: bool,
    /// The pre-order number of the next node.
    index: usize,
    /// The loops enclosing the current node.
    loops: Vec<usize>,
    record: Option<Record>,
}

impl Walk<'_> {
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            let at = self.index;
            self.index += 1;
            if let Some(record) = &mut self.record {
                let (uses, defs) = node_uses(node);
                for u in uses {
                    record.uses.push((at, u, self.loops.clone()));
                }
                for d in defs {
                    record.decls.insert(d, self.loops.clone());
                }
            }
            let is_loop = matches!(node, Node::Loop { .. });
            if is_loop {
                self.loops.push(at);
            }
            self.node(node, at);
            if is_loop {
                self.loops.pop();
            }
        }
    }

    /// `#[cfg]` lets of one name are alternatives the compiler cannot
    /// choose between: each holds what any of them holds.
    fn cfg_alternatives(&mut self, defs: &[SlotId]) {
        for &d in defs {
            let name = self.resolution.slots[d].name.clone();
            let group = self.cfg_lets.entry(name).or_default();
            if !group.contains(&d) {
                group.push(d);
            }
            let group = group.clone();
            let all: BTreeSet<SlotId> = group.iter().flat_map(|&g| self.holds[g].clone()).collect();
            for &g in &group {
                self.flow(&[g], &all);
            }
        }
    }

    fn cause(&mut self, at: usize, carried: &BTreeSet<SlotId>, defs: &[SlotId], awaits: bool) {
        if let Some(record) = &mut self.record {
            record
                .causes
                .insert(at, (carried.clone(), defs.to_vec(), awaits));
        }
    }

    /// The slots among `uses` whose borrow `expr` may carry.
    fn carried(&self, expr: &dyn Fn(&mut Borrows), uses: &[SlotId]) -> BTreeSet<SlotId> {
        let mut b = Borrows::default();
        expr(&mut b);
        let mut out = BTreeSet::new();
        for &u in uses {
            let ident = self.resolution.slots[u].ident.to_string();
            if b.roots.contains(&ident) {
                out.insert(u);
            }
            // What a used value holds flows on (an over-approximation: the
            // use may be a copy of a field that borrows nothing).
            out.extend(&self.holds[u]);
        }
        out
    }

    /// Marks `into` as holding a unique borrow when the expression giving
    /// them their value mentions `mut` (`iter_mut()`, `&mut v`,
    /// `get_mut(..)`) or uses a slot that holds one.
    fn mark_mut(&mut self, into: &[SlotId], tokens: proc_macro2::TokenStream, uses: &[SlotId]) {
        let mentions = !tokens.is_empty()
            && (crate::names::mentioned_in(&tokens, "mut") || tokens.to_string().contains("_mut"));
        if mentions || uses.iter().any(|u| self.mut_holders.contains(u)) {
            for &d in into {
                if self.mut_holders.insert(d) {
                    self.changed = true;
                }
            }
        }
    }

    fn flow(&mut self, into: &[SlotId], carried: &BTreeSet<SlotId>) {
        for &d in into.iter().filter(|d| !self.scalars.contains(d)) {
            for &c in carried {
                if c != d && self.holds[d].insert(c) {
                    self.changed = true;
                }
            }
        }
    }

    /// Bindings of `let` patterns, `if let`/`while let` and `match` arms
    /// can be pinned (the rewrite binds a temporary and moves it into the
    /// slot); compiler temporaries and bindings a `match` guard reads cannot.
    fn declare(&mut self, pat: &Pat, defs: &[SlotId], temp: bool) {
        if !temp {
            self.pinnable
                .extend(defs.iter().filter(|&&d| !self.resolution.slots[d].temp));
        }
        // `ref x` bindings hold shared references.
        let mut shared = Vec::new();
        binding_modes(pat, &mut |name, by_ref, mutable| {
            if by_ref && !mutable {
                shared.push(name.to_string());
            }
        });
        let resolution = self.resolution;
        (self.shared_refs).extend(
            defs.iter()
                .filter(|&&d| shared.contains(&resolution.slots[d].name)),
        );
    }

    fn node(&mut self, node: &Node, at: usize) {
        match node {
            Node::Code { stmt, res } => match stmt {
                Stmt::Local(local) => {
                    self.declare(&local.pat, &res.defs, false);
                    if matches!(&local.pat, Pat::Ident(_) | Pat::Type(_)) {
                        self.let_slots.extend(&res.defs);
                    }
                    if local.attrs.iter().any(|a| a.path().is_ident("cfg")) {
                        self.cfg_alternatives(&res.defs);
                    }
                    let init = local.init.as_ref().map(|i| &*i.expr);
                    if is_scalar(&local.pat, init) {
                        self.scalars.extend(&res.defs);
                    }
                    if is_mut_ref(&local.pat, init) {
                        self.mut_refs.extend(&res.defs);
                    }
                    if is_shared_ref(&local.pat, init) {
                        self.shared_refs.extend(&res.defs);
                    }
                    if let Some(init) = &local.init {
                        let carried = self.carried(&|b| b.visit_expr(&init.expr), &res.uses);
                        self.flow(&res.defs, &carried);
                        let e = &init.expr;
                        self.mark_mut(&res.defs, quote::quote!(#e), &res.uses);
                        self.cause(at, &carried, &res.defs, false);
                    }
                }
                _ => {
                    let carried = self.carried(&|b| b.visit_stmt(stmt), &res.uses);
                    let targets: Vec<SlotId> =
                        res.defs.iter().chain(&res.writes).copied().collect();
                    self.flow(&targets, &carried);
                    self.cause(at, &carried, &targets, false);
                }
            },
            Node::Let {
                pat,
                init,
                diverge,
                temp,
                res,
                ..
            } => {
                self.declare(pat, &res.defs, *temp);
                if matches!(pat, Pat::Ident(_) | Pat::Type(_)) {
                    self.let_slots.extend(&res.defs);
                }
                if is_scalar(pat, init.as_ref()) {
                    self.scalars.extend(&res.defs);
                }
                if is_mut_ref(pat, init.as_ref()) {
                    self.mut_refs.extend(&res.defs);
                }
                if is_shared_ref(pat, init.as_ref()) {
                    self.shared_refs.extend(&res.defs);
                }
                if let Some(init) = init {
                    let carried = self.carried(&|b| b.visit_expr(init), &res.uses);
                    self.flow(&res.defs, &carried);
                    self.mark_mut(&res.defs, quote::quote!(#init), &res.uses);
                    self.cause(at, &carried, &res.defs, false);
                    // `ref` bindings borrow the initialiser's place.
                    if has_ref_binding(pat) {
                        let root = place_root(init).map(|r| r.to_string());
                        let roots: BTreeSet<SlotId> = res
                            .uses
                            .iter()
                            .copied()
                            .filter(|&u| Some(self.resolution.slots[u].ident.to_string()) == root)
                            .collect();
                        self.flow(&res.defs, &roots);
                    }
                }
                if let Some(d) = diverge {
                    self.nodes(d);
                }
            }
            Node::Await { future, res, .. } => {
                let mut carried = self.carried(&|b| b.visit_expr(future), &res.uses);
                carried.extend(res.uses.iter().filter(|u| self.mut_refs.contains(u)));
                // A value holding a borrow (`x` of `for x in v.iter_mut()`)
                // given to the future may be reborrowed by it: if it is
                // used after the await, it must stay in place too.
                let holders: Vec<SlotId> = (res.uses.iter())
                    .filter(|&&u| !self.holds[u].is_empty() && self.mut_holders.contains(&u))
                    .copied()
                    .collect();
                self.ref_args.extend(holders);
                self.cause(at, &carried, &res.defs, true);
                for &c in &carried {
                    if self.awaited.insert(c) {
                        self.changed = true;
                    }
                }
                self.flow(&res.defs, &carried);
            }
            Node::Scope { body, .. } => self.nodes(body),
            Node::If {
                cond,
                then,
                else_,
                res,
                then_res,
            } => {
                let carried = self.carried(&|b| b.visit_expr(cond), &res.uses);
                // (By what the condition uses only: a `for` loop's
                // `next(&mut iter)` says nothing of the items.)
                self.mark_mut(&then_res.defs, Default::default(), &res.uses);
                self.declare(
                    &syn::Pat::Verbatim(Default::default()),
                    &then_res.defs,
                    false,
                );
                self.flow(&then_res.defs, &carried);
                self.cause(at, &carried, &then_res.defs, false);
                self.nodes(then);
                self.nodes(else_);
            }
            Node::Match {
                scrutinee,
                arms,
                res,
            } => {
                let carried = self.carried(&|b| b.visit_expr(scrutinee), &res.uses);
                let arm_defs: Vec<SlotId> = arms.iter().flat_map(|a| a.res.defs.clone()).collect();
                self.mark_mut(&arm_defs, Default::default(), &res.uses);
                let root = place_root(scrutinee).map(|r| r.to_string());
                for arm in arms {
                    let mut c = carried.clone();
                    if has_ref_binding(&arm.pat) {
                        c.extend(res.uses.iter().filter(|&&u| {
                            Some(self.resolution.slots[u].ident.to_string()) == root
                        }));
                    }
                    if arm.guard.is_none() {
                        self.declare(&arm.pat, &arm.res.defs, false);
                    }
                    self.flow(&arm.res.defs, &c);
                    let mut all = c;
                    all.extend(
                        self.record
                            .as_ref()
                            .and_then(|r| r.causes.get(&at))
                            .map(|x| x.0.clone())
                            .unwrap_or_default(),
                    );
                    self.cause(at, &all, &arm.res.defs, false);
                    self.nodes(&arm.body);
                }
            }
            Node::Loop { body, .. } | Node::Labeled { body, .. } => self.nodes(body),
        }
    }
}

/// The slots a node's own expressions use, and those it declares.
fn node_uses(node: &Node) -> (Vec<SlotId>, Vec<SlotId>) {
    match node {
        Node::Code { res, .. } | Node::Let { res, .. } | Node::Await { res, .. } => {
            (res.uses.clone(), res.defs.clone())
        }
        Node::If { res, then_res, .. } => (res.uses.clone(), then_res.defs.clone()),
        Node::Match { res, arms, .. } => {
            let mut uses = res.uses.clone();
            let mut defs = Vec::new();
            for arm in arms {
                uses.extend(&arm.res.uses);
                defs.extend(&arm.res.defs);
            }
            (uses, defs)
        }
        Node::Scope { .. } | Node::Loop { .. } | Node::Labeled { .. } => (Vec::new(), Vec::new()),
    }
}

/// `let n = 0u32;`, `let done = false;`, `let x: f64 = ..;`: a binding
/// of a primitive scalar type, known from a literal initialiser or the
/// declared type. Such a value cannot hold a borrow, so the over-approximate
/// flow (`acc = acc.wrapping_add(c.bump(1).await)`, where the awaited value
/// might borrow `c`) stops there.
fn is_scalar(pat: &Pat, init: Option<&Expr>) -> bool {
    const PRIMITIVES: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char",
    ];
    let literal = |e: &Expr| {
        let mut e = e;
        while let Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) = e
        {
            e = expr;
        }
        matches!(
            e,
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(_)
                    | syn::Lit::Float(_)
                    | syn::Lit::Bool(_)
                    | syn::Lit::Char(_)
                    | syn::Lit::Byte(_),
                ..
            })
        )
    };
    match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => init.is_some_and(literal),
        Pat::Type(t) => {
            matches!(&*t.pat, Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none())
                && matches!(&*t.ty, syn::Type::Path(ty) if ty.qself.is_none()
                    && PRIMITIVES.iter().any(|name| ty.path.is_ident(name)))
        }
        _ => false,
    }
}

/// `let r = &mut v;` or `let r: &mut T = ..;`.
fn is_mut_ref(pat: &Pat, init: Option<&Expr>) -> bool {
    let typed = matches!(pat, Pat::Type(t) if matches!(&*t.ty, syn::Type::Reference(r) if r.mutability.is_some()));
    let borrowed = matches!(init, Some(Expr::Reference(r)) if r.mutability.is_some());
    typed || borrowed
}

/// `let r = &v;` or `let r: &T = ..;`.
fn is_shared_ref(pat: &Pat, init: Option<&Expr>) -> bool {
    let typed = matches!(pat, Pat::Type(t) if matches!(&*t.ty, syn::Type::Reference(r) if r.mutability.is_none()));
    let borrowed = matches!(init, Some(Expr::Reference(r)) if r.mutability.is_none());
    typed || borrowed
}

/// Calls `f` for each binding of `pat`, in the order of
/// Calls `f(name, by_ref, mutable)` for each binding of `pat`.
pub(crate) fn binding_modes(pat: &Pat, f: &mut dyn FnMut(&proc_macro2::Ident, bool, bool)) {
    struct Modes<'a>(&'a mut dyn FnMut(&proc_macro2::Ident, bool, bool));
    impl Visit<'_> for Modes<'_> {
        fn visit_pat_ident(&mut self, p: &syn::PatIdent) {
            (self.0)(&p.ident, p.by_ref.is_some(), p.mutability.is_some());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    Modes(f).visit_pat(pat);
}

fn has_ref_binding(pat: &Pat) -> bool {
    let mut found = false;
    binding_modes(pat, &mut |_, by_ref, _| found |= by_ref);
    found
}

/// The variable a place expression is rooted at: `v`, `v.f`, `v[i]`, `*v`.
pub fn place_root(e: &Expr) -> Option<&proc_macro2::Ident> {
    match e {
        Expr::Path(_) => crate::stages::resolve::single_ident(e),
        Expr::Field(f) => place_root(&f.base),
        Expr::Index(i) => place_root(&i.expr),
        Expr::Paren(p) => place_root(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => place_root(&u.expr),
        _ => None,
    }
}

/// The names an expression may borrow (see the module docs).
#[derive(Default)]
struct Borrows {
    roots: BTreeSet<String>,
}

impl Visit<'_> for Borrows {
    fn visit_expr_reference(&mut self, r: &syn::ExprReference) {
        if let Some(root) = place_root(&r.expr) {
            self.roots.insert(root.to_string());
        }
        syn::visit::visit_expr_reference(self, r);
    }

    fn visit_expr_method_call(&mut self, m: &syn::ExprMethodCall) {
        let owned = owned_result(&m.method) || by_value(&m.method);
        match place_root(&m.receiver) {
            Some(root) if !owned => {
                self.roots.insert(root.to_string());
            }
            Some(_) => {}
            // A chain: what the receiver borrows, the result may too.
            None => self.visit_expr(&m.receiver),
        }
        if let Expr::Index(i) = &*m.receiver {
            self.visit_expr(&i.index);
        }
        for arg in &m.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_call(&mut self, c: &syn::ExprCall) {
        // A closure called on the spot borrows nothing beyond the call.
        let mut func = &*c.func;
        while let Expr::Paren(p) = func {
            func = &p.expr;
        }
        match func {
            Expr::Closure(closure) => self.visit_expr(&closure.body),
            other => self.visit_expr(other),
        }
        for arg in &c.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_closure(&mut self, c: &syn::ExprClosure) {
        if c.capture.is_none() {
            // Everything a borrowing closure mentions may be captured by
            // reference.
            let mut all = Mentions::default();
            all.visit_expr(&c.body);
            self.roots.extend(all.0);
        }
    }

    fn visit_macro(&mut self, mac: &syn::Macro) {
        // Formatting macros make owned values; `vec!` holds what its
        // arguments do; any other macro may borrow any name it is given.
        if crate::stages::resolve::is_format_macro(&mac.path) {
            return;
        }
        // The normaliser's marker of a temporary: what its value borrows.
        if mac.path.is_ident(crate::stages::normalize::PIN_TEMPORARY) {
            if let Some(args) = MacroArgs::parse(&mac.tokens) {
                args.args.iter().skip(1).for_each(|a| self.visit_expr(a));
            }
            return;
        }
        let known = [
            "vec",
            "matches",
            "assert",
            "assert_eq",
            "assert_ne",
            "debug_assert",
        ]
        .iter()
        .any(|n| mac.path.is_ident(n));
        match MacroArgs::parse(&mac.tokens) {
            Some(args) if known => args.args.iter().for_each(|a| self.visit_expr(a)),
            _ => {
                let mut all = Mentions::default();
                all.visit_macro(mac);
                self.roots.extend(all.0);
            }
        }
    }

    fn visit_item(&mut self, _: &syn::Item) {}
}

#[derive(Default)]
struct Mentions(BTreeSet<String>);

impl Visit<'_> for Mentions {
    fn visit_ident(&mut self, i: &proc_macro2::Ident) {
        self.0.insert(i.to_string());
    }

    fn visit_macro(&mut self, m: &syn::Macro) {
        fn idents(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
            for tt in tokens {
                match tt {
                    proc_macro2::TokenTree::Ident(i) => {
                        out.insert(i.to_string());
                    }
                    proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
                    _ => {}
                }
            }
        }
        idents(m.tokens.clone(), &mut self.0);
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use crate::stages::liveness;
    use crate::stages::lower;
    use crate::test_util::{names, resolved};

    /// The source names of the locals `body` pins.
    fn pinned(body: TokenStream) -> Vec<String> {
        let (nodes, res) = resolved(body);
        let cfg = lower::lower(nodes.clone());
        let live = liveness::analyze(&cfg, &res);
        let selection = super::select(&nodes, &res, &cfg, &live, &[], &[]);
        names(&res, selection.pinned)
    }

    /// The source names of the pinned locals `body` takes out of their
    /// slots at their last use.
    fn taken(body: TokenStream) -> Vec<String> {
        let (nodes, res) = resolved(body);
        let cfg = lower::lower(nodes.clone());
        let live = liveness::analyze(&cfg, &res);
        let selection = super::select(&nodes, &res, &cfg, &live, &[], &[]);
        names(&res, selection.last_use.into_keys())
    }

    #[test]
    fn a_scalar_holds_no_borrow() {
        // `acc` might hold what `c.bump(1).await` returns, unless it is a
        // scalar: then `c` may be taken out at `c.tag`.
        let body = |init: TokenStream| {
            quote!(let mut acc = #init; let mut c = f();
                acc = acc.add(c.bump(1).await); y.await; g(c.tag); h(acc))
        };
        assert_eq!(taken(body(quote!(0u32))), ["c"]);
        assert!(taken(body(quote!(z()))).is_empty());
    }

    #[test]
    fn a_local_still_borrowed_after_its_last_use_stays_in_its_slot() {
        assert_eq!(
            taken(quote!(let v = f(); let r = &v.a; x.await; g(v.b); r.len())),
            Vec::<String>::new()
        );
        assert_eq!(
            taken(quote!(let v = f(); let r = &v.a; x.await; r.len(); g(v.b))),
            ["v"]
        );
    }

    #[test]
    fn a_reference_held_across_an_await_pins_its_owner() {
        assert_eq!(
            pinned(quote!(let v = f(); let r = &v; x.await; g(r))),
            ["v"]
        );
    }

    #[test]
    fn an_owned_result_does_not() {
        assert!(pinned(quote!(let v = f(); let n = v.len(); x.await; g(n))).is_empty());
        assert!(pinned(quote!(let v = f(); let w = v; x.await; g(w))).is_empty());
    }

    #[test]
    fn a_borrow_ended_before_the_await_does_not() {
        assert!(pinned(quote!(let v = f(); let r = &v; g(r); x.await; h(v))).is_empty());
    }

    #[test]
    fn an_iterator_over_a_local_across_an_await_pins_it() {
        assert_eq!(
            pinned(quote!(let v = f(); for w in v.iter() { x(w).await; })),
            ["v"]
        );
    }

    #[test]
    fn a_future_borrowing_a_local_pins_it() {
        assert_eq!(
            pinned(quote!(let mut b = f(); fill(&mut b).await; g(b))),
            ["b"]
        );
        assert_eq!(
            pinned(quote!(let mut c = f(); c.bump(2).await; c.peek().await)),
            ["c"]
        );
    }

    #[test]
    fn borrows_flow_through_bindings() {
        assert_eq!(
            pinned(quote!(let v = f(); let r = &v; let s = r; x.await; g(s))),
            ["v"]
        );
    }

    #[test]
    fn a_borrowing_closure_borrows_what_it_mentions() {
        let body = quote!(let k = f(); let c = |y| y + k; x.await; c(1));
        assert_eq!(pinned(body), ["k"]);
        // Called on the spot, it borrows nothing beyond the call.
        assert!(pinned(quote!(let k = f(); let z = (|| k + 1)(); x.await; g(z))).is_empty());
    }
}
