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
    assert!(process.send_signal(signal::SIGTERM).is_ok() || !children().contains(&pid));
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
