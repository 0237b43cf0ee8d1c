//! Low-level I/O: `add_reader`/`add_writer` watchers (level-triggered on an
//! edge-triggered poller) and the `sock_*` operations, over loopback TCP,
//! UDP and Unix socket pairs. Every wait is bounded by an asyncio timeout.

use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;

use asyncio::{Error, EventLoop, SockAddr, Socket};

/// Fails the test instead of hanging.
const LIMIT: f64 = 10.0;

fn pair() -> (Socket, Socket) {
    let (a, b) = UnixStream::pair().unwrap();
    (
        Socket::from_unix_stream(a).unwrap(),
        Socket::from_unix_stream(b).unwrap(),
    )
}

fn listener() -> (Socket, SocketAddr) {
    let l = Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let addr = l.local_addr().unwrap();
    (l, addr)
}

/// Runs loop iterations until `done` (at most 1,000: a bound on count,
/// not on time).
fn iterate_until(event_loop: &EventLoop, done: impl Fn() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        event_loop
            .run_until_complete(asyncio::sleep(0))
            .unwrap()
            .unwrap();
    }
}

/// The pitfall of an edge-triggered `add_reader`: a callback that reads one
/// byte of ten is called ten times with no new data, then not again until
/// more arrives.
#[test]
fn add_reader_is_level_triggered() {
    let event_loop = EventLoop::new().unwrap();
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    theirs.write_all(b"0123456789").unwrap();
    let fd = ours.as_raw_fd();
    // Kept open after the reader (which holds a clone) is removed.
    let ours = Rc::new(ours);
    let _kept = ours.clone();
    let got = Rc::new(RefCell::new(Vec::new()));
    let calls = Rc::new(Cell::new(0));
    let (g, c) = (got.clone(), calls.clone());
    let lp = event_loop.clone();
    event_loop
        .add_reader(fd, move || {
            c.set(c.get() + 1);
            let mut byte = [0u8; 1];
            if let Ok(1) = (&*ours).read(&mut byte) {
                g.borrow_mut().push(byte[0]);
            }
            if matches!(g.borrow().len(), 10 | 12) {
                lp.stop();
            }
        })
        .unwrap();
    let a_few_iterations = || {
        for _ in 0..5 {
            event_loop
                .run_until_complete(asyncio::sleep(0))
                .unwrap()
                .unwrap();
        }
    };
    event_loop.run_forever().unwrap();
    a_few_iterations();
    assert_eq!(&*got.borrow(), b"0123456789");
    assert_eq!(
        calls.get(),
        10,
        "called once per byte, never with nothing to read"
    );
    theirs.write_all(b"ab").unwrap();
    event_loop.run_forever().unwrap();
    a_few_iterations();
    assert_eq!(&*got.borrow(), b"0123456789ab");
    assert_eq!(calls.get(), 12);
    assert!(event_loop.remove_reader(fd).unwrap());
    assert!(!event_loop.remove_reader(fd).unwrap());
    theirs.write_all(b"c").unwrap();
    a_few_iterations();
    assert_eq!(calls.get(), 12, "removed readers are not called");
    event_loop.close().unwrap();
}

#[test]
fn add_writer_runs_while_writable_and_shares_the_fd_with_a_reader() {
    let event_loop = EventLoop::new().unwrap();
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let fd = ours.as_raw_fd();
    let writes = Rc::new(Cell::new(0));
    let w = writes.clone();
    let lp = event_loop.clone();
    let ours = Rc::new(ours);
    let writer = ours.clone();
    event_loop
        .add_writer(fd, move || {
            (&*writer).write_all(b"x").unwrap();
            w.set(w.get() + 1);
            if w.get() == 3 {
                lp.remove_writer(fd).unwrap();
            }
        })
        .unwrap();
    let read = Rc::new(Cell::new(false));
    let r = read.clone();
    let reader = ours.clone();
    event_loop
        .add_reader(fd, move || {
            let mut buf = [0u8; 8];
            let _ = (&*reader).read(&mut buf);
            r.set(true);
        })
        .unwrap();
    theirs.write_all(b"hi").unwrap();
    iterate_until(&event_loop, || writes.get() == 3 && read.get());
    iterate_until(&event_loop, || false);
    assert_eq!(writes.get(), 3);
    assert!(read.get());
    let mut buf = [0u8; 8];
    assert_eq!(theirs.read(&mut buf).unwrap(), 3);
    assert!(event_loop.remove_reader(fd).unwrap());
    event_loop.close().unwrap();
}

