//! Streams over loopback sockets: `open_connection`/`start_server` on
//! 127.0.0.1 port 0, the Unix forms, CASES.md C54 (drain) and C55
//! (backpressure, closing, servers), cancellation with byte-exact checks,
//! 1,000 concurrent echo clients and a 16 MiB echo. Every wait is bounded
//! by an asyncio timeout; `sleep(0)` only yields.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Error, Event, ServerOptions, StreamReader, StreamWriter};

/// Bound on any wait in these tests (seconds).
const LIMIT: f64 = 20.0;

type Log = Rc<RefCell<Vec<String>>>;

/// Records what reaches the running loop's exception handler.
fn record_exceptions() -> asyncio::Result<Log> {
    let log: Log = Rc::default();
    let sink = log.clone();
    asyncio::get_running_loop()?.set_exception_handler(Some(
        move |_: &asyncio::EventLoop, ctx: &asyncio::ExceptionContext| {
            sink.borrow_mut().push(ctx.message.clone());
        },
    ));
    Ok(log)
}

/// Echoes until EOF, with flow control, then closes.
#[asyncio::coroutine]
fn echo(reader: StreamReader, writer: StreamWriter) -> asyncio::Result<()> {
    loop {
        let data = reader.read(64 * 1024).await?;
        if data.is_empty() {
            break;
        }
        writer.write(&data)?;
        writer.drain().await?;
    }
    writer.close();
    writer.wait_closed().await
}

#[asyncio::coroutine]
fn echo_server() -> asyncio::Result<(asyncio::Server, u16)> {
    let options = ServerOptions {
        backlog: 2048,
        ..Default::default()
    };
    let server = asyncio::start_server_with(echo, "127.0.0.1", 0, 64 * 1024, options).await?;
    let port = server.sockets()[0].local_addr()?.port();
    Ok((server, port))
}

/// Deterministic pseudo-random bytes.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Yields until `cond` holds (state that has no awaitable of its own).
#[asyncio::coroutine]
fn yield_until(cond: Box<dyn Fn() -> bool>) -> asyncio::Result<()> {
    while !cond() {
        asyncio::sleep(0).await?;
    }
    Ok(())
}

#[asyncio::test]
fn echo_lines_through_open_connection_and_start_server() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (reader, writer) =
        asyncio::timeout(LIMIT, asyncio::open_connection("127.0.0.1", port)).await?;
    assert_eq!(writer.peer_addr()?.port(), port);
    assert_eq!(writer.local_addr()?.ip().to_string(), "127.0.0.1");
    assert!(writer.can_write_eof());
    writer.write(b"one\n")?;
    writer.writelines(&[b"tw", b"o\nthree"])?;
    writer.drain().await?;
    assert_eq!(asyncio::timeout(LIMIT, reader.readline()).await?, b"one\n");
    assert_eq!(asyncio::timeout(LIMIT, reader.readline()).await?, b"two\n");
    writer.write_eof();
    assert_eq!(
        asyncio::timeout(LIMIT, reader.read_to_end()).await?,
        b"three"
    );
    assert!(reader.at_eof());
    writer.close();
    assert!(writer.is_closing());
    asyncio::timeout(LIMIT, writer.wait_closed()).await?;
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

