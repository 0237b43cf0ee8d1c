//! Transports and protocols over loopback TCP: `create_server`,
//! `create_connection`, flow control, half-close, pause/resume, closing.
//! Every wait is an awaited event bounded by an asyncio timeout.

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Error, Event, EventLoop, Protocol, Server, Transport};
use support::recorder::{LIMIT, Recorder, Shared, connect_recorder, lost, until};

/// An echo server whose connections record into one shared `Seen`.
fn echo_server(
    seen: Shared,
) -> impl std::future::Future<Output = asyncio::Result<(Server, std::net::SocketAddr)>> {
    echo_server_with(seen, asyncio::ServerOptions::default())
}

#[asyncio::coroutine]
fn echo_server_with(
    seen: Shared,
    options: asyncio::ServerOptions,
) -> asyncio::Result<(Server, std::net::SocketAddr)> {
    let lp = asyncio::get_running_loop()?;
    let factory = move || {
        let mut p = Recorder::new(&seen);
        p.echo = true;
        p
    };
    let server = lp
        .create_server_with(factory, "127.0.0.1", 0, options)
        .await?;
    let addr = server.sockets()[0].local_addr()?;
    Ok((server, addr))
}

#[asyncio::test]
fn echo_through_server_and_connection_then_close() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let server_seen = Shared::default();
    let (server, addr) = echo_server(server_seen.clone()).await?;
    assert!(server.is_serving());
    let (transport, seen) =
        asyncio::timeout(LIMIT, connect_recorder(lp.clone(), addr.port())).await?;
    assert_eq!(
        seen.borrow().made,
        1,
        "connection_made before create_connection returns"
    );
    assert_eq!(transport.peername()?, addr);
    transport.write(b"hello ")?;
    transport.writelines(&[b"wor", b"ld"])?;
    until(&seen, |s| s.data.len() >= 11).await?;
    assert_eq!(seen.borrow().data, b"hello world");
    transport.close();
    transport.close();
    assert!(transport.is_closing());
    until(&seen, lost).await?;
    assert_eq!(seen.borrow().lost, [None]);
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    let server_seen = server_seen.borrow();
    assert_eq!(server_seen.made, 1);
    assert_eq!(server_seen.eof, 1);
    assert_eq!(server_seen.lost, [None], "connection_lost exactly once");
    Ok(())
}

/// A protocol that sends `total` bytes of a pattern with flow control and
/// checks the echo as it comes back.
struct Pump {
    transport: Option<Transport>,
    total: usize,
    sent: usize,
    received: usize,
    mismatch: Option<usize>,
    paused: bool,
    pauses: usize,
    done: Event,
}

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 11) as u8
}

impl Pump {
    fn pump(&mut self) {
        let transport = self.transport.clone().unwrap();
        while !self.paused && self.sent < self.total {
            let n = (self.total - self.sent).min(100_000);
            let chunk: Vec<u8> = (self.sent..self.sent + n).map(pattern).collect();
            self.sent += n;
            // May call pause_writing on us: delivered after we return.
            transport.write(&chunk).unwrap();
            if transport.get_write_buffer_size() > transport.get_write_buffer_limits().1 {
                break;
            }
        }
    }
}

impl Protocol for Pump {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
        self.pump();
    }
    fn data_received(&mut self, data: &[u8]) {
        for (k, b) in data.iter().enumerate() {
            if self.mismatch.is_none() && *b != pattern(self.received + k) {
                self.mismatch = Some(self.received + k);
            }
        }
        self.received += data.len();
        if self.received == self.total {
            self.transport.as_ref().unwrap().close();
        }
    }
    fn pause_writing(&mut self) {
        self.paused = true;
        self.pauses += 1;
    }
    fn resume_writing(&mut self) {
        self.paused = false;
        self.pump();
    }
    fn connection_lost(&mut self, _: Option<Error>) {
        self.transport = None;
        self.done.set();
    }
}