#[test]
fn watchers_refuse_bad_fds_and_fds_owned_by_sockets() {
    let event_loop = EventLoop::new().unwrap();
    let err = event_loop.add_reader(1 << 20, || {}).unwrap_err();
    assert!(matches!(err, Error::Value(_)), "{err:?}");
    event_loop
        .run_until_complete(socket_fd_in_use())
        .unwrap()
        .unwrap();
    event_loop.close().unwrap();
    assert!(event_loop.add_reader(0, || {}).is_err(), "closed loop");
}

#[asyncio::coroutine]
fn socket_fd_in_use() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, _b) = pair();
    let err = lp.add_reader(a.fd(), || {}).unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err:?}");
    assert!(lp.remove_writer(a.fd()).is_err());
    Ok(())
}

#[test]
fn a_panicking_reader_is_reported_and_stays() {
    let event_loop = EventLoop::new().unwrap();
    let (ours, mut theirs) = UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let reports = Rc::new(Cell::new(0));
    let r = reports.clone();
    event_loop.set_exception_handler(Some(move |_: &EventLoop, _: &asyncio::ExceptionContext| {
        r.set(r.get() + 1)
    }));
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    event_loop
        .add_reader(ours.as_raw_fd(), move || {
            c.set(c.get() + 1);
            let mut buf = [0u8; 1];
            let _ = (&ours).read(&mut buf);
            panic!("reader failed");
        })
        .unwrap();
    theirs.write_all(b"ab").unwrap();
    iterate_until(&event_loop, || calls.get() == 2);
    iterate_until(&event_loop, || false);
    assert_eq!(calls.get(), 2, "called again for the second byte, then not");
    assert_eq!(reports.get(), 2);
    event_loop.close().unwrap();
}

// ---------------------------------------------------------------------------
// sock_* operations.

#[asyncio::test]
fn tcp_connect_accept_send_recv_and_eof() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (listener, addr) = listener();
    let client = asyncio::timeout(LIMIT, lp.sock_connect(addr)).await?;
    let (server, peer) = asyncio::timeout(LIMIT, lp.sock_accept(&listener)).await?;
    assert!(matches!(peer, SockAddr::Inet(a) if a == client.local_addr()?));
    assert_eq!(client.peer_addr()?, addr);
    lp.sock_sendall(&client, b"ping").await?;
    let mut got = Vec::new();
    while got.len() < 4 {
        got.extend(asyncio::timeout(LIMIT, lp.sock_recv(&server, 1024)).await?);
    }
    assert_eq!(got, b"ping");
    client.shutdown(std::net::Shutdown::Write)?;
    let eof = asyncio::timeout(LIMIT, lp.sock_recv(&server, 1024)).await?;
    assert!(eof.is_empty(), "EOF is an empty read");
    Ok(())
}

#[asyncio::test]
fn connection_refused_is_an_io_error() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    // A port that was just free: bound, then closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let err = asyncio::timeout(LIMIT, lp.sock_connect(addr))
        .await
        .unwrap_err();
    match err {
        Error::Io(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
        other => panic!("{other:?}"),
    }
    Ok(())
}

/// 4 MiB through a socket pair, written and read concurrently: partial
/// writes, `WouldBlock` on both sides, and every byte in order.
#[asyncio::test]
fn sendall_of_4_mib_arrives_byte_exact() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, b) = pair();
    let data: Vec<u8> = (0..4 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let expected = data.clone();
    let writer = asyncio::create_task(send_all(a, data));
    let mut got = Vec::new();
    loop {
        let chunk = asyncio::timeout(LIMIT, lp.sock_recv(&b, 65536)).await?;
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    writer.await?;
    assert!(got == expected, "{} bytes of {}", got.len(), expected.len());
    Ok(())
}

#[asyncio::coroutine]
fn send_all(socket: Socket, data: Vec<u8>) -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    lp.sock_sendall(&socket, &data).await?;
    socket.close();
    Ok(())
}

