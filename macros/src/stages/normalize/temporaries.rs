//! Temporaries that must outlive an await (borrowed by the awaited
//! future, or pinned by `pin!`) become locals the `pin` stage keeps in
//! place; the markers that tell it where they start and end.

use proc_macro2::Ident;
use quote::quote;
use syn::{Expr, Stmt, parse_quote_spanned};

use super::Normalizer;
use crate::ir::{Node, Res};
use crate::names;

/// The marker of a temporary borrowed by an awaited future (see
/// `Normalizer::pin_temporaries`): `&PIN_TEMPORARY!(local, value)`, and its
/// end. Always rewritten by `crate::stages::pin`, which pins every such local.
pub const PIN_TEMPORARY: &str = "__asyncio_pin_temporary";
/// See [`PIN_TEMPORARY`].
pub const PIN_TEMPORARY_END: &str = "__asyncio_pin_temporary_end";
/// The prefix of those locals' names.
pub const PIN_TEMPORARY_LOCAL: &str = "__pin_tmp";
/// The prefix of those of a statement that an exit (`break`, `continue`,
/// `return`, `?`) may leave before its end: they get a scope guard too.
pub const PIN_TEMPORARY_EXIT_LOCAL: &str = "__pin_tmp_exit";
/// The prefix of the locals that hold what `pin!` pins (see
/// `Normalizer::pin_macro`): always pinned, dropped at the end of their
/// scope.
pub const PIN_KEPT_LOCAL: &str = "__pin_kept";
/// The prefix of the locals that hold a temporary a `let` extends (see
/// `Normalizer::pin_macro`).
const EXTENDED_LOCAL: &str = "__extended";
/// The prefix of the locals that hold a temporary of a `for`, `match` or
/// `if let` head (see `Normalizer::keep_head_temporaries`).
const HEAD_LOCAL: &str = "__head";

/// Replaces `&temporary` in an awaited future by the marker.
pub(super) struct Temporaries<'a> {
    made: Vec<Ident>,
    next: &'a mut usize,
    /// [`PIN_TEMPORARY_LOCAL`] or [`PIN_TEMPORARY_EXIT_LOCAL`].
    prefix: &'static str,
    /// The locals holding the values of this statement's earlier awaits:
    /// temporaries too, as far as the user's code is concerned.
    awaited: &'a [Ident],
}

/// Methods that borrow their receiver for their result: called on a
/// temporary inside an awaited future (`f(s.concat().as_str()).await`), the
/// temporary must live to the end of the statement.
const BORROWING_METHODS: &[&str] = &[
    "as_str",
    "as_slice",
    "as_bytes",
    "as_ref",
    "as_mut",
    "as_deref",
    "as_path",
    "iter",
    "iter_mut",
    "trim",
    "chars",
    "bytes",
    "lines",
    "split_whitespace",
    "borrow",
];

