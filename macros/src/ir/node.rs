//! The intermediate form between normalisation and lowering.
//!
//! After [`normalize`](crate::stages::normalize) every `.await` is an [`Node::Await`]
//! at statement level, whose future expression is await-free; every
//! expression elsewhere in the tree is await-free too. Control flow that
//! contains an await is kept as structured nodes (`If`, `Match`, `Loop`, ...);
//! control flow without one stays inside [`Node::Code`] exactly as written.
//! [`resolve`](crate::stages::resolve) then fills in the `Res` annotations.

use proc_macro2::{Ident, Span};
use syn::{Expr, Lifetime, Pat, Stmt};

/// Index of a binding (user variable, parameter, compiler temporary).
pub type SlotId = usize;
/// Index of a lexical scope.
pub type ScopeId = usize;

/// What resolution learned about one node: the slots it reads and writes and,
/// for nodes that open a scope, which scope that is.
#[derive(Default, Debug, Clone)]
pub struct Res {
    /// Slots read (or borrowed, or moved) by the node's own expressions.
    pub uses: Vec<SlotId>,
    /// Slots fully overwritten (`x = ...;` at statement level, or declared).
    pub defs: Vec<SlotId>,
    /// Slots assigned somewhere inside (`if c { x = 1 }`): neither a read
    /// nor a certain overwrite, but the slot must be declared there.
    pub writes: Vec<SlotId>,
    /// The scope this node opens, if it opens one.
    pub scope: Option<ScopeId>,
}

/// One arm of a lowered `match`.
#[derive(Clone)]
pub struct Arm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub body: Vec<Node>,
    pub res: Res,
}

/// A statement of the normalised body.
#[derive(Clone)]
pub enum Node {
    /// Await-free user code, emitted as written (after codegen rewrites
    /// `return`, `?`, and `break`/`continue` that leave the statement).
    Code { stmt: Stmt, res: Res },
    /// `let pat = init else { diverge };` with an await-free `init`.
    /// `temp` marks the compiler's own temporaries.
    Let {
        attrs: Vec<syn::Attribute>,
        pat: Pat,
        init: Option<Expr>,
        diverge: Option<Vec<Node>>,
        temp: bool,
        res: Res,
    },
    /// `let out = future.await;`: the one suspension point.
    Await {
        future: Expr,
        out: Ident,
        span: Span,
        res: Res,
    },
    /// A block: `{ ... }` or `unsafe { ... }`.
    Scope {
        unsafe_: bool,
        body: Vec<Node>,
        res: Res,
    },
    /// `if cond { then } else { else_ }`; `cond` may be a `let` (chain).
    If {
        cond: Expr,
        then: Vec<Node>,
        else_: Vec<Node>,
        res: Res,
        then_res: Res,
    },
    /// `match scrutinee { arms }`.
    Match {
        scrutinee: Expr,
        arms: Vec<Arm>,
        res: Res,
    },
    /// `'label: loop { body }`; `while` and `for` are desugared to this.
    /// `break value` assigns `result` (when the loop's value is used).
    /// `break`, `continue`, `return` and `?` stay inside [`Node::Code`]:
    /// lowering finds them there (see [`crate::exits`]).
    Loop {
        label: Option<Lifetime>,
        result: Option<Ident>,
        body: Vec<Node>,
        res: Res,
    },
    /// `'label: { body }`, whose `break 'label value` assigns `result`.
    Labeled {
        label: Lifetime,
        result: Option<Ident>,
        body: Vec<Node>,
        res: Res,
    },
}
