//! `#[cfg]` on statements that contain `.await`: one fn per combination of
//! their predicates.
//!
//! A macro cannot evaluate `cfg` predicates, and the pipeline spreads a
//! statement with awaits over several states, where an attribute on it has
//! nowhere to go. So before the pipeline runs, the fn is copied once per
//! combination of the distinct predicates found on such statements: in each
//! copy a statement whose predicates hold loses its `#[cfg]` attributes, one
//! whose predicates do not is removed, and the copy itself is gated by
//! `#[cfg(all(..))]` on that combination. rustc keeps the one copy whose
//! gate holds, so the body compiled is the one `async fn` would compile.
//! Statements without awaits keep their attributes: they stay whole through
//! the pipeline, and rustc evaluates them in place.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Block, ItemFn, Stmt};

use crate::awaits;

/// At most this many distinct predicates (2^4 = 16 copies of the fn).
const MAX_PREDICATES: usize = 4;

/// The copies of `item`, each gated by its combination, if statements with
/// awaits carry `#[cfg]`; `None` if none does.
///
/// # Errors
///
/// More than [`MAX_PREDICATES`] distinct predicates.
pub fn variants(item: &ItemFn) -> syn::Result<Option<Vec<ItemFn>>> {
    let mut found = Predicates::default();
    found.visit_block_mut(&mut item.block.as_ref().clone());
    let predicates = found.0;
    if predicates.is_empty() {
        return Ok(None);
    }
    if predicates.len() > MAX_PREDICATES {
        return Err(syn::Error::new_spanned(
            &item.sig.ident,
            format!(
                "more than {MAX_PREDICATES} different `#[cfg]` predicates on statements that \
                 contain `.await`: move some of that code into `#[cfg]`-gated `#[coroutine]` fns"
            ),
        ));
    }
    let keys: Vec<String> = predicates.iter().map(ToString::to_string).collect();
    let variants = (0..1usize << predicates.len())
        .map(|mask| {
            let holds = |p: &TokenStream| {
                let i = keys.iter().position(|k| *k == p.to_string()).unwrap_or(0);
                mask & (1 << i) != 0
            };
            let mut copy = item.clone();
            Select { holds: &holds }.visit_block_mut(&mut copy.block);
            let gate = predicates.iter().enumerate().map(|(i, p)| {
                if mask & (1 << i) != 0 {
                    quote!(#p)
                } else {
                    quote!(not(#p))
                }
            });
            copy.attrs.push(syn::parse_quote!(#[cfg(all(#(#gate),*))]));
            copy
        })
        .collect();
    Ok(Some(variants))
}

/// The predicates of a statement's `#[cfg(..)]` attributes.
fn cfg_predicates(attrs: &[Attribute]) -> Vec<TokenStream> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .filter_map(|a| a.meta.require_list().ok().map(|l| l.tokens.clone()))
        .collect()
}

fn attrs_mut(stmt: &mut Stmt) -> Option<&mut Vec<Attribute>> {
    match stmt {
        Stmt::Local(local) => Some(&mut local.attrs),
        Stmt::Macro(m) => Some(&mut m.attrs),
        Stmt::Expr(e, _) => expr_attrs(e),
        Stmt::Item(_) => None,
    }
}

/// The outer attributes of an expression statement (`#[cfg(x)] { .. }`,
/// `#[cfg(x)] f().await;`).
fn expr_attrs(e: &mut syn::Expr) -> Option<&mut Vec<Attribute>> {
    use syn::Expr::*;
    Some(match e {
        Await(x) => &mut x.attrs,
        Assign(x) => &mut x.attrs,
        Binary(x) => &mut x.attrs,
        Block(x) => &mut x.attrs,
        Call(x) => &mut x.attrs,
        ForLoop(x) => &mut x.attrs,
        If(x) => &mut x.attrs,
        Loop(x) => &mut x.attrs,
        Macro(x) => &mut x.attrs,
        Match(x) => &mut x.attrs,
        MethodCall(x) => &mut x.attrs,
        Paren(x) => &mut x.attrs,
        Return(x) => &mut x.attrs,
        Try(x) => &mut x.attrs,
        Unsafe(x) => &mut x.attrs,
        While(x) => &mut x.attrs,
        _ => return None,
    })
}

/// Collects the distinct predicates on statements with awaits.
#[derive(Default)]
struct Predicates(Vec<TokenStream>);

impl VisitMut for Predicates {
    fn visit_block_mut(&mut self, block: &mut Block) {
        for stmt in &mut block.stmts {
            if awaits::in_stmt(stmt) {
                if let Some(attrs) = attrs_mut(stmt) {
                    for p in cfg_predicates(attrs) {
                        if !self.0.iter().any(|q| q.to_string() == p.to_string()) {
                            self.0.push(p);
                        }
                    }
                }
            }
        }
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Keeps (without their `#[cfg]`) or removes the statements with awaits,
/// as the combination says.
struct Select<'a> {
    holds: &'a dyn Fn(&TokenStream) -> bool,
}

impl VisitMut for Select<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        block.stmts.retain_mut(|stmt| {
            if !awaits::in_stmt(stmt) {
                return true;
            }
            let Some(attrs) = attrs_mut(stmt) else {
                return true;
            };
            let keep = cfg_predicates(attrs).iter().all(|p| (self.holds)(p));
            attrs.retain(|a| !a.path().is_ident("cfg"));
            keep
        });
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    #[test]
    fn one_copy_per_combination_each_gated() {
        let item: ItemFn = syn::parse_quote! {
            fn f() -> u32 {
                #[cfg(unix)]
                let a = g().await;
                #[cfg(not(unix))]
                let a = 0;
                #[cfg(test)]
                h().await;
                #[cfg(test)]
                no_await();
                a
            }
        };
        let copies = variants(&item).unwrap().expect("two predicates");
        assert_eq!(copies.len(), 4);
        let text: Vec<String> = copies
            .iter()
            .map(|c| c.to_token_stream().to_string())
            .collect();
        assert!(
            text[0].contains("cfg (all (not (unix) , not (test)))"),
            "{}",
            text[0]
        );
        assert!(!text[0].contains("g () . await") && !text[0].contains("h () . await"));
        assert!(text[3].contains("cfg (all (unix , test))"), "{}", text[3]);
        assert!(text[3].contains("let a = g () . await") && text[3].contains("h () . await"));
        // A statement without an await keeps its attribute.
        assert!(
            text.iter()
                .all(|t| t.contains("# [cfg (test)] no_await ()"))
        );
        assert!(
            text.iter()
                .all(|t| t.contains("# [cfg (not (unix))] let a = 0"))
        );
    }

    #[test]
    fn no_cfg_on_awaiting_statements_no_copies() {
        let item: ItemFn = syn::parse_quote! {
            fn f() { #[cfg(test)] g(); h().await; }
        };
        assert!(variants(&item).unwrap().is_none());
    }

    #[test]
    fn too_many_predicates_is_an_error() {
        let item: ItemFn = syn::parse_quote! {
            fn f() {
                #[cfg(a)] g().await; #[cfg(b)] g().await; #[cfg(c)] g().await;
                #[cfg(d)] g().await; #[cfg(e)] g().await;
            }
        };
        let err = variants(&item).unwrap_err().to_string();
        assert!(
            err.contains("more than 4 different `#[cfg]` predicates"),
            "{err}"
        );
    }
}
