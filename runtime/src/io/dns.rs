//! Name resolution: `getaddrinfo` and `getnameinfo` on the loop's executor,
//! as asyncio runs them (the system resolver blocks).
//!
//! An IP literal needs no resolver: `getaddrinfo("127.0.0.1", 80)` answers
//! at once, with no thread (asyncio's `_ipaddr_info` fast path).

use std::ffi::CStr;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::event_loop::EventLoop;
use crate::threads::WrapFuture;

/// The future of a lookup: answered at once, or by the executor.
enum Lookup<T> {
    Now(Option<Result<T>>),
    Executor(WrapFuture<io::Result<T>>),
}

impl<T: Unpin> Future for Lookup<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // Neither variant is structurally pinned: `WrapFuture` is `Unpin`.
        match self.get_mut() {
            Lookup::Now(answer) => {
                Poll::Ready(answer.take().unwrap_or_else(|| {
                    Err(Error::invalid_state("lookup polled after it finished"))
                }))
            }
            Lookup::Executor(fut) => match Pin::new(fut).poll(cx) {
                Poll::Ready(result) => Poll::Ready(result.and_then(|r| r.map_err(Error::Io))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl EventLoop {
    /// Resolves `host` to socket addresses with `port` (asyncio's
    /// `loop.getaddrinfo(host, port)`, all families, in the resolver's
    /// order). The system resolver runs on the loop's executor; an IP
    /// literal is answered at once, with no thread.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the name does not resolve (asyncio's `gaierror`).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<()> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let addrs = lp.getaddrinfo("127.0.0.1", 8080).await?;
    ///     assert_eq!(addrs, ["127.0.0.1:8080".parse().unwrap()]);
    ///     let local = lp.getaddrinfo("localhost", 80).await?;
    ///     assert!(local.iter().all(|a| a.ip().is_loopback()));
    ///     Ok(())
    /// }
    /// asyncio::run(main_())?;
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn getaddrinfo(
        &self,
        host: &str,
        port: u16,
    ) -> impl Future<Output = Result<Vec<SocketAddr>>> + use<> {
        // A bracketed IPv6 literal is accepted too, as in a URL.
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            return Lookup::Now(Some(Ok(vec![SocketAddr::new(ip, port)])));
        }
        let host = host.to_owned();
        Lookup::Executor(self.run_in_executor(move || {
            (host.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect)
        }))
    }

    /// The host name and service of `addr` (asyncio's
    /// `loop.getnameinfo(sockaddr, flags)`), by the system resolver on the
    /// loop's executor. `flags` are `getnameinfo(3)`'s (`libc::NI_*`); 0
    /// asks for names, falling back to numbers.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the resolver fails (with `NI_NAMEREQD`, when
    /// there is no name).
    ///
    /// # Examples
    ///
    /// ```
    /// #[asyncio::coroutine]
    /// fn main_() -> asyncio::Result<(String, String)> {
    ///     let lp = asyncio::get_running_loop()?;
    ///     let addr = "127.0.0.1:22".parse().unwrap();
    ///     lp.getnameinfo(addr, libc::NI_NUMERICHOST | libc::NI_NUMERICSERV).await
    /// }
    /// assert_eq!(asyncio::run(main_())?, ("127.0.0.1".into(), "22".into()));
    /// # Ok::<(), asyncio::Error>(())
    /// ```
    pub fn getnameinfo(
        &self,
        addr: SocketAddr,
        flags: i32,
    ) -> impl Future<Output = Result<(String, String)>> + use<> {
        Lookup::Executor(self.run_in_executor(move || name_info(addr, flags)))
    }
}

/// `addr` as a C socket address, and its length.
pub(super) fn sockaddr_of(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero bytes are a valid `sockaddr_storage`.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    // Field by field on zeroed structs: some platforms have more fields
    // (BSD's `sin_len`).
    let len = match addr {
        SocketAddr::V4(v4) => {
            // SAFETY: all-zero bytes are a valid `sockaddr_in`.
            let mut sin: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = v4.port().to_be();
            sin.sin_addr.s_addr = u32::from_ne_bytes(v4.ip().octets());
            // SAFETY: `sockaddr_storage` is larger than and aligned for
            // every `sockaddr_*`, so the write stays in bounds.
            unsafe { std::ptr::write((&raw mut storage).cast::<libc::sockaddr_in>(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            // SAFETY: all-zero bytes are a valid `sockaddr_in6`.
            let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = v6.port().to_be();
            sin6.sin6_flowinfo = v6.flowinfo();
            sin6.sin6_addr.s6_addr = v6.ip().octets();
            sin6.sin6_scope_id = v6.scope_id();
            // SAFETY: as above.
            unsafe { std::ptr::write((&raw mut storage).cast::<libc::sockaddr_in6>(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// `getnameinfo(3)`, blocking.
fn name_info(addr: SocketAddr, flags: i32) -> io::Result<(String, String)> {
    let (storage, len) = sockaddr_of(addr);
    let mut host = [0 as libc::c_char; libc::NI_MAXHOST as usize];
    let mut service = [0 as libc::c_char; 32];
    // SAFETY: `storage` holds a valid address of `len` bytes; `host` and
    // `service` are writable buffers of the lengths passed, which
    // getnameinfo NUL-terminates on success.
    let code = unsafe {
        libc::getnameinfo(
            (&raw const storage).cast(),
            len,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            service.as_mut_ptr(),
            service.len() as libc::socklen_t,
            flags,
        )
    };
    if code != 0 {
        // SAFETY: gai_strerror returns a static NUL-terminated string.
        let message = unsafe { CStr::from_ptr(libc::gai_strerror(code)) };
        return Err(io::Error::other(format!(
            "getnameinfo: {}",
            message.to_string_lossy()
        )));
    }
    // SAFETY: NUL-terminated by a successful getnameinfo.
    let (host, service) = unsafe {
        (
            CStr::from_ptr(host.as_ptr()),
            CStr::from_ptr(service.as_ptr()),
        )
    };
    Ok((
        host.to_string_lossy().into_owned(),
        service.to_string_lossy().into_owned(),
    ))
}
