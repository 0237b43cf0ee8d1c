//! `#[entry]` and `#[asyncio::test]`: a coroutine run on a fresh loop.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

use crate::expand;
use crate::stages::parse;

/// `#[entry]` / `#[entry(debug)]` on `fn main()`.
pub fn entry(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_runner(attr, item, "entry", quote!())
}

/// `#[asyncio::test]` on a test fn.
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_runner(attr, item, "test", quote!(#[::core::prelude::v1::test]))
}

fn expand_runner(
    attr: TokenStream,
    item: TokenStream,
    name: &str,
    extra_attr: TokenStream,
) -> TokenStream {
    let result = options(attr, name).and_then(|debug| {
        let item = parse::item(item, name)?;
        check_signature(&item, name)?;
        Ok((debug, item))
    });
    let (debug, item) = match result {
        Ok(ok) => ok,
        Err(error) => {
            let mut out = error.to_compile_error();
            if name == "entry" {
                // A stand-in, so the error is not followed by "no `main`".
                out.extend(quote!(
                    fn main() {}
                ));
            }
            return out;
        }
    };
    let span = item.sig.ident.span();
    let mut inner = item.clone();
    inner.attrs.clear();
    inner.vis = syn::Visibility::Inherited;
    inner.sig.ident = syn::Ident::new("__asyncio_body", span);
    let inner = expand::compile(inner);
    let mut outer = item;
    outer.sig.asyncness = None;
    let (attrs, vis, sig) = (&outer.attrs, &outer.vis, &outer.sig);
    let run = quote_spanned!(span=> ::asyncio::coroutine::run_entry(__asyncio_body(), #debug));
    quote! {
        #extra_attr
        #(#attrs)* #vis #sig {
            #inner
            #run
        }
    }
}

/// `debug` is the one option.
fn options(attr: TokenStream, name: &str) -> syn::Result<bool> {
    if attr.is_empty() {
        return Ok(false);
    }
    match syn::parse2::<syn::Ident>(attr.clone()) {
        Ok(ident) if ident == "debug" => Ok(true),
        _ => Err(syn::Error::new_spanned(
            attr,
            format!("unknown argument to `#[{name}]`: the only option is `#[{name}(debug)]`"),
        )),
    }
}

fn check_signature(item: &ItemFn, name: &str) -> syn::Result<()> {
    let sig = &item.sig;
    if !sig.inputs.is_empty() {
        return Err(syn::Error::new(
            sig.inputs.span(),
            format!(
                "`#[{name}]` fn takes no arguments: remove them (read configuration inside the body)"
            ),
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!("`#[{name}]` fn cannot be generic"),
        ));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        let ok = match &**ty {
            ty if crate::expand::is_unit(ty) => true,
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Result" || s.ident == "ExitCode"),
            _ => false,
        };
        if !ok {
            return Err(syn::Error::new(
                ty.span(),
                format!("`#[{name}]` fn must return `()` or a `Result`: change the return type"),
            ));
        }
    }
    Ok(())
}
