//! tokio mini-redis's `Connection` (src/connection.rs, src/frame.rs) and a
//! `Handler`-like GET/SET/PING server, ported to coroutines and run over an
//! in-memory duplex byte stream built on two `asyncio::Queue<Vec<u8>>`s.
//!
//! Everything that suspends is a `#[asyncio::coroutine] fn`, written as the
//! `async fn` it replaces would be: `&mut self` methods awaiting each other,
//! `self.stream.read(&mut self.buffer)` (a future borrowing two fields of
//! `self`), a cursor over a local array held across awaits
//! (`write_decimal`), `for item in items.iter()` with an await per item (a
//! borrow of the frame held across awaits), references into the request
//! frame (`parts`, `cmd`, an iterator over the channels) held across the
//! writes of the response, and `conn.run(&mut db)` borrowing two locals of
//! the task. Nothing here uses language `async`.
//!
//! The tests: RESP encoding and parsing on their own; GET/SET/PING and the
//! other commands over the stream; frames split into one-byte reads (and
//! bytes written one at a time with `sleep(0)` between); pipelined frames in
//! one read; a peer closing cleanly (the handler returns `Ok`) or in the
//! middle of a frame (an error); and cancelling the server while it waits in
//! a read or in a write (`Error::Cancelled`, nothing panics, the peer sees
//! the stream closed).
//!
//! One shape an `async fn` accepts is written differently here:
//! `assert!(matches!(x.await?, Pat(msg) if guard))` is "`.await` inside
//! this macro's arguments is not supported" (a guard is not an expression,
//! so the arguments cannot be rewritten): the awaited value is bound with
//! `let` first.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io::{self, Cursor};
use std::pin::Pin;

use asyncio::{Error, Queue, Result, Runner};

// ----- an in-memory duplex byte stream --------------------------------------

/// One end of an in-memory duplex byte stream: what one end writes, the
/// other reads. Each direction is a bounded queue of chunks (so a writer
/// waits while the reader lags), and a write is cut into chunks of at most
/// `max_chunk` bytes (so a reader may see a frame in pieces).
///
/// Dropping an end (or [`Stream::shutdown`]) closes its direction: the
/// other end reads what was written, then end of stream (0 bytes).
/// Dropping an end also makes the other end's writes fail (broken pipe).
struct Stream {
    rx: Queue<Vec<u8>>,
    tx: Queue<Vec<u8>>,
    max_chunk: usize,
}

/// A connected pair of [`Stream`]s, each direction holding at most
/// `capacity` chunks of at most `max_chunk` bytes.
fn duplex(capacity: usize, max_chunk: usize) -> (Stream, Stream) {
    assert!(max_chunk > 0);
    let a_to_b = Queue::with_maxsize(capacity);
    let b_to_a = Queue::with_maxsize(capacity);
    let a = Stream {
        rx: b_to_a.clone(),
        tx: a_to_b.clone(),
        max_chunk,
    };
    let b = Stream {
        rx: a_to_b,
        tx: b_to_a,
        max_chunk,
    };
    (a, b)
}

impl Stream {
    /// Appends the next chunk the peer wrote to `buf`, waiting for one;
    /// returns its length, or 0 once the peer closed its direction and
    /// everything it wrote has been read.
    #[asyncio::coroutine]
    fn read(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
        match self.rx.get().await {
            Ok(chunk) => {
                buf.extend_from_slice(&chunk);
                Ok(chunk.len())
            }
            Err(Error::QueueShutDown) => Ok(0),
            Err(err) => Err(err),
        }
    }

    /// Writes all of `bytes`, in chunks of at most `max_chunk`, waiting
    /// while the peer's queue is full.
    #[asyncio::coroutine]
    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        for chunk in bytes.chunks(self.max_chunk) {
            match self.tx.put(chunk.to_vec()).await {
                Ok(()) => {}
                Err(Error::QueueShutDown) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "peer closed").into());
                }
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Closes the writing direction: the peer reads end of stream after
    /// the bytes already written.
    fn shutdown(&mut self) {
        self.tx.shutdown(false);
    }

    /// Chunks written by the peer and not read yet.
    fn unread_chunks(&self) -> usize {
        self.rx.qsize()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.tx.shutdown(false);
        self.rx.shutdown(true);
    }
}

// ----- frames (RESP) ---------------------------------------------------------

/// A frame of the Redis protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Frame {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Vec<u8>),
    Null,
    Array(Vec<Frame>),
}

/// Why a frame could not be parsed.
#[derive(Debug, PartialEq, Eq)]
enum ParseError {
    /// Not enough data is buffered yet.
    Incomplete,
    /// The bytes are not a valid frame.
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> ParseError {
    ParseError::Invalid(msg.into())
}

/// A protocol violation, as the runtime's error type.
fn protocol_error(msg: impl fmt::Display) -> Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("protocol error; {msg}")).into()
}

