//! A protocol that records what it sees, for the transport tests, and
//! waiting for what it saw.

use std::cell::RefCell;
use std::rc::Rc;

use asyncio::{Error, Event, EventLoop, Protocol, Transport};

/// The longest any test waits for an event, in seconds.
pub const LIMIT: f64 = 20.0;

/// What a protocol saw, shared with the test; `changed` is set at every
/// callback, for [`until`].
#[derive(Default)]
pub struct Seen {
    pub made: usize,
    pub data: Vec<u8>,
    pub eof: usize,
    pub lost: Vec<Option<String>>,
    pub paused: usize,
    pub resumed: usize,
    pub changed: Event,
}

pub type Shared = Rc<RefCell<Seen>>;

/// Waits (at most `LIMIT` seconds) until `what` holds of `seen`.
pub fn until(
    seen: &Shared,
    what: impl Fn(&Seen) -> bool + 'static,
) -> impl std::future::Future<Output = asyncio::Result<()>> {
    asyncio::timeout(LIMIT, until_unbounded(seen.clone(), what))
}

#[asyncio::coroutine]
pub fn until_unbounded<F: Fn(&Seen) -> bool>(seen: Shared, what: F) -> asyncio::Result<()> {
    let changed = seen.borrow().changed.clone();
    loop {
        changed.clear();
        if what(&seen.borrow()) {
            return Ok(());
        }
        changed.wait().await?;
    }
}

pub fn lost(seen: &Seen) -> bool {
    !seen.lost.is_empty()
}

/// A protocol that records everything into a `Seen`, and echoes if asked.
pub struct Recorder {
    pub seen: Shared,
    pub transport: Option<Transport>,
    pub echo: bool,
}

impl Recorder {
    pub fn new(seen: &Shared) -> Recorder {
        Recorder {
            seen: seen.clone(),
            transport: None,
            echo: false,
        }
    }

    fn note(&self, change: impl FnOnce(&mut Seen)) {
        let mut seen = self.seen.borrow_mut();
        change(&mut seen);
        seen.changed.set();
    }
}

impl Protocol for Recorder {
    fn connection_made(&mut self, transport: &Transport) {
        self.transport = Some(transport.clone());
        self.note(|s| s.made += 1);
    }
    fn data_received(&mut self, data: &[u8]) {
        if self.echo {
            self.transport.as_ref().unwrap().write(data).unwrap();
        }
        self.note(|s| s.data.extend_from_slice(data));
    }
    fn eof_received(&mut self) -> bool {
        self.note(|s| s.eof += 1);
        false
    }
    fn connection_lost(&mut self, exc: Option<Error>) {
        self.transport = None;
        self.note(|s| s.lost.push(exc.map(|e| e.to_string())));
    }
    fn pause_writing(&mut self) {
        self.note(|s| s.paused += 1);
    }
    fn resume_writing(&mut self) {
        self.note(|s| s.resumed += 1);
    }
}

/// Connects a `Recorder` to 127.0.0.1:`port`.
#[asyncio::coroutine]
pub fn connect_recorder(lp: EventLoop, port: u16) -> asyncio::Result<(Transport, Shared)> {
    let seen = Shared::default();
    let recorder_seen = seen.clone();
    let (transport, _) = lp
        .create_connection(move || Recorder::new(&recorder_seen), "127.0.0.1", port)
        .await?;
    Ok((transport, seen))
}
