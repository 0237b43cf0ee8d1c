//! Stage 3: name resolution.
//!
//! Every binding of the normalised body (parameter, `let` or pattern
//! binding, compiler temporary) gets a [`Slot`]; every node gets the slots
//! its expressions use and define ([`Res`]). Resolution follows Rust's
//! lexical scoping, including bindings local to await-free code, so that
//! liveness is exact: a name shadowed inside plain code is not a use of the
//! outer slot.
//!
//! It also renames, so that every slot can be named wherever it must be
//! saved into the frame or restored from it:
//! - `self` becomes a hygienic `__self` (a closure cannot capture `self`);
//! - a slot shadowed by a binding of an inner scope is renamed to a hygienic
//!   name (the inner one may hide it at a suspension point);
//! - a never-read `_guard` that is shadowed is renamed likewise.
//!
//! Renaming needs to know about shadowing that comes later in the body, so
//! resolution walks the body twice: once to collect, once to rename.

mod uses;

use std::collections::HashSet;

use proc_macro2::{Ident, TokenStream};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt};

use crate::ir::{Node, Res, ScopeId, SlotId};
use crate::names;
use uses::Uses;
pub use uses::is_format_macro;

/// A binding that may be stored in the frame.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The name code uses for it (after renaming).
    pub ident: Ident,
    /// The name in the source.
    pub name: String,
    /// A compiler temporary rather than a binding of the user's.
    pub temp: bool,
    /// The type written on its declaration (`let x: T`), if any: a block
    /// that declares the slot again before assigning it repeats it.
    pub ty: Option<syn::Type>,
    /// Declared `mut`.
    pub mutable: bool,
    /// The scope it is declared in.
    pub scope: ScopeId,
    /// How many times it is read.
    pub reads: usize,
    /// Renamed to a hygienic name (see the module docs).
    pub renamed: bool,
}

impl Slot {
    /// A `_name` binding that is never read: a guard held to the end of its
    /// scope rather than released at its last use.
    pub fn is_guard(&self) -> bool {
        self.reads == 0 && !self.temp && self.name.starts_with('_')
    }
}

/// A lexical scope.
#[derive(Debug, Clone)]
pub struct Scope {
    /// An `unsafe { }` block: reopened as one.
    pub unsafe_: bool,
    /// Slots declared here, in declaration order.
    pub slots: Vec<SlotId>,
}

/// A binding initialised with a reference to another binding (`let v =
/// &x;`): if `slot` is still needed after an await, it borrows a value of
/// the frame across it, which cannot compile.
#[derive(Debug, Clone)]
pub struct LocalBorrow {
    /// The binding that holds the reference.
    pub slot: SlotId,
    /// The binding it borrows.
    pub of: SlotId,
    /// The `&x` (or `&mut x`) expression.
    pub expr: TokenStream,
}

/// What resolution learned about the whole body.
#[derive(Debug, Default)]
pub struct Resolution {
    pub slots: Vec<Slot>,
    pub scopes: Vec<Scope>,
    pub borrows: Vec<LocalBorrow>,
}

/// A parameter, bound in the outermost scope.
pub struct Param {
    pub ident: Ident,
    pub mutable: bool,
}

/// Resolves `body`, whose parameters are `params`. Scope 0 holds the
/// parameters; scope 1 is the body block.
pub fn resolve(params: &[Param], body: &mut [Node]) -> Result<Resolution, syn::Error> {
    resolve_renaming(params, body, &Default::default())
}

