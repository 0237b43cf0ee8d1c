//! The `http_hello` example (an HTTP/1.1 keep-alive server on this crate's
//! streams) under `wrk`, against a hand-written tokio equivalent, in the
//! same run.
//!
//! The tokio server is this binary again in a child process: a
//! `current_thread` runtime, a task per connection reading lines through a
//! `BufReader` (the request line, the headers up to the blank line, a
//! `Content-Length` body skipped) and parsing and answering them with the
//! example's own code (`http_hello/http.rs`, so the same bytes: checked
//! before the runs, a `GET /` to each must get the same reply), keeping
//! the connection unless asked to close;
//! `TCP_NODELAY` as on ours. The example is built with `cargo build
//! --release --example http_hello` and started on `127.0.0.1:0` (its first
//! line is the address it bound).
//!
//! Each round runs `wrk -t1 -c50 -d5s` against ours, then against tokio
//! (after a 1 s warm-up of each); the median Requests/sec of each side,
//! their ratio ours / tokio (higher is better), and the ratio of each round
//! (the two runs of a round saw about the same load from other jobs) with
//! its median are printed. A run with
//! non-2xx answers or socket errors is reported and fails the bench. Without
//! `wrk` on `PATH` it prints that it skipped.
//!
//! ```text
//! cargo bench -p examples --bench http_hello
//! ```
//!
//! `HTTP_BENCH_ROUNDS` (default 3) sets the rounds.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Server, build_example, env_or, have, median};

/// wrk's connections, threads and seconds per run.
const CONNECTIONS: usize = 50;
const THREADS: usize = 1;
const SECONDS: u64 = 5;
/// Rounds by default.
const ROUNDS: usize = 3;
/// The environment variable selecting the child's role.
const ROLE: &str = "HTTP_HELLO_BENCH_ROLE";
/// The response body, as the example's.
const BODY: &[u8] = b"Hello, world!";

// ---------------------------------------------------------------------------
// The tokio server.

/// The example's HTTP, shared so that both servers parse and answer alike.
#[path = "../http_hello/http.rs"]
mod http;

mod tok {
    use std::io::Write;

    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};

    use super::BODY;
    use super::http::{Request, Version, head, response, trim_eol};

    /// The longest line (beyond: 414 or 431), as the example's reader limit.
    const MAX_LINE: usize = 64 * 1024;

    /// Listens on a free port of 127.0.0.1, prints the address, serves
    /// until killed.
    pub async fn serve_forever() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        println!("{}", listener.local_addr().expect("address"));
        std::io::stdout().flush().expect("flush");
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            tokio::spawn(connection(stream));
        }
    }

    enum Parsed {
        Request(Request),
        Closed,
        Bad(&'static str),
    }

    /// Requests until the client closes or asks to close.
    async fn connection(mut stream: TcpStream) {
        let (read_half, mut write_half) = stream.split();
        let mut reader = BufReader::new(read_half);
        let mut line = Vec::with_capacity(1024);
        loop {
            match request(&mut reader, &mut line).await {
                Ok(Parsed::Request(request)) => {
                    let keep_alive = request.keep_alive();
                    let mut reply = head("200 OK", BODY.len(), keep_alive, request.version);
                    if request.method != "HEAD" {
                        reply.extend_from_slice(BODY);
                    }
                    if write_half.write_all(&reply).await.is_err() || !keep_alive {
                        return;
                    }
                }
                Ok(Parsed::Bad(status)) => {
                    let body = format!("{status}\n");
                    let reply = response(status, body.as_bytes(), false, Version::Http11);
                    let _ = write_half.write_all(&reply).await;
                    return;
                }
                Ok(Parsed::Closed) | Err(_) => return,
            }
        }
    }

    /// Reads one line into `line` (with its `\n`); false at EOF before
    /// a whole line.
    async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
        reader: &mut R,
        line: &mut Vec<u8>,
    ) -> std::io::Result<bool> {
        line.clear();
        reader.read_until(b'\n', line).await?;
        Ok(line.ends_with(b"\n"))
    }

    /// One request, read as the example reads it.
    async fn request<R: tokio::io::AsyncBufRead + Unpin>(
        reader: &mut R,
        line: &mut Vec<u8>,
    ) -> std::io::Result<Parsed> {
        // Empty lines before a request line are ignored (RFC 9112, 2.2).
        loop {
            if !read_line(reader, line).await? {
                return Ok(Parsed::Closed);
            }
            if line.len() > MAX_LINE {
                return Ok(Parsed::Bad("414 URI Too Long"));
            }
            if !trim_eol(line).is_empty() {
                break;
            }
        }
        let mut request = match Request::start(trim_eol(line)) {
            Ok(request) => request,
            Err(status) => return Ok(Parsed::Bad(status)),
        };
        loop {
            if !read_line(reader, line).await? {
                return Ok(Parsed::Closed);
            }
            if line.len() > MAX_LINE {
                return Ok(Parsed::Bad("431 Request Header Fields Too Large"));
            }
            match request.header(trim_eol(line)) {
                Ok(true) => break,
                Ok(false) => {}
                Err(status) => return Ok(Parsed::Bad(status)),
            }
        }
        if request.content_length > 0 {
            let mut body = vec![0u8; request.content_length];
            if reader.read_exact(&mut body).await.is_err() {
                return Ok(Parsed::Closed);
            }
        }
        Ok(Parsed::Request(request))
    }
}

