//! Runs the pipeline on one fn.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

use crate::{awaits, codegen, liveness, lower, normalize, parse, resolve};

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

/// Compiles a parsed fn, falling back to a stand-in on error.
pub fn compile(item: ItemFn) -> TokenStream {
    match compile_checked(item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => {
            let mut out = error.to_compile_error();
            out.extend(stand_in(item));
            out
        }
    }
}

fn compile_checked(item: ItemFn) -> syn::Result<TokenStream> {
    let coroutine = parse::coroutine(item)?;
    let mut item = coroutine.item;
    if let Some(error) = awaits::check_misplaced(&item.block)
        .into_iter()
        .reduce(|mut a, b| {
            a.combine(b);
            a
        })
    {
        return Err(error);
    }
    let unit_output = match &item.sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()),
    };
    let normalize::Body {
        nodes: mut body,
        items,
    } = normalize::body(&item.block, unit_output)?;
    let params: Vec<_> = coroutine
        .params
        .iter()
        .map(|(p, _)| resolve::Param {
            ident: p.ident.clone(),
            mutable: p.mutable,
        })
        .collect();
    let resolution = resolve::resolve(&params, &mut body)?;
    let cfg = lower::lower(body);
    let liveness = liveness::analyze(&cfg, &resolution);
    check_borrows(&cfg, &resolution, &liveness)?;
    let span = item.sig.ident.span();
    let input = codegen::Input {
        cfg: &cfg,
        resolution: &resolution,
        liveness: &liveness,
        params: coroutine
            .params
            .iter()
            .enumerate()
            .map(|(slot, (_, e))| (slot, e.clone()))
            .collect(),
        output: &item.sig.output,
        span,
    };
    let body = codegen::body(&input);
    set_output(&mut item);
    let (attrs, vis, sig) = (&item.attrs, &item.vis, &item.sig);
    Ok(quote! {
        #(#attrs)* #vis #sig {
            #(#items)*
            #body
        }
    })
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
    quote! {
        #(#attrs)* #vis #sig {
            ::core::future::pending()
        }
    }
}

/// Rejects a reference to a local that is still used after an await: the
/// local lives in the coroutine's frame, which moves when it suspends, so
/// rustc would reject the generated code with an error about the frame.
/// This says what to do instead, on the user's code.
fn check_borrows(
    cfg: &crate::cfg::Cfg,
    resolution: &resolve::Resolution,
    liveness: &liveness::Liveness,
) -> syn::Result<()> {
    let mut errors: Option<syn::Error> = None;
    let mut reported = std::collections::BTreeSet::new();
    for block in &cfg.blocks {
        let crate::cfg::Term::Suspend { resume, span, .. } = &block.term else {
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
            match &mut errors {
                Some(all) => all.combine(error),
                None => errors = Some(error),
            }
        }
    }
    errors.map_or(Ok(()), Err)
}
