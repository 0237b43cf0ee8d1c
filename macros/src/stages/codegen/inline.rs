//! Which branch blocks are emitted inside their `if` or `match`.

use crate::ir::graph::{Cfg, Op, Term};

/// The branch blocks of an `if`/`match` that can be emitted inside it: their
/// only way in is that branch, they do not resume an await, and they close
/// no scope but their own (code after such a close would run with the
/// enclosing arm's values not yet dropped). Keeping a branch inline keeps
/// the values its pattern borrows from the scrutinee in place.
pub fn inlinable(cfg: &Cfg) -> Vec<bool> {
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
