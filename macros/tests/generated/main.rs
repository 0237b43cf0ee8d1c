//! Randomly generated bodies, compiled both as `#[coroutine]` and as
//! `async fn`, run on the corpus harness and compared with rustc's lowering
//! by the same drop-timing rule (`tests/corpus/common.rs`).
//!
//! The test writes the bodies into a scratch crate under
//! `target/generated-corpus/` (1,000 bodies a crate) and runs it, as
//! trybuild does. CI runs 1,000 bodies with seed 1. For a larger run:
//!
//! ```text
//! CORPUS_BODIES=20000 CORPUS_SEED=7 CORPUS_JOBS=2 cargo test -p asyncio-macros --test generated -- --nocapture
//! ```

mod bodies;

use std::path::{Path, PathBuf};
use std::process::Command;

const CHUNK: usize = 1000;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Helpers for the generator's borrow shapes (`bodies.rs`): fns and futures
/// that borrow a local, a struct with `&mut self` async methods.
const BORROW_HELPERS: &str = r#"
fn see_all(v: &[D]) -> u32 {
    for d in v {
        log(format!("see {}", d.0));
    }
    v.len() as u32
}
fn total(v: &[u32]) -> u32 {
    v.iter().fold(0u32, |a, b| a.wrapping_add(*b))
}
fn consume_all(v: Vec<D>) {
    let names: Vec<&str> = v.iter().map(|d| d.0).collect();
    log(format!("consume_all {}", names.join(" ")));
}
/// Sees `d` after an await.
async fn look(d: &D) -> u32 {
    leaf("look", ()).await;
    see_len(d)
}
/// Logs `s` after an await; returns its length.
async fn measure(s: &str) -> u32 {
    leaf("measure", ()).await;
    log(format!("measure {s}"));
    s.len() as u32
}
/// Pushes `D(name)` (made before the await) after an await.
async fn fill(buf: &mut Vec<D>, name: &'static str) -> u32 {
    let d = leaf("fill", D(name)).await;
    buf.push(d);
    buf.len() as u32
}
/// Appends a word after an await.
async fn grow(s: &mut String, x: u32) -> u32 {
    let k = leaf("grow", x).await;
    s.push_str(&format!(" gh{k}"));
    s.len() as u32
}
async fn fill_nums(buf: &mut Vec<u32>, x: u32) -> u32 {
    buf.push(leaf("fill_nums", x).await);
    total(buf)
}
/// A plain fn whose future captures the slice's lifetime.
fn len_later(v: &[u32]) -> impl Future<Output = u32> + '_ {
    leaf("len_later", v.len() as u32)
}
/// A hand-made future holding `&mut Vec<u32>`: pending once, then pushes.
struct Append<'a>(&'a mut Vec<u32>, u32, bool);
impl Future for Append<'_> {
    type Output = u32;
    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        let this = &mut *self;
        if !this.2 {
            this.2 = true;
            log(format!("pend append {}", this.1));
            return Poll::Pending;
        }
        this.0.push(this.1);
        log(format!("append {}", this.1));
        Poll::Ready(this.0.len() as u32)
    }
}
fn append(v: &mut Vec<u32>, x: u32) -> Append<'_> {
    Append(v, x, false)
}
struct Counter {
    n: u32,
    tag: D,
}
impl Counter {
    fn new(tag: &'static str) -> Self {
        Counter { n: 0, tag: D(tag) }
    }
    /// A `&mut self` method returning a future that holds the borrow.
    fn bump(&mut self, by: u32) -> impl Future<Output = u32> + '_ {
        async move {
            let k = leaf("bump", by).await;
            self.n = self.n.wrapping_add(k);
            log(format!("bump {} {}", self.tag.0, self.n));
            self.n
        }
    }
    async fn peek(&self) -> u32 {
        let v = leaf("peek", self.n).await;
        see(&self.tag);
        v
    }
}
/// A new `Counter`, after an await.
async fn counter(tag: &'static str) -> Counter {
    leaf("counter", 0u32).await;
    Counter::new(tag)
}
"#;

