//! Socket addresses across the C ABI: the caller's `(addr, addrlen)` in, with Linux's
//! `move_addr_to_kernel` checks, and out, truncated like Linux's `move_addr_to_user`. The bytes
//! themselves are [`crate::addr`]'s.

use super::{SockLen, read_len, whole_in_memory};
use crate::addr::{self, Encoded, MAX_ADDR_LEN};
use crate::errno::{Errno, Result};
use core::net::SocketAddr;

/// The caller's address argument as bytes, with Linux's `move_addr_to_kernel` checks: a length
/// above 128 (or negative as an `int`) is `EINVAL`; NULL, or not all in memory, with a non-zero
/// length is `EFAULT`.
///
/// # Safety
/// If in memory, `ptr` must be valid for reads of `len` bytes.
pub unsafe fn addr_bytes<'a>(ptr: *const u8, len: SockLen) -> Result<&'a [u8]> {
    let len = len as usize;
    if len > MAX_ADDR_LEN {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(&[]);
    }
    if !whole_in_memory(ptr, len) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: in memory and, per the contract, readable for `len` bytes.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A destination address argument (`sendto`, `sendmsg`'s `msg_name`): `None` when NULL (as
/// Linux, whatever the length), else its bytes with [`addr_bytes`]' checks.
///
/// # Safety
/// `addr` readable for `len` bytes, or NULL.
pub unsafe fn dest_bytes<'a>(addr: *const u8, len: SockLen) -> Result<Option<&'a [u8]>> {
    if addr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { addr_bytes(addr, len) }.map(Some)
}

/// Deliver an address to an optional out-pair (`accept`, `recvfrom`): nothing when `addr` is
/// NULL; otherwise `*len` is checked (NULL or outside memory `EFAULT`, negative `EINVAL`) and
/// the address copied with [`write_addr`]. Linux checks the pair only after the operation that
/// produced the address (the connection or datagram is consumed either way), and so does every
/// caller of this.
///
/// # Safety
/// As [`write_addr`], when `addr` is non-NULL.
pub unsafe fn put_addr_out(addr: *mut u8, len: *mut SockLen, a: &SocketAddr) -> Result<()> {
    if addr.is_null() {
        return Ok(());
    }
    // SAFETY: forwarded contract.
    let cap = unsafe { read_len(len) }?;
    // SAFETY: forwarded contract.
    unsafe { write_addr(addr, cap, len, a) }
}

/// Copy an address to the caller like Linux's `move_addr_to_user`: store the full length, then
/// copy at most `cap` bytes (the caller's `*addrlen`), so a short buffer is truncated and the
/// caller learns the real size. Nothing past `cap` bytes is written. An address buffer that is
/// NULL or not all in memory for the bytes to copy is `EFAULT`, with the length already stored
/// (Linux stores it first).
///
/// # Safety
/// `addr` must be valid for writes of `cap` bytes where it lies in memory; `len` for a write
/// (checked by [`read_len`]).
pub unsafe fn write_addr(
    addr: *mut u8,
    cap: usize,
    len: *mut SockLen,
    a: &SocketAddr,
) -> Result<()> {
    let enc: Encoded = addr::encode(a);
    // SAFETY: forwarded contract.
    unsafe { write_addr_bytes(addr, cap, len, enc.as_bytes()) }
}

/// [`write_addr`] for an address already encoded (an AF_UNIX name).
///
/// # Safety
/// As [`write_addr`].
pub unsafe fn write_addr_bytes(
    addr: *mut u8,
    cap: usize,
    len: *mut SockLen,
    bytes: &[u8],
) -> Result<()> {
    // SAFETY: `len` is writable per the contract.
    unsafe { len.write_unaligned(bytes.len() as SockLen) };
    let n = bytes.len().min(cap);
    if n == 0 {
        return Ok(());
    }
    if !whole_in_memory(addr, n) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: in memory, and writable for `cap >= n` bytes per the contract; no overlap with a
    // local.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), addr, n) };
    Ok(())
}

#[cfg(test)]
mod tests;
