//! Rewrites the uses of pinned locals into accesses to their slots.
//!
//! Runs on the normalised body after a resolution that renamed every pinned
//! local to a unique hygienic name (the same name then denotes, in the
//! step, the raw pointer to its slot):
//!
//! - `let v = e;` becomes `PinnedSlot::init(slot, e);` followed by a never-read
//!   guard `let __end = PinnedEnd::new(slot);`, which the rest of the compiler
//!   keeps to the end of the scope like any guard: the local drops where an
//!   `async fn` drops it, on every path out;
//! - `v = e` becomes `PinnedSlot::assign(slot, e)`;
//! - `v` in a position that moves it (an argument, an initialiser, an
//!   operand of arithmetic, a returned value, ...) becomes `PinnedOrMoved::take`;
//! - every other use (`&v`, `v.f`, `v.m()`, `v[i]`, a `match` scrutinee,
//!   macro arguments) becomes the place `**slot`, whose `Deref`/`DerefMut`
//!   rustc picks as it picks autoref;
//! - a `move` closure takes the pinned locals it mentions into itself first,
//!   as it would capture them; a borrowing closure reads them in place and
//!   may not move them.
//!
//! When unsure, the rewrite picks the place: a place where a move was meant
//! is a compile error (E0507), never a silent difference. No user
//! expression ends up inside the `unsafe` blocks it writes.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Stmt, parse_quote_spanned};

use crate::ir::{Node, Res};

mod places;

pub use places::guard;
use places::{Access, READ_ONLY, borrowed_chains, marker, moves_operands, slot_ref};

/// The pinned locals, by the name resolution gave them.
pub struct Pins {
    pub names: BTreeSet<String>,
    /// The node of each pinned local's last use, where a use that may move
    /// it takes it out of its slot (see `select::Selection::last_use`).
    pub last_use: BTreeMap<String, usize>,
    /// The same for a `BY_VALUE` method's receiver (see
    /// `select::Selection::last_move`).
    pub last_move: BTreeMap<String, usize>,
    /// Pinned locals holding shared references: no field projection.
    pub shared_refs: BTreeSet<String>,
    /// Pinned locals nothing can be mutated through (see
    /// `select::Selection::read_only`): fields projected for reading.
    pub read_only: BTreeSet<String>,
}

impl Pins {
    fn pinned(&self, e: &Expr) -> Option<Ident> {
        crate::stages::resolve::single_ident(e)
            .filter(|i| self.names.contains(&i.to_string()))
            .cloned()
    }
}

fn code(stmt: Stmt) -> Node {
    Node::Code {
        stmt,
        res: Res::default(),
    }
}

/// Rewrites `nodes` in place; errors for uses that cannot be expressed.
/// Returns the pinned locals whose slots need a drop flag (a `PinnedOrMoved`
/// rather than a `Pinned`): those moved out of somewhere, or declared
/// without a value.
pub fn nodes(pins: &Pins, nodes: &mut Vec<Node>) -> Result<BTreeSet<String>, syn::Error> {
    let mut r = Rewrite {
        pins,
        errors: Vec::new(),
        closure_depth: 0,
        closure_refs: BTreeSet::new(),
        index: 0,
        takes_here: BTreeMap::new(),
        moves_here: BTreeSet::new(),
        flagged: BTreeSet::new(),
        borrowed_chains: Vec::new(),
    };
    r.borrowed_chains = borrowed_chains(pins, nodes);
    r.nodes(nodes);
    crate::errors::combine(r.errors).map(|()| r.flagged)
}

struct Rewrite<'a> {
    pins: &'a Pins,
    errors: Vec<syn::Error>,
    /// Inside a borrowing (non-`move`) closure: a move out of a pinned local
    /// there would happen when the closure runs, not where rustc's borrow
    /// check sees it, so it is refused.
    closure_depth: usize,
    /// Pinned locals reached through a slot reference (inside a borrowing
    /// closure).
    closure_refs: BTreeSet<String>,
    /// The pre-order number of the next node (as `select` counts).
    index: usize,
    /// The pinned locals whose last use is in the current node, each with
    /// the expression of that use (see [`last_occurrence`]).
    takes_here: BTreeMap<String, *const Expr>,
    /// The pinned locals a `BY_VALUE` method may take out at this node.
    moves_here: BTreeSet<String>,
    /// See [`nodes`].
    flagged: BTreeSet<String>,
    /// See [`borrowed_chains`].
    borrowed_chains: Vec<(String, String, String)>,
}

