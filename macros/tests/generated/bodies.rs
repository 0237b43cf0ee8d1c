//! A deterministic generator of random coroutine bodies.
//!
//! Each body is valid Rust both as an `async fn` and as a `#[coroutine]`:
//! it never uses a moved value, never moves, mutates or reads a local while
//! a `&mut` to it is still used later (nor moves or mutates it while a `&`
//! to it is), and always terminates. Its statements: nested
//! `if`/`match`/loops/blocks, awaits in random expression positions
//! (operands, arguments, conditions, scrutinees, loop bounds), early
//! `return`, `?`, `break`/`continue` (labeled, with values), drop-logging
//! values that are created, used, moved and held as guards; and, about 30%
//! of them, borrows held across awaits:
//!
//! - `&` / `&mut` references to locals (`D`, `Vec<D>`, `String`, `Vec<u32>`,
//!   a `Counter` struct, a lifetime-extended temporary `&D(..)`) kept across
//!   awaits, used (also by the random statements in between), then the
//!   owner used, mutated or moved after the reference's last use;
//! - `&mut self` / `&self` async methods called in sequence on a local
//!   (`c.bump(x).await; c.bump(y).await; c.n`);
//! - `for` loops over a local (`iter()`, `iter().enumerate()`, `&v`,
//!   `iter_mut()`, `split_whitespace()`, `bytes()`) with awaits in the body,
//!   the collection used after the loop;
//! - futures that borrow a local (`fill(&mut v, ..).await`,
//!   `append(&mut v, ..).await`, `look(&d).await`, `len_later(&v).await`);
//! - temporaries borrowed by the awaited future (`measure(&format!(..))`,
//!   `look(&D(..))`), also as `match` / `if let` scrutinees;
//! - early exits (`return`, `?`, `break`, `continue`) while a borrow is held.
//!
//! The helpers (`look`, `measure`, `fill`, `Counter`, ...) are in the scratch
//! crate's prelude (`main.rs`).

/// SplitMix64: small, fast, and the same sequence everywhere for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The type of a local a body declares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `D`, a drop-logging value.
    D,
    /// `Vec<D>`.
    Ds,
    /// `String` (words that never name a `D`).
    Str,
    /// `Vec<u32>`.
    Nums,
    /// `Counter { n: u32, tag: D }`, with `&mut self` / `&self` async methods.
    Counter,
}

const OWNERS: [Kind; 5] = [Kind::D, Kind::Ds, Kind::Str, Kind::Nums, Kind::Counter];

/// A local in scope (a drop-logging value or one of the other kinds).
struct Value {
    name: String,
    kind: Kind,
    moved: bool,
    /// How many loops enclose its declaration (it may only be moved where
    /// no loop would run the move twice).
    loops: usize,
    /// Declared `let mut`: it may be mutated and borrowed `&mut`.
    mutable: bool,
    /// `&` references to it that are still used later: it may be read, not
    /// mutated or moved.
    shared: usize,
    /// A `&mut` reference to it is still used later: it may not be touched.
    excl: bool,
}

impl Value {
    fn readable(&self) -> bool {
        !self.moved && !self.excl
    }

    fn writable(&self) -> bool {
        self.readable() && self.mutable && self.shared == 0
    }

    fn movable(&self, loops: usize) -> bool {
        !self.moved && !self.excl && self.shared == 0 && self.loops == loops
    }
}

/// A reference in scope that is still used later: `let r = &v;`, `let m =
/// &mut v;`, or a loop's element (`for x in v.iter()`).
struct Ref {
    name: String,
    kind: Kind,
    mutable: bool,
}

/// How to reach a value: through its owner (`v`, `&v`, `&mut v`, `v`) or
/// through a reference (`r`, `r`, `r`, `*r`).
struct Access {
    /// Method calls and fields: `v.len()`, `r.len()`.
    path: String,
    /// An argument of type `&T`.
    shared: String,
    /// An argument of type `&mut T`.
    exclusive: String,
    /// The left side of an assignment.
    place: String,
}

impl Access {
    fn owner(v: &str) -> Self {
        Access {
            path: v.into(),
            shared: format!("&{v}"),
            exclusive: format!("&mut {v}"),
            place: v.into(),
        }
    }

