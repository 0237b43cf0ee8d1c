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
//!   `look(&D(..))`, an awaited value's `&mut self` method
//!   `counter(..).await.bump(..).await`), also as `match` / `if let`
//!   scrutinees;
//! - early exits (`return`, `?`, `break`, `continue`) while a borrow is held.
//!
//! The helpers (`look`, `measure`, `fill`, `Counter`, ...) are in the scratch
//! crate's prelude (`main.rs`).

/// How often a statement is one of the borrow shapes (`Gen::borrow_stmt`),
/// in percent: `CORPUS_BORROWS` (default 30; 0 generates the bodies of
/// the generator before borrow shapes).
fn borrow_stmt_percent() -> u64 {
    std::env::var("CORPUS_BORROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

/// How often a top-level expression is one of `Gen::borrow_expr`: two
/// thirds of `borrow_stmt_percent`.
fn borrow_expr_percent() -> u64 {
    borrow_stmt_percent() * 2 / 3
}

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
    /// A borrow shape was made of it (see [`move_stmt`]).
    borrowed: bool,
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
            borrowed: false,
        });
    }

    fn int(&mut self) -> String {
        let all: Vec<String> = self.ints.iter().flatten().cloned().collect();
        all[self.rng.below(all.len() as u64) as usize].clone()
    }

    /// A `u32` expression; awaits appear with some probability.
    fn expr(&mut self, depth: usize) -> String {
        if depth == 0 && self.rng.chance(borrow_expr_percent()) {
            return self.borrow_expr();
        }
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
        self.refs.push(Vec::new());
        self.indent += 1;
        self.depth += 1;
        f(self);
        self.depth -= 1;
        self.indent -= 1;
        self.refs.pop();
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
        if self.rng.chance(borrow_stmt_percent()) {
            self.borrow_stmt();
            return;
        }
        let nested = self.depth < 2;
        let pick = self.rng.below(if nested { 20 } else { 12 });
        match pick {
            0 | 1 => {
                let d = self.fresh("d");
                self.line(&format!("let {d} = D(\"{d}\");"));
                self.declare(d, Kind::D, false);
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
                // Move a value no enclosing loop would move twice (and no
                // reference still used later borrows).
                let here = self.loops.len();
                let candidate = self
                    .scopes
                    .iter_mut()
                    .flatten()
                    .find(|v| v.movable(here))
                    .map(|v| {
                        v.moved = true;
                        (v.name.clone(), v.kind, v.borrowed)
                    });
                match candidate {
                    Some((v, kind, borrowed)) => self.line(&move_stmt(&v, kind, borrowed)),
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
                let exit = self.exit();
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

    /// `break`, `continue` or `return` (the innermost loop's label).
    fn exit(&mut self) -> String {
        match (self.loops.last(), self.rng.below(4)) {
            (Some(l), 0) if l.with_value => format!("break '{} acc;", l.label),
            (Some(l), 0) => format!("break '{};", l.label),
            (Some(l), 1) => format!("continue '{};", l.label),
            (_, 2) => format!("return Err({});", self.expr(1)),
            _ => "return Ok(acc);".to_string(),
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
        let e = self.expr(0);
        self.if_let_on(e);
    }

    /// `if let Some(y) = half(E) { .. }`.
    fn if_let_on(&mut self, e: String) {
        let y = self.fresh("y");
        self.line(&format!("if let Some({y}) = half({e}) {{"));
        self.block(|g| {
            g.ints.last_mut().unwrap().push(y);
            g.stmts();
        });
        self.line("}");
    }

    fn match_stmt(&mut self) {
        let e = self.expr(0);
        self.match_on(e);
    }

    /// `match E % 3 { .. }`.
    fn match_on(&mut self, e: String) {
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

/// A statement moving `v` (of `kind`) out of its local.
///
/// A struct that a borrow shape used (`borrowed`) is moved whole before its
/// field is: the pin stage cannot take a local out of its slot for a partial
/// move while a value that *may* hold a borrow of it is used afterwards, and
/// its test of "may" is syntactic (`let y = f(c.peek().await)?;` may hold
/// `c`). That is known failure f30; the corpus covers the partial moves it
/// accepts (`borrows::field_move_at_last_use_after_assignment`).
fn move_stmt(v: &str, kind: Kind, borrowed: bool) -> String {
    match kind {
        Kind::D => format!("consume({v});"),
        Kind::Ds => format!("consume_all({v});"),
        Kind::Str => format!("log({v});"),
        Kind::Nums => format!("drop({v});"),
        // A partial move: the struct is unusable afterwards.
        Kind::Counter if borrowed => format!("consume({{ let whole = {v}; whole.tag }});"),
        Kind::Counter => format!("consume({v}.tag);"),
    }
}

/// Borrow shapes: references to locals, futures and loops that borrow them,
/// held across awaits.
impl Gen<'_> {
    /// Inner statements of a shape, while its borrow is held (none when the
    /// shape is already deep).
    fn inner(&mut self) {
        if self.depth >= 3 {
            return;
        }
        self.depth += 1;
        self.stmts();
        self.depth -= 1;
    }

    /// A random reference in scope that is still used later.
    fn pick_ref(&mut self) -> Option<(String, Kind, bool)> {
        let all: Vec<(String, Kind, bool)> = self
            .refs
            .iter()
            .flatten()
            .map(|r| (r.name.clone(), r.kind, r.mutable))
            .collect();
        (!all.is_empty()).then(|| all[self.rng.below(all.len() as u64) as usize].clone())
    }

    fn forget_ref(&mut self, name: &str) {
        for scope in &mut self.refs {
            scope.retain(|r| r.name != name);
        }
    }

    /// Declares a fresh `let mut` local of `kind`; returns its name.
    fn new_owner(&mut self, kind: Kind) -> String {
        let name = match kind {
            Kind::D => {
                let d = self.fresh("d");
                self.line(&format!("let mut {d} = D(\"{d}\");"));
                d
            }
            Kind::Ds => {
                let v = self.fresh("v");
                let n = 1 + self.rng.below(3) as usize;
                let items: Vec<String> = (0..n)
                    .map(|i| format!("D(\"{v}{}\")", (b'a' + i as u8) as char))
                    .collect();
                self.line(&format!("let mut {v} = vec![{}];", items.join(", ")));
                v
            }
            Kind::Str => {
                let s = self.fresh("s");
                if self.rng.chance(50) {
                    let e = self.expr(1);
                    self.line(&format!("let mut {s} = format!(\"ab {{}} cd\", {e});"));
                } else {
                    self.line(&format!("let mut {s} = String::from(\"ab cd ef\");"));
                }
                s
            }
            Kind::Nums => {
                let u = self.fresh("u");
                let e = self.expr(1);
                let k = self.rng.below(10);
                self.line(&format!("let mut {u} = vec![{e}, {k}u32];"));
                u
            }
            Kind::Counter => {
                let c = self.fresh("ct");
                self.line(&format!("let mut {c} = Counter::new(\"{c}\");"));
                c
            }
        };
        self.declare(name.clone(), kind, true);
        name
    }

    fn any_kind(&mut self, kinds: &[Kind]) -> Kind {
        kinds[self.rng.below(kinds.len() as u64) as usize]
    }

    /// A local of one of `kinds` to borrow (`&mut` if `exclusive`): one in
    /// scope, or a fresh one.
    fn owner(&mut self, kinds: &[Kind], exclusive: bool) -> (String, Kind) {
        if self.rng.chance(60) {
            let found = self.pick(|v| {
                kinds.contains(&v.kind)
                    && if exclusive {
                        v.writable()
                    } else {
                        v.readable()
                    }
            });
            if let Some(found) = found {
                self.value(&found.0).borrowed = true;
                return found;
            }
        }
        let kind = self.any_kind(kinds);
        let v = self.new_owner(kind);
        self.value(&v).borrowed = true;
        (v, kind)
    }

    /// A `u32` read of a value of `kind` through `a`; may await.
    fn read(&mut self, a: &Access, kind: Kind) -> String {
        let (p, s) = (&a.path, &a.shared);
        let first = self.rng.chance(50);
        match kind {
            Kind::D if first => format!("see_len({s})"),
            Kind::D => format!("look({s}).await"),
            Kind::Ds if first => format!("see_all({s})"),
            Kind::Ds => format!("({p}.len() as u32)"),
            Kind::Str if first => format!("measure({s}).await"),
            Kind::Str => format!("({p}.len() as u32)"),
            Kind::Nums if first => format!("total({s})"),
            Kind::Nums => format!("len_later({s}).await"),
            Kind::Counter if first => {
                // The result may hold a borrow of it (see `move_stmt`).
                if let Some(v) = self.scopes.iter_mut().flatten().find(|v| &v.name == p) {
                    v.borrowed = true;
                }
                format!("{p}.peek().await")
            }
            Kind::Counter => format!("{p}.n"),
        }
    }

    /// A `u32` expression that mutates a value of `kind` through `a`
    /// (a future holding `&mut` to it, awaited).
    fn write_expr(&mut self, a: &Access, kind: Kind) -> String {
        let (p, x) = (a.path.clone(), a.exclusive.clone());
        match kind {
            Kind::D => self.read(a, kind),
            Kind::Ds => {
                let f = self.fresh("f");
                format!("fill({x}, \"{f}\").await")
            }
            Kind::Str => format!("grow({x}, {}).await", self.expr(1)),
            Kind::Nums if self.rng.chance(50) => format!("fill_nums({x}, {}).await", self.expr(1)),
            Kind::Nums => format!("append({x}, {}).await", self.expr(1)),
            Kind::Counter => format!("{p}.bump({}).await", self.expr(1)),
        }
    }

    /// A statement reading a value of `kind` through `a`.
    fn read_stmt(&mut self, a: &Access, kind: Kind) {
        match kind {
            Kind::D if self.rng.chance(50) => self.line(&format!("see({});", a.shared)),
            Kind::Counter if self.rng.chance(50) => self.line(&format!("see(&{}.tag);", a.path)),
            _ => {
                let e = self.read(a, kind);
                self.line(&format!("acc = acc.wrapping_add({e});"));
            }
        }
    }

    /// A statement mutating a value of `kind` through `a`.
    fn write_stmt(&mut self, a: &Access, kind: Kind) {
        let p = a.path.clone();
        match (kind, self.rng.chance(50)) {
            (Kind::D, _) => {
                let d = self.fresh("d");
                self.line(&format!("{} = D(\"{d}\");", a.place));
            }
            (Kind::Ds, true) => {
                let d = self.fresh("d");
                self.line(&format!("{p}.push(D(\"{d}\"));"));
            }
            (Kind::Str, true) => self.line(&format!("{p}.push_str(\" gh\");")),
            (Kind::Nums, true) => {
                let e = self.expr(1);
                self.line(&format!("{p}.push({e});"));
            }
            _ => {
                let e = self.write_expr(a, kind);
                self.line(&format!("acc = acc.wrapping_add({e});"));
            }
        }
    }

    /// Exits under a condition (or by `?`) while the reference `r` is held,
    /// using it on the way out.
    fn exit_with(&mut self, r: &str, kind: Kind) {
        let a = Access::reference(r);
        if self.rng.chance(30) {
            let y = self.fresh("y");
            let e = self.read(&a, kind);
            self.line(&format!("let {y} = fallible({e})?;"));
            self.ints.last_mut().unwrap().push(y);
            return;
        }
        let c = self.cond(0);
        self.line(&format!("if {c} {{"));
        self.indent += 1;
        self.read_stmt(&a, kind);
        let exit = self.exit();
        self.line(&exit);
        self.indent -= 1;
        self.line("}");
    }

    /// Holds the reference `r` (just declared) across awaits and random
    /// statements, maybe exits with it, then uses it a last time.
    fn hold(&mut self, r: &str, kind: Kind, mutable: bool) {
        let a = Access::reference(r);
        self.refs.last_mut().unwrap().push(Ref {
            name: r.to_string(),
            kind,
            mutable,
        });
        if mutable && self.rng.chance(60) {
            self.write_stmt(&a, kind);
        }
        // An await while `r` is live (it is used after).
        let l = self.fresh("l");
        let e = self.expr(1);
        self.line(&format!(
            "acc = acc.wrapping_add(leaf(\"{l}\", {e}).await);"
        ));
        self.inner();
        if self.rng.chance(30) {
            self.exit_with(r, kind);
        }
        if mutable && self.rng.chance(50) {
            self.write_stmt(&a, kind);
        }
        self.read_stmt(&a, kind);
        self.forget_ref(r);
    }

    /// After the last use of a reference to `v`: maybe use, mutate or move
    /// `v`.
    fn after_owner(&mut self, v: &str, kind: Kind) {
        let a = Access::owner(v);
        let here = self.loops.len();
        match self.rng.below(4) {
            0 => self.read_stmt(&a, kind),
            1 if self.value(v).writable() => self.write_stmt(&a, kind),
            2 if self.value(v).movable(here) => {
                self.value(v).moved = true;
                self.line(&move_stmt(v, kind, true));
            }
            _ => {}
        }
    }

    fn borrow_stmt(&mut self) {
        match self.rng.below(14) {
            0..=2 => self.shared_ref(),
            3 | 4 => self.mut_ref(),
            5 => self.counter_calls(),
            6 | 7 => self.iter_loop(),
            8 => self.borrowing_future(),
            9 => self.temporary(),
            10 => {
                let kind = self.any_kind(&OWNERS);
                self.new_owner(kind);
            }
            11 | 12 => self.use_ref_or_owner(),
            _ => match self.pick_ref() {
                Some((r, kind, _)) => self.exit_with(&r, kind),
                None => self.shared_ref(),
            },
        }
    }

    /// `let r = &v;` (or `&D(..)`, a lifetime-extended temporary), awaits and
    /// statements, the last use of `r`, then maybe `v` used or moved.
    fn shared_ref(&mut self) {
        let r = self.fresh("r");
        if self.rng.chance(15) {
            let t = self.fresh("t");
            self.line(&format!("let {r} = &D(\"{t}\");"));
            self.hold(&r, Kind::D, false);
            return;
        }
        let (v, kind) = self.owner(&OWNERS, false);
        self.line(&format!("let {r} = &{v};"));
        self.value(&v).shared += 1;
        self.hold(&r, kind, false);
        self.value(&v).shared -= 1;
        self.after_owner(&v, kind);
    }

    /// `let m = &mut v;`, writes through `m` around awaits and statements,
    /// then maybe `v` used, mutated or moved.
    fn mut_ref(&mut self) {
        let (v, kind) = self.owner(&OWNERS, true);
        let m = self.fresh("m");
        self.line(&format!("let {m} = &mut {v};"));
        self.value(&v).excl = true;
        self.hold(&m, kind, true);
        self.value(&v).excl = false;
        self.after_owner(&v, kind);
    }

    /// `c.bump(x).await; .. c.bump(y).await; c.n`: `&mut self` methods
    /// returning futures that hold the borrow, in sequence on a local.
    fn counter_calls(&mut self) {
        let (c, _) = self.owner(&[Kind::Counter], true);
        let e = self.expr(1);
        self.line(&format!("acc = acc.wrapping_add({c}.bump({e}).await);"));
        self.inner();
        // The statements may have moved or borrowed it.
        if self.value(&c).writable() {
            let e = self.expr(1);
            self.line(&format!("acc = acc.wrapping_add({c}.bump({e}).await);"));
        }
        if self.value(&c).readable() {
            self.line(&format!("see(&{c}.tag);"));
            self.line(&format!("acc = acc.wrapping_add({c}.n);"));
        }
    }

    /// A `for` loop over a local collection (borrowed by the iterator), with
    /// awaits in the body; the collection used after the loop.
    fn iter_loop(&mut self) {
        let (v, kind) = self.owner(&[Kind::Ds, Kind::Str, Kind::Nums], false);
        let writable = self.value(&v).writable();
        let x = self.fresh("x");
        let i = self.fresh("i");
        let label = self.fresh("a");
        // (header, element reference kind, element is `&mut`, ints).
        let (header, element, exclusive, ints): (String, Option<Kind>, bool, Vec<String>) =
            match (kind, self.rng.below(if writable { 4 } else { 3 })) {
                (Kind::Ds, 0) => (format!("{x} in {v}.iter()"), Some(Kind::D), false, vec![]),
                (Kind::Ds, 1) => (
                    format!("({i}, {x}) in {v}.iter().enumerate()"),
                    Some(Kind::D),
                    false,
                    vec![format!("({i} as u32)")],
                ),
                (Kind::Ds, 2) => (format!("{x} in &{v}"), Some(Kind::D), false, vec![]),
                (Kind::Ds, _) => (
                    format!("{x} in {v}.iter_mut()"),
                    Some(Kind::D),
                    true,
                    vec![],
                ),
                (Kind::Str, 0 | 3) => (
                    format!("{x} in {v}.split_whitespace()"),
                    Some(Kind::Str),
                    false,
                    vec![],
                ),
                (Kind::Str, 1) => (
                    format!("({i}, {x}) in {v}.split_whitespace().enumerate()"),
                    Some(Kind::Str),
                    false,
                    vec![format!("({i} as u32)")],
                ),
                (Kind::Str, _) => (
                    format!("{x} in {v}.bytes()"),
                    None,
                    false,
                    vec![format!("({x} as u32)")],
                ),
                (_, 0) => (
                    format!("{x} in {v}.iter()"),
                    None,
                    false,
                    vec![format!("(*{x})")],
                ),
                (_, 1 | 2) => (
                    format!("({i}, {x}) in {v}.iter().enumerate()"),
                    None,
                    false,
                    vec![format!("(*{x})"), format!("({i} as u32)")],
                ),
                (_, _) => (
                    format!("{x} in {v}.iter_mut()"),
                    None,
                    true,
                    vec![format!("(*{x})")],
                ),
            };
        if exclusive {
            self.value(&v).excl = true;
        } else {
            self.value(&v).shared += 1;
        }
        self.line(&format!("'{label}: for {header} {{"));
        self.loops.push(Loop {
            label: label.clone(),
            with_value: false,
        });
        self.block(|g| {
            g.ints.last_mut().unwrap().extend(ints);
            let a = Access::reference(&x);
            match element {
                Some(kind) => {
                    g.refs.last_mut().unwrap().push(Ref {
                        name: x.clone(),
                        kind,
                        mutable: exclusive,
                    });
                    if exclusive && g.rng.chance(50) {
                        g.write_stmt(&a, kind);
                    }
                    // An await that uses the element.
                    let e = match kind {
                        Kind::D => format!("look({x}).await"),
                        _ => format!("measure({x}).await"),
                    };
                    g.line(&format!("acc = acc.wrapping_add({e});"));
                }
                None if exclusive => {
                    let l = g.fresh("l");
                    let e = g.expr(1);
                    g.line(&format!(
                        "*{x} = (*{x}).wrapping_add(leaf(\"{l}\", {e}).await);"
                    ));
                }
                None => {
                    let l = g.fresh("l");
                    let e = g.int();
                    g.line(&format!(
                        "acc = acc.wrapping_add(leaf(\"{l}\", {e}).await);"
                    ));
                }
            }
            g.inner();
        });
        self.loops.pop();
        self.line("}");
        if exclusive {
            self.value(&v).excl = false;
        } else {
            self.value(&v).shared -= 1;
        }
        let a = Access::owner(&v);
        self.read_stmt(&a, kind);
        self.after_owner(&v, kind);
    }

    /// An awaited future holding `&mut` to a local, then the local used.
    fn borrowing_future(&mut self) {
        let (v, kind) = self.owner(&[Kind::Ds, Kind::Str, Kind::Nums, Kind::Counter], true);
        let a = Access::owner(&v);
        let e = self.write_expr(&a, kind);
        self.line(&format!("acc = acc.wrapping_add({e});"));
        let len = match kind {
            Kind::Counter => format!("{v}.n"),
            _ => format!("({v}.len() as u32)"),
        };
        self.line(&format!("acc = acc.wrapping_add({len});"));
    }

    /// A temporary borrowed by the awaited future.
    fn temporary_expr(&mut self) -> String {
        match self.rng.below(3) {
            0 => {
                let t = self.fresh("t");
                format!("look(&D(\"{t}\")).await")
            }
            1 => {
                let e = self.expr(1);
                format!("measure(&format!(\"ab{{}}\", {e})).await")
            }
            // An awaited value whose method's future borrows it: it lives
            // to the end of the statement.
            _ => {
                let t = self.fresh("tc");
                match self.rng.chance(50) {
                    true => format!("counter(\"{t}\").await.bump({}).await", self.expr(1)),
                    false => format!("counter(\"{t}\").await.peek().await"),
                }
            }
        }
    }

    /// A temporary borrowed by the awaited future: in a `let`, an
    /// assignment, or a `match` / `if let` scrutinee (where it lives to the
    /// end of the statement, across the awaits of its arms).
    fn temporary(&mut self) {
        let e = self.temporary_expr();
        match self.rng.below(if self.depth < 2 { 4 } else { 2 }) {
            0 => {
                let x = self.fresh("x");
                self.line(&format!("let {x}: u32 = {e};"));
                self.ints.last_mut().unwrap().push(x);
            }
            1 => {
                let e2 = self.temporary_expr();
                self.line(&format!("acc = acc.wrapping_add(mix({e}, {e2}));"));
            }
            2 => self.match_on(e),
            _ => self.if_let_on(e),
        }
    }

    /// A use of a reference still held (or of a local).
    fn use_ref_or_owner(&mut self) {
        if let Some((r, kind, mutable)) = self.pick_ref() {
            let a = Access::reference(&r);
            if mutable && self.rng.chance(50) {
                self.write_stmt(&a, kind);
            } else {
                self.read_stmt(&a, kind);
            }
            return;
        }
        match self.pick(|v| v.kind != Kind::D && v.readable()) {
            Some((v, kind)) => {
                let a = Access::owner(&v);
                if self.value(&v).writable() && self.rng.chance(50) {
                    self.write_stmt(&a, kind);
                } else {
                    self.read_stmt(&a, kind);
                }
            }
            None => self.shared_ref(),
        }
    }

    /// A `u32` expression borrowing a local or a temporary.
    fn borrow_expr(&mut self) -> String {
        match self.rng.below(5) {
            0 => self.temporary_expr(),
            1 | 2 => match self.pick_ref() {
                Some((r, kind, mutable)) => {
                    let a = Access::reference(&r);
                    if mutable && self.rng.chance(40) {
                        self.write_expr(&a, kind)
                    } else {
                        self.read(&a, kind)
                    }
                }
                None => self.temporary_expr(),
            },
            _ => match self.pick(|v| v.readable()) {
                Some((v, kind)) => {
                    let a = Access::owner(&v);
                    if self.value(&v).writable() && self.rng.chance(40) {
                        self.write_expr(&a, kind)
                    } else {
                        self.read(&a, kind)
                    }
                }
                None => self.temporary_expr(),
            },
        }
    }
}
