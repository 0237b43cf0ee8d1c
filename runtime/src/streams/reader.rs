//! [`StreamReader`] and its read futures ([`StreamRead`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use smallvec::SmallVec;

use super::state::{DEFAULT_LIMIT, Guard, StreamState};
use crate::error::{Error, Result};
use crate::io::Transport;
use crate::task::waiter::{WaitSide, Waiter};

/// The reading half of a stream connection (asyncio's `StreamReader`): a
/// buffer the connection's transport fills, and reads that wait for what
/// they need. A cheap `Rc` handle; clones share one reader.
///
/// Made by [`open_connection`](crate::open_connection) and the other
/// `open_*` functions, handed to a [`start_server`](crate::start_server)
/// callback, or made empty with [`new`](Self::new) and fed by hand
/// ([`feed_data`](Self::feed_data), [`feed_eof`](Self::feed_eof)) by tests
/// and protocol authors.
///
/// Every read takes `&self` and returns a [`StreamRead`], a `'static`
/// future holding its own handle, so `let line = reader.readline().await?`
/// never borrows across an await.
///
/// # Buffer limit and flow control
///
/// [`limit`](Self::limit) (64 KiB by default) bounds what
/// [`readline`](Self::readline) and [`readuntil`](Self::readuntil) will
/// search and return. When more than 2 × limit bytes are buffered and no
/// read is waiting, the transport stops reading from the socket (the
/// peer's sends then block in the kernel); it resumes once reads bring
/// the buffer down to the limit, or as soon as a read has to wait.
///
/// # Cancellation
///
/// A read consumes bytes only when it completes: a read that is cancelled
/// (a task's `cancel`, a [`timeout`](crate::timeout)) or dropped takes
/// nothing, and the next read gets every byte, in order.
/// [`read_to_end`](Self::read_to_end) keeps what it waits for in this
/// buffer until EOF (asyncio's `read(-1)` collects it in a local list and
/// loses it on cancellation).
///
/// One read waits at a time, as in asyncio: a read that must wait while
/// another one waits fails with [`Error::InvalidState`].
///
/// # Examples
///
/// ```
/// #[asyncio::coroutine]
/// fn main_() -> asyncio::Result<(Vec<u8>, Vec<u8>, Vec<u8>)> {
///     let reader = asyncio::StreamReader::new();
///     reader.feed_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody");
///     reader.feed_eof();
///     let request_line = reader.readline().await?;
///     let headers = reader.readuntil(b"\r\n\r\n").await?;
///     let body = reader.read_to_end().await?;
///     Ok((request_line, headers, body))
/// }
/// let (line, headers, body) = asyncio::run(main_())?;
/// assert_eq!(line, b"GET / HTTP/1.1\r\n");
/// assert_eq!(headers, b"Host: x\r\n\r\n");
/// assert_eq!(body, b"body");
/// # Ok::<(), asyncio::Error>(())
/// ```
#[derive(Clone)]
pub struct StreamReader {
    state: Rc<RefCell<StreamState>>,
    guard: Rc<Guard>,
}

impl Default for StreamReader {
    fn default() -> Self {
        StreamReader::new()
    }
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state.try_borrow() {
            Ok(s) => f
                .debug_struct("StreamReader")
                .field("buffered", &s.len())
                .field("limit", &s.limit)
                .field("eof", &s.eof)
                .field("exception", &s.exception)
                .field("paused", &s.paused)
                .field("waiting", &s.read_waiter.is_some())
                .finish_non_exhaustive(),
            Err(_) => f.write_str("StreamReader { <busy> }"),
        }
    }
}

impl StreamReader {
    /// An empty reader with the default limit (64 KiB), attached to no
    /// transport: feed it with [`feed_data`](Self::feed_data) and
    /// [`feed_eof`](Self::feed_eof).
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::new();
    /// assert_eq!(reader.limit(), 64 * 1024);
    /// assert!(!reader.at_eof());
    /// ```
    pub fn new() -> StreamReader {
        StreamReader::detached(StreamState::new_shared(DEFAULT_LIMIT, None))
    }

    /// An empty reader with buffer limit `limit`.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] if `limit` is 0 (asyncio's `ValueError` for
    /// `limit <= 0`).
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::with_limit(16)?;
    /// assert_eq!(reader.limit(), 16);
    /// assert!(asyncio::StreamReader::with_limit(0).is_err());
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn with_limit(limit: usize) -> Result<StreamReader> {
        check_limit(limit)?;
        Ok(StreamReader::detached(StreamState::new_shared(limit, None)))
    }

