//! Drives the `interrupt` example with real `SIGINT`s (the `kill` command):
//! Ctrl-C handling as `asyncio.run` does it.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn example() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join("interrupt")
}

fn start(args: &[&str]) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(example())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the interrupt example is built by `cargo test -p examples` (not by `--test interrupt` alone)");
    let out = BufReader::new(child.stdout.take().unwrap());
    // A bound on the whole test: the child is killed after 30 s.
    let pid = child.id();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30));
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    });
    (child, out)
}

fn line(out: &mut BufReader<std::process::ChildStdout>) -> String {
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    line.trim_end().to_string()
}

fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn the_first_ctrl_c_cancels_main_which_cleans_up() {
    let (child, mut out) = start(&[]);
    assert_eq!(line(&mut out), "ready (press Ctrl-C)");
    interrupt(&child);
    assert_eq!(line(&mut out), "cancelled: cleaning up");
    assert_eq!(line(&mut out), "cleaned up");
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.signal(),
        Some(2),
        "killed by SIGINT, as Python exits"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("KeyboardInterrupt"));
}

#[test]
fn a_second_ctrl_c_stops_at_once() {
    let (mut child, mut out) = start(&["slow"]);
    assert_eq!(line(&mut out), "ready (press Ctrl-C)");
    interrupt(&child);
    assert_eq!(line(&mut out), "cancelled: cleaning up");
    interrupt(&child);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(2));
    assert_eq!(line(&mut out), "", "the clean-up did not finish");
}
