//! An HTTP/1.1 server that answers every request with "Hello, world!",
//! written on streams: `start_server` runs one coroutine per connection,
//! which reads a request line and headers up to the blank line, skips a
//! body (`Content-Length`), answers with `Content-Length`, and keeps the
//! connection for the next request unless the client said
//! `Connection: close` (or spoke HTTP/1.0 without `Connection: keep-alive`).
//! A malformed request gets a 4xx/5xx answer and the connection is closed.
//!
//! The first argument is the address to listen on (`127.0.0.1:0` picks a
//! free port); the first line printed is the address bound.
//!
//! ```text
//! cargo run --release --example http_hello -- 127.0.0.1:8080
//! curl http://127.0.0.1:8080/
//! wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//! ```

use std::io::Write;
use std::net::SocketAddr;

use asyncio::{Error, Result, StreamReader, StreamWriter};

mod http;

use http::{Request, Version, head, response, trim_eol};

const BODY: &[u8] = b"Hello, world!";

#[asyncio::entry]
fn main() -> Result<()> {
    let arg = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let addr: SocketAddr = arg
        .parse()
        .map_err(|err| Error::Value(format!("{arg}: {err}").into()))?;
    let server = asyncio::start_server(serve, &addr.ip().to_string(), addr.port()).await?;
    println!("{}", server.sockets()[0].local_addr()?);
    std::io::stdout().flush()?;
    server.serve_forever().await // until Ctrl-C
}

/// One connection: requests until the client closes or asks to close. A
/// client that goes away (reset, broken pipe) ends it quietly.
#[asyncio::coroutine]
fn serve(reader: StreamReader, writer: StreamWriter) -> Result<()> {
    let outcome = serve_requests(&reader, &writer).await;
    writer.close();
    match outcome {
        Err(Error::Io(_)) => Ok(()),
        other => other,
    }
}

#[asyncio::coroutine]
fn serve_requests(reader: &StreamReader, writer: &StreamWriter) -> Result<()> {
    loop {
        match read_request(reader).await? {
            Parsed::Closed => return Ok(()),
            Parsed::Bad(status) => {
                let body = format!("{status}\n");
                writer.write(&response(status, body.as_bytes(), false, Version::Http11))?;
                writer.drain().await?;
                return Ok(());
            }
            Parsed::Request(request) => {
                let keep_alive = request.keep_alive();
                let mut reply = head("200 OK", BODY.len(), keep_alive, request.version);
                if request.method != "HEAD" {
                    reply.extend_from_slice(BODY);
                }
                writer.write(&reply)?;
                writer.drain().await?;
                if !keep_alive {
                    return Ok(());
                }
            }
        }
    }
}

enum Parsed {
    Request(Request),
    /// The client closed the connection (between requests, or in the
    /// middle of one).
    Closed,
    /// A malformed request: answer with this status, then close.
    Bad(&'static str),
}

/// Reads one request: the request line, the headers up to the blank
/// line, and the body (`Content-Length`), which is thrown away.
#[asyncio::coroutine]
fn read_request(reader: &StreamReader) -> Result<Parsed> {
    // Empty lines before a request line are ignored (RFC 9112, 2.2).
    let line = loop {
        let line = match reader.readline().await {
            Ok(line) => line,
            Err(Error::LimitOverrun { .. }) => return Ok(Parsed::Bad("414 URI Too Long")),
            Err(err) => return Err(err),
        };
        if !line.ends_with(b"\n") {
            return Ok(Parsed::Closed); // EOF, maybe mid-line
        }
        if trim_eol(&line).is_empty() {
            continue;
        }
        break line;
    };
    let mut request = match Request::start(trim_eol(&line)) {
        Ok(request) => request,
        Err(status) => return Ok(Parsed::Bad(status)),
    };
    loop {
        let line = match reader.readline().await {
            Ok(line) => line,
            Err(Error::LimitOverrun { .. }) => {
                return Ok(Parsed::Bad("431 Request Header Fields Too Large"));
            }
            Err(err) => return Err(err),
        };
        if !line.ends_with(b"\n") {
            return Ok(Parsed::Closed);
        }
        match request.header(trim_eol(&line)) {
            Ok(true) => break,
            Ok(false) => {}
            Err(status) => return Ok(Parsed::Bad(status)),
        }
    }
    if request.content_length > 0 {
        match reader.readexactly(request.content_length).await {
            Ok(_body) => {}
            Err(Error::IncompleteRead { .. }) => return Ok(Parsed::Closed),
            Err(err) => return Err(err),
        }
    }
    Ok(Parsed::Request(request))
}
