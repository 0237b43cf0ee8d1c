//! Transports and protocols over loopback TCP: `create_server`,
//! `create_connection`, flow control, half-close, pause/resume, closing.
//! Every wait is an awaited event bounded by an asyncio timeout.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Error, Event, EventLoop, Protocol, Server, Transport};

const LIMIT: f64 = 20.0;

/// What a protocol saw, shared with the test.
#[derive(Default)]
struct Seen {
    made: usize,
    data: Vec<u8>,
    eof: usize,
    lost: Vec<Option<String>>,
    paused: usize,
    resumed: usize,
}

type Shared = Rc<RefCell<Seen>>;

/// A protocol that records everything, echoes if asked, and sets `done`
/// when the connection is lost.
struct Recorder {
    seen: Shared,
    transport: Option<Transport>,
    echo: bool,
    keep_open_on_eof: bool,
    done: Event,
}

impl Recorder {
    fn new(seen: &Shared, done: &Event) -> Recorder {
        Recorder {
            seen: seen.clone(),
            transport: None,
            echo: false,
            keep_open_on_eof: false,
            done: done.clone(),
        }
    }
}

impl Protocol for Recorder {
    fn connection_made(&mut self, transport: &Transport) {
        self.seen.borrow_mut().made += 1;
        self.transport = Some(transport.clone());
    }
    fn data_received(&mut self, data: &[u8]) {
        self.seen.borrow_mut().data.extend_from_slice(data);
        if self.echo {
            self.transport.as_ref().unwrap().write(data).unwrap();
        }
    }
    fn eof_received(&mut self) -> bool {
        self.seen.borrow_mut().eof += 1;
        self.keep_open_on_eof
    }
    fn connection_lost(&mut self, exc: Option<Error>) {
        self.seen.borrow_mut().lost.push(exc.map(|e| e.to_string()));
        self.transport = None;
        self.done.set();
    }
    fn pause_writing(&mut self) {
        self.seen.borrow_mut().paused += 1;
    }
    fn resume_writing(&mut self) {
        self.seen.borrow_mut().resumed += 1;
    }
}

/// An echo server whose connections record into one shared `Seen`.
#[asyncio::coroutine]
fn echo_server(seen: Shared) -> asyncio::Result<(Server, std::net::SocketAddr)> {
    let lp = asyncio::get_running_loop()?;
    let lost = Event::new();
    let server = lp
        .create_server(
            move || {
                let mut p = Recorder::new(&seen, &lost);
                p.echo = true;
                p
            },
            "127.0.0.1",
            0,
        )
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
    let seen = Shared::default();
    let done = Event::new();
    let (transport, _protocol) = asyncio::timeout(
        LIMIT,
        lp.create_connection(
            {
                let (seen, done) = (seen.clone(), done.clone());
                move || Recorder::new(&seen, &done)
            },
            "127.0.0.1",
            addr.port(),
        ),
    )
    .await?;
    assert_eq!(
        seen.borrow().made,
        1,
        "connection_made before create_connection returns"
    );
    assert_eq!(transport.peername()?, addr);
    transport.write(b"hello ")?;
    transport.writelines(&[b"wor", b"ld"])?;
    while seen.borrow().data.len() < 11 {
        asyncio::sleep(0.001).await?;
    }
    assert_eq!(seen.borrow().data, b"hello world");
    transport.close();
    transport.close();
    assert!(transport.is_closing());
    asyncio::timeout(LIMIT, done.wait()).await?;
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
    let seen = Shared::default();
    let done = Event::new();
    let connecting = asyncio::create_task(lp.create_connection(
        {
            let (seen, done) = (seen.clone(), done.clone());
            move || Recorder::new(&seen, &done)
        },
        "127.0.0.1",
        addr.port(),
    ));
    let (peer, _) = asyncio::timeout(LIMIT, lp.sock_accept(&listener)).await?;
    let (transport, _) = asyncio::timeout(LIMIT, connecting).await?;
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
    for _ in 0..1000 {
        if seen.borrow().data.len() == data.len() {
            break;
        }
        asyncio::sleep(0).await?;
    }
    assert_eq!(seen.borrow().data.len(), data.len());
    transport.abort();
    asyncio::timeout(LIMIT, done.wait()).await?;
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
    let seen = Shared::default();
    let done = Event::new();
    let (transport, _) = lp
        .create_connection(
            {
                let (seen, done) = (seen.clone(), done.clone());
                move || Recorder::new(&seen, &done)
            },
            "127.0.0.1",
            addr.port(),
        )
        .await?;
    transport.write(b"12345")?;
    assert!(transport.can_write_eof());
    transport.write_eof();
    assert!(matches!(
        transport.write(b"more"),
        Err(Error::InvalidState(_))
    ));
    asyncio::timeout(LIMIT, done.wait()).await?;
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
    let seen = Shared::default();
    let done = Event::new();
    let (transport, _) = lp
        .create_connection(
            {
                let (seen, done) = (seen.clone(), done.clone());
                move || Recorder::new(&seen, &done)
            },
            "127.0.0.1",
            addr.port(),
        )
        .await?;
    transport.write(b"go")?;
    asyncio::timeout(LIMIT, done.wait()).await?;
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
    let done = Event::new();
    let seen = Shared::default();
    let (t, _) = lp
        .create_connection(
            {
                let (seen, done) = (seen.clone(), done.clone());
                move || Recorder::new(&seen, &done)
            },
            "127.0.0.1",
            addr.port(),
        )
        .await?;
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
    asyncio::timeout(LIMIT, done.wait()).await?;
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
    let done = Event::new();
    let seen = Shared::default();
    let (_t, _) = lp
        .create_connection(
            {
                let (seen, done) = (seen.clone(), done.clone());
                move || Recorder::new(&seen, &done)
            },
            "127.0.0.1",
            addr.port(),
        )
        .await?;
    while server_seen.borrow().made == 0 {
        asyncio::sleep(0.001).await?;
    }
    server.close();
    assert!(!server.is_serving());
    let waiting = asyncio::timeout(0.05, server.wait_closed()).await;
    assert!(
        matches!(waiting, Err(Error::Timeout)),
        "a client is still connected"
    );
    server.close_clients();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    asyncio::timeout(LIMIT, done.wait()).await?;
    assert_eq!(seen.borrow().eof, 1, "the client saw the server close");
    Ok(())
}

#[asyncio::test]
fn connection_refused_and_unresolvable_names_are_errors() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let done = Event::new();
    let seen = Shared::default();
    let Err(err) = lp
        .create_connection(move || Recorder::new(&seen, &done), "127.0.0.1", port)
        .await
    else {
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
    let lost = Event::new();
    let seen = server_seen.clone();
    let options = asyncio::ServerOptions {
        backlog: 2048,
        ..Default::default()
    };
    let server = lp
        .create_server_with(
            move || {
                let mut p = Recorder::new(&seen, &lost);
                p.echo = true;
                p
            },
            "127.0.0.1",
            0,
            options,
        )
        .await?;
    let addr = server.sockets()[0].local_addr()?;
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
    let seen = Shared::default();
    let done = Event::new();
    let (t, _) = lp
        .create_connection(
            {
                let (seen, done) = (seen.clone(), done.clone());
                move || Recorder::new(&seen, &done)
            },
            "127.0.0.1",
            port,
        )
        .await?;
    let message = format!("client {i}");
    t.write(message.as_bytes())?;
    t.write_eof();
    done.wait().await?;
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
