//! What the real-client tests share: finding an example binary, running
//! it (and the clients) under a watchdog, reading the address a server
//! prints, and skipping, loudly, when a tool is not installed.

#![allow(dead_code)] // each test file uses part of it

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long any one process may run before the watchdog kills it (a hung
/// test then fails on EOF instead of hanging).
pub const BOUND: Duration = Duration::from_secs(60);

/// The path of example `name`, built by `cargo test -p examples` beside
/// the test binaries.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join(name)
}

/// Whether `tool` is on `PATH`; if not, says that the test is skipped and
/// why (the caller returns).
pub fn have(tool: &str, test: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        skipped(
            test,
            &format!(
                "`{tool}` is not installed (apt-get install netcat-openbsd socat; .ci/run installs them)"
            ),
        );
    }
    found
}

/// Says that `test` is skipped and why, on standard error and past the
/// test harness's capture (which hides what passing tests print), so
/// that a skip is seen in every run.
pub fn skipped(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// A child process killed by a watchdog after [`BOUND`], and when dropped.
pub struct Proc {
    pub child: Child,
    done: Option<mpsc::Sender<()>>,
}

impl Proc {
    /// Spawns `command` (set up with its pipes) under the watchdog.
    pub fn spawn(command: &mut Command) -> Proc {
        let child = command.spawn().unwrap_or_else(|err| {
            panic!("cannot run {command:?} ({err}); examples are built by `cargo test -p examples`")
        });
        let pid = child.id();
        let (done, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(BOUND) {
                eprintln!("watchdog: killing process {pid} after {BOUND:?}");
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        Proc {
            child,
            done: Some(done),
        }
    }

    /// Its standard output, line by line.
    pub fn lines(&mut self) -> Lines {
        Lines(BufReader::new(self.child.stdout.take().unwrap()))
    }

    /// Sends `signal` (`INT`, `KILL`...) with the `kill` command.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for it to exit (the watchdog bounds the wait).
    pub fn wait(&mut self) -> std::process::ExitStatus {
        let status = self.child.wait().unwrap();
        self.done.take();
        status
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.done.take().is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A child's standard output, read a line at a time.
pub struct Lines(pub BufReader<ChildStdout>);

impl Lines {
    /// The next line without its newline; empty at EOF.
    pub fn next(&mut self) -> String {
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        line.trim_end_matches('\n').to_owned()
    }
}

/// Starts the server example `name` on `127.0.0.1:0` and reads the
/// address it bound from its first line: it is listening once that line
/// is out.
pub fn server(name: &str) -> (Proc, Lines, SocketAddr) {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(example(name));
    // A test run in the background by a shell without job control (as CI
    // scripts run) inherits SIGINT ignored, and the server, as Python would,
    // would then leave Ctrl-C alone: give it the default disposition.
    // SAFETY: `signal` is async-signal-safe, as `pre_exec` requires.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut proc = Proc::spawn(
        command
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit()),
    );
    let mut lines = proc.lines();
    let first = lines.next();
    let addr = first
        .parse()
        .unwrap_or_else(|_| panic!("{name}'s first line is not an address: {first:?}"));
    (proc, lines, addr)
}