impl Frame {
    fn bulk(text: &str) -> Frame {
        Frame::Bulk(text.as_bytes().to_vec())
    }

    fn simple(text: &str) -> Frame {
        Frame::Simple(text.to_string())
    }

    /// A command as a client sends it: an array of bulk strings.
    fn command(args: &[&str]) -> Frame {
        Frame::Array(args.iter().map(|arg| Frame::bulk(arg)).collect())
    }

    /// Checks that a whole frame is buffered, advancing `src` past it.
    fn check(src: &mut Cursor<&[u8]>) -> std::result::Result<(), ParseError> {
        match get_u8(src)? {
            b'+' | b'-' => {
                get_line(src)?;
                Ok(())
            }
            b':' => {
                get_integer(src)?;
                Ok(())
            }
            b'$' => {
                if peek_u8(src)? == b'-' {
                    let line = get_line(src)?;
                    if line != b"-1" {
                        return Err(invalid("invalid null bulk"));
                    }
                    Ok(())
                } else {
                    let len = get_length(src)?;
                    skip(src, len + 2)
                }
            }
            b'*' => {
                let len = get_length(src)?;
                for _ in 0..len {
                    Frame::check(src)?;
                }
                Ok(())
            }
            other => Err(invalid(format!("invalid frame type byte `{other}`"))),
        }
    }

    /// Parses a frame that [`Frame::check`] accepted.
    fn parse(src: &mut Cursor<&[u8]>) -> std::result::Result<Frame, ParseError> {
        match get_u8(src)? {
            b'+' => {
                let line = get_line(src)?.to_vec();
                let text =
                    String::from_utf8(line).map_err(|_| invalid("simple string not UTF-8"))?;
                Ok(Frame::Simple(text))
            }
            b'-' => {
                let line = get_line(src)?.to_vec();
                let text = String::from_utf8(line).map_err(|_| invalid("error not UTF-8"))?;
                Ok(Frame::Error(text))
            }
            b':' => Ok(Frame::Integer(get_integer(src)?)),
            b'$' => {
                if peek_u8(src)? == b'-' {
                    let line = get_line(src)?;
                    if line != b"-1" {
                        return Err(invalid("invalid null bulk"));
                    }
                    Ok(Frame::Null)
                } else {
                    let len = get_length(src)?;
                    let start = src.position() as usize;
                    if src.get_ref().len() < start + len + 2 {
                        return Err(ParseError::Incomplete);
                    }
                    let data = src.get_ref()[start..start + len].to_vec();
                    if &src.get_ref()[start + len..start + len + 2] != b"\r\n" {
                        return Err(invalid("bulk string not followed by CRLF"));
                    }
                    skip(src, len + 2)?;
                    Ok(Frame::Bulk(data))
                }
            }
            b'*' => {
                let len = get_length(src)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(Frame::parse(src)?);
                }
                Ok(Frame::Array(items))
            }
            other => Err(invalid(format!("invalid frame type byte `{other}`"))),
        }
    }

    /// Encodes the frame into `out`, at once (the reference for
    /// [`Connection::write_frame`]).
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Frame::Simple(text) => {
                out.push(b'+');
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Frame::Error(text) => {
                out.push(b'-');
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            Frame::Integer(n) => out.extend_from_slice(format!(":{n}\r\n").as_bytes()),
            Frame::Bulk(data) => {
                out.extend_from_slice(format!("${}\r\n", data.len()).as_bytes());
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\n");
            }
            Frame::Null => out.extend_from_slice(b"$-1\r\n"),
            Frame::Array(items) => {
                out.extend_from_slice(format!("*{}\r\n", items.len()).as_bytes());
                for item in items {
                    item.encode(out);
                }
            }
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// The text of a bulk or simple string.
    fn as_str(&self) -> Option<&str> {
        match self {
            Frame::Bulk(data) => std::str::from_utf8(data).ok(),
            Frame::Simple(text) => Some(text),
            _ => None,
        }
    }
}

fn peek_u8(src: &Cursor<&[u8]>) -> std::result::Result<u8, ParseError> {
    src.get_ref()
        .get(src.position() as usize)
        .copied()
        .ok_or(ParseError::Incomplete)
}

fn get_u8(src: &mut Cursor<&[u8]>) -> std::result::Result<u8, ParseError> {
    let byte = peek_u8(src)?;
    src.set_position(src.position() + 1);
    Ok(byte)
}

fn skip(src: &mut Cursor<&[u8]>, n: usize) -> std::result::Result<(), ParseError> {
    let pos = src.position() as usize;
    if src.get_ref().len() < pos + n {
        return Err(ParseError::Incomplete);
    }
    src.set_position((pos + n) as u64);
    Ok(())
}

/// The bytes up to the next CRLF; `src` moves past it.
fn get_line<'a>(src: &mut Cursor<&'a [u8]>) -> std::result::Result<&'a [u8], ParseError> {
    let bytes: &'a [u8] = src.get_ref();
    let start = src.position() as usize;
    let rest = &bytes[start.min(bytes.len())..];
    match rest.windows(2).position(|pair| pair == b"\r\n") {
        Some(i) => {
            src.set_position((start + i + 2) as u64);
            Ok(&rest[..i])
        }
        None => Err(ParseError::Incomplete),
    }
}

