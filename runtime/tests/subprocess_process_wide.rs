//! Subprocess behaviour that depends on process-wide state (the
//! descriptor table, SIGCHLD's disposition, the environment): one test
//! running its cases in turn, alone in this binary.

mod support;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use asyncio::subprocess::{NO_ARGS, PIPE, STDOUT};
use asyncio::{Error, EventLoop, create_subprocess_exec, create_subprocess_shell, signal};
use support::children::children;

/// The descriptors open in this process.
fn open_fds() -> HashSet<i32> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

#[test]
fn process_wide_cases() -> asyncio::Result<()> {
    asyncio::run(spawn_failures_are_errors_and_leak_nothing())?;
    asyncio::run(a_descriptor_that_cannot_be_duplicated_is_an_error())?;
    stolen_exit_status_gives_255_and_a_warning()?;
    process_dropped_after_its_loop_closed()?;
    thread_watcher_fallback()?;
    Ok(())
}

/// A spawn that fails (missing program, missing directory, STDOUT for
/// stdout) is an error at once and leaks no descriptor.
#[asyncio::coroutine]
fn spawn_failures_are_errors_and_leak_nothing() -> asyncio::Result<()> {
    // Warm up whatever the loop opens on first use.
    create_subprocess_shell("true").await?.wait().await?;
    let before = open_fds();
    let missing = create_subprocess_exec("/nonexistent/program", NO_ARGS)
        .stdin(PIPE)
        .stdout(PIPE)
        .stderr(PIPE)
        .await;
    assert!(
        matches!(&missing, Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound),
        "{missing:?}"
    );
    let bad_cwd = create_subprocess_exec("true", NO_ARGS)
        .cwd("/nonexistent/dir")
        .stdout(PIPE)
        .await;
    assert!(matches!(bad_cwd, Err(Error::Io(_))), "{bad_cwd:?}");
    let bad_stdio = create_subprocess_exec("true", NO_ARGS).stdout(STDOUT).await;
    assert!(matches!(bad_stdio, Err(Error::Value(_))), "{bad_stdio:?}");
    let bad_input = create_subprocess_exec("true", NO_ARGS).await?;
    assert!(matches!(
        bad_input.communicate(Some(b"x")).await,
        Err(Error::Value(_))
    ));
    bad_input.wait().await?;
    assert_eq!(open_fds(), before);
    Ok(())
}

/// A `Stdio::Fd` that cannot be duplicated for the child (the descriptor
/// table is full) fails the spawn with the system's error, rather than
/// connecting the child somewhere else; the command works again once
/// there is room.
#[asyncio::coroutine]
fn a_descriptor_that_cannot_be_duplicated_is_an_error() -> asyncio::Result<()> {
    create_subprocess_shell("true").await?.wait().await?;
    let path = std::env::temp_dir().join(format!("asyncio-dup-{}", std::process::id()));
    let command = create_subprocess_exec("echo", ["written"]).stdout(
        asyncio::subprocess::Stdio::Fd(std::fs::File::create(&path)?.into()),
    );
    let full = FullDescriptorTable::fill()?;
    let by_spawn = command.spawn().await;
    let by_exec = asyncio::get_running_loop()?
        .subprocess_exec(|| Quiet, &command)
        .await;
    drop(full);
    for result in [by_spawn.map(drop), by_exec.map(drop)] {
        assert!(
            matches!(&result, Err(Error::Io(e)) if e.raw_os_error() == Some(libc::EMFILE)),
            "{result:?}"
        );
    }
    let again = command.spawn().await?;
    assert_eq!(again.wait().await?, 0);
    assert_eq!(std::fs::read(&path)?, b"written\n");
    std::fs::remove_file(&path)?;
    Ok(())
}

struct Quiet;
impl asyncio::SubprocessProtocol for Quiet {}

/// Every free descriptor taken, under a lowered soft limit; both given
/// back on drop.
struct FullDescriptorTable {
    limit: libc::rlimit,
    _fillers: Vec<std::fs::File>,
}

