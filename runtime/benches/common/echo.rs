//! The driver of the TCP echo benches (`echo_protocol`, `echo_streams`):
//! each bench supplies its two sides ([`Sides`]: a one-loop run, clients
//! against a server address, a server that serves forever) and this runs
//! the cases, the child processes and the syscall count, the same way for
//! both.
//!
//! The workload: 1 KiB messages echoed over loopback TCP; each client sends
//! a message, waits for its whole echo, sends the next; all connections at
//! once; 1, 10 and 100 connections. Two layouts: client and server in one
//! loop, and the server in a child process (the bench binary again, in a
//! server role, printing its port) with the clients in the bench process.
//! Only the round trips are timed (connecting is not); the sides run
//! alternately ([`super::compare_times`]) and the ratio is printed in
//! round trips per second (ours / tokio, higher is better).
//!
//! Environment: `ECHO_ROUND_TRIPS` (round trips per case, spread over the
//! connections; default 100,000), `BENCH_SIDE` (see `common`). The child
//! roles (selected by the bench's role variable) are also what the Python
//! scripts beside the benches run with `--ours`: `time-ours` (one loop) and
//! `time-ours-two` (with a server child), given `ECHO_CONNS` and
//! `ECHO_ROUNDS` (per connection), warm up once and print the seconds of
//! one timed run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Bytes per message.
pub const MESSAGE_SIZE: usize = 1024;
/// The message every client sends.
pub static MESSAGE: [u8; MESSAGE_SIZE] = [b'x'; MESSAGE_SIZE];
/// Round trips per case (all connections together), by default.
pub const ROUND_TRIPS: usize = 100_000;
/// The connection counts measured.
pub const CONNECTIONS: [usize; 3] = [1, 10, 100];
/// Connections of the syscall count.
pub const TRACED_CONNECTIONS: usize = 10;
/// Round trips per connection of the syscall count's long and short runs.
pub const TRACED_ROUNDS: (usize, usize) = (1_000, 100);
/// Target: at least tokio's round trips per second.
pub const TARGET_RATIO: f64 = 1.0;

/// One bench's two sides. Each function sets up its own runtime (a fresh
/// loop of this crate, or a fresh tokio `current_thread` runtime), and the
/// timed ones return the time of the round trips alone.
pub struct Sides {
    /// What the rows call the workload (`echo 1 KiB`, `streams echo 1 KiB`).
    pub label: &'static str,
    /// The environment variable selecting a child's role.
    pub role_var: &'static str,
    /// The target of the syscall count (ours, per round trip), if any.
    pub syscall_target: Option<f64>,
    /// Server and `conns` clients of `rounds` round trips in one loop.
    pub ours_one_loop: fn(conns: usize, rounds: usize) -> Duration,
    /// `conns` clients of `rounds` round trips against the server at `addr`.
    pub ours_clients: fn(addr: SocketAddr, conns: usize, rounds: usize) -> Duration,
    /// A server on a free port of 127.0.0.1: prints the port, serves until
    /// killed.
    pub ours_serve: fn(),
    /// As `ours_one_loop`, on tokio.
    pub tokio_one_loop: fn(conns: usize, rounds: usize) -> Duration,
    /// As `ours_clients`, on tokio.
    pub tokio_clients: fn(addr: SocketAddr, conns: usize, rounds: usize) -> Duration,
    /// As `ours_serve`, on tokio.
    pub tokio_serve: fn(),
}

/// A child process of the current executable in a server role, killed
/// when dropped.
pub struct ServerChild {
    child: Child,
    /// Where it listens (127.0.0.1 and the port it printed).
    pub addr: SocketAddr,
}

impl ServerChild {
    /// Starts this binary with `role_var=role` and reads the port it
    /// prints as its first line.
    pub fn start(role_var: &str, role: &str) -> ServerChild {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(role_var, role)
            .stdout(Stdio::piped())
            .spawn()
            .expect("server child");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("child stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("child's port");
        let port: u16 = line.trim().parse().expect("a port");
        ServerChild {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `name` parsed from the environment, if set.
pub fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a count"))
    })
}

/// Runs this binary's traced one-loop case (`role`, with `rounds` per
/// connection) under `strace -f -c`: the calls of each syscall.
fn strace_counts(role_var: &str, role: &str, rounds: usize) -> Option<BTreeMap<String, u64>> {
    let out = std::env::temp_dir().join(format!("echo.{}.strace", std::process::id()));
    let status = Command::new("strace")
        .arg("-f")
        .arg("-c")
        .arg("-o")
        .arg(&out)
        .arg(std::env::current_exe().expect("own path"))
        .env(role_var, role)
        .env("ECHO_ROUNDS", rounds.to_string())
        .stdout(Stdio::null())
        .status()
        .ok()?;
    let text = std::fs::read_to_string(&out).ok();
    let _ = std::fs::remove_file(&out);
    if !status.success() {
        return None;
    }
    // Rows: % time, seconds, usecs/call, calls, [errors], syscall.
    let mut counts = BTreeMap::new();
    for line in text?.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 5 || fields[0].parse::<f64>().is_err() {
            continue;
        }
        if let (Ok(calls), Some(name)) = (fields[3].parse::<u64>(), fields.last()) {
            counts.insert((*name).to_owned(), calls);
        }
    }
    Some(counts)
}

