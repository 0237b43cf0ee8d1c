//! Shared by the examples' benches (`http_hello`, `mini_redis`): finding a
//! tool (and saying why a bench skips without it), building a release
//! example, running a server child that prints its address, running a load
//! generator under a time bound, medians and the report lines.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The tests' helpers (a watchdog, running a tool under a time bound).
#[path = "../../tests/support/mod.rs"]
mod support;

pub use support::run;

/// Whether `tool` is on `PATH`; if not, prints that `bench` is skipped and
/// how to get the tool (Debian `package`).
pub fn have(tool: &str, package: &str, bench: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        println!(
            "SKIPPED {bench}: `{tool}` is not installed (apt-get install {package}); \
             this bench drives the servers with it"
        );
    }
    found
}

/// `name` parsed from the environment, else `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number")),
        Err(_) => default,
    }
}

/// Builds example `name` of this package in release mode (`cargo build
/// --release --example NAME`, with the `CARGO_TARGET_DIR` of the bench
/// run) and returns its executable.
///
/// # Panics
///
/// If cargo fails or reports no executable.
pub fn build_example(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
    let out = Command::new(cargo)
        .args(["build", "--release", "-p", "examples", "--example", name])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo");
    assert!(out.status.success(), "cargo build --example {name} failed");
    // One JSON object a line; the example's has "kind":["example"] and
    // an "executable". Read without a JSON parser: its fields are plain.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let name_field = format!("\"name\":\"{name}\"");
    for line in stdout.lines() {
        if !(line.contains("\"reason\":\"compiler-artifact\"")
            && line.contains(&name_field)
            && line.contains("\"kind\":[\"example\"]"))
        {
            continue;
        }
        let key = "\"executable\":\"";
        if let Some(at) = line.find(key) {
            let rest = &line[at + key.len()..];
            if let Some(end) = rest.find('"') {
                return PathBuf::from(&rest[..end]);
            }
        }
    }
    panic!("cargo built no executable for example {name}");
}

/// A server child process, killed when dropped.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Spawns `command` (stdout piped here), whose first line of output is
    /// the address it listens on, and reads that line.
    pub fn announced(command: &mut Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("{command:?}: {err}"));
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server's first line");
        let addr = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{command:?}: first line is not an address: {line:?}"));
        Server { child, addr }
    }

    /// Spawns `command` (its output discarded), which listens on `addr`,
    /// and waits until it accepts a connection (at most 10 s).
    pub fn at(command: &mut Command, addr: SocketAddr) -> Server {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("{command:?}: {err}"));
        let server = Server { child, addr };
        let start = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{command:?} not listening on {addr} after 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port of 127.0.0.1 that was free a moment ago (for a server that
/// cannot bind port 0 and report it).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("address").port()
}

/// Sends `request` on a fresh connection to `addr` and reads the reply
/// until `done` says it is complete (or EOF); the bytes read.
pub fn exchange(addr: SocketAddr, request: &[u8], done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    use std::io::Write;
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request).expect("send");
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while !done(&reply) {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(err) => panic!("reading from {addr}: {err}"),
        }
    }
    reply
}

/// The median of `samples` (the upper one for an even count; NaN if
/// empty).
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `met` or `NOT met`.
pub fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}
