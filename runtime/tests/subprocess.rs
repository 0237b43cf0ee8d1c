//! Subprocesses: `create_subprocess_exec`/`_shell`, `Process` (pipes,
//! `communicate`, `wait`, signals), the low-level `subprocess_exec` with a
//! `SubprocessProtocol`, and the pitfalls of IO_DESIGN §3 (pipes left
//! blocking or inheritable, zombies, a grandchild holding a pipe).

mod support;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use asyncio::subprocess::{DEVNULL, NO_ARGS, PIPE, STDOUT};
use asyncio::{
    Error, Process, Semaphore, SubprocessProtocol, SubprocessTransport, create_subprocess_exec,
    create_subprocess_shell, signal,
};
use support::children::children;

/// Whether `pid` is no child of ours any more (reaped: no `/proc` entry,
/// or the pid now belongs to someone else's process).
fn reaped(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true;
    };
    // After the command's `(name)`: state, then the parent's pid.
    let ppid = stat
        .rsplit(')')
        .next()
        .and_then(|rest| rest.split_whitespace().nth(1));
    ppid != Some(std::process::id().to_string().as_str())
}

/// Waits (bounded: 10 s) until `pid` has been reaped, running the loop
/// meanwhile: an orphan is reaped by the loop at the child's exit, which
/// comes some time after `SIGKILL`.
#[asyncio::coroutine]
fn until_reaped(pid: u32) -> asyncio::Result<bool> {
    for _ in 0..10_000 {
        if reaped(pid) {
            return Ok(true);
        }
        asyncio::sleep(Duration::from_millis(1)).await?;
    }
    Ok(false)
}

/// CASES C56: with `cat`, write + drain + close stdin, then read stdout;
/// `communicate(input)` gives the same; `communicate(None)` closes stdin.
#[asyncio::test]
fn c56_stdin_stdout_and_communicate() -> asyncio::Result<()> {
    let process = create_subprocess_exec("cat", NO_ARGS)
        .stdin(PIPE)
        .stdout(PIPE)
        .await?;
    let stdin = process.stdin.clone().unwrap();
    stdin.write(b"some data")?;
    stdin.drain().await?;
    stdin.close();
    let out = process.stdout.as_ref().unwrap().read_to_end().await?;
    assert_eq!(out, b"some data");
    assert_eq!(process.wait().await?, 0);

    let process = create_subprocess_exec("cat", NO_ARGS)
        .stdin(PIPE)
        .stdout(PIPE)
        .await?;
    let (out, err) = process.communicate(Some(b"some data")).await?;
    assert_eq!(
        (out.as_slice(), err.as_slice()),
        (&b"some data"[..], &b""[..])
    );
    assert_eq!(process.returncode(), Some(0));

    let process = create_subprocess_exec("cat", NO_ARGS)
        .stdin(PIPE)
        .stdout(PIPE)
        .await?;
    let (out, _) = process.communicate(None).await?;
    assert!(out.is_empty());
    assert_eq!(process.returncode(), Some(0));
    Ok(())
}

/// CASES C56: ten concurrent `wait()`s all give the exit code; ten
/// processes gathered give their outputs in order.
#[asyncio::test]
fn c56_concurrent_waits_and_gathered_processes() -> asyncio::Result<()> {
    let process = create_subprocess_shell("exit 7").await?;
    let waits: Vec<_> = (0..10).map(|_| process.wait()).collect();
    assert_eq!(asyncio::gather(waits).await?, vec![7; 10]);

    #[asyncio::coroutine]
    fn echo(i: usize) -> asyncio::Result<Vec<u8>> {
        let process = create_subprocess_exec("echo", [i.to_string()])
            .stdout(PIPE)
            .await?;
        Ok(process.communicate(None).await?.0)
    }
    let outputs = asyncio::gather((0..10).map(echo).collect::<Vec<_>>()).await?;
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out, format!("{i}\n").as_bytes());
    }
    Ok(())
}