    fn detached(state: Rc<RefCell<StreamState>>) -> StreamReader {
        StreamReader {
            state,
            guard: Guard::detached(),
        }
    }

    /// The reader of a connection over `transport`.
    pub(crate) fn connected(state: Rc<RefCell<StreamState>>, transport: Transport) -> StreamReader {
        StreamReader {
            state,
            guard: Guard::connected(transport),
        }
    }

    /// A reader handle sharing `guard`.
    pub(crate) fn with_guard(state: Rc<RefCell<StreamState>>, guard: Rc<Guard>) -> StreamReader {
        StreamReader { state, guard }
    }

    pub(crate) fn state(&self) -> &Rc<RefCell<StreamState>> {
        &self.state
    }

    pub(crate) fn guard(&self) -> &Rc<Guard> {
        &self.guard
    }

    /// The buffer limit.
    pub fn limit(&self) -> usize {
        self.state.borrow().limit
    }

    /// How many bytes are buffered, not yet read (asyncio has no such
    /// method; handy to see what a failed read left).
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::new();
    /// reader.feed_data(b"abc");
    /// assert_eq!(reader.buffered(), 3);
    /// ```
    pub fn buffered(&self) -> usize {
        self.state.borrow().len()
    }

    /// Whether the stream ended and the buffer is empty: every read would
    /// return nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::new();
    /// reader.feed_data(b"x");
    /// reader.feed_eof();
    /// assert!(!reader.at_eof(), "one byte is still to read");
    /// ```
    pub fn at_eof(&self) -> bool {
        let s = self.state.borrow();
        s.eof && s.len() == 0
    }

