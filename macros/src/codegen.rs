//! Stage 6: code generation.
//!
//! The coroutine becomes a plain fn returning `impl Future`, whose body
//! defines two enums and builds an `asyncio::__private::Machine`:
//!
//! - `__Frame`, the future's state: `Start` holds the arguments, `S{k}`
//!   holds the values live at suspension point `k` plus the future being
//!   awaited there (variants overlap, as in rustc's own layout), `Running`
//!   is the state while a step runs (and after a panic), `Done` after the end.
//! - `__Goto`, a jump between blocks within one `poll`: `B{n}` carries the
//!   values live at the start of block `n`. It is a local, never stored.
//!
//! Both enums are generic in every field type, so rustc infers all of them
//! from the generated code, including inside generic fns whose parameters a
//! nested item could not name. Blocks are emitted in reverse postorder so a
//! field's type is always known before code reads it.
//!
//! Each block becomes one `match` arm that reopens the scopes it starts in,
//! restoring its live values into ordinary `let` bindings with the user's own
//! names, runs the user's code unchanged, and ends by moving the values live
//! at its successor into the next `__Goto` or `__Frame` variant.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{Expr, ReturnType, Stmt, Type};

use crate::cfg::{BlockId, Cfg, LoopCtx, Op, Term};
use crate::exits::{self, Exit};
use crate::ir::SlotId;
use crate::liveness::{Liveness, Slots};
use crate::names;
use crate::resolve::Resolution;

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
    /// Branch blocks emitted inside their `if`/`match` (see `branch`).
    inlined: Vec<bool>,
    frame: Ident,
    goto: Ident,
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
        for (b, block) in input.cfg.blocks.iter().enumerate() {
            if let Term::Suspend { .. } = block.term {
                suspend_id[b] = Some(suspends.len());
                suspends.push(b);
            }
        }
        let inlined = inlinable(input.cfg);
        let label = |name: &str| syn::Lifetime {
            apostrophe: span,
            ident: names::hidden(name, span),
        };
        Gen {
            input,
            suspend_id,
            suspends,
            inlined,
            frame: names::hidden("__Frame", span),
            goto: names::hidden("__Goto", span),
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

    /// The hygienic name of a slot's field in `__Frame` and `__Goto`.
    fn field(&self, slot: SlotId) -> Ident {
        let name = self.slot_ident(slot).to_string();
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
        let (frame, goto, frame_var, cx) = (&self.frame, &self.goto, &self.frame_var, &self.cx);
        let p = quote_spanned!(span=> ::asyncio::__private);

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
        let underscores = frame_generics.iter().map(|_| quote!(_));

        // enum __Goto
        let mut goto_params = BTreeSet::new();
        let goto_variants: Vec<_> = (0..self.input.cfg.blocks.len())
            .filter(|&b| !self.inlined[b])
            .map(|b| {
                goto_params.extend(self.live_in(b));
                let fields = self.live_in(b).iter().map(|s| self.typed_field(*s));
                let variant = self.block_variant(b);
                quote!(#variant { #(#fields,)* })
            })
            .collect();
        let goto_generics: Vec<Ident> = goto_params.iter().map(|s| self.ty(*s)).collect();

        let start = self.input.params.iter().map(|(s, e)| {
            let f = self.field(*s);
            quote!(#f: #e)
        });
        let prelude = self.prelude();
        let arms = (0..self.input.cfg.blocks.len()).map(|b| self.block(b));
        let output = match self.input.output {
            ReturnType::Type(_, ty) if annotatable(ty) => quote!(-> ::core::task::Poll<#ty>),
            ReturnType::Type(..) => quote!(),
            ReturnType::Default => quote!(-> ::core::task::Poll<()>),
        };
        let (jump, resume, dispatch) = (&self.jump, &self.resume_label, &self.dispatch_label);
        quote_spanned! {span=>
            #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
            enum #frame<#(#frame_generics),*> { #(#variants,)* Running, Done }
            #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
            enum #goto<#(#goto_generics),*> { #(#goto_variants,)* }
            // SAFETY: the step closure below never moves an `AwaitSlot` that
            // holds a future: a slot is created in place in the frame, and the
            // frame is only moved out of (by `mem::replace`) after the slot's
            // `poll` returned `Ready`, which empties it.
            #[allow(unused_unsafe)]
            unsafe {
                #p::Machine::new(
                    #frame::Start { #(#start,)* },
                    #[allow(unreachable_code, unused_mut, unused_braces)]
                    |#frame_var: &mut #frame<#(#underscores),*>, #cx: &mut ::core::task::Context<'_>| #output {
                        #resume: loop {
                            let mut #jump = #prelude;
                            #dispatch: loop {
                                match #jump {
                                    #(#arms)*
                                }
                            }
                        }
                    },
                )
            }
        }
    }

    fn typed_field(&self, slot: SlotId) -> TokenStream {
        let (f, t) = (self.field(slot), self.ty(slot));
        quote!(#f: #t)
    }

    fn block_variant(&self, b: BlockId) -> Ident {
        format_ident!("B{}", b, span = Span::mixed_site())
    }

    /// The field names of `slots`: in a pattern they bind the values, in a
    /// struct expression (shorthand) they move them on.
    fn fields(&self, slots: impl IntoIterator<Item = SlotId>) -> Vec<Ident> {
        slots.into_iter().map(|s| self.field(s)).collect()
    }

    /// Resumes the frame: polls the awaited future, or starts the body; the
    /// value is the first `__Goto` of this `poll`.
    fn prelude(&self) -> TokenStream {
        let (frame, goto, frame_var, cx) = (&self.frame, &self.goto, &self.frame_var, &self.cx);
        let span = self.input.span;
        let p = quote_spanned!(span=> ::asyncio::__private);
        let entry_fields = self.fields(self.live_in(0).iter().copied());
        let entry = self.block_variant(0);
        let suspends = self.suspends.iter().enumerate().map(|(k, &b)| {
            let Term::Suspend { resume, .. } = self.input.cfg.blocks[b].term else { unreachable!() };
            let out = self.input.cfg.blocks[resume].resumes.expect("resume block");
            let variant = format_ident!("S{}", k, span = Span::mixed_site());
            let saved = self.fields(self.saved(b));
            let out_field = self.field(out);
            let target = self.block_variant(resume);
            quote_spanned! {span=>
                #frame::#variant { __fut, .. } => {
                    // SAFETY: the frame is pinned inside the `Machine` and this
                    // slot stays where it is until `poll` has emptied it.
                    #[allow(clippy::let_unit_value)]
                    let __out = match unsafe { #p::AwaitSlot::poll(__fut, #cx) } {
                        ::core::task::Poll::Ready(__out) => __out,
                        ::core::task::Poll::Pending => return ::core::task::Poll::Pending,
                    };
                    match ::core::mem::replace(#frame_var, #frame::Running) {
                        #frame::#variant { #(#saved,)* .. } => #goto::#target { #(#saved,)* #out_field: __out },
                        _ => ::core::unreachable!(),
                    }
                }
            }
        });
        quote_spanned! {span=>
            match #frame_var {
                #(#suspends)*
                #frame::Start { .. } => match ::core::mem::replace(#frame_var, #frame::Running) {
                    #frame::Start { #(#entry_fields,)* .. } => #goto::#entry { #(#entry_fields,)* },
                    _ => ::core::unreachable!(),
                },
                #frame::Running => ::core::panic!("a `#[coroutine]` future was polled after it panicked"),
                #frame::Done => ::core::panic!("a `#[coroutine]` future was polled after it completed"),
            }
        }
    }

    /// The `__Goto` assignment and jump to `target`, saving its live values.
    fn goto(&self, target: BlockId) -> TokenStream {
        let (goto, jump, dispatch) = (&self.goto, &self.jump, &self.dispatch_label);
        let variant = self.block_variant(target);
        let fields = self.live_in(target).iter().map(|&s| {
            let (f, x) = (self.field(s), self.slot_ident(s));
            quote!(#f: #x)
        });
        quote_spanned! {self.input.span=> {
            #jump = #goto::#variant { #(#fields,)* };
            continue #dispatch;
        }}
    }

    /// Completes the coroutine with `value`.
    fn ret(&self, value: TokenStream) -> TokenStream {
        let (frame, frame_var) = (&self.frame, &self.frame_var);
        quote_spanned! {self.input.span=> {
            #[allow(clippy::let_unit_value)]
            let __ret = #value;
            *#frame_var = #frame::Done;
            return ::core::task::Poll::Ready(__ret);
        }}
    }

    /// The block and the branch blocks inlined into it, transitively.
    fn group(&self, b: BlockId) -> Vec<BlockId> {
        let mut group = vec![b];
        let mut i = 0;
        while i < group.len() {
            let term = &self.input.cfg.blocks[group[i]].term;
            group.extend(term.successors().into_iter().filter(|&t| self.inlined[t]));
            i += 1;
        }
        group
    }

    fn block(&self, b: BlockId) -> TokenStream {
        if self.inlined[b] {
            return quote!(); // emitted inside its predecessor's `if`/`match`
        }
        let block = &self.input.cfg.blocks[b];
        let res = self.input.resolution;
        let live_in = self.live_in(b);
        let variant = self.block_variant(b);
        let goto = &self.goto;
        let taken = self.fields(live_in.iter().copied());
        let group = self.group(b);
        let ops = || group.iter().flat_map(|&g| &self.input.cfg.blocks[g].ops);

        // Slots declared by this arm itself, and slots it assigns.
        let mut declared: BTreeSet<SlotId> = BTreeSet::new();
        let mut assigned: BTreeSet<SlotId> = BTreeSet::new();
        for op in ops() {
            match op {
                Op::Let { defs, .. } => declared.extend(defs),
                Op::Code {
                    stmt: Stmt::Local(_),
                    defs,
                    ..
                } => declared.extend(defs),
                Op::Code { defs, writes, .. } => {
                    assigned.extend(defs);
                    assigned.extend(writes);
                }
                _ => {}
            }
            // `break value` assigns its loop's result on the way out.
            if let Op::Code { exits, .. } | Op::Let { exits, .. } = op {
                assigned.extend(exits.iter().filter_map(|(_, s)| *s));
            }
        }
        for &g in &group {
            if let Term::If {
                then_defs: defs, ..
            } = &self.input.cfg.blocks[g].term
            {
                declared.extend(defs);
            }
            if let Term::Match { arms, .. } = &self.input.cfg.blocks[g].term {
                arms.iter().for_each(|a| declared.extend(&a.defs));
            }
        }

        // Slots this arm mentions at all: a `let x;` for anything else is
        // left out (it would be a fresh, never-inferred variable here).
        let mut mentioned: BTreeSet<SlotId> = assigned.clone();
        for op in ops() {
            match op {
                Op::Code { uses, exits, .. } => {
                    mentioned.extend(uses);
                    exits
                        .iter()
                        .for_each(|(e, _)| mentioned.extend(self.live_in(*e)));
                }
                Op::Let {
                    uses,
                    diverge,
                    exits,
                    ..
                } => {
                    mentioned.extend(uses);
                    diverge
                        .iter()
                        .for_each(|d| mentioned.extend(self.live_in(*d)));
                    exits
                        .iter()
                        .for_each(|(e, _)| mentioned.extend(self.live_in(*e)));
                }
                _ => {}
            }
        }
        for &g in &group {
            let term = &self.input.cfg.blocks[g].term;
            mentioned.extend(crate::liveness::before_term(
                term,
                &self.input.liveness.live_in,
                self.input.cfg,
            ));
        }

        let mut out = Emitter::default();
        for &scope in &block.entry {
            let mut restores = Vec::new();
            for &s in &res.scopes[scope].slots {
                let slot = &res.slots[s];
                let (x, f) = (&slot.ident, self.field(s));
                let m = slot.mutable.then(|| quote!(mut));
                if live_in.contains(&s) {
                    restores
                        .push(quote!(#[allow(unused_mut, clippy::let_unit_value)] let #m #x = #f;));
                } else if assigned.contains(&s) && !declared.contains(&s) {
                    let ty = slot.ty.as_ref().map(|t| quote!(: #t));
                    restores.push(quote!(#[allow(unused_mut)] let #m #x #ty;));
                }
            }
            let unsafe_ = res.scopes[scope].unsafe_;
            // Braces are needed where values must drop when the scope closes
            // inside this block; otherwise the arm's own end drops them.
            let closed_here = block
                .ops
                .iter()
                .any(|op| matches!(op, Op::Close { scope: s } if *s == scope));
            out.open(
                scope,
                unsafe_,
                !restores.is_empty() || unsafe_ || closed_here,
            );
            out.extend(restores);
        }
        self.emit(b, &mut out, &mentioned);
        let body = out.finish();
        quote! {
            #goto::#variant { #(#taken,)* } => { #body }
        }
    }

    /// The ops and terminator of block `b` into `out`.
    fn emit(&self, b: BlockId, out: &mut Emitter, mentioned: &BTreeSet<SlotId>) {
        for op in &self.input.cfg.blocks[b].ops {
            match op {
                Op::Open { scope, unsafe_ } => out.open(*scope, *unsafe_, true),
                Op::Close { scope } => out.close(*scope),
                // A `let x;` whose variable this arm never touches is left
                // to the arm that assigns it (it declares `x` itself).
                Op::Code {
                    stmt: Stmt::Local(l),
                    defs,
                    ..
                } if l.init.is_none() && !defs.iter().any(|d| mentioned.contains(d)) => {}
                Op::Code { stmt, loops, .. } => out.push(self.code(stmt.clone(), loops)),
                Op::Let {
                    init: None, defs, ..
                } if !defs.iter().any(|d| mentioned.contains(d)) => {}
                Op::Let {
                    attrs,
                    pat,
                    init,
                    diverge,
                    loops,
                    ..
                } => {
                    let init = init.as_ref().map(|e| {
                        let e = self.expr(e.clone(), loops);
                        quote!(= #e)
                    });
                    let diverge = diverge.map(|d| {
                        let jump = self.goto(d);
                        quote!(else #jump)
                    });
                    out.push(quote!(#(#attrs)* let #pat #init #diverge;));
                }
            }
        }
        out.push(self.term(b, mentioned));
    }

    /// Where an `if`/`match` branch goes: the branch block itself, inlined,
    /// when this is its only way in; else a jump to it.
    fn branch(&self, to: BlockId, mentioned: &BTreeSet<SlotId>) -> TokenStream {
        if !self.inlined[to] {
            return self.goto(to);
        }
        let mut out = Emitter::default();
        for &scope in &self.input.cfg.blocks[to].entry {
            out.open(scope, false, false); // already open, values in place
        }
        self.emit(to, &mut out, mentioned);
        let body = out.finish();
        quote!({ #body })
    }

    fn term(&self, b: BlockId, mentioned: &BTreeSet<SlotId>) -> TokenStream {
        let loops = &self.input.cfg.blocks[b].loops;
        match &self.input.cfg.blocks[b].term {
            Term::Pending | Term::Diverged => quote!(),
            Term::Goto(t) => self.goto(*t),
            Term::Suspend { future, span, .. } => {
                let k = self.suspend_id[b].expect("numbered");
                let variant = format_ident!("S{}", k, span = Span::mixed_site());
                let (frame, frame_var, resume) = (&self.frame, &self.frame_var, &self.resume_label);
                let fields = self.saved(b).into_iter().map(|s| {
                    let (f, x) = (self.field(s), self.slot_ident(s));
                    quote!(#f: #x)
                });
                let p = quote_spanned!(*span=> ::asyncio::__private);
                let future = self.expr(future.clone(), loops);
                let fut = quote_spanned!(*span=>
                    #p::AwaitSlot::new(#p::IntoFuture::into_future(#future)));
                quote_spanned! {*span=> {
                    *#frame_var = #frame::#variant { __fut: #fut, #(#fields,)* };
                    continue #resume;
                }}
            }
            Term::If {
                cond, then, else_, ..
            } => {
                let (t, e) = (
                    self.branch(*then, mentioned),
                    self.branch(*else_, mentioned),
                );
                let cond = self.expr(cond.clone(), loops);
                quote!(if #cond #t else #e)
            }
            Term::Match {
                scrutinee, arms, ..
            } => {
                let arms = arms.iter().map(|arm| {
                    let pat = &arm.pat;
                    let guard = arm.guard.as_ref().map(|g| {
                        let g = self.expr(g.clone(), loops);
                        quote!(if #g)
                    });
                    let jump = self.branch(arm.to, mentioned);
                    quote!(#pat #guard => #jump)
                });
                let scrutinee = self.expr(scrutinee.clone(), loops);
                quote!(match #scrutinee { #(#arms)* })
            }
        }
    }

    /// Plain code, with its exits turned into jumps and completions.
    fn code(&self, mut stmt: Stmt, loops: &[LoopCtx]) -> TokenStream {
        exits::rewrite(&mut stmt, loops, &mut |exit| Some(self.exit(exit)));
        quote!(#stmt)
    }

    /// [`Self::code`] for an expression.
    fn expr(&self, mut expr: Expr, loops: &[LoopCtx]) -> TokenStream {
        exits::rewrite_expr(&mut expr, loops, &mut |exit| Some(self.exit(exit)));
        quote!(#expr)
    }

    /// The code replacing one exit.
    fn exit(&self, exit: Exit<'_>) -> Expr {
        let p = quote_spanned!(self.input.span=> ::asyncio::__private);
        {
            let tokens = match exit {
                Exit::Break { to, value } => {
                    let jump = self.goto(to.break_to);
                    match (value, &to.result) {
                        (Some(v), Some((t, _))) => quote!({ #t = #v; #jump }),
                        (Some(v), None) => quote!({ let _ = #v; #jump }),
                        (None, _) => jump,
                    }
                }
                Exit::Continue { to } => {
                    self.goto(to.continue_to.expect("continue targets a loop"))
                }
                Exit::Return { value } => {
                    let value = value.map_or_else(|| quote!(()), |v| quote!(#v));
                    self.ret(value)
                }
                Exit::Try { expr } => {
                    let span = syn::spanned::Spanned::span(&expr);
                    let residual = self
                        .ret(quote_spanned!(span=> #p::FromResidual::from_residual(__residual)));
                    quote_spanned! {span=>
                        match #p::Try::branch(#expr) {
                            #p::ControlFlow::Continue(__value) => __value,
                            #p::ControlFlow::Break(__residual) => #residual,
                        }
                    }
                }
            };
            Expr::Verbatim(tokens)
        }
    }
}

/// The branch blocks of an `if`/`match` that can be emitted inside it: their
/// only way in is that branch, they do not resume an await, and they close
/// no scope but their own (code after such a close would run with the
/// enclosing arm's values not yet dropped). Keeping a branch inline keeps
/// the values its pattern borrows from the scrutinee in place.
fn inlinable(cfg: &Cfg) -> Vec<bool> {
    let n = cfg.blocks.len();
    let mut preds = vec![0usize; n];
    preds[0] = 1;
    for block in &cfg.blocks {
        for s in block.successors() {
            preds[s] += 1;
        }
    }
    let mut inlined = vec![false; n];
    for block in &cfg.blocks {
        let targets = match &block.term {
            Term::If { then, else_, .. } => vec![*then, *else_],
            Term::Match { arms, .. } => arms.iter().map(|a| a.to).collect(),
            _ => continue,
        };
        let outer = block.end_chain();
        for t in targets {
            let target = &cfg.blocks[t];
            // Entered with exactly one more scope open: the branch's own.
            let own_scope =
                target.entry.len() == outer.len() + 1 && target.entry.starts_with(&outer);
            let closes_outer = target
                .ops
                .iter()
                .any(|op| matches!(op, Op::Close { scope } if outer.contains(scope)));
            inlined[t] = preds[t] == 1 && target.resumes.is_none() && own_scope && !closes_outer;
        }
    }
    inlined
}

/// Can the closure's return type be written as `Poll<ty>`? Not when it
/// contains `impl Trait` or elided lifetimes, whose meaning differs there.
fn annotatable(ty: &Type) -> bool {
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

/// Builds nested braces from a flat sequence of scope opens and closes.
/// Reopened scopes with nothing to restore are "virtual": no braces.
#[derive(Default)]
struct Emitter {
    /// Open levels: (scope, braces?, unsafe?, contents).
    stack: Vec<(Option<usize>, bool, bool, TokenStream)>,
    root: TokenStream,
}

impl Emitter {
    fn open(&mut self, scope: usize, unsafe_: bool, braced: bool) {
        self.stack
            .push((Some(scope), braced, unsafe_, TokenStream::new()));
    }

    fn close(&mut self, scope: usize) {
        if let Some(level) = self.stack.iter().rposition(|(s, ..)| *s == Some(scope)) {
            while self.stack.len() > level {
                self.pop();
            }
        }
    }

    fn pop(&mut self) {
        let (_, braced, unsafe_, body) = self.stack.pop().expect("open level");
        let tokens = match (braced, unsafe_) {
            (true, true) => quote!(unsafe { #body }),
            (true, false) => quote!({ #body }),
            (false, _) => body,
        };
        self.push(tokens);
    }

    fn push(&mut self, tokens: TokenStream) {
        match self.stack.last_mut() {
            Some((.., body)) => body.extend(tokens),
            None => self.root.extend(tokens),
        }
    }

    fn extend(&mut self, items: Vec<TokenStream>) {
        for tokens in items {
            self.push(tokens);
        }
    }

    fn finish(mut self) -> TokenStream {
        while !self.stack.is_empty() {
            self.pop();
        }
        self.root
    }
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