/// CASES C58: cancelling `wait()` leaves the child running; a later
/// `kill()` + `wait()` gives `-SIGKILL`; signalling a reaped child is
/// `NotFound` (asyncio's `ProcessLookupError`), never a stray signal.
#[asyncio::test]
fn c58_cancelled_wait_does_not_kill() -> asyncio::Result<()> {
    let process = create_subprocess_exec("sleep", ["30"]).await?;
    let waiting = asyncio::create_task(process.wait());
    asyncio::sleep(0.0).await?;
    waiting.cancel();
    assert!(matches!(waiting.await, Err(Error::Cancelled(_))));
    assert_eq!(process.returncode(), None);
    assert!(!reaped(process.pid()));
    process.kill()?;
    assert_eq!(process.wait().await?, -signal::SIGKILL);
    let again = process.send_signal(signal::SIGTERM);
    assert!(
        matches!(&again, Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound),
        "{again:?}"
    );
    assert!(process.terminate().is_err() && process.kill().is_err());
    Ok(())
}

/// A protocol recording every event, in order.
#[derive(Default)]
struct Events {
    log: Rc<RefCell<Vec<String>>>,
    done: Option<asyncio::Event>,
}

impl SubprocessProtocol for Events {
    fn connection_made(&mut self, transport: &SubprocessTransport) {
        self.log
            .borrow_mut()
            .push(format!("made {}", transport.get_pid() > 0));
    }
    fn pipe_data_received(&mut self, fd: i32, data: &[u8]) {
        self.log
            .borrow_mut()
            .push(format!("data {fd} {}", String::from_utf8_lossy(data)));
    }
    fn pipe_connection_lost(&mut self, fd: i32, exc: Option<Error>) {
        self.log
            .borrow_mut()
            .push(format!("pipe lost {fd} {}", exc.is_none()));
    }
    fn process_exited(&mut self) {
        self.log.borrow_mut().push("exited".into());
    }
    fn connection_lost(&mut self, exc: Option<Error>) {
        self.log
            .borrow_mut()
            .push(format!("lost {}", exc.is_none()));
        if let Some(done) = &self.done {
            done.set();
        }
    }
}

/// CASES C58: for each pipe, data comes before its connection lost;
/// `process_exited` once; `connection_lost` last, once.
#[asyncio::test]
fn c58_protocol_events_in_order() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let log = Rc::new(RefCell::new(Vec::new()));
    let done = asyncio::Event::new();
    let (l, d) = (log.clone(), done.clone());
    let command = create_subprocess_shell("read line; echo out:$line; echo err >&2")
        .stdin(PIPE)
        .stdout(PIPE)
        .stderr(PIPE);
    let (transport, _) = lp
        .subprocess_exec(
            move || Events {
                log: l,
                done: Some(d),
            },
            &command,
        )
        .await?;
    let stdin = transport.get_pipe_transport(0).unwrap();
    stdin.write(b"hi\n")?;
    stdin.close();
    done.wait().await?;
    let log = log.borrow().clone();
    assert_eq!(log.first().map(String::as_str), Some("made true"));
    assert_eq!(log.last().map(String::as_str), Some("lost true"));
    let at = |s: &str| {
        log.iter()
            .position(|e| e == s)
            .unwrap_or_else(|| panic!("{s} in {log:?}"))
    };
    assert!(at("data 1 out:hi\n") < at("pipe lost 1 true"));
    assert!(at("data 2 err\n") < at("pipe lost 2 true"));
    at("pipe lost 0 true");
    assert_eq!(log.iter().filter(|e| *e == "exited").count(), 1);
    assert_eq!(transport.get_returncode(), Some(0));
    Ok(())
}

#[derive(Default)]
struct Quiet;
impl SubprocessProtocol for Quiet {}