#[asyncio::test]
fn plain_fn_callbacks_and_closures_work() -> asyncio::Result<()> {
    fn callback(
        reader: StreamReader,
        writer: StreamWriter,
    ) -> impl std::future::Future<Output = asyncio::Result<()>> {
        echo(reader, writer)
    }
    let server = asyncio::start_server(callback, "127.0.0.1", 0).await?;
    let port = server.sockets()[0].local_addr()?.port();
    let greeting = Rc::new(b"hi\n".to_vec());
    let server2 = asyncio::start_server(
        move |_r: StreamReader, w: StreamWriter| {
            let greeting = greeting.clone();
            std::future::ready(w.write(&greeting))
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let port2 = server2.sockets()[0].local_addr()?.port();
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    writer.write(b"x")?;
    writer.write_eof();
    assert_eq!(asyncio::timeout(LIMIT, reader.read_to_end()).await?, b"x");
    let (reader2, _writer2) = asyncio::open_connection("127.0.0.1", port2).await?;
    assert_eq!(
        asyncio::timeout(LIMIT, reader2.read_to_end()).await?,
        b"hi\n",
        "the dropped reader and writer closed the connection"
    );
    server.close();
    server2.close();
    Ok(())
}

#[asyncio::test]
fn unix_streams_and_wrapped_sockets() -> asyncio::Result<()> {
    let path = std::env::temp_dir().join(format!("asyncio-streams-{}.sock", std::process::id()));
    let server = asyncio::start_unix_server(echo, &path).await?;
    let (reader, writer) = asyncio::timeout(LIMIT, asyncio::open_unix_connection(&path)).await?;
    writer.write(b"unix\n")?;
    assert_eq!(asyncio::timeout(LIMIT, reader.readline()).await?, b"unix\n");
    writer.close();
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert!(!path.exists());

    let lp = asyncio::get_running_loop()?;
    let listener = asyncio::Socket::from_tcp_listener(std::net::TcpListener::bind("127.0.0.1:0")?)?;
    let client = lp.sock_connect(listener.local_addr()?).await?;
    let (accepted, _) = lp.sock_accept(&listener).await?;
    assert!(matches!(
        asyncio::open_socket_connection(accepted.clone(), 0).await,
        Err(Error::Value(_))
    ));
    let (reader, writer) = asyncio::open_socket_connection(accepted, 1024).await?;
    assert_eq!(reader.limit(), 1024);
    lp.sock_sendall(&client, b"abc").await?;
    assert_eq!(
        asyncio::timeout(LIMIT, reader.readexactly(3)).await?,
        b"abc"
    );
    writer.write(b"back")?;
    assert_eq!(lp.sock_recv(&client, 10).await?, b"back");
    writer.close();
    client.close();
    Ok(())
}

// ---- C54: drain ----

/// A server whose handler reads nothing until `go` is set, then reads to
/// EOF and sends back the byte count and a checksum.
#[asyncio::coroutine]
fn slow_sink(go: Event, reader: StreamReader, writer: StreamWriter) -> asyncio::Result<()> {
    go.wait().await?;
    let data = reader.read_to_end().await?;
    writer.write(format!("{} {}\n", data.len(), checksum(&data)).as_bytes())?;
    writer.close();
    Ok(())
}

fn checksum(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[asyncio::test]
fn c54_ten_drains_on_a_paused_writer_all_resume() -> asyncio::Result<()> {
    let go = Event::new();
    let gate = go.clone();
    let server =
        asyncio::start_server(move |r, w| slow_sink(gate.clone(), r, w), "127.0.0.1", 0).await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let data = pattern(8 << 20, 7);
    writer.write(&data)?;
    assert!(
        writer.transport().get_write_buffer_size() > 64 * 1024,
        "paused"
    );
    let drains: Vec<_> = (0..10)
        .map(|_| asyncio::create_task(writer.drain()))
        .collect();
    asyncio::sleep(0).await?;
    asyncio::sleep(0).await?;
    assert!(drains.iter().all(|t| !t.done()), "all wait while paused");
    go.set();
    for drain in drains {
        asyncio::timeout(LIMIT, drain).await?;
    }
    writer.write_eof();
    let reply = asyncio::timeout(LIMIT, reader.readline()).await?;
    assert_eq!(
        reply,
        format!("{} {}\n", data.len(), checksum(&data)).as_bytes()
    );
    writer.close();
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

#[asyncio::test]
fn c54_cancelled_drain_leaves_its_bytes_queued_and_sent() -> asyncio::Result<()> {
    let go = Event::new();
    let gate = go.clone();
    let server =
        asyncio::start_server(move |r, w| slow_sink(gate.clone(), r, w), "127.0.0.1", 0).await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let data = pattern(4 << 20, 9);
    writer.write(&data)?;
    let outcome = asyncio::timeout(0.01, writer.drain()).await;
    assert!(matches!(outcome, Err(Error::Timeout)), "{outcome:?}");
    let drain = asyncio::create_task(writer.drain());
    asyncio::sleep(0).await?;
    drain.cancel();
    assert!(matches!(drain.await, Err(Error::Cancelled(_))));
    assert!(
        writer.transport().get_write_buffer_size() > 0,
        "still queued"
    );
    go.set();
    writer.write_eof();
    let reply = asyncio::timeout(LIMIT, reader.readline()).await?;
    assert_eq!(
        reply,
        format!("{} {}\n", data.len(), checksum(&data)).as_bytes()
    );
    writer.close();
    server.close();
    Ok(())
}

#[asyncio::test]
fn c54_write_and_drain_against_a_dead_peer_fails_fast() -> asyncio::Result<()> {
    let log = record_exceptions()?;
    let server = asyncio::start_server(
        |_r: StreamReader, w: StreamWriter| {
            w.transport().abort();
            std::future::ready(())
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    // The peer is gone once our reader sees it.
    let _ = asyncio::timeout(LIMIT, reader.read_to_end()).await;
    let mut failed = None;
    for i in 0..100 {
        writer.write(&[b'x'; 1024])?;
        if let Err(err) = asyncio::timeout(LIMIT, writer.drain()).await {
            failed = Some((i, err));
            break;
        }
    }
    let (iterations, err) = failed.expect("drain failed within 100 iterations");
    let Error::Io(io) = &err else {
        panic!("expected a connection error, got {err:?}")
    };
    assert!(
        matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::ConnectionAborted
        ),
        "{io:?}"
    );
    assert!(iterations < 10, "failed after {iterations} iterations");
    writer.close();
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert!(
        log.borrow().is_empty(),
        "nothing logged: {:?}",
        log.borrow()
    );
    Ok(())
}

#[asyncio::test]
fn c54_write_and_drain_after_close_is_connection_reset() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (_reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    writer.close();
    writer.write(b"late")?;
    let err = asyncio::timeout(LIMIT, writer.drain()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{err:?}"
    );
    server.close();
    Ok(())
}

#[asyncio::test]
fn c54_write_buffer_limits() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (_reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let transport = writer.transport();
    assert_eq!(transport.get_write_buffer_limits(), (16384, 65536));
    assert!(matches!(
        transport.set_write_buffer_limits(Some(0), Some(1)),
        Err(Error::Value(_))
    ));
    writer.close();
    server.close();
    Ok(())
}

// ---- C55: backpressure, closing, servers ----

#[asyncio::test]
fn c55_reader_pauses_its_transport_above_twice_the_limit() -> asyncio::Result<()> {
    let data = pattern(256 * 1024, 3);
    let sent = data.clone();
    let server = asyncio::start_server(
        move |_r: StreamReader, w: StreamWriter| {
            let sent = sent.clone();
            sent_then_close(w, sent)
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, writer) = asyncio::open_connection_with("127.0.0.1", port, 1024).await?;
    let (r, t) = (reader.clone(), writer.transport().clone());
    asyncio::timeout(LIMIT, yield_until(Box::new(move || r.buffered() > 2048))).await?;
    // Paused at once: the buffer holds what one read brought in.
    assert!(!writer.transport().is_reading(), "paused above 2 x limit");
    let buffered = reader.buffered();
    for _ in 0..5 {
        asyncio::sleep(0).await?;
    }
    assert_eq!(reader.buffered(), buffered, "nothing read while paused");
    let mut got = reader.read(buffered - 1024).await?;
    assert!(t.is_reading(), "resumed at the limit");
    got.extend(asyncio::timeout(LIMIT, reader.read_to_end()).await?);
    assert_eq!(got, data);
    writer.close();
    server.close();
    Ok(())
}

#[asyncio::coroutine]
fn sent_then_close(writer: StreamWriter, data: Vec<u8>) -> asyncio::Result<()> {
    writer.write(&data)?;
    writer.drain().await?;
    writer.close();
    writer.wait_closed().await
}

#[asyncio::test]
fn c55_close_then_wait_closed_and_reader_at_eof() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    writer.close();
    assert!(writer.is_closing());
    asyncio::timeout(LIMIT, writer.wait_closed()).await?;
    asyncio::timeout(LIMIT, writer.wait_closed()).await?;
    assert_eq!(reader.read(10).await?, b"");
    assert!(reader.at_eof());
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

#[asyncio::coroutine]
fn hold_until(go: Event, done: Rc<RefCell<usize>>, writer: StreamWriter) -> asyncio::Result<()> {
    go.wait().await?;
    *done.borrow_mut() += 1;
    writer.close();
    Ok(())
}

#[asyncio::test]
fn c55_server_wait_closed_waits_for_handlers() -> asyncio::Result<()> {
    let go = Event::new();
    let done = Rc::new(RefCell::new(0));
    let (gate, count) = (go.clone(), done.clone());
    let server = asyncio::start_server(
        move |_r, w| hold_until(gate.clone(), count.clone(), w),
        "127.0.0.1",
        0,
    )
    .await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, _writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let (reader2, _writer2) = asyncio::open_connection("127.0.0.1", port).await?;
    server.close();
    assert!(matches!(
        asyncio::timeout(0.05, server.wait_closed()).await,
        Err(Error::Timeout)
    ));
    go.set();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert_eq!(*done.borrow(), 2, "both handlers finished");
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert_eq!(asyncio::timeout(LIMIT, reader.read_to_end()).await?, b"");
    assert_eq!(asyncio::timeout(LIMIT, reader2.read_to_end()).await?, b"");
    Ok(())
}

#[asyncio::test]
fn c55_close_clients_and_abort_clients_release_wait_closed() -> asyncio::Result<()> {
    for abort in [false, true] {
        let go = Event::new();
        let gate = go.clone();
        let server =
            asyncio::start_server(move |r, w| slow_sink(gate.clone(), r, w), "127.0.0.1", 0)
                .await?;
        let port = server.sockets()[0].local_addr()?.port();
        let (_reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
        writer.write(&pattern(4 << 20, 1))?; // fill the buffers
        asyncio::sleep(0).await?;
        server.close();
        if abort {
            server.abort_clients();
        } else {
            server.close_clients();
        }
        asyncio::timeout(LIMIT, server.wait_closed()).await?;
        writer.transport().abort();
    }
    Ok(())
}

#[asyncio::test]
fn c55_unhandled_callback_error_is_reported_and_cancel_is_not() -> asyncio::Result<()> {
    let log = record_exceptions()?;
    let server = asyncio::start_server(
        |_r: StreamReader, _w: StreamWriter| {
            std::future::ready(Err::<(), _>(Error::Value("bad".into())))
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, _w) = asyncio::open_connection("127.0.0.1", port).await?;
    assert_eq!(asyncio::timeout(LIMIT, reader.read_to_end()).await?, b"");
    assert_eq!(
        *log.borrow(),
        ["Unhandled exception in client_connected_cb"]
    );
    server.close();

    log.borrow_mut().clear();
    let server = asyncio::start_server(cancel_self, "127.0.0.1", 0).await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, _w) = asyncio::open_connection("127.0.0.1", port).await?;
    assert_eq!(asyncio::timeout(LIMIT, reader.read_to_end()).await?, b"");
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    assert!(log.borrow().is_empty(), "{:?}", log.borrow());
    Ok(())
}

#[asyncio::coroutine]
fn cancel_self(_reader: StreamReader, writer: StreamWriter) -> asyncio::Result<()> {
    asyncio::current_task().expect("in a task").cancel();
    asyncio::sleep(0).await?;
    writer.close();
    Ok(())
}

#[test]
fn unclosed_writer_is_reported_in_debug_mode() -> asyncio::Result<()> {
    let mut runner = asyncio::Runner::new().debug(true);
    let log = runner.run(drop_unclosed())?;
    runner.close()?;
    assert!(
        log.iter().any(|m| m.starts_with("unclosed StreamWriter")),
        "{log:?}"
    );
    Ok(())
}

#[asyncio::coroutine]
fn drop_unclosed() -> asyncio::Result<Vec<String>> {
    let log = record_exceptions()?;
    let (server, port) = echo_server().await?;
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let transport = writer.transport().clone();
    drop(writer);
    assert!(!transport.is_closing(), "the reader still holds it open");
    drop(reader);
    assert!(transport.is_closing(), "the last handle closed it");
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    writer.close();
    drop((reader, writer));
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    let log = log.borrow().clone();
    assert_eq!(log.len(), 1, "{log:?}");
    Ok(log)
}

// ---- cancellation over a socket: byte-exact ----

/// Sends `data` in uneven pieces, with a yield between them, then EOF.
#[asyncio::coroutine]
fn trickle(data: Rc<Vec<u8>>, writer: StreamWriter) -> asyncio::Result<()> {
    let mut at = 0;
    let mut step = 1;
    while at < data.len() {
        let end = (at + step).min(data.len());
        writer.write(&data[at..end])?;
        writer.drain().await?;
        asyncio::sleep(0).await?;
        at = end;
        step = step * 7 % 4099 + 1;
    }
    writer.close();
    writer.wait_closed().await
}

#[asyncio::test]
fn cancelling_every_read_kind_at_every_point_loses_no_byte() -> asyncio::Result<()> {
    // Lines of varying length, so every read kind has something to find.
    let mut data = Vec::new();
    for (i, chunk) in pattern(300_000, 5).chunks(997).enumerate() {
        let line: Vec<u8> = chunk.iter().map(|b| b'a' + b % 26).collect();
        data.extend_from_slice(&line[..(i * 31) % line.len()]);
        data.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
    }
    let data = Rc::new(data);
    let sent = data.clone();
    let server =
        asyncio::start_server(move |_r, w| trickle(sent.clone(), w), "127.0.0.1", 0).await?;
    let port = server.sockets()[0].local_addr()?.port();
    let (reader, writer) = asyncio::open_connection_with("127.0.0.1", port, 4096).await?;
    let mut got = Vec::new();
    let mut round = 0usize;
    while !reader.at_eof() {
        round += 1;
        let read = match round % 6 {
            0 => reader.read(round % 5000 + 1),
            1 => reader.readline(),
            2 => reader.readexactly(round % 3000 + 1),
            3 => reader.readuntil(b"\r\n"),
            4 => reader.readuntil_any([&b"q\n"[..], b"z"]),
            _ => reader.read_to_end(),
        };
        let task = asyncio::create_task(read);
        for _ in 0..(round % 4) {
            asyncio::sleep(0).await?;
        }
        task.cancel();
        match asyncio::timeout(LIMIT, task).await {
            Ok(bytes) => got.extend(bytes),
            Err(Error::Cancelled(_)) => {}
            Err(Error::IncompleteRead { partial, .. }) => got.extend_from_slice(&partial),
            Err(Error::LimitOverrun { .. }) => got.extend(reader.read(4096).await?),
            Err(other) => return Err(other),
        }
    }
    assert!(round > 20, "{round} rounds");
    assert_eq!(got.len(), data.len());
    assert!(got == *data, "byte-exact");
    writer.close();
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

// ---- load ----

#[asyncio::coroutine]
fn echo_client(port: u16, i: usize) -> asyncio::Result<()> {
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let line = format!("client {i} says hello\n");
    writer.write(line.as_bytes())?;
    let reply = reader.readline().await?;
    assert_eq!(reply, line.as_bytes());
    writer.close();
    writer.wait_closed().await
}

#[asyncio::test]
fn a_thousand_concurrent_echo_clients() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let clients = (0..1000).map(|i| echo_client(port, i));
    asyncio::timeout(60.0, asyncio::try_gather(clients)).await?;
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

#[asyncio::coroutine]
fn send_all(writer: StreamWriter, data: Rc<Vec<u8>>) -> asyncio::Result<()> {
    for chunk in data.chunks(100_000) {
        writer.write(chunk)?;
        writer.drain().await?;
    }
    writer.write_eof();
    Ok(())
}

#[asyncio::test]
fn sixteen_mib_echo_is_byte_exact() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    let data = Rc::new(pattern(16 << 20, 11));
    let sender = asyncio::create_task(send_all(writer.clone(), data.clone()));
    let mut got = Vec::with_capacity(data.len());
    loop {
        let chunk = asyncio::timeout(60.0, reader.read(1 << 16)).await?;
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    asyncio::timeout(LIMIT, sender).await?;
    assert_eq!(got.len(), data.len());
    assert_eq!(checksum(&got), checksum(&data));
    assert!(got == *data);
    writer.close();
    server.close();
    asyncio::timeout(LIMIT, server.wait_closed()).await?;
    Ok(())
}

/// A `#[coroutine]` releases `writer` at its last use (`write_eof`):
/// the reader still holds the connection open.
#[asyncio::test]
fn a_writer_released_at_its_last_use_does_not_close_the_reading_side() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    writer.write(b"x")?;
    writer.write_eof();
    assert_eq!(asyncio::timeout(LIMIT, reader.read_to_end()).await?, b"x");
    server.close();
    Ok(())
}

/// `drain` with nothing to wait for returns without suspending, so (as in
/// asyncio, whose `drain` then does not yield) a pending cancellation is
/// delivered at the next await that does suspend, not there.
#[asyncio::test]
fn an_idle_drain_does_not_suspend() -> asyncio::Result<()> {
    let (server, port) = echo_server().await?;
    let (reader, writer) = asyncio::open_connection("127.0.0.1", port).await?;
    writer.write(b"ping\n")?;
    let me = asyncio::current_task().expect("a task");
    me.cancel();
    let drained = writer.drain().await;
    let next = asyncio::sleep(0.0).await;
    assert!(drained.is_ok(), "{drained:?}");
    assert!(matches!(next, Err(Error::Cancelled(_))), "{next:?}");
    me.uncancel();
    assert_eq!(reader.readline().await?, b"ping\n");
    writer.close();
    server.close();
    server.wait_closed().await
}
