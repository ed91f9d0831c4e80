//! `poll`, `ppoll`, `select`, `pselect` over any mix of sockets and other descriptors, all on
//! [`crate::poll::poll`]. Signal masks are accepted and ignored: WASI has no signals.

use crate::errno::{Errno, Result, c_ret};
use crate::poll::{self, POLLERR, POLLHUP, POLLIN, POLLOUT, PollFd};
use alloc::vec::Vec;
use libc::c_int;

/// Linux's `RLIMIT_NOFILE` default soft limit: `poll` with more entries is `EINVAL`.
const NFDS_MAX: u32 = 1 << 20;
/// `FD_SETSIZE` in wasi-libc.
const FD_SETSIZE: usize = 1024;

/// `struct timespec` (wasi-libc: 64-bit `tv_sec`, 32-bit `tv_nsec`, 16 bytes).
#[repr(C)]
pub struct Timespec {
    tv_sec: i64,
    tv_nsec: i32,
}

/// `struct timeval` (wasi-libc: 64-bit `tv_sec` and `tv_usec`).
#[repr(C)]
pub struct Timeval {
    tv_sec: i64,
    tv_usec: i64,
}

/// wasi-libc's `fd_set`: a count and an array of descriptors (not a bitmap).
#[repr(C)]
pub struct FdSet {
    nfds: usize,
    fds: [c_int; FD_SETSIZE],
}

/// poll(2). `timeout` in milliseconds: negative waits forever, 0 returns at once. A descriptor
/// that is not open reports `POLLNVAL` while the others are still reported.
///
/// # Safety
/// `fds` must point to `nfds` writable `struct pollfd`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn poll(fds: *mut PollFd, nfds: u32, timeout: c_int) -> c_int {
    let t = u64::try_from(timeout).ok().map(|ms| ms * 1_000_000);
    // SAFETY: forwarded contract.
    c_ret(unsafe { poll_entries(fds, nfds, t) })
}

/// ppoll(2): `poll` with a `timespec` timeout (NULL waits forever); `sigmask` is ignored.
///
/// # Safety
/// As `poll`; `tmo` readable if non-NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ppoll(
    fds: *mut PollFd,
    nfds: u32,
    tmo: *const Timespec,
    _sigmask: *const u8,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let t = unsafe { timespec_ns(tmo) }?;
        // SAFETY: forwarded contract.
        unsafe { poll_entries(fds, nfds, t) }
    })();
    c_ret(r)
}

/// # Safety
/// As `poll`.
unsafe fn poll_entries(fds: *mut PollFd, nfds: u32, timeout_ns: Option<u64>) -> Result<c_int> {
    if nfds > NFDS_MAX {
        return Err(Errno::EINVAL);
    }
    let entries: &mut [PollFd] = if nfds == 0 {
        &mut []
    } else if fds.is_null() {
        return Err(Errno::EFAULT);
    } else {
        // SAFETY: non-NULL and, per the contract, `nfds` writable entries.
        unsafe { core::slice::from_raw_parts_mut(fds, nfds as usize) }
    };
    Ok(poll::poll(entries, timeout_ns) as c_int)
}

/// select(2). Descriptors at or above `nfds` are ignored; one that is not open is `EBADF`. On
/// return each set holds its ready descriptors and `*timeout` the time left, as Linux does.
///
/// # Safety
/// Each set is NULL or a valid `fd_set`; `timeout` NULL or a valid `struct timeval`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn select(
    nfds: c_int,
    rd: *mut FdSet,
    wr: *mut FdSet,
    ex: *mut FdSet,
    timeout: *mut Timeval,
) -> c_int {
    let r = (|| {
        let t = if timeout.is_null() {
            None
        } else {
            // SAFETY: non-NULL per the contract.
            let tv = unsafe { &*timeout };
            if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
                return Err(Errno::EINVAL);
            }
            Some((tv.tv_sec as u64).saturating_mul(1_000_000_000) + tv.tv_usec as u64 * 1000)
        };
        let start = crate::bindings::wasi::clocks::monotonic_clock::now();
        // SAFETY: forwarded contract.
        let n = unsafe { select_sets(nfds, rd, wr, ex, t) }?;
        if let Some(t) = t {
            let left =
                t.saturating_sub(crate::bindings::wasi::clocks::monotonic_clock::now() - start);
            // SAFETY: non-NULL per the check above; writable per the contract.
            unsafe {
                (*timeout).tv_sec = (left / 1_000_000_000) as i64;
                (*timeout).tv_usec = (left % 1_000_000_000 / 1000) as i64;
            }
        }
        Ok(n)
    })();
    c_ret(r)
}

