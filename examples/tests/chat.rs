//! Drives the `chat` example with three `nc` clients: each line reaches
//! every other client (not its sender), `/nick` renames, and a client
//! that leaves is announced and removed while the others go on.

mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::process::{ChildStdin, Command, Stdio};

use support::{Lines, Proc, have, server};

struct Client {
    proc: Proc,
    stdin: Option<ChildStdin>,
    out: Lines,
}

impl Client {
    /// An `nc -N` connected to `addr`, once the server has welcomed it as
    /// `guest N`.
    fn join(addr: SocketAddr, n: usize, others: usize) -> Client {
        let mut proc = Proc::spawn(
            Command::new("nc")
                .args(["-N", &addr.ip().to_string(), &addr.port().to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped()),
        );
        let stdin = proc.child.stdin.take();
        let out = proc.lines();
        let mut client = Client { proc, stdin, out };
        assert_eq!(
            client.next(),
            format!("* you are guest {n}; {others} others here; /nick NAME to rename")
        );
        client
    }

    fn say(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn next(&mut self) -> String {
        self.out.next()
    }
}

#[test]
fn three_nc_clients_chat() {
    if !have("nc", "netcat-openbsd") {
        return;
    }
    let (_server, _, addr) = server("chat");
    let mut a = Client::join(addr, 1, 0);
    let mut b = Client::join(addr, 2, 1);
    assert_eq!(a.next(), "* guest 2 joined");
    let mut c = Client::join(addr, 3, 2);
    assert_eq!(a.next(), "* guest 3 joined");
    assert_eq!(b.next(), "* guest 3 joined");

    a.say("hello everyone");
    assert_eq!(b.next(), "guest 1: hello everyone");
    assert_eq!(c.next(), "guest 1: hello everyone");

    b.say("/nick bob");
    assert_eq!(a.next(), "* guest 2 is now bob");
    assert_eq!(c.next(), "* guest 2 is now bob");
    b.say("hi, from bob");
    // a's next line is bob's: it did not get its own "hello everyone".
    assert_eq!(a.next(), "bob: hi, from bob");
    assert_eq!(c.next(), "bob: hi, from bob");

    // c closes its input: nc -N shuts down its side, the server removes c
    // and closes, and nc exits.
    c.stdin.take();
    assert_eq!(a.next(), "* guest 3 left");
    assert_eq!(b.next(), "* guest 3 left");
    assert!(c.proc.wait().success());
    assert_eq!(c.next(), "", "c got nothing more");

    // The others go on.
    a.say("still here?");
    assert_eq!(b.next(), "guest 1: still here?");
    b.say("yes");
    assert_eq!(a.next(), "bob: yes");

    // a is killed outright: its connection closes without a goodbye.
    a.proc.signal("KILL");
    a.proc.wait();
    assert_eq!(b.next(), "* guest 1 left");

    // A newcomer is welcomed with one other here, and bob hears of it.
    let mut d = Client::join(addr, 4, 1);
    assert_eq!(b.next(), "* guest 4 joined");
    d.say("hi bob");
    assert_eq!(b.next(), "guest 4: hi bob");
}
