//! `getsockopt` and `setsockopt`, on the table in [`crate::sockopt`].

use super::SockLen;
use crate::errno::{Errno, c_ret};
use crate::socket;
use crate::sockopt;
use libc::c_int;

/// getsockopt(2). Copies at most `*len` bytes of the value and stores how many it copied, as
/// Linux does. Unknown level or option: `ENOPROTOOPT`.
///
/// # Safety
/// `len` readable and writable; `val` writable for `*len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    val: *mut u8,
    len: *mut SockLen,
) -> c_int {
    let r = socket::with_entry(fd, |e| {
        // SAFETY: forwarded contract.
        let cap = unsafe { super::read_addrlen(len) }?;
        let (bytes, size) = sockopt::get(e, level, name)?.encode();
        let n = size.min(cap);
        if n > 0 && val.is_null() {
            return Err(Errno::EFAULT);
        }
        // SAFETY: `val` writable for `cap >= n` bytes and `len` writable, per the contract.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), val, n);
            len.write_unaligned(n as SockLen);
        }
        Ok(0)
    });
    c_ret(r)
}

/// setsockopt(2). A value shorter than the option needs: `EINVAL`. Unknown level or option, or
/// a read-only one: `ENOPROTOOPT`.
///
/// # Safety
/// `val` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    val: *const u8,
    len: SockLen,
) -> c_int {
    let r = socket::with_entry(fd, |e| {
        if len > i32::MAX as u32 {
            return Err(Errno::EINVAL);
        }
        // SAFETY: forwarded contract.
        let bytes = unsafe { super::buf(val, len as usize) }?;
        sockopt::set(e, level, name, bytes).map(|()| 0)
    });
    c_ret(r)
}
