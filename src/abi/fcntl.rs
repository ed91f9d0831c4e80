//! `fcntl` and `ioctl` on every descriptor: sockets here, others as wasi-libc does.
//!
//! Both are variadic in C. In the WebAssembly C ABI (tool-conventions `BasicCABI.md`) a variadic
//! call passes its variadic arguments in a caller-allocated buffer whose address is one extra
//! `i32` parameter; an `int` or a pointer occupies 4 bytes, 4-aligned. So `int fcntl(int, int,
//! ...)` is the wasm function `(i32, i32, i32) -> i32`, which the non-variadic Rust signatures
//! below match exactly, and the optional argument is read from the buffer only for the commands
//! that take one.

use crate::errno::{Errno, Result, c_ret};
use crate::ops;
use crate::passthrough::{self, fdstat};
use crate::socket;
use crate::wasi::p1;
use libc::c_int;

/// `F_GETFD`, `F_SETFD`, `F_GETFL`, `F_SETFL` in wasi-libc.
const F_GETFD: c_int = 1;
const F_SETFD: c_int = 2;
const F_GETFL: c_int = 3;
const F_SETFL: c_int = 4;
/// `FD_CLOEXEC`.
const FD_CLOEXEC: c_int = 1;
/// `O_NONBLOCK` (= `__WASI_FDFLAGS_NONBLOCK`).
const O_NONBLOCK: c_int = 4;
/// wasi-libc's access modes (`O_RDONLY`, `O_WRONLY`, `O_RDWR`, `O_SEARCH`).
const O_RDONLY: c_int = 0x0400_0000;
const O_WRONLY: c_int = 0x1000_0000;
const O_RDWR: c_int = O_RDONLY | O_WRONLY;
const O_SEARCH: c_int = 0x0800_0000;
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

/// fcntl(2). On a socket: `F_GETFL` (`O_RDWR`, plus `O_NONBLOCK` when set), `F_SETFL` (only
/// `O_NONBLOCK` changes, as Linux ignores access-mode bits), `F_GETFD`/`F_SETFD` (`FD_CLOEXEC`
/// stored and reported). Other commands: `EINVAL`. Other descriptors: wasi-libc's behaviour.
///
/// # Safety
/// `va` is the variadic argument buffer (see the module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fcntl(fd: c_int, cmd: c_int, va: *const i32) -> c_int {
    if !socket::is_socket(fd) {
        // SAFETY: forwarded contract.
        return c_ret(unsafe { fcntl_other(fd, cmd, va) });
    }
    let r = match cmd {
        F_GETFL => ops::attrs(fd).map(|a| O_RDWR | if a.nonblocking { O_NONBLOCK } else { 0 }),
        F_GETFD => ops::cloexec(fd).map(|on| if on { FD_CLOEXEC } else { 0 }),
        F_SETFL => {
            // SAFETY: F_SETFL passes an int.
            unsafe { arg_i32(va) }
                .and_then(|v| ops::update_attrs(fd, |a| a.nonblocking = v & O_NONBLOCK != 0))
                .map(|()| 0)
        }
        F_SETFD => {
            // SAFETY: F_SETFD passes an int.
            unsafe { arg_i32(va) }
                .and_then(|v| ops::set_cloexec(fd, v & FD_CLOEXEC != 0))
                .map(|()| 0)
        }
        _ => Err(Errno::EINVAL),
    };
    c_ret(r)
}

