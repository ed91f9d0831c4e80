//! Data transfer: `send`, `sendto`, `recv`, `recvfrom` on sockets, and `read`, `write`,
//! `readv`, `writev`, `close` on every descriptor: sockets are served here, anything else goes to
//! the preview 1 call wasi-libc itself would make, with wasi-libc's errno handling.

use super::{IoVec, SockLen, buf, buf_mut, iovecs, read_addrlen};
use crate::codec::msg::{self, iovec_array, slices, slices_mut, usable_prefix};
use crate::codec::sockaddr::dest_bytes;
use crate::codec::{MAX_RW_COUNT, Span, span};
use crate::errno::{Errno, Result, c_ret};
use crate::ops;
use crate::passthrough::{self, Dir};
use crate::socket;
use crate::wasi::p1;
use libc::c_int;

pub use crate::codec::msg::MsgHdr;

/// send(2) on a connected TCP socket. A blocking send returns once everything is written (or
/// `SO_SNDTIMEO` expires: the count so far, or `EAGAIN`). Flags: `MSG_DONTWAIT`, `MSG_NOSIGNAL`
/// (always in effect: WASI has no `SIGPIPE`); others `EOPNOTSUPP`. Not connected: `EPIPE`.
///
/// # Safety
/// `data` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn send(fd: c_int, data: *const u8, len: usize, flags: c_int) -> isize {
    // SAFETY: forwarded contract.
    let r = unsafe { buf(data, len.min(MAX_RW_COUNT)) }.and_then(|b| ops::send(fd, &[b], flags));
    c_ret(r.map(|n| n as isize))
}

/// sendto(2). On a UDP socket the datagram goes to `addr` (or, with no address, to the peer:
/// `EDESTADDRREQ` if there is none); on a TCP socket the address is ignored, as Linux does.
///
/// # Safety
/// As `send`; `addr` readable for `addrlen` bytes (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sendto(
    fd: c_int,
    data: *const u8,
    len: usize,
    flags: c_int,
    addr: *const u8,
    addrlen: SockLen,
) -> isize {
    let r = (|| {
        // SAFETY: forwarded contract.
        let dest = unsafe { dest_bytes(addr, addrlen) }?;
        // SAFETY: forwarded contract.
        let b = unsafe { buf(data, len.min(MAX_RW_COUNT)) }?;
        ops::send_to(fd, &[b], flags, dest)
    })();
    c_ret(r.map(|n| n as isize))
}

/// recv(2): the bytes ready now (at least one, waiting if the socket blocks), or 0 at end of
/// stream. Flags: `MSG_DONTWAIT`; others `EOPNOTSUPP`. Not connected: `ENOTCONN`.
///
/// # Safety
/// `data` must be writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recv(fd: c_int, data: *mut u8, len: usize, flags: c_int) -> isize {
    if data.is_null() && len > 0 {
        return c_ret(recv_null(fd, flags).map(|n| n as isize));
    }
    // SAFETY: forwarded contract.
    let r = unsafe { buf_mut(data, len.min(MAX_RW_COUNT)) }
        .and_then(|b| ops::recv(fd, &mut [b], flags));
    c_ret(r.map(|n| n as isize))
}

/// A receive into a NULL buffer of non-zero length. Linux finds the bad buffer only when it
/// copies into it: until data is there the call waits and fails as any receive would (`EAGAIN`,
/// `ENOTCONN`, 0 at end of stream), then it is `EFAULT`. A stream's bytes stay queued; a
/// datagram is dropped (`udp_recvmsg` frees it after the failed copy) unless peeking.
fn recv_null(fd: c_int, flags: c_int) -> Result<usize> {
    let peek = crate::flags::MsgFlags::PEEK.bits();
    let mut one = [0u8; 1];
    let n = ops::recv(fd, &mut [&mut one[..]], flags | peek)?;
    if ops::is_datagram(fd) && flags & peek == 0 {
        let dontwait = crate::flags::MsgFlags::DONTWAIT.bits();
        let _ = ops::recv(fd, &mut [&mut one[..]], flags | dontwait);
    }
    if n == 0 { Ok(0) } else { Err(Errno::EFAULT) }
}

