//! Subprocesses against `tokio::process` (`current_thread`), in the same
//! run: spawning and waiting for 1,000 `true` processes, K at a time (a
//! `Semaphore` on both sides), and 64 MiB through `cat` with
//! `communicate` (tokio: a task writing stdin while `wait_with_output`
//! reads stdout). The ratio is ours / tokio in time: below 1 is faster.
//!
//! ```text
//! cargo bench -p asyncio --bench subprocess
//! ```

mod common;

use std::rc::Rc;

use asyncio::subprocess::{DEVNULL, NO_ARGS, PIPE};

/// Processes spawned per round of the first case.
const PROCESSES: usize = 1_000;
/// How many run at once.
const AT_ONCE: [usize; 2] = [10, 100];
/// Bytes through `cat`.
const CAT_BYTES: usize = 64 << 20;
/// Rounds per side (spawning 1,000 processes is slow enough).
const REPS: usize = 3;

#[asyncio::coroutine]
fn run_true(limit: asyncio::Semaphore) -> asyncio::Result<i32> {
    let _slot = limit.acquire().await?;
    let process = asyncio::create_subprocess_exec("true", NO_ARGS)
        .stdin(DEVNULL)
        .await?;
    process.wait().await
}

#[asyncio::coroutine]
fn spawn_many(at_once: usize) -> asyncio::Result<()> {
    let limit = asyncio::Semaphore::new(at_once as isize)?;
    let runs: Vec<_> = (0..PROCESSES).map(|_| run_true(limit.clone())).collect();
    let codes = asyncio::gather(runs).await?;
    assert!(codes.iter().all(|&c| c == 0));
    Ok(())
}

async fn tokio_spawn_many(at_once: usize) {
    let limit = Rc::new(tokio::sync::Semaphore::new(at_once));
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let mut tasks = Vec::with_capacity(PROCESSES);
            for _ in 0..PROCESSES {
                let limit = limit.clone();
                tasks.push(tokio::task::spawn_local(async move {
                    let _slot = limit.acquire().await.expect("semaphore");
                    tokio::process::Command::new("true")
                        .stdin(std::process::Stdio::null())
                        .status()
                        .await
                        .expect("true")
                }));
            }
            for task in tasks {
                assert!(task.await.expect("task").success());
            }
        })
        .await;
}

#[asyncio::coroutine]
fn cat(data: Rc<Vec<u8>>) -> asyncio::Result<()> {
    let process = asyncio::create_subprocess_exec("cat", NO_ARGS)
        .stdin(PIPE)
        .stdout(PIPE)
        .await?;
    let (out, _) = process.communicate(Some(&data)).await?;
    assert_eq!(out.len(), data.len());
    Ok(())
}

async fn tokio_cat(data: Rc<Vec<u8>>) {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new("cat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cat");
    let mut stdin = child.stdin.take().expect("stdin");
    let local = tokio::task::LocalSet::new();
    let output = local
        .run_until(async move {
            let feed = tokio::task::spawn_local(async move {
                stdin.write_all(&data).await.expect("write");
                drop(stdin);
            });
            let output = child.wait_with_output().await.expect("output");
            feed.await.expect("feed");
            output
        })
        .await;
    assert_eq!(output.stdout.len(), CAT_BYTES);
}

fn main() {
    common::print_header();
    for at_once in AT_ONCE {
        common::compare_times(
            &format!("spawn+wait {PROCESSES} `true`, {at_once} at a time"),
            1.0,
            REPS,
            || common::time_ours(spawn_many(at_once)),
            || common::time_tokio(tokio_spawn_many(at_once)),
        );
    }
    let data = Rc::new(vec![b'x'; CAT_BYTES]);
    common::compare_times(
        "64 MiB through `cat` (communicate)",
        1.0,
        REPS,
        || common::time_ours(cat(data.clone())),
        || common::time_tokio(tokio_cat(data.clone())),
    );
}
