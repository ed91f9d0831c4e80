//! The pure codecs between the C ABI's memory and Rust values: the caller's buffers and lengths
//! ([`buf`], [`read_len`]), socket addresses out to the caller ([`sockaddr`]), socket option
//! values ([`optval`]), wasi-libc's `fd_set` ([`fdset`]), and `iovec` arrays and `struct msghdr`
//! ([`msg`]).
//!
//! Everything here works on byte slices, plain structs and raw pointers the caller vouches for;
//! nothing touches a socket or a WASI import, so it builds on the host and is tested there,
//! including seeded property tests (`cargo test`; `WSP_SEED=<n>` replays another seed). The
//! exported C functions in `crate::abi` decode their arguments with it.

pub mod fdset;
pub mod msg;
pub mod optval;
pub mod sockaddr;

#[cfg(test)]
pub(crate) mod prop;

use crate::errno::{Errno, Result};

/// `socklen_t` (`unsigned int` in wasi-libc; the libc crate has no wasip1 definition).
pub type SockLen = u32;

/// Read a caller's `*addrlen` / `*optlen`: NULL is `EFAULT`, a value negative as an `int` is
/// `EINVAL` (Linux reads `socklen_t` as `int`).
///
/// # Safety
/// If non-NULL, `len` must be valid for reads.
pub unsafe fn read_len(len: *const SockLen) -> Result<usize> {
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

/// Where a caller's buffer of `len` bytes at `ptr` lies, as Linux would see it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Span {
    /// Empty, or inside the module's linear memory and not at NULL.
    Ok,
    /// At NULL, inside memory. Linux's `access_ok` accepts it (address 0 is a user address);
    /// the copy then faults, so Linux reports it only once it has something to copy.
    Null,
    /// Past the end of linear memory: outside the address space, which Linux's `access_ok`
    /// refuses before anything else (`EFAULT`). Here an access there would trap (the host checks
    /// every list a call hands it, and so does the guest's own load).
    Outside,
}

/// Classify a caller's buffer (see [`Span`]).
pub fn span(ptr: *const u8, len: usize) -> Span {
    if len == 0 {
        return Span::Ok;
    }
    #[cfg(target_arch = "wasm32")]
    {
        let size = core::arch::wasm32::memory_size(0) as u64 * 65536;
        if (ptr as usize as u64) + (len as u64) > size {
            return Span::Outside;
        }
    }
    if ptr.is_null() { Span::Null } else { Span::Ok }
}

/// Whether a caller's buffer can be touched: [`Span::Ok`].
pub fn valid_buf(ptr: *const u8, len: usize) -> bool {
    span(ptr, len) == Span::Ok
}

/// A caller's buffer as a slice; NULL or outside memory with a non-zero length is `EFAULT`.
///
/// # Safety
/// If non-NULL, `ptr` must be valid for reads of `len` bytes.
pub unsafe fn buf<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if !valid_buf(ptr, len) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len.min(isize::MAX as usize)) })
}

/// A caller's buffer as a mutable slice; NULL or outside memory with a non-zero length is
/// `EFAULT`.
///
/// # Safety
/// If non-NULL, `ptr` must be valid for writes of `len` bytes.
pub unsafe fn buf_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if !valid_buf(ptr, len) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len.min(isize::MAX as usize)) })
}
