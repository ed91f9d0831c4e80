//! `iovec` arrays (`readv`, `writev`) and `struct msghdr` (`sendmsg`, `recvmsg`): Linux's checks
//! on them, their buffers as slices for [`crate::iov`]'s scatter/gather, and what `recvmsg`
//! writes back.

use super::sockaddr::{dest_bytes, write_addr, write_addr_bytes};
use super::{SockLen, Span, buf, buf_mut};
use crate::errno::{Errno, Result};
use alloc::vec::Vec;
use core::net::SocketAddr;

/// `struct iovec` (wasi-libc: two 32-bit fields).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IoVec {
    /// `iov_base`.
    pub base: *mut u8,
    /// `iov_len`.
    pub len: usize,
}

/// Linux's `UIO_MAXIOV` (`IOV_MAX`): the most iovecs one call may pass.
pub const IOV_MAX: i32 = 1024;

/// `MSG_TRUNC` in `msg_flags`: the value `include/sys/socket.h` gives it (wasi-libc's wasip2 one).
pub const MSG_TRUNC: i32 = 0x20;
/// `MSG_CTRUNC` in `msg_flags`: control messages did not all fit.
pub const MSG_CTRUNC: i32 = 0x08;

/// A caller's iovec array, with `readv`/`writev`'s checks: count negative or above `IOV_MAX`
/// -> `EINVAL`; NULL with a non-zero count -> `EFAULT`; a length negative as `ssize_t` ->
/// `EINVAL`; a buffer outside memory -> `EFAULT`; total length overflowing `ssize_t` ->
/// `EINVAL`; then a non-empty buffer at NULL -> `EFAULT`.
///
/// # Safety
/// If non-NULL, `iov` must be valid for reads of `cnt` iovecs.
pub unsafe fn iovecs<'a>(iov: *const IoVec, cnt: i32) -> Result<&'a [IoVec]> {
    // SAFETY: forwarded contract.
    let v = unsafe { iovec_array(iov, cnt) }?;
    if v.iter().any(|io| !iovec_ok(io)) {
        return Err(Errno::EFAULT);
    }
    Ok(v)
}

/// [`iovecs`]' checks in Linux's `import_iovec` order (the array, each length, each buffer's
/// place in the address space), leaving a buffer at NULL for the copy to find: Linux faults on
/// it only after the good ones before it (see [`usable_prefix`]).
///
/// # Safety
/// As [`iovecs`].
pub unsafe fn iovec_array<'a>(iov: *const IoVec, cnt: i32) -> Result<&'a [IoVec]> {
    if !(0..=IOV_MAX).contains(&cnt) {
        return Err(Errno::EINVAL);
    }
    if cnt == 0 {
        return Ok(&[]);
    }
    let bytes = cnt as usize * core::mem::size_of::<IoVec>();
    if !super::whole_in_memory(iov.cast(), bytes) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract, and inside memory (checked).
    let v = unsafe { core::slice::from_raw_parts(iov, cnt as usize) };
    if v.iter().any(|io| io.len > isize::MAX as usize) {
        return Err(Errno::EINVAL);
    }
    if v.iter()
        .any(|io| super::span(io.base, io.len) == Span::Outside)
    {
        return Err(Errno::EFAULT);
    }
    let mut total: usize = 0;
    for io in v {
        total = total.checked_add(io.len).ok_or(Errno::EINVAL)?;
        if total > isize::MAX as usize {
            return Err(Errno::EINVAL);
        }
    }
    Ok(v)
}

/// Whether an iovec's buffer can be touched (empty, or valid memory).
fn iovec_ok(io: &IoVec) -> bool {
    super::valid_buf(io.base, io.len)
}

/// The iovecs before the first one whose buffer cannot be touched, and whether one such follows.
pub fn usable_prefix(v: &[IoVec]) -> (&[IoVec], bool) {
    match v.iter().position(|io| !iovec_ok(io)) {
        Some(i) => (&v[..i], true),
        None => (v, false),
    }
}

