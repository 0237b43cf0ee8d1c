//! The server (mini-redis's `src/server.rs`): a [`Listener`] accepts
//! connections while a connection-limit semaphore has a permit and runs a
//! [`Handler`] task for each; [`run`] serves until the shutdown event is
//! set, then cancels the listener and every handler (each between two
//! frames or while flushing: a command is applied whole or not at all)
//! and waits for them all.

use std::io;
use std::time::Duration;

use asyncio::{Error, Event, Result, Semaphore, SemaphoreGuard, Socket, TaskGroup};

use crate::cmd::Command;
use crate::connection::Connection;
use crate::db::{self, Db};
use crate::frame::Frame;

/// Connections served at once, at most; more wait in the kernel's
/// backlog.
const MAX_CONNECTIONS: usize = 250;
/// The longest wait between two accept attempts after errors, in
/// seconds; beyond it the listener gives up.
const MAX_BACKOFF: u64 = 64;

struct Listener {
    db: Db,
    listener: Socket,
    limit_connections: Semaphore,
    /// The handlers' tasks (mini-redis's shutdown channels: the group
    /// cancels them with the listener and waits for them).
    handlers: TaskGroup,
}

struct Handler {
    db: Db,
    connection: Connection,
    /// The connection's slot, given back when the handler is dropped.
    _permit: SemaphoreGuard,
}

/// Serves on `listener` until `shutdown` is set; returns once every
/// connection is closed.
#[asyncio::coroutine]
pub fn run(listener: Socket, shutdown: Event) -> Result<()> {
    let db = Db::new();
    let serving =
        asyncio::create_task(TaskGroup::new().run(move |group| serve(group, listener, db)));
    shutdown.wait().await?;
    serving.cancel();
    match serving.await {
        Ok(()) | Err(Error::Cancelled(_)) => Ok(()),
        Err(err) => Err(err),
    }
}

/// The task group's body: the purge task, then the accept loop.
#[asyncio::coroutine]
fn serve(group: TaskGroup, listener: Socket, db: Db) -> Result<()> {
    drop(group.create_task(db::purge_expired_tasks(db.clone()))?);
    let mut listener = Listener {
        db,
        listener,
        limit_connections: Semaphore::new(MAX_CONNECTIONS as isize)?,
        handlers: group,
    };
    listener.run().await
}

impl Listener {
    /// Accepts connections, one handler task each, until cancelled (or
    /// until accepting keeps failing).
    #[asyncio::coroutine]
    fn run(&mut self) -> Result<()> {
        loop {
            // Wait for a free slot before accepting.
            let permit = self.limit_connections.acquire().await?;
            let socket = self.accept().await?;
            let (reader, writer) = asyncio::open_socket_connection(socket, 64 << 10).await?;
            let handler = Handler {
                db: self.db.clone(),
                connection: Connection::new(reader, writer),
                _permit: permit,
            };
            drop(self.handlers.create_task(handle(handler))?);
        }
    }

    /// Accepts one connection. An error (out of file descriptors...) is
    /// retried after 1 s, then 2, 4, ... up to 64 s; then it is returned.
    #[asyncio::coroutine]
    fn accept(&mut self) -> Result<Socket> {
        let lp = asyncio::get_running_loop()?;
        let mut backoff = 1;
        loop {
            match lp.sock_accept(&self.listener).await {
                Ok((socket, _)) => return Ok(socket),
                Err(Error::Io(err)) => {
                    if backoff > MAX_BACKOFF {
                        return Err(err.into());
                    }
                    eprintln!("mini_redis: accept failed ({err}); retrying in {backoff} s");
                }
                Err(err) => return Err(err),
            }
            asyncio::sleep(Duration::from_secs(backoff)).await?;
            backoff *= 2;
        }
    }
}

/// A handler's task: a connection error ends the connection, not the
/// server.
#[asyncio::coroutine]
fn handle(mut handler: Handler) -> Result<()> {
    let outcome = handler.run().await;
    handler.connection.close();
    match outcome {
        Err(Error::Io(err))
            if matches!(
                err.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
            ) =>
        {
            Ok(())
        }
        Err(err @ Error::Cancelled(_)) => Err(err),
        Err(err) => {
            eprintln!("mini_redis: connection error: {err}");
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

impl Handler {
    /// Reads requests and answers them until the client closes. A request
    /// that is not valid RESP gets an error and is skipped; the
    /// connection goes on.
    #[asyncio::coroutine]
    fn run(&mut self) -> Result<()> {
        loop {
            let frame = match self.connection.read_frame().await {
                Ok(Some(frame)) => frame,
                Ok(None) => return Ok(()),
                Err(Error::Io(err)) if err.kind() == io::ErrorKind::InvalidData => {
                    let response = Frame::error(format!("ERR Protocol error: {err}"));
                    self.connection.write_frame(&response).await?;
                    continue;
                }
                Err(err) => return Err(err),
            };
            let response = match Command::from_frame(frame) {
                Ok(command) => command.apply(&self.db),
                Err(msg) => Frame::Error(msg),
            };
            self.connection.write_frame(&response).await?;
        }
    }
}
