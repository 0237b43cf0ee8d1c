//! Unix stream sockets (`create_unix_server`, `create_unix_connection`:
//! stale socket files, cleanup on close, the abstract namespace) and
//! `connect_accepted_socket`.

mod support;

use std::path::PathBuf;

use asyncio::{EventLoop, Server, Socket};
use support::recorder::{LIMIT, Recorder, Shared, lost, until};

/// A directory of its own under the system's temporary directory, removed
/// when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("asyncio-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[asyncio::coroutine]
fn echo_unix_server(lp: EventLoop, path: PathBuf, seen: Shared) -> asyncio::Result<Server> {
    let factory = move || {
        let mut p = Recorder::new(&seen);
        p.echo = true;
        p
    };
    lp.create_unix_server(factory, &path).await
}

/// Connects a recorder to `path`, sends `data`, and waits for it to come
/// back.
#[asyncio::coroutine]
fn round_trip(lp: EventLoop, path: PathBuf, data: Vec<u8>) -> asyncio::Result<Vec<u8>> {
    let seen = Shared::default();
    let client_seen = seen.clone();
    let (transport, _) = lp
        .create_unix_connection(move || Recorder::new(&client_seen), &path)
        .await?;
    transport.write(&data)?;
    let n = data.len();
    until(&seen, move |s| s.data.len() >= n).await?;
    transport.close();
    until(&seen, lost).await?;
    let echoed = seen.borrow().data.clone();
    Ok(echoed)
}

#[asyncio::test]
fn a_unix_server_echoes_and_removes_its_socket_file_on_close() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let dir = TempDir::new("unix-echo");
    let path = dir.path("echo.sock");
    let server = echo_unix_server(lp.clone(), path.clone(), Shared::default()).await?;
    assert!(path.exists());
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let echoed = round_trip(lp, path.clone(), data.clone()).await?;
    assert_eq!(echoed, data);
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert!(!path.exists(), "the socket file is removed on close");
    Ok(())
}

#[asyncio::test]
fn a_stale_socket_file_is_replaced() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let dir = TempDir::new("unix-stale");
    let path = dir.path("stale.sock");
    // A server that exited without cleaning up leaves its file behind.
    drop(std::os::unix::net::UnixListener::bind(&path)?);
    assert!(path.exists());
    let server = echo_unix_server(lp.clone(), path.clone(), Shared::default()).await?;
    assert_eq!(round_trip(lp, path, b"again".to_vec()).await?, b"again");
    server.close();
    Ok(())
}

#[asyncio::test]
fn a_file_that_is_not_a_socket_is_left_alone() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let dir = TempDir::new("unix-file");
    let path = dir.path("data.txt");
    std::fs::write(&path, b"precious")?;
    let result = echo_unix_server(lp, path.clone(), Shared::default()).await;
    let err = result.expect_err("binding over a regular file fails");
    assert!(
        matches!(&err, asyncio::Error::Io(e) if e.kind() == std::io::ErrorKind::AddrInUse),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path)?, b"precious");
    Ok(())
}

#[asyncio::test]
fn close_does_not_remove_a_socket_file_that_is_no_longer_ours() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let dir = TempDir::new("unix-replaced");
    let path = dir.path("shared.sock");
    let server = echo_unix_server(lp, path.clone(), Shared::default()).await?;
    // Another server took the path over.
    std::fs::remove_file(&path)?;
    let other = std::os::unix::net::UnixListener::bind(&path)?;
    server.close();
    assert!(path.exists(), "the other server's socket file stays");
    drop(other);
    Ok(())
}

#[asyncio::test]
fn an_abstract_socket_has_no_file() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let name = PathBuf::from(format!("\0asyncio-test-{}", std::process::id()));
    let server = echo_unix_server(lp.clone(), name.clone(), Shared::default()).await?;
    assert_eq!(
        round_trip(lp, name, b"abstract".to_vec()).await?,
        b"abstract"
    );
    server.close();
    Ok(())
}

/// A protocol that does nothing.
#[derive(Default)]
struct Quiet;
impl asyncio::Protocol for Quiet {}

fn io_kind(result: asyncio::Result<impl Sized>) -> std::io::ErrorKind {
    match result {
        Err(asyncio::Error::Io(e)) => e.kind(),
        Err(other) => panic!("not an I/O error: {other:?}"),
        Ok(_) => panic!("succeeded"),
    }
}

#[asyncio::test]
fn connecting_where_nobody_listens_is_an_error() -> asyncio::Result<()> {
    use std::io::ErrorKind;
    let lp = asyncio::get_running_loop()?;
    let dir = TempDir::new("unix-nobody");
    let missing = dir.path("missing.sock");
    let result = lp.create_unix_connection(Quiet::default, &missing).await;
    assert_eq!(io_kind(result), ErrorKind::NotFound);
    let stale = dir.path("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale)?);
    let result = lp.create_unix_connection(Quiet::default, &stale).await;
    assert_eq!(io_kind(result), ErrorKind::ConnectionRefused);
    let long = dir.path(&"x".repeat(200));
    let result = lp.create_unix_connection(Quiet::default, &long).await;
    assert_eq!(io_kind(result), ErrorKind::InvalidInput);
    let result = lp.create_unix_server(Quiet::default, &long).await;
    assert_eq!(io_kind(result), ErrorKind::InvalidInput);
    Ok(())
}

/// `connect_accepted_socket` starts a protocol on a socket made elsewhere:
/// one end of a Unix socket pair, and a TCP connection accepted by
/// `sock_accept`.
#[asyncio::test]
fn connect_accepted_socket_serves_sockets_made_elsewhere() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (ours, theirs) = std::os::unix::net::UnixStream::pair()?;
    let listener = Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
    let client = lp.sock_connect(listener.local_addr()?).await?;
    let (accepted, _) = lp.sock_accept(&listener).await?;
    let pairs = [
        (
            Socket::from_unix_stream(ours)?,
            Socket::from_unix_stream(theirs)?,
        ),
        (accepted, client),
    ];
    for (served, peer) in pairs {
        let seen = Shared::default();
        let server_seen = seen.clone();
        let (transport, _) = lp
            .connect_accepted_socket(
                move || {
                    let mut p = Recorder::new(&server_seen);
                    p.echo = true;
                    p
                },
                served,
            )
            .await?;
        assert_eq!(seen.borrow().made, 1, "connection_made before it returns");
        lp.sock_sendall(&peer, b"ping").await?;
        let mut echoed = Vec::new();
        while echoed.len() < 4 {
            echoed.extend(lp.sock_recv(&peer, 16).await?);
        }
        assert_eq!(echoed, b"ping");
        peer.close();
        until(&seen, lost).await?;
        assert_eq!(seen.borrow().eof, 1);
        assert!(transport.is_closing());
    }
    Ok(())
}
