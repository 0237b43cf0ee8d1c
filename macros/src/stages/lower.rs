//! Stage 4: lowering the normalised body to a control-flow graph.
//!
//! A new block starts after each await (the resumption), at each loop head,
//! at the branches of an `if`/`match` that contains an await and where they
//! join again. Scopes are tracked as the lexical chain open at each point, so
//! that a block starting inside nested scopes can reopen them.

use std::collections::BTreeSet;

use syn::Stmt;

use crate::exits::{self, Exit};
use crate::ir::graph::{Block, BlockId, Cfg, Jump, LoopCtx, MatchArm, Op, Term};
use crate::ir::{Node, Res, ScopeId, SlotId};

/// Lowers the resolved body. Scope 0 holds the parameters, scope 1 is the
/// body block (see [`crate::stages::resolve`]).
pub fn lower(body: Vec<Node>) -> Cfg {
    let mut lower = Lower {
        cfg: Cfg { blocks: Vec::new() },
        cur: None,
        chain: vec![0],
        loops: Vec::new(),
        declared: BTreeSet::new(),
    };
    let entry = lower.new_block(None);
    lower.cur = Some(entry);
    lower.scope(1, false, body);
    debug_assert!(lower.cur.is_none(), "the body ends with a return");
    lower.finish();
    lower.cfg
}

struct Lower {
    cfg: Cfg,
    /// The block being filled, or `None` where code is unreachable.
    cur: Option<BlockId>,
    /// The scopes open at the current point, outermost first.
    chain: Vec<ScopeId>,
    loops: Vec<LoopCtx>,
    /// The slots declared so far in source order.
    declared: BTreeSet<SlotId>,
}

impl Lower {
    fn declare(&mut self, defs: &[SlotId]) {
        self.declared.extend(defs.iter().copied());
    }

    fn new_block(&mut self, resumes: Option<usize>) -> BlockId {
        self.cfg.blocks.push(Block {
            entry: self.chain.clone(),
            ops: Vec::new(),
            term: Term::Pending,
            resumes,
            loops: Vec::new(),
            declared_before: self.declared.clone(),
        });
        self.cfg.blocks.len() - 1
    }

    /// A block entered with `scope` open on top of the current chain.
    fn new_block_in(&mut self, scope: ScopeId) -> BlockId {
        self.chain.push(scope);
        let b = self.new_block(None);
        self.chain.pop();
        b
    }

    fn push(&mut self, op: Op) {
        if let Some(b) = self.cur {
            self.cfg.blocks[b].ops.push(op);
        }
    }

    fn terminate(&mut self, term: Term) {
        if let Some(b) = self.cur.take() {
            self.cfg.blocks[b].term = term;
            self.cfg.blocks[b].loops.clone_from(&self.loops);
        }
    }

    fn goto(&mut self, to: BlockId) {
        self.terminate(Term::Goto(to));
    }

    fn nodes(&mut self, nodes: Vec<Node>) {
        for node in nodes {
            if self.cur.is_none() {
                return; // unreachable: nothing jumps here
            }
            self.node(node);
        }
    }

    /// `{ body }` in scope `scope`.
    fn scope(&mut self, scope: ScopeId, unsafe_: bool, body: Vec<Node>) {
        self.push(Op::Open { scope, unsafe_ });
        self.chain.push(scope);
        self.nodes(body);
        self.push(Op::Close { scope });
        self.chain.pop();
    }

    /// Lowers `body` into `block` (entered with `scope` open), then closes
    /// the scope and goes to `join`, allocated on first use.
    fn branch(
        &mut self,
        block: BlockId,
        scope: ScopeId,
        body: Vec<Node>,
        join: &mut Option<BlockId>,
    ) {
        self.cur = Some(block);
        self.chain.push(scope);
        self.nodes(body);
        self.push(Op::Close { scope });
        self.chain.pop();
        if self.cur.is_some() {
            let j = *join.get_or_insert_with(|| self.new_block(None));
            self.goto(j);
        }
    }

