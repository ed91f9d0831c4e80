//! `poll`, `ppoll`, `select`, `pselect` over any mix of sockets and other descriptors, all on
//! [`crate::poll::poll`]. Signal masks are accepted and ignored (WASI has no signals), once
//! checked to lie in memory as Linux copies them.

use crate::codec::fdset::{check_sigmask, keep, members, timespec_ns, timeval_ns};
use crate::errno::{Errno, Result, c_ret};
use crate::poll::{self, POLLERR, POLLHUP, POLLIN, POLLOUT, PollFd};
use alloc::vec::Vec;
use libc::c_int;

pub use crate::codec::fdset::{CPollFd, FdSet, Timespec, Timeval};

/// Linux's `RLIMIT_NOFILE` default soft limit: `poll` with more entries is `EINVAL`.
const NFDS_MAX: u32 = 1 << 20;

/// poll(2). `timeout` in milliseconds: negative waits forever, 0 returns at once. A descriptor
/// that is not open reports `POLLNVAL` while the others are still reported.
///
/// # Safety
/// `fds` must point to `nfds` writable `struct pollfd`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn poll(fds: *mut CPollFd, nfds: u32, timeout: c_int) -> c_int {
    let t = u64::try_from(timeout).ok().map(|ms| ms * 1_000_000);
    // SAFETY: forwarded contract.
    let r = unsafe { poll_entries(fds, nfds, t) };
    c_ret(crate::trace::traced!(
        "poll"("{fds:p}, {nfds}, {timeout}"),
        r
    ))
}

/// ppoll(2): `poll` with a `timespec` timeout (NULL waits forever); `sigmask` is ignored. Linux's
/// order: the timeout (`EFAULT`, `EINVAL`), the signal mask (`EFAULT`), then `poll`'s checks.
///
/// # Safety
/// As `poll`; `tmo` readable if in memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ppoll(
    fds: *mut CPollFd,
    nfds: u32,
    tmo: *const Timespec,
    sigmask: *const u8,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let t = unsafe { timespec_ns(tmo) }?;
        check_sigmask(sigmask)?;
        // SAFETY: forwarded contract.
        unsafe { poll_entries(fds, nfds, t) }
    })();
    c_ret(crate::trace::traced!(
        "ppoll"("{fds:p}, {nfds}, {tmo:p}"),
        r
    ))
}

/// # Safety
/// As `poll`.
unsafe fn poll_entries(fds: *mut CPollFd, nfds: u32, timeout_ns: Option<u64>) -> Result<c_int> {
    if nfds > NFDS_MAX {
        return Err(Errno::EINVAL);
    }
    let c: &mut [CPollFd] = if nfds == 0 {
        &mut []
    } else if !crate::codec::whole_in_memory(fds.cast(), nfds as usize * size_of::<CPollFd>()) {
        return Err(Errno::EFAULT);
    } else {
        // SAFETY: in memory and, per the contract, `nfds` writable entries.
        unsafe { core::slice::from_raw_parts_mut(fds, nfds as usize) }
    };
    let mut entries: Vec<PollFd> = c
        .iter()
        .map(|p| PollFd {
            fd: p.fd,
            events: p.events,
            revents: 0,
        })
        .collect();
    let n = poll::poll(&mut entries, timeout_ns);
    for (c, e) in c.iter_mut().zip(&entries) {
        c.revents = e.revents;
    }
    Ok(n as c_int)
}

/// select(2). Descriptors at or above `nfds` are ignored; one that is not open is `EBADF`. On
/// return each set holds its ready descriptors and `*timeout` the time left, as Linux does. A
/// timeout or a set that is not in memory is `EFAULT` (glibc would crash on such a timeout,
/// which it reads itself; Linux's own `select` says `EFAULT`).
///
/// # Safety
/// Each set is NULL or a valid `fd_set`; `timeout` NULL or a valid `struct timeval` (where they
/// lie in memory).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn select(
    nfds: c_int,
    rd: *mut FdSet,
    wr: *mut FdSet,
    ex: *mut FdSet,
    timeout: *mut Timeval,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let t = unsafe { timeval_ns(timeout) }?;
        let start = crate::wait::now();
        // SAFETY: forwarded contract.
        let n = unsafe { select_sets(nfds, rd, wr, ex, t) }?;
        if let Some(t) = t {
            let left = t.saturating_sub(crate::wait::now() - start);
            // SAFETY: in memory per timeval_ns; writable per the contract.
            unsafe { (*timeout).set_ns(left) };
        }
        Ok(n)
    })();
    c_ret(crate::trace::traced!(
        "select"("{nfds}, {rd:p}, {wr:p}, {ex:p}, {timeout:p}"),
        r
    ))
}

/// pselect(2): `select` with a `timespec` (not modified) and an ignored signal mask. Linux's
/// order: the timeout, the signal mask (`EFAULT`), then `select`'s checks.
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
    sigmask: *const u8,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let t = unsafe { timespec_ns(timeout) }?;
        check_sigmask(sigmask)?;
        // SAFETY: forwarded contract.
        unsafe { select_sets(nfds, rd, wr, ex, t) }
    })();
    c_ret(crate::trace::traced!(
        "pselect"("{nfds}, {rd:p}, {wr:p}, {ex:p}, {timeout:p}"),
        r
    ))
}

/// The body of `select` and `pselect`: sets -> `pollfd`s -> poll -> sets. Readable means
/// `POLLIN`, `POLLHUP` or `POLLERR`; writable `POLLOUT` or `POLLERR` (Linux's `POLLIN_SET` and
/// `POLLOUT_SET`); nothing is ever exceptional (no out-of-band data in WASI). Linux's order:
/// `nfds` (`EINVAL`), each set's copy in turn (`EFAULT`), then the descriptors (`EBADF`); with
/// `nfds` 0 no byte of a set is read or written.
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
    let (r, w, e) = unsafe { (members(rd, nfds)?, members(wr, nfds)?, members(ex, nfds)?) };
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
    if nfds == 0 {
        return Ok(0);
    }
    // SAFETY: forwarded contract; `members` read each non-NULL set, so it lies in memory.
    let n = unsafe {
        keep(rd, &r, |fd| rev(fd) & (POLLIN | POLLHUP | POLLERR) != 0)
            + keep(wr, &w, |fd| rev(fd) & (POLLOUT | POLLERR) != 0)
            + keep(ex, &e, |_| false)
    };
    Ok(n as c_int)
}