/// The textually last use of the local `name` in the code of `node`
/// itself (not in the nodes it contains), by address: only there may a
/// field read or a `match` take the local out of its slot. In
/// `acc += v.n; consume({ let w = v; w.tag })` the read of `v.n` must not
/// take `v`, which the block then moves: it would be taken, and dropped,
/// twice. `None` when the local also occurs where this cannot see it as
/// an expression (a macro's arguments), which could come after.
fn last_occurrence(node: &Node, name: &str) -> Option<*const Expr> {
    struct Last<'n> {
        name: &'n str,
        found: Vec<*const Expr>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Last<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            if crate::stages::resolve::single_ident(e).is_some_and(|i| i == self.name) {
                self.found.push(e);
            }
            syn::visit::visit_expr(self, e);
        }
    }
    let mut last = Last {
        name,
        found: Vec::new(),
    };
    let tokens = match node {
        Node::Code { stmt, .. } => {
            syn::visit::Visit::visit_stmt(&mut last, stmt);
            quote!(#stmt)
        }
        Node::Let { pat, init, .. } => {
            if let Some(init) = init {
                syn::visit::Visit::visit_expr(&mut last, init);
            }
            quote!(#pat #init)
        }
        Node::Await { future, .. } => {
            syn::visit::Visit::visit_expr(&mut last, future);
            quote!(#future)
        }
        Node::If { cond, .. } => {
            syn::visit::Visit::visit_expr(&mut last, cond);
            quote!(#cond)
        }
        Node::Match {
            scrutinee, arms, ..
        } => {
            syn::visit::Visit::visit_expr(&mut last, scrutinee);
            let mut tokens = quote!(#scrutinee);
            for arm in arms {
                if let Some(guard) = &arm.guard {
                    syn::visit::Visit::visit_expr(&mut last, guard);
                }
                let (pat, guard) = (&arm.pat, &arm.guard);
                tokens.extend(quote!(#pat #guard));
            }
            tokens
        }
        Node::Scope { .. } | Node::Loop { .. } | Node::Labeled { .. } => return None,
    };
    let seen = last.found.len();
    (seen > 0 && crate::names::occurrences(&tokens, name) == seen).then(|| last.found[seen - 1])
}

/// The pinned local a `let` declares, with its type and initialiser.
fn declared(pat: &syn::Pat) -> Option<(&Ident, Option<&syn::Type>)> {
    match pat {
        syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some((&p.ident, None)),
        syn::Pat::Type(t) => match &*t.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                Some((&p.ident, Some(&*t.ty)))
            }
            _ => None,
        },
        _ => None,
    }
}

impl Rewrite<'_> {
    fn nodes(&mut self, nodes: &mut Vec<Node>) {
        let old = std::mem::take(nodes);
        for mut node in old {
            let at = self.index;
            self.index += 1;
            self.takes_here = (self.pins.last_use.iter())
                .filter(|(_, u)| **u == at)
                .filter_map(|(n, _)| Some((n.clone(), last_occurrence(&node, n)?)))
                .collect();
            self.moves_here = (self.pins.last_move.iter())
                .filter(|(_, u)| **u == at)
                .map(|(n, _)| n.clone())
                .collect();
            if let Some(replacement) = self.declaration(&mut node) {
                nodes.extend(replacement);
                continue;
            }
            self.node(&mut node);
            nodes.push(node);
        }
    }

    /// `let v = e;` of a pinned `v`: the slot's initialisation and guard.
    fn declaration(&mut self, node: &mut Node) -> Option<Vec<Node>> {
        let (attrs, pat, init) = match node {
            Node::Code {
                stmt: Stmt::Local(local),
                ..
            } if local.init.as_ref().is_none_or(|i| i.diverge.is_none()) => (
                local.attrs.clone(),
                &local.pat,
                local.init.as_mut().map(|i| &mut *i.expr),
            ),
            Node::Let {
                attrs,
                pat,
                init,
                diverge: None,
                ..
            } => (attrs.clone(), &*pat, init.as_mut()),
            _ => return self.pattern_declaration(node),
        };
        let Some((ident, ty)) = declared(pat) else {
            return self.pattern_declaration(node);
        };
        if !self.pins.names.contains(&ident.to_string()) {
            return None;
        }
        let (ptr, ty) = (ident.clone(), ty.cloned());
        let mut out = Vec::new();
        if init.is_none() {
            self.flagged.insert(ptr.to_string());
        }
        if let Some(init) = init {
            self.value(init);
            let span = ptr.span();
            let value = match ty {
                // The declared type guides inference and coercions as it
                // does on the `let`.
                Some(ty) => quote_spanned!(span=> { let __value: #ty = #init; __value }),
                None => quote!(#init),
            };
            let stmt: Stmt = parse_quote_spanned!(span=>
                #(#attrs)* ::asyncio::coroutine::PinnedSlot::init(
                    unsafe { ::asyncio::coroutine::place(#ptr) }, #value););
            out.push(code(stmt));
        }
        // The guard drops the local at the end of its scope, or on an early
        // exit (`break`, `continue`, `return`, `?`) out of it, as rustc
        // drops a local. A temporary's normal end is explicit, right after
        // its statement (see `normalize::PIN_TEMPORARY`): it needs a guard
        // (a pointer in the frame) only if an exit may leave that statement
        // early, where rustc drops it before the locals declared before it.
        let name = ptr.to_string();
        let temporary = name.contains(crate::stages::normalize::PIN_TEMPORARY_LOCAL);
        if !temporary || name.contains(crate::stages::normalize::PIN_TEMPORARY_EXIT_LOCAL) {
            let mut guard = guard(&ptr);
            if let Stmt::Local(l) = &mut guard {
                l.attrs = attrs;
            }
            out.push(code(guard));
        }
        Some(out)
    }

    /// A `let` whose pattern binds pinned locals among others: the pattern
    /// binds temporaries, moved into the slots right after.
    fn pattern_declaration(&mut self, node: &mut Node) -> Option<Vec<Node>> {
        let pat = match node {
            Node::Code {
                stmt: Stmt::Local(local),
                ..
            } => &mut local.pat,
            Node::Let { pat, .. } => pat,
            _ => return None,
        };
        let moves = self.bind_pinned(pat);
        if moves.is_empty() {
            return None;
        }
        self.node(node);
        let mut out = vec![node.clone()];
        out.extend(moves);
        Some(out)
    }

    /// Renames the pinned bindings of `pat` to temporaries; returns the
    /// statements that move them into their slots and declare the guards.
    fn bind_pinned(&self, pat: &mut syn::Pat) -> Vec<Node> {
        let mut moves = Vec::new();
        crate::stages::resolve::for_each_binding(pat, &mut |ident, _| {
            if self.pins.names.contains(&ident.to_string()) {
                let ptr = ident.clone();
                let tmp = crate::names::hidden(&format!("__pin_bound{ptr}"), ptr.span());
                *ident = tmp.clone();
                let span = ptr.span();
                moves.push(code(parse_quote_spanned!(span=>
                    ::asyncio::coroutine::PinnedSlot::init(
                        unsafe { ::asyncio::coroutine::place(#ptr) }, #tmp);)));
                moves.push(code(guard(&ptr)));
            }
        });
        moves
    }

    fn node(&mut self, node: &mut Node) {
        match node {
            Node::Code { stmt, .. } => self.visit_stmt_mut(stmt),
            Node::Let {
                pat, init, diverge, ..
            } => {
                if let Some(init) = init {
                    self.initializer(pat, init);
                }
                if let Some(d) = diverge {
                    self.nodes(d);
                }
            }
            // `IntoFuture::into_future(future)`: a move.
            Node::Await { future, .. } => self.value(future),
            Node::Scope { body, .. } | Node::Loop { body, .. } | Node::Labeled { body, .. } => {
                self.nodes(body)
            }
            Node::If {
                cond, then, else_, ..
            } => {
                self.visit_expr_mut(cond);
                let moves = self.cond_bindings(cond);
                self.nodes(then);
                if !moves.is_empty() {
                    then.splice(0..0, moves);
                }
                self.nodes(else_);
            }
            Node::Match {
                scrutinee, arms, ..
            } => {
                self.scrutinee(scrutinee);
                for arm in arms {
                    if let Some(g) = &mut arm.guard {
                        self.visit_expr_mut(g);
                    }
                    let moves = self.bind_pinned(&mut arm.pat);
                    self.nodes(&mut arm.body);
                    arm.body.splice(0..0, moves);
                }
            }
        }
    }

    /// The pinned bindings of the `let`s of an `if` condition.
    fn cond_bindings(&self, cond: &mut Expr) -> Vec<Node> {
        match cond {
            Expr::Let(l) => self.bind_pinned(&mut l.pat),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                let mut moves = self.cond_bindings(&mut b.left);
                moves.extend(self.cond_bindings(&mut b.right));
                moves
            }
            _ => Vec::new(),
        }
    }

    /// A `let` initialiser: moved, unless the pattern binds by reference
    /// (`let S { ref mut a, .. } = v.s;`), which borrows it in place.
    fn initializer(&mut self, pat: &syn::Pat, init: &mut Expr) {
        let (mut by_ref, mut by_mut) = (false, false);
        crate::stages::pin::select::binding_modes(pat, &mut |_, r, m| {
            by_ref |= r;
            by_mut |= r && m;
        });
        match (by_ref, by_mut) {
            (true, true) => self.place_expr(init, Access::Mut),
            (true, false) => self.place_expr(init, Access::Const),
            _ => self.value(init),
        }
    }

    /// The pinned local `e` is, if its last use is here (it may be moved).
    fn taken_here(&self, e: &Expr) -> Option<Ident> {
        self.pins.pinned(e).filter(|p| {
            self.closure_depth == 0
                && (self.takes_here.get(&p.to_string())).is_some_and(|&at| std::ptr::eq(at, e))
        })
    }

    /// A `match` scrutinee: a place, or the value at the local's last use.
    fn scrutinee(&mut self, e: &mut Expr) {
        match self.taken_here(e) {
            Some(ptr) => *e = self.take(&ptr),
            None => self.visit_expr_mut(e),
        }
    }

    /// An expression in a position that moves it.
    fn value(&mut self, e: &mut Expr) {
        let mut inner = &mut *e;
        while let Expr::Paren(p) = inner {
            inner = &mut *p.expr;
        }
        // `v.field` at `v`'s last use: a move of the field.
        if let Expr::Field(_) = inner {
            let mut base = &mut *inner;
            while let Expr::Field(f) = base {
                base = &mut *f.base;
            }
            if let Some(ptr) = self.taken_here(base) {
                *base = self.take(&ptr);
                return;
            }
        }
        if let Expr::Field(_) = inner {
            if let Some(projected) = self.projection(inner, Access::Const) {
                *inner = projected;
                return;
            }
        }
        if let Some(ptr) = self.pins.pinned(inner) {
            // Inside a borrowing closure the local is read in place: a copy
            // (`|x| x * factor`) works, a move is rustc's E0507 there (it
            // would happen when the closure runs, not where it is written).
            *inner = match self.closure_depth {
                0 => self.take(&ptr),
                _ => self.place(&ptr),
            };
            return;
        }
        self.visit_expr_mut(e);
    }

    /// A `move` closure: the pinned locals it mentions are taken into
    /// locals of the same name first, which it then captures as rustc would.
    fn move_closure(&mut self, c: &mut syn::ExprClosure) -> Option<Expr> {
        let mut found = BTreeMap::new();
        mentions(&quote!(#c), &self.pins.names, &mut found);
        if found.is_empty() {
            return None;
        }
        let takes: Vec<_> = found
            .values()
            .map(|ptr| {
                let t = self.take(ptr);
                quote!(let #ptr = #t;)
            })
            .collect();
        let span = c.or1_token.span;
        Some(parse_quote_spanned!(span=> { #(#takes)* #c }))
    }
}

/// The pinned names mentioned anywhere in `tokens`.
fn mentions(tokens: &TokenStream, names: &BTreeSet<String>, out: &mut BTreeMap<String, Ident>) {
    for tt in tokens.clone() {
        match tt {
            TokenTree::Ident(i) if names.contains(&i.to_string()) => {
                out.entry(i.to_string()).or_insert(i);
            }
            TokenTree::Group(g) => mentions(&g.stream(), names, out),
            _ => {}
        }
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(m) = stmt {
            let end = marker(&m.mac, crate::stages::normalize::PIN_TEMPORARY_END);
            if let Some(ptr) = end
                .as_deref()
                .and_then(|a| a.first())
                .and_then(|e| self.pins.pinned(e))
            {
                let span = ptr.span();
                *stmt = parse_quote_spanned!(span=> unsafe {
                    ::asyncio::coroutine::PinnedSlot::end(::asyncio::coroutine::place(#ptr))
                };);
                return;
            }
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some(ptr) = self.pins.pinned(e) {
            *e = self.place(&ptr);
            return;
        }
        if let Expr::Reference(r) = e {
            if let Expr::Macro(m) = &*r.expr {
                if let Some([local, value]) =
                    marker(&m.mac, crate::stages::normalize::PIN_TEMPORARY).as_deref()
                {
                    if let Some(ptr) = self.pins.pinned(local) {
                        let mut value = value.clone();
                        self.value(&mut value);
                        let (span, mutability) = (ptr.span(), r.mutability);
                        *e = parse_quote_spanned!(span=> & #mutability **{
                            ::asyncio::coroutine::PinnedSlot::assign(
                                unsafe { ::asyncio::coroutine::place(#ptr) }, #value);
                            unsafe { ::asyncio::coroutine::place(#ptr) }
                        });
                        return;
                    }
                }
            }
        }
        // `v.a.b` in place, as a plain local's field (see `projection`).
        if let Some(projected) = self.projection(e, Access::Unknown) {
            *e = projected;
            return;
        }
        if let Expr::Reference(r) = e {
            let access = match r.mutability {
                Some(_) => Access::Mut,
                None => Access::Const,
            };
            self.place_expr(&mut r.expr, access);
            return;
        }
        match e {
            Expr::Call(c) => {
                self.visit_expr_mut(&mut c.func);
                c.args.iter_mut().for_each(|a| self.value(a));
            }
            Expr::MethodCall(m) => {
                let by_value = super::select::by_value(&m.method);
                let access = match READ_ONLY.iter().any(|n| m.method == n) {
                    true => Access::Const,
                    false => Access::Unknown,
                };
                let moved = (self.pins.pinned(&m.receiver)).filter(|p| {
                    self.closure_depth == 0 && self.moves_here.contains(&p.to_string())
                });
                match moved {
                    Some(ptr) if by_value => *m.receiver = self.take(&ptr),
                    _ => self.place_expr(&mut m.receiver, access),
                }
                m.args.iter_mut().for_each(|a| self.value(a));
            }
            Expr::Tuple(t) => t.elems.iter_mut().for_each(|a| self.value(a)),
            Expr::Array(a) => a.elems.iter_mut().for_each(|a| self.value(a)),
            Expr::Struct(s) => {
                s.fields.iter_mut().for_each(|f| self.value(&mut f.expr));
                if let Some(rest) = &mut s.rest {
                    self.visit_expr_mut(rest);
                }
            }
            Expr::Return(r) => {
                if let Some(v) = &mut r.expr {
                    self.value(v);
                }
            }
            Expr::Break(b) => {
                if let Some(v) = &mut b.expr {
                    self.value(v);
                }
            }
            Expr::Try(t) => self.value(&mut t.expr),
            Expr::Binary(b) if moves_operands(&b.op) => {
                self.value(&mut b.left);
                self.value(&mut b.right);
            }
            Expr::Binary(b) if crate::stages::normalize::is_compound_assign(&b.op) => {
                self.place_expr(&mut b.left, Access::Mut);
                self.visit_expr_mut(&mut b.right);
            }
            Expr::Assign(a) => {
                self.value(&mut a.right);
                if let Some(ptr) = self.pins.pinned(&a.left) {
                    let right = &a.right;
                    let span = ptr.span();
                    *e = parse_quote_spanned!(span=> ::asyncio::coroutine::PinnedSlot::assign(
                        unsafe { ::asyncio::coroutine::place(#ptr) }, #right));
                } else {
                    self.place_expr(&mut a.left, Access::Mut);
                }
            }
            Expr::Match(m) => {
                self.scrutinee(&mut m.expr);
                for arm in &mut m.arms {
                    self.visit_arm_mut(arm);
                }
            }
            Expr::Let(l) => {
                self.scrutinee(&mut l.expr);
            }
            Expr::ForLoop(f) => {
                self.value(&mut f.expr);
                self.visit_block_mut(&mut f.body);
            }
            Expr::Closure(c) if c.capture.is_some() => {
                if let Some(taken) = self.move_closure(c) {
                    *e = taken;
                }
            }
            Expr::Closure(c) => {
                // The closure reaches each pinned local through a `&mut PinnedOrMoved`
                // bound just before it: it captures the slot through that
                // reference (a reborrow, independent of the binding), so it
                // may be held across an await like any borrowing closure.
                let mut found = BTreeMap::new();
                mentions(&quote!(#c), &self.pins.names, &mut found);
                let refs: Vec<Stmt> = found
                    .values()
                    .filter(|ptr| !self.closure_refs.contains(&ptr.to_string()))
                    .map(|ptr| {
                        let (r, span) = (slot_ref(ptr), ptr.span());
                        parse_quote_spanned!(span=>
                            let #r = unsafe { ::asyncio::coroutine::place(#ptr) };)
                    })
                    .collect();
                let added: Vec<String> = found
                    .keys()
                    .filter(|n| !self.closure_refs.contains(*n))
                    .cloned()
                    .collect();
                self.closure_refs.extend(added.iter().cloned());
                self.closure_depth += 1;
                self.visit_expr_mut(&mut c.body);
                self.closure_depth -= 1;
                for n in &added {
                    self.closure_refs.remove(n);
                }
                if !refs.is_empty() {
                    let span = c.or1_token.span;
                    *e = parse_quote_spanned!(span=> { #(#refs)* #c });
                }
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let n = b.stmts.len();
        for (i, stmt) in b.stmts.iter_mut().enumerate() {
            match stmt {
                // A block's value moves out of it.
                Stmt::Expr(e, None) if i + 1 == n => self.value(e),
                _ => self.visit_stmt_mut(stmt),
            }
        }
    }

    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        if let Some(init) = &mut local.init {
            self.initializer(&local.pat, &mut init.expr);
            if let Some((_, d)) = &mut init.diverge {
                self.visit_expr_mut(d);
            }
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        match crate::macro_args::MacroArgs::parse(&mac.tokens) {
            // Macro arguments are places: whether a macro moves its
            // argument is not visible here, and a place is never wrong
            // silently.
            Some(mut args) => {
                for arg in args.args.iter_mut() {
                    match arg {
                        Expr::Assign(a)
                            if crate::stages::resolve::single_ident(&a.left).is_some() =>
                        {
                            self.visit_expr_mut(&mut a.right)
                        }
                        other => self.visit_expr_mut(other),
                    }
                }
                mac.tokens = args.tokens();
            }
            None => mac.tokens = self.tokens(mac.tokens.clone()),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