    fn node(&mut self, node: Node) {
        match &node {
            Node::Code { res, .. } | Node::Let { res, .. } | Node::Await { res, .. } => {
                self.declare(&res.defs)
            }
            Node::If { then_res, .. } => self.declare(&then_res.defs),
            // A match arm's bindings are declared when that arm is lowered.
            _ => {}
        }
        match node {
            Node::Code { stmt, res } => self.code(stmt, res),
            Node::Let {
                attrs,
                pat,
                init,
                diverge,
                res,
                ..
            } => {
                let diverge = diverge.map(|nodes| {
                    let scope = res.scope.expect("resolved");
                    let d = self.new_block_in(scope);
                    let (cur, chain) = (self.cur, self.chain.clone());
                    self.cur = Some(d);
                    self.chain.push(scope);
                    self.nodes(nodes);
                    self.push(Op::Close { scope });
                    // The else block of a let-else diverges; if its code falls
                    // through, rustc reports it at the user's `else`.
                    self.terminate(Term::Diverged);
                    (self.cur, self.chain) = (cur, chain);
                    d
                });
                let mut init = init;
                let exits = init
                    .as_mut()
                    .map(|e| self.jumps(|loops, f| exits::rewrite_expr(e, loops, f)));
                let loops = self.loops.clone();
                let (uses, defs, exits) = (res.uses, res.defs, exits.unwrap_or_default());
                self.push(Op::Let {
                    attrs,
                    pat,
                    init,
                    diverge,
                    uses,
                    defs,
                    exits,
                    loops,
                });
            }
            Node::Await {
                future, span, res, ..
            } => {
                let resume = self.new_block(Some(res.defs[0]));
                self.terminate(Term::Suspend {
                    future,
                    resume,
                    uses: res.uses,
                    span,
                });
                self.cur = Some(resume);
            }
            Node::Scope { unsafe_, body, res } => {
                self.scope(res.scope.expect("resolved"), unsafe_, body)
            }
            Node::If {
                cond,
                then,
                else_,
                res,
                then_res,
            } => {
                let then_scope = then_res.scope.expect("resolved");
                let else_scope = res.scope.expect("resolved");
                let (t, e) = (self.new_block_in(then_scope), self.new_block_in(else_scope));
                self.terminate(Term::If {
                    cond,
                    then: t,
                    else_: e,
                    uses: res.uses,
                    then_defs: then_res.defs,
                });
                let chain = self.chain.clone();
                let mut join = None;
                self.branch(t, then_scope, then, &mut join);
                self.chain.clone_from(&chain);
                self.branch(e, else_scope, else_, &mut join);
                self.cur = join;
            }
            Node::Match {
                scrutinee,
                arms,
                res,
            } => {
                let mut targets = Vec::new();
                let mut lowered = Vec::new();
                for arm in arms {
                    let scope = arm.res.scope.expect("resolved");
                    let to = self.new_block_in(scope);
                    lowered.push(MatchArm {
                        pat: arm.pat,
                        guard: arm.guard,
                        to,
                        defs: arm.res.defs.clone(),
                        uses: arm.res.uses,
                    });
                    targets.push((to, scope, arm.body, arm.res.defs.clone()));
                }
                self.terminate(Term::Match {
                    scrutinee,
                    arms: lowered,
                    uses: res.uses,
                });
                let mut join = None;
                for (to, scope, body, defs) in targets {
                    self.declare(&defs);
                    self.branch(to, scope, body, &mut join);
                }
                self.cur = join;
            }
            Node::Loop {
                label,
                result,
                body,
                res,
            } => {
                let head = self.new_block(None);
                let exit = self.new_block(None);
                self.goto(head);
                self.cur = Some(head);
                let result = result.map(|t| (t, res.uses[0]));
                self.loops.push(LoopCtx {
                    label,
                    is_loop: true,
                    break_to: exit,
                    continue_to: Some(head),
                    result,
                });
                self.scope(res.scope.expect("resolved"), false, body);
                self.loops.pop();
                self.goto(head);
                self.cur = Some(exit);
            }
            Node::Labeled {
                label,
                result,
                body,
                res,
            } => {
                let exit = self.new_block(None);
                let result = result.map(|t| (t, res.uses[0]));
                let ctx = LoopCtx {
                    label: Some(label),
                    is_loop: false,
                    break_to: exit,
                    continue_to: None,
                    result,
                };
                self.loops.push(ctx);
                self.scope(res.scope.expect("resolved"), false, body);
                self.loops.pop();
                self.goto(exit);
                self.cur = Some(exit);
            }
        }
    }