fn get_integer(src: &mut Cursor<&[u8]>) -> std::result::Result<i64, ParseError> {
    let line = get_line(src)?;
    std::str::from_utf8(line)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| invalid("invalid integer"))
}

fn get_length(src: &mut Cursor<&[u8]>) -> std::result::Result<usize, ParseError> {
    usize::try_from(get_integer(src)?).map_err(|_| invalid("negative length"))
}

// ----- the connection --------------------------------------------------------

/// Sends and receives [`Frame`]s over a [`Stream`], as mini-redis's
/// `Connection` does over a `TcpStream`.
struct Connection {
    stream: Stream,
    buffer: Vec<u8>,
}

impl Connection {
    fn new(stream: Stream) -> Connection {
        Connection {
            stream,
            buffer: Vec::with_capacity(4 * 1024),
        }
    }

    /// Reads one frame, waiting for as many reads as it takes; `None` when
    /// the peer closed the stream between frames.
    #[asyncio::coroutine]
    fn read_frame(&mut self) -> Result<Option<Frame>> {
        loop {
            let mut buf = Cursor::new(&self.buffer[..]);
            match Frame::check(&mut buf) {
                Ok(()) => {
                    let len = buf.position() as usize;
                    buf.set_position(0);
                    let frame =
                        Frame::parse(&mut buf).map_err(|err| protocol_error(format!("{err:?}")))?;
                    self.buffer.drain(..len);
                    return Ok(Some(frame));
                }
                Err(ParseError::Incomplete) => {}
                Err(ParseError::Invalid(msg)) => return Err(protocol_error(msg)),
            }

            if 0 == self.stream.read(&mut self.buffer).await? {
                if self.buffer.is_empty() {
                    return Ok(None);
                } else {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionReset,
                        "connection reset by peer",
                    )
                    .into());
                }
            }
        }
    }

    /// Writes one frame.
    #[asyncio::coroutine]
    fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        match frame {
            Frame::Array(items) => {
                self.stream.write_all(b"*").await?;
                self.write_decimal(items.len() as i64).await?;
                for item in items.iter() {
                    self.write_value(item).await?;
                }
            }
            _ => self.write_value(frame).await?,
        }
        Ok(())
    }

    /// Writes a frame that is not the top-level array; a nested array goes
    /// back through `write_frame`, boxed (a coroutine cannot contain
    /// itself).
    #[asyncio::coroutine]
    fn write_value(&mut self, frame: &Frame) -> Result<()> {
        match frame {
            Frame::Simple(text) => {
                self.stream.write_all(b"+").await?;
                self.stream.write_all(text.as_bytes()).await?;
                self.stream.write_all(b"\r\n").await?;
            }
            Frame::Error(text) => {
                self.stream.write_all(b"-").await?;
                self.stream.write_all(text.as_bytes()).await?;
                self.stream.write_all(b"\r\n").await?;
            }
            Frame::Integer(n) => {
                self.stream.write_all(b":").await?;
                self.write_decimal(*n).await?;
            }
            Frame::Null => {
                self.stream.write_all(b"$-1\r\n").await?;
            }
            Frame::Bulk(data) => {
                let len = data.len();
                self.stream.write_all(b"$").await?;
                self.write_decimal(len as i64).await?;
                self.stream.write_all(data).await?;
                self.stream.write_all(b"\r\n").await?;
            }
            Frame::Array(_) => {
                let nested: Pin<Box<dyn Future<Output = Result<()>> + '_>> =
                    Box::pin(self.write_frame(frame));
                nested.await?;
            }
        }
        Ok(())
    }

    /// Writes a decimal and CRLF, formatted into a local buffer through a
    /// cursor (as mini-redis does) that is still borrowed by the awaited
    /// write.
    #[asyncio::coroutine]
    fn write_decimal(&mut self, val: i64) -> Result<()> {
        use std::io::Write;

        let mut buf = [0u8; 20];
        let mut buf = Cursor::new(&mut buf[..]);
        write!(&mut buf, "{val}")?;

        let pos = buf.position() as usize;
        self.stream.write_all(&buf.get_ref()[..pos]).await?;
        self.stream.write_all(b"\r\n").await?;
        Ok(())
    }

    /// Serves GET, SET, PING (and SUBSCRIBE-style confirmations and a
    /// nested ECHO) until the peer closes the stream.
    #[asyncio::coroutine]
    fn run(&mut self, db: &mut HashMap<String, Vec<u8>>) -> Result<()> {
        while let Some(frame) = self.read_frame().await? {
            let parts = match &frame {
                Frame::Array(parts) if !parts.is_empty() => parts,
                other => {
                    let response =
                        Frame::Error(format!("ERR expected a command array, got {other:?}"));
                    self.write_frame(&response).await?;
                    continue;
                }
            };
            let cmd = &parts[0];
            let name = cmd.as_str().unwrap_or("").to_ascii_uppercase();
            match name.as_str() {
                "PING" => {
                    let response = match parts.get(1) {
                        None => Frame::simple("PONG"),
                        Some(Frame::Bulk(msg)) => Frame::Bulk(msg.clone()),
                        Some(other) => Frame::Error(format!("ERR bad PING argument {other:?}")),
                    };
                    self.write_frame(&response).await?;
                }
                "GET" => {
                    let response = match (parts.get(1).and_then(Frame::as_str), parts.len()) {
                        (Some(key), 2) => match db.get(key) {
                            Some(value) => Frame::Bulk(value.clone()),
                            None => Frame::Null,
                        },
                        _ => Frame::Error("ERR wrong number of arguments for 'get'".to_string()),
                    };
                    self.write_frame(&response).await?;
                }
                "SET" => {
                    let key = parts.get(1).and_then(Frame::as_str);
                    let value = match parts.get(2) {
                        Some(Frame::Bulk(value)) => Some(value),
                        _ => None,
                    };
                    match (key, value, parts.len()) {
                        (Some(key), Some(value), 3) => {
                            db.insert(key.to_string(), value.clone());
                            self.write_frame(&Frame::simple("OK")).await?;
                        }
                        _ => {
                            let response =
                                Frame::Error("ERR wrong number of arguments for 'set'".to_string());
                            self.write_frame(&response).await?;
                        }
                    }
                }
                "SUBSCRIBE" => {
                    // One confirmation per channel, as mini-redis's
                    // Subscribe: the channels are read from the request
                    // frame while the confirmations are written.
                    let mut channels = parts[1..].iter();
                    let mut count = 0;
                    while let Some(channel) = channels.next() {
                        count += 1;
                        let response = Frame::Array(vec![
                            Frame::bulk("subscribe"),
                            channel.clone(),
                            Frame::Integer(count),
                        ]);
                        self.write_frame(&response).await?;
                    }
                }
                "ECHO" => {
                    // A nested array, written through the boxed recursion.
                    let response = Frame::Array(vec![
                        Frame::simple("echo"),
                        Frame::Array(parts[1..].to_vec()),
                    ]);
                    self.write_frame(&response).await?;
                }
                _ => {
                    self.write_frame(&Frame::Error(format!(
                        "ERR unknown command '{}'",
                        cmd.as_str().unwrap_or("?")
                    )))
                    .await?;
                }
            }
        }
        Ok(())
    }
}