/// The scratch crate's `main.rs`: the harness, helpers, bodies, a runner.
fn crate_source(bodies: &[(String, String)]) -> String {
    let common = workspace().join("macros/tests/corpus/common.rs");
    let mut src = format!(
        r#"#![allow(unused, clippy::all)]
#[path = {common:?}]
#[macro_use]
mod common;
use common::*;

fn see_len(d: &D) -> u32 {{
    log(format!("see {{}}", d.0));
    d.0.len() as u32
}}
fn consume(d: D) {{
    log(format!("consume {{}}", d.0));
}}
fn fallible(v: u32) -> Result<u32, u32> {{
    if v % 7 == 6 {{ Err(v) }} else {{ Ok(v / 2) }}
}}
fn half(v: u32) -> Option<u32> {{
    (v % 2 == 0).then_some(v / 2)
}}
fn mix(a: u32, b: u32) -> u32 {{
    log(format!("mix {{a}} {{b}}"));
    a.wrapping_mul(31) ^ b
}}

"#
    );
    src.push_str(BORROW_HELPERS);
    for (_, body) in bodies {
        src.push_str(&format!("both!(\n{body});\n"));
    }
    src.push_str("\nfn main() {\n    let checks: Vec<(&str, fn(u32))> = vec![\n");
    for (name, _) in bodies {
        src.push_str(&format!("        ({name:?}, |p| agree!({name}(p))),\n"));
    }
    src.push_str(
        r#"    ];
    std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    let mut failed = Vec::new();
    for (name, check) in &checks {
        for p in [0u32, 1, 6] {
            if std::panic::catch_unwind(|| check(p)).is_err() {
                failed.push(format!("{name}(p = {p})"));
            }
        }
    }
    let sizes: Vec<(String, usize, usize)> = inventory::iter::<Body>
        .into_iter()
        .map(|b| { let (o, r) = (b.sizes)(); (b.name.to_string(), o, r) })
        .collect();
    let (median, p90, max) = distribution(&sizes);
    println!("bodies {} failed {} frame-ratio median {median:.2} p90 {p90:.2} max {max:.2}", checks.len(), failed.len());
    for f in &failed {
        println!("FAILED {f}");
    }
    std::process::exit(if failed.is_empty() { 0 } else { 1 });
}
"#,
    );
    src
}

