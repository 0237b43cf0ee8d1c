//! TCP echo of 1 KiB messages over 1, 10 and 100 connections: this crate's
//! `Protocol`s and transports against tokio's `TcpStream` (read /
//! `write_all` on the server, `write_all` + `read_exact` on the clients,
//! `current_thread`), in the same run.
//!
//! Each client sends a message, waits for its whole echo, sends the next;
//! all connections run at once. Two layouts: client and server in one loop,
//! and the server in a child process (this binary again, in server mode,
//! printing its port) with the clients here. Only the round trips are
//! timed (connecting is not). The ratio is ours / tokio in time, so below
//! 1 means more round trips per second than tokio.
//!
//! With `strace` installed, the one-loop 10-connection case also runs in a
//! child under `strace -f -c`, for each runtime, and the syscalls per round
//! trip are printed: the difference between a long and a short run,
//! divided by the difference in round trips, so that setting up (the loop,
//! the connections) is left out.
//!
//! ```text
//! cargo bench -p asyncio --bench echo_protocol
//! ```
//!
//! `ECHO_ROUND_TRIPS` (round trips per case, spread over the connections;
//! default 100,000) and `BENCH_SIDE` (see `common`) tune a run.
//! `echo_protocol.py` beside this file runs the same workload on Python's
//! asyncio and uvloop (and, with `--ours`, this binary's cases alternately
//! with them, for ratios from one run).

mod common;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use asyncio::{Event, Protocol, ServerOptions, Transport};

/// Bytes per message.
const MESSAGE_SIZE: usize = 1024;
static MESSAGE: [u8; MESSAGE_SIZE] = [b'x'; MESSAGE_SIZE];
/// Round trips per case (all connections together), by default.
const ROUND_TRIPS: usize = 100_000;
/// The connection counts measured.
const CONNECTIONS: [usize; 3] = [1, 10, 100];
/// Connections of the syscall count.
const TRACED_CONNECTIONS: usize = 10;
/// Round trips per connection of the syscall count's long and short runs.
const TRACED_ROUNDS: (usize, usize) = (1_000, 100);
/// Target: at least tokio's round trips per second.
const TARGET_RATIO: f64 = 1.0;
/// Target: syscalls per round trip, one loop, 10 connections.
const TARGET_SYSCALLS: f64 = 5.0;

/// The environment variable selecting a child's role.
const ROLE: &str = "ECHO_PROTOCOL_ROLE";

// ---------------------------------------------------------------------------
// This crate's side.

/// The server: echoes whatever arrives.
#[derive(Default)]
struct EchoServer(Option<Transport>);

impl Protocol for EchoServer {
    fn connection_made(&mut self, transport: &Transport) {
        self.0 = Some(transport.clone());
    }

    fn data_received(&mut self, data: &[u8]) {
        if let Some(t) = &self.0 {
            t.write(data).expect("echo write");
        }
    }
}

/// What the clients of one run share: the connections still going, and
/// the event set when none is.
struct Shared {
    remaining: Cell<usize>,
    done: Event,
}

/// A client: after the first message (written by the caller), sends the
/// next each time the whole echo of the last one is in.
struct EchoClient {
    transport: Option<Transport>,
    shared: Rc<Shared>,
    /// Bytes of the current echo received.
    received: usize,
    rounds_left: usize,
}

impl Protocol for EchoClient {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
    }

    fn data_received(&mut self, data: &[u8]) {
        self.received += data.len();
        if self.received < MESSAGE_SIZE {
            return;
        }
        assert_eq!(self.received, MESSAGE_SIZE, "one message in flight");
        self.received = 0;
        self.rounds_left -= 1;
        if self.rounds_left > 0 {
            let t = self.transport.as_ref().expect("connected");
            t.write(&MESSAGE).expect("client write");
        } else {
            let left = self.shared.remaining.get() - 1;
            self.shared.remaining.set(left);
            if left == 0 {
                self.shared.done.set();
            }
        }
    }
}