// ---------------------------------------------------------------------------

/// One `wrk` run's figures.
struct WrkRun {
    requests_per_sec: f64,
    /// Lines reporting non-2xx/3xx answers or socket errors.
    problems: Vec<String>,
}

/// Runs `wrk` for `seconds` against `url` and parses its report.
fn wrk(url: &str, seconds: u64) -> WrkRun {
    let out = common::run(
        Command::new("wrk").args([
            &format!("-t{THREADS}"),
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            url,
        ]),
        Duration::from_secs(seconds + 30),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "wrk failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut requests_per_sec = f64::NAN;
    let mut problems = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            requests_per_sec = rest.trim().parse().expect("Requests/sec figure");
        } else if line.starts_with("Non-2xx") {
            problems.push(line.to_owned());
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            let any = rest
                .split(',')
                .filter_map(|part| part.split_whitespace().nth(1))
                .any(|n| n != "0");
            if any {
                problems.push(line.to_owned());
            }
        }
    }
    assert!(
        requests_per_sec.is_finite(),
        "no Requests/sec in wrk's output:\n{text}"
    );
    WrkRun {
        requests_per_sec,
        problems,
    }
}

/// The reply of `addr` to one `GET /`.
fn get(server: &Server) -> Vec<u8> {
    common::exchange(
        server.addr,
        b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n",
        |reply| reply.ends_with(BODY),
    )
}

fn main() {
    if std::env::var(ROLE).is_ok_and(|role| role == "server-tokio") {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(tok::serve_forever());
        return;
    }
    if !have("wrk", "wrk", "http_hello") {
        return;
    }
    let rounds: usize = env_or("HTTP_BENCH_ROUNDS", ROUNDS);
    let example = build_example("http_hello");
    let ours = Server::announced(Command::new(&example).arg("127.0.0.1:0"));
    let tokio = Server::announced(
        Command::new(std::env::current_exe().expect("own path")).env(ROLE, "server-tokio"),
    );
    let (our_reply, tokio_reply) = (get(&ours), get(&tokio));
    assert_eq!(
        String::from_utf8_lossy(&our_reply),
        String::from_utf8_lossy(&tokio_reply),
        "the two servers answer differently"
    );
    let sides = [("ours", &ours), ("tokio", &tokio)];
    println!(
        "wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s, {rounds} rounds alternating \
         (after a 1 s warm-up each); ours: the http_hello example, tokio: current_thread"
    );
    for (_, server) in sides {
        wrk(&format!("http://{}/", server.addr), 1);
    }
    let mut results: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut problems = Vec::new();
    for round in 1..=rounds {
        for (i, (side, server)) in sides.iter().enumerate() {
            let run = wrk(&format!("http://{}/", server.addr), SECONDS);
            println!(
                "  round {round}: {side:<6} {:>10.0} requests/s{}",
                run.requests_per_sec,
                if run.problems.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", run.problems.join("; "))
                }
            );
            results[i].push(run.requests_per_sec);
            problems.extend(run.problems.into_iter().map(|p| format!("{side}: {p}")));
        }
    }
    let (o, t) = (median(&results[0]), median(&results[1]));
    println!(
        "median requests/s: ours {o:.0}, tokio {t:.0}, ours/tokio {:.2}x",
        o / t
    );
    let ratios: Vec<f64> = results[0]
        .iter()
        .zip(&results[1])
        .map(|(o, t)| o / t)
        .collect();
    let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
    println!(
        "  per round ours/tokio: {} (median {:.2}x)",
        shown.join(", "),
        median(&ratios)
    );
    if problems.is_empty() {
        println!("  non-2xx answers and socket errors: none");
    } else {
        println!("  ERRORS: {}", problems.join("; "));
        std::process::exit(1);
    }
}
