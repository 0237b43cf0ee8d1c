//! Stage 6: code generation.
//!
//! The coroutine becomes a plain fn returning `impl Future`, whose body
//! defines two enums and builds an `asyncio::coroutine::Machine`:
//!
//! - `__Frame`, the future's state: `Start` holds the arguments, `S{k}`
//!   holds the values live at suspension point `k` plus the future being
//!   awaited there (variants overlap, as in rustc's own layout), `Running`
//!   is the state while a step runs (and after a panic), `Done` after the end.
//! - `__b{n}`, one local `Option` per block: a jump to block `n` within one
//!   `poll` moves the values live there into it, as a tuple.
//!
//! The enum is generic in every field type and the locals are untyped, so
//! rustc infers all of them from the generated code, including inside
//! generic fns whose parameters a nested item could not name. Blocks are
//! emitted in reverse postorder so a type is always known before code reads
//! it.
//!
//! Each block becomes one `match` arm that reopens the scopes it starts in,
//! restoring its live values into ordinary `let` bindings with the user's own
//! names, runs the user's code unchanged, and ends by moving the values live
//! at its successor into the next block's local or `__Frame` variant.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{ReturnType, Type};

use crate::ir::SlotId;
use crate::ir::graph::{BlockId, Cfg, Term};
use crate::names;
use crate::stages::liveness::{Liveness, Slots};
use crate::stages::resolve::Resolution;

mod block;
mod emitter;
mod inline;
mod subst;

/// Everything codegen needs about the coroutine.
pub struct Input<'a> {
    pub cfg: &'a Cfg,
    pub resolution: &'a Resolution,
    pub liveness: &'a Liveness,
    /// The parameter slots, in order, with the expression passing each in.
    pub params: Vec<(SlotId, TokenStream)>,
    /// The declared output type (`()` when none).
    pub output: &'a ReturnType,
    /// Where the frame's own names are reported.
    pub span: Span,
    /// The locals kept in place (see `crate::stages::pin`), in reverse declaration
    /// order: the machine's slots, which drop in that order.
    pub pinned: &'a [crate::stages::pin::PinnedLocal],
}

/// The fn body that builds the state machine.
pub fn body(input: &Input<'_>) -> TokenStream {
    Gen::new(input).body()
}

struct Gen<'a> {
    input: &'a Input<'a>,
    /// Suspension point of each block's terminator, if it suspends.
    suspend_id: Vec<Option<usize>>,
    /// Blocks that end in a suspension, in suspension order.
    suspends: Vec<BlockId>,
    /// The suspension point each block resumes after, if it is a resumption.
    resumes_after: Vec<Option<usize>>,
    /// Branch blocks emitted inside their `if`/`match` (see `branch`).
    inlined: Vec<bool>,
    /// The single-use temporaries of the arm being emitted (see `subst`).
    subst: std::cell::RefCell<subst::Subst>,
    frame: Ident,
    jump: Ident,
    frame_var: Ident,
    cx: Ident,
    resume_label: syn::Lifetime,
    dispatch_label: syn::Lifetime,
}

