//! Connection management: `socket`, `bind`, `listen`, `accept`, `accept4`, `connect`,
//! `shutdown`, `getsockname`, `getpeername`.
//!
//! Deviations from Linux shared by all of these are listed in `tests/deviations.md`.

use super::{SockLen, put_addr_out, sockaddr_for, write_addr};
use crate::addr::{self, AF_UNSPEC, Family};
use crate::errno::{Errno, Result, c_ret};
use crate::flags::{Shutdown, SockFlags};
use crate::ops::{self, SockType};
use core::net::SocketAddr;
use libc::c_int;

/// socket(2). `AF_INET`/`AF_INET6` with `SOCK_STREAM` or `SOCK_DGRAM`, and `AF_UNIX` with
/// `SOCK_STREAM`, `SOCK_DGRAM` or `SOCK_SEQPACKET` (inside the program, see [`super::unix`]);
/// flags `SOCK_NONBLOCK`, `SOCK_CLOEXEC`. Other families: `EAFNOSUPPORT`. Unknown type bits:
/// `EINVAL`; a type or
/// protocol the family lacks: `EPROTONOSUPPORT` (Linux's `ESOCKTNOSUPPORT` does not exist in
/// wasi-libc). No network capability granted to the guest: `EACCES`.
#[unsafe(no_mangle)]
pub extern "C" fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int {
    let r = if domain == c_int::from(addr::AF_UNIX) {
        super::unix::socket(ty, protocol)
    } else {
        socket_args(domain, ty, protocol).and_then(|(f, t, fl)| ops::socket(f, t, fl))
    };
    c_ret(crate::trace::traced!(
        "socket"(
            "{}, {}, {protocol}",
            super::ShowDomain(domain),
            super::ShowType(ty)
        ),
        r
    ))
}

/// Linux's `SOCK_TYPE_MASK`: the bits of `type` that name the type; the rest are flags.
const SOCK_TYPE_MASK: c_int = 0xf;

/// `socket`'s arguments, with Linux's checks in Linux's order (flags, family, protocol range,
/// type and protocol).
pub(super) fn socket_args(
    domain: c_int,
    ty: c_int,
    protocol: c_int,
) -> Result<(Family, SockType, SockFlags)> {
    let flags = SockFlags::parse(ty & !SOCK_TYPE_MASK)?;
    let family = Family::from_domain(domain)?;
    // inet_create/inet6_create: a protocol outside 0..IPPROTO_MAX (263) is EINVAL.
    if !(0..263).contains(&protocol) {
        return Err(Errno::EINVAL);
    }
    let ty = match (ty & SOCK_TYPE_MASK, protocol) {
        (ops::SOCK_STREAM, 0 | ops::IPPROTO_TCP) => SockType::Stream,
        (ops::SOCK_DGRAM, 0 | ops::IPPROTO_UDP) => SockType::Dgram,
        // Linux reports ESOCKTNOSUPPORT for a type the family lacks; wasi-libc has no such errno.
        _ => return Err(Errno::EPROTONOSUPPORT),
    };
    Ok((family, ty, flags))
}

/// bind(2). Port 0 picks an ephemeral port. Address checks as Linux: short -> `EINVAL`, other
/// family -> `EAFNOSUPPORT`, already bound -> `EINVAL`, in use -> `EADDRINUSE`, not local ->
/// `EADDRNOTAVAIL`.
///
/// # Safety
/// `addr` must point to `len` readable bytes (or be NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bind(fd: c_int, addr: *const u8, len: SockLen) -> c_int {
    if ops::unix::is_unix(fd) {
        // SAFETY: forwarded contract.
        let r = unsafe { super::unix::bind(fd, addr, len) };
        let r = crate::trace::traced!("bind"("{fd}, {}", super::ShowAddr(addr, len)), r);
        return c_ret(r.map(|()| 0));
    }
    // SAFETY: forwarded contract.
    let a = unsafe { sockaddr_for(fd, addr, len, addr::decode_for_bind) };
    let r = match a {
        Ok(a) => crate::trace::traced!("bind"("{fd}, {a}"), ops::bind(fd, a)),
        Err(e) => crate::trace::traced!("bind"("{fd}, {addr:p}, {len}"), Err(e)),
    };
    c_ret(r.map(|()| 0))
}

/// listen(2). An unbound socket is bound to an ephemeral port first, as on Linux. A negative
/// backlog means the maximum; calling it again on a listener adjusts the backlog.
#[unsafe(no_mangle)]
pub extern "C" fn listen(fd: c_int, backlog: c_int) -> c_int {
    c_ret(crate::trace::traced!("listen"("{fd}, {backlog}"), ops::listen(fd, backlog)).map(|()| 0))
}

/// accept(2): `accept4` with no flags.
///
/// # Safety
/// As `accept4`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn accept(fd: c_int, addr: *mut u8, len: *mut SockLen) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { accept4(fd, addr, len, 0) }
}

/// accept4(2). The peer's address is truncated to `*len` bytes and `*len` set to its full size,
/// as on Linux; `addr` NULL means no address is wanted. As on Linux, a bad `len` is only noticed
/// once a connection was taken from the queue: the call fails and that connection is closed.
///
/// # Safety
/// `addr` must be writable for `*len` bytes (or NULL); `len` readable and writable when `addr`
/// is non-NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn accept4(
    fd: c_int,
    addr: *mut u8,
    len: *mut SockLen,
    flags: c_int,
) -> c_int {
    let r = accept_flags(fd, flags).and_then(|f| {
        if ops::unix::is_unix(fd) {
            // SAFETY: forwarded contract.
            return unsafe { super::unix::accept(fd, addr, len, f) };
        }
        ops::accept(fd, f).and_then(|(new_fd, peer)| {
            // SAFETY: forwarded contract.
            match unsafe { put_addr_out(addr, len, &peer) } {
                Ok(()) => Ok(new_fd),
                Err(e) => {
                    let _ = ops::close(new_fd);
                    Err(e)
                }
            }
        })
    });
    c_ret(crate::trace::traced!(
        "accept4"("{fd}, {addr:p}, {len:p}, {flags:#x}"),
        r
    ))
}