#[asyncio::coroutine]
fn recv_task(socket: Socket) -> asyncio::Result<Vec<u8>> {
    let lp = asyncio::get_running_loop()?;
    lp.sock_recv(&socket, 1024).await
}

#[asyncio::coroutine]
fn accept_task(listener: Socket) -> asyncio::Result<Socket> {
    let lp = asyncio::get_running_loop()?;
    Ok(lp.sock_accept(&listener).await?.0)
}

/// A cancelled recv has consumed nothing, and a new one right after works.
#[asyncio::test]
fn a_cancelled_recv_loses_no_byte() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, b) = pair();
    for round in 0..20u8 {
        let waiting = asyncio::create_task(recv_task(b.clone()));
        asyncio::sleep(0).await?;
        waiting.cancel();
        lp.sock_sendall(&a, &[round; 3]).await?;
        assert!(waiting.await.unwrap_err().is_cancelled());
        let got = asyncio::timeout(LIMIT, lp.sock_recv(&b, 1024)).await?;
        assert_eq!(got, [round; 3]);
    }
    // Cancelled by a timeout, the same.
    let timed_out = asyncio::timeout(0.01, lp.sock_recv(&b, 1024)).await;
    assert!(matches!(timed_out, Err(Error::Timeout)));
    lp.sock_sendall(&a, b"after").await?;
    assert_eq!(
        asyncio::timeout(LIMIT, lp.sock_recv(&b, 1024)).await?,
        b"after"
    );
    Ok(())
}

/// A cancelled accept leaves the connection for the next accept.
#[asyncio::test]
fn a_cancelled_accept_loses_no_connection() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (listener, addr) = listener();
    let waiting = asyncio::create_task(accept_task(listener.clone()));
    asyncio::sleep(0).await?;
    waiting.cancel();
    let client = asyncio::timeout(LIMIT, lp.sock_connect(addr)).await?;
    assert!(waiting.await.unwrap_err().is_cancelled());
    let (server, _) = asyncio::timeout(LIMIT, lp.sock_accept(&listener)).await?;
    lp.sock_sendall(&client, b"x").await?;
    assert_eq!(
        asyncio::timeout(LIMIT, lp.sock_recv(&server, 8)).await?,
        b"x"
    );
    Ok(())
}

/// Two tasks waiting on one socket: both are woken, one gets the data,
/// the other keeps waiting (asyncio would leave the first waiter hanging).
#[asyncio::test]
fn two_readers_of_one_socket_both_make_progress() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, b) = pair();
    let first = asyncio::create_task(recv_task(b.clone()));
    let second = asyncio::create_task(recv_task(b.clone()));
    asyncio::sleep(0).await?;
    lp.sock_sendall(&a, b"one").await?;
    // One reader takes "one" before "two" is sent (else one read could
    // take both).
    for _ in 0..1000 {
        if first.done() || second.done() {
            break;
        }
        asyncio::sleep(0).await?;
    }
    assert!(first.done() != second.done(), "exactly one reader got data");
    lp.sock_sendall(&a, b"two").await?;
    let mut got = vec![
        asyncio::timeout(LIMIT, first).await?,
        asyncio::timeout(LIMIT, second).await?,
    ];
    got.sort();
    assert_eq!(got, [b"one".to_vec(), b"two".to_vec()]);
    Ok(())
}

#[asyncio::coroutine]
fn echo_one(lp: EventLoop, socket: Socket) -> asyncio::Result<()> {
    loop {
        let data = lp.sock_recv(&socket, 4096).await?;
        if data.is_empty() {
            return Ok(());
        }
        lp.sock_sendall(&socket, &data).await?;
    }
}