/// The server side of one connection: serves until the client closes, then
/// returns the database.
#[asyncio::coroutine]
fn serve(stream: Stream) -> Result<HashMap<String, Vec<u8>>> {
    let mut conn = Connection::new(stream);
    let mut db = HashMap::new();
    conn.run(&mut db).await?;
    Ok(db)
}

/// The client side, as mini-redis's `Client`.
struct Client {
    conn: Connection,
}

impl Client {
    fn new(stream: Stream) -> Client {
        Client {
            conn: Connection::new(stream),
        }
    }

    /// Sends a command, returns the one response frame.
    #[asyncio::coroutine]
    fn request(&mut self, args: &[&str]) -> Result<Frame> {
        let frame = Frame::command(args);
        self.conn.write_frame(&frame).await?;
        self.read_response().await
    }

    #[asyncio::coroutine]
    fn read_response(&mut self) -> Result<Frame> {
        match self.conn.read_frame().await? {
            Some(frame) => Ok(frame),
            None => Err(io::Error::new(io::ErrorKind::ConnectionReset, "server closed").into()),
        }
    }

    #[asyncio::coroutine]
    fn ping(&mut self, msg: Option<&str>) -> Result<Frame> {
        match msg {
            // A future borrowing a temporary array, kept for the await.
            Some(msg) => self.request(&["PING", msg]).await,
            None => self.request(&["PING"]).await,
        }
    }

    #[asyncio::coroutine]
    fn get(&mut self, key: &str) -> Result<Option<Vec<u8>>> {
        match self.request(&["GET", key]).await? {
            Frame::Bulk(value) => Ok(Some(value)),
            Frame::Null => Ok(None),
            other => Err(protocol_error(format!("unexpected frame {other:?}"))),
        }
    }