/// CASES C58: `close()` kills a child still running, not one that has
/// exited.
#[asyncio::test]
fn c58_close_kills_a_running_child_only() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let (running, _) = lp
        .subprocess_exec(Quiet::default, &create_subprocess_exec("sleep", ["30"]))
        .await?;
    running.close();
    assert!(running.is_closing());
    let pid = running.get_pid();
    assert!(until_reaped(pid).await?);
    assert_eq!(running.get_returncode(), Some(-signal::SIGKILL));

    let process = create_subprocess_shell("exit 0").await?;
    process.wait().await?;
    process.transport().close();
    assert_eq!(process.returncode(), Some(0));
    Ok(())
}

/// Pitfall 8: our pipe ends are non-blocking and close-on-exec, and a
/// later child does not inherit them.
#[asyncio::test]
fn pipe_ends_are_nonblocking_and_not_inherited() -> asyncio::Result<()> {
    let lp = asyncio::get_running_loop()?;
    let command = create_subprocess_exec("sleep", ["30"])
        .stdin(PIPE)
        .stdout(PIPE)
        .stderr(PIPE);
    let (transport, _) = lp.subprocess_exec(Quiet::default, &command).await?;
    let mut ours = Vec::new();
    for fd in 0..3 {
        let pipe = transport.get_pipe_transport(fd).unwrap();
        let raw = pipe.socket().fd();
        // SAFETY: queries the flags of a descriptor we own.
        let (fl, fd_flags) = unsafe {
            (
                libc::fcntl(raw, libc::F_GETFL),
                libc::fcntl(raw, libc::F_GETFD),
            )
        };
        assert_ne!(fl & libc::O_NONBLOCK, 0, "fd {fd} blocking");
        assert_ne!(fd_flags & libc::FD_CLOEXEC, 0, "fd {fd} inheritable");
        ours.push(raw.to_string());
    }
    let probe = create_subprocess_exec("ls", ["/proc/self/fd"])
        .stdout(PIPE)
        .await?;
    let (listing, _) = probe.communicate(None).await?;
    let fds: Vec<&str> = std::str::from_utf8(&listing)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(fds.contains(&"0") && fds.contains(&"1"), "{fds:?}");
    for fd in &ours {
        assert!(
            !fds.contains(&fd.as_str()),
            "the child inherited {fd}: {fds:?}"
        );
    }
    transport.close();
    Ok(())
}

/// Pitfall 8: a child that closes its stdin late (reads nothing for a
/// while, then exits) does not hang `communicate`.
#[asyncio::test]
fn communicate_with_a_child_ignoring_stdin() -> asyncio::Result<()> {
    let process = create_subprocess_shell("exec 0<&-; echo closed")
        .stdin(PIPE)
        .stdout(PIPE)
        .await?;
    // 1 MiB into a pipe nobody reads: a broken pipe, ignored.
    let (out, _) = process.communicate(Some(&vec![b'x'; 1 << 20])).await?;
    assert_eq!(out, b"closed\n");
    assert_eq!(process.returncode(), Some(0));
    Ok(())
}

/// Pitfall 9: a `Process` dropped while running and a cancelled creation
/// leave no zombie: the child is killed and reaped by the loop.
#[asyncio::test]
fn no_zombies_after_drop_or_cancelled_creation() -> asyncio::Result<()> {
    let process = create_subprocess_exec("sleep", ["30"]).stdout(PIPE).await?;
    let pid = process.pid();
    drop(process);
    assert!(until_reaped(pid).await?, "zombie {pid} after drop");

    // A pipe handle kept alive keeps the child.
    let process = create_subprocess_exec("sleep", ["30"]).stdout(PIPE).await?;
    let pid = process.pid();
    let stdout = process.stdout.clone().unwrap();
    drop(process);
    asyncio::sleep(0.01).await?;
    assert!(!reaped(pid), "the child died while its stdout was held");
    drop(stdout);
    assert!(until_reaped(pid).await?, "zombie {pid} after the pipe went");

    // Cancelled while the pipes connect: the spawned child is killed.
    let before: HashSet<u32> = children();
    let creating =
        asyncio::create_task(create_subprocess_exec("sleep", ["30"]).stdout(PIPE).spawn());
    // One iteration: the child is spawned, the pipes not yet connected.
    asyncio::sleep(0.0).await?;
    creating.cancel();
    assert!(creating.await.is_err());
    let spawned: Vec<u32> = children().difference(&before).copied().collect();
    assert!(!spawned.is_empty());
    for pid in spawned {
        assert!(
            until_reaped(pid).await?,
            "zombie {pid} after a cancelled creation"
        );
    }
    Ok(())
}

