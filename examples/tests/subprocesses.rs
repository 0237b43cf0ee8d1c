//! Drives the subprocess and signal examples as a user would: `pipeline`
//! against the same pipeline run by `sh`, `parallel_run` (its bound on
//! concurrency, and Ctrl-C killing what runs), and `signals` (SIGHUP
//! reloads, SIGTERM stops it gracefully).

mod support;

use std::collections::HashSet;
use std::process::{Command, Stdio};

use support::{Proc, example, with_default_sigint};

#[test]
fn pipeline_matches_the_shell() {
    let stages = [
        "seq 1 200000",
        "grep 7",
        "sort -r",
        "head -c 100000",
        "wc -c",
    ];
    let mut ours = Proc::spawn(
        Command::new(example("pipeline"))
            .args(stages)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut lines = ours.lines();
    let out = lines.next();
    let status = ours.wait();
    let shell = Command::new("sh")
        .args(["-c", &stages.join(" | ")])
        .output()
        .unwrap();
    assert_eq!(out, String::from_utf8(shell.stdout).unwrap().trim_end());
    assert_eq!(out, "100000");
    assert!(status.success(), "{status:?}");
}

#[test]
fn pipeline_stops_a_writer_whose_reader_left() {
    // `yes` never ends by itself: it must get SIGPIPE once `head` exits.
    let mut ours = Proc::spawn(
        Command::new(example("pipeline"))
            .args(["yes", "head -2", "cat; exit 3"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let mut lines = ours.lines();
    assert_eq!((lines.next(), lines.next()), ("y".into(), "y".into()));
    let status = ours.wait();
    assert_eq!(status.code(), Some(3));
    let mut err = String::new();
    std::io::Read::read_to_string(ours.child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(err.contains("PIPESTATUS: [141, 0, 3]"), "{err}");
}

#[test]
fn parallel_run_bounds_concurrency_and_reports_each_result() {
    let commands: Vec<String> = (0..12)
        .map(|i| format!("sleep 0.0{}; echo out{i}; exit {}", i % 5, i % 3))
        .collect();
    let mut ours = Proc::spawn(
        Command::new(example("parallel_run"))
            .arg("-j")
            .arg("3")
            .args(&commands)
            .stdin(Stdio::null())
            .stdout(Stdio::piped()),
    );
    let mut lines = ours.lines();
    let (mut running, mut peak, mut finished) = (HashSet::new(), 0, HashSet::new());
    loop {
        let line = lines.next();
        assert!(!line.is_empty(), "EOF before the summary");
        if line.starts_with("all ") {
            assert_eq!(line, "all 12 done, 8 failed");
            break;
        }
        let index: usize = line[1..line.find(']').unwrap()].parse().unwrap();
        if line.contains("] started pid") {
            running.insert(index);
            peak = peak.max(running.len());
        } else {
            assert!(running.remove(&index), "{line}");
            let expected = format!("] exit {} after", index % 3);
            assert!(line.contains(&expected), "{line}");
            assert!(line.ends_with(&format!("out{index}")), "{line}");
            finished.insert(index);
        }
    }
    assert_eq!(finished.len(), 12);
    assert!((1..=3).contains(&peak), "peak {peak}");
    assert!(ours.wait().success());
}

#[test]
fn parallel_run_ctrl_c_kills_what_runs() {
    let mut ours = Proc::spawn(
        with_default_sigint(&mut Command::new(example("parallel_run")))
            .args(["-j", "2", "sleep 30", "sleep 30", "sleep 30", "sleep 30"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped()),
    );
    let mut lines = ours.lines();
    let mut pids = Vec::new();
    for _ in 0..2 {
        let line = lines.next();
        let pid: u32 = line
            .split("started pid ")
            .nth(1)
            .and_then(|rest| rest.split(':').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{line}"));
        pids.push(pid);
    }
    ours.signal("INT");
    let status = ours.wait();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    // The shells and the `sleep`s they started were killed: soon no live
    // process is left in their process groups (zombies left to init, in a
    // container whose init does not reap, are dead too). Bounded: 10 s.
    for _ in 0..1000 {
        let survivors = live_members(&pids);
        if survivors.is_empty() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("survived Ctrl-C: {:?}", live_members(&pids));
}

/// The processes, not zombies, in the process groups `groups`.
fn live_members(groups: &[u32]) -> Vec<String> {
    let mut live = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After `(comm)`: state, ppid, pgrp.
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let pgrp = fields.get(2).and_then(|p| p.parse::<u32>().ok());
        if fields.first() != Some(&"Z") && pgrp.is_some_and(|g| groups.contains(&g)) {
            live.push(stat);
        }
    }
    live
}

#[test]
fn signals_reload_on_hup_and_stop_on_term() {
    let dir = std::env::temp_dir().join(format!("asyncio-signals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("service.conf");
    std::fs::write(&config, "greeting=hello\n").unwrap();
    let mut ours = Proc::spawn(
        Command::new(example("signals"))
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped()),
    );
    let mut lines = ours.lines();
    let ready = lines.next();
    assert!(
        ready.starts_with("ready") && ready.ends_with("greeting=hello"),
        "{ready}"
    );
    std::fs::write(&config, "greeting=bye\nlevel=2\n").unwrap();
    ours.signal("HUP");
    assert_eq!(lines.next(), "reloaded: greeting=bye, level=2");
    std::fs::remove_file(&config).unwrap();
    ours.signal("HUP");
    assert!(
        lines
            .next()
            .starts_with("reload failed, keeping the old configuration")
    );
    ours.signal("TERM");
    assert_eq!(lines.next(), "shutting down");
    assert_eq!(lines.next(), "stopped");
    assert!(ours.wait().success());
    let _ = std::fs::remove_dir_all(&dir);
}
