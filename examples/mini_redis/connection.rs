//! [`Connection`] (mini-redis's `src/connection.rs`): frames in and out of
//! a stream's reader and writer.

use std::io::{self, Cursor};

use asyncio::{Result, StreamReader, StreamWriter};

use crate::frame::{Frame, ParseError};

/// How much one read asks for.
const READ_SIZE: usize = 64 << 10;
/// Responses buffered beyond this are sent without waiting for the next
/// read.
const FLUSH_AT: usize = 64 << 10;

/// Sends and receives [`Frame`]s over a TCP connection.
///
/// As mini-redis's, it reads into its own buffer until a whole frame is
/// there. Unlike mini-redis's (which flushes a `BufWriter` at every
/// frame), [`write_frame`](Self::write_frame) only buffers, and the
/// buffered responses are sent when [`read_frame`](Self::read_frame) must
/// wait for more bytes: a pipeline of requests read at once gets its
/// responses in one write.
pub struct Connection {
    reader: StreamReader,
    writer: StreamWriter,
    /// Bytes read; `buffer[start..]` is not parsed yet.
    buffer: Vec<u8>,
    start: usize,
    /// Responses not written yet.
    out: Vec<u8>,
}

impl Connection {
    pub fn new(reader: StreamReader, writer: StreamWriter) -> Connection {
        Connection {
            reader,
            writer,
            buffer: Vec::with_capacity(4 * 1024),
            start: 0,
            out: Vec::with_capacity(4 * 1024),
        }
    }

    /// Reads one frame, waiting for as many reads as it takes; `None` when
    /// the peer closed the connection between frames.
    ///
    /// # Errors
    ///
    /// An `io::ErrorKind::InvalidData` error for bytes that are not a
    /// frame: the bad frame is skipped (up to the end of the line where
    /// the error was found), so the next call goes on after it.
    /// `ConnectionReset` if the peer closed in the middle of a frame.
    #[asyncio::coroutine]
    pub fn read_frame(&mut self) -> Result<Option<Frame>> {
        loop {
            if let Some(frame) = self.parse_frame()? {
                return Ok(Some(frame));
            }
            // Everything answered so far goes out before waiting.
            self.flush().await?;
            let data = self.reader.read(READ_SIZE).await?;
            if data.is_empty() {
                if self.start == self.buffer.len() {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "connection reset by peer",
                )
                .into());
            }
            self.buffer.drain(..self.start);
            self.start = 0;
            self.buffer.extend_from_slice(&data);
        }
    }

    /// A frame from the buffer, if a whole one is there.
    fn parse_frame(&mut self) -> Result<Option<Frame>> {
        let mut buf = Cursor::new(&self.buffer[self.start..]);
        let checked = Frame::check(&mut buf);
        let end = buf.position() as usize;
        let outcome = match checked {
            Ok(()) => {
                buf.set_position(0);
                Frame::parse(&mut buf)
            }
            Err(err) => Err(err),
        };
        match outcome {
            Ok(frame) => {
                self.start += end;
                Ok(Some(frame))
            }
            Err(ParseError::Incomplete) => Ok(None),
            Err(ParseError::Invalid(msg)) => {
                // Skip to the end of the line the error is on.
                let rest = &self.buffer[self.start..];
                let last = end.saturating_sub(1).min(rest.len());
                let skip = match rest[last..].iter().position(|&b| b == b'\n') {
                    Some(i) => last + i + 1,
                    None => rest.len(),
                };
                self.start += skip;
                Err(io::Error::new(io::ErrorKind::InvalidData, msg).into())
            }
        }
    }

    /// Queues one frame; it is sent before the next read waits, or at
    /// once if much is queued.
    #[asyncio::coroutine]
    pub fn write_frame(&mut self, frame: &Frame) -> Result<()> {
        frame.encode(&mut self.out);
        if self.out.len() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    /// Sends the queued frames, waiting while the socket's buffer is
    /// full.
    #[asyncio::coroutine]
    pub fn flush(&mut self) -> Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        self.writer.write(&self.out)?;
        self.out.clear();
        self.writer.drain().await
    }

    /// Closes the connection (what is queued in the transport is sent
    /// first).
    pub fn close(&self) {
        self.writer.close();
    }
}
