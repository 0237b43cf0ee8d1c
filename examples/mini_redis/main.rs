//! A Redis server in the shape of tokio's mini-redis
//! (<https://github.com/tokio-rs/mini-redis>): `frame` (RESP), `connection`
//! (`Connection::read_frame`/`write_frame`), `cmd` (the commands), `db`
//! (the key space and its expiry task), `server` (`Listener` with accept
//! backoff and a connection limit, `Handler` per connection, graceful
//! shutdown). Commands: PING, ECHO, GET, SET (EX/PX), DEL, INCR, EXPIRE,
//! TTL; pipelined requests; inline commands (`PING` typed into `nc`). A
//! request that is not valid RESP, or a bad command, gets an error and
//! the connection goes on.
//!
//! The first argument is the address to listen on (`127.0.0.1:0` picks a
//! free port); the first line printed is the address bound. Ctrl-C or
//! `SIGTERM` sets the shutdown event: the server stops accepting, closes
//! every connection, prints `shut down` and exits with status 0.
//!
//! ```text
//! cargo run --release --example mini_redis -- 127.0.0.1:6379
//! redis-cli -p 6379 SET greeting hello EX 60
//! redis-benchmark -p 6379 -t ping,set,get -n 100000 -c 50 -P 16 -q
//! ```

mod cmd;
mod connection;
mod db;
mod frame;
mod server;

use std::io::Write;
use std::net::SocketAddr;

use asyncio::{Error, Event, Result, Socket};

#[asyncio::entry]
fn main() -> Result<()> {
    let arg = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:6379".to_string());
    let addr: SocketAddr = arg
        .parse()
        .map_err(|err| Error::Value(format!("{arg}: {err}").into()))?;
    let listener = std::net::TcpListener::bind(addr)?;
    println!("{}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let shutdown = Event::new();
    let lp = asyncio::get_running_loop()?;
    for sig in [asyncio::signal::SIGINT, asyncio::signal::SIGTERM] {
        let shutdown = shutdown.clone();
        lp.add_signal_handler(sig, move || shutdown.set())?;
    }
    server::run(Socket::from_tcp_listener(listener)?, shutdown).await?;
    println!("shut down");
    Ok(())
}
