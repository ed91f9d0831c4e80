//! Data transfer: `send`, `sendto`, `sendmsg`, `recv`, `recvfrom`, `recvmsg` on sockets, and
//! `read`, `write`, `readv`, `writev`, `close` on every descriptor (sockets are served by the
//! library; anything else as wasi-libc would serve it, with Linux's checks: see
//! [`crate::ops::desc`]).

use super::{IoVec, SockLen, buf, buf_mut, read_addrlen};
use crate::addr::Dest;
use crate::codec::mmsg::MSG_CMSG_COMPAT;
use crate::codec::msg::{self, iovec_array, slices, slices_mut, usable_prefix};
use crate::codec::sockaddr::dest_bytes;
use crate::codec::{MAX_RW_COUNT, Span, span};
use crate::errno::{Errno, Result, c_ret};
use crate::flags::MsgFlags;
use crate::ops::{self, Dir};
use libc::c_int;

pub use crate::codec::msg::MsgHdr;

/// The flags of a socket call, once `fd` is known to be a socket: Linux looks the descriptor up
/// first, so a closed one is `EBADF` (a non-socket `ENOTSOCK`) whatever the flags.
fn socket_flags(fd: c_int, flags: c_int) -> Result<MsgFlags> {
    if !ops::is_socket(fd) {
        return Err(ops::not_a_socket(fd));
    }
    Ok(MsgFlags::from_c(flags))
}

/// `send`, `recv` and their `to`/`from` forms check the buffer's place in the address space
/// before anything else (`import_ubuf`, after the cut to `MAX_RW_COUNT`); a NULL buffer faults
/// only when copied.
fn outside_first(data: *const u8, len: usize) -> Result<()> {
    if span(data, len) == Span::Outside {
        return Err(Errno::EFAULT);
    }
    Ok(())
}

/// send(2) on a connected TCP socket. A blocking send returns once everything is written (or
/// `SO_SNDTIMEO` expires: the count so far, or `EAGAIN`). Flags: `MSG_DONTWAIT`, `MSG_NOSIGNAL`
/// (always in effect: WASI has no `SIGPIPE`); others `EOPNOTSUPP`. Not connected: `EPIPE`.
///
/// # Safety
/// `data` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn send(fd: c_int, data: *const u8, len: usize, flags: c_int) -> isize {
    let r = (|| {
        let len = len.min(MAX_RW_COUNT);
        outside_first(data, len)?;
        let flags = socket_flags(fd, flags)?;
        // SAFETY: forwarded contract.
        match unsafe { buf(data, len) } {
            Ok(b) => ops::send(fd, &[b], flags),
            Err(_) => ops::send_fault(fd, &[], len, flags, Dest::Peer),
        }
    })();
    let r = crate::trace::traced!("send"("{fd}, {data:p}, {len}, {flags:#x}"), r);
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
        if ops::unix::is_unix(fd) {
            let len = len.min(MAX_RW_COUNT);
            outside_first(data, len)?;
            // SAFETY: forwarded contract.
            return unsafe { super::unix::sendto(fd, data, len, flags, addr, addrlen) };
        }
        // Linux's __sys_sendto: the buffer's place, the descriptor, then the address's copy.
        let len = len.min(MAX_RW_COUNT);
        outside_first(data, len)?;
        let flags = socket_flags(fd, flags)?;
        // SAFETY: forwarded contract.
        let dest = unsafe { dest_bytes(addr, addrlen) }?;
        let dest = Dest::decode(dest, ops::family(fd)?);
        // SAFETY: forwarded contract.
        match unsafe { buf(data, len) } {
            Ok(b) => ops::send_to(fd, &[b], flags, dest),
            Err(_) => ops::send_fault(fd, &[], len, flags, dest),
        }
    })();
    let r = crate::trace::traced!(
        "sendto"("{fd}, {data:p}, {len}, {flags:#x}, {addr:p}, {addrlen}"),
        r
    );
    c_ret(r.map(|n| n as isize))
}