/// 64 MiB through an echo server, checked byte by byte: partial writes,
/// the water marks, reads bounded per turn and re-queued.
#[asyncio::test]
fn echo_of_64_mib_is_byte_exact_with_flow_control() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    let done = Event::new();
    let total = 64 << 20;
    let (_, pump) = lp
        .create_connection(
            {
                let done = done.clone();
                move || Pump {
                    transport: None,
                    total,
                    sent: 0,
                    received: 0,
                    mismatch: None,
                    paused: false,
                    pauses: 0,
                    done,
                }
            },
            "127.0.0.1",
            addr.port(),
        )
        .await?;
    asyncio::timeout(120.0, done.wait()).await?;
    let pump = pump.borrow();
    assert_eq!(pump.mismatch, None);
    assert_eq!(pump.received, total);
    assert!(
        pump.pauses > 0,
        "the writer was paused at the high-water mark"
    );
    server.close();
    Ok(())
}

/// The lost-edge pitfall: data that arrived while reading was paused is
/// delivered on resume, with the peer sending nothing more.
#[asyncio::test]
fn resume_reading_delivers_what_arrived_while_paused() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (listener, addr) = {
        let l = asyncio::Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
        let a = l.local_addr()?;
        (l, a)
    };
    let connecting = asyncio::create_task(connect_recorder(lp.clone(), addr.port()));
    let (peer, _) = asyncio::timeout(LIMIT, lp.sock_accept(&listener)).await?;
    let (transport, seen) = asyncio::timeout(LIMIT, connecting).await?;
    transport.pause_reading();
    assert!(!transport.is_reading());
    let data = vec![7u8; 100 * 1024];
    lp.sock_sendall(&peer, &data).await?;
    // Let the loop see the readiness while paused.
    for _ in 0..10 {
        asyncio::sleep(0).await?;
    }
    assert!(
        seen.borrow().data.is_empty(),
        "nothing delivered while paused"
    );
    transport.resume_reading();
    // No new data comes: only the readiness cached while paused can
    // deliver it.
    let n = data.len();
    until(&seen, move |s| s.data.len() == n).await?;
    transport.abort();
    until(&seen, lost).await?;
    assert_eq!(seen.borrow().lost, [None]);
    Ok(())
}

/// Half-close: the client writes EOF, the server's protocol keeps the
/// connection open (`eof_received` true), answers, and closes.
struct HalfClose {
    transport: Option<Transport>,
    got: Vec<u8>,
}

impl Protocol for HalfClose {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
    }
    fn data_received(&mut self, data: &[u8]) {
        self.got.extend_from_slice(data);
    }
    fn eof_received(&mut self) -> bool {
        let t = self.transport.take().unwrap();
        t.write(format!("got {} bytes", self.got.len()).as_bytes())
            .unwrap();
        t.close();
        true
    }
}

#[asyncio::test]
fn eof_received_true_keeps_the_connection_half_open() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let server = lp
        .create_server(
            || HalfClose {
                transport: None,
                got: Vec::new(),
            },
            "127.0.0.1",
            0,
        )
        .await?;
    let addr = server.sockets()[0].local_addr()?;
    let (transport, seen) =
        asyncio::timeout(LIMIT, connect_recorder(lp.clone(), addr.port())).await?;
    transport.write(b"12345")?;
    assert!(transport.can_write_eof());
    transport.write_eof();
    assert!(matches!(
        transport.write(b"more"),
        Err(Error::InvalidState(_))
    ));
    until(&seen, lost).await?;
    let seen = seen.borrow();
    assert_eq!(seen.data, b"got 5 bytes");
    assert_eq!(seen.eof, 1);
    assert_eq!(seen.lost, [None]);
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

/// A write inside `data_received` that crosses the high-water mark: the
/// protocol is busy, so `pause_writing` comes right after, never a
/// `RefCell` panic; `resume_writing` once the peer drained.
struct BigReply {
    transport: Option<Transport>,
    seen: Shared,
}

impl Protocol for BigReply {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
    }
    fn data_received(&mut self, _: &[u8]) {
        let t = self.transport.as_ref().unwrap();
        t.write(&vec![b'x'; 16 << 20]).unwrap();
        t.close();
    }
    fn pause_writing(&mut self) {
        self.seen.borrow_mut().paused += 1;
    }
    fn resume_writing(&mut self) {
        self.seen.borrow_mut().resumed += 1;
    }
}

