//! Drives the `interrupt` example with real `SIGINT`s (the `kill` command):
//! Ctrl-C handling as `asyncio.run` does it.

mod support;

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use support::{Lines, Proc, example, with_default_sigint};

fn start(args: &[&str]) -> (Proc, Lines) {
    let mut proc = Proc::spawn(
        with_default_sigint(&mut Command::new(example("interrupt")))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let lines = proc.lines();
    (proc, lines)
}

#[test]
fn the_first_ctrl_c_cancels_main_which_cleans_up() {
    let (mut proc, mut out) = start(&[]);
    assert_eq!(out.next(), "ready (press Ctrl-C)");
    proc.signal("INT");
    assert_eq!(out.next(), "cancelled: cleaning up");
    assert_eq!(out.next(), "cleaned up");
    let mut stderr = String::new();
    proc.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = proc.wait();
    assert_eq!(
        status.signal(),
        Some(2),
        "killed by SIGINT, as Python exits"
    );
    assert!(stderr.contains("KeyboardInterrupt"), "{stderr}");
}

#[test]
fn a_second_ctrl_c_stops_at_once() {
    let (mut proc, mut out) = start(&["slow"]);
    assert_eq!(out.next(), "ready (press Ctrl-C)");
    proc.signal("INT");
    assert_eq!(out.next(), "cancelled: cleaning up");
    proc.signal("INT");
    let status = proc.wait();
    assert_eq!(status.signal(), Some(2));
    assert_eq!(out.next(), "", "the clean-up did not finish");
}