/// Syscalls per round trip of the traced case: (long - short) / Δ round
/// trips, in total and by syscall.
fn syscalls_per_round_trip(role_var: &str, role: &str) -> Option<(f64, Vec<(String, f64)>)> {
    let (long, short) = TRACED_ROUNDS;
    let a = strace_counts(role_var, role, long)?;
    let b = strace_counts(role_var, role, short)?;
    let trips = ((long - short) * TRACED_CONNECTIONS) as f64;
    let per = |name: &str| {
        (*a.get(name).unwrap_or(&0) as f64 - *b.get(name).unwrap_or(&0) as f64) / trips
    };
    let mut by_call: Vec<(String, f64)> = a
        .keys()
        .filter(|name| *name != "total")
        .map(|name| (name.clone(), per(name)))
        .filter(|(_, n)| *n >= 0.005)
        .collect();
    by_call.sort_by(|x, y| y.1.total_cmp(&x.1));
    Some((per("total"), by_call))
}

/// Whether `tool` runs (`tool -V`).
fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Plays the child role named by `sides.role_var`, if set; `true` if this
/// process was a child.
fn child_role(sides: &Sides) -> bool {
    let Ok(role) = std::env::var(sides.role_var) else {
        return false;
    };
    let rounds = || env_usize("ECHO_ROUNDS").expect("ECHO_ROUNDS");
    match role.as_str() {
        "server-ours" => (sides.ours_serve)(),
        "server-tokio" => (sides.tokio_serve)(),
        "trace-ours" => {
            (sides.ours_one_loop)(TRACED_CONNECTIONS, rounds());
        }
        "trace-tokio" => {
            (sides.tokio_one_loop)(TRACED_CONNECTIONS, rounds());
        }
        "time-ours" | "time-ours-two" => {
            // For the Python scripts' `--ours`: one case, a warm-up then
            // one timed run, whose seconds go to stdout.
            let conns = env_usize("ECHO_CONNS").expect("ECHO_CONNS");
            let server = (role == "time-ours-two")
                .then(|| ServerChild::start(sides.role_var, "server-ours"));
            let mut elapsed = Duration::ZERO;
            for _ in 0..2 {
                elapsed = match &server {
                    Some(server) => (sides.ours_clients)(server.addr, conns, rounds()),
                    None => (sides.ours_one_loop)(conns, rounds()),
                };
            }
            println!("{}", elapsed.as_secs_f64());
        }
        other => panic!("unknown role {other}"),
    }
    true
}

/// One case's result, for the summary.
struct Case {
    name: String,
    /// Round trips per second, ours / tokio.
    ratio: f64,
}

/// Prints the round trips per second of both sides (medians in seconds
/// for `trips` round trips), their ratio and whether the target is met;
/// returns the ratio.
fn report(ours: f64, tokio: f64, trips: usize) -> f64 {
    let t = trips as f64;
    let ratio = tokio / ours;
    println!(
        "  round trips/s: ours {:.0}, tokio {:.0}, ours/tokio {ratio:.2}x (target >= {TARGET_RATIO:.1}x: {})",
        t / ours,
        t / tokio,
        met(ratio >= TARGET_RATIO, ratio)
    );
    ratio
}

fn met(ok: bool, value: f64) -> &'static str {
    if value.is_nan() {
        "-"
    } else if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// The bench: the child role if this process is one, else every case in