/// The buffers of iovecs [`iovecs`] accepted, as slices to read from.
///
/// # Safety
/// Each iovec's buffer readable for its length, and not written while the slices live.
pub unsafe fn slices<'a>(v: &[IoVec]) -> Vec<&'a [u8]> {
    v.iter()
        // SAFETY: iovecs() checked each non-empty buffer lies in memory; readable per contract.
        .map(|io| unsafe { buf(io.base, io.len) }.unwrap_or_default())
        .collect()
}

/// The buffers of iovecs [`iovecs`] accepted, as slices to write into.
///
/// # Safety
/// Each iovec's buffer writable for its length, the buffers disjoint, and not otherwise accessed
/// while the slices live.
pub unsafe fn slices_mut<'a>(v: &[IoVec]) -> Vec<&'a mut [u8]> {
    v.iter()
        // SAFETY: iovecs() checked each non-empty buffer lies in memory; writable per contract.
        .map(|io| unsafe { buf_mut(io.base, io.len) }.unwrap_or_default())
        .collect()
}

/// wasi-libc's `struct msghdr` (28 bytes).
#[repr(C)]
pub struct MsgHdr {
    name: *mut u8,
    namelen: SockLen,
    iov: *mut IoVec,
    iovlen: i32,
    control: *mut u8,
    controllen: SockLen,
    flags: i32,
}

/// A message's iovecs: as for `readv`, except that Linux reports a bad count as `EMSGSIZE`.
///
/// # Safety
/// `m.iov` must hold `m.iovlen` valid iovecs.
unsafe fn msg_iovecs<'a>(m: &MsgHdr) -> Result<&'a [IoVec]> {
    if !(0..=IOV_MAX).contains(&m.iovlen) {
        return Err(Errno::EMSGSIZE);
    }
    // SAFETY: forwarded contract.
    unsafe { iovec_array(m.iov, m.iovlen) }
}

/// The length of the message a header describes (its iovecs' lengths), for a header a send
/// has accepted; 0 for one it would not.
///
/// # Safety
/// `msg` a valid `struct msghdr`.
pub unsafe fn send_len(msg: *const MsgHdr) -> usize {
    // SAFETY: valid per the contract.
    match unsafe { msg_iovecs(&*msg) } {
        Ok(v) => v.iter().fold(0, |n, io| n.saturating_add(io.len)),
        Err(_) => 0,
    }
}

/// What `sendmsg` sends: the destination's bytes (`None`: no `msg_name`) and the iovecs, checked
/// as [`iovec_array`] does (a buffer at NULL is left for the copy to find, see
/// [`usable_prefix`]).
pub type SendParts<'a> = (Option<&'a [u8]>, &'a [IoVec]);

/// [`SendParts`] and the control buffer's bytes.
pub type SendPartsWithControl<'a> = (Option<&'a [u8]>, &'a [IoVec], &'a [u8]);

/// What every `sendmsg` check before the control buffer's own found: the destination's bytes,
/// the iovecs, the header.
type Checked<'a> = (Option<&'a [u8]>, &'a [IoVec], &'a MsgHdr);

/// `sendmsg`'s message, checked in Linux's order: NULL `msg` -> `EFAULT`; `msg_name` as a
/// destination (see [`dest_bytes`]; `msg_namelen` cut to 128, 0 meaning none); the iovecs; a
/// non-empty `msg_control` -> `EINVAL` (ancillary data is not supported on IP sockets;
/// `ENOBUFS` above `INT_MAX`, `EFAULT` when NULL or not all in memory, as Linux copies it
/// before the protocol looks at it). Returns the destination's bytes and the data's pieces.
///
/// # Safety
/// `msg` NULL or a valid `struct msghdr` whose name and iovecs are readable.
pub unsafe fn send_parts<'a>(msg: *const MsgHdr) -> Result<SendParts<'a>> {
    // SAFETY: forwarded contract.
    let (dest, v, m) = unsafe { send_checks(msg) }?;
    if m.controllen > 0 {
        return Err(
            if super::whole_in_memory(m.control, m.controllen as usize) {
                Errno::EINVAL
            } else {
                Errno::EFAULT
            },
        );
    }
    Ok((dest, v))
}

