//! The exported C ABI: `#[no_mangle] extern "C"` functions only. Each one decodes its arguments
//! (pointers into Rust values, with Linux's checks on them), calls [`crate::ops`] or the
//! preview 1 pass-through for non-socket descriptors, and converts the result with
//! [`crate::errno::c_ret`], the one place `errno` is written.
//!
//! Pointer arguments come from C and are only as valid as C says: the helpers here check what
//! can be checked (NULL, lengths) and otherwise trust the caller's stated lengths, as libc does.

pub mod fcntl;
pub mod io;
pub mod netdb;
pub mod poll;
pub mod socket;
pub mod sockopt;
pub mod stat;

use crate::addr::{self, Encoded, Family, MAX_ADDR_LEN};
use crate::errno::{Errno, Result};
use core::net::SocketAddr;

/// `socklen_t` (`unsigned int` in wasi-libc; the libc crate has no wasip1 definition).
pub type SockLen = u32;

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

/// The caller's address argument as bytes, with Linux's `move_addr_to_kernel` checks: a length
/// above 128 (or negative as an `int`) is `EINVAL`; NULL with a non-zero length is `EFAULT`.
///
/// # Safety
/// If non-NULL, `ptr` must be valid for reads of `len` bytes.
pub unsafe fn addr_bytes<'a>(ptr: *const u8, len: SockLen) -> Result<&'a [u8]> {
    let len = len as usize;
    if len > MAX_ADDR_LEN {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: non-NULL and, per the contract, readable for `len` bytes.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// Decode the address a caller passed for socket `fd` with `decode` (`addr::decode` or
/// `addr::decode_for_bind`): the socket's family decides the checks, as on Linux, and the
/// descriptor is checked before the address.
///
/// # Safety
/// As [`addr_bytes`].
pub unsafe fn sockaddr_for(
    fd: i32,
    ptr: *const u8,
    len: SockLen,
    decode: fn(&[u8], Family) -> Result<SocketAddr>,
) -> Result<SocketAddr> {
    let family: Family = crate::ops::family(fd)?;
    // SAFETY: forwarded contract.
    let bytes = unsafe { addr_bytes(ptr, len) }?;
    decode(bytes, family)
}

/// Read a caller's `*addrlen` for an address result: NULL is `EFAULT`, a value negative as an
/// `int` is `EINVAL` (Linux reads `socklen_t` as `int`).
///
/// # Safety
/// If non-NULL, `len` must be valid for reads.
pub unsafe fn read_addrlen(len: *const SockLen) -> Result<usize> {
    if len.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: non-NULL and readable per the contract; unaligned-tolerant.
    let v = unsafe { len.read_unaligned() };
    if v > i32::MAX as u32 {
        return Err(Errno::EINVAL);
    }
    Ok(v as usize)
}

/// Deliver an address to an optional out-pair (`accept`, `recvfrom`): nothing when `addr` is
/// NULL; otherwise `*len` is checked (NULL `EFAULT`, negative `EINVAL`) and the address copied
/// with [`write_addr`]. Linux checks the pair only after the operation that produced the address
/// (the connection or datagram is consumed either way), and so does every caller of this.
///
/// # Safety
/// As [`write_addr`], when `addr` is non-NULL.
pub unsafe fn put_addr_out(addr: *mut u8, len: *mut SockLen, a: &SocketAddr) -> Result<()> {
    if addr.is_null() {
        return Ok(());
    }
    // SAFETY: forwarded contract.
    let cap = unsafe { read_addrlen(len) }?;
    // SAFETY: forwarded contract.
    unsafe { write_addr(addr, cap, len, a) };
    Ok(())
}

/// Copy an address to the caller like Linux's `move_addr_to_user`: at most `cap` bytes (the
/// caller's `*addrlen`), then store the full length, so a short buffer is truncated and the
/// caller learns the real size. Nothing past `cap` bytes is written.
///
/// # Safety
/// `addr` must be valid for writes of `cap` bytes (when `cap > 0`) and `len` for a write.
pub unsafe fn write_addr(addr: *mut u8, cap: usize, len: *mut SockLen, a: &SocketAddr) {
    let enc: Encoded = addr::encode(a);
    let bytes = enc.as_bytes();
    let n = bytes.len().min(cap);
    if n > 0 {
        // SAFETY: `addr` is writable for `cap >= n` bytes per the contract; no overlap with a
        // local.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), addr, n) };
    }
    // SAFETY: `len` is writable per the contract.
    unsafe { len.write_unaligned(bytes.len() as SockLen) };
}

/// A caller's buffer as a slice; NULL with a non-zero length is `EFAULT`.
///
/// # Safety
/// If non-NULL, `ptr` must be valid for reads of `len` bytes.
pub unsafe fn buf<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len.min(isize::MAX as usize)) })
}

/// A caller's buffer as a mutable slice; NULL with a non-zero length is `EFAULT`.
///
/// # Safety
/// If non-NULL, `ptr` must be valid for writes of `len` bytes.
pub unsafe fn buf_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len.min(isize::MAX as usize)) })
}

/// A caller's iovec array, with `readv`/`writev`'s checks: count negative or above `IOV_MAX`
/// -> `EINVAL`; NULL with a non-zero count -> `EFAULT`; total length overflowing `ssize_t` ->
/// `EINVAL`.
///
/// # Safety
/// If non-NULL, `iov` must be valid for reads of `cnt` iovecs.
pub unsafe fn iovecs<'a>(iov: *const IoVec, cnt: i32) -> Result<&'a [IoVec]> {
    if !(0..=IOV_MAX).contains(&cnt) {
        return Err(Errno::EINVAL);
    }
    if cnt == 0 {
        return Ok(&[]);
    }
    if iov.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    let v = unsafe { core::slice::from_raw_parts(iov, cnt as usize) };
    let mut total: usize = 0;
    for io in v {
        total = total.checked_add(io.len).ok_or(Errno::EINVAL)?;
        if total > isize::MAX as usize {
            return Err(Errno::EINVAL);
        }
        if io.len > 0 && io.base.is_null() {
            return Err(Errno::EFAULT);
        }
    }
    Ok(v)
}