    /// Adds `data` to the buffer and wakes a waiting read (asyncio's
    /// `feed_data`, for protocol authors and tests). Data fed after
    /// [`feed_eof`](Self::feed_eof) is ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::new();
    /// reader.feed_data(b"hello");
    /// reader.feed_eof();
    /// reader.feed_data(b"ignored");
    /// assert_eq!(asyncio::run(reader.read_to_end())?, b"hello");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn feed_data(&self, data: &[u8]) {
        self.state.borrow_mut().feed(data);
    }

    /// Marks the end of the stream and wakes a waiting read.
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::new();
    /// reader.feed_eof();
    /// assert!(reader.at_eof());
    /// assert_eq!(asyncio::run(reader.read(10))?, b"");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn feed_eof(&self) {
        self.state.borrow_mut().feed_eof();
    }

    /// Makes every read from now on fail with (a copy of) `err`, even with
    /// data buffered, and wakes a waiting read with it (asyncio's
    /// `set_exception`). A connection lost with an error does this.
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::Error;
    ///
    /// let reader = asyncio::StreamReader::new();
    /// reader.feed_data(b"data");
    /// reader.set_exception(Error::Value("bad".into()));
    /// assert!(matches!(reader.exception(), Some(Error::Value(_))));
    /// assert!(matches!(asyncio::run(reader.read(4)), Err(Error::Value(_))));
    /// ```
    pub fn set_exception(&self, err: Error) {
        self.state.borrow_mut().set_exception(err);
    }

    /// A copy of the error set by [`set_exception`](Self::set_exception),
    /// if any.
    pub fn exception(&self) -> Option<Error> {
        self.state.borrow().exception.as_ref().map(Error::duplicate)
    }

    /// Reads up to `n` bytes (asyncio's `read(n)`): waits only while the
    /// buffer is empty, then returns what is there, up to `n`, without
    /// waiting for `n`. Returns an empty vector at EOF, and at once for
    /// `n == 0`. The limit does not apply.
    ///
    /// # Errors
    ///
    /// The reader's exception ([`set_exception`](Self::set_exception), or
    /// the error the connection was lost with); [`Error::Cancelled`];
    /// [`Error::InvalidState`] if another read is waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<Vec<Vec<u8>>> {
    ///     let reader = asyncio::StreamReader::new();
    ///     reader.feed_data(b"line1line2");
    ///     reader.feed_eof();
    ///     Ok(vec![reader.read(5).await?, reader.read(30).await?, reader.read(30).await?])
    /// }
    /// assert_eq!(asyncio::run(main_())?, [&b"line1"[..], b"line2", b""]);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn read(&self, n: usize) -> StreamRead {
        self.start(Kind::Read(n))
    }

    /// Reads everything up to EOF (asyncio's `read(-1)`). What arrives
    /// stays in this reader's buffer until EOF, so cancelling loses
    /// nothing; reading is not paused while it waits, so the buffer grows
    /// beyond the limit.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    ///
    /// # Examples
    ///
    /// ```
    /// let reader = asyncio::StreamReader::new();
    /// reader.feed_data(b"all ");
    /// reader.feed_data(b"of it");
    /// reader.feed_eof();
    /// assert_eq!(asyncio::run(reader.read_to_end())?, b"all of it");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn read_to_end(&self) -> StreamRead {
        self.start(Kind::ToEnd)
    }

    /// Reads one line, up to and including `\n` (asyncio's `readline`). At
    /// EOF, returns the partial last line, or an empty vector when nothing
    /// is left.
    ///
    /// # Errors
    ///
    /// [`Error::LimitOverrun`] when the line is longer than the limit. As
    /// asyncio's `readline` does, the over-long line is then dropped from
    /// the buffer (up to and including its `\n` if it was found, else the
    /// whole buffer), so the next call reads the next line; use
    /// [`readuntil`](Self::readuntil) to keep the buffer instead. Else as
    /// [`read`](Self::read).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<Vec<Vec<u8>>> {
    ///     let reader = asyncio::StreamReader::new();
    ///     reader.feed_data(b"one\ntw");
    ///     reader.feed_data(b"o\nthree");
    ///     reader.feed_eof();
    ///     let mut lines = Vec::new();
    ///     loop {
    ///         let line = reader.readline().await?;
    ///         if line.is_empty() {
    ///             return Ok(lines);
    ///         }
    ///         lines.push(line);
    ///     }
    /// }
    /// assert_eq!(asyncio::run(main_())?, [&b"one\n"[..], b"two\n", b"three"]);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn readline(&self) -> StreamRead {
        self.start(Kind::Until {
            seps: SmallVec::from_iter([Cow::Borrowed(&b"\n"[..])]),
            line: true,
            offset: 0,
            epoch: 0,
        })
    }

    /// Reads exactly `n` bytes (asyncio's `readexactly`), waiting as long
    /// as it takes; the limit does not apply. `n == 0` returns at once.
    ///
    /// # Errors
    ///
    /// [`Error::IncompleteRead`] when the stream ends first, carrying the
    /// bytes that were left (`partial`, taken from the buffer) and
    /// `expected: Some(n)`. Else as [`read`](Self::read).
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::Error;
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<(Vec<u8>, Error)> {
    ///     let reader = asyncio::StreamReader::new();
    ///     reader.feed_data(b"\x00\x03abcde");
    ///     reader.feed_eof();
    ///     let header = reader.readexactly(2).await?;
    ///     let body = reader.readexactly(usize::from(header[1])).await?;
    ///     let err = reader.readexactly(3).await.unwrap_err();
    ///     Ok((body, err))
    /// }
    /// let (body, err) = asyncio::run(main_())?;
    /// assert_eq!(body, b"abc");
    /// assert!(matches!(err, Error::IncompleteRead { ref partial, expected: Some(3) } if **partial == *b"de"));
    /// assert_eq!(err.to_string(), "2 bytes read on a total of 3 expected bytes");
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn readexactly(&self, n: usize) -> StreamRead {
        self.start(Kind::Exactly(n))
    }

    /// Reads up to and including `separator` (asyncio's `readuntil`).
    ///
    /// # Errors
    ///
    /// - [`Error::LimitOverrun`] when no separator shows up within the
    ///   limit, or the data before it is longer than the limit; the buffer
    ///   is left as it was, so the data can be read otherwise.
    ///   `consumed` says how many bytes to skip past the limit.
    /// - [`Error::IncompleteRead`] when the stream ends first, with the
    ///   rest of the buffer as `partial` and `expected: None`.
    /// - [`Error::Value`] for an empty separator.
    /// - Else as [`read`](Self::read).
    ///
    /// # Examples
    ///
    /// ```
    /// use asyncio::Error;
    ///
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<(Vec<u8>, usize)> {
    ///     let reader = asyncio::StreamReader::with_limit(16)?;
    ///     reader.feed_data(b"key=value;a-much-too-long-record;");
    ///     let first = reader.readuntil(b";").await?;
    ///     let Err(Error::LimitOverrun { consumed }) = reader.readuntil(b";").await else {
    ///         unreachable!()
    ///     };
    ///     Ok((first, consumed))
    /// }
    /// let (first, consumed) = asyncio::run(main_())?;
    /// assert_eq!(first, b"key=value;");
    /// assert_eq!(consumed, 22);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn readuntil(&self, separator: impl AsRef<[u8]>) -> StreamRead {
        self.readuntil_any([separator])
    }

    /// [`readuntil`](Self::readuntil) with several separators (asyncio's
    /// `readuntil` with a tuple): the shortest result that ends with any
    /// of them wins, that is the match that ends first.
    ///
    /// # Errors
    ///
    /// As [`readuntil`](Self::readuntil); also [`Error::Value`] for no
    /// separator at all.
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<Vec<Vec<u8>>> {
    ///     let reader = asyncio::StreamReader::new();
    ///     reader.feed_data(b"a\r\nb\nc");
    ///     reader.feed_eof();
    ///     let seps: [&[u8]; 2] = [b"\r\n", b"\n"];
    ///     Ok(vec![reader.readuntil_any(seps).await?, reader.readuntil_any(seps).await?])
    /// }
    /// assert_eq!(asyncio::run(main_())?, [&b"a\r\n"[..], b"b\n"]);
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn readuntil_any<S: AsRef<[u8]>>(
        &self,
        separators: impl IntoIterator<Item = S>,
    ) -> StreamRead {
        let seps = separators
            .into_iter()
            .map(|s| Cow::Owned(s.as_ref().to_vec()))
            .collect();
        self.start(Kind::Until {
            seps,
            line: false,
            offset: 0,
            epoch: 0,
        })
    }

    fn start(&self, kind: Kind) -> StreamRead {
        StreamRead {
            waiter: Waiter::new(ReadSide(self.state.clone())),
            kind,
        }
    }
}

/// [`Error::Value`] for a zero limit.
pub(crate) fn check_limit(limit: usize) -> Result<()> {
    if limit == 0 {
        return Err(Error::Value("limit must be at least 1".into()));
    }
    Ok(())
}

type Separators = SmallVec<[Cow<'static, [u8]>; 2]>;

enum Kind {
    Read(usize),
    Exactly(usize),
    ToEnd,
    Until {
        seps: Separators,
        /// `readline`: EOF returns the partial line, and an over-long line
        /// is dropped.
        line: bool,
        /// Where the search resumes (bytes before it were searched).
        offset: usize,
        /// The reader's consumption count when `offset` was set.
        epoch: u64,
    },
}

/// The reader's one waiting slot, as a [`WaitSide`]: a ticket names the
/// read that holds it.
struct ReadSide(Rc<RefCell<StreamState>>);

impl WaitSide for ReadSide {
    type Ticket = u64;

    fn withdraw(&self, ticket: u64) {
        // Never borrowed here: a read future is dropped or cancelled by
        // its task, never from inside the reader's own code.
        if let Ok(mut s) = self.0.try_borrow_mut() {
            if matches!(s.read_waiter, Some((id, _)) if id == ticket) {
                s.read_waiter = None;
            }
        }
    }
}

/// The future of every [`StreamReader`] read: the bytes read.
///
/// It holds its own handle to the reader (`'static`). It consumes bytes
/// only in the poll that completes it, so dropping or cancelling it
/// loses nothing.
#[must_use = "futures do nothing unless polled or awaited"]
pub struct StreamRead {
    waiter: Waiter<ReadSide>,
    kind: Kind,
}

impl fmt::Debug for StreamRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Read(_) => "read",
            Kind::Exactly(_) => "readexactly",
            Kind::ToEnd => "read_to_end",
            Kind::Until { line: true, .. } => "readline",
            Kind::Until { .. } => "readuntil",
        };
        f.debug_struct("StreamRead")
            .field("kind", &kind)
            .field("waiting", &self.waiter.is_waiting())
            .finish()
    }
}