#[asyncio::test]
fn writing_over_the_high_mark_inside_data_received_pauses_and_resumes() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let server_seen = Shared::default();
    let server = {
        let seen = server_seen.clone();
        lp.create_server(
            move || BigReply {
                transport: None,
                seen: seen.clone(),
            },
            "127.0.0.1",
            0,
        )
        .await?
    };
    let addr = server.sockets()[0].local_addr()?;
    let (transport, seen) =
        asyncio::timeout(LIMIT, connect_recorder(lp.clone(), addr.port())).await?;
    transport.write(b"go")?;
    until(&seen, lost).await?;
    assert_eq!(seen.borrow().data.len(), 16 << 20);
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    let s = server_seen.borrow();
    assert_eq!((s.paused, s.resumed), (1, 1));
    Ok(())
}

#[asyncio::test]
fn water_marks_follow_asyncio() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    let (t, seen) = connect_recorder(lp.clone(), addr.port()).await?;
    assert_eq!(t.get_write_buffer_limits(), (16 * 1024, 64 * 1024));
    t.set_write_buffer_limits(Some(1000), None)?;
    assert_eq!(t.get_write_buffer_limits(), (250, 1000));
    t.set_write_buffer_limits(None, Some(100))?;
    assert_eq!(t.get_write_buffer_limits(), (100, 400));
    assert!(matches!(
        t.set_write_buffer_limits(Some(10), Some(20)),
        Err(Error::Value(_))
    ));
    assert_eq!(t.get_write_buffer_size(), 0);
    t.abort();
    t.abort();
    until(&seen, lost).await?;
    assert_eq!(
        seen.borrow().lost.len(),
        1,
        "connection_lost once after two aborts"
    );
    // Writes after the connection was lost are dropped, not errors.
    t.write(b"late")?;
    server.close();
    Ok(())
}

#[asyncio::test]
fn wait_closed_waits_for_clients_and_close_clients_ends_them() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let server_seen = Shared::default();
    let (server, addr) = echo_server(server_seen.clone()).await?;
    let (_t, seen) = connect_recorder(lp.clone(), addr.port()).await?;
    until(&server_seen, |s| s.made == 1).await?;
    server.close();
    assert!(!server.is_serving());
    let waiting = asyncio::timeout(0.05, server.wait_closed()).await;
    assert!(
        matches!(waiting, Err(Error::Timeout)),
        "a client is still connected"
    );
    server.close_clients();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    until(&seen, lost).await?;
    assert_eq!(seen.borrow().eof, 1, "the client saw the server close");
    Ok(())
}

#[asyncio::test]
fn connection_refused_and_unresolvable_names_are_errors() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let Err(err) = connect_recorder(lp, port).await else {
        panic!("connected to a closed port");
    };
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused),
        "{err:?}"
    );
    Ok(())
}

/// 1,000 clients at once through one server, each echo exact (a backlog
/// that holds them all: they connect in one loop turn, before any accept).
#[asyncio::test]
fn a_thousand_concurrent_connections_echo() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let server_seen = Shared::default();
    let options = asyncio::ServerOptions {
        backlog: 2048,
        ..Default::default()
    };
    let (server, addr) = echo_server_with(server_seen.clone(), options).await?;
    let mut clients = Vec::new();
    for i in 0..1000 {
        clients.push(asyncio::create_task(one_client(lp.clone(), addr.port(), i)));
    }
    for client in clients {
        asyncio::timeout(LIMIT, client).await?;
    }
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert_eq!(server_seen.borrow().made, 1000);
    assert_eq!(server_seen.borrow().lost.len(), 1000);
    Ok(())
}

#[asyncio::coroutine]
fn one_client(lp: EventLoop, port: u16, i: usize) -> asyncio::Result<()> {
    let (t, seen) = connect_recorder(lp, port).await?;
    let message = format!("client {i}");
    t.write(message.as_bytes())?;
    t.write_eof();
    until(&seen, lost).await?;
    let seen = seen.borrow();
    assert_eq!(
        seen.data,
        message.as_bytes(),
        "lost: {:?}, eof {}",
        seen.lost,
        seen.eof
    );
    Ok(())
}

