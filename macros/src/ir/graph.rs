//! The control-flow graph that lowering builds and codegen emits.
//!
//! A [`Block`] is a piece of the body that runs without suspending: it starts
//! at the function's entry, at a resumption after an await, at a loop head
//! or at a join point, and ends with a [`Term`]. Await-free code inside it
//! keeps its own structure (it is a [`Op::Code`] statement); only the
//! scopes that the block crosses are explicit ([`Op::Open`]/[`Op::Close`]),
//! because a block resumed inside nested scopes must reopen them.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span};
use syn::{Expr, Lifetime, Pat, Stmt};

use crate::ir::{ScopeId, SlotId};

/// Index of a block.
pub type BlockId = usize;

/// The lowered body.
pub struct Cfg {
    /// `blocks[0]` is the entry.
    pub blocks: Vec<Block>,
}

/// A straight-line piece of the body.
pub struct Block {
    /// The scopes open when the block starts, outermost first.
    pub entry: Vec<ScopeId>,
    pub ops: Vec<Op>,
    pub term: Term,
    /// For a block that resumes after an await: the slot receiving its output.
    pub resumes: Option<SlotId>,
    /// The lowered loops enclosing the terminator (for exits in its expressions).
    pub loops: Vec<LoopCtx>,
    /// The slots declared before the block's start in the source (a set,
    /// so that nothing depends on how slots are numbered).
    pub declared_before: BTreeSet<SlotId>,
}

/// An enclosing loop or labeled block that was lowered (contains an await),
/// as seen from code inside it: where its `break` and `continue` go.
#[derive(Clone)]
pub struct LoopCtx {
    pub label: Option<Lifetime>,
    /// `false` for a labeled block, which unlabeled `break` skips.
    pub is_loop: bool,
    pub break_to: BlockId,
    pub continue_to: Option<BlockId>,
    /// The temporary that `break value` assigns, and its slot.
    pub result: Option<(Ident, SlotId)>,
}

/// A jump out of plain code: the target, and the slot the jump assigns on
/// the way (`break value` assigns the loop's result temporary).
pub type Jump = (BlockId, Option<SlotId>);

/// A statement of a block.
pub enum Op {
    /// Enter a scope (a `{`).
    Open { scope: ScopeId, unsafe_: bool },
    /// Leave a scope (its `}`); its guards are dropped here.
    Close { scope: ScopeId },
    /// Await-free code. `exits` are the blocks its `break`/`continue` jump
    /// to; `loops` lets codegen find them again when it rewrites them.
    Code {
        stmt: Stmt,
        uses: Vec<SlotId>,
        defs: Vec<SlotId>,
        /// Slots assigned inside the statement (see `ir::Res::writes`).
        writes: Vec<SlotId>,
        exits: Vec<Jump>,
        loops: Vec<LoopCtx>,
    },
    /// `let pat = init else { goto diverge };`.
    Let {
        attrs: Vec<syn::Attribute>,
        pat: Pat,
        init: Option<Expr>,
        diverge: Option<BlockId>,
        uses: Vec<SlotId>,
        defs: Vec<SlotId>,
        exits: Vec<Jump>,
        loops: Vec<LoopCtx>,
    },
}

/// One arm of a [`Term::Match`].
pub struct MatchArm {
    pub pat: Pat,
    pub guard: Option<Expr>,
    pub to: BlockId,
    pub defs: Vec<SlotId>,
    pub uses: Vec<SlotId>,
}

/// How a block ends.
pub enum Term {
    /// Not yet known (while lowering).
    Pending,
    /// Code in the block has already left it (`return`, `break`, ...).
    Diverged,
    Goto(BlockId),
    /// Store the future and suspend until it is ready, then run `resume`.
    Suspend {
        future: Expr,
        resume: BlockId,
        uses: Vec<SlotId>,
        span: Span,
    },
    If {
        cond: Expr,
        then: BlockId,
        else_: BlockId,
        uses: Vec<SlotId>,
        then_defs: Vec<SlotId>,
    },
    Match {
        scrutinee: Expr,
        arms: Vec<MatchArm>,
        uses: Vec<SlotId>,
    },
}

impl Term {
    /// The blocks this terminator can go to.
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            Term::Pending | Term::Diverged => vec![],
            Term::Goto(b) => vec![*b],
            Term::Suspend { resume, .. } => vec![*resume],
            Term::If { then, else_, .. } => vec![*then, *else_],
            Term::Match { arms, .. } => arms.iter().map(|a| a.to).collect(),
        }
    }
}

impl Block {
    /// The scope chain open where the block's terminator runs.
    pub fn end_chain(&self) -> Vec<ScopeId> {
        let mut chain = self.entry.clone();
        for op in &self.ops {
            match op {
                Op::Open { scope, .. } => chain.push(*scope),
                Op::Close { scope } => {
                    if let Some(i) = chain.iter().rposition(|s| s == scope) {
                        chain.truncate(i);
                    }
                }
                _ => {}
            }
        }
        chain
    }

    /// Every block this block can go to, from its ops and its terminator.
    pub fn successors(&self) -> Vec<BlockId> {
        let mut out = Vec::new();
        for op in &self.ops {
            match op {
                Op::Code { exits, .. } => out.extend(exits.iter().map(|(b, _)| *b)),
                Op::Let { diverge, exits, .. } => {
                    out.extend(diverge);
                    out.extend(exits.iter().map(|(b, _)| *b));
                }
                _ => {}
            }
        }
        out.extend(self.term.successors());
        out
    }
}
