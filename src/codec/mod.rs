//! The pure codecs between the C ABI's memory and Rust values: the caller's buffers and lengths
//! ([`buf`], [`read_len`]), socket addresses out to the caller ([`sockaddr`]), socket option
//! values ([`optval`]), wasi-libc's `fd_set` ([`fdset`]), and `iovec` arrays and `struct msghdr`
//! ([`msg`]).
//!
//! Everything here works on byte slices, plain structs and raw pointers the caller vouches for;
//! nothing touches a socket or a WASI import, so it builds on the host and is tested there,
//! including seeded property tests (`cargo test`; `WSP_SEED=<n>` replays another seed). The
//! exported C functions in `crate::abi` decode their arguments with it.

pub mod cmsg;
pub mod fdset;
pub mod mmsg;
pub mod msg;
pub mod optval;
pub mod sockaddr;

#[cfg(test)]
pub(crate) mod prop;

use crate::errno::{Errno, Result};

/// `socklen_t` (`unsigned int` in wasi-libc; the libc crate has no wasip1 definition).
pub type SockLen = u32;

/// Read a caller's `*addrlen` / `*optlen`: NULL or not in memory is `EFAULT`, a value negative
/// as an `int` is `EINVAL` (Linux reads `socklen_t` as `int`).
///
/// # Safety
/// If in memory, `len` must be valid for reads.
pub unsafe fn read_len(len: *const SockLen) -> Result<usize> {
    if !whole_in_memory(len.cast(), size_of::<SockLen>()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: in memory and readable per the contract; unaligned-tolerant.
    let v = unsafe { len.read_unaligned() };
    if v > i32::MAX as u32 {
        return Err(Errno::EINVAL);
    }
    Ok(v as usize)
}

/// Where a caller's buffer of `len` bytes at `ptr` lies, as Linux would see it. wasm32's
/// address space is 4 GiB, of which linear memory is the mapped start.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Span {
    /// Empty, or starting inside linear memory and not at NULL (it may run past the end of
    /// memory: see [`in_memory_len`]).
    Ok,
    /// At NULL, or starting past the end of memory: addresses Linux's `access_ok` accepts but
    /// whose copy faults, so Linux reports them only once it has something to copy.
    Unmapped,
    /// Running past the end of the address space, which Linux's `access_ok` refuses before
    /// anything else (`EFAULT`).
    Outside,
}

/// Classify a caller's buffer (see [`Span`]).
pub fn span(ptr: *const u8, len: usize) -> Span {
    if len == 0 {
        return Span::Ok;
    }
    if (ptr as usize).checked_add(len).is_none() {
        return Span::Outside;
    }
    if ptr.is_null() || in_memory_len(ptr, len) == 0 {
        return Span::Unmapped;
    }
    Span::Ok
}

/// How much of a buffer starting at `ptr` lies inside linear memory (at most `len`). A copy
/// Linux makes into or out of a buffer that runs into unmapped memory stops with a fault there;
/// here an access past the end of memory would trap (the host checks every list a call hands
/// it, and so does the guest's own load), so the buffer is cut at the end of memory instead:
/// nothing traps, and a transfer that would reach that far is short. Calls check sizes against
/// the length they were given before taking the buffer (a datagram's EMSGSIZE), so the cut
/// changes an answer only for a buffer that really runs past the end of memory.
pub fn in_memory_len(ptr: *const u8, len: usize) -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        let end = core::arch::wasm32::memory_size(0) as u64 * 65536;
        let start = ptr as usize as u64;
        len.min(end.saturating_sub(start).min(usize::MAX as u64) as usize)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = ptr;
        len
    }
}

/// Linux's `MAX_RW_COUNT` (`INT_MAX & PAGE_MASK`): the most one call transfers. `send`, `recv`
/// and their `to`/`from` forms cut a longer length to it before checking the buffer
/// (`import_ubuf`), so a huge length is not a fault there as it is for `read` and `write`.
pub const MAX_RW_COUNT: usize = 0x7fff_f000;

/// Whether all `len` bytes at `ptr` can be touched (an array the call reads or writes whole).
pub fn whole_in_memory(ptr: *const u8, len: usize) -> bool {
    valid_buf(ptr, len) && in_memory_len(ptr, len) == len
}

/// Whether a caller's buffer can be touched: [`Span::Ok`].
pub fn valid_buf(ptr: *const u8, len: usize) -> bool {
    span(ptr, len) == Span::Ok
}

/// A caller's buffer as a slice, cut at the end of memory; a non-empty one that is not
/// [`Span::Ok`] is `EFAULT`.
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
    let len = in_memory_len(ptr, len).min(isize::MAX as usize);
    // SAFETY: per the contract, and inside memory.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A caller's buffer as a mutable slice, cut at the end of memory; a non-empty one that is not
/// [`Span::Ok`] is `EFAULT`.
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
    let len = in_memory_len(ptr, len).min(isize::MAX as usize);
    // SAFETY: per the contract, and inside memory.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}
