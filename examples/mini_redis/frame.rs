//! RESP frames (mini-redis's `src/frame.rs`): [`Frame::check`] finds
//! whether a whole frame is buffered, [`Frame::parse`] reads it,
//! [`Frame::encode`] writes one. Clients may also send inline commands
//! (`PING\r\n`, as typed into `nc`).

use std::fmt;
use std::io::Cursor;

/// The longest bulk string accepted (as Redis's `proto-max-bulk-len`).
const MAX_BULK: usize = 512 << 20;
/// The most items in an array.
const MAX_ITEMS: usize = 1 << 20;
/// The longest inline command line.
const MAX_INLINE: usize = 64 << 10;

/// A frame of the Redis protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Vec<u8>),
    Null,
    Array(Vec<Frame>),
}

/// Why no frame could be parsed.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Not enough data is buffered yet.
    Incomplete,
    /// The bytes are not a valid frame.
    Invalid(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Incomplete => f.write_str("stream ended early"),
            ParseError::Invalid(msg) => f.write_str(msg),
        }
    }
}

fn invalid(msg: impl Into<String>) -> ParseError {
    ParseError::Invalid(msg.into())
}

impl Frame {
    pub fn simple(text: &str) -> Frame {
        Frame::Simple(text.to_string())
    }

    pub fn error(text: impl Into<String>) -> Frame {
        Frame::Error(text.into())
    }

    /// Checks that a whole frame is buffered, advancing `src` past it. A
    /// line that starts with no type byte is an inline command.
    pub fn check(src: &mut Cursor<&[u8]>) -> Result<(), ParseError> {
        if !is_type_byte(peek_u8(src)?) {
            return get_inline(src).map(drop);
        }
        check_typed(src)
    }

    /// Parses a frame that [`Frame::check`] accepted.
    pub fn parse(src: &mut Cursor<&[u8]>) -> Result<Frame, ParseError> {
        if !is_type_byte(peek_u8(src)?) {
            let line = get_inline(src)?;
            let words = line
                .split(|b| b.is_ascii_whitespace())
                .filter(|word| !word.is_empty())
                .map(|word| Frame::Bulk(word.to_vec()))
                .collect();
            return Ok(Frame::Array(words));
        }
        parse_typed(src)
    }

    /// Appends the frame's encoding to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
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
            Frame::Integer(n) => {
                out.push(b':');
                write_decimal(out, *n);
            }
            Frame::Bulk(data) => {
                out.push(b'$');
                write_decimal(out, data.len() as i64);
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\n");
            }
            Frame::Null => out.extend_from_slice(b"$-1\r\n"),
            Frame::Array(items) => {
                out.push(b'*');
                write_decimal(out, items.len() as i64);
                for item in items {
                    item.encode(out);
                }
            }
        }
    }
}

fn write_decimal(out: &mut Vec<u8>, n: i64) {
    use std::io::Write;
    let _ = write!(out, "{n}\r\n");
}

fn is_type_byte(byte: u8) -> bool {
    matches!(byte, b'+' | b'-' | b':' | b'$' | b'*')
}

fn check_typed(src: &mut Cursor<&[u8]>) -> Result<(), ParseError> {
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
                null_bulk(src)
            } else {
                let len = get_length(src, MAX_BULK)?;
                skip(src, len + 2)
            }
        }
        b'*' => {
            let len = get_length(src, MAX_ITEMS)?;
            for _ in 0..len {
                check_typed(src)?;
            }
            Ok(())
        }
        other => Err(invalid(format!(
            "expected a type byte, got '{}'",
            other.escape_ascii()
        ))),
    }
}

fn parse_typed(src: &mut Cursor<&[u8]>) -> Result<Frame, ParseError> {
    match get_u8(src)? {
        b'+' => {
            let line = get_line(src)?.to_vec();
            String::from_utf8(line)
                .map(Frame::Simple)
                .map_err(|_| invalid("simple string not UTF-8"))
        }
        b'-' => {
            let line = get_line(src)?.to_vec();
            String::from_utf8(line)
                .map(Frame::Error)
                .map_err(|_| invalid("error not UTF-8"))
        }
        b':' => Ok(Frame::Integer(get_integer(src)?)),
        b'$' => {
            if peek_u8(src)? == b'-' {
                null_bulk(src)?;
                return Ok(Frame::Null);
            }
            let len = get_length(src, MAX_BULK)?;
            let start = src.position() as usize;
            let bytes = *src.get_ref();
            if bytes.len() < start + len + 2 {
                return Err(ParseError::Incomplete);
            }
            skip(src, len + 2)?;
            if &bytes[start + len..start + len + 2] != b"\r\n" {
                return Err(invalid("bulk string not followed by CRLF"));
            }
            Ok(Frame::Bulk(bytes[start..start + len].to_vec()))
        }
        b'*' => {
            let len = get_length(src, MAX_ITEMS)?;
            let mut items = Vec::with_capacity(len.min(1024));
            for _ in 0..len {
                items.push(parse_typed(src)?);
            }
            Ok(Frame::Array(items))
        }
        other => Err(invalid(format!(
            "expected a type byte, got '{}'",
            other.escape_ascii()
        ))),
    }
}

fn null_bulk(src: &mut Cursor<&[u8]>) -> Result<(), ParseError> {
    if get_line(src)? == b"-1" {
        Ok(())
    } else {
        Err(invalid("invalid bulk length"))
    }
}

fn peek_u8(src: &Cursor<&[u8]>) -> Result<u8, ParseError> {
    src.get_ref()
        .get(src.position() as usize)
        .copied()
        .ok_or(ParseError::Incomplete)
}

fn get_u8(src: &mut Cursor<&[u8]>) -> Result<u8, ParseError> {
    let byte = peek_u8(src)?;
    src.set_position(src.position() + 1);
    Ok(byte)
}

fn skip(src: &mut Cursor<&[u8]>, n: usize) -> Result<(), ParseError> {
    let pos = src.position() as usize;
    if src.get_ref().len() < pos + n {
        return Err(ParseError::Incomplete);
    }
    src.set_position((pos + n) as u64);
    Ok(())
}

/// The bytes up to the next CRLF; `src` moves past it.
fn get_line<'a>(src: &mut Cursor<&'a [u8]>) -> Result<&'a [u8], ParseError> {
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

/// An inline command: a line ended by `\n` (or `\r\n`).
fn get_inline<'a>(src: &mut Cursor<&'a [u8]>) -> Result<&'a [u8], ParseError> {
    let bytes: &'a [u8] = src.get_ref();
    let start = src.position() as usize;
    let rest = &bytes[start.min(bytes.len())..];
    match rest.iter().position(|&b| b == b'\n') {
        Some(i) => {
            src.set_position((start + i + 1) as u64);
            let line = &rest[..i];
            Ok(line.strip_suffix(b"\r").unwrap_or(line))
        }
        None if rest.len() > MAX_INLINE => Err(invalid("too big inline request")),
        None => Err(ParseError::Incomplete),
    }
}

fn get_integer(src: &mut Cursor<&[u8]>) -> Result<i64, ParseError> {
    let line = get_line(src)?;
    std::str::from_utf8(line)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| invalid("invalid integer"))
}

fn get_length(src: &mut Cursor<&[u8]>, max: usize) -> Result<usize, ParseError> {
    match usize::try_from(get_integer(src)?) {
        Ok(len) if len <= max => Ok(len),
        _ => Err(invalid("invalid length")),
    }
}
