//! Datagram endpoints over loopback UDP: `create_datagram_endpoint`,
//! `DatagramTransport::sendto`, `error_received`, closing, water marks.
//! Every wait is an awaited event bounded by an asyncio timeout.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::rc::Rc;

use asyncio::{AddressFamily, DatagramOptions, DatagramProtocol, DatagramTransport, Error, Event};

const LIMIT: f64 = 20.0;

/// What a protocol saw, shared with the test; `changed` is set at every
/// callback, for [`until`].
#[derive(Default)]
struct Seen {
    made: usize,
    data: Vec<(Vec<u8>, SocketAddr)>,
    errors: Vec<ErrorKind>,
    lost: Vec<Option<String>>,
    /// What `sendto` returned when called after `close` inside
    /// `datagram_received`.
    late_send: Vec<bool>,
    changed: Event,
}

type Shared = Rc<RefCell<Seen>>;

/// Waits (at most `LIMIT` seconds) until `what` holds of `seen`.
fn until(
    seen: &Shared,
    what: impl Fn(&Seen) -> bool + 'static,
) -> impl std::future::Future<Output = asyncio::Result<()>> {
    asyncio::timeout(LIMIT, until_unbounded(seen.clone(), what))
}

#[asyncio::coroutine]
fn until_unbounded<F: Fn(&Seen) -> bool>(seen: Shared, what: F) -> asyncio::Result<()> {
    let changed = seen.borrow().changed.clone();
    loop {
        changed.clear();
        if what(&seen.borrow()) {
            return Ok(());
        }
        changed.wait().await?;
    }
}

fn lost(seen: &Seen) -> bool {
    !seen.lost.is_empty()
}

/// Lets the loop run a few iterations (to see that nothing more comes).
#[asyncio::coroutine]
fn turns(n: usize) -> asyncio::Result<()> {
    for _ in 0..n {
        asyncio::sleep(0.0).await?;
    }
    Ok(())
}

/// A protocol that records everything into a `Seen`; it echoes, or closes
/// at the first datagram, if asked.
#[derive(Clone, Copy, Default)]
struct Setup {
    echo: bool,
    close_on_data: bool,
}

struct Recorder {
    seen: Shared,
    transport: Option<DatagramTransport>,
    setup: Setup,
}

impl Recorder {
    fn note(&self, change: impl FnOnce(&mut Seen)) {
        let mut seen = self.seen.borrow_mut();
        change(&mut seen);
        seen.changed.set();
    }
}

impl DatagramProtocol for Recorder {
    fn connection_made(&mut self, transport: &DatagramTransport) {
        self.transport = Some(transport.clone());
        self.note(|s| s.made += 1);
    }
    fn datagram_received(&mut self, data: &[u8], addr: SocketAddr) {
        let t = self.transport.clone().unwrap();
        if self.setup.echo {
            // Re-entrant: the transport is in its read handler.
            t.sendto(data, Some(addr)).unwrap();
        }
        if self.setup.close_on_data {
            t.close();
            t.close();
            let late = t.sendto(b"late", Some(addr)).is_ok();
            self.note(|s| s.late_send.push(late));
        }
        self.note(|s| s.data.push((data.to_vec(), addr)));
    }
    fn error_received(&mut self, exc: Error) {
        let kind = match &exc {
            Error::Io(e) => e.kind(),
            other => panic!("not an I/O error: {other:?}"),
        };
        self.note(|s| s.errors.push(kind));
    }
    fn connection_lost(&mut self, exc: Option<Error>) {
        self.transport = None;
        self.note(|s| s.lost.push(exc.map(|e| e.to_string())));
    }
}

/// An endpoint on 127.0.0.1: bound to `local` and/or connected to
/// `remote` (ports), with a `Recorder`.
#[asyncio::coroutine]
fn open(
    local: Option<u16>,
    remote: Option<u16>,
    setup: Setup,
) -> asyncio::Result<(DatagramTransport, Shared)> {
    let lp = asyncio::get_running_loop()?;
    let seen = Shared::default();
    let recorder_seen = seen.clone();
    let factory = move || Recorder {
        seen: recorder_seen,
        transport: None,
        setup,
    };
    let (transport, _) = lp
        .create_datagram_endpoint(
            factory,
            local.map(|port| ("127.0.0.1", port)),
            remote.map(|port| ("127.0.0.1", port)),
        )
        .await?;
    Ok((transport, seen))
}

const ECHO: Setup = Setup {
    echo: true,
    close_on_data: false,
};

/// An echo endpoint on a free port, and a client connected to it.
#[asyncio::coroutine]
fn echo_pair() -> asyncio::Result<(DatagramTransport, Shared, DatagramTransport, Shared)> {
    let (server, server_seen) = open(Some(0), None, ECHO).await?;
    let port = server.sockname()?.port();
    let (client, client_seen) = open(None, Some(port), Setup::default()).await?;
    Ok((server, server_seen, client, client_seen))
}

