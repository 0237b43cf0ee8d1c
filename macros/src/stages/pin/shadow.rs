//! The shadow: the user's body once more, as an ordinary closure in dead
//! code, whose borrow check is the coroutine's.
//!
//! Each `e.await` becomes `shadow_await(e)`, a call returning the future's
//! output, so rustc checks the body as it checks an `async fn`: locals
//! never move, a borrow may be held across an await, and every error
//! (use after move, aliasing `&mut`, a reference outliving its owner, a
//! temporary dropped while borrowed) is rustc's own, on the user's line.
//! It is outside any `unsafe` block, never runs, and is emitted only when
//! the coroutine pins a local.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ReturnType};

/// `if false { let _ = move || -> Ret { body }; loop {} }`.
///
/// `mutable` are the parameters the user declared `mut`: the generated fn
/// takes every parameter by an immutable binding (it moves them into the
/// frame), so the closure rebinds these `mut` (`h.run().await` on a
/// `mut h: Handler` needs it).
pub fn shadow(
    block: &syn::Block,
    output: &ReturnType,
    mutable: &[proc_macro2::Ident],
) -> TokenStream {
    let mut block = block.clone();
    Awaits.visit_block_mut(&mut block);
    let mut rebind: Vec<syn::Stmt> = Vec::new();
    for p in mutable {
        if p == "self" {
            // `self` cannot be rebound: the body's `self` is renamed.
            SelfRenamed.visit_block_mut(&mut block);
            let renamed = proc_macro2::Ident::new(SHADOW_SELF, p.span());
            rebind.push(syn::parse_quote_spanned!(p.span()=> let mut #renamed = self;));
        } else {
            rebind.push(syn::parse_quote_spanned!(p.span()=> let mut #p = #p;));
        }
    }
    block.stmts.splice(0..0, rebind);
    let ret = match output {
        ReturnType::Type(_, ty) if crate::stages::codegen::annotatable(ty) => quote!(-> #ty),
        ReturnType::Type(..) => quote!(),
        ReturnType::Default => quote!(-> ()),
    };
    let span = proc_macro2::Span::call_site();
    // The trailing `loop {}` keeps the arguments the closure captures from
    // counting as moved on the real path.
    quote_spanned! {span=>
        if false {
            #[allow(warnings, clippy::all, clippy::pedantic)]
            let _ = move || #ret #block;
            loop {}
        }
    }
}

struct Awaits;

/// The name `self` takes in the shadow of a `mut self` method.
const SHADOW_SELF: &str = "__shadow_self";

/// Renames `self` (in expressions and macro arguments) to [`SHADOW_SELF`].
struct SelfRenamed;

impl SelfRenamed {
    fn tokens(stream: TokenStream) -> TokenStream {
        use proc_macro2::{Group, TokenTree};
        stream
            .into_iter()
            .map(|tt| match tt {
                TokenTree::Ident(i) if i == "self" => {
                    TokenTree::Ident(proc_macro2::Ident::new(SHADOW_SELF, i.span()))
                }
                TokenTree::Group(g) => {
                    let mut new = Group::new(g.delimiter(), Self::tokens(g.stream()));
                    new.set_span(g.span());
                    TokenTree::Group(new)
                }
                other => other,
            })
            .collect()
    }
}

impl VisitMut for SelfRenamed {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if p.qself.is_none() && p.path.is_ident("self") {
            let span = p.path.segments[0].ident.span();
            p.path.segments[0].ident = proc_macro2::Ident::new(SHADOW_SELF, span);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        mac.tokens = Self::tokens(std::mem::take(&mut mac.tokens));
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl VisitMut for Awaits {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        if let Expr::Await(a) = e {
            let (base, span) = (&a.base, a.await_token.span);
            *e = syn::parse_quote_spanned!(span=> ::asyncio::coroutine::shadow_await(#base));
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if let Some(mut args) = crate::macro_args::MacroArgs::parse(&mac.tokens) {
            if crate::awaits::in_tokens(&mac.tokens) {
                args.args.iter_mut().for_each(|a| self.visit_expr_mut(a));
                mac.tokens = args.tokens();
            }
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