#[asyncio::coroutine]
fn client_round_trip(lp: EventLoop, addr: SocketAddr, i: u32) -> asyncio::Result<()> {
    let socket = lp.sock_connect(addr).await?;
    let message = format!("hello {i}").into_bytes();
    lp.sock_sendall(&socket, &message).await?;
    let mut got = Vec::new();
    while got.len() < message.len() {
        let chunk = lp.sock_recv(&socket, 4096).await?;
        assert!(!chunk.is_empty(), "early EOF");
        got.extend(chunk);
    }
    assert_eq!(got, message);
    Ok(())
}

/// 300 clients at once: the listener is drained past one event's worth of
/// connections, and every echo comes back exact.
#[asyncio::test]
fn three_hundred_concurrent_connections_echo() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (listener, addr) = listener();
    let clients: Vec<_> = (0..300)
        .map(|i| asyncio::create_task(client_round_trip(lp.clone(), addr, i)))
        .collect();
    let mut handlers = Vec::new();
    for _ in 0..300 {
        let (socket, _) = asyncio::timeout(LIMIT, lp.sock_accept(&listener)).await?;
        handlers.push(asyncio::create_task(echo_one(lp.clone(), socket)));
    }
    for client in clients {
        asyncio::timeout(LIMIT, client).await?;
    }
    drop(handlers);
    Ok(())
}

#[asyncio::test]
fn udp_sendto_and_recvfrom() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let a = Socket::from_udp(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    let b = Socket::from_udp(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    for i in 0..10u8 {
        assert_eq!(lp.sock_sendto(&a, &[i; 5], b.local_addr()?).await?, 5);
    }
    for i in 0..10u8 {
        let (data, from) = asyncio::timeout(LIMIT, lp.sock_recvfrom(&b, 64)).await?;
        assert_eq!(data, [i; 5]);
        assert!(matches!(from, SockAddr::Inet(addr) if addr == a.local_addr()?));
    }
    Ok(())
}

#[asyncio::test]
fn operations_on_a_closed_socket_fail() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, _b) = pair();
    a.close();
    a.close();
    assert!(a.is_closed());
    assert_eq!(a.fd(), -1);
    assert!(matches!(lp.sock_recv(&a, 1).await, Err(Error::Io(_))));
    assert!(matches!(lp.sock_sendall(&a, b"x").await, Err(Error::Io(_))));
    Ok(())
}

#[test]
fn sockets_need_a_running_loop() {
    let (a, _b) = UnixStream::pair().unwrap();
    assert!(matches!(
        Socket::from_unix_stream(a),
        Err(Error::InvalidState(_))
    ));
}

// ---------------------------------------------------------------------------
// Name resolution.

#[asyncio::test]
fn getaddrinfo_answers_literals_and_localhost() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let v4 = lp.getaddrinfo("127.0.0.1", 80).await?;
    assert_eq!(v4, ["127.0.0.1:80".parse::<SocketAddr>().unwrap()]);
    let v6 = lp.getaddrinfo("[::1]", 443).await?;
    assert_eq!(v6, ["[::1]:443".parse::<SocketAddr>().unwrap()]);
    let local = asyncio::timeout(LIMIT, lp.getaddrinfo("localhost", 8080)).await?;
    assert!(!local.is_empty());
    assert!(
        local
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080)
    );
    Ok(())
}

#[asyncio::test]
fn getnameinfo_gives_numeric_host_and_service() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let flags = libc::NI_NUMERICHOST | libc::NI_NUMERICSERV;
    let v4 = lp.getnameinfo("127.0.0.1:8080".parse().unwrap(), flags);
    assert_eq!(
        asyncio::timeout(LIMIT, v4).await?,
        ("127.0.0.1".into(), "8080".into())
    );
    let v6 = lp.getnameinfo("[::1]:53".parse().unwrap(), flags);
    assert_eq!(
        asyncio::timeout(LIMIT, v6).await?,
        ("::1".into(), "53".into())
    );
    Ok(())
}