impl Future for StreamRead {
    type Output = Result<Vec<u8>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<u8>>> {
        let this = &mut *self;
        if let Err(err) = this.waiter.begin("read polled after completion") {
            return Poll::Ready(Err(err));
        }
        let (side, ticket) = this.waiter.parts();
        let mut s = side.0.borrow_mut();
        if let Some(output) = attempt(&mut this.kind, &mut s) {
            if let Some(mine) = ticket.take() {
                if matches!(s.read_waiter, Some((id, _)) if id == mine) {
                    s.read_waiter = None;
                }
            }
            drop(s);
            this.waiter.set_done();
            return Poll::Ready(output);
        }
        match (&mut s.read_waiter, *ticket) {
            (Some((id, waker)), Some(mine)) if *id == mine => waker.clone_from(cx.waker()),
            (Some(_), _) => {
                drop(s);
                this.waiter.take_ticket();
                this.waiter.set_done();
                return Poll::Ready(Err(Error::invalid_state(
                    "read called while another read is already waiting for incoming data",
                )));
            }
            (None, _) => {
                let mine = s.ticket();
                s.read_waiter = Some((mine, cx.waker().clone()));
                *ticket = Some(mine);
            }
        }
        // A read that must wait resumes reading (else a paused transport
        // and a read waiting for more would wait for each other).
        s.resume();
        Poll::Pending
    }
}

