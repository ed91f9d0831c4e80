//! `struct mmsghdr` vectors (`sendmmsg`, `recvmmsg`) and `recvmmsg`'s timeout.

use super::fdset::Timespec;
use super::msg::MsgHdr;
use super::whole_in_memory;
use crate::errno::{Errno, Result};

/// The most entries one `sendmmsg`/`recvmmsg` call takes (Linux's `UIO_MAXIOV`): a longer
/// vector is cut to it.
pub const MMSG_MAX: u32 = 1024;

/// `MSG_CMSG_COMPAT`: the kernel's own flag, which `sendmsg`, `recvmsg` and both batch calls
/// refuse from a program (`EINVAL`, before the descriptor is looked up).
pub const MSG_CMSG_COMPAT: i32 = 0x8000_0000_u32 as i32;

/// `MSG_WAITFORONE`: `recvmmsg` turns on `MSG_DONTWAIT` after the first message.
pub const MSG_WAITFORONE: i32 = 0x1_0000;

/// wasi-libc's `struct mmsghdr` (32 bytes): a message header and its message's byte count.
#[repr(C)]
pub struct MMsgHdr {
    /// `msg_hdr`.
    pub hdr: MsgHdr,
    /// `msg_len`: what `sendmsg`/`recvmsg` would have returned for the entry.
    pub len: u32,
}

/// Entry `i` of a vector at `v`: `EFAULT` unless all of it lies in memory (NULL included), as
/// Linux's copy of each header finds it at that entry's turn.
pub fn entry(v: *mut MMsgHdr, i: usize) -> Result<*mut MMsgHdr> {
    let p = v.wrapping_add(i);
    if !whole_in_memory(p.cast(), size_of::<MMsgHdr>()) {
        return Err(Errno::EFAULT);
    }
    Ok(p)
}

/// Set entry `e`'s `msg_len`.
///
/// # Safety
/// `e` from [`entry`], writable.
pub unsafe fn set_len(e: *mut MMsgHdr, n: usize) {
    // SAFETY: in memory (checked by `entry`), writable per the contract.
    unsafe { core::ptr::addr_of_mut!((*e).len).write_unaligned(n as u32) };
}

/// `recvmmsg`'s timeout, read before anything else: NULL none; not all in memory `EFAULT`;
/// negative or with nanoseconds out of range `EINVAL` ([`super::fdset::timespec_ns`]). In
/// nanoseconds.
///
/// # Safety
/// `t` NULL or readable when in memory.
pub unsafe fn read_timeout(t: *const Timespec) -> Result<Option<u64>> {
    // SAFETY: forwarded contract.
    unsafe { super::fdset::timespec_ns(t) }
}

/// Write the time left, `ns`, back to `recvmmsg`'s timeout.
///
/// # Safety
/// `t` checked by [`read_timeout`], writable.
pub unsafe fn write_timeout(t: *mut Timespec, ns: u64) {
    // SAFETY: in memory (checked), writable per the contract.
    unsafe { (*t).set_ns(ns) };
}