    #[asyncio::coroutine]
    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        match self.request(&["SET", key, value]).await? {
            Frame::Simple(ok) if ok == "OK" => Ok(()),
            other => Err(protocol_error(format!("unexpected frame {other:?}"))),
        }
    }
}

// ----- helpers -----------------------------------------------------------------

/// Runs `fut` on a fresh loop with a virtual clock, under a deadline far
/// beyond anything a test does: a lost wake-up (every task blocked for
/// good) ends as `Error::Timeout` instead of a hang.
fn run_bounded<F>(fut: F) -> Result<<F::Output as asyncio::IntoResult>::Ok>
where
    F: Future,
    F::Output: asyncio::IntoResult,
{
    let mut runner = Runner::new().virtual_clock(true);
    let out = runner.run(asyncio::timeout(3600.0, fut));
    runner.close()?;
    out
}

#[asyncio::coroutine]
fn yield_n(n: usize) -> Result<()> {
    for _ in 0..n {
        asyncio::sleep(0).await?;
    }
    Ok(())
}

fn is_io(outcome: &Error, kind: io::ErrorKind) -> bool {
    matches!(outcome, Error::Io(err) if err.kind() == kind)
}

// ----- frames without a stream -------------------------------------------------

fn sample_frames() -> Vec<Frame> {
    vec![
        Frame::simple("OK"),
        Frame::Error("ERR boom".into()),
        Frame::Integer(0),
        Frame::Integer(-42),
        Frame::Integer(i64::MAX),
        Frame::bulk(""),
        Frame::Bulk(b"bin\r\nary\0".to_vec()),
        Frame::Null,
        Frame::Array(vec![]),
        Frame::command(&["SET", "key", "value"]),
        Frame::Array(vec![
            Frame::Integer(1),
            Frame::Array(vec![Frame::Null, Frame::simple("x")]),
            Frame::bulk("tail"),
        ]),
    ]
}

#[test]
fn frames_encode_check_and_parse() {
    assert_eq!(
        Frame::command(&["GET", "k"]).to_bytes(),
        b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    );
    assert_eq!(Frame::Null.to_bytes(), b"$-1\r\n");
    for frame in sample_frames() {
        let bytes = frame.to_bytes();
        // Every strict prefix is incomplete, for check and for parse.
        for cut in 0..bytes.len() {
            let mut src = Cursor::new(&bytes[..cut]);
            assert_eq!(
                Frame::check(&mut src),
                Err(ParseError::Incomplete),
                "{frame:?} cut at {cut}"
            );
            let mut src = Cursor::new(&bytes[..cut]);
            assert_eq!(
                Frame::parse(&mut src),
                Err(ParseError::Incomplete),
                "{frame:?} cut at {cut}"
            );
        }
        // The whole frame, followed by the start of another.
        let mut more = bytes.clone();
        more.extend_from_slice(b"+next");
        let mut src = Cursor::new(&more[..]);
        Frame::check(&mut src).unwrap();
        assert_eq!(src.position() as usize, bytes.len());
        src.set_position(0);
        assert_eq!(Frame::parse(&mut src).unwrap(), frame);
        assert_eq!(src.position() as usize, bytes.len());
    }
    for bad in [
        &b"?x\r\n"[..],
        b":12a\r\n",
        b"$-2\r\n",
        b"*-1\r\n",
        b"$3\r\nabcXY",
    ] {
        let mut src = Cursor::new(bad);
        let checked = Frame::check(&mut src);
        let mut src = Cursor::new(bad);
        let parsed = Frame::parse(&mut src);
        assert!(
            matches!(checked, Err(ParseError::Invalid(_)))
                || matches!(parsed, Err(ParseError::Invalid(_))),
            "{bad:?}: {checked:?} / {parsed:?}"
        );
    }
}

// ----- the stream on its own -----------------------------------------------------

#[asyncio::coroutine]
fn stream_body() -> Result<()> {
    let (mut a, mut b) = duplex(4, 3);
    a.write_all(b"hello").await?;
    let mut buf = Vec::new();
    assert_eq!(b.read(&mut buf).await?, 3);
    assert_eq!(b.read(&mut buf).await?, 2);
    assert_eq!(buf, b"hello");
    b.write_all(b"").await?;
    assert_eq!(a.unread_chunks(), 0);
    a.write_all(b"bye").await?;
    a.shutdown();
    assert_eq!(b.read(&mut buf).await?, 3);
    assert_eq!(b.read(&mut buf).await?, 0);
    assert_eq!(b.read(&mut buf).await?, 0);
    assert_eq!(buf, b"hellobye");
    // The other direction is still open until `b` is dropped.
    b.write_all(b"late").await?;
    let mut back = Vec::new();
    assert_eq!(a.read(&mut back).await?, 3);
    drop(b);
    assert_eq!(a.read(&mut back).await?, 1);
    assert_eq!(a.read(&mut back).await?, 0);
    assert_eq!(back, b"late");
    let err = a.write_all(b"x").await.unwrap_err();
    assert!(is_io(&err, io::ErrorKind::BrokenPipe), "{err:?}");
    Ok(())
}