/// One try of a read: `Some` when it completes (consuming only then),
/// `None` when it must wait for more.
fn attempt(kind: &mut Kind, s: &mut StreamState) -> Option<Result<Vec<u8>>> {
    if let Some(err) = &s.exception {
        return Some(Err(err.duplicate()));
    }
    let out = match kind {
        Kind::Read(0) | Kind::Exactly(0) => Ok(Vec::new()),
        Kind::Read(n) => {
            if s.len() == 0 && !s.eof {
                return None;
            }
            Ok(s.consume(*n))
        }
        Kind::Exactly(n) => {
            if s.len() >= *n {
                Ok(s.consume(*n))
            } else if s.eof {
                let partial = s.consume(s.len());
                Err(Error::IncompleteRead {
                    partial: partial.into(),
                    expected: Some(*n),
                })
            } else {
                return None;
            }
        }
        Kind::ToEnd => {
            if !s.eof {
                return None;
            }
            Ok(s.consume(s.len()))
        }
        Kind::Until {
            seps,
            line,
            offset,
            epoch,
        } => until(s, seps, *line, offset, epoch)?,
    };
    s.maybe_resume();
    Some(out)
}

/// `readuntil` (and `readline`), following asyncio's algorithm.
fn until(
    s: &mut StreamState,
    seps: &Separators,
    line: bool,
    offset: &mut usize,
    epoch: &mut u64,
) -> Option<Result<Vec<u8>>> {
    let (Some(min_len), Some(max_len)) = (
        seps.iter().map(|sep| sep.len()).min(),
        seps.iter().map(|sep| sep.len()).max(),
    ) else {
        return Some(Err(Error::Value(
            "separator should contain at least one element".into(),
        )));
    };
    if min_len == 0 {
        return Some(Err(Error::Value(
            "separator should be at least one byte".into(),
        )));
    }
    if *epoch != s.epoch {
        // Another read consumed meanwhile: search the buffer afresh.
        *epoch = s.epoch;
        *offset = 0;
    }
    let len = s.len();
    if len >= *offset + min_len {
        let data = s.data();
        let found = seps
            .iter()
            .filter_map(|sep| find(&data[*offset..], sep).map(|i| (*offset + i, sep.len())))
            .min_by_key(|&(start, sep_len)| start + sep_len);
        if let Some((start, sep_len)) = found {
            if start > s.limit {
                return Some(Err(overrun(s, line, start)));
            }
            return Some(Ok(s.consume(start + sep_len)));
        }
        *offset = (len + 1).saturating_sub(max_len);
        if *offset > s.limit {
            return Some(Err(overrun(s, line, *offset)));
        }
    }
    if s.eof {
        let partial = s.consume(len);
        return Some(if line {
            Ok(partial)
        } else {
            Err(Error::IncompleteRead {
                partial: partial.into(),
                expected: None,
            })
        });
    }
    None
}

/// The limit was overrun `consumed` bytes in: `readuntil` keeps the
/// buffer; `readline` drops the over-long line, as asyncio does.
fn overrun(s: &mut StreamState, line: bool, consumed: usize) -> Error {
    if line {
        if s.data()[consumed..].starts_with(b"\n") {
            s.discard(consumed + 1);
        } else {
            s.discard(s.len());
        }
    }
    Error::LimitOverrun { consumed }
}

/// Where `needle` (non-empty) first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    let mut from = 0;
    while from <= last_start {
        let i = from
            + haystack[from..=last_start]
                .iter()
                .position(|&b| b == first)?;
        if haystack[i + 1..i + needle.len()] == *rest {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn find_first_occurrence() {
        assert_eq!(find(b"abcabc", b"c"), Some(2));
        assert_eq!(find(b"abcabc", b"ca"), Some(2));
        assert_eq!(find(b"abcabc", b"abd"), None);
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"aab", b"ab"), Some(1));
        assert_eq!(find(b"", b"a"), None);
    }
}