/// A big `sock_sendall` to a peer that does not read blocks; cancelled
/// there, it stops sending, and a later sendall's bytes follow the ones
/// already sent, never mixed with the cancelled call's leftovers.
#[asyncio::test]
fn a_cancelled_sendall_never_interleaves_with_the_next() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, b) = pair();
    let big: Vec<u8> = (0..8 << 20).map(|i: u32| (i % 251) as u8).collect();
    let sending = asyncio::create_task(send_some(a.clone(), big.clone()));
    // Cancelled before its first step, it sends nothing at all.
    let never = asyncio::create_task(send_some(a.clone(), vec![0xEE; 1000]));
    never.cancel();
    assert!(never.await.unwrap_err().is_cancelled());
    // The socket buffer fills; the sender waits for room.
    for _ in 0..5 {
        asyncio::sleep(0).await?;
    }
    assert!(!sending.done(), "8 MiB does not fit in a socket buffer");
    sending.cancel();
    assert!(sending.await.unwrap_err().is_cancelled());
    // The peer reads while the tail goes out (the buffer is still full).
    let reading = asyncio::create_task(recv_to_eof(b.clone()));
    asyncio::timeout(LIMIT, lp.sock_sendall(&a, b"TAIL")).await?;
    a.close();
    let got = asyncio::timeout(LIMIT, reading).await?;
    assert!(got.ends_with(b"TAIL"), "the later call's bytes come last");
    let sent = &got[..got.len() - 4];
    assert!(
        !sent.is_empty() && sent.len() < big.len(),
        "{} bytes",
        sent.len()
    );
    assert!(
        sent == &big[..sent.len()],
        "a prefix of the cancelled call's bytes"
    );
    Ok(())
}

#[asyncio::coroutine]
fn recv_to_eof(socket: Socket) -> asyncio::Result<Vec<u8>> {
    let lp = asyncio::get_running_loop()?;
    let mut got = Vec::new();
    loop {
        let chunk = lp.sock_recv(&socket, 1 << 20).await?;
        if chunk.is_empty() {
            return Ok(got);
        }
        got.extend(chunk);
    }
}

#[asyncio::coroutine]
fn send_some(socket: Socket, data: Vec<u8>) -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    lp.sock_sendall(&socket, &data).await
}

#[asyncio::coroutine]
fn recv_into_task(socket: Socket) -> asyncio::Result<Vec<u8>> {
    let lp = asyncio::get_running_loop()?;
    let mut buf = vec![0; 64];
    let n = lp.sock_recv_into(&socket, &mut buf).await?;
    buf.truncate(n);
    Ok(buf)
}

#[asyncio::coroutine]
fn recvfrom_task(socket: Socket) -> asyncio::Result<Vec<u8>> {
    let lp = asyncio::get_running_loop()?;
    Ok(lp.sock_recvfrom(&socket, 64).await?.0)
}

/// `sock_recv_into` and `sock_recvfrom` cancelled at each point (before
/// their first step, and while waiting) consume nothing: the next call gets
/// the bytes, or the datagram.
#[asyncio::test]
fn cancelled_recv_into_and_recvfrom_lose_nothing() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (a, b) = pair();
    let receiver = Socket::from_udp(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    let sender = Socket::from_udp(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    let to = receiver.local_addr()?;
    for yields in 0..3 {
        let stream = asyncio::create_task(recv_into_task(b.clone()));
        let datagram = asyncio::create_task(recvfrom_task(receiver.clone()));
        for _ in 0..yields {
            asyncio::sleep(0).await?;
        }
        stream.cancel();
        datagram.cancel();
        lp.sock_sendall(&a, &[yields; 5]).await?;
        lp.sock_sendto(&sender, &[yields; 7], to).await?;
        assert!(stream.await.unwrap_err().is_cancelled());
        assert!(datagram.await.unwrap_err().is_cancelled());
        let got = asyncio::timeout(LIMIT, recv_into_task(b.clone())).await?;
        assert_eq!(got, [yields; 5]);
        let got = asyncio::timeout(LIMIT, recvfrom_task(receiver.clone())).await?;
        assert_eq!(got, [yields; 7]);
    }
    Ok(())
}