#[test]
fn duplex_stream_reads_writes_and_closes() {
    run_bounded(stream_body()).unwrap();
}

/// `write_frame` (awaiting piece by piece) writes exactly the bytes of
/// `Frame::encode`, and `read_frame` reads them back, also nested arrays.
#[asyncio::coroutine]
fn write_frame_matches_encode_body() -> Result<()> {
    let (a, b) = duplex(1024, 4096);
    let mut writer = Connection::new(a);
    let mut reader = Connection::new(b);
    for frame in sample_frames() {
        writer.write_frame(&frame).await?;
        let mut raw = Vec::new();
        while reader.stream.unread_chunks() > 0 {
            reader.stream.read(&mut raw).await?;
        }
        assert_eq!(raw, frame.to_bytes(), "{frame:?}");
        reader.buffer.extend_from_slice(&raw);
        assert_eq!(reader.read_frame().await?, Some(frame));
        assert!(reader.buffer.is_empty());
    }
    drop(writer);
    assert_eq!(reader.read_frame().await?, None);
    Ok(())
}

#[test]
fn write_frame_writes_what_encode_encodes() {
    run_bounded(write_frame_matches_encode_body()).unwrap();
}

// ----- GET / SET / PING round trips ------------------------------------------------

#[asyncio::coroutine]
fn round_trips_body(capacity: usize, max_chunk: usize) -> Result<()> {
    let (client_end, server_end) = duplex(capacity, max_chunk);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Client::new(client_end);

    assert_eq!(client.ping(None).await?, Frame::simple("PONG"));
    assert_eq!(client.ping(Some("hello")).await?, Frame::bulk("hello"));
    assert_eq!(client.get("foo").await?, None);
    client.set("foo", "bar").await?;
    assert_eq!(client.get("foo").await?, Some(b"bar".to_vec()));
    client.set("foo", "baz").await?;
    client.set("other", "").await?;
    assert_eq!(client.get("foo").await?, Some(b"baz".to_vec()));
    assert_eq!(client.get("other").await?, Some(Vec::new()));

    // Errors are frames; the connection goes on.
    assert_eq!(
        client.request(&["FLUSHALL"]).await?,
        Frame::Error("ERR unknown command 'FLUSHALL'".into())
    );
    assert!(matches!(client.request(&["GET"]).await?, Frame::Error(_)));
    assert!(matches!(
        client.request(&["SET", "k"]).await?,
        Frame::Error(_)
    ));
    client.conn.write_frame(&Frame::Integer(7)).await?;
    // `assert!(matches!(client.read_response().await?, ..))` is refused
    // (an await in a macro whose arguments are not expressions).
    let response = client.read_response().await?;
    assert!(matches!(response, Frame::Error(msg) if msg.contains("Integer(7)")));
    assert_eq!(client.ping(None).await?, Frame::simple("PONG"));

    // Several response frames to one request.
    let first = client
        .request(&["SUBSCRIBE", "news", "sport", "weather"])
        .await?;
    let mut confirmations = vec![first];
    for _ in 0..2 {
        confirmations.push(client.read_response().await?);
    }
    for (i, (frame, channel)) in confirmations
        .iter()
        .zip(["news", "sport", "weather"])
        .enumerate()
    {
        assert_eq!(
            frame,
            &Frame::Array(vec![
                Frame::bulk("subscribe"),
                Frame::bulk(channel),
                Frame::Integer(i as i64 + 1)
            ])
        );
    }

    // A nested array in the response.
    assert_eq!(
        client.request(&["ECHO", "a", "b"]).await?,
        Frame::Array(vec![
            Frame::simple("echo"),
            Frame::Array(vec![Frame::bulk("a"), Frame::bulk("b")])
        ])
    );

    // Closing the client ends the handler cleanly, with the data set.
    assert!(!server.done());
    drop(client);
    let db = server.await?;
    let mut entries: Vec<_> = db.into_iter().collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            ("foo".to_string(), b"baz".to_vec()),
            ("other".to_string(), Vec::new())
        ]
    );
    Ok(())
}

#[asyncio::coroutine]
fn main_test() -> Result<()> {
    round_trips_body(16, 4096).await
}

#[test]
fn get_set_ping_round_trips() {
    asyncio::run(main_test()).unwrap();
}