/// Receives into a small buffer of its own (`BufferedProtocol`), checking
/// the pattern [`Pump`] sends; `data_received` must never be called.
struct Sink {
    transport: Option<Transport>,
    buf: Vec<u8>,
    received: usize,
    mismatch: Option<usize>,
    expected: usize,
    /// The largest `nbytes` reported (never more than the buffer).
    largest: usize,
    lost: Option<Option<String>>,
    done: Event,
}

impl Protocol for Sink {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
        let data: Vec<u8> = (0..self.expected).map(pattern).collect();
        transport.write(&data).unwrap();
    }
    fn data_received(&mut self, _: &[u8]) {
        panic!("a buffered protocol gets buffer_updated, not data_received");
    }
    fn connection_lost(&mut self, exc: Option<Error>) {
        self.lost = Some(exc.map(|e| e.to_string()));
        self.transport = None;
        self.done.set();
    }
    fn as_buffered(&mut self) -> Option<&mut dyn asyncio::BufferedProtocol> {
        Some(self)
    }
}

impl asyncio::BufferedProtocol for Sink {
    fn get_buffer(&mut self, size_hint: usize) -> &mut [u8] {
        assert!(size_hint > 0);
        &mut self.buf
    }
    fn buffer_updated(&mut self, nbytes: usize) {
        assert!(nbytes > 0 && nbytes <= self.buf.len());
        self.largest = self.largest.max(nbytes);
        for (k, b) in self.buf[..nbytes].iter().enumerate() {
            if self.mismatch.is_none() && *b != pattern(self.received + k) {
                self.mismatch = Some(self.received + k);
            }
        }
        self.received += nbytes;
        if self.received == self.expected {
            self.transport.as_ref().unwrap().close();
        }
    }
}

#[asyncio::coroutine]
fn connect_sink(
    lp: EventLoop,
    port: u16,
    buffer: usize,
    expected: usize,
) -> asyncio::Result<Rc<RefCell<Sink>>> {
    let done = Event::new();
    let sink_done = done.clone();
    let (_, sink) = lp
        .create_connection(
            move || Sink {
                transport: None,
                buf: vec![0; buffer],
                received: 0,
                mismatch: None,
                expected,
                largest: 0,
                lost: None,
                done: sink_done,
            },
            "127.0.0.1",
            port,
        )
        .await?;
    asyncio::timeout(LIMIT, done.wait()).await?;
    Ok(sink)
}

/// A `BufferedProtocol` receives straight into its own buffer, a small one
/// here (so every receive fills it), byte-exact over 4 MiB.
#[asyncio::test]
fn a_buffered_protocol_receives_into_its_own_buffer() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    let expected = 4 << 20;
    let sink = connect_sink(lp, addr.port(), 1000, expected).await?;
    let sink = sink.borrow();
    assert_eq!(sink.mismatch, None);
    assert_eq!(sink.received, expected);
    assert_eq!(sink.largest, 1000, "receives fill the protocol's buffer");
    assert_eq!(sink.lost, Some(None));
    server.close();
    Ok(())
}

/// An empty buffer from `get_buffer` loses the connection with asyncio's
/// error, once, instead of spinning or panicking.
#[asyncio::test]
fn an_empty_buffer_from_get_buffer_loses_the_connection() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    let sink = connect_sink(lp, addr.port(), 0, 10).await?;
    let sink = sink.borrow();
    assert_eq!(sink.received, 0);
    let lost = sink.lost.clone().expect("connection_lost was called");
    assert!(
        lost.as_deref().is_some_and(|e| e.contains("empty buffer")),
        "{lost:?}"
    );
    server.close();
    Ok(())
}

/// Records data without keeping its transport.
struct Forgetful(Shared);

impl Protocol for Forgetful {
    fn data_received(&mut self, data: &[u8]) {
        let mut seen = self.0.borrow_mut();
        seen.data.extend_from_slice(data);
        seen.changed.set();
    }
}

