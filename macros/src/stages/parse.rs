//! Stage 1: parsing and checking what the attribute is applied to.
//!
//! The attribute accepts a fn with a body (free fn, inherent or trait-impl
//! method) and rejects everything else with an error on the user's code.
//! Parameters are prepared for the frame here: each becomes a plain
//! identifier (a pattern parameter is bound by a `let` at the top of the
//! body), because the frame stores arguments by name.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, Stmt, parse_quote_spanned};

use crate::names;
use crate::stages::resolve::Param;

/// A coroutine fn, ready for the pipeline.
pub struct Coroutine {
    /// The fn as written, with `async` removed and parameters simplified.
    pub item: ItemFn,
    /// Parameters in order: the slot each becomes and the expression that
    /// passes it into the frame.
    pub params: Vec<(Param, TokenStream)>,
}

/// Rejects attribute arguments: `#[coroutine]` takes none.
pub fn no_arguments(attr: TokenStream, name: &str) -> syn::Result<()> {
    if attr.is_empty() {
        return Ok(());
    }
    Err(syn::Error::new_spanned(
        attr,
        format!("`#[{name}]` takes no arguments: remove them"),
    ))
}

/// Parses the item under the attribute.
pub fn item(tokens: TokenStream, name: &str) -> syn::Result<ItemFn> {
    let error = match syn::parse2::<ItemFn>(tokens.clone()) {
        Ok(item) => return Ok(item),
        Err(error) => error,
    };
    if let Ok(f) = syn::parse2::<syn::ForeignItemFn>(tokens.clone()) {
        if let Some(v) = &f.sig.variadic {
            return Err(syn::Error::new(
                v.span(),
                format!("a variadic fn cannot be a `#[{name}]`: take a slice or a `Vec` instead"),
            ));
        }
    }
    if let Ok(f) = syn::parse2::<syn::TraitItemFn>(tokens.clone()) {
        if f.default.is_none() {
            return Err(syn::Error::new(
                f.sig.span(),
                format!(
                    "`#[{name}]` needs a fn body; in a trait, declare the method \
                     `fn ...(..) -> impl Future<Output = T>` and put `#[{name}]` on the impls"
                ),
            ));
        }
    }
    Err(match syn::parse2::<syn::Item>(tokens) {
        Ok(syn::Item::Fn(_) | syn::Item::Verbatim(_)) | Err(_) => error,
        Ok(other) => syn::Error::new(
            first_token_span(&other),
            format!("`#[{name}]` applies to a fn: put it on a `fn` with a body"),
        ),
    })
}

fn first_token_span(item: &syn::Item) -> Span {
    item.to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// Gives every elided lifetime of the parameters (`&T`, `&self`, `'_`) a
/// name, so that the returned `impl Future` can capture it by name (see
/// `expand::set_output`). Lifetimes inside `Fn(..)` sugar, fn pointers and
/// `impl`/`dyn` bounds are left alone: elision means something else there.
fn name_elided_lifetimes(sig: &mut syn::Signature) {
    use syn::visit_mut::{self, VisitMut};
    /// Names elided lifetimes: fresh ones in the inputs, the elision rules'
    /// choice (`elided_as`) in the output.
    struct Namer {
        named: Vec<syn::Lifetime>,
        /// Every lifetime seen in the inputs.
        seen: Vec<syn::Lifetime>,
        elided_as: Option<syn::Lifetime>,
    }
    impl Namer {
        fn name(&mut self, span: Span) -> Option<syn::Lifetime> {
            if let Some(l) = &self.elided_as {
                return Some(l.clone());
            }
            let l = syn::Lifetime::new(&format!("'__life{}", self.named.len()), span);
            self.named.push(l.clone());
            self.seen.push(l.clone());
            Some(l)
        }
    }
    impl VisitMut for Namer {
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            if r.lifetime.is_none() {
                r.lifetime = self.name(r.and_token.span);
            }
            visit_mut::visit_type_reference_mut(self, r);
        }
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            if l.ident == "_" {
                if let Some(named) = self.name(l.apostrophe) {
                    *l = named;
                }
            } else if !self.seen.contains(l) {
                self.seen.push(l.clone());
            }
        }
        fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
        fn visit_parenthesized_generic_arguments_mut(
            &mut self,
            _: &mut syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {}
        fn visit_type_trait_object_mut(&mut self, _: &mut syn::TypeTraitObject) {}
    }
    let mut namer = Namer {
        named: Vec::new(),
        seen: Vec::new(),
        elided_as: None,
    };
    let mut receiver = None;
    for arg in &mut sig.inputs {
        match arg {
            FnArg::Receiver(r) if r.colon_token.is_some() => {
                // `self: Pin<&mut Self>` and the like: the elision rules
                // give the output the lifetime of the reference in there.
                let before = namer.seen.len();
                namer.visit_type_mut(&mut r.ty);
                if let Some(first) = namer.seen.get(before) {
                    receiver = Some(first.clone());
                }
            }
            FnArg::Receiver(r) => {
                if let Some((and, lifetime)) = &mut r.reference {
                    if lifetime.is_none() {
                        *lifetime = namer.name(and.span);
                    }
                    receiver.clone_from(lifetime);
                }
            }
            FnArg::Typed(t) => namer.visit_type_mut(&mut t.ty),
        }
    }
    // The output's elided lifetimes, by the elision rules: the receiver's,
    // else the only lifetime of the inputs. (Otherwise rustc reports them.)
    namer.elided_as = receiver.or_else(|| (namer.seen.len() == 1).then(|| namer.seen[0].clone()));
    if namer.elided_as.is_some() {
        if let syn::ReturnType::Type(_, ty) = &mut sig.output {
            namer.visit_type_mut(ty);
        }
    }
    for l in namer.named {
        sig.generics
            .params
            .push(syn::GenericParam::Lifetime(syn::LifetimeParam::new(l)));
    }
}

