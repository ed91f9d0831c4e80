//! What TCP and UDP share: readiness in Linux's terms, the options passed to the host with their
//! Linux units and limits, and the address check Linux makes before it looks at a socket's state.

use crate::errno::{Errno, Result};
use core::net::SocketAddr;

/// What `poll` can report for a socket, in Linux's terms.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Ready {
    /// Readable (data, end of stream, an error, or a pending connection on a listener).
    pub input: bool,
    /// Writable.
    pub output: bool,
    /// Hung up: shut down both ways, or the connection is gone.
    pub hup: bool,
    /// An error is pending (`SO_ERROR`).
    pub err: bool,
    /// Shut down for reading (Linux's `RCV_SHUTDOWN`: the peer's FIN, `shutdown(SHUT_RD)`, or
    /// a connection gone): `POLLRDHUP`, `EPOLLRDHUP`.
    pub rdhup: bool,
}

/// The options `getsockopt`/`setsockopt` pass to the host (see [`crate::sockopt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostOpt {
    /// `SO_KEEPALIVE`.
    KeepAlive,
    /// `SO_RCVBUF`.
    RcvBuf,
    /// `SO_SNDBUF`.
    SndBuf,
    /// `TCP_KEEPIDLE` (seconds).
    KeepIdle,
    /// `TCP_KEEPINTVL` (seconds).
    KeepIntvl,
    /// `TCP_KEEPCNT`.
    KeepCnt,
    /// `IP_TTL`.
    Ttl,
    /// `IPV6_UNICAST_HOPS`.
    UnicastHops,
}

/// Linux's default hop limit (`net.ipv4.ip_default_ttl`, `net.ipv6.conf.*.hop_limit`).
pub const DEFAULT_TTL: i32 = 64;

/// Whether `a` and `b` name one endpoint, an IPv4 address and its IPv4-mapped IPv6 form alike
/// (a dual-stack socket shows its IPv4 peers mapped).
pub fn same_endpoint(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && a.ip().to_canonical() == b.ip().to_canonical()
}

/// A hop limit in Linux's terms: -1 restores the default; otherwise 1..=255.
pub fn hops(v: i32) -> Result<u8> {
    match v {
        -1 => Ok(DEFAULT_TTL as u8),
        v if (1..=255).contains(&v) => Ok(v as u8),
        _ => Err(Errno::EINVAL),
    }
}

/// A buffer size as the program set it (`SO_RCVBUF`, `SO_SNDBUF`) -> what the host is asked
/// for. Linux clamps sizes rather than refusing them, and reads the int as unsigned first (a
/// negative size is a huge one: the maximum; it was the minimum, found by tests/fuzz/diff.c);
/// WASI refuses 0.
pub fn buffer_size_to_host(v: i32) -> u64 {
    if v == 0 { 1 } else { u64::from(v as u32) }
}

/// A buffer size the host reports -> what Linux's `getsockopt` says. wasmtime on Linux halves
/// sizes to undo the kernel's doubling; Linux reports the doubled value, so double it back.
pub fn buffer_size_from_host(v: u64) -> i32 {
    i32::try_from(v.saturating_mul(2)).unwrap_or(i32::MAX)
}

/// Whether a new socket could bind `addr`'s IP (on an ephemeral port, with `bind_fresh`): the
/// address checks Linux makes (`EADDRNOTAVAIL`, `EAFNOSUPPORT`) before it looks at the socket's
/// own state.
///
/// IPv6 checks the socket's state first (`__inet6_bind`: a double bind is EINVAL before a
/// foreign address is EADDRNOTAVAIL; found by tests/fuzz/diff.c), IPv4 the address first
/// (`__inet_bind`).
pub fn probe_bindable(
    addr: SocketAddr,
    bind_fresh: impl FnOnce(SocketAddr) -> Result<()>,
) -> Result<()> {
    if addr.is_ipv6() {
        return Ok(());
    }
    let mut any_port = addr;
    any_port.set_port(0);
    match bind_fresh(any_port) {
        Err(e @ (Errno::EADDRNOTAVAIL | Errno::EAFNOSUPPORT)) => Err(e),
        _ => Ok(()),
    }
}