/// Pitfall 10: `wait()` returns at the exit even while a grandchild holds
/// the stdout pipe (`sh -c 'sleep 30 & exit 3'`).
#[asyncio::test]
fn wait_returns_while_a_grandchild_holds_the_pipe() -> asyncio::Result<()> {
    let process = create_subprocess_shell("sleep 30 & echo $!; exit 3")
        .stdout(PIPE)
        .await?;
    let code = asyncio::wait_for(process.wait(), 10.0).await?;
    assert_eq!(code, 3);
    let line = process.stdout.as_ref().unwrap().readline().await?;
    let grandchild: i32 = std::str::from_utf8(&line).unwrap().trim().parse().unwrap();
    // SAFETY: `kill` takes integers; the grandchild is the shell's (now
    // init's) sleep, which this test started.
    unsafe { libc::kill(grandchild, libc::SIGKILL) };
    Ok(())
}

/// IO_DESIGN §3: 4 MiB in, 4 MiB out and 3 MiB on stderr through
/// `communicate`, byte-exact, with no deadlock.
#[asyncio::test]
fn communicate_moves_megabytes_both_ways() -> asyncio::Result<()> {
    let input: Vec<u8> = (0..4 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let process = create_subprocess_shell("head -c 3145728 /dev/zero >&2 & cat; wait")
        .stdin(PIPE)
        .stdout(PIPE)
        .stderr(PIPE)
        .await?;
    let (out, err) = process.communicate(Some(&input)).await?;
    assert!(out == input, "stdout differs ({} bytes)", out.len());
    assert_eq!(err.len(), 3 << 20);
    assert!(err.iter().all(|&b| b == 0));
    assert_eq!(process.returncode(), Some(0));
    Ok(())
}

/// 200 children, at most 20 at a time, each with its own output.
#[asyncio::test]
fn two_hundred_children_under_a_semaphore() -> asyncio::Result<()> {
    #[asyncio::coroutine]
    fn run_one(
        limit: Semaphore,
        running: Rc<Cell<usize>>,
        peak: Rc<Cell<usize>>,
        i: usize,
    ) -> asyncio::Result<Vec<u8>> {
        let _permit = limit.acquire().await?;
        running.set(running.get() + 1);
        peak.set(peak.get().max(running.get()));
        let process = create_subprocess_exec("echo", [i.to_string()])
            .stdout(PIPE)
            .stdin(DEVNULL)
            .await?;
        let (out, _) = process.communicate(None).await?;
        running.set(running.get() - 1);
        Ok(out)
    }
    let limit = Semaphore::new(20)?;
    let (running, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let runs: Vec<_> = (0..200)
        .map(|i| run_one(limit.clone(), running.clone(), peak.clone(), i))
        .collect();
    let outputs = asyncio::gather(runs).await?;
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out, format!("{i}\n").as_bytes());
    }
    assert!(peak.get() <= 20);
    assert!(children().is_empty(), "{:?}", children());
    Ok(())
}