/// As in asyncio, the loop holds a connection (and a serving server) while
/// it is open: dropping every handle neither closes it nor loses data.
#[asyncio::test]
fn dropped_handles_do_not_close_connections_or_servers() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    drop(server);
    let seen = Shared::default();
    let forgetful_seen = seen.clone();
    let (transport, _) = lp
        .create_connection(move || Forgetful(forgetful_seen), "127.0.0.1", addr.port())
        .await?;
    transport.write(b"still here")?;
    drop(transport);
    until(&seen, |s| s.data == b"still here").await?;
    Ok(())
}

/// Closing a loop with connections still open releases the transports
/// and their protocols (no cycle left behind, even a protocol holding its
/// transport), without `connection_lost`, and debug mode reports each
/// unclosed transport.
#[test]
fn closing_the_loop_releases_open_connections() -> asyncio::Result<()> {
    let lp = EventLoop::new()?;
    lp.set_debug(true);
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    lp.set_exception_handler(Some(
        move |_: &EventLoop, context: &asyncio::ExceptionContext| {
            sink.borrow_mut().push(context.message.clone());
        },
    ));
    let seen = Shared::default();
    let protocol = lp.run_until_complete(open_and_leave(seen.clone()))??;
    assert_eq!(Rc::strong_count(&protocol), 2, "held by its transport");
    lp.close()?;
    assert_eq!(
        Rc::strong_count(&protocol),
        1,
        "released by the closed loop"
    );
    assert!(seen.borrow().lost.is_empty());
    let unclosed = reports
        .borrow()
        .iter()
        .filter(|m| m.starts_with("unclosed transport"))
        .count();
    assert_eq!(
        unclosed,
        2,
        "the client's and the server's side: {:?}",
        reports.borrow()
    );
    Ok(())
}

#[asyncio::coroutine]
fn open_and_leave(seen: Shared) -> asyncio::Result<Rc<RefCell<Recorder>>> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    let (transport, protocol) = lp
        .create_connection(move || Recorder::new(&seen), "127.0.0.1", addr.port())
        .await?;
    transport.write(b"x")?;
    drop((server, transport));
    Ok(protocol)
}

/// `serve_forever` serves until cancelled and closes the server then; a
/// `serve_forever` future dropped unfinished closes it too.
#[asyncio::test]
fn serve_forever_closes_the_server_when_cancelled_or_dropped() -> asyncio::Result<()> {
    let (server, _) = echo_server(Shared::default()).await?;
    let task = asyncio::create_task(server.serve_forever());
    asyncio::sleep(0.0).await?;
    assert!(server.is_serving());
    task.cancel();
    assert!(matches!(task.await, Err(Error::Cancelled(_))));
    assert!(!server.is_serving());
    asyncio::timeout(support::recorder::LIMIT, server.wait_closed()).await?;

    let (server, _) = echo_server(Shared::default()).await?;
    let forever = server.serve_forever();
    assert!(server.is_serving());
    drop(forever);
    assert!(!server.is_serving());
    Ok(())
}

