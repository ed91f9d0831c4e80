//! `fcntl` and `ioctl` on every descriptor: sockets here, others as wasi-libc does.
//!
//! Both are variadic in C. In the WebAssembly C ABI (tool-conventions `BasicCABI.md`) a variadic
//! call passes its variadic arguments in a caller-allocated buffer whose address is one extra
//! `i32` parameter; an `int` or a pointer occupies 4 bytes, 4-aligned. So `int fcntl(int, int,
//! ...)` is the wasm function `(i32, i32, i32) -> i32`, which the non-variadic Rust signatures
//! below match exactly, and the optional argument is read from the buffer only for the commands
//! that take one.

use crate::errno::{Errno, Result, c_ret};
use crate::ops::{self, Fcntl, Ioctl};
use libc::c_int;

/// `F_DUPFD` and `F_DUPFD_CLOEXEC` (Linux's values; `include/fcntl.h`), `F_GETFD`, `F_SETFD`,
/// `F_GETFL`, `F_SETFL` in wasi-libc.
const F_DUPFD: c_int = 0;
const F_DUPFD_CLOEXEC: c_int = 1030;
const F_GETFD: c_int = 1;
const F_SETFD: c_int = 2;
const F_GETFL: c_int = 3;
const F_SETFL: c_int = 4;
/// `FIONREAD`, `FIONBIO` in wasi-libc.
const FIONREAD: c_int = 1;
const FIONBIO: c_int = 2;

/// Read the first variadic argument as an `int`-sized value.
///
/// # Safety
/// `va` must be the variadic buffer of a call that passed at least one `int` or pointer.
unsafe fn arg_i32(va: *const i32) -> Result<i32> {
    if va.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { va.read() })
}

/// Read the first variadic argument as a pointer to `int`; NULL or not in memory is `EFAULT`
/// (Linux's `get_user`/`put_user` on it fault).
///
/// # Safety
/// As [`arg_i32`].
unsafe fn arg_ptr(va: *const i32) -> Result<*mut i32> {
    // SAFETY: forwarded contract.
    let p = unsafe { arg_i32(va) }? as usize as *mut i32;
    if !crate::codec::whole_in_memory(p.cast(), size_of::<i32>()) {
        return Err(Errno::EFAULT);
    }
    Ok(p)
}

/// fcntl(2): see [`ops::fcntl`]. Linux looks the descriptor up before the command.
///
/// # Safety
/// `va` is the variadic argument buffer (see the module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fcntl(fd: c_int, cmd: c_int, va: *const i32) -> c_int {
    let cmd = match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => Fcntl::DupFd {
            // SAFETY: F_DUPFD passes an int.
            min: match unsafe { arg_i32(va) } {
                Ok(min) => min,
                Err(e) => return c_ret(Err(e)),
            },
            cloexec: cmd == F_DUPFD_CLOEXEC,
        },
        F_GETFD => Fcntl::GetFd,
        F_GETFL => Fcntl::GetFl,
        // SAFETY: F_SETFD passes an int.
        F_SETFD => Fcntl::SetFd(unsafe { arg_i32(va) }),
        // SAFETY: F_SETFL passes an int.
        F_SETFL => Fcntl::SetFl(unsafe { arg_i32(va) }),
        _ => Fcntl::Unknown,
    };
    c_ret(crate::trace::traced!(
        "fcntl"("{fd}, {cmd:?}"),
        ops::fcntl(fd, cmd)
    ))
}

/// ioctl(2): see [`ops::ioctl`]. `FIONBIO` and `FIONREAD` take an `int *`.
///
/// # Safety
/// `va` is the variadic argument buffer (see the module docs); its argument is a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ioctl(fd: c_int, request: c_int, va: *const i32) -> c_int {
    // SAFETY: the requests below pass an `int *`.
    let ptr = || unsafe { arg_ptr(va) };
    let req = match request {
        // SAFETY: the caller's `int *`, checked to lie in memory.
        FIONBIO => Ioctl::SetNonblocking(ptr().map(|p| unsafe { p.read_unaligned() } != 0)),
        FIONREAD => Ioctl::BytesReadable(ptr().map(|_| ())),
        _ => Ioctl::Unknown,
    };
    let r = ops::ioctl(fd, req).map(|n| {
        if let (Some(n), Ok(p)) = (n, ptr()) {
            // SAFETY: the caller's `int *`, checked to lie in memory.
            unsafe { p.write_unaligned(n) };
        }
        0
    });
    c_ret(crate::trace::traced!("ioctl"("{fd}, {request:#x}"), r))
}
