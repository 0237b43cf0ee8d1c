//! The use-visitor of name resolution: finds (and in the second pass
//! renames) the slots that plain code uses, through expressions, closures,
//! patterns and macro arguments, keeping track of the bindings that code
//! declares itself.

use crate::macro_args::MacroArgs;
use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Pat, Stmt};

use super::{Resolver, for_each_target, is_destructuring, local_names, single_ident};
use crate::ir::SlotId;

/// Finds (and in the second pass renames) the uses of slots in plain code,
/// keeping track of the bindings that code declares itself.
pub(super) struct Uses<'r> {
    pub(super) resolver: &'r mut Resolver,
    pub(super) locals: Vec<String>,
    pub(super) found: Vec<SlotId>,
    /// Slots assigned with `=` (not read by that).
    pub(super) writes: Vec<SlotId>,
}

impl Uses<'_> {
    fn slot(&self, name: &str) -> Option<SlotId> {
        if self.locals.iter().any(|l| l == name) {
            return None;
        }
        self.resolver.lookup(name)
    }

    fn with_locals(&mut self, names: Vec<String>, f: impl FnOnce(&mut Self)) {
        let saved = self.locals.len();
        self.locals.extend(names);
        f(self);
        self.locals.truncate(saved);
    }

    /// An `if`/`while` condition: the scrutinees of its `let`s are uses; the
    /// patterns' bindings are returned for the caller to declare.
    pub(super) fn cond<'c>(&mut self, cond: &'c mut Expr, pats: &mut Vec<&'c mut Pat>) {
        let is_and = matches!(cond, Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)));
        let has_let = matches!(cond, Expr::Let(_));
        if has_let {
            let Expr::Let(l) = cond else { unreachable!() };
            self.visit_expr_mut(&mut l.expr);
            pats.push(&mut l.pat);
        } else if is_and {
            let Expr::Binary(b) = cond else {
                unreachable!()
            };
            self.cond(&mut b.left, pats);
            self.cond(&mut b.right, pats);
        } else {
            self.visit_expr_mut(cond);
        }
    }

    /// Idents in the tokens of a macro whose arguments are not expressions,
    /// and `{name}` captures in its string literals, that name slots. (An
    /// over-approximation: such a macro's own bindings look like uses.)
    fn tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in trees.iter().enumerate() {
            let after_dot =
                i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
            let before_path = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!' || p.as_char() == ':');
            match tt {
                TokenTree::Ident(ident) if !after_dot && !before_path => {
                    match self.slot(&ident.to_string()) {
                        Some(slot) => {
                            self.found.push(slot);
                            let slot = &self.resolver.out.slots[slot];
                            if slot.renamed && self.resolver.renaming.is_some() {
                                let mut renamed = slot.ident.clone();
                                renamed.set_span(renamed.span().located_at(ident.span()));
                                out.push(TokenTree::Ident(renamed));
                            } else {
                                out.push(tt.clone());
                            }
                        }
                        None => out.push(tt.clone()),
                    }
                }
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), self.tokens(g.stream()));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                TokenTree::Literal(lit) => {
                    let captured: Vec<_> = format_captures(&lit.to_string())
                        .iter()
                        .filter_map(|n| self.slot(n))
                        .collect();
                    self.found.extend(captured);
                    out.push(tt.clone());
                }
                _ => out.push(tt.clone()),
            }
        }
        out.into_iter().collect()
    }
}

/// The identifiers a format string captures implicitly: `{name}`, `{name:?}`.
fn format_captures(literal: &str) -> Vec<String> {
    if !literal.starts_with('"') && !literal.starts_with('r') {
        return Vec::new();
    }
    let is_name = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c == '_' || c.is_alphanumeric())
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    let mut names = Vec::new();
    let mut rest = literal;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(escaped) = rest.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        let (arg, spec) = rest[..end].split_once(':').unwrap_or((&rest[..end], ""));
        if is_name(arg) {
            names.push(arg.to_string());
        }
        // `{:>width$}`, `{:.prec$}`: names before a `$` in the spec.
        for part in spec.split('$').take(spec.matches('$').count()) {
            let start = part
                .rfind(|c: char| !(c == '_' || c.is_alphanumeric()))
                .map_or(0, |i| i + 1);
            if is_name(&part[start..]) {
                names.push(part[start..].to_string());
            }
        }
        rest = &rest[end..];
    }
    names
}

/// Macros whose first string-literal argument is a format string, so that
/// `{name}` in it reads the variable `name`.
pub fn is_format_macro(path: &syn::Path) -> bool {
    const NAMES: &[&str] = &[
        "format",
        "format_args",
        "print",
        "println",
        "eprint",
        "eprintln",
        "write",
        "writeln",
        "panic",
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "unreachable",
        "todo",
        "unimplemented",
        "anyhow",
        "bail",
        "ensure",
        "trace",
        "debug",
        "info",
        "warn",
        "error",
    ];
    path.segments
        .last()
        .is_some_and(|s| NAMES.iter().any(|n| s.ident == n))
}