/// The same conversation with every write cut into 1-byte chunks, and a
/// queue of one chunk: every frame arrives over many reads, and each side
/// waits for the other at almost every byte.
#[test]
fn round_trips_over_one_byte_chunks() {
    run_bounded(round_trips_body(1, 1)).unwrap();
}

#[test]
fn round_trips_over_small_chunks() {
    for max_chunk in [2, 3, 5, 7] {
        run_bounded(round_trips_body(2, max_chunk)).unwrap();
    }
}

// ----- frames split across reads ----------------------------------------------

/// The client writes `SET` and `GET` frames one byte at a time, yielding to
/// the loop between bytes: the server reads each byte separately, answers
/// nothing before a frame is complete, and answers each frame once.
#[asyncio::coroutine]
fn split_frames_body() -> Result<()> {
    let (client_end, server_end) = duplex(64, 4096);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Connection::new(client_end);

    let requests = [
        Frame::command(&["SET", "greeting", "hello world"]),
        Frame::command(&["GET", "greeting"]),
        Frame::command(&["PING"]),
    ];
    let responses = [
        Frame::simple("OK"),
        Frame::bulk("hello world"),
        Frame::simple("PONG"),
    ];
    for (request, expected) in requests.iter().zip(responses.iter()) {
        let bytes = request.to_bytes();
        for (i, byte) in bytes.iter().enumerate() {
            client.stream.write_all(&[*byte]).await?;
            asyncio::sleep(0).await?;
            asyncio::sleep(0).await?;
            if i + 1 < bytes.len() {
                assert_eq!(
                    client.stream.unread_chunks(),
                    0,
                    "a response before byte {i} of {request:?}"
                );
                assert!(!server.done());
            }
        }
        assert_eq!(client.read_frame().await?.as_ref(), Some(expected));
        assert!(client.buffer.is_empty());
    }

    // Two frames in one chunk (pipelining): two responses, in order.
    let mut both = Frame::command(&["GET", "greeting"]).to_bytes();
    both.extend(Frame::command(&["GET", "missing"]).to_bytes());
    client.stream.write_all(&both).await?;
    assert_eq!(client.read_frame().await?, Some(Frame::bulk("hello world")));
    assert_eq!(client.read_frame().await?, Some(Frame::Null));

    // A frame cut at every position into two chunks.
    let set = Frame::command(&["SET", "k", "v2"]).to_bytes();
    for cut in 1..set.len() {
        client.stream.write_all(&set[..cut]).await?;
        yield_n(3).await?;
        assert_eq!(client.stream.unread_chunks(), 0);
        client.stream.write_all(&set[cut..]).await?;
        assert_eq!(client.read_frame().await?, Some(Frame::simple("OK")));
    }

    client.stream.shutdown();
    // The server closes its side after the handler returns.
    assert_eq!(client.read_frame().await?, None);
    let db = server.await?;
    assert_eq!(
        db.get("greeting").map(Vec::as_slice),
        Some(&b"hello world"[..])
    );
    assert_eq!(db.get("k").map(Vec::as_slice), Some(&b"v2"[..]));
    Ok(())
}

#[test]
fn frames_split_across_reads() {
    run_bounded(split_frames_body()).unwrap();
}

// ----- the client closing -------------------------------------------------------

#[asyncio::coroutine]
fn client_closes_body() -> Result<()> {
    // Closing before sending anything.
    let (client_end, server_end) = duplex(4, 4096);
    let server = asyncio::create_task(serve(server_end));
    yield_n(3).await?;
    assert!(!server.done());
    drop(client_end);
    assert!(server.await?.is_empty());

    // Closing after a request, without reading the response (the handler's
    // write still succeeds: the response is queued).
    let (client_end, server_end) = duplex(4, 4096);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Client::new(client_end);
    client.set("a", "1").await?;
    client
        .conn
        .write_frame(&Frame::command(&["SET", "b", "2"]))
        .await?;
    client.conn.stream.shutdown();
    let db = server.await?;
    assert_eq!(db.len(), 2);
    // The response to the last request is still there, then end of stream.
    assert_eq!(client.read_response().await?, Frame::simple("OK"));
    assert_eq!(client.conn.read_frame().await?, None);
    Ok(())
}

#[test]
fn client_closing_ends_the_handler_with_ok() {
    run_bounded(client_closes_body()).unwrap();
}

#[asyncio::coroutine]
fn client_closes_mid_frame_body() -> Result<()> {
    let (client_end, server_end) = duplex(4, 4096);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Connection::new(client_end);
    let bytes = Frame::command(&["SET", "key", "value"]).to_bytes();
    client.stream.write_all(&bytes[..bytes.len() / 2]).await?;
    yield_n(3).await?;
    assert!(!server.done());
    drop(client);
    let err = server.await.unwrap_err();
    assert!(is_io(&err, io::ErrorKind::ConnectionReset), "{err:?}");
    Ok(())
}

