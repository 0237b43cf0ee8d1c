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

const BODY: &[u8] = b"Hello, world!";
/// Headers in one request, at most (beyond: 431).
const MAX_HEADERS: usize = 100;
/// The largest request body read and thrown away (beyond: 413).
const MAX_BODY: usize = 1 << 20;

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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Version {
    Http10,
    Http11,
}

struct Request {
    method: String,
    version: Version,
    /// `Connection: close` was sent.
    close: bool,
    /// `Connection: keep-alive` was sent.
    keep_alive: bool,
}

impl Request {
    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes
    /// it unless told to keep it.
    fn keep_alive(&self) -> bool {
        !self.close && (self.version == Version::Http11 || self.keep_alive)
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
    let Ok(line) = std::str::from_utf8(trim_eol(&line)) else {
        return Ok(Parsed::Bad("400 Bad Request"));
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(Parsed::Bad("400 Bad Request"));
    };
    if method.is_empty() || !target.starts_with(['/', '*', 'h']) {
        return Ok(Parsed::Bad("400 Bad Request"));
    }
    let version = match version {
        "HTTP/1.1" => Version::Http11,
        "HTTP/1.0" => Version::Http10,
        v if v.starts_with("HTTP/") => return Ok(Parsed::Bad("505 HTTP Version Not Supported")),
        _ => return Ok(Parsed::Bad("400 Bad Request")),
    };
    let mut request = Request {
        method: method.to_string(),
        version,
        close: false,
        keep_alive: false,
    };

    let mut content_length = 0;
    let mut count = 0;
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
        let line = trim_eol(&line);
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Ok(Parsed::Bad("431 Request Header Fields Too Large"));
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Ok(Parsed::Bad("400 Bad Request"));
        };
        let name = &line[..colon];
        let value = line[colon + 1..].trim_ascii();
        if name.is_empty() || name.ends_with(b" ") || name.ends_with(b"\t") {
            return Ok(Parsed::Bad("400 Bad Request"));
        }
        if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                request.close |= token.eq_ignore_ascii_case(b"close");
                request.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case(b"content-length") {
            match std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                Some(n) => content_length = n,
                None => return Ok(Parsed::Bad("400 Bad Request")),
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Ok(Parsed::Bad("501 Not Implemented"));
        }
    }

    if content_length > MAX_BODY {
        return Ok(Parsed::Bad("413 Content Too Large"));
    }
    if content_length > 0 {
        match reader.readexactly(content_length).await {
            Ok(_body) => {}
            Err(Error::IncompleteRead { .. }) => return Ok(Parsed::Closed),
            Err(err) => return Err(err),
        }
    }
    Ok(Parsed::Request(request))
}

/// A line without its `\r\n` (or bare `\n`).
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn head(status: &str, length: usize, keep_alive: bool, version: Version) -> Vec<u8> {
    let connection = match (keep_alive, version) {
        (false, _) => "Connection: close\r\n",
        (true, Version::Http10) => "Connection: keep-alive\r\n",
        (true, Version::Http11) => "",
    };
    format!(
        "HTTP/1.1 {status}\r\nServer: asyncio-http-hello\r\nContent-Type: text/plain\r\n\
         Content-Length: {length}\r\n{connection}\r\n"
    )
    .into_bytes()
}

fn response(status: &str, body: &[u8], keep_alive: bool, version: Version) -> Vec<u8> {
    let mut out = head(status, body.len(), keep_alive, version);
    out.extend_from_slice(body);
    out
}