/// Checks the signature and prepares the parameters.
pub fn coroutine(mut item: ItemFn) -> syn::Result<Coroutine> {
    let sig = &mut item.sig;
    if let Some(c) = &sig.constness {
        return Err(syn::Error::new(
            c.span,
            "a `const fn` cannot be a coroutine: remove `const`",
        ));
    }
    if let Some(abi) = &sig.abi {
        return Err(syn::Error::new(
            abi.span(),
            "an `extern` fn cannot be a coroutine: remove the ABI",
        ));
    }
    if let Some(v) = &sig.variadic {
        return Err(syn::Error::new(
            v.span(),
            "a variadic fn cannot be a coroutine: take a slice or a `Vec` instead",
        ));
    }
    sig.asyncness = None;
    let mut params = Vec::new();
    // Each typed parameter's binding in the body: `let PAT = __argN;`.
    let mut bindings: Vec<Stmt> = Vec::new();
    let mut any_pattern = false;
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        match arg {
            FnArg::Receiver(r) => {
                // `mut self` (by value) binds mutably; `&mut self` is a reference.
                let mutable = r.reference.is_none() && r.mutability.take().is_some();
                let self_ = syn::Ident::new("self", r.self_token.span);
                params.push((
                    Param {
                        ident: self_.clone(),
                        mutable,
                    },
                    self_.into_token_stream(),
                ));
            }
            FnArg::Typed(t) => match &mut *t.pat {
                Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => {
                    let mutable = p.mutability.take().is_some();
                    let x = &p.ident;
                    let m = mutable.then(|| quote::quote!(mut));
                    bindings.push(parse_quote_spanned!(x.span()=> let #m #x = #x;));
                    params.push((
                        Param {
                            ident: x.clone(),
                            mutable,
                        },
                        x.to_token_stream(),
                    ));
                }
                pat => {
                    any_pattern = true;
                    let span = pat.span();
                    let arg = names::numbered("__arg", i, span);
                    let original = std::mem::replace(pat, parse_quote_spanned!(span=> #arg));
                    bindings.push(match original {
                        // `_: T` keeps the argument to the end, as every
                        // parameter of an `async fn` is kept: a guard.
                        Pat::Wild(_) => {
                            let keep = names::numbered("__keep", i, span);
                            parse_quote_spanned!(span=> let #keep = #arg;)
                        }
                        original => parse_quote_spanned!(span=> let #original = #arg;),
                    });
                    params.push((
                        Param {
                            ident: arg.clone(),
                            mutable: false,
                        },
                        arg.to_token_stream(),
                    ));
                }
            },
        }
    }
    name_elided_lifetimes(sig);
    // With a pattern among them, every parameter is bound in order at the
    // top of the body (as rustc lowers an `async fn`), so they drop in the
    // same order as there; plain identifiers alone need no rebinding.
    if any_pattern {
        bindings.append(&mut item.block.stmts);
        item.block.stmts = bindings;
    }
    Ok(Coroutine { item, params })
}

#[cfg(test)]
mod tests {
    use quote::{ToTokens, quote};

    use super::*;

    fn error(tokens: TokenStream) -> String {
        match item(tokens, "coroutine").and_then(coroutine) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn rejects_const_extern_and_non_fns() {
        assert!(
            error(quote!(
                const fn f() {}
            ))
            .contains("const fn")
        );
        assert!(
            error(quote!(
                extern "C" fn f() {}
            ))
            .contains("extern")
        );
        assert!(
            error(quote!(
                struct S;
            ))
            .contains("applies to a fn")
        );
        assert!(
            error(quote!(
                fn f(&self);
            ))
            .contains("needs a fn body")
        );
        assert!(no_arguments(quote!(x), "coroutine").is_err());
    }

    #[test]
    fn pattern_parameters_are_bound_in_the_body() {
        let c = coroutine(
            syn::parse2(quote!(
                fn f((a, b): (u8, u8), mut n: u8) {}
            ))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            c.item.sig.inputs.to_token_stream().to_string(),
            "__arg0 : (u8 , u8) , n : u8"
        );
        assert_eq!(
            c.item.block.stmts[0].to_token_stream().to_string(),
            "let (a , b) = __arg0 ;"
        );
        assert!(c.params[1].0.mutable);
    }

    #[test]
    fn receivers_become_parameters() {
        // The `async` keyword as a token, as the attribute receives it.
        let asyncness = syn::Ident::new("async", Span::call_site());
        let c = coroutine(
            syn::parse2(quote!(
                #asyncness fn f(&mut self) {}
            ))
            .unwrap(),
        )
        .unwrap();
        assert!(c.item.sig.asyncness.is_none());
        assert_eq!(
            c.item.sig.inputs.to_token_stream().to_string(),
            "& '__life0 mut self",
            "the elided lifetime is named, for the `impl Future` to capture"
        );
        assert!(
            !c.params[0].0.mutable,
            "`&mut self` is a reference, not a `mut` binding"
        );
    }
}