/// recv(2): the bytes ready now (at least one, waiting if the socket blocks), or 0 at end of
/// stream. Flags: `MSG_DONTWAIT`, `MSG_PEEK`, `MSG_WAITALL`, `MSG_TRUNC`; others `EOPNOTSUPP`.
/// Not connected: `ENOTCONN`.
///
/// # Safety
/// `data` must be writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recv(fd: c_int, data: *mut u8, len: usize, flags: c_int) -> isize {
    let r = (|| {
        let len = len.min(MAX_RW_COUNT);
        outside_first(data, len)?;
        let flags = socket_flags(fd, flags)?;
        // SAFETY: forwarded contract.
        match unsafe { buf_mut(data, len) } {
            Ok(b) => ops::recv(fd, &mut [b], flags),
            Err(_) => ops::recv_fault(fd, flags, len),
        }
    })();
    let r = crate::trace::traced!("recv"("{fd}, {data:p}, {len}, {flags:#x}"), r);
    c_ret(r.map(|n| n as isize))
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
    let r = (|| {
        let len = len.min(MAX_RW_COUNT);
        outside_first(data, len)?;
        let flags = socket_flags(fd, flags)?;
        // SAFETY: forwarded contract.
        let b = unsafe { buf_mut(data, len) }.ok();
        if ops::unix::is_unix(fd) {
            // SAFETY: forwarded contract.
            return unsafe { super::unix::recvfrom(fd, b, flags, addr, addrlen) };
        }
        let got = match b {
            Some(b) => ops::recv_from(fd, &mut [b], flags)?,
            // (An empty datagram into a NULL buffer is received, with its sender.)
            None => ops::recv_fault_from(fd, flags, len)?,
        };
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
        Ok(got.n)
    })();
    let r = crate::trace::traced!("recvfrom"("{fd}, {data:p}, {len}, {flags:#x}"), r);
    c_ret(r.map(|n| n as isize))
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
        if flags & MSG_CMSG_COMPAT != 0 {
            return Err(Errno::EINVAL); // the kernel's own flag, refused before the descriptor
        }
        if !ops::is_socket(fd) {
            return Err(ops::not_a_socket(fd));
        }
        // SAFETY: forwarded contract.
        unsafe { sendmsg_on(fd, msg, flags) }
    })();
    let r = crate::trace::traced!("sendmsg"("{fd}, {msg:p}, {flags:#x}"), r);
    c_ret(r.map(|n| n as isize))
}

/// `sendmsg` on `fd`, known to be a socket (also each entry of `sendmmsg`).
///
/// # Safety
/// As `sendmsg`.
pub(super) unsafe fn sendmsg_on(fd: c_int, msg: *const MsgHdr, flags: c_int) -> Result<usize> {
    if ops::unix::is_unix(fd) {
        // SAFETY: forwarded contract.
        return unsafe { super::unix::sendmsg(fd, msg, flags) };
    }
    // SAFETY: forwarded contract.
    let (dest, v) = unsafe { msg::send_parts(msg) }?;
    let flags = MsgFlags::from_c(flags);
    let dest = Dest::decode(dest, ops::family(fd)?);
    // SAFETY: forwarded contract.
    unsafe { send_iovecs(fd, v, flags, dest) }
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
        if flags & MSG_CMSG_COMPAT != 0 {
            return Err(Errno::EINVAL); // as sendmsg
        }
        if !ops::is_socket(fd) {
            return Err(ops::not_a_socket(fd));
        }
        // SAFETY: forwarded contract.
        unsafe { recvmsg_on(fd, msg, flags) }
    })();
    let r = crate::trace::traced!("recvmsg"("{fd}, {msg:p}, {flags:#x}"), r);
    c_ret(r.map(|n| n as isize))
}

/// `recvmsg` on `fd`, known to be a socket (also each entry of `recvmmsg`).
///
/// # Safety
/// As `recvmsg`.
pub(super) unsafe fn recvmsg_on(fd: c_int, msg: *mut MsgHdr, flags: c_int) -> Result<usize> {
    if ops::unix::is_unix(fd) {
        // SAFETY: forwarded contract.
        return unsafe { super::unix::recvmsg(fd, msg, flags) };
    }
    // SAFETY: forwarded contract.
    let v = unsafe { msg::recv_bufs(msg) }?;
    let flags = MsgFlags::from_c(flags);
    // SAFETY: forwarded contract.
    let got = unsafe { recv_iovecs(fd, v, flags) }?;
    // SAFETY: in memory (recv_bufs checked), valid and writable per the contract.
    unsafe { msg::finish_recv(msg, got.from, got.truncated) }?;
    Ok(got.n)
}

/// read(2): `recv` with no flags on a socket (an empty read returns 0 at once, as Linux's
/// `sock_read_iter`); any other descriptor as wasi-libc reads it, with Linux's checks.
///
/// # Safety
/// `data` must be writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn read(fd: c_int, data: *mut u8, len: usize) -> isize {
    // SAFETY: forwarded contract.
    let r = match unsafe { buf_mut(data, len) } {
        Ok(b) => ops::read(fd, &mut [b]),
        Err(_) => ops::bad_buffer(fd, Dir::Read, span(data, len), len),
    };
    let r = crate::trace::traced!("read"("{fd}, {data:p}, {len}"), r);
    c_ret(r.map(|n| n as isize))
}

