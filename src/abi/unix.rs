//! In-guest channels: `socketpair`, `pipe` and `pipe2`, and the AF_UNIX side of the socket
//! calls that take or give an address or control messages (`socket`, `bind`, `connect`,
//! `accept4`, `getsockname`, `getpeername`, `sendto`, `recvfrom`, `sendmsg`, `recvmsg` call
//! these for an AF_UNIX socket; see `crate::ops::unix`).
//!
//! Addresses are Linux's `struct sockaddr_un` (`include/sys/un.h`), decoded and encoded by
//! `crate::channel::addr`; control messages are `crate::codec::cmsg`'s.

use super::{SockLen, buf, read_addrlen};
use crate::addr::{self, AF_UNSPEC};
use crate::channel::addr::{self as unix_addr, UnixAddr};
use crate::codec::msg::{self, MSG_CTRUNC, MSG_TRUNC, MsgHdr};
use crate::codec::sockaddr::{addr_bytes, dest_bytes, write_addr_bytes};
use crate::codec::{cmsg, whole_in_memory};
use crate::errno::{Errno, Result, c_ret};
use crate::flags::{MsgFlags, O_NONBLOCK, SockFlags};
use crate::iov::Source;
use crate::ops::unix::{self as ops_unix, Kind, SOCK_SEQPACKET};
use crate::ops::{self, SOCK_DGRAM, SOCK_STREAM};
use libc::c_int;

/// Linux's `SOCK_TYPE_MASK`.
const SOCK_TYPE_MASK: c_int = 0xf;
/// Linux's `SOCK_MAX`: a type at or above it is `EINVAL` before the family looks at it.
const SOCK_MAX: c_int = 11;

/// `socket(AF_UNIX, ...)`'s type and protocol, with Linux's checks in Linux's order: the type
/// range (`EINVAL`), the protocol (0 or `PF_UNIX`, else `EPROTONOSUPPORT`), the type
/// (`ESOCKTNOSUPPORT` on Linux, which wasi-libc lacks: `EPROTONOSUPPORT`).
fn unix_type(ty: c_int, protocol: c_int) -> Result<Kind> {
    let t = ty & SOCK_TYPE_MASK;
    if t >= SOCK_MAX {
        return Err(Errno::EINVAL);
    }
    if protocol != 0 && protocol != c_int::from(addr::AF_UNIX) {
        return Err(Errno::EPROTONOSUPPORT);
    }
    match t {
        SOCK_STREAM => Ok(Kind::Stream),
        SOCK_DGRAM => Ok(Kind::Dgram),
        SOCK_SEQPACKET => Ok(Kind::Seqpacket),
        _ => Err(Errno::EPROTONOSUPPORT),
    }
}

/// `socket(AF_UNIX, ty, protocol)` (after `socket` checked the flags).
pub(super) fn socket(ty: c_int, protocol: c_int) -> Result<i32> {
    let flags = SockFlags::parse(ty & !SOCK_TYPE_MASK)?;
    ops_unix::socket(unix_type(ty, protocol)?, flags)
}

/// socketpair(2): `AF_UNIX` with `SOCK_STREAM`, `SOCK_DGRAM` or `SOCK_SEQPACKET` (flags
/// `SOCK_NONBLOCK`, `SOCK_CLOEXEC`), made inside the program (no host socket, no network
/// capability needed). Linux's order: unknown flag bits `EINVAL`, an unwritable `sv` `EFAULT`,
/// then the family and type as `socket` checks them (`EAFNOSUPPORT`, `EPROTONOSUPPORT`, ...);
/// `AF_INET`/`AF_INET6` have no pairs (`EOPNOTSUPP`).
///
/// # Safety
/// `sv` must be NULL or writable for two `int`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn socketpair(
    domain: c_int,
    ty: c_int,
    protocol: c_int,
    sv: *mut c_int,
) -> c_int {
    let r = (|| {
        let flags = SockFlags::parse(ty & !SOCK_TYPE_MASK)?;
        if !whole_in_memory(sv.cast(), 8) {
            return Err(Errno::EFAULT);
        }
        if domain != c_int::from(addr::AF_UNIX) {
            // Linux makes the sockets first (their checks), then asks the family for a pair.
            super::socket::socket_args(domain, ty, protocol)?;
            return Err(Errno::EOPNOTSUPP);
        }
        let fds = ops_unix::socketpair(unix_type(ty, protocol)?, flags)?;
        // SAFETY: writable for two ints (checked in memory; per the contract).
        unsafe { sv.cast::<[c_int; 2]>().write_unaligned(fds) };
        Ok(0)
    })();
    c_ret(crate::trace::traced!(
        "socketpair"(
            "{}, {}, {protocol}, {sv:p}",
            super::ShowDomain(domain),
            super::ShowType(ty)
        ),
        r
    ))
}

/// pipe(2): `pipe2` with no flags.
///
/// # Safety
/// As `pipe2`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pipe(fds: *mut c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { pipe2(fds, 0) }
}

