//! The HTTP/1.1 of `http_hello` that does no I/O: reading a request's
//! head line by line, and writing a response's head. The benchmark's
//! tokio server (`benches/http_hello.rs`) uses it too, so the two servers
//! accept, refuse and answer exactly alike.

/// Headers in one request, at most (beyond: 431).
pub const MAX_HEADERS: usize = 100;
/// The largest request body read and thrown away (beyond: 413).
pub const MAX_BODY: usize = 1 << 20;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Version {
    Http10,
    Http11,
}

/// A request's head, as far as it has been read.
pub struct Request {
    pub method: String,
    pub version: Version,
    /// `Connection: close` was sent.
    close: bool,
    /// `Connection: keep-alive` was sent.
    keep_alive: bool,
    /// The body's `Content-Length`.
    pub content_length: usize,
    /// Header lines so far.
    headers: usize,
}

impl Request {
    /// The request line (without its line end), or the status refusing it.
    pub fn start(line: &[u8]) -> Result<Request, &'static str> {
        let line = std::str::from_utf8(line).map_err(|_| "400 Bad Request")?;
        let mut parts = line.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("400 Bad Request");
        };
        if method.is_empty() || !target.starts_with(['/', '*', 'h']) {
            return Err("400 Bad Request");
        }
        let version = match version {
            "HTTP/1.1" => Version::Http11,
            "HTTP/1.0" => Version::Http10,
            v if v.starts_with("HTTP/") => return Err("505 HTTP Version Not Supported"),
            _ => return Err("400 Bad Request"),
        };
        Ok(Request {
            method: method.to_string(),
            version,
            close: false,
            keep_alive: false,
            content_length: 0,
            headers: 0,
        })
    }

    /// One header line (without its line end): `Ok(true)` for the blank
    /// line that ends the head, or the status refusing the request.
    pub fn header(&mut self, line: &[u8]) -> Result<bool, &'static str> {
        if line.is_empty() {
            return match self.content_length > MAX_BODY {
                true => Err("413 Content Too Large"),
                false => Ok(true),
            };
        }
        self.headers += 1;
        if self.headers > MAX_HEADERS {
            return Err("431 Request Header Fields Too Large");
        }
        let colon = (line.iter().position(|&b| b == b':')).ok_or("400 Bad Request")?;
        let name = &line[..colon];
        let value = line[colon + 1..].trim_ascii();
        if name.is_empty() || name.ends_with(b" ") || name.ends_with(b"\t") {
            return Err("400 Bad Request");
        }
        if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                self.close |= token.eq_ignore_ascii_case(b"close");
                self.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
            self.content_length = length.ok_or("400 Bad Request")?;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Err("501 Not Implemented");
        }
        Ok(false)
    }

    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes
    /// it unless told to keep it.
    pub fn keep_alive(&self) -> bool {
        !self.close && (self.version == Version::Http11 || self.keep_alive)
    }
}

/// A line without its `\r\n` (or bare `\n`).
pub fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A response's head for a body of `length` bytes.
pub fn head(status: &str, length: usize, keep_alive: bool, version: Version) -> Vec<u8> {
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

/// A whole response.
pub fn response(status: &str, body: &[u8], keep_alive: bool, version: Version) -> Vec<u8> {
    let mut out = head(status, body.len(), keep_alive, version);
    out.extend_from_slice(body);
    out
}
