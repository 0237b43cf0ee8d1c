//! Runs shell commands, at most K at a time, and prints each one's result
//! as it completes (not in the order given). A `Semaphore` bounds how many
//! run at once, a `TaskGroup` holds one task per command, and each task
//! reads its command's output with `communicate`. Ctrl-C cancels the rest
//! cleanly: the group cancels every task, and each running command is
//! killed with everything it started (each runs in its own process group,
//! killed when its task is cancelled; the dropped `Process` reaps the
//! shell), and the program exits as `asyncio.run` does after a
//! `KeyboardInterrupt`.
//!
//! ```text
//! cargo run --example parallel_run -- -j 2 'sleep 1; echo one' 'echo two' 'false'
//! ```

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use asyncio::subprocess::{DEVNULL, PIPE, STDOUT};
use asyncio::{Error, Result, Semaphore, TaskGroup};
use examples::say;

#[asyncio::entry]
fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut jobs = 4;
    if args.first().is_some_and(|a| a == "-j") && args.len() >= 2 {
        jobs = args[1]
            .parse()
            .ok()
            .filter(|&j: &usize| j > 0)
            .ok_or_else(|| Error::Value(format!("-j {}: not a positive number", args[1]).into()))?;
        args.drain(..2);
    }
    if args.is_empty() {
        return Err(Error::Value("usage: parallel_run [-j K] CMD...".into()));
    }
    let limit = Semaphore::new(jobs as isize)?;
    let failed = Rc::new(Cell::new(0usize));
    let count = args.len();
    let failures = failed.clone();
    TaskGroup::new()
        .run(move |tg| run_all(tg, args, limit, failures))
        .await?;
    say(format!("all {count} done, {} failed", failed.get()));
    Ok(())
}

#[asyncio::coroutine]
fn run_all(
    tg: TaskGroup,
    commands: Vec<String>,
    limit: Semaphore,
    failed: Rc<Cell<usize>>,
) -> Result<()> {
    for (i, command) in commands.into_iter().enumerate() {
        drop(tg.create_task(run_one(i, command, limit.clone(), failed.clone()))?);
    }
    Ok(())
}

/// Runs command `i` once a slot is free, then prints its status and
/// output.
#[asyncio::coroutine]
fn run_one(i: usize, command: String, limit: Semaphore, failed: Rc<Cell<usize>>) -> Result<()> {
    let _slot = limit.acquire().await?;
    let started = Instant::now();
    let process = asyncio::create_subprocess_shell(&command)
        .stdin(DEVNULL)
        .stdout(PIPE)
        .stderr(STDOUT)
        .process_group(0)
        .await?;
    say(format!("[{i}] started pid {}: {command}", process.pid()));
    let mut group = KillGroupUnlessDone(process.pid() as i32, false);
    let (output, _) = process.communicate(None).await?;
    group.1 = true;
    let code = process.returncode().unwrap_or(-1);
    if code != 0 {
        failed.set(failed.get() + 1);
    }
    let output = String::from_utf8_lossy(&output);
    say(format!(
        "[{i}] exit {code} after {:.2} s: {}",
        started.elapsed().as_secs_f64(),
        output.trim_end().replace('\n', "\n    ")
    ));
    Ok(())
}

/// Kills the process group `.0` when dropped before `.1` is set (the
/// task was cancelled): the shell and whatever it started. Dropped before
/// the `Process`, so the group's leader is not reaped yet and the group id
/// is still this command's.
struct KillGroupUnlessDone(i32, bool);

impl Drop for KillGroupUnlessDone {
    fn drop(&mut self) {
        if !self.1 {
            // SAFETY: `killpg` takes integers; the group is the command's
            // (its leader, our child, is not reaped yet).
            unsafe { libc::killpg(self.0, libc::SIGKILL) };
        }
    }
}