/// write(2): `send` with no flags on a socket; any other descriptor as wasi-libc writes it.
///
/// # Safety
/// `data` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn write(fd: c_int, data: *const u8, len: usize) -> isize {
    // SAFETY: forwarded contract.
    let r = match unsafe { buf(data, len) } {
        Ok(b) => ops::write(fd, &[b]),
        Err(_) => ops::bad_buffer(fd, Dir::Write, span(data, len), len),
    };
    let r = crate::trace::traced!("write"("{fd}, {data:p}, {len}"), r);
    c_ret(r.map(|n| n as isize))
}

/// readv(2): on a socket, one read of up to the iovecs' total, scattered in order (iovecs that
/// are all empty return 0 at once, as `read`).
///
/// # Safety
/// `iov` must hold `cnt` iovecs, each writable for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readv(fd: c_int, iov: *const IoVec, cnt: c_int) -> isize {
    // SAFETY: forwarded contract.
    let r = crate::trace::traced!("readv"("{fd}, {iov:p}, {cnt}"), unsafe {
        vector(Dir::Read, fd, iov, cnt)
    });
    c_ret(r.map(|n| n as isize))
}

/// writev(2): on a socket, every iovec in order; a blocking socket writes them all.
///
/// # Safety
/// `iov` must hold `cnt` iovecs, each readable for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writev(fd: c_int, iov: *const IoVec, cnt: c_int) -> isize {
    // SAFETY: forwarded contract.
    let r = crate::trace::traced!("writev"("{fd}, {iov:p}, {cnt}"), unsafe {
        vector(Dir::Write, fd, iov, cnt)
    });
    c_ret(r.map(|n| n as isize))
}

/// A send from iovecs: Linux copies them in order and finds a buffer that faults (at NULL or
/// past the end of memory) only when it gets there (see [`ops::send_fault`]).
///
/// # Safety
/// The iovecs' buffers before the first bad one readable for their lengths.
unsafe fn send_iovecs(fd: c_int, v: &[IoVec], flags: MsgFlags, dest: Dest) -> Result<usize> {
    // SAFETY: forwarded contract.
    let (bufs, total) = unsafe { readable(v) };
    if total > crate::iov::total(&bufs) {
        return ops::send_fault(fd, &bufs, total, flags, dest);
    }
    ops::send_to(fd, &bufs, flags, dest)
}

/// The buffers of a send's iovecs that can be read (those before the first one that faults),
/// and the length of all of them.
///
/// # Safety
/// The iovecs' buffers before the first bad one readable for their lengths.
pub(super) unsafe fn readable<'a>(v: &[IoVec]) -> (alloc::vec::Vec<&'a [u8]>, usize) {
    let (good, _) = usable_prefix(v);
    // SAFETY: forwarded contract; `good` lies in memory.
    (unsafe { slices(good) }, v.iter().map(|io| io.len).sum())
}

/// A receive into iovecs: when the first one with room faults, the call waits and fails as any
/// receive would and then says EFAULT ([`ops::recv_fault`]); a bad one later only ends the
/// room there.
///
/// # Safety
/// The iovecs' buffers before the first bad one writable for their lengths, and disjoint.
unsafe fn recv_iovecs(fd: c_int, v: &[IoVec], flags: MsgFlags) -> Result<ops::Received> {
    let (good, bad) = usable_prefix(v);
    if bad && good.iter().all(|io| io.len == 0) {
        return ops::recv_fault_from(fd, flags, v.iter().map(|io| io.len).sum());
    }
    // SAFETY: forwarded contract; `good` lies in memory.
    ops::recv_from(fd, &mut unsafe { slices_mut(good) }, flags)
}

