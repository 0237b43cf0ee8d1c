//! TCP echo of 1 KiB messages over 1, 10 and 100 connections: this crate's
//! `Protocol`s and transports against tokio's `TcpStream` (read /
//! `write_all` on the server, `write_all` + `read_exact` on the clients,
//! `current_thread`), in the same run.
//!
//! Each client sends a message, waits for its whole echo, sends the next;
//! all connections run at once. Two layouts: client and server in one loop,
//! and the server in a child process (this binary again, in server mode,
//! printing its port) with the clients here. Only the round trips are
//! timed (connecting is not). The table's ratio is ours / tokio in time
//! (below 1: faster); the line under each row gives round trips per second
//! and their ratio ours / tokio (above 1: faster), and a summary of those
//! ratios closes the run.
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
//! default 100,000) and `BENCH_SIDE` (see `common`) tune a run; the cases,
//! the child processes and the syscall count are `common::echo`'s, shared
//! with `echo_streams`.
//! `echo_protocol.py` beside this file runs the same workload on Python's
//! asyncio and uvloop (and, with `--ours`, this binary's cases alternately
//! with them, for ratios from one run).

mod common;

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use asyncio::{Event, Protocol, ServerOptions, Transport};
use common::echo::{MESSAGE, MESSAGE_SIZE, Sides};
use common::{on_our_loop, on_tokio};

/// Target: syscalls per round trip, one loop, 10 connections.
const TARGET_SYSCALLS: f64 = 5.0;

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

// ---------------------------------------------------------------------------
// tokio's side.

mod tok {
    use std::net::SocketAddr;
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use crate::common::echo::tokio_side;

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

    async fn client(mut stream: TcpStream, rounds: usize) {
        let mut buf = [0u8; MESSAGE.len()];
        for _ in 0..rounds {
            stream.write_all(&MESSAGE).await.expect("write");
            stream.read_exact(&mut buf).await.expect("read");
        }
    }

    /// Connects `conns` clients, then times `rounds` round trips on each.
    pub async fn clients(addr: SocketAddr, conns: usize, rounds: usize) -> Duration {
        tokio_side::time_clients(addr, conns, move |stream| client(stream, rounds)).await
    }

    pub async fn one_loop(conns: usize, rounds: usize) -> Duration {
        tokio_side::one_loop(echo, async |addr| clients(addr, conns, rounds).await).await
    }

    pub async fn server_forever() {
        tokio_side::server_forever(echo).await;
    }
}

// ---------------------------------------------------------------------------

static SIDES: Sides = Sides {
    label: "echo 1 KiB",
    role_var: "ECHO_PROTOCOL_ROLE",
    syscall_target: Some(TARGET_SYSCALLS),
    ours_one_loop: |conns, rounds| on_our_loop(our_one_loop(conns, rounds)).expect("our run"),
    ours_clients: |addr, conns, rounds| {
        on_our_loop(our_clients(addr, conns, rounds)).expect("our run")
    },
    ours_serve: || on_our_loop(our_server_forever()).expect("server"),
    tokio_one_loop: |conns, rounds| on_tokio(tok::one_loop(conns, rounds)),
    tokio_clients: |addr, conns, rounds| on_tokio(tok::clients(addr, conns, rounds)),
    tokio_serve: || on_tokio(tok::server_forever()),
};

fn main() {
    common::echo::main(&SIDES);
}
