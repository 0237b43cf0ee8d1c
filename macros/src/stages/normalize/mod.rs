//! Stage 2: normalisation to A-normal form.
//!
//! Every `.await` is hoisted out of the expression that contains it into an
//! [`Node::Await`] statement whose result is a fresh temporary, keeping
//! Rust's left-to-right evaluation order: operands evaluated before an await
//! are hoisted into temporaries too, unless they are plain places or
//! side-effect-free values (paths, field reads, literals, borrows of places,
//! closures), which may be evaluated later with the same result. That is why
//! `v.push(x.await)` does not hold `&mut v` across the await.
//!
//! Control flow in value position (`let y = if c { a.await } else { 0 };`)
//! becomes a temporary declared before the construct and assigned in each
//! branch; `&&` and `||` become `if`s, so short-circuiting is kept; `while`,
//! `while let` and `for` become `loop` the way rustc desugars them. Anything
//! without an await stays exactly as written.

use crate::macro_args::MacroArgs;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{BinOp, Block, Expr, Ident, Lifetime, Local, Pat, Stmt, parse_quote_spanned};

use crate::awaits;
mod temporaries;

pub use temporaries::{
    PIN_KEPT_LOCAL, PIN_TEMPORARY, PIN_TEMPORARY_END, PIN_TEMPORARY_EXIT_LOCAL, PIN_TEMPORARY_LOCAL,
};

use crate::ir::{Arm, Node, Res};
use crate::names;

/// Where the value of a construct goes.
#[derive(Clone)]
enum Dest {
    /// Evaluated for its effects only.
    Discard,
    /// Assigned to a temporary declared beforehand.
    Temp(Ident),
    /// Returned from the coroutine (the body's tail).
    Return,
}

/// A normalised body.
pub struct Body {
    pub nodes: Vec<Node>,
    /// Items (`fn`, `use`, `const`, `macro_rules!`, ...) declared in the
    /// body, to be placed where every block can see them.
    pub items: Vec<syn::Item>,
}

/// Normalises a coroutine body. The body's tail value becomes a `return`.
///
/// When the fn returns something other than `()` and the body ends with a
/// statement (`unreachable!();`, `loop { .. };`), that statement's value is
/// what the body returns: a diverging one type-checks, as in a plain fn,
/// and anything else is rustc's "expected `T`, found `()`" on that line.
pub fn body(block: &Block, unit_output: bool) -> Result<Body, syn::Error> {
    let mut normalizer = Normalizer::default();
    let mut nodes = Vec::new();
    let mut stmts = block.stmts.clone();
    if !unit_output {
        if let Some(last) = stmts.last_mut() {
            match last {
                Stmt::Expr(_, semi @ Some(_)) => *semi = None,
                Stmt::Macro(m) => {
                    let mac = m.mac.clone();
                    *last = Stmt::Expr(
                        Expr::Macro(syn::ExprMacro {
                            attrs: m.attrs.clone(),
                            mac,
                        }),
                        None,
                    );
                }
                _ => {}
            }
        }
    }
    normalizer.stmts(&stmts, &mut nodes, Dest::Return);
    crate::errors::combine(normalizer.errors).map(|()| Body {
        nodes,
        items: normalizer.items,
    })
}