/// recvfrom(2). A UDP socket reports the sender, truncated to `*addrlen` bytes with `*addrlen`
/// set to its full size; a TCP socket reports none (`*addrlen` = 0), as on Linux.
///
/// # Safety
/// As `recv`; `addr`/`addrlen` as for `accept`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recvfrom(
    fd: c_int,
    data: *mut u8,
    len: usize,
    flags: c_int,
    addr: *mut u8,
    addrlen: *mut SockLen,
) -> isize {
    if data.is_null() && len > 0 {
        return c_ret(recv_null(fd, flags).map(|n| n as isize));
    }
    let r = (|| {
        // SAFETY: forwarded contract.
        let b = unsafe { buf_mut(data, len.min(MAX_RW_COUNT)) }?;
        let got = ops::recv_from(fd, &mut [b], flags)?;
        if !addr.is_null() {
            match got.from {
                // SAFETY: forwarded contract.
                Some(from) => unsafe { super::put_addr_out(addr, addrlen, &from) }?,
                None => {
                    // SAFETY: forwarded contract.
                    unsafe { read_addrlen(addrlen) }?;
                    // SAFETY: checked non-NULL and readable by read_addrlen; writable per contract.
                    unsafe { addrlen.write_unaligned(0) };
                }
            }
        }
        Ok(got.n as isize)
    })();
    c_ret(r)
}

/// sendmsg(2): the iovecs in order, as `send` would (all of them on a blocking socket; one
/// datagram on UDP, sent to `msg_name` if given). On TCP `msg_name` is ignored, as Linux does
/// (after checking its length). Ancillary data is not supported: a non-empty `msg_control` is
/// `EINVAL` rather than silently dropped.
///
/// # Safety
/// `msg` must point to a valid `struct msghdr` whose iovecs are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sendmsg(fd: c_int, msg: *const MsgHdr, flags: c_int) -> isize {
    let r = (|| {
        // SAFETY: forwarded contract.
        let (dest, bufs) = unsafe { msg::send_parts(msg) }?;
        ops::send_to(fd, &bufs, flags, dest)
    })();
    c_ret(r.map(|n| n as isize))
}

/// recvmsg(2): fills the iovecs in order. On UDP the sender goes to `msg_name` (truncated to
/// `msg_namelen`, which is set to its full size) and `msg_flags` has `MSG_TRUNC` when the datagram
/// did not fit; on TCP no address is reported (`msg_namelen` = 0) and `msg_flags` is 0, as on
/// Linux. No ancillary data is produced (`msg_controllen` = 0). Flags as for `recv`.
///
/// # Safety
/// `msg` must point to a valid, writable `struct msghdr` whose iovecs are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recvmsg(fd: c_int, msg: *mut MsgHdr, flags: c_int) -> isize {
    let r = (|| {
        // SAFETY: forwarded contract.
        let mut bufs = unsafe { msg::recv_bufs(msg) }?;
        let got = ops::recv_from(fd, &mut bufs, flags)?;
        // SAFETY: non-NULL (recv_bufs checked), valid and writable per the contract.
        unsafe { msg::finish_recv(msg, got.from, got.truncated) };
        Ok(got.n as isize)
    })();
    c_ret(r)
}

/// read(2): `recv` with no flags on a socket (but an empty read returns 0 at once, as Linux's
/// `sock_read_iter` does before asking the protocol); anything else goes to
/// [`passthrough`].
///
/// # Safety
/// `data` must be writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn read(fd: c_int, data: *mut u8, len: usize) -> isize {
    if socket::is_socket(fd) {
        if len == 0 {
            return 0;
        }
        if span(data, len) == Span::Outside {
            // vfs_read's access_ok, before `recv`'s own cut to MAX_RW_COUNT.
            return c_ret(Err(Errno::EFAULT));
        }
        // SAFETY: forwarded contract.
        return unsafe { recv(fd, data, len, 0) };
    }
    // SAFETY: forwarded contract.
    let r = match unsafe { buf_mut(data, len) } {
        Ok(b) => passthrough::read(fd, &mut [b]),
        Err(_) => bad_buffer(fd, Dir::Read, span(data, len)),
    };
    c_ret(r.map(|n| n as isize))
}

/// write(2): `send` with no flags on a socket; [`passthrough`] otherwise.
///
/// # Safety
/// `data` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn write(fd: c_int, data: *const u8, len: usize) -> isize {
    if socket::is_socket(fd) {
        if span(data, len) == Span::Outside {
            // vfs_write's access_ok, before `send`'s own cut to MAX_RW_COUNT.
            return c_ret(Err(Errno::EFAULT));
        }
        // SAFETY: forwarded contract.
        return unsafe { send(fd, data, len, 0) };
    }
    // SAFETY: forwarded contract.
    let r = match unsafe { buf(data, len) } {
        Ok(b) => passthrough::write(fd, &[b]),
        Err(_) => bad_buffer(fd, Dir::Write, span(data, len)),
    };
    c_ret(r.map(|n| n as isize))
}