/// pipe2(2): a pipe inside the program (64 KiB, Linux's page accounting), `fds[0]` its read
/// end and `fds[1]` its write end. Flags: `O_NONBLOCK`; anything else is `EINVAL`, as Linux
/// answers bits it does not know (wasi-libc's `O_CLOEXEC` is 0, so it asks for nothing).
/// An unwritable `fds` is `EFAULT`.
///
/// # Safety
/// `fds` must be NULL or writable for two `int`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pipe2(fds: *mut c_int, flags: c_int) -> c_int {
    let r = (|| {
        if flags & !O_NONBLOCK != 0 {
            return Err(Errno::EINVAL);
        }
        if !whole_in_memory(fds.cast(), 8) {
            return Err(Errno::EFAULT);
        }
        let p = ops_unix::pipe(flags & O_NONBLOCK != 0, false)?;
        // SAFETY: writable for two ints (checked in memory; per the contract).
        unsafe { fds.cast::<[c_int; 2]>().write_unaligned(p) };
        Ok(0)
    })();
    c_ret(crate::trace::traced!("pipe2"("{fds:p}, {flags:#x}"), r))
}

/// `bind` on an AF_UNIX socket: the address's bytes (`EINVAL` above 128, `EFAULT` at NULL),
/// then `unix_bind`'s checks.
///
/// # Safety
/// `addr` readable for `len` bytes (or NULL).
pub(super) unsafe fn bind(fd: c_int, addr: *const u8, len: SockLen) -> Result<()> {
    // SAFETY: forwarded contract.
    let b = unsafe { addr_bytes(addr, len) }?;
    ops_unix::bind(fd, unix_addr::decode_bind(b)?)
}

/// `connect` on an AF_UNIX socket. A datagram socket given `AF_UNSPEC` forgets its peer.
///
/// # Safety
/// `addr` readable for `len` bytes (or NULL).
pub(super) unsafe fn connect(fd: c_int, addr: *const u8, len: SockLen) -> Result<()> {
    // SAFETY: forwarded contract.
    let b = unsafe { addr_bytes(addr, len) }?;
    if ops::is_datagram(fd) && addr::sa_family(b) == Some(AF_UNSPEC) {
        return ops_unix::connect(fd, None);
    }
    ops_unix::connect(fd, Some(&UnixAddr::decode(b)?))
}

/// Write a name out (`move_addr_to_user`): `None` is an unnamed address (`sun_family` only).
/// An `addr` that cannot take the bytes is `EFAULT` (see [`write_addr_bytes`]).
///
/// # Safety
/// `addr` writable for `cap` bytes where in memory; `len` writable.
unsafe fn put_name(
    addr: *mut u8,
    cap: usize,
    len: *mut SockLen,
    name: Option<&UnixAddr>,
) -> Result<()> {
    let unnamed = unix_addr::unnamed();
    let bytes = name.map_or(&unnamed[..], UnixAddr::as_bytes);
    // SAFETY: forwarded contract.
    unsafe { write_addr_bytes(addr, cap, len, bytes) }
}

/// `accept4` on an AF_UNIX socket (flags already checked): the peer's name goes to `addr` as
/// for an IP socket (an unbound peer: `sun_family` only); a bad `len` closes the connection.
///
/// # Safety
/// As `accept4`.
pub(super) unsafe fn accept(
    fd: c_int,
    addr: *mut u8,
    len: *mut SockLen,
    flags: SockFlags,
) -> Result<c_int> {
    let (nfd, peer) = ops_unix::accept(fd, flags)?;
    if !addr.is_null() {
        // SAFETY: forwarded contract.
        let put = unsafe { read_addrlen(len) }
            // SAFETY: forwarded contract.
            .and_then(|cap| unsafe { put_name(addr, cap, len, peer.as_ref()) });
        if let Err(e) = put {
            let _ = ops::close(nfd);
            return Err(e);
        }
    }
    Ok(nfd)
}

/// `getsockname` / `getpeername` on an AF_UNIX socket, in Linux's order: the name
/// (`ENOTCONN` without a peer), then `*len` and the copy.
///
/// # Safety
/// As `getsockname`.
pub(super) unsafe fn name_out(
    fd: c_int,
    addr: *mut u8,
    len: *mut SockLen,
    peer: bool,
) -> Result<c_int> {
    let name = if peer {
        ops_unix::peer_name(fd)?
    } else {
        ops_unix::local_name(fd)?
    };
    // SAFETY: forwarded contract.
    let cap = unsafe { read_addrlen(len) }?;
    // SAFETY: forwarded contract (NULL or outside memory with room: EFAULT).
    unsafe { put_name(addr, cap, len, name.as_ref()) }?;
    Ok(0)
}

/// A destination's bytes as the send will judge them: none (NULL, or a zero length), or the
/// result of decoding them.
fn dest_of(b: Option<&[u8]>) -> Option<Result<UnixAddr>> {
    b.filter(|b| !b.is_empty()).map(UnixAddr::decode)
}