impl FullDescriptorTable {
    fn fill() -> std::io::Result<FullDescriptorTable> {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `limit` is a valid out-parameter.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let highest = open_fds().into_iter().max().unwrap_or(2) as libc::rlim_t;
        let lowered = libc::rlimit {
            rlim_cur: highest + 1,
            ..limit
        };
        // SAFETY: `lowered` is a valid rlimit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lowered) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut fillers = Vec::new();
        loop {
            match std::fs::File::open("/dev/null") {
                Ok(file) => fillers.push(file),
                Err(e) if e.raw_os_error() == Some(libc::EMFILE) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(FullDescriptorTable {
            limit,
            _fillers: fillers,
        })
    }
}

impl Drop for FullDescriptorTable {
    fn drop(&mut self) {
        // SAFETY: restores the limit read in `fill`.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &self.limit) };
    }
}

/// IO_DESIGN pitfall 10: with SIGCHLD ignored the kernel reaps children
/// itself; `wait()` then gives 255 and the loop's exception handler gets
/// a warning, rather than hanging.
fn stolen_exit_status_gives_255_and_a_warning() -> asyncio::Result<()> {
    // SAFETY: sets a disposition and gets the old one back; no other
    // thread of this binary spawns children now.
    let previous = unsafe { libc::signal(signal::SIGCHLD, libc::SIG_IGN) };
    let lp = EventLoop::new()?;
    let reports = Rc::new(RefCell::new(Vec::new()));
    let seen = reports.clone();
    lp.set_exception_handler(Some(
        move |_: &EventLoop, context: &asyncio::ExceptionContext| {
            seen.borrow_mut().push(context.message.clone());
        },
    ));
    #[asyncio::coroutine]
    fn exit_3() -> asyncio::Result<i32> {
        create_subprocess_shell("exit 3").await?.wait().await
    }
    let code = lp.run_until_complete(exit_3());
    lp.close()?;
    // SAFETY: as above, restoring.
    unsafe { libc::signal(signal::SIGCHLD, previous) };
    assert_eq!(code??, 255);
    let reports = reports.borrow();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].contains("will report returncode 255"),
        "{reports:?}"
    );
    Ok(())
}

/// IO_DESIGN pitfall 12 and "no zombies": a loop closed with a child
/// still running kills it and leaves it to the orphan list; dropping the
/// `Process` afterwards is harmless; the orphan is reaped at a later
/// spawn, by any loop.
fn process_dropped_after_its_loop_closed() -> asyncio::Result<()> {
    #[asyncio::coroutine]
    fn start() -> asyncio::Result<asyncio::Process> {
        create_subprocess_exec("sleep", ["30"]).stdout(PIPE).await
    }
    #[asyncio::coroutine]
    fn spawn_true() -> asyncio::Result<i32> {
        create_subprocess_exec("true", NO_ARGS).await?.wait().await
    }
    let lp = EventLoop::new()?;
    let process = lp.run_until_complete(start())??;
    let pid = process.pid();
    lp.close()?;
    assert_eq!(process.returncode(), None);
    // Closing the loop killed the child: wait for its death without
    // reaping it (that is the orphan list's job, checked below).
    // SAFETY: `siginfo_t` is plain data, valid all zero.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a valid out-parameter; WNOWAIT leaves the child
    // a zombie.
    let waited = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    assert_eq!(waited, 0, "{}", std::io::Error::last_os_error());
    assert_eq!(info.si_code, libc::CLD_KILLED);
    // SAFETY: for a CLD_KILLED report the status field holds the signal.
    assert_eq!(unsafe { info.si_status() }, signal::SIGKILL);
    drop(process);
    for _ in 0..1000 {
        asyncio::run(spawn_true())?;
        if !children().contains(&pid) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the orphan {pid} was never reaped");
}

/// Without pidfds (forced here with `ASYNCIO_CHILD_WATCHER=thread`), a
/// thread per child waits and the loop reaps: exit codes, signals,
/// `communicate`, and no zombie after a drop.
fn thread_watcher_fallback() -> asyncio::Result<()> {
    // SAFETY: this binary's only test runs alone; no other thread reads
    // the environment now.
    unsafe { std::env::set_var("ASYNCIO_CHILD_WATCHER", "thread") };
    #[asyncio::coroutine]
    fn cases() -> asyncio::Result<()> {
        let process = create_subprocess_shell("echo out; echo err >&2; exit 5")
            .stdout(PIPE)
            .stderr(STDOUT)
            .await?;
        assert_eq!(process.communicate(None).await?.0, b"out\nerr\n");
        assert_eq!(process.returncode(), Some(5));

        let process = create_subprocess_exec("sleep", ["30"]).await?;
        process.terminate()?;
        assert_eq!(process.wait().await?, -signal::SIGTERM);
        assert!(process.kill().is_err());

        let process = create_subprocess_exec("cat", NO_ARGS).stdin(PIPE).await?;
        let pid = process.pid();
        drop(process);
        for _ in 0..10_000 {
            if !children().contains(&pid) {
                return Ok(());
            }
            asyncio::sleep(0.001).await?;
        }
        panic!("zombie {pid} with the thread watcher");
    }
    let outcome = asyncio::run(cases());
    // SAFETY: as above.
    unsafe { std::env::remove_var("ASYNCIO_CHILD_WATCHER") };
    outcome
}
