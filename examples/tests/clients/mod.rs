//! (The HTTP and Redis tests' helpers; `support/` has the echo and chat tests' — to be folded into one.)
//! Shared by the tests that run an example server and drive it with real
//! clients: start the example, learn its address from its first line,
//! run a tool under a time bound, skip (saying why) when a tool is
//! missing.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The example binary `name`, built by `cargo test -p examples`.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join(name)
}

/// Whether `tool` is on `PATH`; if not, says that the test is skipped and
/// why (the caller then returns).
pub fn have(tool: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        eprintln!(
            "SKIPPED: `{tool}` is not installed (Debian package {package}); \
             this test drives the example with it"
        );
    }
    found
}

/// Kills process `pid` unless disarmed within `bound`.
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

/// An example server, killed when dropped (and after its bound).
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    out: BufReader<ChildStdout>,
    _watchdog: Watchdog,
}

impl Server {
    /// Starts example `name` on `127.0.0.1:0` and reads the address it
    /// bound from its first line; it is killed after `bound`.
    pub fn start(name: &str, bound: Duration) -> Server {
        let mut child = Command::new(example(name))
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("example {name} (built by `cargo test -p examples`): {err}")
            });
        let watchdog = Watchdog::arm(child.id(), bound, format!("example {name}"));
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: first line {line:?} is not an address"));
        Server {
            child,
            addr,
            out,
            _watchdog: watchdog,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Sends signal `sig` (`"TERM"`, `"INT"`) to the server.
    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the server to exit (within its bound): its status and
    /// the rest of its standard output.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let mut out = String::new();
        self.out.read_to_string(&mut out).unwrap();
        let status = self.child.wait().unwrap();
        (status, out)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
