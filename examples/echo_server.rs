//! A TCP echo server on streams: every connection is a task that reads
//! what arrives and writes it back (`read`, `write`, `drain` per chunk),
//! until the client closes its side. Any number of clients at once.
//!
//! The first argument is the address to listen on (default
//! `127.0.0.1:8888`; port 0 picks a free one); the first line of output is
//! the address bound. Ctrl-C stops listening, closes the connections and
//! exits as Python does after a `KeyboardInterrupt`.
//!
//! ```text
//! cargo run --example echo_server -- 127.0.0.1:8888
//! nc -N 127.0.0.1 8888                      # type lines, see them back
//! head -c 64M /dev/urandom | socat -t30 - TCP:127.0.0.1:8888,shut-down | wc -c
//! cargo run --example echo_client -- 127.0.0.1:8888 hello world
//! ```

/// One connection: echo each chunk as it arrives; flow control through
/// `drain`, so a client that sends faster than it reads is not buffered
/// without bound.
#[asyncio::coroutine]
fn echo(reader: asyncio::StreamReader, writer: asyncio::StreamWriter) -> asyncio::Result<()> {
    loop {
        let data = reader.read(64 * 1024).await?;
        if data.is_empty() {
            break; // EOF: the client closed (or shut down) its side
        }
        writer.write(&data)?;
        writer.drain().await?;
    }
    writer.close();
    writer.wait_closed().await
}

/// [`echo`], with a client that vanishes (reset, broken pipe) counted as
/// a normal end of its connection rather than a server error.
#[asyncio::coroutine]
fn client(reader: asyncio::StreamReader, writer: asyncio::StreamWriter) -> asyncio::Result<()> {
    let peer = writer.peer_addr();
    match echo(reader, writer).await {
        Err(asyncio::Error::Io(err)) => {
            eprintln!("echo_server: {} gone: {err}", show(peer));
            Ok(())
        }
        other => other,
    }
}

fn show(peer: asyncio::Result<std::net::SocketAddr>) -> String {
    peer.map_or_else(|_| "a client".to_owned(), |addr| addr.to_string())
}

#[asyncio::entry]
fn main() -> asyncio::Result<()> {
    let (host, port) = examples::address_arg(std::env::args().nth(1), "127.0.0.1:8888")
        .map_err(|e| asyncio::Error::Value(e.into()))?;
    // A backlog of 1024: a thousand clients may connect at once.
    let options = asyncio::ServerOptions {
        backlog: 1024,
        ..Default::default()
    };
    let server = asyncio::start_server_with(client, &host, port, 64 * 1024, options).await?;
    examples::announce(&server)?;
    // Until Ctrl-C cancels main: serve_forever then closes the listener.
    let served = server.serve_forever().await;
    server.close_clients();
    server.wait_closed().await?;
    served
}
