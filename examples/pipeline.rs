//! A shell pipeline without the shell: each argument is a command, and
//! the output of one is fed into the next, as `a | b | c` would, with
//! every stage running at once. Between two stages a small task copies
//! the first one's stdout to the next one's stdin, with `drain` keeping
//! memory bounded (the pipes never hold more than the water marks); the
//! last stage is read with `communicate`. The first stage reads this
//! program's stdin. Prints the output, then each stage's exit status
//! (bash's `PIPESTATUS`) on stderr; exits with the last stage's status.
//!
//! ```text
//! cargo run --example pipeline -- 'seq 1 100000' 'grep 7' 'wc -l'
//! ```

use std::io::Write;

use asyncio::subprocess::PIPE;
use asyncio::{Error, Process, Result, StreamReader, StreamWriter, SubprocessTransport};

#[asyncio::entry]
fn main() -> Result<()> {
    let stages: Vec<String> = std::env::args().skip(1).collect();
    if stages.is_empty() {
        return Err(Error::Value("usage: pipeline CMD [CMD...]".into()));
    }
    let mut processes: Vec<Process> = Vec::new();
    for (i, stage) in stages.iter().enumerate() {
        let mut command = asyncio::create_subprocess_shell(stage).stdout(PIPE);
        if i > 0 {
            command = command.stdin(PIPE);
        }
        processes.push(command.await?);
    }
    let mut last = processes.pop().expect("at least one stage");
    // Fed by the copy before it, not by `communicate` (which would close
    // it at once).
    let last_stdin = last.stdin.take();
    let mut copies = Vec::new();
    for (i, process) in processes.iter().enumerate() {
        let from = process.stdout.clone().expect("stdout is a pipe");
        let next = if i + 1 < processes.len() {
            &processes[i + 1]
        } else {
            &last
        };
        let to = match &next.stdin {
            Some(stdin) => stdin.clone(),
            None => last_stdin.clone().expect("stdin is a pipe"),
        };
        let upstream = process.transport().clone();
        copies.push(asyncio::create_task(copy(from, to, upstream)));
    }
    let (out, _) = last.communicate(None).await?;
    for copied in copies {
        copied.await?;
    }
    std::io::stdout().write_all(&out)?;
    let mut statuses = Vec::new();
    for process in &processes {
        statuses.push(process.wait().await?);
    }
    let code = last.wait().await?;
    statuses.push(code);
    eprintln!("PIPESTATUS: {statuses:?}");
    std::process::exit(code.clamp(0, 255));
}

/// Copies `from` to `to` until EOF, then closes `to` (the next stage
/// sees EOF). A next stage that exits early (`head`) is a broken pipe:
/// the copy stops and closes `upstream`'s stdout, so that the stage
/// before gets `SIGPIPE` at its next write, as in a shell.
#[asyncio::coroutine]
fn copy(from: StreamReader, to: StreamWriter, upstream: SubprocessTransport) -> Result<()> {
    loop {
        let chunk = from.read(64 * 1024).await?;
        if chunk.is_empty() {
            break;
        }
        to.write(&chunk)?;
        if to.drain().await.is_err() {
            if let Some(stdout) = upstream.get_pipe_transport(1) {
                stdout.close();
            }
            break;
        }
    }
    to.close();
    Ok(())
}
