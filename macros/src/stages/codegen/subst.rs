//! Await results are not re-bound: their one use reads the block local's field
//! directly, as `identity(field)`. That moves the value into a temporary of
//! the statement that uses it, so what is left of it (`x.await.1` uses one
//! field) is dropped at the end of that statement, as in an `async fn`,
//! rather than at the end of the enclosing block.

use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Stmt};

/// Temporaries (by name) and the field each is read from.
#[derive(Default)]
pub struct Subst {
    pub temps: Vec<(String, Ident)>,
}

impl Subst {
    fn field(&self, name: &str) -> Option<&Ident> {
        self.temps.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    pub fn stmt(&self, stmt: &mut Stmt) {
        if !self.temps.is_empty() {
            Replace(self).visit_stmt_mut(stmt);
        }
    }

    pub fn expr(&self, expr: &mut Expr) {
        if !self.temps.is_empty() {
            Replace(self).visit_expr_mut(expr);
        }
    }

    fn tokens(&self, tokens: TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .map(|tt| match tt {
                TokenTree::Ident(i) => match self.field(&i.to_string()) {
                    Some(f) => TokenTree::Group(Group::new(
                        proc_macro2::Delimiter::None,
                        quote!(::core::convert::identity(#f)),
                    )),
                    None => TokenTree::Ident(i),
                },
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), self.tokens(g.stream()));
                    group.set_span(g.span());
                    TokenTree::Group(group)
                }
                other => other,
            })
            .collect()
    }
}

struct Replace<'a>(&'a Subst);

impl VisitMut for Replace<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Path(p) = e {
            if p.qself.is_none() && p.path.segments.len() == 1 {
                if let Some(f) = self.0.field(&p.path.segments[0].ident.to_string()) {
                    *e = syn::parse_quote!(::core::convert::identity(#f));
                    return;
                }
            }
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = self.0.tokens(std::mem::take(&mut mac.tokens));
    }
}
