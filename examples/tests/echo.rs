//! Drives the `echo_server` example with real clients: `socat` (64 MiB,
//! byte-exact), `nc -N` (lines), a thousand TCP connections at once, and
//! the `echo_client` example; and Ctrl-C.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{Proc, example, have, server};

/// `n` bytes no compressor or coincidence could fake (xorshift64).
fn noise(n: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(n);
    out
}

fn sha256(path: &std::path::Path) -> Option<String> {
    let out = Command::new("sha256sum").arg(path).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.split_whitespace().next()?.to_owned())
}

#[test]
fn socat_gets_64_mib_back_byte_exact() {
    if !have("socat", "socat") {
        return;
    }
    let (_server, _, addr) = server("echo_server");
    let dir = std::env::temp_dir();
    let input = dir.join(format!("echo-in-{}.bin", std::process::id()));
    let output = dir.join(format!("echo-out-{}.bin", std::process::id()));
    let data = noise(64 << 20, 0x9E37_79B9_7F4A_7C15);
    std::fs::write(&input, &data).unwrap();
    // socat sends the file, shuts down its sending side at the end, and
    // copies what comes back until the server closes.
    let mut socat = Proc::spawn(
        Command::new("socat")
            .args([
                "-t30",
                "-",
                &format!("TCP:{}:{},shut-down", addr.ip(), addr.port()),
            ])
            .stdin(std::fs::File::open(&input).unwrap())
            .stdout(std::fs::File::create(&output).unwrap()),
    );
    assert!(socat.wait().success(), "socat failed");
    let echoed = std::fs::read(&output).unwrap();
    let (hash_in, hash_out) = (sha256(&input), sha256(&output));
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    assert_eq!(echoed.len(), data.len(), "byte count");
    assert!(echoed == data, "the bytes differ");
    match (hash_in, hash_out) {
        (Some(a), Some(b)) => {
            assert_eq!(a, b, "SHA-256");
            eprintln!("64 MiB through socat: SHA-256 {a} both ways");
        }
        _ => {
            support::skipped("its SHA-256 half: sha256sum not installed (the bytes were compared)")
        }
    }
}

#[test]
fn nc_gets_each_line_back_as_it_is_sent() {
    if !have("nc", "netcat-openbsd") {
        return;
    }
    let (_server, _, addr) = server("echo_server");
    let mut nc = Proc::spawn(
        Command::new("nc")
            .args(["-N", &addr.ip().to_string(), &addr.port().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    let mut stdin = nc.child.stdin.take().unwrap();
    let mut lines = nc.lines();
    for line in ["hello", "a second line", "", "héllo, wörld"] {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        assert_eq!(lines.next(), line);
    }
    drop(stdin); // nc -N shuts down its side; the server closes; nc exits
    assert!(nc.wait().success());
    assert_eq!(lines.next(), "", "nothing more");
}

#[test]
fn a_thousand_clients_at_once() {
    const CLIENTS: usize = 1000;
    let (_server, _, addr) = server("echo_server");
    // All connected together, each sends its own message; only then is
    // any echo read.
    let mut streams: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| {
            let stream = TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            stream
        })
        .collect();
    let message = |i: usize| format!("client {i} of {CLIENTS}: {}\n", "x".repeat(i % 97));
    for (i, stream) in streams.iter_mut().enumerate() {
        stream.write_all(message(i).as_bytes()).unwrap();
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        let expected = message(i);
        let mut echoed = vec![0; expected.len()];
        stream.read_exact(&mut echoed).unwrap();
        assert_eq!(echoed, expected.as_bytes(), "client {i}");
    }
    // Closing: each reads EOF after the server's close.
    for stream in &mut streams {
        stream.shutdown(std::net::Shutdown::Write).unwrap();
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "client {i}");
    }
}

#[test]
fn echo_client_prints_the_echoes_of_its_lines_and_of_its_stdin() {
    let (_server, _, addr) = server("echo_server");
    let mut client = Proc::spawn(
        Command::new(example("echo_client"))
            .args([&addr.to_string(), "one", "two words", "three"])
            .stdout(Stdio::piped()),
    );
    let mut out = String::new();
    client
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(client.wait().success());
    assert_eq!(out, "one\ntwo words\nthree\n");

    // Standard input through a pipe, 4 MiB, out again unchanged.
    let data = noise(4 << 20, 42);
    let mut client = Proc::spawn(
        Command::new(example("echo_client"))
            .arg(addr.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    let mut stdin = client.child.stdin.take().unwrap();
    let feed = data.clone();
    let feeder = std::thread::spawn(move || stdin.write_all(&feed));
    let mut echoed = Vec::new();
    client
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut echoed)
        .unwrap();
    feeder.join().unwrap().unwrap();
    assert!(client.wait().success());
    assert_eq!(echoed.len(), data.len());
    assert!(echoed == data, "the bytes differ");
}

#[test]
fn ctrl_c_closes_the_connections_and_exits_as_python_does() {
    let (mut server, _, addr) = server("echo_server");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(b"ping").unwrap();
    let mut pong = [0; 4];
    stream.read_exact(&mut pong).unwrap();
    assert_eq!(&pong, b"ping");
    server.signal("INT");
    let status = server.wait();
    assert_eq!(status.signal(), Some(2), "killed by SIGINT: {status:?}");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "the server closed the connection");
}