/// both layouts, a summary, and the syscall count when `strace` is there.
pub fn main(sides: &Sides) {
    if child_role(sides) {
        return;
    }
    let total = env_usize("ECHO_ROUND_TRIPS").unwrap_or(ROUND_TRIPS);
    let label = sides.label;
    let mut cases = Vec::new();
    super::print_header();
    for conns in CONNECTIONS {
        let rounds = total / conns;
        let name = format!("{label}, one loop, {conns} conn x {rounds}");
        let (ours, tokio) = super::compare_times(
            &name,
            1.0 / TARGET_RATIO,
            super::REPS,
            || (sides.ours_one_loop)(conns, rounds),
            || (sides.tokio_one_loop)(conns, rounds),
        );
        let ratio = report(ours, tokio, rounds * conns);
        cases.push(Case { name, ratio });
    }
    {
        let our_server = ServerChild::start(sides.role_var, "server-ours");
        let tokio_server = ServerChild::start(sides.role_var, "server-tokio");
        for conns in CONNECTIONS {
            let rounds = total / conns;
            let name = format!("{label}, two processes, {conns} conn x {rounds}");
            let (ours, tokio) = super::compare_times(
                &name,
                1.0 / TARGET_RATIO,
                super::REPS,
                || (sides.ours_clients)(our_server.addr, conns, rounds),
                || (sides.tokio_clients)(tokio_server.addr, conns, rounds),
            );
            let ratio = report(ours, tokio, rounds * conns);
            cases.push(Case { name, ratio });
        }
    }
    println!();
    println!("summary, round trips/s ours / tokio (target >= {TARGET_RATIO:.1}x):");
    for case in &cases {
        println!(
            "  {:<52} {:>6.2}x  {}",
            case.name,
            case.ratio,
            met(case.ratio >= TARGET_RATIO, case.ratio)
        );
    }
    let reached = cases.iter().filter(|c| c.ratio >= TARGET_RATIO).count();
    println!("  target met in {reached} of {} cases", cases.len());
    println!();
    if !have("strace") {
        println!("syscalls per round trip: skipped (strace not found)");
        return;
    }
    let target = match sides.syscall_target {
        Some(t) => format!("; target <= {t}"),
        None => String::new(),
    };
    println!(
        "syscalls per round trip, one loop, {TRACED_CONNECTIONS} connections \
         (strace -f -c; client and server both counted{target}):"
    );
    for (side, role) in [("ours", "trace-ours"), ("tokio", "trace-tokio")] {
        match syscalls_per_round_trip(sides.role_var, role) {
            Some((total, by_call)) => {
                let verdict = match (side, sides.syscall_target) {
                    ("ours", Some(t)) => format!("  target: {}", met(total <= t, total)),
                    _ => String::new(),
                };
                let parts: Vec<String> = by_call
                    .iter()
                    .map(|(name, n)| format!("{name} {n:.2}"))
                    .collect();
                println!("  {side:<6} {total:.2}{verdict}  ({})", parts.join(", "));
            }
            None => println!("  {side:<6} skipped (strace failed)"),
        }
    }
}

/// The tokio side's plumbing, the same in every echo bench: listening,
/// serving a task per connection, connecting the clients, timing them.
pub mod tokio_side {
    use std::future::Future;
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use tokio::net::{TcpListener, TcpStream};

    /// A listener on a free loopback port.
    pub async fn listen() -> TcpListener {
        TcpListener::bind("127.0.0.1:0").await.expect("bind")
    }

    /// Accepts forever, running `echo` as a task per connection.
    pub async fn serve<Fut>(listener: TcpListener, echo: fn(TcpStream) -> Fut)
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            tokio::spawn(echo(stream));
        }
    }

    /// Connects `conns` clients to `addr`, then times `client` on each,
    /// all at once (a task per client).
    pub async fn time_clients<Fut>(
        addr: SocketAddr,
        conns: usize,
        client: impl Fn(TcpStream) -> Fut,
    ) -> Duration
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut streams = Vec::with_capacity(conns);
        for _ in 0..conns {
            let stream = TcpStream::connect(addr).await.expect("connect");
            // As asyncio (and this crate) does for every TCP connection.
            stream.set_nodelay(true).expect("nodelay");
            streams.push(stream);
        }
        let start = Instant::now();
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|stream| tokio::spawn(client(stream)))
            .collect();
        for task in tasks {
            task.await.expect("client task");
        }
        start.elapsed()
    }

    /// Server and clients in one runtime: the time of `clients(addr)`.
    pub async fn one_loop<Fut, C>(echo: fn(TcpStream) -> Fut, clients: C) -> Duration
    where
        Fut: Future<Output = ()> + Send + 'static,
        C: AsyncFnOnce(SocketAddr) -> Duration,
    {
        let listener = listen().await;
        let addr = listener.local_addr().expect("address");
        let server = tokio::spawn(serve(listener, echo));
        let elapsed = clients(addr).await;
        server.abort();
        elapsed
    }

    /// The server child: prints its port, then serves forever.
    pub async fn server_forever<Fut>(echo: fn(TcpStream) -> Fut)
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = listen().await;
        println!("{}", listener.local_addr().expect("address").port());
        serve(listener, echo).await;
    }
}