/// [`resolve`], renaming the slots in `also` too (to names no other binding
/// has: the pinned locals, whose uses are then rewritten by name).
pub fn resolve_renaming(
    params: &[Param],
    body: &mut [Node],
    also: &std::collections::BTreeSet<SlotId>,
) -> Result<Resolution, syn::Error> {
    let mut resolver = Resolver::default();
    resolver.run(params, body);
    let renames: HashSet<SlotId> = resolver
        .out
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.renamed || (s.is_guard() && resolver.shadowed.contains(&s.name)))
        .map(|(id, _)| id)
        .chain(also.iter().copied())
        .collect();
    // Second pass: rename (the collected slot ids repeat exactly).
    let mut renamer = Resolver {
        renaming: Some(renames),
        ..Resolver::default()
    };
    renamer.run(params, body);
    renamer
        .out
        .slots
        .iter_mut()
        .zip(&resolver.out.slots)
        .for_each(|(new, old)| new.reads = old.reads);
    crate::errors::combine(renamer.errors).map(|()| renamer.out)
}

#[derive(Default)]
struct Resolver {
    pub(super) out: Resolution,
    /// Visible bindings, innermost last: (source name, slot or `None` for a
    /// binding local to plain code).
    env: Vec<(String, Option<SlotId>)>,
    current: ScopeId,
    /// Names of guards that a later binding shadows.
    shadowed: HashSet<String>,
    /// In the second pass: the slots to rename.
    pub(super) renaming: Option<HashSet<SlotId>>,
    errors: Vec<syn::Error>,
}

impl Resolver {
    fn run(&mut self, params: &[Param], body: &mut [Node]) {
        self.out.scopes.push(Scope {
            unsafe_: false,
            slots: Vec::new(),
        });
        for p in params {
            let slot = self.declare(&p.ident, p.mutable);
            if p.ident == "self" {
                self.out.slots[slot].ident = names::hidden("__self", p.ident.span());
                self.out.slots[slot].renamed = true;
            }
        }
        self.scoped(|r| r.nodes(body));
    }