/// wasi-libc's own `fcntl` for a non-socket descriptor.
///
/// # Safety
/// As `fcntl`.
unsafe fn fcntl_other(fd: c_int, cmd: c_int, va: *const i32) -> Result<c_int> {
    // Linux looks the descriptor up before the command: EBADF first (wasi-libc answers
    // F_GETFD, F_SETFD and unknown commands without checking it).
    let st = fdstat(fd)?;
    match cmd {
        // wasi-libc acts as if close-on-exec were always set.
        F_GETFD => Ok(FD_CLOEXEC),
        F_SETFD => Ok(0),
        F_GETFL => {
            let r = st.rights_base;
            let mode = if r & (p1::RIGHTS_FD_READ | p1::RIGHTS_FD_READDIR) != 0 {
                if r & p1::RIGHTS_FD_WRITE != 0 {
                    O_RDWR
                } else {
                    O_RDONLY
                }
            } else if r & p1::RIGHTS_FD_WRITE != 0 {
                O_WRONLY
            } else {
                O_SEARCH
            };
            Ok(c_int::from(st.flags) | mode)
        }
        F_SETFL => {
            // SAFETY: F_SETFL passes an int.
            let v = unsafe { arg_i32(va) }?;
            set_fdflags_if_changed(fd, st.flags, (v & 0xfff) as u16).map(|()| 0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// ioctl(2). On a socket: `FIONBIO` (set or clear `O_NONBLOCK`), `FIONREAD` (bytes readable
/// without waiting; `EINVAL` on a listener, as Linux); other requests `ENOTTY`, as Linux answers
/// an unknown socket ioctl. Other descriptors: wasi-libc's `FIONBIO`, and
/// `FIONREAD` as Linux answers it (bytes from the offset to the end of a regular file; what
/// `poll_oneoff` reports otherwise); unknown requests `ENOTTY` (wasi-libc says `EINVAL`).
///
/// # Safety
/// `va` is the variadic argument buffer (see the module docs); its argument is a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ioctl(fd: c_int, request: c_int, va: *const i32) -> c_int {
    if !socket::is_socket(fd) {
        // SAFETY: forwarded contract.
        return c_ret(unsafe { ioctl_other(fd, request, va) }.map(|()| 0));
    }
    let r = match request {
        FIONBIO => {
            // SAFETY: FIONBIO passes an `int *`.
            unsafe { arg_ptr(va) }.and_then(|p| {
                // SAFETY: the caller's `int *`, checked non-NULL.
                let on = unsafe { p.read_unaligned() } != 0;
                ops::update_attrs(fd, |a| a.nonblocking = on)
            })
        }
        FIONREAD => {
            // SAFETY: FIONREAD passes an `int *`.
            unsafe { arg_ptr(va) }.and_then(|p| {
                let n = ops::readable_now(fd)?;
                // SAFETY: the caller's `int *`, checked non-NULL.
                unsafe { p.write_unaligned(i32::try_from(n).unwrap_or(i32::MAX)) };
                Ok(())
            })
        }
        _ => ops::attrs(fd).and(Err::<(), _>(Errno::ENOTTY)),
    };
    c_ret(r.map(|()| 0))
}

/// Read the first variadic argument as a pointer to `int`; NULL is `EFAULT`.
///
/// # Safety
/// As [`arg_i32`].
unsafe fn arg_ptr(va: *const i32) -> Result<*mut i32> {
    // SAFETY: forwarded contract.
    let p = unsafe { arg_i32(va) }? as usize as *mut i32;
    if p.is_null() {
        return Err(Errno::EFAULT);
    }
    Ok(p)
}

/// wasi-libc's own `ioctl` for a non-socket descriptor.
///
/// # Safety
/// As `ioctl`.
unsafe fn ioctl_other(fd: c_int, request: c_int, va: *const i32) -> Result<()> {
    match request {
        FIONBIO => {
            let st = fdstat(fd)?;
            // SAFETY: FIONBIO passes an `int *`.
            let p = unsafe { arg_ptr(va) }?;
            // SAFETY: checked non-NULL; the caller's int.
            let on = unsafe { p.read_unaligned() } != 0;
            let flags = if on {
                st.flags | p1::FDFLAGS_NONBLOCK
            } else {
                st.flags & !p1::FDFLAGS_NONBLOCK
            };
            set_fdflags_if_changed(fd, st.flags, flags)
        }
        FIONREAD => {
            // Linux checks the descriptor (EBADF) before the pointer (EFAULT); a directory has
            // no FIONREAD (its file system's ioctl says ENOTTY).
            if fdstat(fd)?.filetype == p1::FILETYPE_DIRECTORY {
                return Err(Errno::ENOTTY);
            }
            // SAFETY: FIONREAD passes an `int *`.
            let p = unsafe { arg_ptr(va) }?;
            let n = match file_bytes_left(fd)? {
                Some(n) => n,
                None => p1_bytes_readable(fd)?,
            };
            // SAFETY: checked non-NULL; the caller's int.
            unsafe { p.write_unaligned(n) };
            Ok(())
        }
        _ => fdstat(fd).and(Err(Errno::ENOTTY)),
    }
}

/// For a regular file, the bytes between the offset and the end (Linux's FIONREAD); `None` for
/// anything else.
fn file_bytes_left(fd: c_int) -> Result<Option<i32>> {
    if fdstat(fd)?.filetype != p1::FILETYPE_REGULAR_FILE {
        return Ok(None);
    }
    Ok(passthrough::file_bytes_left(fd)
        .ok()
        .map(|n| i32::try_from(n).unwrap_or(i32::MAX)))
}

/// Set the flags unless they are already so: Linux succeeds on a change to nothing, while WASI
/// stdio refuses every `fd_fdstat_set_flags`.
fn set_fdflags_if_changed(fd: c_int, old: u16, new: u16) -> Result<()> {
    if old == new {
        return Ok(());
    }
    passthrough::set_fdflags(fd, new)
}

/// wasi-libc's FIONREAD: one `poll_oneoff` on "readable" plus an immediate clock, and the byte
/// count the readable event reports (0 when only the clock fired).
fn p1_bytes_readable(fd: c_int) -> Result<i32> {
    // __wasi_subscription_t is 48 bytes: userdata u64, tag u8 (+7), union (32 bytes).
    // __wasi_event_t is 32 bytes: userdata u64, error u16, type u8 (+5), nbytes u64, flags u16.
    const SUB: usize = 48;
    const EVT: usize = 32;
    const EVENTTYPE_CLOCK: u8 = 0;
    const EVENTTYPE_FD_READ: u8 = 1;
    const CLOCKID_MONOTONIC: u32 = 1;
    let mut subs = [0u64; 2 * SUB / 8];
    let mut evts = [0u64; 2 * EVT / 8];
    // Subscription 0: fd_read(fd).
    subs[1] = u64::from(EVENTTYPE_FD_READ);
    subs[2] = fd as u32 as u64;
    // Subscription 1: relative monotonic clock, timeout 0.
    subs[SUB / 8 + 1] = u64::from(EVENTTYPE_CLOCK);
    subs[SUB / 8 + 2] = u64::from(CLOCKID_MONOTONIC);
    let mut n = 0usize;
    // SAFETY: buffers sized for two subscriptions and two events; `n` is a valid out-pointer.
    let e = unsafe { p1::poll_oneoff(subs.as_ptr().cast(), evts.as_mut_ptr().cast(), 2, &mut n) };
    if e != 0 {
        return Err(Errno(i32::from(e)));
    }
    for i in 0..n.min(2) {
        let base = i * EVT / 8;
        let error = (evts[base + 1] & 0xffff) as u16;
        let ty = ((evts[base + 1] >> 16) & 0xff) as u8;
        if error != 0 {
            return Err(Errno(i32::from(error)));
        }
        if ty == EVENTTYPE_FD_READ {
            return Ok(evts[base + 2] as i32);
        }
    }
    Ok(0)
}
