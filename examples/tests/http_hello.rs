//! Drives the `http_hello` example with curl, wrk and raw sockets.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use support::{Server, have, run};

const BODY: &str = "Hello, world!";

fn server() -> Server {
    Server::start("http_hello", Duration::from_secs(60))
}

#[test]
fn curl_gets_the_page() {
    if !have("curl", "curl") {
        return;
    }
    let server = server();
    let url = format!("http://{}/", server.addr);
    let out = run(
        Command::new("curl").args(["-s", "-i", &url]),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("Content-Length: 13\r\n"), "{text}");
    assert!(text.ends_with(&format!("\r\n\r\n{BODY}")), "{text}");

    // HTTP/1.0: the page, then the server closes.
    let out = run(
        Command::new("curl").args(["-s", "-0", &url]),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), BODY);
}

#[test]
fn curl_reuses_the_connection() {
    if !have("curl", "curl") {
        return;
    }
    let server = server();
    let url = format!("http://{}/", server.addr);
    let other = format!("http://{}/other?x=1", server.addr);
    let out = run(
        Command::new("curl").args(["-s", "-v", &url, &other]),
        Duration::from_secs(20),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), BODY.repeat(2));
    let log = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        log.contains("re-using existing connection") || log.contains("reusing existing connection"),
        "curl opened a second connection:\n{log}"
    );
    assert_eq!(log.matches("connected to").count(), 1, "{log}");
}

#[test]
fn wrk_runs_without_errors() {
    if !have("wrk", "wrk") {
        return;
    }
    let server = server();
    let url = format!("http://{}/", server.addr);
    let out = run(
        Command::new("wrk").args(["-t1", "-c50", "-d5s", &url]),
        Duration::from_secs(40),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert!(out.status.success(), "{out:?}");
    // "N requests in 5.00s, ..."
    let requests: u64 = text
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no request count in wrk's output:\n{text}"));
    assert!(requests > 0, "{text}");
    // "Socket errors: connect 0, read 0, write 0, timeout 0" when any.
    if let Some(line) = text.lines().find(|line| line.contains("Socket errors")) {
        let counts: Vec<u64> = line
            .split([':', ','])
            .skip(1)
            .filter_map(|part| part.split_whitespace().nth(1)?.parse().ok())
            .collect();
        assert_eq!(counts.len(), 4, "{line}");
        assert!(counts.iter().all(|&n| n == 0), "{line}");
    }
    assert!(!text.contains("Non-2xx"), "{text}");
}

/// A raw client: what the server sends until it closes, bounded.
fn exchange(server: &Server, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .expect("the server closes the connection");
    String::from_utf8(reply).unwrap()
}

#[test]
fn keep_alive_pipelining_and_close() {
    let server = server();
    // Three pipelined requests in one write, with a body and a bare-LF
    // line; the last asks to close.
    let reply = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\
          POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
          GET / HTTP/1.1\nHost: x\nConnection: close\n\n",
    );
    assert_eq!(reply.matches("HTTP/1.1 200 OK\r\n").count(), 3, "{reply}");
    assert_eq!(reply.matches(BODY).count(), 3, "{reply}");
    assert_eq!(reply.matches("Connection: close\r\n").count(), 1, "{reply}");
    assert!(reply.ends_with(BODY));

    // HTTP/1.0 closes after one response unless asked to keep alive.
    let reply = exchange(&server, b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n");
    assert_eq!(reply.matches("200 OK").count(), 1, "{reply}");
    let reply = exchange(
        &server,
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD / HTTP/1.0\r\n\r\n",
    );
    assert_eq!(reply.matches("200 OK").count(), 2, "{reply}");
    assert!(reply.contains("Connection: keep-alive\r\n"), "{reply}");
    assert_eq!(reply.matches(BODY).count(), 1, "HEAD has no body: {reply}");
}

#[test]
fn malformed_requests_get_an_error_and_a_close() {
    let server = server();
    for (request, status) in [
        (&b"NONSENSE\r\n\r\n"[..], "400 Bad Request"),
        (b"GET / HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported"),
        (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", "400 Bad Request"),
        (
            b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            "400 Bad Request",
        ),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "501 Not Implemented",
        ),
    ] {
        let reply = exchange(&server, request);
        assert!(
            reply.starts_with(&format!("HTTP/1.1 {status}\r\n")),
            "{request:?}: {reply}"
        );
        assert!(reply.contains("Connection: close\r\n"), "{reply}");
    }
    let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100_000));
    let reply = exchange(&server, long.as_bytes());
    assert!(reply.starts_with("HTTP/1.1 414 "), "{reply}");
    // The server still serves.
    let reply = exchange(&server, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(reply.ends_with(BODY), "{reply}");
}