    pub(super) fn lookup(&self, name: &str) -> Option<SlotId> {
        self.env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, s)| *s)
    }

    fn declare(&mut self, ident: &Ident, mutable: bool) -> SlotId {
        let name = ident.to_string();
        let id = self.out.slots.len();
        if let Some(prev) = self.lookup(&name) {
            if self.out.slots[prev].scope != self.current {
                self.out.slots[prev].renamed = true;
            }
            self.shadowed.insert(self.out.slots[prev].name.clone());
        }
        let renamed = self.renaming.as_ref().is_some_and(|r| r.contains(&id)) && name != "self";
        let ident = if renamed {
            names::hidden(&format!("__r_{name}_{id}"), ident.span())
        } else {
            ident.clone()
        };
        self.out.slots.push(Slot {
            ident,
            name: name.clone(),
            temp: false,
            ty: None,
            mutable,
            scope: self.current,
            reads: 0,
            renamed,
        });
        self.out.scopes[self.current].slots.push(id);
        self.env.push((name, Some(id)));
        id
    }

    /// Runs `f` in a new scope, returning the scope's id.
    fn scoped(&mut self, f: impl FnOnce(&mut Self)) -> ScopeId {
        let id = self.out.scopes.len();
        self.out.scopes.push(Scope {
            unsafe_: false,
            slots: Vec::new(),
        });
        let (saved_scope, saved_env) = (self.current, self.env.len());
        self.current = id;
        f(self);
        self.current = saved_scope;
        self.env.truncate(saved_env);
        id
    }

    /// Declares the bindings of `pat` as slots (renaming them in the second
    /// pass); returns them.
    fn bind(&mut self, pat: &mut Pat) -> Vec<SlotId> {
        let ty = match &*pat {
            Pat::Type(t) if matches!(&*t.pat, Pat::Ident(_)) => Some((*t.ty).clone()),
            _ => None,
        };
        let slots = self.bind_all(pat);
        if let (Some(ty), [slot]) = (ty, &slots[..]) {
            self.out.slots[*slot].ty = Some(ty);
        }
        slots
    }

    fn bind_all(&mut self, pat: &mut Pat) -> Vec<SlotId> {
        let mut slots = Vec::new();
        let mut seen: Vec<(String, SlotId)> = Vec::new();
        for_each_binding(pat, &mut |ident, mutable| {
            let name = ident.to_string();
            let slot = match seen.iter().find(|(n, _)| *n == name) {
                Some((_, s)) => *s, // the same binding in another `|` alternative
                None => {
                    let s = self.declare(ident, mutable);
                    seen.push((name, s));
                    slots.push(s);
                    s
                }
            };
            *ident = self.out.slots[slot].ident.clone();
        });
        slots
    }

    fn nodes(&mut self, nodes: &mut [Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &mut Node) {
        match node {
            Node::Code { stmt, res } => self.code(stmt, res),
            Node::Let {
                pat,
                init,
                diverge,
                temp,
                res,
                ..
            } => {
                if let Some(init) = init {
                    res.uses = self.uses(|v| v.visit_expr_mut(init));
                }
                if let Some(diverge) = diverge {
                    res.scope = Some(self.scoped(|r| r.nodes(diverge)));
                }
                res.defs = self.bind(pat);
                for &slot in &res.defs {
                    self.out.slots[slot].temp = *temp;
                }
            }
            Node::Await {
                future, out, res, ..
            } => {
                res.uses = self.uses(|v| v.visit_expr_mut(future));
                // Mutable: the rest of the expression may call `&mut self`
                // methods on the awaited value (`v.await.pop()`).
                let slot = self.declare(out, true);
                self.out.slots[slot].temp = true;
                res.defs = vec![slot];
            }
            Node::Scope { body, res, unsafe_ } => {
                let scope = self.scoped(|r| r.nodes(body));
                self.out.scopes[scope].unsafe_ = *unsafe_;
                res.scope = Some(scope);
            }
            Node::If {
                cond,
                then,
                else_,
                res,
                then_res,
            } => {
                let mut pats = Vec::new();
                let mut visitor = Uses {
                    resolver: self,
                    locals: Vec::new(),
                    found: Vec::new(),
                    writes: Vec::new(),
                };
                visitor.cond(cond, &mut pats);
                let found = visitor.found;
                res.uses = self.record(found);
                // Assigned, not extended: the body is resolved again after
                // the pin stage rewrites it, with new slot numbers.
                then_res.scope = Some(self.scoped(|r| {
                    then_res.defs = pats.into_iter().flat_map(|pat| r.bind(pat)).collect();
                    r.nodes(then);
                }));
                res.scope = Some(self.scoped(|r| r.nodes(else_)));
            }
            Node::Match {
                scrutinee,
                arms,
                res,
            } => {
                res.uses = self.uses(|v| v.visit_expr_mut(scrutinee));
                for arm in arms {
                    arm.res.scope = Some(self.scoped(|r| {
                        arm.res.defs = r.bind(&mut arm.pat);
                        if let Some(guard) = &mut arm.guard {
                            arm.res.uses = r.uses(|v| v.visit_expr_mut(guard));
                        }
                        r.nodes(&mut arm.body);
                    }));
                }
            }
            Node::Loop {
                body, res, result, ..
            }
            | Node::Labeled {
                body, res, result, ..
            } => {
                if let Some(t) = result {
                    res.uses = self.lookup(&t.to_string()).into_iter().collect();
                }
                res.scope = Some(self.scoped(|r| r.nodes(body)));
            }
        }
    }

    /// A plain statement: its uses, and the slots it declares or overwrites.
    fn code(&mut self, stmt: &mut Stmt, res: &mut Res) {
        match stmt {
            Stmt::Local(local) => {
                let borrowed = local.init.as_ref().and_then(|init| {
                    let (name, expr) = borrowed_binding(&init.expr)?;
                    Some((self.lookup(&name)?, expr))
                });
                if let Some(init) = &mut local.init {
                    res.uses = self.uses(|v| {
                        v.visit_expr_mut(&mut init.expr);
                        if let Some((_, diverge)) = &mut init.diverge {
                            v.visit_expr_mut(diverge);
                        }
                    });
                }
                res.defs = self.bind(&mut local.pat);
                if let (Some((of, expr)), [slot]) = (borrowed, &res.defs[..]) {
                    self.out.borrows.push(LocalBorrow {
                        slot: *slot,
                        of,
                        expr,
                    });
                }
            }
            // `x = value;` (or `(a, b) = value;`) overwrites its targets: not
            // a use of their old values.
            Stmt::Expr(Expr::Assign(assign), _) if is_destructuring(&assign.left) => {
                res.uses = self.uses(|v| v.visit_expr_mut(&mut assign.right));
                let mut defs = Vec::new();
                for_each_target(&mut assign.left, &mut |ident| {
                    if let Some(slot) = self.lookup(&ident.to_string()) {
                        defs.push(slot);
                        *ident = self.out.slots[slot].ident.clone();
                    }
                });
                res.defs = defs;
            }
            Stmt::Item(_) => {}
            _ => {
                // Slots every path through the statement assigns (`if c { x
                // = 1 } else { x = 2 }`) are overwritten, like `x = 1;`.
                let definite: Vec<SlotId> = definitely_assigned(stmt)
                    .iter()
                    .filter_map(|n| self.lookup(n))
                    .collect();
                res.defs = definite;
                let mut visitor = Uses {
                    resolver: self,
                    locals: Vec::new(),
                    found: Vec::new(),
                    writes: Vec::new(),
                };
                visitor.visit_stmt_mut(stmt);
                let (found, writes) = (visitor.found, visitor.writes);
                res.uses = self.record(found);
                res.writes = writes;
            }
        }
    }

    /// The slots used by the code `f` visits (renaming them in the second pass).
    fn uses(&mut self, f: impl FnOnce(&mut Uses<'_>)) -> Vec<SlotId> {
        let mut visitor = Uses {
            resolver: self,
            locals: Vec::new(),
            found: Vec::new(),
            writes: Vec::new(),
        };
        f(&mut visitor);
        let found = visitor.found;
        self.record(found)
    }

    /// Counts the reads in `found`; returns them sorted, without repeats.
    fn record(&mut self, mut found: Vec<SlotId>) -> Vec<SlotId> {
        for &slot in &found {
            self.out.slots[slot].reads += 1;
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The names that every path through `stmt` assigns with `=` (and that it
/// does not read first), found syntactically: `x = ..`, a block with such a
/// statement, an `if`/`else` or `match` all of whose branches have one.
fn definitely_assigned(stmt: &Stmt) -> Vec<String> {
    fn expr(e: &Expr) -> Vec<String> {
        match e {
            Expr::Assign(a) if is_destructuring(&a.left) => {
                let mut names = Vec::new();
                for_each_target(&mut (*a.left).clone(), &mut |i| names.push(i.to_string()));
                let right = &a.right;
                names.retain(|n| !names::mentioned_in(&quote::quote!(#right), n));
                names
            }
            Expr::Block(b) if b.label.is_none() => block(&b.block),
            Expr::Unsafe(b) => block(&b.block),
            Expr::Paren(p) => expr(&p.expr),
            Expr::If(i) => match &i.else_branch {
                Some((_, else_)) => intersect(block(&i.then_branch), expr(else_)),
                None => Vec::new(),
            },
            Expr::Match(m) => m
                .arms
                .iter()
                .map(|arm| expr(&arm.body))
                .reduce(intersect)
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
    fn block(b: &syn::Block) -> Vec<String> {
        let declared: Vec<String> = b
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Local(l) => Some(local_names(&l.pat)),
                _ => None,
            })
            .flatten()
            .collect();
        let mut names: Vec<String> = b.stmts.iter().flat_map(definitely_assigned).collect();
        names.retain(|n| !declared.contains(n));
        names
    }
    fn intersect(a: Vec<String>, b: Vec<String>) -> Vec<String> {
        a.into_iter().filter(|n| b.contains(n)).collect()
    }
    match stmt {
        Stmt::Expr(e, _) => expr(e),
        _ => Vec::new(),
    }
}

/// Is `e`, as the left side of `=`, made only of variables (`x`, `(a, b)`,
/// `[a, _]`, `S { f: a, .. }`, `T(a, b)`)?
pub(super) fn is_destructuring(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => single_ident(e).is_some(),
        Expr::Infer(_) => true,
        Expr::Paren(p) => is_destructuring(&p.expr),
        Expr::Tuple(t) => t.elems.iter().all(is_destructuring),
        Expr::Array(a) => a.elems.iter().all(is_destructuring),
        Expr::Call(c) => c.args.iter().all(is_destructuring),
        Expr::Struct(s) => s.fields.iter().all(|f| is_destructuring(&f.expr)),
        Expr::Range(r) => r.start.is_none() && r.end.is_none(), // `..`
        _ => false,
    }
}

/// Calls `f` on each variable a destructuring assignment target assigns.
pub(super) fn for_each_target(e: &mut Expr, f: &mut dyn FnMut(&mut Ident)) {
    match e {
        Expr::Path(p) if p.path.segments.len() == 1 => f(&mut p.path.segments[0].ident),
        Expr::Paren(p) => for_each_target(&mut p.expr, f),
        Expr::Tuple(t) => t.elems.iter_mut().for_each(|e| for_each_target(e, f)),
        Expr::Array(a) => a.elems.iter_mut().for_each(|e| for_each_target(e, f)),
        Expr::Call(c) => c.args.iter_mut().for_each(|e| for_each_target(e, f)),
        Expr::Struct(s) => {
            for field in &mut s.fields {
                for_each_target(&mut field.expr, f);
                // `S { a } = ..` with `a` renamed: spell out `S { a: __r_a_3 }`.
                let renamed = matches!((&field.member, &field.expr),
                    (syn::Member::Named(m), Expr::Path(p)) if p.path.segments.len() == 1 && *m != p.path.segments[0].ident);
                if field.colon_token.is_none() && renamed {
                    field.colon_token = Some(Default::default());
                }
            }
        }
        _ => {}
    }
}

/// `x` as an expression: a one-segment path with no generics.
/// `&x` or `&mut x` (in parentheses or not): the name `x` and the tokens.
fn borrowed_binding(e: &Expr) -> Option<(String, TokenStream)> {
    match e {
        Expr::Paren(p) => borrowed_binding(&p.expr),
        Expr::Reference(r) => {
            let name = single_ident(&r.expr)?.to_string();
            Some((name, quote::ToTokens::to_token_stream(r)))
        }
        _ => None,
    }
}

pub fn single_ident(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Path(p)
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1 =>
        {
            let seg = &p.path.segments[0];
            seg.arguments.is_none().then_some(&seg.ident)
        }
        _ => None,
    }
}

/// Calls `f` on every binding identifier in `pat`, in source order.
pub fn for_each_binding(pat: &mut Pat, f: &mut dyn FnMut(&mut Ident, bool)) {
    match pat {
        Pat::Ident(p) => {
            let name = p.ident.to_string();
            let is_binding = p.subpat.is_some()
                || p.by_ref.is_some()
                || p.mutability.is_some()
                || !name.starts_with(|c: char| c.is_uppercase());
            if is_binding {
                f(&mut p.ident, p.mutability.is_some());
            }
            if let Some((_, sub)) = &mut p.subpat {
                for_each_binding(sub, f);
            }
        }
        Pat::Tuple(t) => t.elems.iter_mut().for_each(|p| for_each_binding(p, f)),
        Pat::TupleStruct(t) => t.elems.iter_mut().for_each(|p| for_each_binding(p, f)),
        Pat::Struct(s) => {
            for field in &mut s.fields {
                for_each_binding(&mut field.pat, f);
                // `S { x }` binding a renamed `x`: spell it out as `S { x: __r_x_3 }`.
                let renamed = matches!((&field.member, &*field.pat),
                    (syn::Member::Named(m), Pat::Ident(p)) if *m != p.ident);
                if field.colon_token.is_none() && renamed {
                    field.colon_token = Some(Default::default());
                }
            }
        }
        Pat::Slice(s) => s.elems.iter_mut().for_each(|p| for_each_binding(p, f)),
        Pat::Reference(r) => for_each_binding(&mut r.pat, f),
        Pat::Or(o) => o.cases.iter_mut().for_each(|p| for_each_binding(p, f)),
        Pat::Paren(p) => for_each_binding(&mut p.pat, f),
        Pat::Type(t) => for_each_binding(&mut t.pat, f),
        _ => {}
    }
}

/// Names bound by a pattern inside plain code (not slots).
pub(super) fn local_names(pat: &Pat) -> Vec<String> {
    let mut pat = pat.clone();
    let mut names = Vec::new();
    for_each_binding(&mut pat, &mut |ident, _| names.push(ident.to_string()));
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn resolved(body: TokenStream) -> (Vec<Node>, Resolution) {
        let block: syn::Block = syn::parse2(quote!({ #body })).unwrap();
        let mut nodes = crate::stages::normalize::body(&block, true).unwrap().nodes;
        let params = [Param {
            ident: Ident::new("p", proc_macro2::Span::call_site()),
            mutable: false,
        }];
        let res = resolve(&params, &mut nodes).unwrap();
        (nodes, res)
    }

    #[test]
    fn shadowing_gives_distinct_slots() {
        let (nodes, res) = resolved(quote!(let x = p; let x = x + 1; f(x)));
        assert_eq!(res.slots.len(), 3);
        let Node::Code { res: second, .. } = &nodes[1] else {
            panic!()
        };
        assert_eq!(second.uses, vec![1], "the initialiser reads the first `x`");
        assert_eq!(second.defs, vec![2]);
    }

    #[test]
    fn bindings_local_to_plain_code_are_not_uses() {
        let (nodes, _) = resolved(quote!(let x = 1; let y = { let x = 2; x }; f(y)));
        let Node::Code { res, .. } = &nodes[1] else {
            panic!()
        };
        assert!(res.uses.is_empty());
    }

    #[test]
    fn plain_assignment_is_a_definition() {
        let (nodes, _) = resolved(quote!(let mut x = 1; x = p; f(x)));
        let Node::Code { res, .. } = &nodes[1] else {
            panic!()
        };
        assert_eq!((res.uses.clone(), res.defs.clone()), (vec![0], vec![1]));
    }

    #[test]
    fn macro_arguments_and_format_captures_are_uses() {
        let (nodes, _) = resolved(quote!(let x = 1; let y = 2; println!("{x}", y); f()));
        let Node::Code { res, .. } = &nodes[2] else {
            panic!()
        };
        assert_eq!(res.uses, vec![1, 2]);
    }

    #[test]
    fn outer_binding_shadowed_in_inner_scope_is_renamed() {
        let (_, res) = resolved(quote!(let x = 1; { let x = 2; y.await; f(x); } g(x)));
        assert!(res.slots[1].renamed);
        assert!(!res.slots[2].renamed);
    }

    #[test]
    fn never_read_underscore_binding_is_a_guard() {
        let (_, res) = resolved(quote!(let _g = lock(); y.await;));
        assert!(res.slots[1].is_guard());
    }
}

#[cfg(test)]
mod definite_tests {
    #[test]
    fn both_branches_assign() {
        let s: syn::Stmt = syn::parse_quote!(if c {
            x = 1;
        } else {
            x = 2;
        });
        assert_eq!(super::definitely_assigned(&s), vec!["x".to_string()]);
    }
}