/// The outer attributes of an expression (`#[attr] expr`).
fn outer_attrs(e: &Expr) -> Vec<syn::Attribute> {
    let parser = |input: syn::parse::ParseStream<'_>| {
        let attrs = syn::Attribute::parse_outer(input)?;
        input.parse::<TokenStream>()?;
        Ok(attrs)
    };
    syn::parse::Parser::parse2(parser, quote!(#e)).unwrap_or_default()
}

#[derive(Default)]
struct Normalizer {
    next_temp: usize,
    /// Locals made for head temporaries so far (see
    /// `keep_head_temporaries`).
    head_locals: usize,
    errors: Vec<syn::Error>,
    /// Items declared in the body's blocks, hoisted out (see `stmt`).
    items: Vec<syn::Item>,
}

impl Normalizer {
    fn temp(&mut self, at: Span) -> Ident {
        self.next_temp += 1;
        names::numbered("__t", self.next_temp, at)
    }

    fn error(&mut self, span: Span, message: &str) -> Expr {
        self.errors.push(syn::Error::new(span, message));
        parse_quote_spanned!(span=> ())
    }

    /// A block's statements; the tail expression's value goes to `dest`.
    fn stmts(&mut self, stmts: &[Stmt], out: &mut Vec<Node>, dest: Dest) {
        let tail = match stmts.last() {
            Some(Stmt::Expr(e, None)) => Some(e),
            _ => None,
        };
        let body = if tail.is_some() {
            &stmts[..stmts.len() - 1]
        } else {
            stmts
        };
        for stmt in body {
            self.stmt(stmt, out);
        }
        match tail {
            Some(e) => {
                let start = out.len();
                self.expr_into(e, out, dest);
                self.pin_temporaries(out, start);
            }
            None => {
                // A block ending in `return x;` (or `break`, `continue`) has no value to deliver.
                let diverges = matches!(
                    body.last(),
                    Some(Stmt::Expr(
                        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_),
                        _
                    ))
                );
                if !diverges {
                    self.unit(Span::call_site(), out, dest);
                }
            }
        }
    }

    fn stmt(&mut self, stmt: &Stmt, out: &mut Vec<Node>) {
        if let Some(stmt) = self.pin_macro(stmt, out) {
            return self.stmt(&stmt, out);
        }
        if let Stmt::Item(item) = stmt {
            // Items are visible in their whole block; hoisted to the top of
            // the generated fn, they stay visible in every block of the body.
            self.items.push(item.clone());
            return;
        }
        if !awaits::in_stmt(stmt) {
            let start = out.len();
            out.push(Node::Code {
                stmt: stmt.clone(),
                res: Res::default(),
            });
            self.pin_temporaries(out, start);
            return;
        }
        let start = out.len();
        self.stmt_with_awaits(stmt, out);
        self.pin_temporaries(out, start);
    }

    fn stmt_with_awaits(&mut self, stmt: &Stmt, out: &mut Vec<Node>) {
        match stmt {
            Stmt::Local(local) => {
                self.check_attrs(&local.attrs);
                self.local(local, out);
            }
            Stmt::Expr(e, _) => {
                self.check_attrs(&outer_attrs(e));
                self.expr_into(e, out, Dest::Discard);
            }
            Stmt::Macro(m) => {
                let mac = self.mac(&m.mac, out);
                let stmt = Stmt::Macro(syn::StmtMacro { mac, ..m.clone() });
                out.push(Node::Code {
                    stmt,
                    res: Res::default(),
                });
            }
            Stmt::Item(_) => out.push(Node::Code {
                stmt: stmt.clone(),
                res: Res::default(),
            }),
        }
    }

    /// `#[cfg]` on a statement that contains an await cannot be honoured:
    /// a proc macro cannot evaluate it, and the statement is split up.
    fn check_attrs(&mut self, attrs: &[syn::Attribute]) {
        for attr in attrs {
            // `#[cfg]` was resolved before (`crate::stages::cfg_variants`).
            if attr.path().is_ident("cfg_attr") {
                self.errors.push(syn::Error::new_spanned(
                    attr,
                    "`#[cfg_attr]` on a statement that contains `.await` is not supported: \
                     write `#[cfg(..)]` copies of the statement",
                ));
            }
        }
    }

    fn local(&mut self, local: &Local, out: &mut Vec<Node>) {
        let (init, diverge) = match &local.init {
            Some(init) => {
                let value = match (&local.pat, &*init.expr) {
                    // `let x: T = if c { .. } else { .. };`: the branches'
                    // temporary gets `T`, so each branch coerces to it.
                    (Pat::Type(typed), e) if is_control(e) && awaits::in_expr(e) => {
                        let t = self.temp(e.span());
                        let ty = &typed.ty;
                        out.push(Node::Let {
                            attrs: Vec::new(),
                            pat: Pat::Type(syn::PatType {
                                attrs: Vec::new(),
                                pat: Box::new(parse_quote_spanned!(t.span()=> #t)),
                                colon_token: Default::default(),
                                ty: ty.clone(),
                            }),
                            init: None,
                            diverge: None,
                            temp: true,
                            res: Res::default(),
                        });
                        self.expr_into(e, out, Dest::Temp(t.clone()));
                        parse_quote_spanned!(t.span()=> #t)
                    }
                    _ => self.value(&init.expr, out),
                };
                let diverge = init.diverge.as_ref().map(|(_, e)| {
                    let mut nodes = Vec::new();
                    self.expr_into(e, &mut nodes, Dest::Discard);
                    nodes
                });
                (Some(value), diverge)
            }
            None => (None, None),
        };
        let res = Res::default();
        out.push(Node::Let {
            attrs: local.attrs.clone(),
            pat: local.pat.clone(),
            init,
            diverge,
            temp: false,
            res,
        });
    }

    /// Sends an await-free value to its destination.
    fn assign(&mut self, value: Expr, out: &mut Vec<Node>, dest: Dest) {
        // `x = continue` never assigns: keep just the jump, so that lowering
        // sees the statement diverge.
        let dest = match value {
            Expr::Break(_) | Expr::Continue(_) | Expr::Return(_) => Dest::Discard,
            _ => dest,
        };
        let stmt: Stmt = match dest {
            // An awaited value that is not used is dropped right away, as
            // `x.await;` does.
            Dest::Discard if matches!(value, Expr::Path(_)) => {
                parse_quote_spanned!(value.span()=> ::core::mem::drop(#value);)
            }
            Dest::Discard => Stmt::Expr(value, Some(Default::default())),
            Dest::Temp(t) => parse_quote_spanned!(value.span()=> #t = #value;),
            Dest::Return => parse_quote_spanned!(value.span()=> return #value;),
        };
        out.push(Node::Code {
            stmt,
            res: Res::default(),
        });
    }

    /// Evaluates `e` into `dest`, lowering control flow that contains awaits.
    fn expr_into(&mut self, e: &Expr, out: &mut Vec<Node>, dest: Dest) {
        if !awaits::in_expr(e) {
            return self.assign(e.clone(), out, dest);
        }
        match e {
            Expr::Block(b) if b.label.is_none() => {
                let mut body = Vec::new();
                self.stmts(&b.block.stmts, &mut body, dest);
                out.push(Node::Scope {
                    unsafe_: false,
                    body,
                    res: Res::default(),
                });
            }
            Expr::Unsafe(b) => {
                let mut body = Vec::new();
                self.stmts(&b.block.stmts, &mut body, dest);
                out.push(Node::Scope {
                    unsafe_: true,
                    body,
                    res: Res::default(),
                });
            }
            Expr::Block(b) => {
                let label = b.label.as_ref().unwrap().name.clone();
                let (result, inner) = self.result_temp(&dest, out, label.span());
                let mut body = Vec::new();
                self.stmts(&b.block.stmts, &mut body, inner);
                out.push(Node::Labeled {
                    label,
                    result: result.clone(),
                    body,
                    res: Res::default(),
                });
                self.deliver(result, out, dest);
            }
            Expr::If(i) => self.if_expr(i, out, dest),
            Expr::Match(m) => {
                let kept = self.head_locals;
                let mut head = Vec::new();
                let scrutinee = self.keep_head_temporaries(&m.expr, &mut head);
                let hoisted = self.head_locals != kept;
                let scrutinee = self.value(&scrutinee, &mut head);
                let arms = m
                    .arms
                    .iter()
                    .map(|arm| {
                        if let Some((_, guard)) = &arm.guard {
                            if awaits::in_expr(guard) {
                                self.error(
                                    guard.span(),
                                    "`.await` in a match guard is not supported: \
                                     await before the `match` and test the value in the guard",
                                );
                            }
                        }
                        let mut body = Vec::new();
                        self.expr_into(&arm.body, &mut body, dest.clone());
                        // An arm's expression is a full expression: its
                        // temporaries end with it. (A block's statements
                        // are full expressions of their own.)
                        if !matches!(&*arm.body, Expr::Block(_)) {
                            self.pin_temporaries(&mut body, 0);
                        }
                        Arm {
                            pat: arm.pat.clone(),
                            guard: arm.guard.as_ref().map(|(_, g)| (**g).clone()),
                            body,
                            res: Res::default(),
                        }
                    })
                    .collect();
                head.push(Node::Match {
                    scrutinee,
                    arms,
                    res: Res::default(),
                });
                self.close_head(head, hoisted, out);
            }
            Expr::Loop(l) => {
                let label = l.label.as_ref().map(|l| l.name.clone());
                let (result, _) = self.result_temp(&dest, out, l.loop_token.span);
                let mut body = Vec::new();
                self.stmts(&l.body.stmts, &mut body, Dest::Discard);
                out.push(Node::Loop {
                    label,
                    result: result.clone(),
                    body,
                    res: Res::default(),
                });
                self.deliver(result, out, dest);
            }
            Expr::While(w) => {
                // 'l: loop { if cond { body } else { break 'l } }
                let label = w.label.as_ref().map(|l| l.name.clone());
                let mut body = Vec::new();
                let cond = self.cond(&w.cond, &mut body);
                let mut then = Vec::new();
                self.stmts(&w.body.stmts, &mut then, Dest::Discard);
                let brk = break_stmt(label.as_ref(), w.while_token.span);
                let else_ = vec![Node::Code {
                    stmt: brk,
                    res: Res::default(),
                }];
                body.push(Node::If {
                    cond,
                    then,
                    else_,
                    res: Res::default(),
                    then_res: Res::default(),
                });
                out.push(Node::Loop {
                    label,
                    result: None,
                    body,
                    res: Res::default(),
                });
                self.unit(w.while_token.span, out, dest);
            }
            Expr::ForLoop(f) => {
                // { let mut iter = IntoIterator::into_iter(e);
                //   'l: loop { if let Some(pat) = Iterator::next(&mut iter) { body } else { break } } }
                let span = f.for_token.span;
                let label = f.label.as_ref().map(|l| l.name.clone());
                let mut scope = Vec::new();
                let head = self.keep_head_temporaries(&f.expr, &mut scope);
                let iterable = self.value(&head, &mut scope);
                let iter = names::hidden("__iter", span);
                scope.push(Node::Let {
                    attrs: Vec::new(),
                    pat: parse_quote_spanned!(span=> mut #iter),
                    init: Some(parse_quote_spanned!(span=>
                        ::core::iter::IntoIterator::into_iter(#iterable))),
                    diverge: None,
                    temp: true,
                    res: Res::default(),
                });
                let pat = &f.pat;
                let cond = parse_quote_spanned!(span=>
                    let ::core::option::Option::Some(#pat) = ::core::iter::Iterator::next(&mut #iter));
                let mut then = Vec::new();
                self.stmts(&f.body.stmts, &mut then, Dest::Discard);
                let brk = break_stmt(label.as_ref(), span);
                let else_ = vec![Node::Code {
                    stmt: brk,
                    res: Res::default(),
                }];
                let body = vec![Node::If {
                    cond,
                    then,
                    else_,
                    res: Res::default(),
                    then_res: Res::default(),
                }];
                scope.push(Node::Loop {
                    label,
                    result: None,
                    body,
                    res: Res::default(),
                });
                out.push(Node::Scope {
                    unsafe_: false,
                    body: scope,
                    res: Res::default(),
                });
                self.unit(span, out, dest);
            }
            Expr::Paren(p) => self.expr_into(&p.expr, out, dest),
            Expr::Binary(b) if is_short_circuit(&b.op) && awaits::in_expr(&b.right) => {
                let value = self.short_circuit(b, out);
                self.assign(value, out, dest);
            }
            _ => {
                let value = self.value(e, out);
                self.assign(value, out, dest);
            }
        }
    }

    /// For a value-producing loop or labeled block: the temporary its
    /// `break value`s assign, and where the body's own tail goes.
    fn result_temp(&mut self, dest: &Dest, out: &mut Vec<Node>, at: Span) -> (Option<Ident>, Dest) {
        match dest {
            Dest::Discard => (None, Dest::Discard),
            // `let x = loop { .. }` already has a temporary: breaks assign it.
            Dest::Temp(t) => (Some(t.clone()), Dest::Temp(t.clone())),
            Dest::Return => {
                let t = self.temp(at);
                out.push(declare(&t));
                (Some(t.clone()), Dest::Temp(t))
            }
        }
    }

    /// Sends `()` (the value of `while`, `for`, a missing `else`) to `dest`.
    fn unit(&mut self, span: Span, out: &mut Vec<Node>, dest: Dest) {
        if !matches!(dest, Dest::Discard) {
            self.assign(parse_quote_spanned!(span=> ()), out, dest);
        }
    }

    fn deliver(&mut self, result: Option<Ident>, out: &mut Vec<Node>, dest: Dest) {
        if let Dest::Temp(_) = dest {
            return; // the construct assigned `dest` itself
        }
        if let Some(t) = result {
            self.assign(parse_quote_spanned!(t.span()=> #t), out, dest);
        }
    }

    fn if_expr(&mut self, i: &syn::ExprIf, out: &mut Vec<Node>, dest: Dest) {
        let kept = self.head_locals;
        let mut head = Vec::new();
        let cond = self.cond(&i.cond, &mut head);
        let hoisted = self.head_locals != kept;
        let mut then = Vec::new();
        self.stmts(&i.then_branch.stmts, &mut then, dest.clone());
        let mut else_ = Vec::new();
        match &i.else_branch {
            Some((_, e)) => self.expr_into(e, &mut else_, dest),
            None => self.unit(i.if_token.span, &mut else_, dest),
        }
        if hoisted && i.else_branch.is_some() {
            // The `if let` head's temporaries are dropped before the else
            // branch runs (edition 2024): `'l: { { head; if let .. { then;
            // break 'l } } else }`, the else branch after their scope.
            let span = i.if_token.span;
            let label = syn::Lifetime {
                apostrophe: span,
                ident: names::hidden("__if_let", span),
            };
            then.push(Node::Code {
                stmt: break_stmt(Some(&label), span),
                res: Res::default(),
            });
            head.push(Node::If {
                cond,
                then,
                else_: Vec::new(),
                res: Res::default(),
                then_res: Res::default(),
            });
            let mut body = Vec::new();
            self.close_head(head, hoisted, &mut body);
            body.extend(else_);
            out.push(Node::Labeled {
                label,
                result: None,
                body,
                res: Res::default(),
            });
            return;
        }
        head.push(Node::If {
            cond,
            then,
            else_,
            res: Res::default(),
            then_res: Res::default(),
        });
        self.close_head(head, hoisted, out);
    }

    /// An `if`/`while` condition: awaits are hoisted before it, except in
    /// the right operand of `&&`/`||` (short-circuit) and in let chains,
    /// which are not supported.
    fn cond(&mut self, cond: &Expr, out: &mut Vec<Node>) -> Expr {
        match cond {
            Expr::Let(l) => {
                let expr = self.keep_head_temporaries(&l.expr, out);
                let expr = self.value(&expr, out);
                Expr::Let(syn::ExprLet {
                    expr: Box::new(expr),
                    ..l.clone()
                })
            }
            Expr::Binary(b) if matches!(b.op, BinOp::And(_)) && has_let(cond) => {
                if awaits::in_expr(cond) {
                    self.error(
                        cond.span(),
                        "`.await` in a let chain is not supported: await the value into a `let` \
                         before the condition",
                    )
                } else {
                    cond.clone()
                }
            }
            _ => self.value(cond, out),
        }
    }

    fn short_circuit(&mut self, b: &syn::ExprBinary, out: &mut Vec<Node>) -> Expr {
        let span = b.op.span();
        let left = self.value(&b.left, out);
        let t = self.temp(span);
        out.push(declare(&t));
        let mut evaluate = Vec::new();
        self.expr_into(&b.right, &mut evaluate, Dest::Temp(t.clone()));
        let constant = |value: bool| {
            vec![Node::Code {
                stmt: parse_quote_spanned!(span=> #t = #value;),
                res: Res::default(),
            }]
        };
        let (then, else_) = match b.op {
            BinOp::And(_) => (evaluate, constant(false)),
            _ => (constant(true), evaluate),
        };
        out.push(Node::If {
            cond: left,
            then,
            else_,
            res: Res::default(),
            then_res: Res::default(),
        });
        parse_quote_spanned!(span=> #t)
    }

    /// Hoists the awaits out of `e`, returning the await-free rest.
    fn value(&mut self, e: &Expr, out: &mut Vec<Node>) -> Expr {
        if !awaits::in_expr(e) {
            return e.clone();
        }
        let mut e = e.clone();
        match &mut e {
            Expr::Await(a) => {
                let future = self.value(&a.base, out);
                let span = a.await_token.span;
                let t = self.temp(span);
                out.push(Node::Await {
                    future,
                    out: t.clone(),
                    span,
                    res: Res::default(),
                });
                return parse_quote_spanned!(span=> #t);
            }
            Expr::Paren(p) => {
                let inner = self.value(&p.expr, out);
                if matches!(inner, Expr::Path(_)) {
                    return inner; // `(x.await)` is just the temporary
                }
                *p.expr = inner;
            }
            Expr::Group(g) => *g.expr = self.value(&g.expr, out),
            Expr::Call(c) => {
                let mut ops: Vec<&mut Expr> = vec![&mut *c.func];
                ops.extend(c.args.iter_mut());
                self.operands(ops, out);
            }
            Expr::MethodCall(m) => {
                let mut ops: Vec<&mut Expr> = vec![&mut *m.receiver];
                ops.extend(m.args.iter_mut());
                self.operands(ops, out);
            }
            Expr::Binary(b) if is_short_circuit(&b.op) && awaits::in_expr(&b.right) => {
                return self.short_circuit(b, out);
            }
            // `target op= value`: the value first, then the target place,
            // where the operation happens (a copy would lose the update).
            // (Rust evaluates the value before the place for primitives.)
            Expr::Binary(b) if is_compound_assign(&b.op) => {
                *b.right = self.value(&b.right, out);
                *b.left = self.value(&b.left, out);
            }
            Expr::Binary(b) => self.operands(vec![&mut *b.left, &mut *b.right], out),
            Expr::Unary(u) => *u.expr = self.value(&u.expr, out),
            Expr::Cast(c) => *c.expr = self.value(&c.expr, out),
            Expr::Field(f) => *f.base = self.value(&f.base, out),
            Expr::Reference(r) => *r.expr = self.value(&r.expr, out),
            Expr::Try(t) => *t.expr = self.value(&t.expr, out),
            Expr::Index(i) => self.operands(vec![&mut *i.expr, &mut *i.index], out),
            Expr::Tuple(t) => self.operands(t.elems.iter_mut().collect(), out),
            Expr::Array(a) => self.operands(a.elems.iter_mut().collect(), out),
            Expr::Repeat(r) => *r.expr = self.value(&r.expr, out),
            Expr::Range(r) => {
                let ops = r
                    .start
                    .iter_mut()
                    .chain(r.end.iter_mut())
                    .map(|b| &mut **b)
                    .collect();
                self.operands(ops, out);
            }
            Expr::Struct(s) => {
                let mut ops: Vec<&mut Expr> = s.fields.iter_mut().map(|f| &mut f.expr).collect();
                ops.extend(s.rest.iter_mut().map(|r| &mut **r));
                self.operands(ops, out);
            }
            // `place = value`: the value first, then the place, as Rust does.
            Expr::Assign(a) => {
                *a.right = self.value(&a.right, out);
                *a.left = self.value(&a.left, out);
            }
            Expr::Return(r) => {
                if let Some(v) = &mut r.expr {
                    **v = self.value(v, out);
                }
            }
            Expr::Break(b) => {
                if let Some(v) = &mut b.expr {
                    **v = self.value(v, out);
                }
            }
            Expr::Let(l) => *l.expr = self.value(&l.expr, out),
            Expr::Macro(m) => m.mac = self.mac(&m.mac, out),
            Expr::Block(_)
            | Expr::Unsafe(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_) => {
                let t = self.temp(e.span());
                out.push(declare(&t));
                self.expr_into(&e, out, Dest::Temp(t.clone()));
                return parse_quote_spanned!(t.span()=> #t);
            }
            other => {
                return self.error(
                    other.span(),
                    "`.await` is not supported inside this expression",
                );
            }
        }
        e
    }

    /// Normalises operands evaluated left to right: those before the last
    /// one containing an await are pinned down in temporaries (unless they
    /// are places or values without side effects), so that they are
    /// evaluated before that await as Rust requires.
    ///
    /// A place (or closure) is still pinned early when a later operand, up
    /// to that await, assigns a variable it reads (`x + { x = 1; y.await }`,
    /// `x.max({ x = 1; y.await })`). Merely naming it later is fine, and
    /// common: `v.push(v.len() + x.await)`, `s == f(&s).await`.
    fn operands(&mut self, mut ops: Vec<&mut Expr>, out: &mut Vec<Node>) {
        let Some(last) = ops.iter().rposition(|e| awaits::in_expr(e)) else {
            return;
        };
        let assigned: Vec<Vec<String>> = ops.iter().map(|e| assigned_names(e)).collect();
        for (i, op) in ops.iter_mut().enumerate().take(last + 1) {
            let value = self.value(op, out);
            let reads = read_names(&value);
            let changed_later = assigned[i + 1..=last]
                .iter()
                .flatten()
                .any(|n| reads.contains(n));
            **op = if i < last && (!is_place(&value) || changed_later) {
                let t = self.temp(value.span());
                let value = match value {
                    Expr::Paren(p) => *p.expr, // `let t = (a + b);` would be linted
                    v => v,
                };
                out.push(Node::Let {
                    attrs: Vec::new(),
                    pat: parse_quote_spanned!(t.span()=> mut #t),
                    init: Some(value),
                    diverge: None,
                    temp: true,
                    res: Res::default(),
                });
                parse_quote_spanned!(t.span()=> #t)
            } else {
                value
            };
        }
    }

    /// Awaits in a macro's arguments: supported when the arguments parse as
    /// expressions (`println!`, `assert_eq!`, `vec!`, ..., see
    /// [`MacroArgs`]).
    fn mac(&mut self, mac: &syn::Macro, out: &mut Vec<Node>) -> syn::Macro {
        if !awaits::in_tokens(&mac.tokens) {
            return mac.clone();
        }
        let Some(mut args) = MacroArgs::parse(&mac.tokens) else {
            self.error(
                mac.span(),
                "`.await` inside this macro's arguments is not supported: \
                 await into a `let` before the macro",
            );
            return mac.clone();
        };
        // `name = value` arguments (format macros): only the value is evaluated.
        let ops = args
            .args
            .iter_mut()
            .map(|arg| {
                if matches!(arg, Expr::Assign(a) if matches!(&*a.left, Expr::Path(_))) {
                    let Expr::Assign(a) = arg else { unreachable!() };
                    &mut *a.right
                } else {
                    arg
                }
            })
            .collect();
        self.operands(ops, out);
        let tokens = args.tokens();
        syn::Macro {
            tokens,
            ..mac.clone()
        }
    }
}

/// `let t;` for a temporary assigned later.
fn declare(t: &Ident) -> Node {
    Node::Let {
        attrs: Vec::new(),
        pat: parse_quote_spanned!(t.span()=> #t),
        init: None,
        diverge: None,
        temp: true,
        res: Res::default(),
    }
}

fn break_stmt(label: Option<&Lifetime>, span: Span) -> Stmt {
    Stmt::Expr(
        syn::parse2(quote_spanned!(span=> break #label)).unwrap(),
        Some(Default::default()),
    )
}

/// `+=` and the like: the left side is a place written in place.
pub(crate) fn is_compound_assign(op: &BinOp) -> bool {
    use BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The variables `e` reads (every one-segment path in it).
fn read_names(e: &Expr) -> Vec<String> {
    use syn::visit::Visit;
    struct Reads(Vec<String>);
    impl Visit<'_> for Reads {
        fn visit_expr_path(&mut self, p: &syn::ExprPath) {
            if p.path.segments.len() == 1 {
                self.0.push(p.path.segments[0].ident.to_string());
            }
        }
    }
    let mut reads = Reads(Vec::new());
    reads.visit_expr(e);
    reads.0
}

/// The variables `e` assigns or borrows mutably somewhere inside
/// (`x = ..`, `x += ..`, `&mut x`, `(a, b) = ..`).
fn assigned_names(e: &Expr) -> Vec<String> {
    use syn::visit::{self, Visit};
    struct Writes(Vec<String>);
    impl Visit<'_> for Writes {
        fn visit_expr_assign(&mut self, a: &syn::ExprAssign) {
            self.0.extend(read_names(&a.left));
            visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &syn::ExprBinary) {
            if is_compound_assign(&b.op) {
                self.0.extend(read_names(&b.left));
            }
            visit::visit_expr_binary(self, b);
        }
        fn visit_expr_reference(&mut self, r: &syn::ExprReference) {
            if r.mutability.is_some() {
                self.0.extend(read_names(&r.expr));
            }
            visit::visit_expr_reference(self, r);
        }
    }
    let mut writes = Writes(Vec::new());
    writes.visit_expr(e);
    writes.0
}

fn is_short_circuit(op: &BinOp) -> bool {
    matches!(op, BinOp::And(_) | BinOp::Or(_))
}

fn has_let(e: &Expr) -> bool {
    match e {
        Expr::Let(_) => true,
        Expr::Binary(b) if matches!(b.op, BinOp::And(_)) => has_let(&b.left) || has_let(&b.right),
        _ => false,
    }
}

/// Control flow that produces a value through a temporary.
fn is_control(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Block(_) | Expr::Unsafe(_) | Expr::If(_) | Expr::Match(_) | Expr::Loop(_)
    )
}

/// Can `e` be evaluated after a later operand's await with the same result?
/// True for places and for values whose evaluation has no side effects.
pub fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(_) | Expr::Lit(_) | Expr::Closure(_) => true,
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Reference(r) => is_place(&r.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && is_place(&u.expr),
        Expr::Index(i) => is_place(&i.expr) && is_place(&i.index),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| match n {
                Node::Code { stmt, .. } => format!("code({})", stmt.to_token_stream()),
                Node::Let { pat, init, .. } => format!(
                    "let({}{})",
                    pat.to_token_stream(),
                    init.as_ref()
                        .map(|i| format!(" = {}", i.to_token_stream()))
                        .unwrap_or_default()
                ),
                Node::Await { future, out, .. } => {
                    format!("await({out} <- {})", future.to_token_stream())
                }
                Node::Scope { body, .. } => format!("scope[{}]", shape(body)),
                Node::If {
                    cond, then, else_, ..
                } => {
                    format!(
                        "if({})[{}][{}]",
                        cond.to_token_stream(),
                        shape(then),
                        shape(else_)
                    )
                }
                Node::Match { arms, .. } => format!(
                    "match[{}]",
                    arms.iter()
                        .map(|a| shape(&a.body))
                        .collect::<Vec<_>>()
                        .join("|")
                ),
                Node::Loop { body, .. } => format!("loop[{}]", shape(body)),
                Node::Labeled { body, .. } => format!("labeled[{}]", shape(body)),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn norm(body: TokenStream) -> String {
        let block: Block = syn::parse2(quote!({ #body })).unwrap();
        shape(&super::body(&block, true).unwrap().nodes)
    }

    #[test]
    fn await_free_statements_stay_as_written() {
        assert_eq!(
            norm(quote!(let x = 1; f(x))),
            "code(let x = 1 ;); code(return f (x) ;)"
        );
    }

    #[test]
    fn call_operands_before_an_await_are_hoisted_in_order() {
        assert_eq!(
            norm(quote!(f(g(), x.await, h());)),
            "let(mut __t1 = g ()); await(__t2 <- x); code(f (__t1 , __t2 , h ()) ;); code(return () ;)"
        );
    }

    #[test]
    fn places_before_an_await_are_not_hoisted() {
        assert_eq!(
            norm(quote!(v.push(x.await);)),
            "await(__t1 <- x); code(v . push (__t1) ;); code(return () ;)"
        );
    }

    #[test]
    fn and_keeps_short_circuit() {
        assert_eq!(
            norm(quote!(let b = a() && x.await;)),
            "let(__t1); if(a ())[await(__t2 <- x); code(__t1 = __t2 ;)][code(__t1 = false ;)]; \
             let(b = __t1); code(return () ;)"
        );
    }

    #[test]
    fn while_becomes_loop_with_break() {
        assert_eq!(
            norm(quote!(while c {
                x.await;
            })),
            "loop[if(c)[await(__t1 <- x); code(:: core :: mem :: drop (__t1) ;)][code(break ;)]]; code(return () ;)"
        );
    }

    #[test]
    fn awaits_in_macro_arguments_are_hoisted() {
        assert_eq!(
            norm(quote!(println!("{} {}", a(), x.await);)),
            "let(mut __t1 = a ()); await(__t2 <- x); code(println ! (\"{} {}\" , __t1 , __t2) ;); \
             code(return () ;)"
        );
    }

    #[test]
    fn await_in_match_guard_is_an_error() {
        let block: Block = syn::parse2(quote!({
            match v {
                _ if x.await => {}
                _ => y.await,
            }
        }))
        .unwrap();
        let error = super::body(&block, true).err().unwrap();
        assert!(error.to_string().contains("match guard"));
    }
}