/// `readv`/`writev`, with Linux's order of checks: the descriptor (`EBADF`), then the array
/// (`EINVAL`, `EFAULT`), then the buffers in order. On a socket any unusable buffer is `EFAULT`
/// up front; on another descriptor a buffer that cannot be touched ends the transfer there, as
/// Linux's copy does (the bytes before it count; with none, the descriptor's answer to a bad
/// buffer, see [`ops::bad_buffer`]).
///
/// # Safety
/// `iov` must hold `cnt` iovecs, each valid for the transfer.
unsafe fn vector(dir: Dir, fd: c_int, iov: *const IoVec, cnt: c_int) -> Result<usize> {
    if ops::is_socket(fd) {
        // SAFETY: forwarded contract.
        let v = unsafe { iovec_array(iov, cnt) }?;
        if v.iter().all(|io| io.len == 0) {
            // Linux's vfs_readv/vfs_writev return 0 for an empty request before the socket
            // code runs (it said EPIPE, EDESTADDRREQ, ...: found by tests/fuzz/diff.c).
            return Ok(0);
        }
        return match dir {
            // SAFETY: forwarded contract.
            Dir::Read => unsafe { recv_iovecs(fd, v, MsgFlags::empty()) }.map(|r| r.n),
            // SAFETY: forwarded contract.
            Dir::Write => unsafe { send_iovecs(fd, v, MsgFlags::empty(), Dest::Peer) },
        };
    }
    // SAFETY: forwarded contract.
    let v = match unsafe { iovec_array(iov, cnt) } {
        Ok(v) => v,
        Err(e) => {
            ops::check_open_for(fd, dir)?;
            return Err(e);
        }
    };
    let (good, bad_follows) = usable_prefix(v);
    let total: usize = good.iter().map(|io| io.len).sum();
    if total == 0 {
        if bad_follows {
            let all = v.iter().map(|io| io.len).sum();
            return ops::bad_buffer(fd, dir, Span::Unmapped, all);
        }
        // Linux's vfs_readv/vfs_writev return 0 for an empty request once the descriptor
        // passed its checks, before the file's own code (a directory's EISDIR) runs.
        return ops::check_open_for(fd, dir).map(|()| 0);
    }
    match dir {
        // SAFETY: forwarded contract; `good` lies in memory.
        Dir::Read => ops::read(fd, &mut unsafe { slices_mut(good) }),
        // SAFETY: forwarded contract; `good` lies in memory.
        Dir::Write => ops::write(fd, &unsafe { slices(good) }),
    }
}

/// close(2): a socket releases its host resources (after the host has taken every byte already
/// written) and its number; any other descriptor is closed as wasi-libc does.
#[unsafe(no_mangle)]
pub extern "C" fn close(fd: c_int) -> c_int {
    c_ret(crate::trace::traced!(
        "close"("{fd}"),
        ops::close(fd).map(|()| 0)
    ))
}

/// sendfile(2): up to `count` bytes of the file `in_fd` (from `*offset`, which is advanced, or
/// from its file position, which moves) to `out_fd`; see [`ops::sendfile()`].
///
/// # Safety
/// `offset` NULL or a valid `off_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sendfile(
    out_fd: c_int,
    in_fd: c_int,
    offset: *mut i64,
    count: usize,
) -> isize {
    let r = (|| {
        let off = if offset.is_null() {
            None
        } else if !crate::codec::whole_in_memory(offset.cast(), 8) {
            return Err(crate::errno::Errno::EFAULT);
        } else {
            // SAFETY: non-NULL, in memory, a valid off_t per the contract.
            Some(unsafe { offset.read_unaligned() })
        };
        let (n, at) = ops::sendfile(out_fd, in_fd, off, count)?;
        if off.is_some() {
            // SAFETY: as above.
            unsafe { offset.write_unaligned(at as i64) };
        }
        Ok(n as isize)
    })();
    c_ret(crate::trace::traced!(
        "sendfile"("{out_fd}, {in_fd}, {offset:p}, {count}"),
        r
    ))
}

/// dup(2): the lowest free number for the same open object: a socket, or a file or stdio
/// stream (which the library then shares on the adapter's behalf: preview 1 has no dup).
#[unsafe(no_mangle)]
pub extern "C" fn dup(fd: c_int) -> c_int {
    c_ret(crate::trace::traced!("dup"("{fd}"), ops::dup(fd)))
}

/// dup2(2): `fd`'s open object under exactly `newfd`, closing what `newfd` held first (a
/// socket onto 0, 1 or 2 makes stdio read and write the connection). `dup2(fd, fd)` returns
/// `fd` if it is open; `newfd` outside `0..RLIMIT_NOFILE` is `EBADF`.
#[unsafe(no_mangle)]
pub extern "C" fn dup2(fd: c_int, newfd: c_int) -> c_int {
    let r = ops::dup2(fd, newfd, false, false);
    c_ret(crate::trace::traced!("dup2"("{fd}, {newfd}"), r))
}

/// dup3(2): `dup2` with flags (`O_CLOEXEC`, which wasi-libc defines as 0; any other bit is
/// `EINVAL`), and equal numbers are `EINVAL`.
#[unsafe(no_mangle)]
pub extern "C" fn dup3(fd: c_int, newfd: c_int, flags: c_int) -> c_int {
    let r = if flags != 0 {
        Err(crate::errno::Errno::EINVAL)
    } else {
        ops::dup2(fd, newfd, false, true)
    };
    c_ret(crate::trace::traced!(
        "dup3"("{fd}, {newfd}, {flags:#x}"),
        r
    ))
}

/// wasi-libc's internal `dup2` (used by `freopen`). Defined here because wasi-libc keeps its own
/// copy in the same archive member as its `close`, which would clash with this library's.
#[unsafe(no_mangle)]
pub extern "C" fn __wasilibc_fd_renumber(fd: c_int, newfd: c_int) -> c_int {
    c_ret(ops::renumber(fd, newfd).map(|()| 0))
}
