//! Drives the `mini_redis` example with redis-cli, redis-benchmark and raw
//! sockets.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Server, have, run, run_with_input};

fn server() -> Server {
    Server::start("mini_redis", Duration::from_secs(120))
}

/// `redis-cli -p PORT ARGS...`: its standard output, trimmed (redis-cli
/// prints replies raw when its output is not a terminal).
fn cli(server: &Server, args: &[&str]) -> String {
    let port = server.port().to_string();
    let out = run(
        Command::new("redis-cli").args(["-p", &port]).args(args),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "redis-cli {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn redis_cli_round_trips() {
    if !have("redis-cli", "redis-tools") {
        return;
    }
    let server = server();
    assert_eq!(cli(&server, &["PING"]), "PONG");
    assert_eq!(cli(&server, &["PING", "hello there"]), "hello there");
    assert_eq!(cli(&server, &["ECHO", "marco"]), "marco");
    assert_eq!(cli(&server, &["GET", "greeting"]), "");
    assert_eq!(cli(&server, &["SET", "greeting", "hello"]), "OK");
    assert_eq!(cli(&server, &["GET", "greeting"]), "hello");
    assert_eq!(cli(&server, &["TTL", "greeting"]), "-1");
    assert_eq!(cli(&server, &["TTL", "missing"]), "-2");
    assert_eq!(cli(&server, &["INCR", "counter"]), "1");
    assert_eq!(cli(&server, &["INCR", "counter"]), "2");
    assert!(cli(&server, &["INCR", "greeting"]).starts_with("ERR value is not an integer"));
    assert_eq!(cli(&server, &["SET", "session", "x", "EX", "100"]), "OK");
    let ttl: i64 = cli(&server, &["TTL", "session"]).parse().unwrap();
    assert!((99..=100).contains(&ttl), "{ttl}");
    assert_eq!(cli(&server, &["SET", "session", "y", "PX", "50000"]), "OK");
    let ttl: i64 = cli(&server, &["TTL", "session"]).parse().unwrap();
    assert!((49..=50).contains(&ttl), "{ttl}");
    assert_eq!(cli(&server, &["EXPIRE", "counter", "30"]), "1");
    let ttl: i64 = cli(&server, &["TTL", "counter"]).parse().unwrap();
    assert!((29..=30).contains(&ttl), "{ttl}");
    assert_eq!(
        cli(&server, &["INCR", "counter"]),
        "3",
        "INCR keeps the TTL"
    );
    assert_ne!(cli(&server, &["TTL", "counter"]), "-1");
    assert_eq!(cli(&server, &["EXPIRE", "missing", "30"]), "0");
    assert_eq!(
        cli(&server, &["DEL", "greeting", "counter", "missing"]),
        "2"
    );
    assert_eq!(cli(&server, &["GET", "greeting"]), "");
    assert_eq!(cli(&server, &["TTL", "counter"]), "-2");
    assert!(cli(&server, &["SET", "k", "v", "EX", "0"]).starts_with("ERR invalid expire time"));
    assert!(cli(&server, &["SET", "k", "v", "NX"]).starts_with("ERR syntax error"));
    assert!(cli(&server, &["GET"]).starts_with("ERR wrong number of arguments"));
    assert_eq!(
        cli(&server, &["FLUSHALL"]),
        "ERR unknown command 'FLUSHALL'"
    );
    assert_eq!(cli(&server, &["PING"]), "PONG");
}

#[test]
fn redis_cli_session_goes_on_after_an_unknown_command() {
    if !have("redis-cli", "redis-tools") {
        return;
    }
    let server = server();
    let port = server.port().to_string();
    // Commands read from standard input, sent on one connection.
    let out = run_with_input(
        Command::new("redis-cli").args(["-p", &port]),
        b"SET a 1\nNOSUCHCOMMAND x\nINCR a\nGET a\nPING\n",
        Duration::from_secs(20),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines,
        [
            "OK",
            "ERR unknown command 'NOSUCHCOMMAND'",
            "2",
            "2",
            "PONG"
        ],
        "{out:?}"
    );
}

#[test]
fn redis_benchmark_runs_without_errors() {
    if !have("redis-benchmark", "redis-tools") {
        return;
    }
    let server = server();
    let port = server.port().to_string();
    let started = Instant::now();
    let out = run(
        Command::new("redis-benchmark").args([
            "-p",
            &port,
            "-t",
            "ping,set,get",
            "-n",
            "100000",
            "-c",
            "50",
            "-P",
            "16",
            "-q",
        ]),
        Duration::from_secs(100),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    // Progress lines end in '\r'; each test ends with its summary line.
    let results: Vec<&str> = stdout
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains("rps="))
        .collect();
    eprintln!("{} in {:?}", results.join("\n"), started.elapsed());
    assert_eq!(
        results.len(),
        4,
        "PING_INLINE, PING_MBULK, SET, GET:\n{stdout}"
    );
    for test in ["PING_INLINE: ", "PING_MBULK: ", "SET: ", "GET: "] {
        assert!(
            results.iter().any(|l| l.starts_with(test)),
            "no {test}:\n{stdout}"
        );
    }
    for line in &results {
        assert!(line.contains("requests per second"), "{line}");
    }
    for text in [&stdout, &stderr] {
        let lower = text.to_lowercase();
        assert!(!text.contains("ERR") && !lower.contains("error"), "{text}");
    }
}

/// A raw RESP client.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(server: &Server) -> Client {
        let stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    /// One reply line (a bulk's payload follows on the next line).
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line
    }
}