/// Linux checks a descriptor that is not open (EBADF) before the flags (EINVAL) before the kind
/// of descriptor (ENOTSOCK).
fn accept_flags(fd: c_int, flags: c_int) -> Result<SockFlags> {
    if !ops::is_open(fd) {
        return Err(Errno::EBADF);
    }
    SockFlags::parse(flags)
}

/// connect(2). Blocking: waits for the outcome (bounded by `SO_SNDTIMEO`, then `EINPROGRESS`).
/// Non-blocking: `EINPROGRESS`, then `EALREADY` while pending; the first call after it finished
/// returns 0 (or the error), later ones `EISCONN`, exactly as Linux. `AF_UNSPEC` dissolves the
/// connection. Connecting to `0.0.0.0`/`::` reaches this host, as on Linux.
///
/// # Safety
/// `addr` must point to `len` readable bytes (or be NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connect(fd: c_int, addr: *const u8, len: SockLen) -> c_int {
    let r = (|| {
        if ops::unix::is_unix(fd) {
            // SAFETY: forwarded contract.
            return unsafe { super::unix::connect(fd, addr, len) };
        }
        // SAFETY: forwarded contract.
        let bytes = unsafe { super::addr_bytes(addr, len) };
        // Linux's __sys_connect: a closed descriptor (EBADF), then the address's copy, then a
        // descriptor that is not a socket (ENOTSOCK; found by tests/fuzz/diff.c).
        if let Err(e) = bytes
            && !ops::is_socket(fd)
        {
            let not = ops::not_a_socket(fd);
            return Err(if not == crate::errno::Errno::EBADF {
                not
            } else {
                e
            });
        }
        if let Ok(b) = bytes
            && b.len() >= 2
            && addr::sa_family(b) == Some(AF_UNSPEC)
        {
            return ops::disconnect(fd);
        }
        if bytes.is_ok_and(|b| b.len() >= 2) && ops::prepare_connect(fd)? {
            // A UDP socket binds before its address is looked at, and a TCP socket's state may
            // answer without it, as on Linux.
            return Ok(());
        }
        let decode = if ops::is_datagram(fd) {
            addr::decode_dgram_connect
        } else {
            addr::decode
        };
        // SAFETY: forwarded contract.
        let a = unsafe { sockaddr_for(fd, addr, len, decode) }?;
        ops::connect(fd, a)
    })();
    c_ret(crate::trace::traced!("connect"("{fd}, {}", super::ShowAddr(addr, len)), r).map(|()| 0))
}

/// shutdown(2). `SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`; other values `EINVAL`; not connected
/// `ENOTCONN`.
#[unsafe(no_mangle)]
pub extern "C" fn shutdown(fd: c_int, how: c_int) -> c_int {
    let r = ops::domain(fd)
        .and_then(|_| Shutdown::from_how(how))
        .and_then(|how| ops::shutdown(fd, how));
    c_ret(crate::trace::traced!("shutdown"("{fd}, {how}"), r).map(|()| 0))
}

/// getsockname(2). An unbound socket reports the unspecified address with port 0, as on Linux.
///
/// # Safety
/// `len` must be readable and writable; `addr` writable for `*len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getsockname(fd: c_int, addr: *mut u8, len: *mut SockLen) -> c_int {
    let r = if ops::unix::is_unix(fd) {
        // SAFETY: forwarded contract.
        unsafe { super::unix::name_out(fd, addr, len, false) }
    } else {
        // SAFETY: forwarded contract.
        unsafe { name_out(fd, addr, len, ops::local_addr) }
    };
    c_ret(crate::trace::traced!(
        "getsockname"("{fd}, {addr:p}, {len:p}"),
        r
    ))
}

/// getpeername(2). Not connected: `ENOTCONN`.
///
/// # Safety
/// As `getsockname`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getpeername(fd: c_int, addr: *mut u8, len: *mut SockLen) -> c_int {
    let r = if ops::unix::is_unix(fd) {
        // SAFETY: forwarded contract.
        unsafe { super::unix::name_out(fd, addr, len, true) }
    } else {
        // SAFETY: forwarded contract.
        unsafe { name_out(fd, addr, len, ops::peer_addr) }
    };
    c_ret(crate::trace::traced!(
        "getpeername"("{fd}, {addr:p}, {len:p}"),
        r
    ))
}

/// The shared body of getsockname and getpeername, in Linux's order: descriptor, `*len`, the
/// address, then the copy (`addr` NULL or outside memory with a non-zero `*len` is `EFAULT`,
/// after the full length is stored).
///
/// # Safety
/// As `getsockname`.
unsafe fn name_out(
    fd: c_int,
    addr: *mut u8,
    len: *mut SockLen,
    get: fn(i32) -> Result<SocketAddr>,
) -> Result<c_int> {
    // Linux asks the protocol for the name first (ENOTCONN), then reads `*addrlen`
    // (`move_addr_to_user`; found by tests/fuzz/diff.c).
    let a = get(fd)?;
    // SAFETY: forwarded contract.
    let cap = unsafe { super::read_addrlen(len) }?;
    // SAFETY: forwarded contract.
    unsafe { write_addr(addr, cap, len, &a) }?;
    Ok(0)
}
