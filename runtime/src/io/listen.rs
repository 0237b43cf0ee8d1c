//! Sockets made with the options std does not offer: listening TCP
//! sockets (`backlog`, `SO_REUSEPORT`), UDP sockets (`SO_REUSEPORT`,
//! `SO_BROADCAST`, or left unbound until the first send), and the
//! addresses and file of Unix listening sockets.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, OwnedFd};

use super::dns::sockaddr_of;

/// Options of [`EventLoop::create_server_with`](crate::EventLoop::create_server_with).
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Connections the kernel queues before they are accepted (asyncio's
    /// default: 100). Raise it for bursts of many connections at once.
    pub backlog: i32,
    /// `SO_REUSEPORT`: several sockets (processes) may listen on the same
    /// port, the kernel spreading connections among them.
    pub reuse_port: bool,
    /// Start accepting at once (asyncio's `start_serving=True`); otherwise
    /// call [`Server::start_serving`](crate::Server::start_serving).
    pub start_serving: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            backlog: 100,
            reuse_port: false,
            start_serving: true,
        }
    }
}

/// Options of [`EventLoop::create_datagram_endpoint_with`](crate::EventLoop::create_datagram_endpoint_with)
/// (asyncio's keyword arguments of `create_datagram_endpoint`).
#[derive(Debug, Clone, Default)]
pub struct DatagramOptions {
    /// The address family: only addresses of this family are used, and
    /// with neither a local nor a remote address, the family of the new
    /// (unbound) socket. `None` (the default) takes the family of the
    /// addresses.
    pub family: Option<AddressFamily>,
    /// `SO_REUSEPORT`: several sockets (processes) may bind the same
    /// address and port, the kernel spreading datagrams among them.
    pub reuse_port: bool,
    /// `SO_BROADCAST`: the endpoint may send to broadcast addresses.
    pub allow_broadcast: bool,
}

/// An internet address family (asyncio's `family=socket.AF_INET` /
/// `AF_INET6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4 (`AF_INET`).
    Ipv4,
    /// IPv6 (`AF_INET6`).
    Ipv6,
}

impl AddressFamily {
    /// The family of `addr`.
    pub fn of(addr: &SocketAddr) -> AddressFamily {
        if addr.is_ipv4() {
            AddressFamily::Ipv4
        } else {
            AddressFamily::Ipv6
        }
    }

    fn raw(self) -> libc::c_int {
        match self {
            AddressFamily::Ipv4 => libc::AF_INET,
            AddressFamily::Ipv6 => libc::AF_INET6,
        }
    }
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

fn set_flag(fd: &OwnedFd, level: libc::c_int, name: libc::c_int) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let one: libc::c_int = 1;
    // SAFETY: `one` is a valid `c_int` for the duration of the call, and
    // the length passed is its size.
    check(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&raw const one).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(drop)
}

/// A bound, listening, close-on-exec TCP socket with `SO_REUSEADDR` (as
/// asyncio sets on Unix), IPv6 sockets IPv6-only (as asyncio binds each
/// family separately).
pub(super) fn tcp_listener(
    addr: SocketAddr,
    options: &ServerOptions,
) -> io::Result<std::net::TcpListener> {
    use std::os::fd::AsRawFd;
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain system call with integer arguments.
    let raw = check(unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `raw` is a new descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    set_flag(&fd, libc::SOL_SOCKET, libc::SO_REUSEADDR)?;
    if options.reuse_port {
        set_flag(&fd, libc::SOL_SOCKET, libc::SO_REUSEPORT)?;
    }
    if addr.is_ipv6() {
        set_flag(&fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY)?;
    }
    let (storage, len) = sockaddr_of(addr);
    // SAFETY: `storage` holds a valid address of `len` bytes.
    check(unsafe { libc::bind(fd.as_raw_fd(), (&raw const storage).cast(), len) })?;
    // SAFETY: plain system call with integer arguments.
    check(unsafe { libc::listen(fd.as_raw_fd(), options.backlog) })?;
    Ok(std::net::TcpListener::from(fd))
}

/// A Unix socket address from a path: a file path, or, starting with a NUL
/// byte, a name in Linux's abstract namespace (no file).
pub(super) fn unix_addr(path: &std::path::Path) -> io::Result<std::os::unix::net::SocketAddr> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    match bytes.split_first() {
        Some((0, name)) => {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(name)
        }
        _ => std::os::unix::net::SocketAddr::from_pathname(path),
    }
}

/// The file a listening Unix socket made, to remove it on close only if it
/// is still that socket (another server may have replaced it since).
#[derive(Debug)]
pub(super) struct SocketFile {
    path: std::path::PathBuf,
    id: (u64, u64),
}

impl SocketFile {
    /// Removes the file if it is still the socket bound here.
    pub(super) fn remove_if_ours(&self) {
        if file_id(&self.path).is_some_and(|id| id == self.id) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// (device, inode) of a socket file.
fn file_id(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.file_type()
        .is_socket()
        .then(|| (meta.dev(), meta.ino()))
}

/// A bound, listening, close-on-exec Unix socket at `path` (asyncio's
/// `create_unix_server`): a socket file left at `path` by an earlier
/// server (a stale socket) is replaced; any other file is an error.
pub(super) fn unix_listener(
    path: &std::path::Path,
    options: &ServerOptions,
) -> io::Result<(std::os::unix::net::UnixListener, Option<SocketFile>)> {
    use std::os::fd::AsRawFd;
    let addr = unix_addr(path)?;
    let file = addr.as_pathname().is_some();
    if file && file_id(path).is_some() {
        std::fs::remove_file(path)?;
    }
    let listener = std::os::unix::net::UnixListener::bind_addr(&addr)?;
    // A second `listen` sets the backlog (std picks its own).
    // SAFETY: plain system call with integer arguments.
    check(unsafe { libc::listen(listener.as_raw_fd(), options.backlog) })?;
    let file = match file {
        true => file_id(path).map(|id| SocketFile {
            path: path.to_owned(),
            id,
        }),
        false => None,
    };
    Ok((listener, file))
}

/// A close-on-exec UDP socket of `family` with `options`, bound to
/// `local` if given (else unbound: the system binds it at the first send
/// or connect, as in asyncio).
pub(super) fn udp_socket(
    family: AddressFamily,
    local: Option<SocketAddr>,
    options: &DatagramOptions,
) -> io::Result<std::net::UdpSocket> {
    use std::os::fd::AsRawFd;
    // SAFETY: plain system call with integer arguments.
    let raw =
        check(unsafe { libc::socket(family.raw(), libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `raw` is a new descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    if options.reuse_port {
        set_flag(&fd, libc::SOL_SOCKET, libc::SO_REUSEPORT)?;
    }
    if options.allow_broadcast {
        set_flag(&fd, libc::SOL_SOCKET, libc::SO_BROADCAST)?;
    }
    if let Some(addr) = local {
        let (storage, len) = sockaddr_of(addr);
        // SAFETY: `storage` holds a valid address of `len` bytes.
        check(unsafe { libc::bind(fd.as_raw_fd(), (&raw const storage).cast(), len) })?;
    }
    Ok(std::net::UdpSocket::from(fd))
}