/// Connects `conns` clients to `addr`, then times `rounds` round trips on
/// each, all at once.
#[asyncio::coroutine]
fn our_clients(addr: SocketAddr, conns: usize, rounds: usize) -> asyncio::Result<Duration> {
    let lp = asyncio::get_running_loop()?;
    let done = Event::new();
    let shared = Rc::new(Shared {
        remaining: Cell::new(conns),
        done: done.clone(),
    });
    let host = addr.ip().to_string();
    let mut transports: Vec<Transport> = Vec::with_capacity(conns);
    for _ in 0..conns {
        let client_shared = shared.clone();
        let factory = move || EchoClient {
            transport: None,
            shared: client_shared,
            received: 0,
            rounds_left: rounds,
        };
        let (transport, _) = lp.create_connection(factory, &host, addr.port()).await?;
        transports.push(transport);
    }
    let start = Instant::now();
    for t in &transports {
        t.write(&MESSAGE)?;
    }
    done.wait().await?;
    let elapsed = start.elapsed();
    for t in &transports {
        t.close();
    }
    Ok(elapsed)
}

/// An echo server on a free port of 127.0.0.1.
#[asyncio::coroutine]
fn our_server() -> asyncio::Result<asyncio::Server> {
    let lp = asyncio::get_running_loop()?;
    let options = ServerOptions {
        backlog: 1024,
        ..Default::default()
    };
    lp.create_server_with(EchoServer::default, "127.0.0.1", 0, options)
        .await
}

/// Server and clients in one loop.
#[asyncio::coroutine]
fn our_one_loop(conns: usize, rounds: usize) -> asyncio::Result<Duration> {
    let server = our_server().await?;
    let addr = server.sockets()[0].local_addr()?;
    let elapsed = our_clients(addr, conns, rounds).await?;
    server.close();
    Ok(elapsed)
}

/// The child's server: prints its port, serves until killed.
#[asyncio::coroutine]
fn our_server_forever() -> asyncio::Result<()> {
    let server = our_server().await?;
    println!("{}", server.sockets()[0].local_addr()?.port());
    server.serve_forever().await
}

/// Runs `fut` on a fresh loop of this crate; its output.
fn on_our_loop<F>(fut: F) -> F::Output
where
    F: std::future::Future,
{
    common::our_loop()
        .run_until_complete(fut)
        .expect("event loop")
}

// ---------------------------------------------------------------------------
// tokio's side.

mod tok {
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::MESSAGE;

    /// Echoes one connection until EOF.
    async fn echo(mut stream: TcpStream) {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if stream.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Accepts forever, a task per connection.
    pub async fn serve(listener: TcpListener) {
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            tokio::spawn(echo(stream));
        }
    }

    pub async fn listen() -> TcpListener {
        TcpListener::bind("127.0.0.1:0").await.expect("bind")
    }

