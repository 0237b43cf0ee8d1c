//! A client for `echo_server` (or any echo service): connects to
//! `HOST:PORT` (the first argument) and
//!
//! - with more arguments, sends each as a line and prints each echoed line;
//! - with none, sends its standard input and copies what comes back to
//!   standard output until the server closes, as `nc -N` does: the two
//!   directions run at once, as two tasks.
//!
//! Standard input is read as asyncio reads it, through
//! `loop.connect_read_pipe` and a protocol feeding a `StreamReader` (a
//! pipe or a terminal; a regular file is read on the executor instead).
//!
//! ```text
//! cargo run --example echo_server -- 127.0.0.1:8888 &
//! cargo run --example echo_client -- 127.0.0.1:8888 hello world
//! seq 5 | cargo run --example echo_client -- 127.0.0.1:8888
//! ```

use std::io::{Read, Write};
use std::os::fd::AsFd;

use asyncio::{Protocol, StreamReader, StreamWriter, Transport};

/// Above this many buffered bytes of standard input, stop reading it until
/// the socket has taken some (flow control on the way in).
const STDIN_HIGH: usize = 1 << 20;

/// Feeds what a pipe delivers into a standalone [`StreamReader`]
/// (asyncio's `StreamReaderProtocol` around `connect_read_pipe`).
struct FeedReader {
    reader: StreamReader,
    transport: Option<Transport>,
}

impl Protocol for FeedReader {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
    }

    fn data_received(&mut self, data: &[u8]) {
        self.reader.feed_data(data);
        let full = self.reader.buffered() > STDIN_HIGH;
        if let Some(transport) = self.transport.as_ref().filter(|_| full) {
            transport.pause_reading();
        }
    }

    fn eof_received(&mut self) -> bool {
        self.reader.feed_eof();
        false
    }

    fn connection_lost(&mut self, exc: Option<asyncio::Error>) {
        match exc {
            Some(err) => self.reader.set_exception(err),
            None => self.reader.feed_eof(),
        }
    }
}

/// Standard input, readable without blocking the loop.
enum Stdin {
    Pipe(StreamReader, Transport),
    /// A regular file (epoll cannot watch one): read on the executor.
    File,
}

impl Stdin {
    #[asyncio::coroutine]
    fn open() -> asyncio::Result<Stdin> {
        let lp = asyncio::get_running_loop()?;
        let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
        let reader = StreamReader::new();
        let feed = reader.clone();
        let made = lp
            .connect_read_pipe(
                move || FeedReader {
                    reader: feed,
                    transport: None,
                },
                fd,
            )
            .await;
        Ok(match made {
            Ok((transport, _)) => Stdin::Pipe(reader, transport),
            Err(_) => Stdin::File,
        })
    }

    /// The next chunk; empty at end of input.
    #[asyncio::coroutine]
    fn read(&self) -> asyncio::Result<Vec<u8>> {
        match self {
            Stdin::Pipe(reader, transport) => {
                let chunk = reader.read(64 * 1024).await?;
                if !transport.is_reading() && reader.buffered() <= STDIN_HIGH / 2 {
                    transport.resume_reading();
                }
                Ok(chunk)
            }
            Stdin::File => {
                let chunk = asyncio::to_thread(|| {
                    let mut buf = vec![0; 64 * 1024];
                    let n = std::io::stdin().lock().read(&mut buf)?;
                    buf.truncate(n);
                    Ok::<_, std::io::Error>(buf)
                })
                .await?;
                Ok(chunk?)
            }
        }
    }
}

/// Standard input to the server, then `write_eof`: the server sees the
/// end and closes once it has echoed everything.
#[asyncio::coroutine]
fn send_stdin(writer: StreamWriter) -> asyncio::Result<()> {
    let stdin = Stdin::open().await?;
    loop {
        let chunk = stdin.read().await?;
        if chunk.is_empty() {
            break;
        }
        writer.write(&chunk)?;
        writer.drain().await?;
    }
    writer.write_eof();
    Ok(())
}

/// Whatever the server sends, to standard output, until it closes.
#[asyncio::coroutine]
fn print_replies(reader: StreamReader) -> asyncio::Result<()> {
    let mut out = std::io::stdout().lock();
    loop {
        let chunk = reader.read(64 * 1024).await?;
        if chunk.is_empty() {
            break;
        }
        out.write_all(&chunk)?;
        out.flush()?;
    }
    Ok(())
}

/// Each line in turn: send it, wait for its echo, print it.
#[asyncio::coroutine]
fn send_lines(
    reader: StreamReader,
    writer: StreamWriter,
    lines: Vec<String>,
) -> asyncio::Result<()> {
    for line in lines {
        writer.writelines(&[line.as_bytes(), b"\n"])?;
        writer.drain().await?;
        let echo = reader.readline().await?;
        if echo.is_empty() {
            return Err(asyncio::Error::Value("the server closed early".into()));
        }
        examples::say(String::from_utf8_lossy(&echo).trim_end_matches('\n'));
    }
    Ok(())
}

#[asyncio::entry]
fn main() -> asyncio::Result<()> {
    let (host, port) = examples::address_arg(std::env::args().nth(1), "127.0.0.1:8888")
        .map_err(|e| asyncio::Error::Value(e.into()))?;
    let lines: Vec<String> = std::env::args().skip(2).collect();
    let (reader, writer) = asyncio::open_connection(&host, port).await?;
    if lines.is_empty() {
        let sending = asyncio::create_task(send_stdin(writer.clone()));
        print_replies(reader).await?;
        // The server closed: it echoed everything we sent, or went away.
        if !sending.done() {
            sending.cancel();
        }
        match sending.await {
            Err(err) if !err.is_cancelled() => return Err(err),
            _ => {}
        }
    } else {
        send_lines(reader, writer.clone(), lines).await?;
    }
    writer.close();
    writer.wait_closed().await
}
