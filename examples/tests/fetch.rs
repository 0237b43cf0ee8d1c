//! Runs the `fetch` example against the `http_hello` example.

mod support;

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use support::{Server, example, run};

#[test]
fn fetch_gets_every_page_with_bounded_concurrency() {
    let server = Server::start("http_hello", Duration::from_secs(60));
    let url = format!("http://{}/", server.addr);
    let out = run(
        Command::new(example("fetch")).args([&url, "300", "16"]),
        Duration::from_secs(30),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(&format!("fetched 300 pages from {url} in ")),
        "{text}"
    );
    // Every task takes a permit before connecting: 16 hold one before any
    // finishes, and never more.
    assert_eq!(lines[1], "at most 16 in flight (limit 16)", "{text}");
    assert_eq!(lines[2], "status 200: 300", "{text}");
    assert_eq!(lines[3], format!("body bytes: {}", 300 * 13), "{text}");
    assert_eq!(lines[4], "first body: \"Hello, world!\"", "{text}");
}

#[test]
fn fetch_fails_when_nobody_listens() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let out = run(
        Command::new(example("fetch")).args([&format!("http://127.0.0.1:{port}/"), "5", "2"]),
        Duration::from_secs(30),
    );
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains("refused"), "{err}");
}
