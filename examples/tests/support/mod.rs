//! What the real-client tests share: finding an example binary, running it
//! (and the clients) under a watchdog, reading the address a server
//! prints, and skipping, loudly, when a tool is not installed. (The
//! examples' benches use it too.)

#![allow(dead_code)] // each test file uses part of it

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
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
/// why (the caller returns). `package` is the Debian package with it.
pub fn have(tool: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        skipped(&format!(
            "`{tool}` is not installed (apt-get install {package}; .ci/run installs it)"
        ));
    }
    found
}

/// Says that the running test is skipped and why, on standard error and
/// past the test harness's capture (which hides what passing tests print),
/// so that a skip is seen in every run.
pub fn skipped(why: &str) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// Kills process `pid` unless disarmed (dropped) within `bound`.
pub struct Watchdog(Option<mpsc::Sender<()>>);

impl Watchdog {
    pub fn arm(pid: u32, bound: Duration, what: String) -> Watchdog {
        let (disarm, disarmed) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = disarmed.recv_timeout(bound) {
                eprintln!("watchdog: {what} still running after {bound:?}: killed");
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        Watchdog(Some(disarm))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(disarm) = self.0.take() {
            let _ = disarm.send(());
        }
    }
}

/// Runs `cmd` to the end, killed after `bound`; its output.
pub fn run(cmd: &mut Command, bound: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("{cmd:?}: {err}"));
    let _watchdog = Watchdog::arm(child.id(), bound, format!("{cmd:?}"));
    child.wait_with_output().unwrap()
}

/// Runs `cmd` with `input` on its standard input, killed after `bound`.
pub fn run_with_input(cmd: &mut Command, input: &[u8], bound: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("{cmd:?}: {err}"));
    let _watchdog = Watchdog::arm(child.id(), bound, format!("{cmd:?}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

/// A child process killed by a watchdog after its bound, and when dropped.
pub struct Proc {
    pub child: Child,
    watchdog: Option<Watchdog>,
}

impl Proc {
    /// Spawns `command` (set up with its pipes) under the watchdog, with
    /// [`BOUND`].
    pub fn spawn(command: &mut Command) -> Proc {
        Proc::spawn_bounded(command, BOUND)
    }

    /// Spawns `command` under the watchdog, killed after `bound`.
    pub fn spawn_bounded(command: &mut Command, bound: Duration) -> Proc {
        let child = command.spawn().unwrap_or_else(|err| {
            panic!("cannot run {command:?} ({err}); examples are built by `cargo test -p examples`")
        });
        let watchdog = Watchdog::arm(child.id(), bound, format!("{command:?}"));
        Proc {
            child,
            watchdog: Some(watchdog),
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
    pub fn wait(&mut self) -> ExitStatus {
        let status = self.child.wait().unwrap();
        self.watchdog.take();
        status
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.watchdog.take().is_some() {
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

    /// The rest of the output.
    pub fn rest(&mut self) -> String {
        let mut out = String::new();
        self.0.read_to_string(&mut out).unwrap();
        out
    }
}

/// `command` with `SIGINT`'s default disposition in the child. A test
/// run in the background by a shell without job control (as CI scripts
/// run) inherits SIGINT ignored, and an example, as Python would, would
/// then leave Ctrl-C alone.
pub fn with_default_sigint(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: `signal` is async-signal-safe, as `pre_exec` requires.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        })
    }
}

/// Starts the server example `name` on `127.0.0.1:0` and reads the
/// address it bound from its first line: it is listening once that line
/// is out.
pub fn server(name: &str) -> (Proc, Lines, SocketAddr) {
    let server = Server::start(name, BOUND);
    (server.proc, server.lines, server.addr)
}

/// An example server, killed when dropped (and after its bound).
pub struct Server {
    pub proc: Proc,
    pub lines: Lines,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts example `name` on `127.0.0.1:0` and reads the address it
    /// bound from its first line; it is killed after `bound`.
    pub fn start(name: &str, bound: Duration) -> Server {
        let mut command = Command::new(example(name));
        let mut proc = Proc::spawn_bounded(
            with_default_sigint(&mut command)
                .arg("127.0.0.1:0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit()),
            bound,
        );
        let mut lines = proc.lines();
        let first = lines.next();
        let addr = first
            .parse()
            .unwrap_or_else(|_| panic!("{name}'s first line is not an address: {first:?}"));
        Server { proc, lines, addr }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Sends signal `sig` (`"TERM"`, `"INT"`) to the server.
    pub fn signal(&self, sig: &str) {
        self.proc.signal(sig);
    }

    /// Waits for the server to exit (within its bound): its status and
    /// the rest of its standard output.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let out = self.lines.rest();
        let status = self.proc.wait();
        (status, out)
    }
}
