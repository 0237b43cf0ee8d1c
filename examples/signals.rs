//! A service that handles signals the Unix way: `SIGHUP` reloads its
//! configuration (a file named by the first argument), `SIGTERM` (or
//! Ctrl-C's `SIGINT` as well, through the handler here) shuts it down
//! gracefully: the worker finishes its current step and the program exits
//! with status 0. The handlers are `add_signal_handler` callbacks, which
//! run as ordinary loop callbacks and only put an event on a queue; the
//! main task does the work.
//!
//! ```text
//! echo 'greeting=hello' > /tmp/service.conf
//! cargo run --example signals -- /tmp/service.conf &
//! kill -HUP %1    # reloaded: greeting=hello ...
//! kill -TERM %1   # shutting down ... stopped
//! ```

use std::time::Duration;

use asyncio::{Error, Queue, Result, signal};
use examples::say;

/// What a signal asks of the service.
#[derive(Clone, Copy, Debug)]
enum Request {
    Reload,
    Stop,
}

#[asyncio::entry]
fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| Error::Value("usage: signals CONFIG_FILE".into()))?;
    let lp = asyncio::get_running_loop()?;
    let requests: Queue<Request> = Queue::new();
    for (sig, request) in [
        (signal::SIGHUP, Request::Reload),
        (signal::SIGTERM, Request::Stop),
        (signal::SIGINT, Request::Stop),
    ] {
        let queue = requests.clone();
        lp.add_signal_handler(sig, move || {
            // Unbounded: never full.
            let _ = queue.put_nowait(request);
        })?;
    }
    let mut config = load(&path)?;
    say(format!("ready (pid {}): {config}", std::process::id()));
    let worker = asyncio::create_task(work());
    loop {
        match requests.get().await? {
            Request::Reload => match load(&path) {
                Ok(new) => {
                    config = new;
                    say(format!("reloaded: {config}"));
                }
                Err(err) => say(format!(
                    "reload failed, keeping the old configuration: {err}"
                )),
            },
            Request::Stop => break,
        }
    }
    say("shutting down");
    worker.cancel();
    let _ = worker.await;
    for sig in [signal::SIGHUP, signal::SIGTERM, signal::SIGINT] {
        lp.remove_signal_handler(sig)?;
    }
    say("stopped");
    Ok(())
}

/// The configuration: the file's lines, joined.
fn load(path: &str) -> Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.lines().collect::<Vec<_>>().join(", "))
}

/// The service's work: a tick every second, until cancelled.
#[asyncio::coroutine]
fn work() -> Result<()> {
    let mut ticks = 0u64;
    loop {
        asyncio::sleep(Duration::from_secs(1)).await?;
        ticks += 1;
        if ticks % 60 == 0 {
            say(format!("alive for {ticks} s"));
        }
    }
}