    fn reference(r: &str) -> Self {
        Access {
            path: r.into(),
            shared: r.into(),
            exclusive: r.into(),
            place: format!("*{r}"),
        }
    }
}

/// A loop the current point is inside.
struct Loop {
    label: String,
    /// `loop { }` whose `break` carries a value (the label's result).
    with_value: bool,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    next: usize,
    scopes: Vec<Vec<Value>>,
    /// `u32` locals in scope.
    ints: Vec<Vec<String>>,
    /// References in scope that are still used later.
    refs: Vec<Vec<Ref>>,
    loops: Vec<Loop>,
    depth: usize,
    out: String,
    indent: usize,
}

/// One body, as the fn `fn NAME(p: u32) -> Result<u32, u32> { .. }`.
pub fn body(rng: &mut Rng, name: &str) -> String {
    let mut g = Gen {
        rng,
        next: 0,
        scopes: vec![Vec::new()],
        ints: vec![vec!["p".into()]],
        refs: vec![Vec::new()],
        loops: Vec::new(),
        depth: 0,
        out: String::new(),
        indent: 1,
    };
    g.line("let mut acc: u32 = 0;");
    let n = 2 + g.rng.below(4) as usize;
    for _ in 0..n {
        g.stmt();
    }
    g.line("Ok(acc)");
    format!("fn {name}(p: u32) -> Result<u32, u32> {{\n{}}}\n", g.out)
}

