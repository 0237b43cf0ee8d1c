//! Runnable programs for `asyncio`: see the `*.rs` files beside this crate.
//!
//! The few helpers the server examples share: the address to listen on
//! (their first argument) and the line that announces the bound address.

use std::io::Write;

/// `arg` (`HOST:PORT`, the first argument), else `default`, split
/// into host and port. `127.0.0.1:0` picks a free port; an IPv6 host is
/// written in brackets (`[::1]:8888`).
///
/// # Errors
///
/// A message for an argument that is not `HOST:PORT`.
pub fn address_arg(arg: Option<String>, default: &str) -> Result<(String, u16), String> {
    let arg = arg.unwrap_or_else(|| default.to_owned());
    let (host, port) = arg
        .rsplit_once(':')
        .ok_or_else(|| format!("expected HOST:PORT, got {arg:?}"))?;
    let port = port
        .parse()
        .map_err(|_| format!("expected HOST:PORT, got {arg:?} (bad port)"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_owned(), port))
}

/// Prints `line` on standard output and flushes it at once (a pipe is
/// block-buffered otherwise): scripts and tests wait for it.
pub fn say(line: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Prints the address `server` listens on (its first socket's) as a line
/// of standard output: the first line, which tests read to find the port.
///
/// # Errors
///
/// As [`asyncio::Socket::local_addr`].
pub fn announce(server: &asyncio::Server) -> asyncio::Result<()> {
    if let Some(socket) = server.sockets().first() {
        say(socket.local_addr()?);
    }
    Ok(())
}
