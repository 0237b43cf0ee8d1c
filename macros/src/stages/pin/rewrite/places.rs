//! The expressions a pinned local's uses become: its place through its
//! slot, a move out of it, its scope guard, and field chains projected in
//! place according to how they are used.

use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt, parse_quote_spanned};

use super::{Pins, Rewrite};
use crate::ir::Node;

/// The place of pinned local `ptr`: `**slot`.
pub(super) fn place(ptr: &Ident) -> Expr {
    let span = ptr.span();
    parse_quote_spanned!(span=> (**unsafe { ::asyncio::coroutine::place(#ptr) }))
}

/// The value of pinned local `ptr`, moved out. Bound first, so that its
/// type comes from the slot and the context's expected type coerces it
/// (`&&T` to `&T`) rather than being imposed on the slot.
pub(super) fn take_expr(ptr: &Ident) -> Expr {
    let span = ptr.span();
    parse_quote_spanned!(span=> {
        let __taken = unsafe { ::asyncio::coroutine::PinnedOrMoved::take(::asyncio::coroutine::place(#ptr)) };
        __taken
    })
}

/// The guard's name for the local behind `ptr`.
fn guard_name(ptr: &Ident) -> Ident {
    crate::names::hidden(&format!("__pin_end{ptr}"), ptr.span())
}

/// `let __end = PinnedEnd::new(ptr);`
pub fn guard(ptr: &Ident) -> Stmt {
    let span = ptr.span();
    let name = guard_name(ptr);
    parse_quote_spanned!(span=>
        let #name = unsafe { ::asyncio::coroutine::PinnedEnd::new(#ptr) };)
}

/// The field chains (two levels or more) of pinned locals borrowed anywhere
/// in the body, by `&`, `&mut` or as a method's receiver: (local, first
/// field, second field).
pub(super) fn borrowed_chains(pins: &Pins, nodes: &[Node]) -> Vec<(String, String, String)> {
    struct Scan<'a>(&'a Pins, Vec<(String, String, String)>);
    impl Scan<'_> {
        fn chain(&mut self, e: &Expr) {
            let mut base = e;
            let mut fields = Vec::new();
            while let Expr::Field(f) = base {
                fields.push(member(&f.member));
                base = &f.base;
            }
            if let (Some(ptr), true) = (self.0.pinned(base), fields.len() >= 2) {
                fields.reverse();
                self.1
                    .push((ptr.to_string(), fields[0].clone(), fields[1].clone()));
            }
        }
    }
    impl syn::visit::Visit<'_> for Scan<'_> {
        fn visit_expr_reference(&mut self, r: &syn::ExprReference) {
            self.chain(&r.expr);
            syn::visit::visit_expr_reference(self, r);
        }

        // `v.a.c.iter()` may borrow `v.a.c` as well.
        fn visit_expr_method_call(&mut self, m: &syn::ExprMethodCall) {
            self.chain(&m.receiver);
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    fn walk(scan: &mut Scan<'_>, nodes: &[Node]) {
        use syn::visit::Visit;
        for node in nodes {
            match node {
                Node::Code { stmt, .. } => scan.visit_stmt(stmt),
                Node::Let { init, diverge, .. } => {
                    init.iter().for_each(|e| scan.visit_expr(e));
                    diverge.iter().for_each(|d| walk(scan, d));
                }
                Node::Await { future, .. } => scan.visit_expr(future),
                Node::Scope { body, .. } | Node::Loop { body, .. } | Node::Labeled { body, .. } => {
                    walk(scan, body)
                }
                Node::If {
                    cond, then, else_, ..
                } => {
                    scan.visit_expr(cond);
                    walk(scan, then);
                    walk(scan, else_);
                }
                Node::Match {
                    scrutinee, arms, ..
                } => {
                    scan.visit_expr(scrutinee);
                    for arm in arms {
                        arm.guard.iter().for_each(|g| scan.visit_expr(g));
                        walk(scan, &arm.body);
                    }
                }
            }
        }
    }
    let mut scan = Scan(pins, Vec::new());
    walk(&mut scan, nodes);
    scan.1
}

/// The name of the `&mut PinnedOrMoved` a borrowing closure reaches `ptr`'s local by.
pub(super) fn slot_ref(ptr: &Ident) -> Ident {
    crate::names::hidden(&format!("__pin_ref{ptr}"), ptr.span())
}

/// `NAME!(args)` for one of the normaliser's markers: its arguments.
pub(super) fn marker(mac: &syn::Macro, name: &str) -> Option<Vec<Expr>> {
    if !mac.path.is_ident(name) {
        return None;
    }
    crate::macro_args::MacroArgs::parse(&mac.tokens).map(|args| args.args)
}

impl Rewrite<'_> {
    /// A field chain `v.a.b` of a pinned owned local, reached in place (not
    /// inside a closure, which reaches locals through slot references), so
    /// that a borrow of one field leaves the others free, as on a plain
    /// local:
    ///
    /// - under `&mut`, or assigned to: `**in_place(&raw mut (*v).a.b)`, the
    ///   whole chain projected (the shadow accepted a mutable use, so every
    ///   step of it supports one);
    /// - under `&`: the same with `&raw const`, through whatever the chain
    ///   dereferences (`Rc`, `&T` fields), for reads only;
    /// - elsewhere (a method call, a read), whether the use writes is not
    ///   known: the first field is projected (always possible: it is the
    ///   local's own) and the rest is ordinary field access on it, unless a
    ///   sibling of its second level is borrowed separately somewhere: then
    ///   the whole chain, as under `&mut`.
    pub(super) fn projection(&self, e: &Expr, access: Access) -> Option<Expr> {
        let Expr::Field(_) = e else { return None };
        let mut base = e;
        let mut fields = Vec::new();
        while let Expr::Field(f) = base {
            fields.push(f.member.clone());
            base = &f.base;
        }
        let ptr = self.pins.pinned(base)?;
        if self.closure_depth > 0 || self.pins.shared_refs.contains(&ptr.to_string()) {
            return None;
        }
        fields.reverse();
        // A use that may write (a method call) through a binding nothing
        // can be mutated through (an `Rc`, whose fields are reached by
        // `Deref` only) reads.
        let access = match access {
            Access::Unknown if self.pins.read_only.contains(&ptr.to_string()) => Access::Const,
            other => other,
        };
        let span = ptr.span();
        let value = quote_spanned!(span=> (*::asyncio::coroutine::PinnedSlot::value(#ptr)));
        let p = quote_spanned!(span=> ::asyncio::coroutine);
        Some(match access {
            Access::Mut => parse_quote_spanned!(span=>
                (**unsafe { #p::in_place(&raw mut #value #(.#fields)*) })),
            Access::Const => parse_quote_spanned!(span=>
                (**unsafe { #p::in_place_ref(&raw const #value #(.#fields)*) })),
            // A nested field whose sibling is borrowed separately: the
            // whole chain, for writing (through a shared reference or an
            // `Rc` that is rustc's E0596, never an overlap).
            Access::Unknown if self.sibling_borrowed(&ptr, &fields) => parse_quote_spanned!(span=>
                (**unsafe { #p::in_place(&raw mut #value #(.#fields)*) })),
            Access::Unknown => {
                let (first, rest) = (&fields[0], &fields[1..]);
                parse_quote_spanned!(span=>
                    (**unsafe { #p::in_place(&raw mut #value.#first) }) #(.#rest)*)
            }
        })
    }

    /// A place expression (`v.a`, `v.a[i]`, `*v.r`) used with `access`.
    pub(super) fn place_expr(&mut self, e: &mut Expr, access: Access) {
        if let Some(projected) = self.projection(e, access) {
            *e = projected;
            return;
        }
        match e {
            Expr::Index(i) => {
                self.place_expr(&mut i.expr, access);
                self.visit_expr_mut(&mut i.index);
            }
            Expr::Paren(p) => self.place_expr(&mut p.expr, access),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.place_expr(&mut u.expr, access)
            }
            _ => self.visit_expr_mut(e),
        }
    }

    /// Is a sibling of `v.a.b` (`v.a.c`) borrowed separately somewhere?
    fn sibling_borrowed(&self, ptr: &Ident, fields: &[syn::Member]) -> bool {
        let [first, second, ..] = fields else {
            return false;
        };
        let (ptr, first, second) = (ptr.to_string(), member(first), member(second));
        (self.borrowed_chains.iter()).any(|(p, f, s)| *p == ptr && *f == first && *s != second)
    }

    /// A move out of pinned local `ptr`: its slot needs a drop flag.
    pub(super) fn take(&mut self, ptr: &Ident) -> Expr {
        self.flagged.insert(ptr.to_string());
        take_expr(ptr)
    }

    /// The place of a pinned local: through its slot, or inside a borrowing
    /// closure through the slot reference bound before it.
    pub(super) fn place(&self, ptr: &Ident) -> Expr {
        if self.closure_refs.contains(&ptr.to_string()) {
            let (r, span) = (slot_ref(ptr), ptr.span());
            return parse_quote_spanned!(span=> (**#r));
        }
        place(ptr)
    }

    pub(super) fn tokens(&self, tokens: TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .map(|tt| match tt {
                TokenTree::Ident(i) if self.pins.names.contains(&i.to_string()) => {
                    let place = self.place(&i);
                    let mut g = Group::new(proc_macro2::Delimiter::None, quote!(#place));
                    g.set_span(i.span());
                    TokenTree::Group(g)
                }
                TokenTree::Group(g) => {
                    let mut new = Group::new(g.delimiter(), self.tokens(g.stream()));
                    new.set_span(g.span());
                    TokenTree::Group(new)
                }
                other => other,
            })
            .collect()
    }
}

/// Methods that only read their receiver (by name): a field chain they are
/// called on is projected for reading (see `Rewrite::projection`).
pub(super) const READ_ONLY: &[&str] = &[
    "len",
    "is_empty",
    "iter",
    "get",
    "contains",
    "contains_key",
    "clone",
    "to_string",
    "to_owned",
    "as_str",
    "as_slice",
    "as_bytes",
    "as_ref",
    "first",
    "last",
    "starts_with",
    "ends_with",
    "eq",
    "ne",
    "cmp",
    "partial_cmp",
    "capacity",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "keys",
    "values",
    "chars",
    "bytes",
    "lines",
    "split_whitespace",
    "trim",
    "copied",
    "cloned",
];

/// How a field chain is used (see `Rewrite::projection`).
#[derive(Clone, Copy)]
pub(super) enum Access {
    Mut,
    Const,
    Unknown,
}

fn member(m: &syn::Member) -> String {
    match m {
        syn::Member::Named(i) => i.to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    }
}

/// Operators that take their operands by value.
pub(super) fn moves_operands(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        Add(_)
            | Sub(_)
            | Mul(_)
            | Div(_)
            | Rem(_)
            | BitAnd(_)
            | BitOr(_)
            | BitXor(_)
            | Shl(_)
            | Shr(_)
    )
}
