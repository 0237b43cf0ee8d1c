//! Finding `.await`: where it is, and where it is not allowed.

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Expr, ExprAwait, ExprClosure, Item, Macro, Stmt};

/// Does `expr` contain an `.await` that belongs to this coroutine (not one
/// inside a closure, an `async` block or a nested item)?
pub fn in_expr(expr: &Expr) -> bool {
    let mut finder = Finder::default();
    finder.visit_expr(expr);
    finder.found
}

/// [`in_expr`] for a statement.
pub fn in_stmt(stmt: &Stmt) -> bool {
    let mut finder = Finder::default();
    finder.visit_stmt(stmt);
    finder.found
}

/// Does a macro's token stream contain `. await`?
pub fn in_tokens(tokens: &TokenStream) -> bool {
    let mut prev_dot = false;
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Ident(i) if prev_dot && i == "await" => return true,
            TokenTree::Group(g) if in_tokens(&g.stream()) => return true,
            _ => {}
        }
        prev_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
    }
    false
}

#[derive(Default)]
struct Finder {
    found: bool,
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_expr_await(&mut self, _: &'ast ExprAwait) {
        self.found = true;
    }
    fn visit_expr_closure(&mut self, _: &'ast ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast Item) {}
    fn visit_macro(&mut self, mac: &'ast Macro) {
        self.found |= in_tokens(&mac.tokens);
    }
}

/// Reports every `.await` the coroutine cannot compile: inside a closure or
/// a nested fn, which (as in an `async fn`) are not part of the coroutine.
pub fn check_misplaced(block: &syn::Block) -> Vec<syn::Error> {
    let mut checker = Misplaced::default();
    checker.visit_block(block);
    checker.errors
}

#[derive(Default)]
struct Misplaced {
    /// Innermost non-async context we are inside: "closure" or "nested fn".
    inside: Vec<&'static str>,
    errors: Vec<syn::Error>,
}

impl<'ast> Visit<'ast> for Misplaced {
    fn visit_expr_yield(&mut self, node: &'ast syn::ExprYield) {
        self.errors.push(syn::Error::new_spanned(
            node.yield_token,
            "`yield` is not supported in a coroutine: return the value, or send values \
             through an `asyncio::Queue` to another task",
        ));
        visit::visit_expr_yield(self, node);
    }

    fn visit_expr_await(&mut self, node: &'ast ExprAwait) {
        if let Some(what) = self.inside.last() {
            let hint = match *what {
                "closure" => {
                    "`.await` inside a closure does not suspend the coroutine; \
                     await before the closure and pass the value in, or make it a `#[coroutine] fn`"
                }
                _ => {
                    "`.await` inside a nested fn does not belong to this coroutine; \
                     mark that fn `#[coroutine]` and await its call"
                }
            };
            self.errors
                .push(syn::Error::new(node.await_token.span, hint));
        }
        visit::visit_expr_await(self, node);
    }
    fn visit_expr_closure(&mut self, node: &'ast ExprClosure) {
        if node.asyncness.is_some() {
            return;
        }
        self.inside.push("closure");
        visit::visit_expr_closure(self, node);
        self.inside.pop();
    }
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, node: &'ast Item) {
        self.inside.push("nested fn");
        visit::visit_item(self, node);
        self.inside.pop();
    }
    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        if !is_async(&node.sig, &node.attrs) {
            visit::visit_item_fn(self, node);
        }
    }
    fn visit_impl_item_fn(&mut self, node: &'ast syn::ImplItemFn) {
        if !is_async(&node.sig, &node.attrs) {
            visit::visit_impl_item_fn(self, node);
        }
    }
}

/// A nested fn that is itself a coroutine (`async fn` or `#[coroutine]`)
/// owns the awaits in its body.
fn is_async(sig: &syn::Signature, attrs: &[syn::Attribute]) -> bool {
    sig.asyncness.is_some()
        || attrs.iter().any(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "coroutine")
        })
}
