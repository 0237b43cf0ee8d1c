//! Stage 5: liveness.
//!
//! A slot is live at a point when some path from there reads it before
//! overwriting it. The values saved into the frame at a suspension, or
//! carried from block to block, are exactly the live ones; everything else
//! is dropped where the block ends, which is why a value not used after an
//! await is released at that await. The one exception is a never-read
//! `_guard`: it is treated as read where its scope closes, so it lives to
//! the end of its scope like any RAII guard in an `async fn`.

use std::collections::BTreeSet;

use crate::ir::SlotId;
use crate::ir::graph::{Block, Cfg, Jump, Op, Term};
use crate::stages::resolve::Resolution;

/// A set of slots.
pub type Slots = BTreeSet<SlotId>;

/// The slots live at the start of each block.
pub struct Liveness {
    pub live_in: Vec<Slots>,
}

/// Computes liveness by iterating to a fixed point (loops need it).
pub fn analyze(cfg: &Cfg, resolution: &Resolution) -> Liveness {
    let mut live_in = vec![Slots::new(); cfg.blocks.len()];
    loop {
        let mut changed = false;
        for (b, block) in cfg.blocks.iter().enumerate().rev() {
            let new = block_live_in(block, &live_in, cfg, resolution);
            if new != live_in[b] {
                live_in[b] = new;
                changed = true;
            }
        }
        if !changed {
            return Liveness { live_in };
        }
    }
}

/// The slots live just before the terminator of `block`.
pub fn before_term(term: &Term, live_in: &[Slots], cfg: &Cfg) -> Slots {
    let mut live = Slots::new();
    match term {
        Term::Pending | Term::Diverged => {}
        Term::Goto(b) => live.extend(&live_in[*b]),
        Term::Suspend { resume, uses, .. } => {
            live.extend(&live_in[*resume]);
            if let Some(out) = cfg.blocks[*resume].resumes {
                live.remove(&out);
            }
            live.extend(uses);
        }
        Term::If {
            then,
            else_,
            uses,
            then_defs,
            ..
        } => {
            live.extend(&live_in[*then]);
            then_defs.iter().for_each(|d| {
                live.remove(d);
            });
            live.extend(&live_in[*else_]);
            live.extend(uses);
        }
        Term::Match { arms, uses, .. } => {
            for arm in arms {
                // The guard runs with the arm's bindings in place.
                let mut l = live_in[arm.to].clone();
                l.extend(&arm.uses);
                arm.defs.iter().for_each(|d| {
                    l.remove(d);
                });
                live.extend(l);
            }
            live.extend(uses);
        }
    }
    live
}

/// Transfers `live` (after `op`) to before `op`.
pub fn before_op(op: &Op, live: &mut Slots, live_in: &[Slots], resolution: &Resolution) {
    match op {
        Op::Open { .. } => {}
        Op::Close { scope } => {
            let guards = resolution.scopes[*scope]
                .slots
                .iter()
                .filter(|&&s| resolution.slots[s].is_guard());
            live.extend(guards);
        }
        Op::Code {
            uses, defs, exits, ..
        } => {
            defs.iter().for_each(|d| {
                live.remove(d);
            });
            live.extend(uses);
            jumps(exits, live, live_in);
        }
        Op::Let {
            uses,
            defs,
            diverge,
            exits,
            ..
        } => {
            defs.iter().for_each(|d| {
                live.remove(d);
            });
            live.extend(uses);
            jumps(exits, live, live_in);
            if let Some(d) = diverge {
                live.extend(&live_in[*d]);
            }
        }
    }
}

/// Adds what the jumps out of plain code need (less what they assign).
fn jumps(exits: &[Jump], live: &mut Slots, live_in: &[Slots]) {
    for (to, assigns) in exits {
        live.extend(live_in[*to].iter().filter(|s| Some(**s) != *assigns));
    }
}

fn block_live_in(block: &Block, live_in: &[Slots], cfg: &Cfg, resolution: &Resolution) -> Slots {
    let mut live = before_term(&block.term, live_in, cfg);
    for op in block.ops.iter().rev() {
        before_op(op, &mut live, live_in, resolution);
    }
    // Guards declared before the block in scopes it is inside are held.
    for &scope in &block.entry {
        let guards = resolution.scopes[scope].slots.iter();
        live.extend(
            guards
                .filter(|&s| block.declared_before.contains(s) && resolution.slots[*s].is_guard()),
        );
    }
    live
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::ir::graph::Term;
    use crate::test_util::{analyzed, names};

    /// The slots saved at each suspension, by name.
    fn saved(body: proc_macro2::TokenStream) -> Vec<Vec<String>> {
        let (cfg, res, live) = analyzed(body);
        cfg.blocks
            .iter()
            .filter_map(|b| match &b.term {
                Term::Suspend { resume, .. } => {
                    let out = cfg.blocks[*resume].resumes;
                    Some(names(
                        &res,
                        live.live_in[*resume]
                            .iter()
                            .copied()
                            .filter(|s| Some(*s) != out),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn values_not_used_after_an_await_are_not_saved() {
        assert_eq!(
            saved(quote!(let a = 1; let b = 2; f(b); x.await; a)),
            vec![vec!["a"]]
        );
    }

    #[test]
    fn values_used_in_a_later_iteration_are_saved() {
        assert_eq!(
            saved(quote!(let mut n = 0; loop { x.await; n += 1; })),
            vec![vec!["n"]]
        );
    }

    #[test]
    fn overwritten_values_are_not_saved() {
        assert_eq!(
            saved(quote!(let mut s = a(); drop(s); x.await; s = b(); s)),
            vec![Vec::<String>::new()]
        );
    }

    #[test]
    fn never_read_guards_are_saved_until_their_scope_ends() {
        let saved = saved(quote!({ let _g = lock(); x.await; y.await; } z.await;));
        assert_eq!(saved, vec![vec!["_g"], vec!["_g"], vec![]]);
    }

    #[test]
    fn a_guard_in_a_later_match_arm_is_not_live_before_it() {
        let saved = saved(quote!(match x.await {
            0 => {
                let _g = lock();
                y.await;
            }
            k => {
                z.await;
            }
        }));
        // `_g` is held at `y.await` only, not at `x.await` or `z.await`.
        let mut saved = saved;
        saved.sort();
        assert_eq!(saved, vec![vec![], vec![], vec!["_g"]]);
    }

    #[test]
    fn parameters_are_saved_like_locals() {
        assert_eq!(saved(quote!(x.await; p)), vec![vec!["p"]]);
    }
}