/// pselect(2): `select` with a `timespec` (not modified) and an ignored signal mask.
///
/// # Safety
/// As `select`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pselect(
    nfds: c_int,
    rd: *mut FdSet,
    wr: *mut FdSet,
    ex: *mut FdSet,
    timeout: *const Timespec,
    _sigmask: *const u8,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let t = unsafe { timespec_ns(timeout) }?;
        // SAFETY: forwarded contract.
        unsafe { select_sets(nfds, rd, wr, ex, t) }
    })();
    c_ret(r)
}

/// A `timespec` timeout in nanoseconds (NULL: forever); negative or out-of-range is `EINVAL`.
///
/// # Safety
/// `t` NULL or readable.
unsafe fn timespec_ns(t: *const Timespec) -> Result<Option<u64>> {
    if t.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL per the contract.
    let t = unsafe { &*t };
    if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(Some(
        (t.tv_sec as u64).saturating_mul(1_000_000_000) + t.tv_nsec as u64,
    ))
}

/// The descriptors of a set below `nfds` (a NULL set is empty).
///
/// # Safety
/// `set` NULL or a valid `fd_set`.
unsafe fn members(set: *const FdSet, nfds: c_int) -> Vec<c_int> {
    if set.is_null() {
        return Vec::new();
    }
    // SAFETY: non-NULL per the contract.
    let set = unsafe { &*set };
    set.fds[..set.nfds.min(FD_SETSIZE)]
        .iter()
        .copied()
        .filter(|&fd| fd >= 0 && fd < nfds)
        .collect()
}

/// Keep in `set` only the descriptors `ready` accepts; returns how many remain.
///
/// # Safety
/// As [`members`].
unsafe fn keep(set: *mut FdSet, fds: &[c_int], ready: impl Fn(c_int) -> bool) -> usize {
    if set.is_null() {
        return 0;
    }
    // SAFETY: non-NULL and writable per the contract.
    let set = unsafe { &mut *set };
    let mut n = 0;
    for &fd in fds {
        if ready(fd) {
            set.fds[n] = fd;
            n += 1;
        }
    }
    set.nfds = n;
    n
}

/// The body of `select` and `pselect`: sets -> `pollfd`s -> poll -> sets. Readable means
/// `POLLIN`, `POLLHUP` or `POLLERR`; writable `POLLOUT` or `POLLERR` (Linux's `POLLIN_SET` and
/// `POLLOUT_SET`); nothing is ever exceptional (no out-of-band data in WASI).
///
/// # Safety
/// As `select`.
unsafe fn select_sets(
    nfds: c_int,
    rd: *mut FdSet,
    wr: *mut FdSet,
    ex: *mut FdSet,
    timeout_ns: Option<u64>,
) -> Result<c_int> {
    if nfds < 0 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: forwarded contract.
    let (r, w, e) = unsafe { (members(rd, nfds), members(wr, nfds), members(ex, nfds)) };
    if let Some(_bad) = r.iter().chain(&w).chain(&e).find(|&&fd| !poll::is_open(fd)) {
        return Err(Errno::EBADF);
    }
    let mut entries: Vec<PollFd> = Vec::new();
    for (list, ev) in [(&r, POLLIN), (&w, POLLOUT), (&e, 0)] {
        for &fd in list.iter() {
            match entries.iter_mut().find(|p| p.fd == fd) {
                Some(p) => p.events |= ev,
                None => entries.push(PollFd {
                    fd,
                    events: ev,
                    revents: 0,
                }),
            }
        }
    }
    let readable =
        |p: &PollFd| p.events & POLLIN != 0 && p.revents & (POLLIN | POLLHUP | POLLERR) != 0;
    let writable = |p: &PollFd| p.events & POLLOUT != 0 && p.revents & (POLLOUT | POLLERR) != 0;
    poll::poll_until(&mut entries, timeout_ns, &|p| readable(p) || writable(p));
    let rev = |fd: c_int| entries.iter().find(|p| p.fd == fd).map_or(0, |p| p.revents);
    // SAFETY: forwarded contract.
    let n = unsafe {
        keep(rd, &r, |fd| rev(fd) & (POLLIN | POLLHUP | POLLERR) != 0)
            + keep(wr, &w, |fd| rev(fd) & (POLLOUT | POLLERR) != 0)
            + keep(ex, &e, |_| false)
    };
    Ok(n as c_int)
}