#[asyncio::test]
fn echo_round_trip_of_several_datagrams() -> asyncio::Result<()> {
    let (server, server_seen, client, client_seen) = echo_pair().await?;
    assert_eq!(
        client_seen.borrow().made,
        1,
        "connection_made before return"
    );
    let sent: Vec<Vec<u8>> = vec![
        b"one".to_vec(),
        Vec::new(), // an empty datagram is a datagram
        b"three".to_vec(),
        vec![7; 1000],
        b"five".to_vec(),
    ];
    for datagram in &sent {
        client.sendto(datagram, None)?;
    }
    assert_eq!(client.get_write_buffer_size(), 0);
    until(&client_seen, |s| s.data.len() == 5).await?;
    let server_addr = server.sockname()?;
    let client_addr = client.sockname()?;
    assert_eq!(client.peername()?, server_addr);
    let got: Vec<Vec<u8>> = client_seen
        .borrow()
        .data
        .iter()
        .map(|d| d.0.clone())
        .collect();
    assert_eq!(got, sent);
    assert!(client_seen.borrow().data.iter().all(|d| d.1 == server_addr));
    assert!(server_seen.borrow().data.iter().all(|d| d.1 == client_addr));
    assert_eq!(server_seen.borrow().data.len(), 5);
    client.close();
    server.close();
    until(&client_seen, lost).await?;
    until(&server_seen, lost).await?;
    assert_eq!(client_seen.borrow().lost, [None]);
    assert_eq!(server_seen.borrow().lost, [None]);
    assert!(client_seen.borrow().errors.is_empty());
    Ok(())
}

#[asyncio::test]
fn a_60_kib_datagram_arrives_whole() -> asyncio::Result<()> {
    let (server, _, client, client_seen) = echo_pair().await?;
    let big: Vec<u8> = (0..60 * 1024)
        .map(|i: usize| (i * 31 % 251) as u8)
        .collect();
    client.sendto(&big, None)?;
    until(&client_seen, |s| !s.data.is_empty()).await?;
    assert!(
        client_seen.borrow().data[0].0 == big,
        "echoed byte for byte"
    );
    client.close();
    server.close();
    Ok(())
}

#[asyncio::test]
fn connected_endpoints_take_none_or_their_remote_and_unconnected_ones_need_an_address()
-> asyncio::Result<()> {
    let (server, server_seen, client, client_seen) = echo_pair().await?;
    let server_addr = server.sockname()?;
    client.sendto(b"a", None)?;
    client.sendto(b"b", Some(server_addr))?;
    let elsewhere: SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert!(matches!(
        client.sendto(b"c", Some(elsewhere)),
        Err(Error::Value(_))
    ));
    until(&server_seen, |s| s.data.len() == 2).await?;
    until(&client_seen, |s| s.data.len() == 2).await?;
    let got: Vec<Vec<u8>> = server_seen
        .borrow()
        .data
        .iter()
        .map(|d| d.0.clone())
        .collect();
    assert_eq!(got, [b"a".to_vec(), b"b".to_vec()]);

    assert!(matches!(server.sendto(b"x", None), Err(Error::Value(_))));
    assert!(!server.is_closing(), "a refused sendto leaves it open");
    assert!(server.peername().is_err(), "not connected");
    client.close();
    server.close();
    until(&server_seen, lost).await?;
    Ok(())
}

#[asyncio::test]
fn port_unreachable_goes_to_error_received_and_the_endpoint_stays_open() -> asyncio::Result<()> {
    // A port just freed: nothing listens there.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let (client, seen) = open(None, Some(port), Setup::default()).await?;
    // Twice, each after the reader drained the socket: the report then
    // comes as an error event (EPOLLERR), whose cached bit must be
    // forgotten once the error is consumed (else the reader would spin).
    for n in 1..=2 {
        turns(3).await?;
        client.sendto(b"anyone?", None)?;
        until(&seen, move |s| s.errors.len() == n).await?;
    }
    assert_eq!(
        seen.borrow().errors,
        [ErrorKind::ConnectionRefused, ErrorKind::ConnectionRefused]
    );
    assert!(!client.is_closing());

    // Someone listens now: the same endpoint talks to it.
    let (peer, peer_seen) = open(Some(port), None, ECHO).await?;
    client.sendto(b"after", None)?;
    until(&seen, |s| !s.data.is_empty()).await?;
    assert_eq!(seen.borrow().data[0].0, b"after");
    assert_eq!(peer_seen.borrow().data.len(), 1);
    assert_eq!(seen.borrow().errors.len(), 2);
    assert!(seen.borrow().lost.is_empty());
    client.close();
    peer.close();
    until(&seen, lost).await?;
    assert_eq!(seen.borrow().lost, [None]);
    Ok(())
}

