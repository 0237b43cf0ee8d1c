//! Runs the pipeline on one fn.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

use crate::awaits;
use crate::errors;
use crate::stages::{cfg_variants, codegen, liveness, lower, normalize, parse, pin, resolve};

/// `#[coroutine]` on `item`: the generated fn, or the errors plus a stand-in
/// fn with the same signature so that callers see no follow-on errors.
pub fn coroutine(attr: TokenStream, item: TokenStream) -> TokenStream {
    let parsed = parse::no_arguments(attr, "coroutine")
        .and_then(|()| parse::item(item.clone(), "coroutine"));
    match parsed {
        Ok(item) => compile(item),
        Err(error) => error.to_compile_error(),
    }
}

/// Compiles a parsed fn, falling back to a stand-in on error; a fn with
/// `#[cfg]` on statements that await is compiled once per combination of
/// their predicates (see `cfg_variants`).
pub fn compile(item: ItemFn) -> TokenStream {
    match cfg_variants::variants(&item) {
        Ok(Some(variants)) => variants.into_iter().map(compile_one).collect(),
        Ok(None) => compile_one(item),
        Err(error) => {
            let mut out = error.to_compile_error();
            out.extend(stand_in(item));
            out
        }
    }
}

fn compile_one(item: ItemFn) -> TokenStream {
    match compile_checked(item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => {
            let mut out = error.to_compile_error();
            out.extend(stand_in(item));
            out
        }
    }
}

/// `()`, also as a `macro_rules!` fragment (`-> $ret` with `$ret:ty`
/// arrives as an invisible group) or in parentheses.
pub(crate) fn is_unit(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => t.elems.is_empty(),
        syn::Type::Group(g) => is_unit(&g.elem),
        syn::Type::Paren(p) => is_unit(&p.elem),
        _ => false,
    }
}

fn compile_checked(item: ItemFn) -> syn::Result<TokenStream> {
    let coroutine = parse::coroutine(item)?;
    let mut item = coroutine.item;
    errors::combine(awaits::check_misplaced(&item.block))?;
    let unit_output = match &item.sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => is_unit(ty),
    };
    let normalize::Body { nodes, items } = normalize::body(&item.block, unit_output)?;
    let params: Vec<_> = coroutine
        .params
        .iter()
        .map(|(p, _)| resolve::Param {
            ident: p.ident.clone(),
            mutable: p.mutable,
        })
        .collect();
    let mut plan = Plan::new(&params, nodes.clone())?;
    // Parameters that are `&mut` references (passing one on reborrows it),
    // and shared ones (copied, never pinned).
    let mut_ref_params = reference_params(&item.sig, true);
    let shared_ref_params = reference_params(&item.sig, false);
    let pin::Selection {
        pinned,
        last_use,
        last_move,
        shared_refs,
        read_only,
    } = pin::select(
        &plan.body,
        &plan.resolution,
        &plan.cfg,
        &plan.liveness,
        &mut_ref_params,
        &shared_ref_params,
    );
    let mut param_exprs: Vec<TokenStream> =
        coroutine.params.iter().map(|(_, e)| e.clone()).collect();
    let mut pinned_locals = Vec::new();
    let mut shadow = TokenStream::new();
    if !pinned.is_empty() {
        // Again from the normalised body, with the pinned locals renamed
        // apart and rewritten into slot accesses.
        let mut body = nodes;
        let named = resolve::resolve_renaming(&params, &mut body, &pinned)?;
        let ptr = |slot: usize| named.slots[slot].ident.clone();
        let names = pinned.iter().map(|&s| ptr(s).to_string()).collect();
        let last_use = last_use
            .iter()
            .map(|(&s, &at)| (ptr(s).to_string(), at))
            .collect();
        let last_move = last_move
            .iter()
            .map(|(&s, &at)| (ptr(s).to_string(), at))
            .collect();
        let shared_refs = shared_refs.iter().map(|&s| ptr(s).to_string()).collect();
        let read_only = read_only.iter().map(|&s| ptr(s).to_string()).collect();
        let pins = pin::Pins {
            names,
            last_use,
            last_move,
            shared_refs,
            read_only,
        };
        let flagged = pin::rewrite(&pins, &mut body)?;
        let mut kept = Vec::new();
        let mut kept_exprs = Vec::new();
        let mut guards = Vec::new();
        for (slot, (param, expr)) in params.iter().zip(&param_exprs).enumerate() {
            if pinned.contains(&slot) {
                guards.push(crate::ir::Node::Code {
                    stmt: pin::guard(&ptr(slot)),
                    res: Default::default(),
                });
            } else {
                kept.push(resolve::Param {
                    ident: named.slots[slot].ident.clone(),
                    mutable: param.mutable,
                });
                kept_exprs.push(expr.clone());
            }
        }
        // Newest first: the slots drop in reverse declaration order.
        for &slot in pinned.iter().rev() {
            let param = (slot < params.len()).then(|| param_exprs[slot].clone());
            pinned_locals.push(pin::PinnedLocal {
                flagged: param.is_some() || flagged.contains(&ptr(slot).to_string()),
                ptr: ptr(slot),
                param,
            });
        }
        guards.append(&mut body);
        plan = Plan::new(&kept, guards)?;
        param_exprs = kept_exprs;
        let mutable: Vec<_> = (params.iter())
            .filter(|p| p.mutable)
            .map(|p| p.ident.clone())
            .collect();
        shadow = pin::shadow(&item.block, &item.sig.output, &mutable);
        add_frame_lifetime(&mut item.sig);
    }
    check_borrows(&plan.cfg, &plan.resolution, &plan.liveness)?;
    let span = item.sig.ident.span();
    let input = codegen::Input {
        cfg: &plan.cfg,
        resolution: &plan.resolution,
        liveness: &plan.liveness,
        params: param_exprs.into_iter().enumerate().collect(),
        output: &item.sig.output,
        span,
        pinned: &pinned_locals,
    };
    let body = codegen::body(&input);
    set_output(&mut item);
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    Ok(quote! {
        #(#attrs)* #vis #sig {
            #(#items)*
            #shadow
            #body
        }
    })
}