/// readv(2): on a socket, one read of up to the iovecs' total, scattered in order (iovecs that
/// are all empty return 0 at once, as `read`).
///
/// # Safety
/// `iov` must hold `cnt` iovecs, each writable for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readv(fd: c_int, iov: *const IoVec, cnt: c_int) -> isize {
    if !socket::is_socket(fd) {
        // SAFETY: forwarded contract.
        return c_ret(unsafe { vector_other(Dir::Read, fd, iov, cnt) }.map(|n| n as isize));
    }
    let r = (|| {
        // SAFETY: forwarded contract.
        let v = unsafe { iovecs(iov, cnt) }?;
        if v.iter().all(|io| io.len == 0) {
            return Ok(0);
        }
        // SAFETY: forwarded contract.
        let mut bufs = unsafe { slices_mut(v) };
        ops::recv(fd, &mut bufs, 0)
    })();
    c_ret(r.map(|n| n as isize))
}

/// writev(2): on a socket, every iovec in order; a blocking socket writes them all.
///
/// # Safety
/// `iov` must hold `cnt` iovecs, each readable for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writev(fd: c_int, iov: *const IoVec, cnt: c_int) -> isize {
    if !socket::is_socket(fd) {
        // SAFETY: forwarded contract.
        return c_ret(unsafe { vector_other(Dir::Write, fd, iov, cnt) }.map(|n| n as isize));
    }
    let r = (|| {
        // SAFETY: forwarded contract.
        let v = unsafe { iovecs(iov, cnt) }?;
        // SAFETY: forwarded contract.
        let bufs = unsafe { slices(v) };
        ops::send(fd, &bufs, 0)
    })();
    c_ret(r.map(|n| n as isize))
}

/// A non-socket transfer whose buffer cannot be touched: outside memory is refused before the
/// transfer (Linux's `access_ok`), at NULL only when the copy would happen.
fn bad_buffer(fd: c_int, dir: Dir, where_: Span) -> Result<usize> {
    if where_ == Span::Outside {
        passthrough::check_open_for(fd, dir)?;
        return Err(Errno::EFAULT);
    }
    passthrough::bad_buffer(fd, dir)
}

/// `readv`/`writev` on a non-socket, with Linux's order of checks: the descriptor (`EBADF`),
/// then the array (`EINVAL`, `EFAULT`), then the buffers in order: a buffer that cannot be
/// touched ends the transfer there, as Linux's copy does (the bytes before it count; with none,
/// the descriptor's answer to a bad buffer, see [`passthrough::bad_buffer`]).
///
/// # Safety
/// `iov` must hold `cnt` iovecs, each valid for the transfer.
unsafe fn vector_other(dir: Dir, fd: c_int, iov: *const IoVec, cnt: c_int) -> Result<usize> {
    // SAFETY: forwarded contract.
    let v = match unsafe { iovec_array(iov, cnt) } {
        Ok(v) => v,
        Err(e) => {
            passthrough::check_open_for(fd, dir)?;
            return Err(e);
        }
    };
    let (good, bad_follows) = usable_prefix(v);
    let total: usize = good.iter().map(|io| io.len).sum();
    if total == 0 && !bad_follows {
        // Linux's vfs_readv/vfs_writev return 0 for an empty request once the descriptor
        // passed its checks, before the file's own code (a directory's EISDIR) runs.
        return passthrough::check_open_for(fd, dir).map(|_| 0);
    }
    let done = if dir == Dir::Read {
        // SAFETY: forwarded contract; `good` lies in memory.
        passthrough::read(fd, &mut unsafe { slices_mut(good) })?
    } else {
        // SAFETY: forwarded contract; `good` lies in memory.
        passthrough::write(fd, &unsafe { slices(good) })?
    };
    if bad_follows && total == 0 {
        return passthrough::bad_buffer(fd, dir);
    }
    Ok(done)
}

/// close(2): a socket releases its host resources (after the host has taken every byte already
/// written) and its number; any other descriptor is closed as wasi-libc does.
#[unsafe(no_mangle)]
pub extern "C" fn close(fd: c_int) -> c_int {
    if socket::close(fd) {
        return 0;
    }
    // wasi-libc scans the preopens before closing anything, so a closed preopen is never missed.
    p1::scan_preopens();
    c_ret(socket::close_other(fd).map(|()| 0))
}

/// wasi-libc's internal `dup2` (used by `freopen`). Defined here because wasi-libc keeps its own
/// copy in the same archive member as its `close`, which would clash with this library's.
/// Renumbering onto a socket closes the socket first, as `dup2` closes its target; renumbering a
/// socket itself is not supported (`EBADF`: the adapter cannot move a socket's reservation).
#[unsafe(no_mangle)]
pub extern "C" fn __wasilibc_fd_renumber(fd: c_int, newfd: c_int) -> c_int {
    if socket::is_socket(fd) {
        return c_ret(Err(Errno::EBADF));
    }
    p1::scan_preopens();
    socket::close(newfd);
    // SAFETY: plain preview 1 call.
    match unsafe { p1::fd_renumber(fd, newfd) } {
        0 => 0,
        e => c_ret(Err(Errno(i32::from(e)))),
    }
}