#[test]
fn pipelined_inline_and_malformed_requests() {
    let server = server();
    let mut client = Client::connect(&server);
    // Five commands in one write: five replies, in order.
    client.send(
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n\
          *2\r\n$4\r\nINCR\r\n$1\r\nn\r\n\
          *2\r\n$3\r\nGET\r\n$1\r\nk\r\n\
          *2\r\n$3\r\nDEL\r\n$1\r\nk\r\n\
          *1\r\n$4\r\nPING\r\n",
    );
    for expected in [
        "+OK\r\n",
        ":1\r\n",
        "$2\r\n",
        "v1\r\n",
        ":1\r\n",
        "+PONG\r\n",
    ] {
        assert_eq!(client.line(), expected);
    }
    // Inline commands, as typed into `nc`.
    client.send(b"ECHO inline\r\nINCR n\n");
    assert_eq!(client.line(), "$6\r\n");
    assert_eq!(client.line(), "inline\r\n");
    assert_eq!(client.line(), ":2\r\n");
    // Bad frames: an error each, and the connection goes on.
    client.send(b"*2\r\n$3\r\nGET\r\n:x\r\n");
    assert!(client.line().starts_with("-ERR Protocol error"));
    client.send(b"*1\r\n$-5\r\n");
    assert!(client.line().starts_with("-ERR Protocol error"));
    client.send(b"*1\r\n:5\r\n");
    assert!(client.line().starts_with("-ERR"));
    client.send(b"*0\r\n");
    assert!(client.line().starts_with("-ERR"));
    client.send(b"*1\r\n$4\r\nPING\r\n");
    assert_eq!(client.line(), "+PONG\r\n");
    // A frame split over many writes.
    for byte in b"*2\r\n$3\r\nGET\r\n$1\r\nn\r\n" {
        client.send(&[*byte]);
    }
    assert_eq!(client.line(), "$1\r\n");
    assert_eq!(client.line(), "2\r\n");
}

#[test]
fn keys_expire() {
    let server = server();
    let mut client = Client::connect(&server);
    client.send(b"SET short v PX 100\r\nSET long v EX 100\r\nGET short\r\n");
    assert_eq!(client.line(), "+OK\r\n");
    assert_eq!(client.line(), "+OK\r\n");
    assert_eq!(client.line(), "$1\r\n");
    assert_eq!(client.line(), "v\r\n");
    // Poll until the key is gone: expiry is about time (bounded here).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        client.send(b"TTL short\r\n");
        if client.line() == ":-2\r\n" {
            break;
        }
        assert!(Instant::now() < deadline, "the key did not expire");
        std::thread::sleep(Duration::from_millis(20));
    }
    client.send(b"GET short\r\nGET long\r\n");
    assert_eq!(client.line(), "$-1\r\n");
    assert_eq!(client.line(), "$1\r\n");
}

fn shuts_down_on(sig: &str) {
    let server = server();
    let mut client = Client::connect(&server);
    client.send(b"SET k v\r\n");
    assert_eq!(client.line(), "+OK\r\n");
    server.signal(sig);
    // The open connection is closed by the server...
    let mut rest = Vec::new();
    client.reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    // ...which exits cleanly.
    let (status, out) = server.wait();
    assert_eq!(status.code(), Some(0), "{status:?} {:?}", status.signal());
    assert_eq!(out, "shut down\n");
}

#[test]
fn sigterm_shuts_down_gracefully() {
    shuts_down_on("TERM");
}

#[test]
fn ctrl_c_shuts_down_gracefully() {
    shuts_down_on("INT");
}
