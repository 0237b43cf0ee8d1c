//! The `mini_redis` example (a RESP server on this crate, shaped like
//! tokio's mini-redis) against the real `redis-server`, both driven by
//! `redis-benchmark`, in the same run.
//!
//! The example is built with `cargo build --release --example mini_redis`
//! and started on `127.0.0.1:0` (its first line is the address it bound);
//! `redis-server` (Debian package `redis-server`; single-threaded, as it
//! is by default) is started on a free port of 127.0.0.1 with persistence
//! off (`--save '' --appendonly no`). Each round runs
//!
//! ```text
//! redis-benchmark -p PORT -t ping,set,get -n 100000 -c 50 -P 16 -q
//! ```
//!
//! against ours, then against redis-server; per test (`PING_INLINE`,
//! `PING_MBULK`, `SET`, `GET`) the median requests/s of each, their ratio
//! ours / redis-server (higher is better; target at least 0.8x), and the
//! median of each round's ratio (the two runs of a round saw about the same
//! load from other jobs) are printed. Without `redis-server` or `redis-benchmark` on `PATH` it
//! prints that it skipped.
//!
//! ```text
//! cargo bench -p examples --bench mini_redis
//! ```
//!
//! `REDIS_BENCH_ROUNDS` (default 7) and `REDIS_BENCH_REQUESTS` (`-n`,
//! default 100,000; at about a million requests/s a test takes a tenth of
//! a second, so raise it for steadier figures) tune a run.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use common::{Server, build_example, env_or, free_port, have, median, met};

/// Rounds by default.
const ROUNDS: usize = 7;
/// Requests per test (`-n`) by default.
const REQUESTS: usize = 100_000;
/// Target: at least this fraction of redis-server's requests per second.
const TARGET_RATIO: f64 = 0.8;

/// Runs `redis-benchmark` against `port`: requests/s by test, in the order
/// printed.
fn redis_benchmark(port: u16, requests: usize) -> Vec<(String, f64)> {
    let out = common::run(
        Command::new("redis-benchmark").args([
            "-p",
            &port.to_string(),
            "-t",
            "ping,set,get",
            "-n",
            &requests.to_string(),
            "-c",
            "50",
            "-P",
            "16",
            "-q",
        ]),
        Duration::from_secs(120),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "redis-benchmark failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Progress lines end in '\r'; each test's result is
    // "NAME: 123456.78 requests per second, p50=...".
    let mut results = Vec::new();
    for segment in text.split(['\r', '\n']) {
        let Some((name, rest)) = segment.trim().split_once(": ") else {
            continue;
        };
        let Some((figure, _)) = rest.split_once(" requests per second") else {
            continue;
        };
        if let Ok(rps) = figure.trim().parse::<f64>() {
            results.push((name.to_owned(), rps));
        }
    }
    assert!(
        !results.is_empty(),
        "no results in redis-benchmark's output:\n{text}"
    );
    results
}

/// Whether the server at `addr` answers `PING` with `+PONG`.
fn pong(addr: SocketAddr) -> bool {
    let reply = common::exchange(addr, b"*1\r\n$4\r\nPING\r\n", |r| r.ends_with(b"\r\n"));
    reply == b"+PONG\r\n"
}

fn main() {
    if !have("redis-server", "redis-server", "mini_redis")
        || !have("redis-benchmark", "redis-tools", "mini_redis")
    {
        return;
    }
    let rounds: usize = env_or("REDIS_BENCH_ROUNDS", ROUNDS);
    let requests: usize = env_or("REDIS_BENCH_REQUESTS", REQUESTS);
    let example = build_example("mini_redis");
    let ours = Server::announced(Command::new(&example).arg("127.0.0.1:0"));
    let port = free_port();
    let redis = Server::at(
        Command::new("redis-server").args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]),
        SocketAddr::from(([127, 0, 0, 1], port)),
    );
    assert!(pong(ours.addr), "mini_redis does not answer PING");
    assert!(pong(redis.addr), "redis-server does not answer PING");
    println!(
        "redis-benchmark -t ping,set,get -n {requests} -c 50 -P 16 -q, {rounds} rounds \
         alternating (after a warm-up each); ours: the mini_redis example"
    );
    let sides = [("ours", &ours), ("redis-server", &redis)];
    for (_, server) in sides {
        redis_benchmark(server.addr.port(), requests);
    }
    // test -> [ours samples, redis samples]
    let mut by_test: BTreeMap<String, [Vec<f64>; 2]> = BTreeMap::new();
    let mut order = Vec::new();
    for round in 1..=rounds {
        for (i, (side, server)) in sides.iter().enumerate() {
            let results = redis_benchmark(server.addr.port(), requests);
            let line: Vec<String> = results
                .iter()
                .map(|(test, rps)| format!("{test} {rps:.0}"))
                .collect();
            println!("  round {round}: {side:<12} {}", line.join(", "));
            for (test, rps) in results {
                if !order.contains(&test) {
                    order.push(test.clone());
                }
                by_test.entry(test).or_default()[i].push(rps);
            }
        }
    }
    println!();
    println!(
        "{:<12} {:>14} {:>14} {:>8} {:>10}  target >= {TARGET_RATIO}x",
        "test", "ours", "redis-server", "ratio", "per round"
    );
    let mut reached = 0;
    for test in &order {
        let [ours, theirs] = &by_test[test];
        let (o, r) = (median(ours), median(theirs));
        let ratio = o / r;
        let per_round: Vec<f64> = ours.iter().zip(theirs).map(|(o, r)| o / r).collect();
        reached += usize::from(ratio >= TARGET_RATIO);
        println!(
            "{test:<12} {o:>14.0} {r:>14.0} {ratio:>7.2}x {:>9.2}x  {}",
            median(&per_round),
            met(ratio >= TARGET_RATIO)
        );
    }
    println!(
        "(medians in requests/s; ratio: of the medians, the target's; per round: \
         the median of each round's ratio) target met in {reached} of {} tests",
        order.len()
    );
}