/// [`send_parts`], with the control buffer's bytes (for an AF_UNIX socket's `SCM_RIGHTS`)
/// returned instead of refused: NULL, or not all in memory, with a length -> `EFAULT`. (A
/// buffer at NULL is left for the copy to find, as in [`send_parts`].)
///
/// # Safety
/// As [`send_parts`]; the control buffer readable for `msg_controllen` bytes.
pub unsafe fn send_parts_with_control<'a>(msg: *const MsgHdr) -> Result<SendPartsWithControl<'a>> {
    // SAFETY: forwarded contract.
    let (dest, v, m) = unsafe { send_checks(msg) }?;
    let len = m.controllen as usize;
    let control = if len == 0 {
        &[][..]
    } else if !super::whole_in_memory(m.control, len) {
        return Err(Errno::EFAULT);
    } else {
        // SAFETY: non-NULL and in memory (checked); readable per the contract.
        unsafe { core::slice::from_raw_parts(m.control, len) }
    };
    Ok((dest, v, control))
}

/// `sendmsg`'s checks before the control buffer's own: the name, the iovecs, and a control
/// length above `INT_MAX` (`ENOBUFS`).
///
/// # Safety
/// As [`send_parts`].
unsafe fn send_checks<'a>(msg: *const MsgHdr) -> Result<Checked<'a>> {
    header_in_memory(msg)?;
    // SAFETY: in memory per the check; valid per the contract.
    let m = unsafe { &*msg };
    // Linux's __copy_msghdr: a length negative as an int is EINVAL, a longer one than
    // sockaddr_storage is cut to it, a zero one means no address; then the iovecs; only then
    // (____sys_sendmsg) the control buffer: above INT_MAX ENOBUFS, unreadable EFAULT.
    let namelen = name_len(m)?.min(crate::addr::MAX_ADDR_LEN as SockLen);
    let name = if namelen == 0 {
        core::ptr::null_mut()
    } else {
        m.name
    };
    // SAFETY: `msg_name` is readable for `msg_namelen` bytes per the contract.
    let dest = unsafe { dest_bytes(name, namelen) }?;
    // SAFETY: forwarded contract.
    let v = unsafe { msg_iovecs(m) }?;
    if m.controllen > i32::MAX as SockLen {
        return Err(Errno::ENOBUFS);
    }
    Ok((dest, v, m))
}

/// A message header that is NULL or not all in memory is `EFAULT` (Linux's copy of it fails;
/// reading it here would trap).
fn header_in_memory(msg: *const MsgHdr) -> Result<()> {
    if !super::whole_in_memory(msg.cast(), size_of::<MsgHdr>()) {
        return Err(Errno::EFAULT);
    }
    Ok(())
}

/// `msg_namelen` as Linux reads it: 0 when `msg_name` is NULL, `EINVAL` when negative as an
/// `int`.
fn name_len(m: &MsgHdr) -> Result<SockLen> {
    if m.name.is_null() {
        return Ok(0);
    }
    if m.namelen > i32::MAX as SockLen {
        return Err(Errno::EINVAL);
    }
    Ok(m.namelen)
}