    /// Connects `conns` clients, then times `rounds` round trips on each.
    pub async fn clients(addr: SocketAddr, conns: usize, rounds: usize) -> Duration {
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
            .map(|mut stream| {
                tokio::spawn(async move {
                    let mut buf = [0u8; MESSAGE.len()];
                    for _ in 0..rounds {
                        stream.write_all(&MESSAGE).await.expect("write");
                        stream.read_exact(&mut buf).await.expect("read");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("client task");
        }
        start.elapsed()
    }

    pub async fn one_loop(conns: usize, rounds: usize) -> Duration {
        let listener = listen().await;
        let addr = listener.local_addr().expect("address");
        let server = tokio::spawn(serve(listener));
        let elapsed = clients(addr, conns, rounds).await;
        server.abort();
        elapsed
    }

    pub async fn server_forever() {
        let listener = listen().await;
        println!("{}", listener.local_addr().expect("address").port());
        serve(listener).await;
    }
}

/// Runs `fut` on a fresh tokio `current_thread` runtime; its output.
fn on_tokio<F: std::future::Future>(fut: F) -> F::Output {
    common::tokio_rt().block_on(fut)
}

// ---------------------------------------------------------------------------
// Child processes.

/// A server child process, killed when dropped.
struct ServerChild {
    child: Child,
    addr: SocketAddr,
}

impl ServerChild {
    /// Starts this binary as a server (`role`) and reads its port.
    fn start(role: &str) -> ServerChild {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .env(ROLE, role)
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

/// Runs this binary's one-loop case (`role`, with `rounds` per
/// connection) under `strace -f -c`: the calls of each syscall.
fn strace_counts(role: &str, rounds: usize) -> Option<BTreeMap<String, u64>> {
    let out = std::env::temp_dir().join(format!("echo_protocol.{}.strace", std::process::id()));
    let status = Command::new("strace")
        .arg("-f")
        .arg("-c")
        .arg("-o")
        .arg(&out)
        .arg(std::env::current_exe().expect("own path"))
        .env(ROLE, role)
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
fn syscalls_per_round_trip(role: &str) -> Option<(f64, Vec<(String, f64)>)> {
    let (long, short) = TRACED_ROUNDS;
    let a = strace_counts(role, long)?;
    let b = strace_counts(role, short)?;
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

/// The child roles; `true` if this process was one.
fn child_role() -> bool {
    let Ok(role) = std::env::var(ROLE) else {
        return false;
    };
    let rounds = || -> usize {
        std::env::var("ECHO_ROUNDS")
            .expect("ECHO_ROUNDS")
            .parse()
            .expect("a count")
    };
    match role.as_str() {
        "server-ours" => on_our_loop(our_server_forever()).expect("server"),
        "server-tokio" => on_tokio(tok::server_forever()),
        "trace-ours" => {
            on_our_loop(our_one_loop(TRACED_CONNECTIONS, rounds())).expect("traced run");
        }
        "trace-tokio" => {
            on_tokio(tok::one_loop(TRACED_CONNECTIONS, rounds()));
        }
        "time-ours" | "time-ours-two" => {
            // For `echo_protocol.py --ours`: one case, a warm-up then one
            // timed run, whose seconds go to stdout.
            let conns: usize = std::env::var("ECHO_CONNS")
                .expect("ECHO_CONNS")
                .parse()
                .expect("a count");
            let server = (role == "time-ours-two").then(|| ServerChild::start("server-ours"));
            let mut elapsed = Duration::ZERO;
            for _ in 0..2 {
                elapsed = match &server {
                    Some(server) => on_our_loop(our_clients(server.addr, conns, rounds())),
                    None => on_our_loop(our_one_loop(conns, rounds())),
                }
                .expect("our run");
            }
            println!("{}", elapsed.as_secs_f64());
        }
        other => panic!("unknown role {other}"),
    }
    true
}

// ---------------------------------------------------------------------------

fn main() {
    if child_role() {
        return;
    }
    let total: usize = std::env::var("ECHO_ROUND_TRIPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ROUND_TRIPS);
    let report = |ours: f64, tokio: f64, trips: usize| {
        let t = trips as f64;
        println!(
            "  round trips/s: ours {:.0}, tokio {:.0}, ours/tokio {:.2}x",
            t / ours,
            t / tokio,
            tokio / ours
        );
    };
    common::print_header();
    for conns in CONNECTIONS {
        let rounds = total / conns;
        let (ours, tokio) = common::compare_times(
            &format!("echo 1 KiB, one loop, {conns} conn x {rounds}"),
            TARGET_RATIO,
            common::REPS,
            || on_our_loop(our_one_loop(conns, rounds)).expect("our run"),
            || on_tokio(tok::one_loop(conns, rounds)),
        );
        report(ours, tokio, rounds * conns);
    }
    {
        let our_server = ServerChild::start("server-ours");
        let tokio_server = ServerChild::start("server-tokio");
        for conns in CONNECTIONS {
            let rounds = total / conns;
            let (ours, tokio) = common::compare_times(
                &format!("echo 1 KiB, two processes, {conns} conn x {rounds}"),
                TARGET_RATIO,
                common::REPS,
                || on_our_loop(our_clients(our_server.addr, conns, rounds)).expect("our run"),
                || on_tokio(tok::clients(tokio_server.addr, conns, rounds)),
            );
            report(ours, tokio, rounds * conns);
        }
    }
    println!();
    if Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        println!("syscalls per round trip: skipped (strace not found)");
        return;
    }
    println!(
        "syscalls per round trip, one loop, {TRACED_CONNECTIONS} connections \
         (strace -f -c; client and server both counted; target <= {TARGET_SYSCALLS}):"
    );
    for (side, role) in [("ours", "trace-ours"), ("tokio", "trace-tokio")] {
        match syscalls_per_round_trip(role) {
            Some((total, by_call)) => {
                let met = if side == "ours" {
                    if total <= TARGET_SYSCALLS {
                        "  met: yes"
                    } else {
                        "  met: NO"
                    }
                } else {
                    ""
                };
                let parts: Vec<String> = by_call
                    .iter()
                    .map(|(name, n)| format!("{name} {n:.2}"))
                    .collect();
                println!("  {side:<6} {total:.2}{met}  ({})", parts.join(", "));
            }
            None => println!("  {side:<6} skipped (strace failed)"),
        }
    }
}
