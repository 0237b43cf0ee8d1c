//! The ways plain code leaves the statement it is in: `break` and
//! `continue` to a lowered loop, `return`, and `?`.
//!
//! Lowering uses [`rewrite`] to learn where such a statement can jump;
//! codegen uses it again to replace each exit with the generated jump. Both
//! walk the same way, so they always agree.

use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Lifetime, Stmt};

use crate::ir::graph::LoopCtx;

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
    Try {
        expr: Expr,
        /// The `?` itself, where the errors about it belong.
        question: proc_macro2::Span,
    },
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
                    question: t.question_token.span,
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
        if let Some(mut args) = crate::macro_args::MacroArgs::parse(&mac.tokens) {
            let before = self.replaced;
            for arg in &mut args.args {
                self.visit_expr_mut(arg);
            }
            if self.replaced != before {
                mac.tokens = args.tokens();
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

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::ir::graph::LoopCtx;

    fn kinds(stmt: proc_macro2::TokenStream, loops: &[LoopCtx]) -> Vec<&'static str> {
        let mut stmt: Stmt = syn::parse2(stmt).unwrap();
        let mut found = Vec::new();
        rewrite(&mut stmt, loops, &mut |exit| {
            found.push(match exit {
                Exit::Break { .. } => "break",
                Exit::Continue { .. } => "continue",
                Exit::Return { .. } => "return",
                Exit::Try { .. } => "try",
            });
            None
        });
        found
    }

    fn lowered_loop() -> LoopCtx {
        LoopCtx {
            label: Some(syn::parse_quote!('outer)),
            is_loop: true,
            break_to: 1,
            continue_to: Some(0),
            result: None,
        }
    }

    #[test]
    fn exits_to_a_lowered_loop_are_found() {
        let loops = [lowered_loop()];
        assert_eq!(
            kinds(
                quote!(if c {
                    break;
                } else {
                    continue 'outer;
                }),
                &loops
            ),
            ["break", "continue"]
        );
    }

    #[test]
    fn exits_inside_the_statement_are_not() {
        let loops = [lowered_loop()];
        assert_eq!(
            kinds(
                quote!(for i in v {
                    if i {
                        break;
                    }
                    continue;
                }),
                &loops
            ),
            Vec::<&str>::new()
        );
        assert_eq!(
            kinds(
                quote!(loop {
                    break 'outer;
                }),
                &loops
            ),
            ["break"]
        );
    }

    #[test]
    fn return_and_try_but_not_inside_closures() {
        assert_eq!(kinds(quote!(let x = f()?;), &[]), ["try"]);
        assert_eq!(
            kinds(quote!(let g = || { return h()?; };), &[]),
            Vec::<&str>::new()
        );
        assert_eq!(
            kinds(
                quote!(if c {
                    return 1;
                }),
                &[]
            ),
            ["return"]
        );
        assert_eq!(kinds(quote!(println!("{}", f()?);), &[]), ["try"]);
    }
}