#[asyncio::test]
fn close_calls_connection_lost_once_even_twice_or_from_datagram_received() -> asyncio::Result<()> {
    // Twice from the test.
    let (t, seen) = open(Some(0), None, Setup::default()).await?;
    t.close();
    assert!(t.is_closing());
    t.close();
    until(&seen, lost).await?;
    // Dropped after close, as asyncio drops them.
    t.sendto(b"late", Some("127.0.0.1:9".parse().unwrap()))?;
    turns(5).await?;
    assert_eq!(seen.borrow().lost, [None]);

    // From inside datagram_received (twice, then a sendto).
    let closer = Setup {
        echo: false,
        close_on_data: true,
    };
    let (receiver, receiver_seen) = open(Some(0), None, closer).await?;
    let port = receiver.sockname()?.port();
    let (sender, _) = open(None, Some(port), Setup::default()).await?;
    sender.sendto(b"bye", None)?;
    sender.sendto(b"unread", None)?;
    until(&receiver_seen, lost).await?;
    turns(5).await?;
    let seen = receiver_seen.borrow();
    assert_eq!(seen.lost, [None]);
    assert_eq!(seen.late_send, [true], "sendto after close is no error");
    assert_eq!(seen.data.len(), 1, "nothing received after close");
    drop(seen);

    // Abort twice.
    let (t, seen) = open(Some(0), None, Setup::default()).await?;
    t.abort();
    t.abort();
    t.close();
    until(&seen, lost).await?;
    turns(5).await?;
    assert_eq!(seen.borrow().lost, [None]);
    sender.close();
    Ok(())
}

#[asyncio::test]
fn water_marks_follow_asyncio() -> asyncio::Result<()> {
    let (server, _, client, client_seen) = echo_pair().await?;
    let t = &client;
    assert_eq!(t.get_write_buffer_limits(), (16 * 1024, 64 * 1024));
    t.set_write_buffer_limits(Some(1000), None)?;
    assert_eq!(t.get_write_buffer_limits(), (250, 1000));
    t.set_write_buffer_limits(None, Some(100))?;
    assert_eq!(t.get_write_buffer_limits(), (100, 400));
    assert!(matches!(
        t.set_write_buffer_limits(Some(10), Some(20)),
        Err(Error::Value(_))
    ));
    assert_eq!(t.get_write_buffer_limits(), (100, 400), "unchanged");
    for _ in 0..10 {
        t.sendto(&[1; 500], None)?;
    }
    // Loopback takes them at once: nothing queued.
    assert_eq!(t.get_write_buffer_size(), 0);
    until(&client_seen, |s| s.data.len() == 10).await?;
    client.close();
    server.close();
    Ok(())
}

/// Asks for a large receive buffer (the system caps it at `rmem_max`,
/// at least 416 KiB with Linux's defaults: room for 500 small datagrams).
fn enlarge_receive_buffer(t: &DatagramTransport) {
    let size: libc::c_int = 1 << 20;
    // SAFETY: the descriptor is open (the transport is), `size` is a
    // valid `c_int` for the duration of the call, and the length passed
    // is its size.
    let rc = unsafe {
        libc::setsockopt(
            t.socket().fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw const size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
}

/// 2,000 datagrams in bursts of 250 (more than one read handler takes per
/// turn: it must re-queue itself, as no new event comes for the rest),
/// each burst sent before the receiver runs, and all arrive.
#[asyncio::test]
fn two_thousand_datagrams_in_bursts_all_arrive() -> asyncio::Result<()> {
    const TOTAL: u32 = 2000;
    const BURST: u32 = 250;
    let (receiver, seen) = open(Some(0), None, Setup::default()).await?;
    enlarge_receive_buffer(&receiver);
    let to = receiver.sockname()?;
    let (sender, _) = open(Some(0), None, Setup::default()).await?;
    let mut sent = 0;
    while sent < TOTAL {
        for i in sent..sent + BURST {
            sender.sendto(&i.to_be_bytes(), Some(to))?;
        }
        sent += BURST;
        let want = sent as usize;
        until(&seen, move |s| s.data.len() >= want).await?;
    }
    let mut numbers: Vec<u32> = seen
        .borrow()
        .data
        .iter()
        .map(|(d, _)| u32::from_be_bytes(d[..].try_into().unwrap()))
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..TOTAL).collect::<Vec<_>>());
    assert!(seen.borrow().errors.is_empty());
    sender.close();
    receiver.close();
    Ok(())
}

