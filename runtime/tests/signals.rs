//! Signal handlers (`add_signal_handler` / `remove_signal_handler`):
//! callbacks run as loop callbacks, dispositions restored, bad input.
//! Signals are process-wide and tests run in parallel: each test uses
//! signals no other test here touches.

use std::cell::Cell;
use std::rc::Rc;

use asyncio::{Error, EventLoop, signal};

/// The handler address of `sig`'s disposition now.
fn disposition(sig: i32) -> libc::sighandler_t {
    // SAFETY: `sigaction` is plain old data; all zeroes is valid.
    let mut now: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: queries only; `now` is valid for the call.
    let queried = unsafe { libc::sigaction(sig, std::ptr::null(), &mut now) };
    assert_eq!(queried, 0);
    now.sa_sigaction
}

fn raise(sig: i32) {
    // SAFETY: sends `sig` to this thread, whose handler is installed.
    assert_eq!(unsafe { libc::raise(sig) }, 0);
}

/// CASES C09: the callback runs as an ordinary loop callback (not inside
/// the signal handler), once per signal delivered, and 1,000 signals in a
/// burst keep the loop live.
#[test]
fn c09_handlers_run_as_loop_callbacks() -> asyncio::Result<()> {
    let lp = EventLoop::new()?;
    let hits = Rc::new(Cell::new(0u32));
    let seen = hits.clone();
    let inner = lp.clone();
    lp.add_signal_handler(signal::SIGUSR1, move || {
        // A loop callback may use the loop.
        assert!(inner.is_running());
        seen.set(seen.get() + 1);
    })?;
    raise(signal::SIGUSR1);
    assert_eq!(hits.get(), 0, "not run inside the signal handler");
    lp.run_until_complete(asyncio::sleep(0))??;
    lp.run_until_complete(asyncio::sleep(0))??;
    assert_eq!(hits.get(), 1);
    for _ in 0..1000 {
        raise(signal::SIGUSR1);
    }
    for _ in 0..10 {
        lp.run_until_complete(asyncio::sleep(0))??;
    }
    assert!(hits.get() > 1, "the burst was seen");
    lp.run_until_complete(asyncio::sleep(0.001))??; // the loop is live
    assert!(lp.remove_signal_handler(signal::SIGUSR1)?);
    assert!(!lp.remove_signal_handler(signal::SIGUSR1)?);
    lp.close()
}

/// The previous disposition comes back on removal and when the loop
/// closes.
#[test]
fn the_previous_disposition_is_restored() -> asyncio::Result<()> {
    // SAFETY: plain system call; SIGUSR2 ignored beforehand.
    unsafe { libc::signal(signal::SIGUSR2, libc::SIG_IGN) };
    let lp = EventLoop::new()?;
    lp.add_signal_handler(signal::SIGUSR2, || {})?;
    assert_ne!(disposition(signal::SIGUSR2), libc::SIG_IGN);
    assert!(lp.remove_signal_handler(signal::SIGUSR2)?);
    assert_eq!(disposition(signal::SIGUSR2), libc::SIG_IGN);

    assert_eq!(disposition(signal::SIGWINCH), libc::SIG_DFL);
    lp.add_signal_handler(signal::SIGWINCH, || {})?;
    assert_ne!(disposition(signal::SIGWINCH), libc::SIG_DFL);
    lp.close()?;
    assert_eq!(
        disposition(signal::SIGWINCH),
        libc::SIG_DFL,
        "restored by close"
    );
    Ok(())
}

#[test]
fn bad_signals_and_a_second_loop_are_errors() -> asyncio::Result<()> {
    let lp = EventLoop::new()?;
    for sig in [signal::SIGKILL, signal::SIGSTOP] {
        let err = lp.add_signal_handler(sig, || {}).unwrap_err();
        assert!(err.to_string().contains("cannot be caught"), "{err}");
    }
    for sig in [0, -1, 1000] {
        assert!(matches!(
            lp.add_signal_handler(sig, || {}),
            Err(Error::Value(_))
        ));
        assert!(matches!(
            lp.remove_signal_handler(sig),
            Err(Error::Value(_))
        ));
    }
    lp.add_signal_handler(signal::SIGHUP, || {})?;
    let other = EventLoop::new()?;
    let err = other.add_signal_handler(signal::SIGHUP, || {}).unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err:?}");
    // Replacing the callback on the owning loop is fine.
    lp.add_signal_handler(signal::SIGHUP, || {})?;
    lp.close()?;
    assert!(
        lp.add_signal_handler(signal::SIGHUP, || {}).is_err(),
        "closed"
    );
    other.add_signal_handler(signal::SIGHUP, || {})?;
    other.close()
}
