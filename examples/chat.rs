//! A line-based chat server: every line a client sends goes to all the
//! other clients, prefixed with its sender's name ("guest N" until
//! `/nick NAME`); joins, renames and departures are announced.
//!
//! Built as an asyncio program would be: one `Queue` per client, filled by
//! the others' broadcasts, and a writer task per client that drains it
//! into the socket, so a slow client never holds up the rest (its queue is
//! bounded: when it is full, that client misses lines).
//!
//! The first argument is the address to listen on (default
//! `127.0.0.1:8888`; port 0 picks a free one); the first line of output is
//! the address bound.
//!
//! ```text
//! cargo run --example chat -- 127.0.0.1:8888
//! nc 127.0.0.1 8888          # in two or more terminals; type lines
//! ```

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use asyncio::{Queue, StreamReader, StreamWriter};

/// Lines a client may have waiting before it misses some.
const OUTBOX: usize = 256;

type Line = Rc<[u8]>;

/// Who is here: each client's name and outbox, by id.
#[derive(Default)]
struct Room {
    next_id: Cell<u64>,
    members: RefCell<BTreeMap<u64, Member>>,
}

struct Member {
    name: String,
    outbox: Queue<Line>,
}

impl Room {
    fn join(&self, outbox: Queue<Line>) -> (u64, String) {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let name = format!("guest {id}");
        let member = Member {
            name: name.clone(),
            outbox,
        };
        self.members.borrow_mut().insert(id, member);
        (id, name)
    }

    fn leave(&self, id: u64) -> Option<Member> {
        self.members.borrow_mut().remove(&id)
    }

    fn rename(&self, id: u64, name: &str) {
        if let Some(member) = self.members.borrow_mut().get_mut(&id) {
            member.name = name.to_owned();
        }
    }

    fn others(&self) -> usize {
        self.members.borrow().len().saturating_sub(1)
    }

    /// `text` and a newline into every outbox but `from`'s.
    fn broadcast(&self, from: u64, text: &str) {
        let line: Line = format!("{text}\n").into_bytes().into();
        for (&id, member) in self.members.borrow().iter() {
            if id != from {
                // A full outbox: that client is not reading; it misses
                // this line rather than slowing everyone down.
                let _ = member.outbox.try_put(line.clone());
            }
        }
    }
}

/// One client's writer task: its outbox into its socket, until the outbox
/// is shut down and empty.
#[asyncio::coroutine]
fn deliver(outbox: Queue<Line>, writer: StreamWriter) -> asyncio::Result<()> {
    loop {
        let line = match outbox.get().await {
            Ok(line) => line,
            Err(asyncio::Error::QueueShutDown) => return Ok(()),
            Err(err) => return Err(err),
        };
        writer.write(&line)?;
        writer.drain().await?;
    }
}

/// One client's lines, until it leaves: broadcasts and `/nick`.
#[asyncio::coroutine]
fn converse(room: &Room, id: u64, reader: &StreamReader) -> asyncio::Result<()> {
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            return Ok(()); // EOF: the client left
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let name = room.members.borrow()[&id].name.clone();
        if let Some(new) = text.strip_prefix("/nick ") {
            let new = new.trim();
            if !new.is_empty() {
                room.rename(id, new);
                room.broadcast(id, &format!("* {name} is now {new}"));
            }
        } else if !text.is_empty() {
            room.broadcast(id, &format!("{name}: {text}"));
        }
    }
}

/// A connection: join, converse, leave (announced), then let the writer
/// task deliver what is left and close.
#[asyncio::coroutine]
fn client(room: Rc<Room>, reader: StreamReader, writer: StreamWriter) -> asyncio::Result<()> {
    let outbox = Queue::with_maxsize(OUTBOX);
    let (id, name) = room.join(outbox.clone());
    let delivering = asyncio::create_task(deliver(outbox.clone(), writer.clone()));
    let welcome = format!(
        "* you are {name}; {} others here; /nick NAME to rename\n",
        room.others()
    );
    let _ = outbox.try_put(welcome.into_bytes().into());
    room.broadcast(id, &format!("* {name} joined"));

    let conversed = converse(&room, id, &reader).await;

    if let Some(member) = room.leave(id) {
        room.broadcast(id, &format!("* {} left", member.name));
    }
    outbox.shutdown(false); // the writer task ends once the outbox is empty
    let delivered = delivering.await;
    for outcome in [conversed, delivered] {
        if let Err(err) = outcome {
            if err.is_cancelled() {
                return Err(err);
            }
            // A client that vanished (reset) or sent a line too long.
            eprintln!("chat: {name}: {err}");
        }
    }
    writer.close();
    let _ = writer.wait_closed().await;
    Ok(())
}

#[asyncio::entry]
fn main() -> asyncio::Result<()> {
    let (host, port) = examples::address_arg(std::env::args().nth(1), "127.0.0.1:8888")
        .map_err(|e| asyncio::Error::Value(e.into()))?;
    let room = Rc::new(Room::default());
    let server = asyncio::start_server(
        move |reader, writer| client(room.clone(), reader, writer),
        &host,
        port,
    )
    .await?;
    examples::announce(&server)?;
    let served = server.serve_forever().await;
    server.close_clients();
    server.wait_closed().await?;
    served
}