#[test]
fn client_closing_mid_frame_is_an_error() {
    run_bounded(client_closes_mid_frame_body()).unwrap();
}

#[asyncio::coroutine]
fn protocol_error_body() -> Result<()> {
    let (client_end, server_end) = duplex(4, 4096);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Connection::new(client_end);
    client.stream.write_all(b"!garbage\r\n").await?;
    let err = server.await.unwrap_err();
    assert!(is_io(&err, io::ErrorKind::InvalidData), "{err:?}");
    // The server's end is gone: the client reads end of stream.
    assert_eq!(client.read_frame().await?, None);
    Ok(())
}

#[test]
fn invalid_bytes_end_the_handler_with_a_protocol_error() {
    run_bounded(protocol_error_body()).unwrap();
}

// ----- cancelling the server ------------------------------------------------------

/// The server is cancelled while it waits in a read with half a frame
/// buffered: the task ends with `Error::Cancelled` (not a panic), its end
/// of the stream is dropped, and the client sees the stream closed.
#[asyncio::coroutine]
fn cancel_mid_read_body(message: Option<&'static str>) -> Result<()> {
    let (client_end, server_end) = duplex(4, 4096);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Client::new(client_end);
    client.set("k", "v").await?;
    assert_eq!(client.get("k").await?, Some(b"v".to_vec()));

    let bytes = Frame::command(&["GET", "k"]).to_bytes();
    client.conn.stream.write_all(&bytes[..5]).await?;
    yield_n(3).await?;
    assert!(!server.done());
    match message {
        Some(msg) => assert!(server.cancel_with(msg)),
        None => assert!(server.cancel()),
    }
    let outcome = server.clone().await;
    match &outcome {
        Err(Error::Cancelled(msg)) => assert_eq!(msg.as_deref(), message),
        other => panic!("expected a cancellation, got {other:?}"),
    }
    assert!(server.done());
    assert!(server.cancelled());

    // The server's end was dropped with its task.
    let err = client.conn.stream.write_all(&bytes[5..]).await.unwrap_err();
    assert!(is_io(&err, io::ErrorKind::BrokenPipe), "{err:?}");
    assert_eq!(client.conn.read_frame().await?, None);
    Ok(())
}

#[test]
fn cancelling_the_server_mid_read() {
    run_bounded(cancel_mid_read_body(None)).unwrap();
}

#[test]
fn cancelling_the_server_mid_read_with_a_message() {
    run_bounded(cancel_mid_read_body(Some("shutting down"))).unwrap();
}

/// The server is cancelled while it waits to write (the client does not
/// read; the queue holds one chunk), in the middle of the SUBSCRIBE
/// confirmations, i.e. suspended inside `write_frame`'s loop over the
/// items with the request frame borrowed.
#[asyncio::coroutine]
fn cancel_mid_write_body() -> Result<()> {
    let (client_end, server_end) = duplex(1, 2);
    let server = asyncio::create_task(serve(server_end));
    let mut client = Client::new(client_end);
    client
        .conn
        .write_frame(&Frame::command(&["SUBSCRIBE", "a", "b", "c"]))
        .await?;
    yield_n(20).await?;
    assert!(!server.done());
    assert_eq!(client.conn.stream.unread_chunks(), 1);
    server.cancel();
    let outcome = server.clone().await;
    assert!(
        matches!(outcome, Err(Error::Cancelled(None))),
        "{outcome:?}"
    );
    assert!(server.cancelled());
    // What was written before the cancellation can still be read (part of
    // the first confirmation), then the stream ends in the middle of a
    // frame.
    let err = client.read_response().await.unwrap_err();
    assert!(is_io(&err, io::ErrorKind::ConnectionReset), "{err:?}");
    Ok(())
}

#[test]
fn cancelling_the_server_mid_write() {
    run_bounded(cancel_mid_write_body()).unwrap();
}

/// Eight connections served at once by one loop, their requests
/// interleaved.
#[asyncio::coroutine]
fn many_connections_body() -> Result<()> {
    let mut servers = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (client_end, server_end) = duplex(2, 3);
        servers.push(asyncio::create_task(serve(server_end)));
        clients.push(Client::new(client_end));
    }
    for (i, client) in clients.iter_mut().enumerate() {
        client.set("id", &i.to_string()).await?;
    }
    for (i, client) in clients.iter_mut().enumerate() {
        assert_eq!(client.get("id").await?, Some(i.to_string().into_bytes()));
    }
    drop(clients);
    for (i, server) in servers.into_iter().enumerate() {
        let db = server.await?;
        assert_eq!(db["id"], i.to_string().into_bytes());
    }
    Ok(())
}

#[test]
fn many_connections_on_one_loop() {
    run_bounded(many_connections_body()).unwrap();
}