/// `sendto` on an AF_UNIX socket (the buffer's place already checked).
///
/// # Safety
/// As `sendto`.
pub(super) unsafe fn sendto(
    fd: c_int,
    data: *const u8,
    len: usize,
    flags: c_int,
    addr: *const u8,
    addrlen: SockLen,
) -> Result<usize> {
    // SAFETY: forwarded contract.
    let dest = unsafe { dest_bytes(addr, addrlen) }?;
    let flags = MsgFlags::from_c(flags);
    // A buffer that faults is the send's to find (see `Source`).
    // SAFETY: forwarded contract.
    let b = unsafe { buf(data, len) }.ok();
    let bufs = [b.unwrap_or_default()];
    let data = Source {
        bufs: &bufs[..usize::from(b.is_some())],
        len,
    };
    ops_unix::send_msg(fd, data, flags, dest_of(dest), &[])
}

/// `recvfrom` on an AF_UNIX socket into `b` (`None`: a buffer that faults, see
/// [`ops_unix::recv_fault`]): the sender's name (an unnamed one, or none: `*addrlen` 0).
///
/// # Safety
/// `addr`/`addrlen` as for `recvfrom`.
pub(super) unsafe fn recvfrom(
    fd: c_int,
    b: Option<&mut [u8]>,
    flags: MsgFlags,
    addr: *mut u8,
    addrlen: *mut SockLen,
) -> Result<usize> {
    let m = match b {
        Some(b) => ops_unix::recv_msg(fd, &mut [b], flags, 0)?,
        None => ops_unix::recv_fault(fd, flags, 0)?,
    };
    if !addr.is_null() {
        // SAFETY: forwarded contract.
        let cap = unsafe { read_addrlen(addrlen) }?;
        match &m.from {
            // SAFETY: forwarded contract.
            Some(from) => unsafe { write_addr_bytes(addr, cap, addrlen, from.as_bytes()) }?,
            // SAFETY: checked non-NULL and readable by read_addrlen; writable per contract.
            None => unsafe { addrlen.write_unaligned(0) },
        }
    }
    Ok(m.n)
}

/// `sendmsg` on an AF_UNIX socket: `SCM_RIGHTS` passes descriptors (a file or stdio, which the
/// library does not hold, is `EOPNOTSUPP`).
///
/// # Safety
/// As `sendmsg`.
pub(super) unsafe fn sendmsg(fd: c_int, m: *const MsgHdr, flags: c_int) -> Result<usize> {
    // SAFETY: forwarded contract.
    let (dest, v, control) = unsafe { msg::send_parts_with_control(m) }?;
    let flags = MsgFlags::from_c(flags);
    let rights = cmsg::rights(control, ops_unix::check_right)?;
    // SAFETY: forwarded contract.
    let (bufs, len) = unsafe { super::io::readable(v) };
    let data = Source { bufs: &bufs, len };
    ops_unix::send_msg(fd, data, flags, dest_of(dest), &rights)
}

/// `recvmsg` on an AF_UNIX socket: descriptors that came with the data are installed and laid
/// out as one `SCM_RIGHTS` message, as many as the control buffer holds (`MSG_CTRUNC` and the
/// rest closed otherwise); `msg_flags` has `MSG_TRUNC`, `MSG_CTRUNC` and the call's
/// `MSG_CMSG_CLOEXEC`, as Linux reports them.
///
/// # Safety
/// As `recvmsg`.
pub(super) unsafe fn recvmsg(fd: c_int, m: *mut MsgHdr, flags: c_int) -> Result<usize> {
    // SAFETY: forwarded contract.
    let v = unsafe { msg::recv_bufs(m) }?;
    let flags = MsgFlags::from_c(flags);
    // SAFETY: forwarded contract (recv_bufs checked `m` non-NULL).
    let control = unsafe { msg::recv_control(m) };
    let room = cmsg::rights_room(control.len());
    // As for any socket (`io::recv_iovecs`): a first buffer with room that faults is the
    // receive's to find; a later one ends the room there.
    let (good, bad) = msg::usable_prefix(v);
    let got = if bad && good.iter().all(|io| io.len == 0) {
        ops_unix::recv_fault(fd, flags, room)?
    } else {
        // SAFETY: forwarded contract; `good` lies in memory.
        let mut bufs = unsafe { msg::slices_mut(good) };
        ops_unix::recv_msg(fd, &mut bufs, flags, room)?
    };
    let used = cmsg::put_rights(control, &got.fds);
    let mut out = (flags & MsgFlags::CMSG_CLOEXEC).bits();
    if got.truncated {
        out |= MSG_TRUNC;
    }
    if got.ctrunc {
        out |= MSG_CTRUNC;
    }
    let from = got.from.as_ref().map(UnixAddr::as_bytes);
    // SAFETY: in memory (recv_bufs checked), valid and writable per the contract.
    unsafe { msg::finish_recv_unix(m, from, used, out) }?;
    Ok(got.n)
}