impl Gen<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// A drop-logging value in scope that can still be used.
    fn live_value(&mut self) -> Option<String> {
        self.pick(|v| v.kind == Kind::D && v.readable())
            .map(|(name, _)| name)
    }

    /// A random value in scope for which `ok` holds.
    fn pick(&mut self, ok: impl Fn(&Value) -> bool) -> Option<(String, Kind)> {
        let all: Vec<(String, Kind)> = self
            .scopes
            .iter()
            .flatten()
            .filter(|v| ok(v))
            .map(|v| (v.name.clone(), v.kind))
            .collect();
        (!all.is_empty()).then(|| all[self.rng.below(all.len() as u64) as usize].clone())
    }

    fn value(&mut self, name: &str) -> &mut Value {
        self.scopes
            .iter_mut()
            .flatten()
            .find(|v| v.name == name)
            .expect("a declared value")
    }

    fn declare(&mut self, name: String, kind: Kind, mutable: bool) {
        let loops = self.loops.len();
        self.scopes.last_mut().unwrap().push(Value {
            name,
            kind,
            moved: false,
            loops,
            mutable,
            shared: 0,
            excl: false,
        });
    }

    fn int(&mut self) -> String {
        let all: Vec<String> = self.ints.iter().flatten().cloned().collect();
        all[self.rng.below(all.len() as u64) as usize].clone()
    }

    /// A `u32` expression; awaits appear with some probability.
    fn expr(&mut self, depth: usize) -> String {
        let leafy = depth >= 1;
        match self.rng.below(if leafy { 4 } else { 11 }) {
            0 => format!("{}u32", self.rng.below(10)),
            1 => self.int(),
            2 | 3 => {
                let l = self.fresh("l");
                let v = if leafy {
                    format!("{}u32", self.rng.below(10))
                } else {
                    self.expr(depth + 1)
                };
                format!("leaf(\"{l}\", {v}).await")
            }
            4 => format!(
                "{}.wrapping_add({})",
                self.expr(depth + 1),
                self.expr(depth + 1)
            ),
            5 => format!("({} ^ {})", self.expr(depth + 1), self.expr(depth + 1)),
            6 => {
                let e = self.fresh("e");
                format!("effect(\"{e}\", {})", self.expr(depth + 1))
            }
            7 => match self.live_value() {
                Some(v) => format!("see_len(&{v})"),
                None => "1u32".into(),
            },
            8 => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.cond(depth + 1),
                self.expr(depth + 1),
                self.expr(depth + 1)
            ),
            9 => format!(
                "match {} % 3 {{ 0 => {}, 1 => {}, _ => {} }}",
                self.expr(depth + 1),
                self.expr(depth + 1),
                self.expr(depth + 1),
                self.expr(depth + 1)
            ),
            _ => format!("mix({}, {})", self.expr(depth + 1), self.expr(depth + 1)),
        }
    }

    fn cond(&mut self, depth: usize) -> String {
        match self.rng.below(if depth >= 1 { 3 } else { 6 }) {
            0 => format!("{} % 2 == 0", self.expr(depth + 1)),
            1 => format!("{} > {}", self.expr(depth + 1), self.rng.below(8)),
            2 => {
                let c = self.fresh("c");
                let b = self.rng.chance(50);
                format!("leaf(\"{c}\", {b}).await")
            }
            3 => format!("({} && {})", self.cond(depth + 1), self.cond(depth + 1)),
            4 => format!("({} || {})", self.cond(depth + 1), self.cond(depth + 1)),
            _ => format!("!({})", self.cond(depth + 1)),
        }
    }

    fn block(&mut self, f: impl FnOnce(&mut Self)) {
        self.scopes.push(Vec::new());
        self.ints.push(Vec::new());
        self.indent += 1;
        self.depth += 1;
        f(self);
        self.depth -= 1;
        self.indent -= 1;
        self.ints.pop();
        let scope = self.scopes.pop().unwrap();
        // A value moved only on some paths of this block is still "maybe
        // moved" after it; values declared here are gone anyway.
        drop(scope);
    }

    fn stmts(&mut self) {
        let n = 1 + self.rng.below(if self.depth > 1 { 2 } else { 3 }) as usize;
        for _ in 0..n {
            self.stmt();
        }
    }

    fn stmt(&mut self) {
        let nested = self.depth < 2;
        let pick = self.rng.below(if nested { 20 } else { 12 });
        match pick {
            0 | 1 => {
                let d = self.fresh("d");
                let loops = self.loops.len();
                self.line(&format!("let {d} = D(\"{d}\");"));
                self.scopes.last_mut().unwrap().push(Value {
                    name: d,
                    moved: false,
                    loops,
                });
            }
            2 => {
                let g = self.fresh("g");
                self.line(&format!("let _{g} = D(\"{g}\");"));
            }
            3 => match self.live_value() {
                Some(v) => self.line(&format!("see(&{v});")),
                None => self.stmt(),
            },
            4 | 5 => {
                let e = self.expr(0);
                self.line(&format!("acc = acc.wrapping_add({e});"));
            }
            6 => {
                let x = self.fresh("x");
                let e = self.expr(0);
                self.line(&format!("let {x}: u32 = {e};"));
                self.ints.last_mut().unwrap().push(x);
            }
            7 => {
                // Move a value no enclosing loop would move twice.
                let here = self.loops.len();
                let candidate = self
                    .scopes
                    .iter_mut()
                    .flatten()
                    .find(|v| !v.moved && v.loops == here)
                    .map(|v| {
                        v.moved = true;
                        v.name.clone()
                    });
                match candidate {
                    Some(v) => self.line(&format!("consume({v});")),
                    None => self.stmt(),
                }
            }
            8 => {
                let r = self.fresh("r");
                let e = self.expr(0);
                self.line(&format!("let {r} = fallible({e})?;"));
                self.ints.last_mut().unwrap().push(r);
            }
            9 => {
                // An exit, only under a condition (the rest stays reachable).
                let c = self.cond(0);
                let exit = match (self.loops.last(), self.rng.below(4)) {
                    (Some(l), 0) if l.with_value => format!("break '{} acc;", l.label),
                    (Some(l), 0) => format!("break '{};", l.label),
                    (Some(l), 1) => format!("continue '{};", l.label),
                    (_, 2) => format!("return Err({});", self.expr(1)),
                    _ => "return Ok(acc);".to_string(),
                };
                self.line(&format!("if {c} {{ {exit} }}"));
            }
            10 | 11 => self.if_stmt(),
            12 => self.match_stmt(),
            13 => self.loop_stmt(),
            14 => self.while_stmt(),
            15 => self.for_stmt(),
            16 => {
                self.line("{");
                self.block(|g| g.stmts());
                self.line("}");
            }
            17 => self.loop_value(),
            18 => {
                let x = self.fresh("x");
                let e = self.expr(0);
                let a = self.expr(1);
                self.line(&format!("let mut {x}: u32 = {e};"));
                self.line(&format!("{x} = {x}.wrapping_mul(3).wrapping_add({a});"));
                self.ints.last_mut().unwrap().push(x);
            }
            _ => self.if_let(),
        }
    }

    fn if_stmt(&mut self) {
        let c = self.cond(0);
        self.line(&format!("if {c} {{"));
        self.block(|g| g.stmts());
        if self.rng.chance(60) {
            self.line("} else {");
            self.block(|g| g.stmts());
        }
        self.line("}");
    }

    fn if_let(&mut self) {
        let y = self.fresh("y");
        let e = self.expr(0);
        self.line(&format!("if let Some({y}) = half({e}) {{"));
        self.block(|g| {
            g.ints.last_mut().unwrap().push(y);
            g.stmts();
        });
        self.line("}");
    }

    fn match_stmt(&mut self) {
        let e = self.expr(0);
        let k = self.fresh("k");
        self.line(&format!("match {e} % 3 {{"));
        self.line("0 => {");
        self.block(|g| g.stmts());
        self.line("}");
        self.line(&format!("{k} if {k} == 1 => {{"));
        self.block(|g| {
            g.ints.last_mut().unwrap().push(k);
            g.stmts();
        });
        self.line("}");
        self.line("_ => {");
        self.block(|g| g.stmts());
        self.line("}");
        self.line("}");
    }

    fn loop_stmt(&mut self) {
        let i = self.fresh("i");
        let label = self.fresh("a");
        let bound = 1 + self.rng.below(3);
        self.line(&format!("let mut {i}: u32 = 0;"));
        self.line(&format!("'{label}: loop {{"));
        self.loops.push(Loop {
            label: label.clone(),
            with_value: false,
        });
        self.block(|g| {
            g.line(&format!("{i} += 1;"));
            g.line(&format!("if {i} > {bound} {{ break '{label}; }}"));
            g.ints.last_mut().unwrap().push(i.clone());
            g.stmts();
        });
        self.loops.pop();
        self.line("}");
    }

    fn while_stmt(&mut self) {
        let i = self.fresh("i");
        let label = self.fresh("a");
        let bound = 1 + self.rng.below(3);
        let l = self.fresh("w");
        self.line(&format!("let mut {i}: u32 = 0;"));
        // The counter steps first, so `continue` cannot loop forever.
        self.line(&format!(
            "'{label}: while leaf(\"{l}\", {i}).await < {bound} {{"
        ));
        self.loops.push(Loop {
            label: label.clone(),
            with_value: false,
        });
        self.block(|g| {
            g.line(&format!("{i} += 1;"));
            g.stmts();
        });
        self.loops.pop();
        self.line("}");
    }

    fn for_stmt(&mut self) {
        let i = self.fresh("i");
        let label = self.fresh("a");
        let bound = self.expr(1);
        self.line(&format!("'{label}: for {i} in 0..({bound} % 3) {{"));
        self.loops.push(Loop {
            label: label.clone(),
            with_value: false,
        });
        self.block(|g| {
            g.ints.last_mut().unwrap().push(i.clone());
            g.stmts();
        });
        self.loops.pop();
        self.line("}");
    }

    /// `let x = 'l: loop { .. break 'l value .. };`
    fn loop_value(&mut self) {
        let x = self.fresh("x");
        let i = self.fresh("i");
        let label = self.fresh("a");
        let bound = 1 + self.rng.below(3);
        self.line(&format!("let mut {i}: u32 = 0;"));
        self.line(&format!("let {x}: u32 = '{label}: loop {{"));
        self.loops.push(Loop {
            label: label.clone(),
            with_value: true,
        });
        self.block(|g| {
            g.line(&format!("{i} += 1;"));
            let c = g.cond(1);
            let v = g.expr(1);
            g.line(&format!("if {c} {{ break '{label} {v}; }}"));
            g.line(&format!("if {i} > {bound} {{ break '{label} {i}; }}"));
            g.ints.last_mut().unwrap().push(i.clone());
            g.stmts();
        });
        self.loops.pop();
        self.line("};");
        self.ints.last_mut().unwrap().push(x);
    }
}