#[asyncio::test]
fn bad_input_is_an_error_not_a_panic() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let quiet = || Recorder {
        seen: Shared::default(),
        transport: None,
        setup: Setup::default(),
    };
    // Neither address, no family.
    let none = lp
        .create_datagram_endpoint(quiet, None, None)
        .await
        .map(drop);
    assert!(matches!(none, Err(Error::Value(_))), "{none:?}");
    // A name that does not resolve.
    let unresolvable = asyncio::timeout(
        LIMIT,
        lp.create_datagram_endpoint(quiet, None, Some(("no.such.host.invalid", 9))),
    )
    .await
    .map(drop);
    assert!(
        matches!(unresolvable, Err(Error::Io(_))),
        "{unresolvable:?}"
    );
    // An address in use.
    let (t, _) = open(Some(0), None, Setup::default()).await?;
    let port = t.sockname()?.port();
    let in_use = lp
        .create_datagram_endpoint(quiet, Some(("127.0.0.1", port)), None)
        .await
        .map(drop);
    assert!(
        matches!(&in_use, Err(Error::Io(e)) if e.kind() == ErrorKind::AddrInUse),
        "{in_use:?}"
    );
    // No family in common.
    let mixed = lp
        .create_datagram_endpoint(quiet, Some(("127.0.0.1", 0)), Some(("::1", port)))
        .await
        .map(drop);
    assert!(matches!(mixed, Err(Error::Value(_))), "{mixed:?}");
    // A family that no address has.
    let options = DatagramOptions {
        family: Some(AddressFamily::Ipv6),
        ..Default::default()
    };
    let filtered = lp
        .create_datagram_endpoint_with(quiet, Some(("127.0.0.1", 0)), None, options)
        .await
        .map(drop);
    assert!(matches!(filtered, Err(Error::Value(_))), "{filtered:?}");
    t.close();
    Ok(())
}

#[asyncio::test]
fn options_family_only_reuse_port_and_broadcast() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (receiver, seen) = open(Some(0), None, Setup::default()).await?;
    let to = receiver.sockname()?;
    // Family only: unbound until the first send.
    let options = DatagramOptions {
        family: Some(AddressFamily::Ipv4),
        allow_broadcast: true,
        ..Default::default()
    };
    let sink = Shared::default();
    let sink_for = sink.clone();
    let (unbound, _) = lp
        .create_datagram_endpoint_with(
            move || Recorder {
                seen: sink_for,
                transport: None,
                setup: Setup::default(),
            },
            None,
            None,
            options,
        )
        .await?;
    unbound.sendto(b"from nowhere", Some(to))?;
    until(&seen, |s| !s.data.is_empty()).await?;
    // The first send bound it to the wildcard address and a free port.
    let bound = unbound.sockname()?;
    assert!(bound.ip().is_unspecified());
    assert_eq!(seen.borrow().data[0].1.port(), bound.port());

    // Two endpoints on one port with SO_REUSEPORT.
    let reuse = DatagramOptions {
        reuse_port: true,
        ..Default::default()
    };
    let quiet = || Recorder {
        seen: Shared::default(),
        transport: None,
        setup: Setup::default(),
    };
    let (first, _) = lp
        .create_datagram_endpoint_with(quiet, Some(("127.0.0.1", 0)), None, reuse.clone())
        .await?;
    let port = first.sockname()?.port();
    let (second, _) = lp
        .create_datagram_endpoint_with(quiet, Some(("127.0.0.1", port)), None, reuse)
        .await?;
    assert_eq!(second.sockname()?.port(), port);
    for t in [&receiver, &unbound, &first, &second] {
        t.close();
    }
    Ok(())
}

/// The same error report through `sock_recvfrom` on a connected UDP
/// socket: the call waiting when it comes gets it, and the next one waits
/// again (a cached error bit kept would make it spin).
#[asyncio::test]
fn sock_recvfrom_gets_the_port_unreachable_report_once() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    std_socket.connect(("127.0.0.1", port))?;
    let socket = asyncio::Socket::from_udp(std_socket)?;
    let waiting = asyncio::create_task(lp.sock_recvfrom(&socket, 64));
    turns(3).await?;
    assert!(!waiting.done(), "nothing to receive yet");
    let to = SocketAddr::from(([127, 0, 0, 1], port));
    lp.sock_sendto(&socket, b"anyone?", to).await?;
    let got = asyncio::timeout(LIMIT, waiting).await.map(|(d, _)| d);
    assert!(
        matches!(&got, Err(Error::Io(e)) if e.kind() == ErrorKind::ConnectionRefused),
        "{got:?}"
    );
    let again = asyncio::timeout(0.05, lp.sock_recvfrom(&socket, 64))
        .await
        .map(|(d, _)| d);
    assert!(matches!(again, Err(Error::Timeout)), "{again:?}");
    Ok(())
}
