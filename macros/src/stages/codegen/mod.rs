//! Stage 6: code generation.
//!
//! The coroutine becomes a plain fn returning `impl Future`, whose body
//! defines an enum and builds an `asyncio::coroutine::Machine`:
//!
//! - `__Frame`, the future's state: `Start` holds the arguments, `S{k}`
//!   holds the values live at suspension point `k` plus the future being
//!   awaited there (variants overlap, as in rustc's own layout), `Running`
//!   is the state while a step runs (and after a panic), `Done` after the end.
//! - `__b{n}`, one local `Option` per block: a jump to block `n` within one
//!   `poll` moves the values live there into it, as a tuple; `__s{k}`, one
//!   per suspension: the block that suspends at `k` leaves the future and
//!   the values saved there in it.
//!
//! The enum is generic in every field type and the locals are untyped, so
//! rustc infers all of them from the generated code, including inside
//! generic fns whose parameters a nested item could not name. Blocks are
//! emitted in reverse postorder so a type is always known before code reads
//! it: the entry block's values are typed from the arguments (the step
//! closure's third argument, see `asyncio::coroutine::step`), a
//! resumption's by its suspension (`asyncio::coroutine::resume_hint`).
//!
//! Each block becomes one `match` arm that reopens the scopes it starts in,
//! restoring its live values into ordinary `let` bindings with the user's own
//! names, runs the user's code unchanged, and ends by moving the values live
//! at its successor into the next block's local, or into its suspension's
//! local, leaving the dispatch loop. After the loop, the step calls
//! `__Frame::__resume` (generic over the frame's parameters), which stores
//! the suspension in its variant, polls, and moves the values of the
//! resumption into its block's local. The step closure never names the
//! frame before that call: each mention of a generic enum costs rustc fresh
//! inference variables for all of its parameters, pending until known (see
//! the crate docs, "Compile time").

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
        let (entry, entry_values) = (
            names::hidden("__entry", span),
            names::hidden("__entry_values", span),
        );
        let frame_var = &self.frame_var;
        let block_vars = (0..self.input.cfg.blocks.len())
            .filter(|&b| !self.inlined[b])
            .map(|b| {
                let var = self.block_var(b);
                if b == 0 {
                    quote!(let mut #var = #entry_values;)
                } else {
                    quote!(let mut #var = ::core::option::Option::None;)
                }
            });
        // One `Option` per suspension for the future and the values it
        // saves, from the block that suspends to `__resume`, which stores
        // them in the frame.
        let suspend_vars: Vec<Ident> = (0..self.suspends.len())
            .map(|k| self.suspend_var(k))
            .collect();

        let start = self.input.params.iter().map(|(s, e)| {
            let f = self.field(*s);
            quote!(#f: #e)
        });
        let (resume_fn, resume_call) = self.resume(&future_params);
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
        // Every mention of `__Frame` in the step closure (a variant path, a
        // pattern) gives rustc fresh inference variables for all of the
        // frame's parameters, each with obligations pending until the
        // variable is known, and every pending obligation is visited again
        // each time rustc selects obligations, which it does all through
        // the body. So the blocks (the user's code) never mention the frame:
        // a suspension leaves its values in its `__s` local and leaves the
        // dispatch loop; `__resume`, generic over the frame's parameters
        // (so its mentions of `Self` infer nothing), stores them in the
        // frame, polls, and moves the values of the resumption out. The
        // closure calls it once, after all blocks, where every type is known.
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
                #jump = ::core::task::ready!(#resume_call);
            };
            *#frame_var = #frame::Done;
            ::core::task::Poll::Ready(__ret)
        };
        let machine = |entry_type| {
            self.machine(
                quote_spanned!(span=> #frame::Start { #(#start,)* }),
                entry_type,
                step,
                output,
            )
        };
        let entry_params: Vec<Ident> = (0..self.live_in(0).len())
            .map(|i| names::numbered("P", i, Span::mixed_site()))
            .collect();
        let entry_args = self.live_in(0).iter().map(|&s| {
            let (_, e) = self
                .input
                .params
                .iter()
                .find(|(p, _)| *p == s)
                .expect("entry values are arguments");
            quote!(&#e)
        });
        let entry_type = quote_spanned!(span=> #entry(#(#entry_args),*));
        let machine = machine(entry_type);
        quote_spanned! {span=>
            #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
            enum #frame<#(#frame_generics),*> { #(#variants,)* Running, Done }
            #[allow(non_camel_case_types)]
            impl<#(#frame_generics),*> #frame<#(#frame_generics),*> {
                #resume_fn
            }
            // The type of the entry block's values, taken from the arguments
            // before they move into the frame (see `machine`).
            #[allow(non_camel_case_types, clippy::type_complexity)]
            #[inline(always)]
            fn #entry<#(#entry_params),*>(#(_: &#entry_params),*) -> ::core::marker::PhantomData<fn() -> (#(#entry_params,)*)> {
                ::core::marker::PhantomData
            }

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

    /// `Machine::new(start, step)`, or with pinned locals
    /// `PinMachine::new(start, slots, step)`, whose step first computes the
    /// raw pointer to each slot.
    fn machine(
        &self,
        start: TokenStream,
        entry_type: TokenStream,
        body: TokenStream,
        output: TokenStream,
    ) -> TokenStream {
        let span = self.input.span;
        let (frame_var, cx) = (&self.frame_var, &self.cx);
        let p = quote_spanned!(span=> ::asyncio::coroutine);
        let step = names::hidden("__step", span);
        let entry_values = names::hidden("__entry_values", span);
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
        // The step closure is type-checked before the frame's type is
        // instantiated (by `start`), so that the frame's parameters are not
        // inference variables pending all through the user's code: its
        // `__frame` is `&mut _` (one variable) until the call to `__resume`
        // after the blocks. `step` gives it the type of the entry block's
        // values, from the arguments (see `asyncio::coroutine::step`).
        if self.input.pinned.is_empty() {
            return quote_spanned! {span=>
                #attrs
                let #step = #p::step(
                    #entry_type,
                    |#frame_var: &mut _, #cx: &mut ::core::task::Context<'_>, #entry_values| #output {
                        #body
                    },
                );
                #p::Machine::new(#start, #step)
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
        // The slots are made first, so that the step knows their types (a
        // pinned argument's is known there).
        let (slots_var, type_of) = (
            names::hidden("__slots", span),
            names::hidden("__type_of", span),
        );
        quote_spanned! {span=>
            let #slots_var = (#(#slots,)*);
            #[inline(always)]
            fn #type_of<T>(_: &T) -> ::core::marker::PhantomData<fn() -> T> {
                ::core::marker::PhantomData
            }
            #attrs
            let #step = #p::pinned_step(
                #entry_type,
                #type_of(&#slots_var),
                |#frame_var: &mut _, #locals: *mut (#(#slot_types,)*), #cx: &mut ::core::task::Context<'_>, #entry_values| #output {
                    #(#pointers)*
                    #body
                },
            );
            #p::PinMachine::new(#start, #slots_var, #step)
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

    /// `__Frame::__resume`, run after the blocks on every turn of the step:
    /// stores the suspension just reached (if any) in the frame, then
    /// resumes the frame: polls the awaited future (returning `Pending` if
    /// it is), or starts the body; the value is the next block to run, its
    /// values moved into its local. Also the call to it from the step.
    ///
    /// Generic over the frame's parameters, it names the frame as `Self`,
    /// so that its mentions of the frame give rustc nothing to infer. The
    /// futures are polled through `Future::poll` passed in from the step,
    /// located at their `.await`s: awaiting a non-future is reported there
    /// (once, with `into_future`'s error), not on a bound of this fn.
    fn resume(&self, future_params: &[Ident]) -> (TokenStream, TokenStream) {
        let span = self.input.span;
        let (frame, frame_var, jump, cx) = (&self.frame, &self.frame_var, &self.jump, &self.cx);
        let p = quote_spanned!(span=> ::asyncio::coroutine);
        let resume = names::hidden("__resume", span);
        let entry_var = self.block_var(0);
        let entry_fields = self.fields(self.live_in(0).iter().copied());
        let entry_types: Vec<_> = self.live_in(0).iter().map(|&s| self.ty(s)).collect();
        let (mut params, mut args) = (Vec::new(), Vec::new());
        params.push(quote!(#entry_var: &mut ::core::option::Option<(#(#entry_types,)*)>));
        args.push(quote!(&mut #entry_var));
        let (mut outputs, mut stores, mut polls) = (Vec::new(), Vec::new(), Vec::new());
        let (mut stashes, mut takes) = (Vec::new(), Vec::new());
        for (k, &b) in self.suspends.iter().enumerate() {
            let Term::Suspend {
                resume,
                span: await_span,
                ..
            } = self.input.cfg.blocks[b].term
            else {
                unreachable!()
            };
            let fut = &future_params[k];
            let out = format_ident!("O{}", k, span = Span::mixed_site());
            let (var, code) = (self.suspend_var(k), self.suspend_code(k));
            let (resumed, poll) = (self.block_var(resume), names::numbered("__poll", k, span));
            let saved = self.fields(self.saved(b));
            let saved_types: Vec<_> = self.saved(b).into_iter().map(|s| self.ty(s)).collect();
            params.push(quote!(#var: &mut ::core::option::Option<(#fut, (#(#saved_types,)*))>));
            params.push(quote!(
                #resumed: &mut ::core::option::Option<((#(#saved_types,)*), #out)>
            ));
            params.push(quote!(
                #poll: fn(::core::pin::Pin<&mut #fut>, &mut ::core::task::Context<'_>) -> ::core::task::Poll<#out>
            ));
            // `Future::poll` itself, located at the await, resolved as the
            // rest of the body (the await may come from a `macro_rules!`).
            let future_poll =
                quote_spanned!(span.located_at(await_span)=> ::core::future::Future::poll);
            args.push(quote!(&mut #var));
            args.push(quote!(&mut #resumed));
            args.push(future_poll);
            outputs.push(out.clone());
            let variant = format_ident!("S{}", k, span = Span::mixed_site());
            stores.push(quote_spanned! {span=>
                #code => {
                    let (__fut, (#(#saved,)*)) = match #var.take() {
                        ::core::option::Option::Some(values) => values,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *#frame_var = Self::#variant { __fut: #p::AwaitSlot::new(__fut), #(#saved,)* };
                }
            });
            // The output waits in `__o{k}` while the frame is borrowed, then
            // goes to the resumption with the saved values.
            let stash = names::numbered("__o", k, span);
            stashes.push(quote!(let mut #stash: ::core::option::Option<#out> = ::core::option::Option::None;));
            // SAFETY (of the `unsafe` below): the step never moves an
            // `AwaitSlot` that holds a future: a slot is created in place in
            // the frame, and the frame is only moved out of (by
            // `mem::replace`) after the slot's poll returned `Ready`, which
            // empties it; the frame itself is pinned inside the `Machine`.
            polls.push(quote_spanned! {span=>
                Self::#variant { __fut, .. } => {
                    let __polled = #poll(unsafe { #p::AwaitSlot::pinned(__fut) }, #cx);
                    if __polled.is_ready() {
                        #p::AwaitSlot::clear(__fut);
                    }
                    #stash = ::core::option::Option::Some(::core::task::ready!(__polled));
                }
            });
            takes.push(quote_spanned! {span=>
                Self::#variant { #(#saved,)* .. } => {
                    let __out = match #stash {
                        ::core::option::Option::Some(out) => out,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    *#resumed = ::core::option::Option::Some(((#(#saved,)*), __out));
                    #resume
                }
            });
        }
        let function = quote_spanned! {span=>
            #[allow(clippy::too_many_arguments, clippy::type_complexity)]
            #[inline]
            fn #resume<#(#outputs),*>(
                #frame_var: &mut Self,
                #jump: usize,
                #(#params,)*
                #cx: &mut ::core::task::Context<'_>,
            ) -> ::core::task::Poll<usize> {
                match #jump {
                    #(#stores)*
                    _ => {}
                }
                // Polls in place; then one move out of the frame for all
                // variants (a borrow of the whole frame costs rustc a check
                // per parameter, so there is one, not one per suspension).
                #(#stashes)*
                match #frame_var {
                    #(#polls)*
                    Self::Start { .. } => {}
                    Self::Running => ::core::panic!("a `#[coroutine]` future was polled after it panicked"),
                    Self::Done => ::core::panic!("a `#[coroutine]` future was polled after it completed"),
                }
                ::core::task::Poll::Ready(match ::core::mem::replace(#frame_var, Self::Running) {
                    #(#takes)*
                    Self::Start { #(#entry_fields,)* .. } => {
                        *#entry_var = ::core::option::Option::Some((#(#entry_fields,)*));
                        0
                    }
                    _ => ::core::unreachable!(),
                })
            }
        };
        let call = quote_spanned! {span=>
            #frame::#resume(#frame_var, #jump, #(#args,)* #cx)
        };
        (function, call)
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