impl Temporaries<'_> {
    /// A value expression (not a place) whose value is not a constant
    /// rustc would promote to a `'static` (`&[1, 2]`).
    pub(super) fn is_temporary(e: &Expr) -> bool {
        let mut inner = e;
        while let Expr::Paren(p) = inner {
            inner = &p.expr;
        }
        let value = match inner {
            // A temporary already made a local (this marker) is not one.
            Expr::Macro(m) if m.mac.path.is_ident(PIN_TEMPORARY) => false,
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Macro(_) | Expr::Struct(_) => true,
            Expr::Array(_)
            | Expr::Repeat(_)
            | Expr::Binary(_)
            | Expr::Cast(_)
            | Expr::If(_)
            | Expr::Block(_)
            | Expr::Match(_)
            | Expr::Range(_) => true,
            Expr::Tuple(t) => !t.elems.is_empty(),
            Expr::Unary(u) => !matches!(u.op, syn::UnOp::Deref(_)),
            _ => false,
        };
        value && names::mentions_any_ident(&quote!(#inner))
    }

    /// `PIN_TEMPORARY!(local, value)` in place of `value`.
    fn pin(&mut self, value: &mut Expr) {
        // `&(n + 1)`: the parentheses go, or they would be unused in the
        // marker's argument.
        while let Expr::Paren(p) = value {
            *value = (*p.expr).clone();
        }
        *self.next += 1;
        let span = syn::spanned::Spanned::span(&*value);
        let local = names::numbered(self.prefix, *self.next, span);
        let marker = Ident::new(PIN_TEMPORARY, span);
        *value = parse_quote_spanned!(span=> #marker!(#local, #value));
        self.made.push(local);
    }
}

impl Temporaries<'_> {
    /// `temporary.as_str()` and the like: the temporary made a pinned local,
    /// reached through `&`. Also the value of an earlier await of the
    /// statement with a method that may borrow it
    /// (`lock().await.flush().await`, `open(p).await?.read(&mut b).await`),
    /// reached through `&mut` (the method may take either): it lives to the
    /// end of the statement as in an `async fn`, whatever the method's
    /// future keeps.
    fn borrowing_receiver(&mut self, e: &mut Expr) {
        let Expr::MethodCall(m) = e else { return };
        let borrowed =
            Self::is_temporary(&m.receiver) && BORROWING_METHODS.iter().any(|n| m.method == n);
        let mutability = match borrowed {
            true => None,
            false if self.awaited_value(&m.receiver) && !keeps_no_borrow(&m.method) => {
                Some(<syn::Token![mut]>::default())
            }
            false => return,
        };
        let span = syn::spanned::Spanned::span(&*m.receiver);
        let receiver = &m.receiver;
        *m.receiver = parse_quote_spanned!(span=> (& #mutability #receiver));
        if let Expr::Paren(p) = &mut *m.receiver {
            if let Expr::Reference(r) = &mut *p.expr {
                self.pin(&mut r.expr);
            }
        }
    }

    /// `t` or `t?` for the value `t` of an earlier await of the statement.
    fn awaited_value(&self, e: &Expr) -> bool {
        crate::stages::resolve::single_ident(without_try(e))
            .is_some_and(|i| self.awaited.contains(i))
    }
}

/// `x.await` or `x.await?`.
fn awaited(e: &Expr) -> bool {
    matches!(without_try(e), Expr::Await(_))
}

/// `e` without its parentheses and one trailing `?`.
fn without_try(mut e: &Expr) -> &Expr {
    while let Expr::Paren(p) = e {
        e = &p.expr;
    }
    match e {
        Expr::Try(t) => &t.expr,
        e => e,
    }
}

/// Does `method` take its receiver by value, or give a result that borrows
/// nothing of it (by name: types are not known here)? Such a receiver is
/// left as it is. `json`, `text`, `bytes`: an HTTP response's body, read
/// by value.
fn keeps_no_borrow(method: &Ident) -> bool {
    const RESPONSE_BODY: &[&str] = &["json", "text", "bytes", "collect", "error_for_status"];
    crate::stages::pin::select::by_value(method)
        || crate::stages::pin::select::owned_result(method)
        || RESPONSE_BODY.iter().any(|n| method == n)
}

impl syn::visit_mut::VisitMut for Temporaries<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::Reference(r) if Self::is_temporary(&r.expr) => self.pin(&mut r.expr),
            Expr::MethodCall(_) => self.borrowing_receiver(e),
            _ => {}
        }
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Normalizer {
    /// `let fut = pin!(value);`: the value becomes a local that stays in
    /// place to the end of the block (as `pin!`'s temporary does), and `fut`
    /// pins it there: `let kept = value; let fut = Pin::new_unchecked(&mut
    /// kept);`, sound because `crate::pin` pins every such local (it never
    /// moves) and the user's code cannot name it.
    pub(super) fn pin_macro(&mut self, stmt: &Stmt, out: &mut Vec<Node>) -> Option<Stmt> {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
        // `let r = &temporary;`: rustc extends the temporary to the end of
        // the block, as a local declared just before `r`; so it becomes one
        // (which the `pin` stage keeps in place if `r` is held across an
        // await).
        if let Expr::Reference(r) = &*init.expr {
            if !Temporaries::is_temporary(&r.expr) {
                return None;
            }
            self.next_temp += 1;
            let span = syn::spanned::Spanned::span(&r.expr);
            let kept = names::numbered(EXTENDED_LOCAL, self.next_temp, span);
            let value = &r.expr;
            self.stmt(&parse_quote_spanned!(span=> let #kept = #value;), out);
            let mut local = local.clone();
            let mutability = r.mutability;
            *local.init.as_mut()?.expr = parse_quote_spanned!(span=> & #mutability #kept);
            return Some(Stmt::Local(local));
        }
        let Expr::Macro(m) = &*init.expr else {
            return None;
        };
        let last = m.mac.path.segments.last()?;
        if last.ident != "pin" || m.mac.path.segments.len() > 3 {
            return None;
        }
        let value: Expr = m.mac.parse_body().ok()?;
        self.next_temp += 1;
        let span = syn::spanned::Spanned::span(&value);
        let kept = names::numbered(PIN_KEPT_LOCAL, self.next_temp, span);
        self.stmt(&parse_quote_spanned!(span=> let #kept = #value;), out);
        let mut local = local.clone();
        // SAFETY (of the generated `unsafe`): `kept` is a pinned local,
        // which never moves and drops in place at the end of its scope.
        *local.init.as_mut()?.expr = parse_quote_spanned!(span=>
            unsafe { ::core::pin::Pin::new_unchecked(&mut #kept) });
        Some(Stmt::Local(local))
    }

    /// The head of a `for` loop, a `match` or an `if let`/`while let` whose
    /// body awaits, with each temporary that a method call, a field access
    /// or a `&` applies to (also in the arguments of a call) made a local
    /// of `scope` (which the caller ends
    /// with the loop, the `match`, the `if`; or the loop's iteration):
    /// rustc keeps those temporaries that long, so what the head gives may
    /// borrow them (`for x in make().iter()`, `for x in &vec![..]`,
    /// `match map().get(k)`, `if let Some(x) = make().first()`). A receiver
    /// taken by value is moved out of its local as it was out of the
    /// temporary.
    pub(super) fn keep_head_temporaries(&mut self, e: &Expr, scope: &mut Vec<Node>) -> Expr {
        let mut e = e.clone();
        match &mut e {
            Expr::MethodCall(m) => {
                // The value of an await is a temporary too
                // (`for x in open().await?.lines().await`), unless the
                // method takes it by value.
                *m.receiver = match awaited(&m.receiver) && keeps_no_borrow(&m.method) {
                    true => self.keep_head_temporaries(&m.receiver, scope),
                    false => self.keep_operand(&m.receiver, scope),
                };
                for arg in &mut m.args {
                    *arg = self.keep_head_temporaries(arg, scope);
                }
            }
            Expr::Await(a) => *a.base = self.keep_head_temporaries(&a.base, scope),
            Expr::Try(t) => *t.expr = self.keep_head_temporaries(&t.expr, scope),
            // `f(&make())`: what `f` returns may borrow the temporary.
            Expr::Call(c) => {
                for arg in &mut c.args {
                    *arg = self.keep_head_temporaries(arg, scope);
                }
            }
            Expr::Field(f) => *f.base = self.keep_operand(&f.base, scope),
            Expr::Reference(r) => *r.expr = self.keep_operand(&r.expr, scope),
            Expr::Paren(p) => *p.expr = self.keep_head_temporaries(&p.expr, scope),
            _ => {}
        }
        e
    }

    fn keep_operand(&mut self, e: &Expr, scope: &mut Vec<Node>) -> Expr {
        let operand = self.keep_head_temporaries(e, scope);
        if !(Temporaries::is_temporary(&operand) || awaited(&operand)) || is_scalar(&operand) {
            return operand;
        }
        self.head_locals += 1;
        self.next_temp += 1;
        let span = syn::spanned::Spanned::span(&operand);
        let local = names::numbered(HEAD_LOCAL, self.next_temp, span);
        // `mut` for `make().iter_mut()`, harmless otherwise.
        self.stmt(
            &parse_quote_spanned!(span=> #[allow(unused_mut)] let mut #local = #operand;),
            scope,
        );
        parse_quote_spanned!(span=> #local)
    }

    /// Emits `head` (nodes ending in a `match` or an `if`) into `out`: in a
    /// scope of its own if the head `hoisted` temporaries into locals,
    /// which then end with the `match` or `if` (and so do the temporaries
    /// its awaited futures borrow, which the statement's own pass would not
    /// find inside the scope).
    pub(super) fn close_head(&mut self, mut head: Vec<Node>, hoisted: bool, out: &mut Vec<Node>) {
        if !hoisted {
            out.extend(head);
            return;
        }
        self.pin_temporaries(&mut head, 0);
        out.push(Node::Scope {
            unsafe_: false,
            body: head,
            res: Res::default(),
        });
    }

    /// A temporary that the future of an await of this statement borrows
    /// (`f(&format!("{x}")).await`) lives to the end of the statement, as
    /// in an `async fn`: it becomes a local declared before the statement,
    /// pinned (see `crate::stages::pin`), assigned where the temporary was made
    /// (`&PIN_TEMPORARY!(local, value)`) and ended after the statement.
    pub(super) fn pin_temporaries(&mut self, out: &mut Vec<Node>, start: usize) {
        let mut made = Vec::new();
        let prefix = match out[start..].iter().any(may_exit) {
            true => PIN_TEMPORARY_EXIT_LOCAL,
            false => PIN_TEMPORARY_LOCAL,
        };
        let awaited: Vec<Ident> = (out[start..].iter())
            .filter_map(|node| match node {
                Node::Await { out, .. } => Some(out.clone()),
                _ => None,
            })
            .collect();
        for node in &mut out[start..] {
            let mut temps = Temporaries {
                made: Vec::new(),
                next: &mut self.next_temp,
                prefix,
                awaited: &awaited,
            };
            match node {
                Node::Await { future, .. } => {
                    syn::visit_mut::VisitMut::visit_expr_mut(&mut temps, future);
                }
                // `let r = temporary().as_str();`: rustc rejects it if `r` is
                // used after the statement; with the temporary pinned, the
                // shadow reports that, in rustc's words, rather than the
                // generated code.
                Node::Let {
                    init: Some(init), ..
                } => temps.borrowing_receiver(init),
                Node::Code {
                    stmt:
                        Stmt::Local(syn::Local {
                            init: Some(init), ..
                        }),
                    ..
                } => temps.borrowing_receiver(&mut init.expr),
                _ => {}
            }
            made.extend(temps.made);
        }
        if made.is_empty() {
            return;
        }
        let decls = made.iter().map(|t| Node::Code {
            stmt: parse_quote_spanned!(t.span()=> let #t;),
            res: Res::default(),
        });
        let ends = || {
            made.iter().rev().map(|t| {
                let end = Ident::new(PIN_TEMPORARY_END, t.span());
                Node::Code {
                    stmt: parse_quote_spanned!(t.span()=> #end!(#t);),
                    res: Res::default(),
                }
            })
        };
        // The temporaries of an `if` condition end before its branches run.
        match out.last_mut() {
            Some(Node::If { then, else_, .. }) => {
                then.splice(0..0, ends());
                else_.splice(0..0, ends());
            }
            _ => out.extend(ends()),
        }
        out.splice(start..start, decls);
    }
}

/// Whether `e` is an operation whose value is (almost always) a number or a
/// `bool` (`(n % 2 == 0).then_some(..)`), which nothing borrows for long:
/// keeping it would only grow the frame.
fn is_scalar(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_scalar(&p.expr),
        Expr::Binary(_) | Expr::Unary(_) | Expr::Cast(_) | Expr::Range(_) | Expr::Lit(_) => true,
        _ => false,
    }
}

/// Whether an exit (`break`, `continue`, `return`, `?`, a `let`-`else`)
/// in `node` may leave it early. Over-approximate: a `break` of a loop
/// inside counts.
fn may_exit(node: &Node) -> bool {
    use syn::visit::Visit;
    #[derive(Default)]
    struct Exits(bool);
    impl Visit<'_> for Exits {
        fn visit_expr(&mut self, e: &Expr) {
            match e {
                Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) | Expr::Try(_) => {
                    self.0 = true
                }
                // Their exits are their own.
                Expr::Closure(_) | Expr::Async(_) => {}
                _ => syn::visit::visit_expr(self, e),
            }
        }
        fn visit_item(&mut self, _: &syn::Item) {}
    }
    let expr = |e: &Expr| {
        let mut exits = Exits::default();
        exits.visit_expr(e);
        exits.0
    };
    match node {
        Node::Code { stmt, .. } => {
            let mut exits = Exits::default();
            exits.visit_stmt(stmt);
            exits.0
        }
        Node::Let { init, diverge, .. } => diverge.is_some() || init.as_ref().is_some_and(expr),
        Node::Await { future, .. } => expr(future),
        Node::Scope { body, .. } | Node::Loop { body, .. } | Node::Labeled { body, .. } => {
            body.iter().any(may_exit)
        }
        Node::If {
            cond, then, else_, ..
        } => expr(cond) || then.iter().chain(else_).any(may_exit),
        Node::Match {
            scrutinee, arms, ..
        } => {
            expr(scrutinee)
                || arms.iter().any(|arm| {
                    arm.guard.as_ref().is_some_and(expr) || arm.body.iter().any(may_exit)
                })
        }
    }
}