/// `stderr(STDOUT)` interleaves both into one pipe; `env`, `env_clear`
/// and `cwd` reach the child; `start_new_session` makes it a session
/// leader.
#[asyncio::test]
fn command_options_reach_the_child() -> asyncio::Result<()> {
    let process = create_subprocess_shell("echo out; echo err >&2")
        .stdout(PIPE)
        .stderr(STDOUT)
        .await?;
    assert_eq!(process.communicate(None).await?.0, b"out\nerr\n");

    let dir = std::env::temp_dir();
    let process = create_subprocess_exec("/bin/sh", ["-c", "echo $A-$HOME; pwd"])
        .env_clear()
        .env("A", "a")
        .cwd(&dir)
        .stdout(PIPE)
        .await?;
    let out = String::from_utf8(process.communicate(None).await?.0).unwrap();
    let canonical = dir.canonicalize().unwrap();
    assert_eq!(out, format!("a-\n{}\n", canonical.display()));

    let process = create_subprocess_exec(
        "sh",
        ["-c", "ps -o sid= -p $$ 2>/dev/null || cat /proc/$$/stat"],
    )
    .start_new_session(true)
    .stdout(PIPE)
    .await?;
    let pid = process.pid();
    let out = String::from_utf8(process.communicate(None).await?.0).unwrap();
    let sid = out
        .split_whitespace()
        .nth(if out.contains(')') { 5 } else { 0 })
        .unwrap_or("");
    assert_eq!(sid, pid.to_string(), "{out}");
    Ok(())
}

/// Cancelling a conversation with `cat` at each of its awaits in turn
/// loses no byte (what was written is read back by a new reader call)
/// and leaves no zombie.
#[asyncio::test]
fn cancellation_at_every_await_of_a_conversation() -> asyncio::Result<()> {
    #[asyncio::coroutine]
    fn converse(process: Rc<Process>, rounds: usize) -> asyncio::Result<()> {
        let stdin = process.stdin.clone().unwrap();
        let stdout = process.stdout.clone().unwrap();
        for i in 0..rounds {
            stdin.write(format!("line {i}\n").as_bytes())?;
            stdin.drain().await?;
            let line = stdout.readline().await?;
            assert_eq!(line, format!("line {i}\n").as_bytes());
        }
        Ok(())
    }
    for steps in 0..12 {
        let process = Rc::new(
            create_subprocess_exec("cat", NO_ARGS)
                .stdin(PIPE)
                .stdout(PIPE)
                .await?,
        );
        let task = asyncio::create_task(converse(process.clone(), 5));
        for _ in 0..steps {
            asyncio::sleep(0.0).await?;
        }
        task.cancel();
        let outcome = task.await;
        // Finish the conversation by hand: every line written comes back.
        let stdin = process.stdin.clone().unwrap();
        stdin.write_eof();
        let rest = process.stdout.as_ref().unwrap().read_to_end().await?;
        let rest = String::from_utf8(rest).unwrap();
        if outcome.is_ok() {
            assert!(rest.is_empty());
        }
        assert!(rest.lines().all(|l| l.starts_with("line ")), "{rest:?}");
        assert_eq!(process.wait().await?, 0);
        let pid = process.pid();
        drop(process);
        assert!(until_reaped(pid).await?);
    }
    Ok(())
}

/// A file as stdin and stdout (`Stdio::from(File)`, asyncio's file
/// objects), and `DEVNULL` for stderr.
#[asyncio::test]
fn files_as_stdin_and_stdout() -> asyncio::Result<()> {
    let dir = std::env::temp_dir().join(format!("asyncio-subprocess-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (input, output) = (dir.join("in"), dir.join("out"));
    std::fs::write(&input, b"from a file\n")?;
    let process = create_subprocess_shell("tr a-z A-Z; echo noise >&2")
        .stdin(std::fs::File::open(&input)?)
        .stdout(std::fs::File::create(&output)?)
        .stderr(DEVNULL)
        .await?;
    assert!(process.stdout.is_none() && process.stdin.is_none());
    assert_eq!(process.wait().await?, 0);
    assert_eq!(std::fs::read(&output)?, b"FROM A FILE\n");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