    /// The jumps out of code that `walk` visits.
    fn jumps(
        &self,
        walk: impl FnOnce(&[LoopCtx], &mut dyn FnMut(Exit<'_>) -> Option<syn::Expr>),
    ) -> Vec<Jump> {
        let mut targets = Vec::new();
        walk(&self.loops, &mut |exit| {
            match exit {
                Exit::Break { to, value } => {
                    let assigns = if value.is_some() {
                        to.result.as_ref().map(|(_, s)| *s)
                    } else {
                        None
                    };
                    targets.push((to.break_to, assigns));
                }
                Exit::Continue { to } => targets.extend(to.continue_to.map(|c| (c, None))),
                Exit::Return { .. } | Exit::Try { .. } => {}
            }
            None
        });
        targets
    }

    fn code(&mut self, mut stmt: Stmt, res: Res) {
        let targets = self.jumps(|loops, f| exits::rewrite(&mut stmt, loops, f));
        let diverges = exits::diverges(&stmt);
        let loops = if targets.is_empty() {
            Vec::new()
        } else {
            self.loops.clone()
        };
        self.push(Op::Code {
            stmt,
            uses: res.uses,
            defs: res.defs,
            writes: res.writes,
            exits: targets,
            loops,
        });
        if diverges {
            self.terminate(Term::Diverged);
        }
    }

    /// Drops blocks nothing jumps to and renumbers the rest in reverse
    /// postorder, so that every block comes after a block that jumps to it
    /// (rustc infers the frame's types in that order).
    fn finish(&mut self) {
        self.thread_jumps();
        self.merge_blocks();
        let n = self.cfg.blocks.len();
        let mut order = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        // Iterative DFS computing postorder.
        let mut stack = vec![(0usize, 0usize)];
        seen[0] = true;
        while let Some(&mut (b, ref mut i)) = stack.last_mut() {
            let succ = self.cfg.blocks[b].successors();
            if *i < succ.len() {
                let s = succ[*i];
                *i += 1;
                if !seen[s] {
                    seen[s] = true;
                    stack.push((s, 0));
                }
            } else {
                order.push(b);
                stack.pop();
            }
        }
        order.reverse();
        let mut new_id = vec![usize::MAX; n];
        for (new, &old) in order.iter().enumerate() {
            new_id[old] = new;
        }
        let mut old_blocks: Vec<Option<Block>> = std::mem::take(&mut self.cfg.blocks)
            .into_iter()
            .map(Some)
            .collect();
        for &old in &order {
            let mut block = old_blocks[old].take().unwrap();
            renumber(&mut block, &new_id);
            self.cfg.blocks.push(block);
        }
    }
}

impl Lower {
    /// Sends jumps that land on an empty block (one that only closes
    /// scopes and goes on, like the missing `else` of an `if`) straight to
    /// where it goes. Nothing runs in between, so values dropped at the
    /// empty block are dropped at the same point as before.
    fn thread_jumps(&mut self) {
        let n = self.cfg.blocks.len();
        let forward = |blocks: &[Block], b: BlockId| -> Option<BlockId> {
            let block = &blocks[b];
            let empty = block.resumes.is_none()
                && block.ops.iter().all(|op| matches!(op, Op::Close { .. }));
            match block.term {
                Term::Goto(t) if empty && b != 0 => Some(t),
                _ => None,
            }
        };
        let mut target: Vec<BlockId> = (0..n).collect();
        for (b, slot) in target.iter_mut().enumerate() {
            let mut at = b;
            for _ in 0..n {
                match forward(&self.cfg.blocks, at) {
                    Some(next) if next != b => at = next,
                    _ => break,
                }
            }
            *slot = at;
        }
        for block in &mut self.cfg.blocks {
            renumber(block, &target);
        }
    }

    /// Appends a block to the block that jumps to it when that is its only
    /// way in (the join after an `if` with one live branch, a loop exit
    /// reached from one place): one arm instead of two, and no values
    /// moved through a block local in between.
    fn merge_blocks(&mut self) {
        loop {
            let n = self.cfg.blocks.len();
            let mut preds = vec![0usize; n];
            preds[0] += 1; // the entry is entered by the prelude
            for block in &self.cfg.blocks {
                for s in block.successors() {
                    preds[s] += 1;
                }
            }
            let mergeable = (0..n).find_map(|a| {
                let Term::Goto(b) = self.cfg.blocks[a].term else {
                    return None;
                };
                let ok = b != a && preds[b] == 1 && self.cfg.blocks[b].resumes.is_none();
                (ok && self.cfg.blocks[a].end_chain() == self.cfg.blocks[b].entry).then_some((a, b))
            });
            let Some((a, b)) = mergeable else { return };
            let ops = std::mem::take(&mut self.cfg.blocks[b].ops);
            let term = std::mem::replace(&mut self.cfg.blocks[b].term, Term::Diverged);
            let loops = std::mem::take(&mut self.cfg.blocks[b].loops);
            let block = &mut self.cfg.blocks[a];
            block.ops.extend(ops);
            block.term = term;
            block.loops = loops;
        }
    }
}

fn renumber(block: &mut Block, new_id: &[usize]) {
    let map = |b: &mut BlockId| *b = new_id[*b];
    for op in &mut block.ops {
        match op {
            Op::Code { exits, loops, .. } | Op::Let { exits, loops, .. } => {
                exits.iter_mut().for_each(|(b, _)| map(b));
                for l in loops {
                    // A loop whose exit is unreachable keeps a dangling id; it is never used.
                    if new_id[l.break_to] != usize::MAX {
                        map(&mut l.break_to);
                    }
                    if let Some(c) = &mut l.continue_to {
                        map(c);
                    }
                }
            }
            _ => {}
        }
        if let Op::Let {
            diverge: Some(d), ..
        } = op
        {
            map(d);
        }
    }
    for l in &mut block.loops {
        if new_id[l.break_to] != usize::MAX {
            map(&mut l.break_to);
        }
        if let Some(c) = &mut l.continue_to {
            map(c);
        }
    }
    match &mut block.term {
        Term::Goto(b) => map(b),
        Term::Suspend { resume, .. } => map(resume),
        Term::If { then, else_, .. } => {
            map(then);
            map(else_);
        }
        Term::Match { arms, .. } => arms.iter_mut().for_each(|a| map(&mut a.to)),
        Term::Pending | Term::Diverged => {}
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::ir::graph::Term;
    use crate::test_util::analyzed;

    fn suspensions(cfg: &crate::ir::graph::Cfg) -> usize {
        cfg.blocks
            .iter()
            .filter(|b| matches!(b.term, Term::Suspend { .. }))
            .count()
    }

    #[test]
    fn straight_line_is_one_block_per_await() {
        let (cfg, ..) = analyzed(quote!(let a = x.await; let b = y.await; a + b));
        assert_eq!(cfg.blocks.len(), 3);
        assert_eq!(suspensions(&cfg), 2);
        assert!(cfg.blocks[1].resumes.is_some() && cfg.blocks[2].resumes.is_some());
    }

    #[test]
    fn loop_head_is_entered_by_a_back_edge() {
        let (cfg, ..) = analyzed(quote!(loop {
            x.await;
        }));
        let head = cfg
            .blocks
            .iter()
            .position(|b| matches!(b.term, Term::Suspend { .. }))
            .unwrap();
        let back = cfg
            .blocks
            .iter()
            .any(|b| matches!(b.term, Term::Goto(t) if t == head));
        assert!(back, "the resumption jumps back to the loop head");
    }

    #[test]
    fn empty_else_jumps_straight_to_the_join() {
        let (cfg, ..) = analyzed(quote!(if c { x.await; } f()));
        // entry (if), then-branch (suspends), resumption merged with the join.
        assert_eq!(cfg.blocks.len(), 4, "no block for the missing else");
    }

    #[test]
    fn unreachable_code_after_return_is_dropped() {
        let (cfg, ..) = analyzed(quote!(x.await; return 1; y.await; 2));
        assert_eq!(suspensions(&cfg), 1);
    }

    #[test]
    fn blocks_are_in_reverse_postorder() {
        let (cfg, ..) = analyzed(
            quote!(let mut i = 0; while i < 3 { i += x.await; } match i { 0 => y.await, _ => 1 }),
        );
        // Every block but the entry has a predecessor that comes before it.
        for b in 1..cfg.blocks.len() {
            let earlier = (0..b).any(|a| cfg.blocks[a].successors().contains(&b));
            assert!(earlier, "block {b} has no earlier predecessor");
        }
    }
}