/// Out of descriptors in `accept` (EMFILE): the server reports it, stops
/// accepting for a second (no busy loop), and then accepts the connections
/// that waited once descriptors are free again. Runs in a child process
/// (this test binary again), whose descriptor limit it lowers.
#[test]
fn out_of_descriptors_in_accept_backs_off_and_recovers() {
    const CHILD: &str = "ASYNCIO_TEST_EMFILE_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let lp = EventLoop::new().unwrap();
        let reports = Rc::new(RefCell::new(Vec::new()));
        let reported = Event::new();
        let (sink, told) = (reports.clone(), reported.clone());
        lp.set_exception_handler(Some(
            move |_: &EventLoop, context: &asyncio::ExceptionContext| {
                sink.borrow_mut().push(context.message.clone());
                told.set();
            },
        ));
        let made = lp
            .run_until_complete(exhaust_and_recover(reported))
            .unwrap();
        assert_eq!(made.unwrap(), 8);
        let backoffs = reports
            .borrow()
            .iter()
            .filter(|m| m.contains("out of system resource"))
            .count();
        assert!(backoffs >= 1, "{:?}", reports.borrow());
        lp.close().unwrap();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "out_of_descriptors_in_accept_backs_off_and_recovers",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[asyncio::coroutine]
fn exhaust_and_recover(reported: Event) -> asyncio::Result<usize> {
    let seen = Shared::default();
    let (server, addr) = echo_server(seen.clone()).await?;
    // Room for exactly 8 more descriptors: fill every free one under a
    // lowered limit, then free 8, which the clients take; accepting their
    // connections then fails with EMFILE.
    let limit = libc::rlimit {
        rlim_cur: 1024,
        rlim_max: 4096,
    };
    // SAFETY: `limit` is a valid struct for the duration of the call.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
    let mut fillers = Vec::new();
    while let Ok(file) = std::fs::File::open("/dev/null") {
        fillers.push(file);
    }
    fillers.truncate(fillers.len() - 8);
    let mut clients = Vec::new();
    for _ in 0..8 {
        clients.push(std::net::TcpStream::connect(addr)?);
    }
    // The failure is reported; nothing was accepted.
    asyncio::timeout(support::recorder::LIMIT, reported.wait()).await?;
    assert_eq!(seen.borrow().made, 0);
    // Free descriptors: the retry, a second later, accepts all 8 (the
    // clients, kept open until now, are dropped only here).
    fillers.clear();
    drop(clients);
    until(&seen, |s| s.made == 8).await?;
    server.close();
    let made = seen.borrow().made;
    Ok(made)
}

/// IO_DESIGN pitfall 6 (cpython#103462, #127655): `writelines` of many
/// buffers to a peer that is not reading crosses the high-water mark
/// (`pause_writing`), and the peer, reading at last, gets every byte with
/// "end" last.
#[asyncio::test]
fn writelines_to_a_slow_reader_pauses_and_loses_no_tail() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let listener = asyncio::Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
    let port = listener.local_addr()?.port();
    let (transport, seen) = connect_recorder(lp.clone(), port).await?;
    let (peer, _) = lp.sock_accept(&listener).await?;
    let pieces: Vec<Vec<u8>> = (0..100u8).map(|i| vec![i; 6500]).collect();
    for _ in 0..10 {
        let mut lines: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        lines.push(b"");
        transport.writelines(&lines)?;
    }
    transport.writelines(&[b"e", b"nd"])?;
    assert!(
        seen.borrow().paused >= 1,
        "pause_writing over the high mark"
    );
    transport.close();
    let mut got = Vec::new();
    loop {
        let chunk = asyncio::timeout(LIMIT, lp.sock_recv(&peer, 1 << 20)).await?;
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    assert_eq!(got.len(), 10 * 100 * 6500 + 3);
    assert!(got.ends_with(b"end"));
    assert!(
        got[..650_000]
            .chunks(6500)
            .enumerate()
            .all(|(i, c)| c.iter().all(|&b| b == i as u8))
    );
    until(&seen, lost).await?;
    assert_eq!(seen.borrow().lost, [None]);
    Ok(())
}

/// IO_DESIGN pitfall 12: `connection_lost` exactly once, whatever mix of
/// `close` and `abort`, before or after the peer goes away.
#[asyncio::test]
fn connection_lost_exactly_once_after_close_and_abort() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (server, addr) = echo_server(Shared::default()).await?;
    for order in 0..3 {
        let (transport, seen) = connect_recorder(lp.clone(), addr.port()).await?;
        transport.write(b"pending")?;
        match order {
            0 => {
                transport.close();
                transport.abort();
            }
            1 => {
                transport.abort();
                transport.close();
            }
            _ => {
                server.close_clients();
                until(&seen, lost).await?;
                transport.abort();
                transport.close();
            }
        }
        until(&seen, lost).await?;
        for _ in 0..3 {
            asyncio::sleep(0).await?;
        }
        assert_eq!(seen.borrow().lost.len(), 1, "order {order}");
        assert!(transport.is_closing());
    }
    server.close();
    Ok(())
}