impl VisitMut for Uses<'_> {
    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        if let Some(name) = single_ident(&Expr::Path(e.clone())).map(Ident::to_string) {
            if let Some(slot) = self.slot(&name) {
                self.found.push(slot);
                let renamed = &self.resolver.out.slots[slot].ident;
                let ident = &mut e.path.segments[0].ident;
                if self.resolver.renaming.is_some() && *ident != *renamed {
                    let mut new = renamed.clone();
                    new.set_span(new.span().located_at(ident.span()));
                    *ident = new;
                }
            }
        }
        visit_mut::visit_expr_path_mut(self, e);
    }

    fn visit_expr_assign_mut(&mut self, e: &mut syn::ExprAssign) {
        // `x = v` (or `(a, b) = v`) inside plain code writes its targets
        // without reading them.
        if !is_destructuring(&e.left) {
            return visit_mut::visit_expr_assign_mut(self, e);
        }
        self.visit_expr_mut(&mut e.right);
        for_each_target(&mut e.left, &mut |ident| {
            if let Some(slot) = self.slot(&ident.to_string()) {
                self.writes.push(slot);
                if self.resolver.renaming.is_some() {
                    let mut renamed = self.resolver.out.slots[slot].ident.clone();
                    renamed.set_span(renamed.span().located_at(ident.span()));
                    *ident = renamed;
                }
            }
        });
    }

    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        visit_mut::visit_field_value_mut(self, f);
        // `S { x }` reading a renamed `x`: spell it out as `S { x: __r_x_3 }`.
        let renamed = matches!((&f.member, &f.expr),
            (syn::Member::Named(m), Expr::Path(p)) if p.path.segments.len() == 1 && *m != p.path.segments[0].ident);
        if f.colon_token.is_none() && renamed {
            f.colon_token = Some(Default::default());
        }
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let saved = self.locals.len();
        for stmt in &mut block.stmts {
            self.visit_stmt_mut(stmt);
            if let Stmt::Local(local) = stmt {
                self.locals.extend(local_names(&local.pat));
            }
        }
        self.locals.truncate(saved);
    }

    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let names = c.inputs.iter().flat_map(local_names).collect();
        self.with_locals(names, |v| v.visit_expr_mut(&mut c.body));
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        self.with_locals(local_names(&arm.pat), |v| {
            if let Some((_, guard)) = &mut arm.guard {
                v.visit_expr_mut(guard);
            }
            v.visit_expr_mut(&mut arm.body);
        });
    }

    fn visit_expr_if_mut(&mut self, e: &mut syn::ExprIf) {
        let mut pats = Vec::new();
        self.cond(&mut e.cond, &mut pats);
        let names = pats.iter().flat_map(|p| local_names(p)).collect();
        self.with_locals(names, |v| v.visit_block_mut(&mut e.then_branch));
        if let Some((_, else_)) = &mut e.else_branch {
            self.visit_expr_mut(else_);
        }
    }

    fn visit_expr_while_mut(&mut self, e: &mut syn::ExprWhile) {
        let mut pats = Vec::new();
        self.cond(&mut e.cond, &mut pats);
        let names = pats.iter().flat_map(|p| local_names(p)).collect();
        self.with_locals(names, |v| v.visit_block_mut(&mut e.body));
    }

    fn visit_expr_for_loop_mut(&mut self, e: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut e.expr);
        self.with_locals(local_names(&e.pat), |v| v.visit_block_mut(&mut e.body));
    }

    /// Arguments that parse as expressions are resolved like any code
    /// (closures, patterns and field shorthand included); others are
    /// scanned token by token.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let Some(mut args) = MacroArgs::parse(&mac.tokens) else {
            mac.tokens = self.tokens(std::mem::take(&mut mac.tokens));
            return;
        };
        let format = is_format_macro(&mac.path);
        let mut named = Vec::new();
        let mut format_string = None;
        for arg in args.args.iter_mut() {
            match arg {
                // `name = value`: a named format argument, not an assignment.
                Expr::Assign(a) if format && single_ident(&a.left).is_some() => {
                    named.push(single_ident(&a.left).unwrap().to_string());
                    self.visit_expr_mut(&mut a.right);
                }
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) if format && format_string.is_none() => {
                    format_string = Some(s.clone());
                }
                other => self.visit_expr_mut(other),
            }
        }
        let mut tokens = args.tokens();
        for name in format_string
            .iter()
            .flat_map(|s| format_captures(&s.token().to_string()))
        {
            if named.contains(&name) {
                continue;
            }
            if let Some(slot) = self.slot(&name) {
                self.found.push(slot);
                let slot = &self.resolver.out.slots[slot];
                if slot.renamed && self.resolver.renaming.is_some() {
                    // A renamed variable captured by name: pass it explicitly.
                    let (arg, value) = (
                        Ident::new(&name, format_string.as_ref().unwrap().span()),
                        &slot.ident,
                    );
                    tokens.extend(quote::quote!(, #arg = #value));
                    named.push(name);
                }
            }
        }
        mac.tokens = tokens;
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