/// `recvmsg`'s buffers: NULL `msg` -> `EFAULT`, then the iovecs' checks.
///
/// # Safety
/// `msg` NULL or a valid `struct msghdr` whose iovecs are writable (as for [`slices_mut`]).
pub unsafe fn recv_bufs<'a>(msg: *const MsgHdr) -> Result<&'a [IoVec]> {
    header_in_memory(msg)?;
    // SAFETY: in memory per the check; valid per the contract.
    let m = unsafe { &*msg };
    // A negative `msg_namelen` fails before anything is received, as on Linux.
    name_len(m)?;
    // SAFETY: forwarded contract.
    unsafe { msg_iovecs(m) }
}

/// A `recvmsg`'s control buffer, for descriptors received (`SCM_RIGHTS`): empty when NULL or
/// not all in memory (descriptors that do not fit are closed, as Linux closes those it cannot
/// deliver).
///
/// # Safety
/// `msg` a valid `struct msghdr` (checked non-NULL by [`recv_bufs`]) whose control buffer, if
/// any, is writable for `msg_controllen` bytes and not otherwise accessed while the slice lives.
pub unsafe fn recv_control<'a>(msg: *const MsgHdr) -> &'a mut [u8] {
    // SAFETY: valid per the contract.
    let m = unsafe { &*msg };
    let len = m.controllen as usize;
    if len == 0 || !super::whole_in_memory(m.control, len) {
        return &mut [];
    }
    // SAFETY: non-NULL and in memory (checked); writable per the contract.
    unsafe { core::slice::from_raw_parts_mut(m.control, len) }
}

/// What `recvmsg` writes back after a receive on an AF_UNIX socket: the sender's name (`None`:
/// unnamed, `msg_namelen` 0), `msg_controllen` (the control bytes used, see
/// [`super::cmsg::put_rights`]) and `msg_flags`. A name that cannot be written is `EFAULT`, as
/// in [`finish_recv`].
///
/// # Safety
/// As [`finish_recv`].
pub unsafe fn finish_recv_unix(
    msg: *mut MsgHdr,
    from: Option<&[u8]>,
    used: usize,
    flags: i32,
) -> Result<()> {
    // SAFETY: valid and writable per the contract.
    let m = unsafe { &mut *msg };
    match from {
        Some(from) if !m.name.is_null() => {
            let cap = m.namelen as usize;
            // SAFETY: `msg_name` is writable for `msg_namelen` bytes where in memory, per the
            // contract.
            unsafe { write_addr_bytes(m.name, cap, &mut m.namelen, from) }?;
        }
        _ => m.namelen = 0,
    }
    m.controllen = used as SockLen;
    m.flags = flags;
    Ok(())
}

/// What `recvmsg` writes back after a receive: the sender to `msg_name` (truncated to
/// `msg_namelen`, which is set to its full size) when there is one and `msg_name` is not NULL,
/// else `msg_namelen` = 0; `msg_controllen` = 0 (no ancillary data); `msg_flags` = `MSG_TRUNC`
/// when the datagram did not fit, else 0. A `msg_name` outside memory is `EFAULT` once
/// `msg_namelen` is stored, with `msg_controllen` and `msg_flags` left alone (Linux's
/// `___sys_recvmsg` returns there; the message is consumed).
///
/// # Safety
/// `msg` a valid, writable `struct msghdr` whose `msg_name` (if non-NULL) is writable for
/// `msg_namelen` bytes where it lies in memory.
pub unsafe fn finish_recv(
    msg: *mut MsgHdr,
    from: Option<SocketAddr>,
    truncated: bool,
) -> Result<()> {
    // SAFETY: valid and writable per the contract.
    let m = unsafe { &mut *msg };
    match from {
        Some(from) if !m.name.is_null() => {
            let cap = m.namelen as usize;
            // SAFETY: `msg_name` is writable for `msg_namelen` bytes where in memory, per the
            // contract.
            unsafe { write_addr(m.name, cap, &mut m.namelen, &from) }?;
        }
        _ => m.namelen = 0,
    }
    m.controllen = 0;
    m.flags = if truncated { MSG_TRUNC } else { 0 };
    Ok(())
}

#[cfg(test)]
mod tests;
