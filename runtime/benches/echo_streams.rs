//! TCP echo of 1 KiB messages over 1, 10 and 100 connections, on streams:
//! this crate's `start_server` / `open_connection` (`StreamReader`,
//! `StreamWriter`, `#[asyncio::coroutine]` fns) against tokio's
//! `TcpStream` read through a `BufReader` (`current_thread`), in the same
//! run.
//!
//! The shape is the same on both sides. Server: a task per connection
//! reading exactly one message (`reader.readexactly(1024)` / `BufReader`'s
//! `read_exact`) and writing it back (`writer.write` + `drain` /
//! `write_all`), until the client closes. Clients: connect, then, all at
//! once, each sends a message (`write` + `drain` / `write_all`) and waits
//! for its whole echo (`readexactly(1024)` / `read_exact`) before the
//! next. `TCP_NODELAY` on both sides, as asyncio sets it. Two layouts:
//! client and server in one loop, and the server in a child process (this
//! binary again, in a server role, printing its port) with the clients
//! here. Only the round trips are timed (connecting is not).
//!
//! Printed per case: the medians and their ratio in time (ours / tokio,
//! below 1: faster), then round trips per second and their ratio ours /
//! tokio with the target (at least 1.0x, that is at least tokio's round
//! trips per second) met or not; a summary of the ratios; and, with
//! `strace` installed, the syscalls per round trip of the one-loop
//! 10-connection case on each side.
//!
//! ```text
//! cargo bench -p asyncio --bench echo_streams
//! ```
//!
//! `ECHO_ROUND_TRIPS` (round trips per case, spread over the connections;
//! default 100,000) and `BENCH_SIDE` (see `common`) tune a run; the cases,
//! the child processes and the syscall count are `common::echo`'s, shared
//! with `echo_protocol`. `echo_streams.py` beside this file runs the same
//! workload on Python's asyncio and uvloop streams (and, with `--ours`,
//! this binary's cases alternately with them, for ratios from one run).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use asyncio::{Error, ServerOptions, StreamReader, StreamWriter};
use common::echo::{MESSAGE, MESSAGE_SIZE, Sides};
use common::{on_our_loop, on_tokio};

// ---------------------------------------------------------------------------
// This crate's side.

/// The server's callback, one task per connection: echoes messages until
/// the client closes; a client that vanishes (reset, broken pipe) ends the
/// connection quietly.
#[asyncio::coroutine]
fn echo(reader: StreamReader, writer: StreamWriter) -> asyncio::Result<()> {
    let outcome = echo_messages(&reader, &writer).await;
    writer.close();
    match outcome {
        Err(Error::Io(_)) => Ok(()),
        other => other,
    }
}

/// Reads a whole message, writes it back, waits for the drain; until EOF.
#[asyncio::coroutine]
fn echo_messages(reader: &StreamReader, writer: &StreamWriter) -> asyncio::Result<()> {
    loop {
        match reader.readexactly(MESSAGE_SIZE).await {
            Ok(message) => {
                writer.write(&message)?;
                writer.drain().await?;
            }
            // EOF between messages: the client is done.
            Err(Error::IncompleteRead { .. }) => return Ok(()),
            Err(err) => return Err(err),
        }
    }
}

/// One client: `rounds` times, sends the message and waits for its whole
/// echo; then closes.
#[asyncio::coroutine]
fn client(reader: StreamReader, writer: StreamWriter, rounds: usize) -> asyncio::Result<()> {
    for _ in 0..rounds {
        writer.write(&MESSAGE)?;
        writer.drain().await?;
        let echo = reader.readexactly(MESSAGE_SIZE).await?;
        debug_assert_eq!(echo, MESSAGE);
    }
    writer.close();
    Ok(())
}

/// Connects `conns` clients to `addr`, then times `rounds` round trips on
/// each, all at once (a task per client, `gather`ed).
#[asyncio::coroutine]
fn our_clients(addr: SocketAddr, conns: usize, rounds: usize) -> asyncio::Result<Duration> {
    let host = addr.ip().to_string();
    let mut streams = Vec::with_capacity(conns);
    for _ in 0..conns {
        streams.push(asyncio::open_connection(&host, addr.port()).await?);
    }
    let start = Instant::now();
    let clients = streams
        .into_iter()
        .map(|(reader, writer)| client(reader, writer, rounds));
    asyncio::gather(clients).await?;
    Ok(start.elapsed())
}

/// An echo server on a free port of 127.0.0.1.
#[asyncio::coroutine]
fn our_server() -> asyncio::Result<asyncio::Server> {
    let options = ServerOptions {
        backlog: 1024,
        ..Default::default()
    };
    asyncio::start_server_with(echo, "127.0.0.1", 0, 64 * 1024, options).await
}

/// Server and clients in one loop.
#[asyncio::coroutine]
fn our_one_loop(conns: usize, rounds: usize) -> asyncio::Result<Duration> {
    let server = our_server().await?;
    let addr = server.sockets()[0].local_addr()?;
    let elapsed = our_clients(addr, conns, rounds).await?;
    server.close();
    // Also waits for the server's connections to end.
    server.wait_closed().await?;
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

    use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpStream;

    use crate::common::echo::tokio_side;

    use super::{MESSAGE, MESSAGE_SIZE};

    /// Echoes one connection's messages until EOF.
    async fn echo(mut stream: TcpStream) {
        let (read_half, mut write_half) = stream.split();
        let mut reader = BufReader::new(read_half);
        let mut message = [0u8; MESSAGE_SIZE];
        while reader.read_exact(&mut message).await.is_ok() {
            if write_half.write_all(&message).await.is_err() {
                return;
            }
        }
    }

    async fn client(mut stream: TcpStream, rounds: usize) {
        let (read_half, mut write_half) = stream.split();
        let mut reader = BufReader::new(read_half);
        let mut echo = [0u8; MESSAGE_SIZE];
        for _ in 0..rounds {
            write_half.write_all(&MESSAGE).await.expect("write");
            reader.read_exact(&mut echo).await.expect("read");
            debug_assert_eq!(echo, MESSAGE);
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
    label: "streams echo 1 KiB",
    role_var: "ECHO_STREAMS_ROLE",
    syscall_target: None,
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