impl<'a> Gen<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        let span = input.span;
        let mut suspend_id = vec![None; input.cfg.blocks.len()];
        let mut suspends = Vec::new();
        let mut resumes_after = vec![None; input.cfg.blocks.len()];
        for (b, block) in input.cfg.blocks.iter().enumerate() {
            if let Term::Suspend { resume, .. } = block.term {
                suspend_id[b] = Some(suspends.len());
                resumes_after[resume] = Some(suspends.len());
                suspends.push(b);
            }
        }
        let inlined = inline::inlinable(input.cfg);
        let label = |name: &str| syn::Lifetime {
            apostrophe: span,
            ident: names::hidden(name, span),
        };
        Gen {
            input,
            suspend_id,
            suspends,
            resumes_after,
            inlined,
            subst: Default::default(),
            frame: names::hidden("__Frame", span),
            jump: names::hidden("__jump", span),
            frame_var: names::hidden("__frame", span),
            cx: names::hidden("__cx", span),
            resume_label: label("__resume"),
            dispatch_label: label("__dispatch"),
        }
    }

    fn slot_ident(&self, slot: SlotId) -> &Ident {
        &self.input.resolution.slots[slot].ident
    }

    /// The hygienic name of a slot's field in `__Frame`.
    fn field(&self, slot: SlotId) -> Ident {
        let name = &self.input.resolution.slots[slot].name;
        let name = name.trim_start_matches('_');
        names::hidden(&format!("{name}_{slot}"), self.input.span)
    }

    fn ty(&self, slot: SlotId) -> Ident {
        names::numbered("T", slot, self.input.span)
    }

    fn live_in(&self, b: BlockId) -> &Slots {
        &self.input.liveness.live_in[b]
    }

    /// The values a suspension stores: live at the resumption, less the
    /// await's own output. In reverse declaration order, so that dropping a
    /// suspended coroutine drops them as rustc does (the awaited future
    /// first, then locals, newest first).
    fn saved(&self, b: BlockId) -> Vec<SlotId> {
        let Term::Suspend { resume, .. } = self.input.cfg.blocks[b].term else {
            unreachable!()
        };
        let out = self.input.cfg.blocks[resume].resumes;
        self.live_in(resume)
            .iter()
            .rev()
            .copied()
            .filter(|s| Some(*s) != out)
            .collect()
    }

    fn body(&self) -> TokenStream {
        let span = self.input.span;
        let frame = &self.frame;
        let p = quote_spanned!(span=> ::asyncio::coroutine);

        // enum __Frame
        let mut frame_params: BTreeSet<SlotId> =
            self.input.params.iter().map(|(s, _)| *s).collect();
        let mut variants = Vec::new();
        let start_fields: Vec<_> = self
            .input
            .params
            .iter()
            .map(|(s, _)| self.typed_field(*s))
            .collect();
        variants.push(quote!(Start { #(#start_fields,)* }));
        let mut future_params = Vec::new();
        for (k, &b) in self.suspends.iter().enumerate() {
            let saved = self.saved(b);
            frame_params.extend(&saved);
            let fut = format_ident!("F{}", k, span = Span::mixed_site());
            future_params.push(fut.clone());
            let fields = saved.iter().map(|s| self.typed_field(*s));
            let variant = format_ident!("S{}", k, span = Span::mixed_site());
            variants.push(quote!(#variant { __fut: #p::AwaitSlot<#fut>, #(#fields,)* }));
        }
        let frame_generics: Vec<Ident> = frame_params
            .iter()
            .map(|s| self.ty(*s))
            .chain(future_params.iter().cloned())
            .collect();

        // One `Option` per block for the values a jump carries to it: each
        // has its own inferred type, so a jump costs rustc one small
        // inference rather than instantiating one enum generic over every
        // value of the body. The entry's is typed from the frame's `Start`
        // (by `__entry`), a resumption's by its suspension (`resume_hint`).
        let (entry, types) = (
            names::hidden("__entry", span),
            names::hidden("__types", span),
        );
        let frame_var = &self.frame_var;
        let block_vars = (0..self.input.cfg.blocks.len())
            .filter(|&b| !self.inlined[b])
            .map(|b| {
                let var = self.block_var(b);
                if b == 0 {
                    quote!(let mut #var = #entry(#frame_var);)
                } else {
                    quote!(let mut #var = ::core::option::Option::None;)
                }
            });
        // One `Option` per suspension for the future and the values it
        // saves, from the block that suspends to the code that stores them
        // in the frame after all blocks.
        let suspend_vars: Vec<Ident> = (0..self.suspends.len())
            .map(|k| self.suspend_var(k))
            .collect();

        let start = self.input.params.iter().map(|(s, e)| {
            let f = self.field(*s);
            quote!(#f: #e)
        });
        let prelude = self.prelude();
        let stores = self.stores();
        let arms = (0..self.input.cfg.blocks.len()).map(|b| self.block(b));
        let output = match self.input.output {
            ReturnType::Type(_, ty) if annotatable(ty) => quote!(-> ::core::task::Poll<#ty>),
            ReturnType::Type(..) => quote!(),
            ReturnType::Default => quote!(-> ::core::task::Poll<()>),
        };
        let (jump, resume, dispatch) = (&self.jump, &self.resume_label, &self.dispatch_label);
        // The dispatch loops are the machine's, not the user's: spanned at
        // the attribute, so that borrow errors do not label the fn name as
        // "inside of this loop".
        let machine_loop = quote::quote_spanned!(Span::call_site()=> loop);
        // Every mention of `__Frame` (a path, a pattern) gives rustc fresh
        // inference variables for all of its parameters, each with its
        // obligations, pending until the variable is known; and every one
        // pending is visited again each time rustc selects obligations, which
        // it does all through the body. So the blocks (the user's code) never
        // mention the frame: a suspension leaves its values in its `__s`
        // local, and the code after the blocks, where every type is known
        // (`__types` ties them all to the frame at once), stores them in
        // the frame, polls, and moves the values of the resumption out.
        let step = quote_spanned! {span=>
            #(#block_vars)*
            #(let mut #suspend_vars = ::core::option::Option::None;)*
            let mut #jump: usize = usize::MAX;
            let __ret = #resume: #machine_loop {
                #dispatch: #machine_loop {
                    match #jump {
                        #(#arms)*
                        _ => break #dispatch,
                    }
                }
                #types(#frame_var, #(&#suspend_vars,)*);
                #stores
                #jump = #prelude;
            };
            *#frame_var = #frame::Done;
            ::core::task::Poll::Ready(__ret)
        };
        let machine = self.machine(
            quote_spanned!(span=> #frame::Start { #(#start,)* }),
            step,
            output,
            frame_generics.len(),
        );
        // The types of the entry block's values, and of every suspension's.
        let entry_types = self.live_in(0).iter().map(|&s| self.ty(s));
        let saved_types = self.suspends.iter().enumerate().map(|(k, &b)| {
            let fut = &future_params[k];
            let saved = self.saved(b).into_iter().map(|s| self.ty(s));
            quote!(&::core::option::Option<(#fut, (#(#saved,)*))>)
        });
        quote_spanned! {span=>
            #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
            enum #frame<#(#frame_generics),*> { #(#variants,)* Running, Done }
            #[allow(non_camel_case_types, clippy::type_complexity)]
            #[inline(always)]
            fn #entry<#(#frame_generics),*>(
                _: &#frame<#(#frame_generics),*>,
            ) -> ::core::option::Option<(#(#entry_types,)*)> {
                ::core::option::Option::None
            }
            #[allow(non_camel_case_types, clippy::type_complexity, clippy::too_many_arguments)]
            #[inline(always)]
            fn #types<#(#frame_generics),*>(
                _: &#frame<#(#frame_generics),*>,
                #(_: #saved_types,)*
            ) {}
            // No `unsafe` around the machine: the step closure holds the
            // user's code, which must need `unsafe` where it would in an
            // `async fn`. The unsafe operations (pinning the awaited future
            // in place, reaching a pinned local's slot) are blocks of their
            // own around the compiler's code only.
            #machine
        }
    }

    /// The local carrying suspension `k`'s future and saved values.
    fn suspend_var(&self, k: usize) -> Ident {
        names::numbered("__s", k, self.input.span)
    }

    /// The value of `__jump` after the block that suspends at `k`.
    fn suspend_code(&self, k: usize) -> usize {
        self.input.cfg.blocks.len() + k
    }

    /// Moves the future and values of the suspension just reached (if any)
    /// from its `__s` local into its variant of the frame.
    fn stores(&self) -> TokenStream {
        let span = self.input.span;
        let (frame, frame_var, jump) = (&self.frame, &self.frame_var, &self.jump);
        let p = quote_spanned!(span=> ::asyncio::coroutine);
        let arms = self.suspends.iter().enumerate().map(|(k, &b)| {
            let code = self.suspend_code(k);
            let var = self.suspend_var(k);
            let variant = format_ident!("S{}", k, span = Span::mixed_site());
            let saved = self.fields(self.saved(b));
            quote_spanned! {span=>
                #code => {
                    let (__fut, (#(#saved,)*)) = match #var.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *#frame_var = #frame::#variant { __fut: #p::AwaitSlot::new(__fut), #(#saved,)* };
                }
            }
        });
        quote_spanned! {span=>
            match #jump {
                #(#arms)*
                _ => {}
            }
        }
    }

    /// `Machine::new(start, step)`, or with pinned locals
    /// `PinMachine::new(start, slots, step)`, whose step first computes the
    /// raw pointer to each slot.
    fn machine(
        &self,
        start: TokenStream,
        body: TokenStream,
        output: TokenStream,
        generics: usize,
    ) -> TokenStream {
        let span = self.input.span;
        let (frame, frame_var, cx) = (&self.frame, &self.frame_var, &self.cx);
        let p = quote_spanned!(span=> ::asyncio::coroutine);
        let underscores = (0..generics).map(|_| quote!(_));
        let attrs = quote! {
            #[allow(
                unreachable_code,
                unused_mut,
                unused_braces,
                unused_unsafe,
                unknown_lints,
                // A field chain of a pinned local read through `Rc` or a
                // reference field (`&raw const (*v).rc.x`) derefs it there.
                dangerous_implicit_autorefs,
                clippy::let_unit_value,
                clippy::type_complexity,
                clippy::diverging_sub_expression,
                clippy::match_single_binding
            )]
        };
        if self.input.pinned.is_empty() {
            return quote_spanned! {span=>
                #p::Machine::new(
                    #start,
                    #attrs
                    |#frame_var: &mut #frame<#(#underscores),*>, #cx: &mut ::core::task::Context<'_>| #output {
                        #body
                    },
                )
            };
        }
        let locals = names::hidden("__locals", span);
        let kind = |l: &crate::stages::pin::PinnedLocal| match l.flagged {
            true => quote_spanned!(span=> #p::PinnedOrMoved),
            false => quote_spanned!(span=> #p::Pinned),
        };
        let slots = self.input.pinned.iter().map(|l| match &l.param {
            Some(value) => quote_spanned!(span=> #p::PinnedOrMoved::with(#value)),
            // SAFETY: the slot is dereferenced only after its `let` stored a
            // value (the shadow rejects a use of an unassigned local); a
            // `Pinned` is never moved out of and gets its guard right
            // after its `let`.
            None => {
                let kind = kind(l);
                quote_spanned!(span=> unsafe { #kind::new() })
            }
        });
        let slot_types = self.input.pinned.iter().map(|l| {
            let kind = kind(l);
            quote!(#kind<_>)
        });
        let pointers = self.input.pinned.iter().enumerate().map(|(k, l)| {
            let (ptr, k) = (&l.ptr, syn::Index::from(k));
            // SAFETY: `__locals` points to the slots of the pinned machine
            // being polled; this only computes a field's address.
            quote_spanned!(span=> let #ptr = unsafe { &raw mut (*#locals).#k };)
        });
        quote_spanned! {span=>
            #p::PinMachine::new(
                #start,
                (#(#slots,)*),
                #attrs
                |#frame_var: &mut #frame<#(#underscores),*>, #locals: *mut (#(#slot_types,)*), #cx: &mut ::core::task::Context<'_>| #output {
                    #(#pointers)*
                    #body
                },
            )
        }
    }

    fn typed_field(&self, slot: SlotId) -> TokenStream {
        let (f, t) = (self.field(slot), self.ty(slot));
        quote!(#f: #t)
    }

    /// The field names of `slots`: in a pattern they bind the values, in a
    /// struct expression (shorthand) they move them on.
    fn fields(&self, slots: impl IntoIterator<Item = SlotId>) -> Vec<Ident> {
        slots.into_iter().map(|s| self.field(s)).collect()
    }

    /// Resumes the frame: polls the awaited future, or starts the body; the
    /// value is the first block this `poll` runs.
    fn prelude(&self) -> TokenStream {
        let (frame, frame_var) = (&self.frame, &self.frame_var);
        let span = self.input.span;
        let entry_fields = self.fields(self.live_in(0).iter().copied());
        let entry_var = self.block_var(0);
        let suspends = self.suspends.iter().enumerate().map(|(k, &b)| {
            let Term::Suspend {
                resume,
                span: await_span,
                ..
            } = self.input.cfg.blocks[b].term
            else {
                unreachable!()
            };
            // The poll is spanned at its `.await`: an error about the
            // awaited type lands there, next to the one `into_future` gives.
            let cx = &self.cx;
            // Located at the await, resolved as the rest of the body: the
            // await may come from a `macro_rules!` with its own hygiene.
            let await_span = span.located_at(await_span);
            // `Future::poll` itself, so that awaiting a non-future is
            // reported in its terms, with no mention of the slot.
            // SAFETY (of the `unsafe` below): the step never moves an
            // `AwaitSlot` that holds a future: a slot is created in place in
            // the frame, and the frame is only moved out of (by
            // `mem::replace`) after the slot's poll returned `Ready`, which
            // empties it; the frame itself is pinned inside the `Machine`.
            let poll = quote_spanned!(await_span=> {
                let __polled = ::core::future::Future::poll(
                    unsafe { ::asyncio::coroutine::AwaitSlot::pinned(__fut) },
                    #cx,
                );
                if __polled.is_ready() {
                    ::asyncio::coroutine::AwaitSlot::clear(__fut);
                }
                __polled
            });
            let variant = format_ident!("S{}", k, span = Span::mixed_site());
            let saved = self.fields(self.saved(b));
            let (target, var) = (resume, self.block_var(resume));
            quote_spanned! {span=>
                #frame::#variant { __fut, .. } => {
                    // SAFETY: the frame is pinned inside the `Machine` and this
                    // slot stays where it is until `poll` has emptied it.
                    let __out = ::core::task::ready!(#poll);
                    match ::core::mem::replace(#frame_var, #frame::Running) {
                        #frame::#variant { #(#saved,)* .. } => {
                            #var = ::core::option::Option::Some(((#(#saved,)*), __out));
                            #target
                        }
                        _ => ::core::unreachable!(),
                    }
                }
            }
        });
        quote_spanned! {span=>
            match #frame_var {
                #(#suspends)*
                #frame::Start { .. } => match ::core::mem::replace(#frame_var, #frame::Running) {
                    #frame::Start { #(#entry_fields,)* .. } => {
                        #entry_var = ::core::option::Option::Some((#(#entry_fields,)*));
                        0
                    }
                    _ => ::core::unreachable!(),
                },
                #frame::Running => ::core::panic!("a `#[coroutine]` future was polled after it panicked"),
                #frame::Done => ::core::panic!("a `#[coroutine]` future was polled after it completed"),
            }
        }
    }

    /// The local carrying the values live at the start of block `b`.
    fn block_var(&self, b: BlockId) -> Ident {
        names::numbered("__b", b, self.input.span)
    }

    /// Jumps to `target`, moving the values live there into its local.
    fn goto(&self, target: BlockId) -> TokenStream {
        let (jump, dispatch) = (&self.jump, &self.dispatch_label);
        let var = self.block_var(target);
        let values = self.live_in(target).iter().map(|&s| self.slot_ident(s));
        quote_spanned! {self.input.span=> {
            #var = ::core::option::Option::Some((#(#values,)*));
            #jump = #target;
            continue #dispatch;
        }}
    }

    /// Completes the coroutine with `value`.
    ///
    /// The value is bound to a local of the declared output type, spanned
    /// at that type, so that a mismatch is reported on the returned
    /// expression, "expected due to" the signature, as for an `async fn`.
    fn ret(&self, value: TokenStream) -> TokenStream {
        let ty = match self.input.output {
            ReturnType::Type(_, ty) if annotatable(ty) => {
                let ty = respan(ty.to_token_stream(), syn::spanned::Spanned::span(ty));
                quote!(: #ty)
            }
            ReturnType::Default => quote!(: ()),
            ReturnType::Type(..) => quote!(),
        };
        let resume = &self.resume_label;
        quote_spanned! {self.input.span=> {
            #[allow(clippy::let_unit_value)]
            let __ret #ty = #value;
            break #resume __ret;
        }}
    }
}

/// Can the closure's return type be written as `Poll<ty>`? Not when it
/// contains `impl Trait` or elided lifetimes, whose meaning differs there.
pub fn annotatable(ty: &Type) -> bool {
    struct Check(bool);
    impl VisitMut for Check {
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {
            self.0 = false;
        }
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            if r.lifetime.is_none() {
                self.0 = false;
            }
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
        fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
            if l.ident == "_" {
                self.0 = false;
            }
        }
    }
    let mut check = Check(true);
    check.visit_type_mut(&mut ty.clone());
    check.0
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::annotatable;

    #[test]
    fn closure_output_is_annotated_only_when_it_means_the_same() {
        assert!(annotatable(&syn::parse_quote!(
            Result<Vec<u8>, std::io::Error>
        )));
        assert!(annotatable(&syn::parse_quote!(&'a str)));
        assert!(!annotatable(&syn::parse_quote!(&str)));
        assert!(!annotatable(&syn::parse_quote!(Box<dyn Fn() + '_>)));
        assert!(!annotatable(&syn::parse_quote!(impl Iterator<Item = u8>)));
    }
}
