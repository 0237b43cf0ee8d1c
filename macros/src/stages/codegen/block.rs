//! One `match` arm per block: reopening scopes, the user's code with its
//! exits rewritten, and the jump, suspension or completion that ends it.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::{Expr, Stmt};

use super::Gen;
use super::emitter::Emitter;
use crate::exits::{self, Exit};
use crate::ir::SlotId;
use crate::ir::graph::{BlockId, LoopCtx, Op, Term};

impl Gen<'_> {
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

    pub(super) fn block(&self, b: BlockId) -> TokenStream {
        if self.inlined[b] {
            return quote!(); // emitted inside its predecessor's `if`/`match`
        }
        let block = &self.input.cfg.blocks[b];
        let res = self.input.resolution;
        let live_in = self.live_in(b);
        let var = self.block_var(b);
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
            mentioned.extend(crate::stages::liveness::before_term(
                term,
                &self.input.liveness.live_in,
                self.input.cfg,
            ));
        }

        // Await results this arm consumes: read from their field in place.
        let mut direct: BTreeSet<SlotId> = BTreeSet::new();
        for op in ops() {
            if let Op::Code { uses, .. } | Op::Let { uses, .. } = op {
                direct.extend(uses);
            }
        }
        for &g in &group {
            direct.extend(term_uses(&self.input.cfg.blocks[g].term));
        }
        let await_result = |s: SlotId| self.input.cfg.blocks.iter().any(|b| b.resumes == Some(s));
        let consumed =
            |s: SlotId| await_result(s) && res.slots[s].reads == 1 && direct.contains(&s);
        self.subst.borrow_mut().temps = live_in
            .iter()
            .filter(|&&s| consumed(s))
            .map(|&s| (res.slots[s].ident.to_string(), self.field(s)))
            .collect();

        let mut out = Emitter::default();
        for &scope in &block.entry {
            let mut restores = Vec::new();
            for &s in &res.scopes[scope].slots {
                let slot = &res.slots[s];
                let (x, f) = (&slot.ident, self.field(s));
                let m = slot.mutable.then(|| quote!(mut));
                if live_in.contains(&s) && consumed(s) {
                    // read in place, see `subst`
                } else if live_in.contains(&s) {
                    restores.push(quote!(let #m #x = #f;));
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
        // A resumption's values come from its suspension: the values saved
        // there, then the await's output (dropped here if unused).
        let taken = match self.resumes_after[b] {
            Some(k) => {
                let saved = self.fields(self.saved(self.suspends[k]));
                let out = block.resumes.expect("a resumption has an output");
                let out = match live_in.contains(&out) {
                    true => self.field(out).into_token_stream(),
                    false => quote!(_),
                };
                quote!(((#(#saved,)*), #out))
            }
            None => quote!((#(#taken,)*)),
        };
        quote! {
            #b => {
                let #taken = match #var.take() {
                    ::core::option::Option::Some(values) => values,
                    ::core::option::Option::None => ::core::unreachable!(),
                };
                #body
            }
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
            Term::Suspend {
                future,
                span,
                resume,
                ..
            } => {
                let k = self.suspend_id[b].expect("numbered");
                // The values saved into the frame are read at the `.await`:
                // a borrow or move conflict is reported there.
                let fields = self.saved(b).into_iter().map(|s| {
                    let mut x = self.slot_ident(s).clone();
                    x.set_span(x.span().located_at(*span));
                    x
                });
                let p = quote_spanned!(*span=> ::asyncio::coroutine);
                // A scrutinee may not start with a struct literal, which
                // an awaited expression may (`Conn { .. }.run().await`).
                let parens = starts_with_struct(future);
                let future = self.expr(future.clone(), loops);
                let future = match parens {
                    true => quote_spanned!(*span=> (#future)),
                    false => future,
                };
                // The awaited value goes through a binding located at the
                // `.await`, so that "not a future" is reported there once
                // (rustc merges it with the same error from the poll).
                let awaited =
                    proc_macro2::Ident::new("__awaited", self.input.span.located_at(*span));
                let fut = quote_spanned!(*span=> match #future {
                    #awaited => #p::IntoFuture::into_future(#awaited),
                });
                // Left in the suspension's local for the code after the
                // blocks to store in the frame (see `Gen::body`); the
                // resumption's local gets its type from it here (in dead
                // code: a type-checking hint, removed before codegen).
                let (var, code) = (self.suspend_var(k), self.suspend_code(k));
                // Located at the `.await`: when the awaited value is not a
                // future, the hint's bound fails there, as the error already
                // reported, which rustc then does not repeat.
                let at = |var: &proc_macro2::Ident| {
                    let mut var = var.clone();
                    var.set_span(var.span().located_at(*span));
                    var
                };
                let (hinted, resumed) = (at(&var), at(&self.block_var(*resume)));
                let poll = quote_spanned!(self.input.span.located_at(*span)=> ::core::future::Future::poll);
                let (jump, dispatch) = (&self.jump, &self.dispatch_label);
                quote_spanned! {*span=> {
                    #var = ::core::option::Option::Some((#fut, (#(#fields,)*)));
                    if false {
                        #p::resume_hint(&#hinted, &#resumed, #poll);
                    }
                    #jump = #code;
                    break #dispatch;
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
        self.subst.borrow().stmt(&mut stmt);
        exits::rewrite(&mut stmt, loops, &mut |exit| Some(self.exit(exit)));
        quote!(#stmt)
    }

    /// [`Self::code`] for an expression.
    fn expr(&self, mut expr: Expr, loops: &[LoopCtx]) -> TokenStream {
        self.subst.borrow().expr(&mut expr);
        exits::rewrite_expr(&mut expr, loops, &mut |exit| Some(self.exit(exit)));
        quote!(#expr)
    }

    /// The code replacing one exit.
    fn exit(&self, exit: Exit<'_>) -> Expr {
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
                Exit::Try { expr, question } => {
                    let span = question;
                    let p = quote_spanned!(span=> ::asyncio::coroutine);
                    let residual = self
                        .ret(quote_spanned!(span=> #p::FromResidual::from_residual(__residual)));
                    // Through a binding located at the `?` (a match, not a
                    // `let`, so the operand's temporaries live as long as
                    // they would with rustc's `?`): a non-`Try` operand is
                    // reported there, once.
                    let tried =
                        proc_macro2::Ident::new("__tried", self.input.span.located_at(span));
                    quote_spanned! {span=>
                        match #expr {
                            #tried => match #p::Try::branch(#tried) {
                                #p::ControlFlow::Continue(__value) => __value,
                                #p::ControlFlow::Break(__residual) => #residual,
                            }
                        }
                    }
                }
            };
            Expr::Verbatim(tokens)
        }
    }
}

/// The slots a terminator's own expressions use.
fn term_uses(term: &Term) -> Vec<SlotId> {
    match term {
        Term::Suspend { uses, .. } | Term::If { uses, .. } => uses.clone(),
        Term::Match { uses, arms, .. } => uses
            .iter()
            .chain(arms.iter().flat_map(|a| &a.uses))
            .copied()
            .collect(),
        Term::Pending | Term::Diverged | Term::Goto(_) => Vec::new(),
    }
}

/// Whether `e` begins with a struct literal outside any delimiter, which
/// rustc refuses as a `match` scrutinee or an `if` condition
/// (`S { .. }.method()`, `S { .. } == x`).
fn starts_with_struct(e: &syn::Expr) -> bool {
    use syn::Expr;
    match e {
        Expr::Struct(_) => true,
        Expr::MethodCall(m) => starts_with_struct(&m.receiver),
        Expr::Field(f) => starts_with_struct(&f.base),
        Expr::Index(i) => starts_with_struct(&i.expr),
        Expr::Try(t) => starts_with_struct(&t.expr),
        Expr::Await(a) => starts_with_struct(&a.base),
        Expr::Cast(c) => starts_with_struct(&c.expr),
        Expr::Call(c) => starts_with_struct(&c.func),
        Expr::Binary(b) => starts_with_struct(&b.left) || starts_with_struct(&b.right),
        Expr::Unary(u) => starts_with_struct(&u.expr),
        Expr::Reference(r) => starts_with_struct(&r.expr),
        Expr::Range(r) => {
            r.start.as_deref().is_some_and(starts_with_struct)
                || r.end.as_deref().is_some_and(starts_with_struct)
        }
        _ => false,
    }
}
