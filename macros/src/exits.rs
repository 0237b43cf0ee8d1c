//! The ways plain code leaves the statement it is in: `break` and
//! `continue` to a lowered loop, `return`, and `?`.
//!
//! Lowering uses [`rewrite`] to learn where such a statement can jump;
//! codegen uses it again to replace each exit with the generated jump. Both
//! walk the same way, so they always agree.

use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Lifetime, Stmt};

use crate::cfg::LoopCtx;

/// One exit found in plain code.
pub enum Exit<'a> {
    /// `break 'l value` or `break value` to a lowered loop or block.
    Break {
        to: &'a LoopCtx,
        value: Option<Expr>,
    },
    /// `continue 'l` to a lowered loop.
    Continue { to: &'a LoopCtx },
    /// `return value`.
    Return { value: Option<Expr> },
    /// `expr?`.
    Try { expr: Expr },
}

/// Calls `f` on every exit in `stmt` (innermost first); where `f` returns
/// an expression, that expression replaces the exit.
pub fn rewrite(stmt: &mut Stmt, loops: &[LoopCtx], f: &mut dyn FnMut(Exit<'_>) -> Option<Expr>) {
    let mut walker = Walker {
        loops,
        replaced: 0,
        native: Vec::new(),
        f,
    };
    walker.visit_stmt_mut(stmt);
}

struct Walker<'a, 'f> {
    loops: &'a [LoopCtx],
    /// How many exits were replaced so far.
    replaced: usize,
    /// Loops and labeled blocks inside the statement itself: (label, is_loop).
    native: Vec<(Option<String>, bool)>,
    f: &'f mut dyn FnMut(Exit<'_>) -> Option<Expr>,
}

impl Walker<'_, '_> {
    /// The lowered loop a `break`/`continue` with `label` targets, or `None`
    /// when it targets a loop inside the statement.
    fn target(&self, label: Option<&Lifetime>) -> Option<&LoopCtx> {
        match label {
            Some(l) => {
                let name = l.ident.to_string();
                if self.native.iter().any(|(n, _)| n.as_deref() == Some(&name)) {
                    return None;
                }
                self.loops
                    .iter()
                    .rev()
                    .find(|c| c.label.as_ref().is_some_and(|m| m.ident == name))
            }
            None => {
                if self.native.iter().any(|(_, is_loop)| *is_loop) {
                    return None;
                }
                self.loops.iter().rev().find(|c| c.is_loop)
            }
        }
    }

    fn native<T>(
        &mut self,
        label: Option<&syn::Label>,
        is_loop: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.native
            .push((label.map(|l| l.name.ident.to_string()), is_loop));
        let out = f(self);
        self.native.pop();
        out
    }
}

impl VisitMut for Walker<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let replacement = match e {
            Expr::Loop(l) => {
                let label = l.label.clone();
                return self.native(label.as_ref(), true, |w| {
                    visit_mut::visit_expr_loop_mut(w, l)
                });
            }
            Expr::While(l) => {
                let label = l.label.clone();
                return self.native(label.as_ref(), true, |w| {
                    visit_mut::visit_expr_while_mut(w, l)
                });
            }
            Expr::ForLoop(l) => {
                let label = l.label.clone();
                return self.native(label.as_ref(), true, |w| {
                    visit_mut::visit_expr_for_loop_mut(w, l)
                });
            }
            Expr::Block(b) if b.label.is_some() => {
                let label = b.label.clone();
                return self.native(label.as_ref(), false, |w| {
                    visit_mut::visit_expr_block_mut(w, b)
                });
            }
            Expr::Closure(_) | Expr::Async(_) => return,
            Expr::Break(b) => {
                visit_mut::visit_expr_break_mut(self, b);
                match self.target(b.label.as_ref()) {
                    Some(to) => {
                        let to = to.clone();
                        (self.f)(Exit::Break {
                            to: &to,
                            value: b.expr.as_deref().cloned(),
                        })
                    }
                    None => None,
                }
            }
            Expr::Continue(c) => match self.target(c.label.as_ref()) {
                Some(to) => {
                    let to = to.clone();
                    (self.f)(Exit::Continue { to: &to })
                }
                None => None,
            },
            Expr::Return(r) => {
                visit_mut::visit_expr_return_mut(self, r);
                (self.f)(Exit::Return {
                    value: r.expr.as_deref().cloned(),
                })
            }
            Expr::Try(t) => {
                visit_mut::visit_expr_try_mut(self, t);
                (self.f)(Exit::Try {
                    expr: (*t.expr).clone(),
                })
            }
            _ => return visit_mut::visit_expr_mut(self, e),
        };
        if let Some(new) = replacement {
            *e = new;
            self.replaced += 1;
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // Exits inside macro arguments (`println!("{}", f()?)`): rewritten when
        // the arguments parse as expressions.
        use syn::punctuated::Punctuated;
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(mut args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            let before = self.replaced;
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
            if self.replaced != before {
                mac.tokens = quote::quote!(#args);
            }
        }
    }
}

/// [`rewrite`] for an expression.
pub fn rewrite_expr(
    expr: &mut Expr,
    loops: &[LoopCtx],
    f: &mut dyn FnMut(Exit<'_>) -> Option<Expr>,
) {
    let mut walker = Walker {
        loops,
        replaced: 0,
        native: Vec::new(),
        f,
    };
    walker.visit_expr_mut(expr);
}

/// Does `stmt` always leave the block (it is a `break`, `continue` or
/// `return` statement)?
pub fn diverges(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::Expr(Expr::Break(_) | Expr::Continue(_) | Expr::Return(_), _)
    )
}