/// The positions of the parameters that are references (`&mut` ones when
/// `mutable`, else shared ones), `self` included.
fn reference_params(sig: &syn::Signature, mutable: bool) -> Vec<usize> {
    let is = |m: Option<&syn::token::Mut>| m.is_some() == mutable;
    sig.inputs
        .iter()
        .enumerate()
        .filter(|(_, arg)| match arg {
            syn::FnArg::Receiver(r) => r.reference.is_some() && is(r.mutability.as_ref()),
            syn::FnArg::Typed(t) => {
                matches!(&*t.ty, syn::Type::Reference(r) if is(r.mutability.as_ref()))
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// The body resolved, lowered and analysed.
struct Plan {
    /// The resolved body, before lowering (for `pin::select`).
    body: Vec<crate::ir::Node>,
    resolution: resolve::Resolution,
    cfg: crate::ir::graph::Cfg,
    liveness: liveness::Liveness,
}

impl Plan {
    fn new(params: &[resolve::Param], mut body: Vec<crate::ir::Node>) -> syn::Result<Plan> {
        let resolution = resolve::resolve(params, &mut body)?;
        let cfg = lower::lower(body.clone());
        let liveness = liveness::analyze(&cfg, &resolution);
        Ok(Plan {
            body,
            resolution,
            cfg,
            liveness,
        })
    }
}

/// A reference into a pinned local may be saved in the frame, so the
/// returned future's hidden type names the lifetime of that reference. With
/// type parameters or several lifetimes no lifetime of the signature may fit
/// it, so one is added that every parameter outlives: `'__frame`, with
/// `T: '__frame` and `'a: '__frame`. A trait impl's method cannot get one
/// (its generics must match the trait's, E0195): there the type parameters
/// must be `'static`, which then needs no added lifetime.
fn add_frame_lifetime(sig: &mut syn::Signature) {
    // Type parameters bounded by `'static` need no such lifetime: `'static`
    // fits (which is what a trait impl's generic method can declare).
    let is_static = |b: &syn::TypeParamBound| matches!(b, syn::TypeParamBound::Lifetime(l) if l.ident == "static");
    let static_in_where = |t: &syn::Ident| {
        let predicates = sig.generics.where_clause.iter().flat_map(|w| &w.predicates);
        predicates.clone().any(|p| match p {
            syn::WherePredicate::Type(pt) => {
                matches!(&pt.bounded_ty, syn::Type::Path(tp) if tp.path.is_ident(t))
                    && pt.bounds.iter().any(is_static)
            }
            _ => false,
        })
    };
    let types = sig
        .generics
        .type_params()
        .filter(|t| !t.bounds.iter().any(is_static) && !static_in_where(&t.ident))
        .count();
    let impl_args = sig.inputs.iter().any(|a| {
        matches!(a, syn::FnArg::Typed(t)
            if matches!(&*t.ty, syn::Type::ImplTrait(i) if !i.bounds.iter().any(is_static)))
    });
    if types == 0 && !impl_args && sig.generics.lifetimes().count() < 2 {
        return;
    }
    let frame: syn::Lifetime = syn::Lifetime::new("'__frame", proc_macro2::Span::mixed_site());
    // Each `T: '__frame` / `'a: '__frame` goes where the user bounds that
    // parameter (its `where` predicate if it has one, else inline), so
    // that no parameter gets bounds in two places (clippy's
    // `multiple_bound_locations` on the user's fn).
    let generics = &mut sig.generics;
    for param in generics.params.iter_mut() {
        match param {
            syn::GenericParam::Type(t) => {
                let predicate = generics.where_clause.iter_mut().flat_map(|w| &mut w.predicates).find_map(|p| match p {
                    syn::WherePredicate::Type(pt) if matches!(&pt.bounded_ty, syn::Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident(&t.ident)) => Some(&mut pt.bounds),
                    _ => None,
                });
                let bound = syn::TypeParamBound::Lifetime(frame.clone());
                match predicate {
                    Some(bounds) => bounds.push(bound),
                    None => t.bounds.push(bound),
                }
            }
            syn::GenericParam::Lifetime(l) => {
                let predicate = generics
                    .where_clause
                    .iter_mut()
                    .flat_map(|w| &mut w.predicates)
                    .find_map(|p| match p {
                        syn::WherePredicate::Lifetime(pl) if pl.lifetime == l.lifetime => {
                            Some(&mut pl.bounds)
                        }
                        _ => None,
                    });
                match predicate {
                    Some(bounds) => bounds.push(frame.clone()),
                    None => l.bounds.push(frame.clone()),
                }
            }
            _ => {}
        }
    }
    generics
        .params
        .push(syn::GenericParam::Lifetime(syn::LifetimeParam::new(
            frame.clone(),
        )));
    for arg in sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(t) = arg {
            if let syn::Type::ImplTrait(i) = &mut *t.ty {
                i.bounds.push(syn::TypeParamBound::Lifetime(frame.clone()));
            }
        }
    }
}

/// Rewrites `-> T` to `-> impl Future<Output = T>`.
fn set_output(item: &mut ItemFn) {
    let sig = &item.sig;
    let span = sig.output.span();
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    // Capture every lifetime of the signature, as an `async fn` does: on
    // edition 2021 an `impl Trait` only captures the lifetimes it names.
    let lifetimes: Vec<_> = sig
        .generics
        .lifetimes()
        .map(|l| l.lifetime.clone())
        .collect();
    if !lifetimes.is_empty() {
        // `Captures` refines a trait's `-> impl Future<..>`; it only names
        // lifetimes the trait's own declaration captures anyway.
        item.attrs
            .push(syn::parse_quote!(#[allow(refining_impl_trait)]));
    }
    let sig = &mut item.sig;
    let captures = (!lifetimes.is_empty())
        .then(|| quote_spanned!(span=> + ::asyncio::coroutine::Captures<(#(&#lifetimes (),)*)>));
    sig.output = syn::parse2(quote_spanned!(span=>
        -> impl ::core::future::Future<Output = #output> #captures))
    .expect("a valid return type");
}

/// The fn with its signature and a body that never completes: what callers
/// see while the body has errors.
fn stand_in(mut item: ItemFn) -> TokenStream {
    // What the errors were about goes too, so that the stand-in compiles.
    item.sig.asyncness = None;
    item.sig.constness = None;
    item.sig.abi = None;
    item.sig.variadic = None;
    set_output(&mut item);
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    // Its parameters are unused: only the error about the body is reported.
    quote! {
        #(#attrs)* #[allow(unused_variables)] #vis #sig {
            ::core::future::pending()
        }
    }
}

/// Rejects a reference to a local that is still used after an await: the
/// local lives in the coroutine's frame, which moves when it suspends, so
/// rustc would reject the generated code with an error about the frame.
/// This says what to do instead, on the user's code.
fn check_borrows(
    cfg: &crate::ir::graph::Cfg,
    resolution: &resolve::Resolution,
    liveness: &liveness::Liveness,
) -> syn::Result<()> {
    let mut errors = Vec::new();
    let mut reported = std::collections::BTreeSet::new();
    for block in &cfg.blocks {
        let crate::ir::graph::Term::Suspend { resume, span, .. } = &block.term else {
            continue;
        };
        for borrow in &resolution.borrows {
            let holder = &resolution.slots[borrow.slot];
            if holder.temp
                || !liveness.live_in[*resume].contains(&borrow.slot)
                || !reported.insert(borrow.slot)
            {
                continue;
            }
            let of = &resolution.slots[borrow.of].name;
            let expr = &borrow.expr;
            let at_await = proc_macro2::Ident::new("await", *span);
            let error = syn::Error::new_spanned(
                quote!(#expr #at_await),
                format!(
                    "`{holder}` borrows `{of}` and is still used after this `.await`: \
                     a coroutine's locals live in its frame, which moves when it \
                     suspends, so a borrow of one cannot be held across an await; \
                     clone `{of}`, move it into an owned value, or end the borrow \
                     before the `.await`",
                    holder = holder.name,
                ),
            );
            errors.push(error);
        }
    }
    errors::combine(errors)
}