/// A scratch crate `name` with `main.rs`, depending on asyncio and inventory.
fn scratch_crate(name: &str, main: &str) -> PathBuf {
    let root = workspace();
    let dir = root.join(format!("target/generated-corpus/{name}"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nasyncio = {{ path = {:?} }}\ninventory = \"0.3\"\n\n[workspace]\n",
        root.join("runtime")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    // The workspace's lock file: the same dependency versions, no network.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    dir
}

/// `cargo SUBCOMMAND` on a scratch crate; `worker` picks the target
/// directory (one per concurrent worker).
fn cargo(dir: &Path, subcommand: &str, worker: usize) -> std::process::Output {
    let target = workspace().join(format!("target/generated-corpus/target{worker}"));
    Command::new(env!("CARGO"))
        .args([subcommand, "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        // Whole builds: what is measured, and nothing to reuse between chunks.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("cargo runs")
}

/// Writes and runs one scratch crate of bodies; returns its summary line.
fn run_chunk(index: usize, bodies: &[(String, String)], worker: usize) -> String {
    let dir = scratch_crate(&format!("generated-corpus-{index}"), &crate_source(bodies));
    let output = cargo(&dir, "run", worker);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.success(),
        "generated chunk {index} failed (source: {}):\n{stdout}\n{}",
        dir.join("src/main.rs").display(),
        stderr.lines().take(80).collect::<Vec<_>>().join("\n")
    );
    stdout
        .lines()
        .find(|l| l.starts_with("bodies"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn generated_bodies_agree_with_async_fn() {
    let count = env_or("CORPUS_BODIES", 1000) as usize;
    let seed = env_or("CORPUS_SEED", 1);
    let mut rng = bodies::Rng::new(seed);
    let bodies: Vec<(String, String)> = (0..count)
        .map(|i| {
            let name = format!("g{i}");
            let body = bodies::body(&mut rng, &name);
            (name, body)
        })
        .collect();
    // `CORPUS_JOBS=2` builds two chunks at a time (each in its own target
    // directory).
    let jobs = env_or("CORPUS_JOBS", 1).max(1) as usize;
    let chunks: Vec<&[(String, String)]> = bodies.chunks(CHUNK).collect();
    // `CORPUS_SKIP_CHUNKS=0,1,3` resumes a long run without repeating chunks.
    let skip: Vec<usize> = std::env::var("CORPUS_SKIP_CHUNKS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let todo: Vec<usize> = (0..chunks.len()).filter(|c| !skip.contains(c)).collect();
    std::thread::scope(|scope| {
        for worker in 0..jobs {
            let (chunks, todo) = (&chunks, &todo);
            scope.spawn(move || {
                for &index in todo.iter().skip(worker).step_by(jobs) {
                    let summary = run_chunk(index, chunks[index], worker);
                    let start = index * CHUNK;
                    println!(
                        "seed {seed}, bodies {start}..{}: {summary}",
                        start + chunks[index].len()
                    );
                }
            });
        }
    });
}

/// Compile time of the same 300 bodies as `#[coroutine] fn` and as `async
/// fn`, each crate built from a warm dependency cache:
///
/// ```text
/// cargo test -p asyncio-macros --release --test generated compile_time -- --ignored --nocapture
/// ```
#[test]
#[ignore = "a measurement: run it by name"]
fn compile_time_ratio() {
    let count = env_or("COMPILE_BODIES", 300) as usize;
    let mut rng = bodies::Rng::new(env_or("CORPUS_SEED", 1));
    let fns: Vec<String> = (0..count)
        .map(|i| bodies::body(&mut rng, &format!("g{i}")))
        .collect();
    let common = workspace().join("macros/tests/corpus/common.rs");
    let prelude = format!(
        "#![allow(unused, clippy::all)]\n#[path = {common:?}]\n#[macro_use]\nmod common;\nuse common::*;\n\
         fn see_len(d: &D) -> u32 {{ d.0.len() as u32 }}\nfn consume(d: D) {{}}\n\
         fn fallible(v: u32) -> Result<u32, u32> {{ if v % 7 == 6 {{ Err(v) }} else {{ Ok(v / 2) }} }}\n\
         fn half(v: u32) -> Option<u32> {{ (v % 2 == 0).then_some(v / 2) }}\n\
         fn mix(a: u32, b: u32) -> u32 {{ a.wrapping_mul(31) ^ b }}\nfn main() {{}}\n{BORROW_HELPERS}"
    );
    let time = |name: &str, attr: &str, keyword: &str| {
        let mut src = prelude.clone();
        for f in &fns {
            src.push_str(&format!("{attr}\npub {keyword}{f}"));
        }
        let dir = scratch_crate(name, &src);
        assert!(cargo(&dir, "build", 0).status.success(), "{name} builds");
        // Timed: the crate alone, its dependencies already built.
        std::fs::write(dir.join("src/main.rs"), &src).unwrap();
        let start = std::time::Instant::now();
        let output = cargo(&dir, "build", 0);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        start.elapsed().as_secs_f64()
    };
    let ours = time("compile-time-coroutine", "#[asyncio::coroutine]", "");
    let rustc = time("compile-time-async", "", "async ");
    println!(
        "{count} fns: #[coroutine] {ours:.1} s, async fn {rustc:.1} s, ratio {:.2}",
        ours / rustc
    );
}
