//! `select`/`pselect` arguments: wasi-libc's `fd_set` (a count and an array of descriptors, not
//! a bitmap) and the `struct timeval` / `struct timespec` timeouts.

use super::whole_in_memory;
use crate::errno::{Errno, Result};

/// `struct pollfd` as wasi-libc lays it out: `int fd; short events; short revents;`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CPollFd {
    /// The descriptor; negative ones are ignored.
    pub fd: i32,
    /// Requested events.
    pub events: i16,
    /// Returned events.
    pub revents: i16,
}
use alloc::vec::Vec;

/// `FD_SETSIZE` in wasi-libc.
pub const FD_SETSIZE: usize = 1024;

/// wasi-libc's `fd_set`: a count and an array of descriptors (not a bitmap).
#[repr(C)]
pub struct FdSet {
    nfds: usize,
    fds: [i32; FD_SETSIZE],
}

/// `struct timespec` (wasi-libc: 64-bit `tv_sec`, 32-bit `tv_nsec`, 16 bytes).
#[repr(C)]
pub struct Timespec {
    tv_sec: i64,
    tv_nsec: i32,
}

impl Timespec {
    /// Store `ns` nanoseconds.
    pub fn set_ns(&mut self, ns: u64) {
        self.tv_sec = (ns / 1_000_000_000) as i64;
        self.tv_nsec = (ns % 1_000_000_000) as i32;
    }
}

/// `struct timeval` (wasi-libc: 64-bit `tv_sec` and `tv_usec`).
#[repr(C)]
pub struct Timeval {
    tv_sec: i64,
    tv_usec: i64,
}

impl Timeval {
    /// `select`'s timeout in nanoseconds: negative seconds or microseconds are `EINVAL`;
    /// microseconds past a second carry into the seconds, as glibc's `select` normalizes them
    /// (so does Linux's own select syscall); a time too long for `u64` nanoseconds saturates.
    pub fn timeout_ns(&self) -> Result<u64> {
        if self.tv_sec < 0 || self.tv_usec < 0 {
            return Err(Errno::EINVAL);
        }
        let sec = (self.tv_sec as u64).saturating_add((self.tv_usec / 1_000_000) as u64);
        Ok(sec
            .saturating_mul(1_000_000_000)
            .saturating_add((self.tv_usec % 1_000_000) as u64 * 1000))
    }

    /// Store `ns` nanoseconds (rounded down to microseconds): the time left `select` reports.
    pub fn set_ns(&mut self, ns: u64) {
        self.tv_sec = (ns / 1_000_000_000) as i64;
        self.tv_usec = (ns % 1_000_000_000 / 1000) as i64;
    }
}

/// `select`'s timeout in nanoseconds (NULL: forever): not all in memory is `EFAULT` (the copy
/// Linux's `select` makes of it faults), then [`Timeval::timeout_ns`]'s checks.
///
/// # Safety
/// `t` NULL or readable if it lies in memory.
pub unsafe fn timeval_ns(t: *const Timeval) -> Result<Option<u64>> {
    if t.is_null() {
        return Ok(None);
    }
    if !whole_in_memory(t.cast(), size_of::<Timeval>()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: in memory (checked), readable per the contract.
    unsafe { &*t }.timeout_ns().map(Some)
}

/// A `timespec` timeout in nanoseconds (NULL: forever); not all in memory is `EFAULT` (Linux
/// copies it in before anything else); negative or out-of-range is `EINVAL`; a time too long for
/// `u64` nanoseconds saturates.
///
/// # Safety
/// `t` NULL or readable if it lies in memory.
pub unsafe fn timespec_ns(t: *const Timespec) -> Result<Option<u64>> {
    if t.is_null() {
        return Ok(None);
    }
    if !whole_in_memory(t.cast(), size_of::<Timespec>()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: in memory (checked), readable per the contract.
    let t = unsafe { &*t };
    if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(Some(
        (t.tv_sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(t.tv_nsec as u64),
    ))
}

/// The bytes of a signal set Linux's calls copy (`_NSIG / 8`: the size glibc and musl pass).
const SIGSET_BYTES: usize = 8;

/// A signal mask argument (`ppoll`, `pselect`, `epoll_pwait`, `epoll_pwait2`): its value is
/// ignored (WASI has no signals), but one that is not NULL and not all in memory is `EFAULT`,
/// as Linux's copy of it faults.
pub fn check_sigmask(mask: *const u8) -> Result<()> {
    if !mask.is_null() && !whole_in_memory(mask, SIGSET_BYTES) {
        return Err(Errno::EFAULT);
    }
    Ok(())
}

/// The descriptors of a set below `nfds`, in the set's order, duplicates kept (a NULL set is
/// empty, and so is any set when `nfds` is 0: Linux then copies no byte of it). Only the first
/// `FD_SETSIZE` entries are read, whatever the count says; negative descriptors are skipped. A
/// set whose count, or whose entries up to it, are not all in memory is `EFAULT` (Linux's copy
/// of the set faults).
///
/// # Safety
/// `set` NULL or a valid `fd_set` where it lies in memory.
pub unsafe fn members(set: *const FdSet, nfds: i32) -> Result<Vec<i32>> {
    if set.is_null() || nfds == 0 {
        return Ok(Vec::new());
    }
    if !whole_in_memory(set.cast(), size_of::<usize>()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: the count lies in memory (checked); valid per the contract.
    let count = unsafe { core::ptr::addr_of!((*set).nfds).read() }.min(FD_SETSIZE);
    // SAFETY: a field of the set (no access).
    let fds = unsafe { core::ptr::addr_of!((*set).fds) }.cast::<i32>();
    if !whole_in_memory(fds.cast(), count * size_of::<i32>()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: `count` entries in memory (checked); valid per the contract.
    let fds = unsafe { core::slice::from_raw_parts(fds, count) };
    Ok(fds
        .iter()
        .copied()
        .filter(|&fd| fd >= 0 && fd < nfds)
        .collect())
}

/// Rewrite `set` to hold the descriptors of `fds` that `ready` accepts, in order; returns how
/// many. `fds` is what [`members`] read from the set (so at most `FD_SETSIZE` long). A NULL set
/// is left alone and counts 0.
///
/// # Safety
/// `set` NULL or a valid, writable `fd_set` that [`members`] read with a non-zero `nfds` (so
/// its count and the entries to write lie in memory).
pub unsafe fn keep(set: *mut FdSet, fds: &[i32], ready: impl Fn(i32) -> bool) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::prop::{Rng, check};

    /// An `fd_set` between guard words, to catch a write past either end.
    #[repr(C)]
    struct Guarded {
        before: [u64; 4],
        set: FdSet,
        after: [u64; 4],
    }

    const GUARD: u64 = 0xa5a5_5a5a_c3c3_3c3c;

    fn any_fd(rng: &mut Rng) -> i32 {
        match rng.below(8) {
            0 => rng.range(-3, -1) as i32,
            1 => rng.range(FD_SETSIZE as i64 - 2, 5000) as i32,
            2 => rng.pick(&[i32::MIN, i32::MAX, 0]),
            // Small numbers: duplicates are common.
            _ => rng.range(0, 40) as i32,
        }
    }

    /// Whether `fd` is "ready" in this case: a fixed function of the descriptor, so duplicates
    /// agree, as they do in `select` (one `pollfd` per descriptor).
    fn ready(salt: u64, fd: i32) -> bool {
        (u64::from(fd as u32).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt) >> 63 == 1
    }

    #[test]
    fn prop_fdset_read_and_write_back() {
        let mut g = Box::new(Guarded {
            before: [GUARD; 4],
            set: FdSet {
                nfds: 0,
                fds: [0; FD_SETSIZE],
            },
            after: [GUARD; 4],
        });
        let mut init = Rng::new(1);
        for fd in g.set.fds.iter_mut() {
            *fd = init.u32() as i32;
        }
        check("prop_fdset_read_and_write_back", 100_000, |rng, at| {
            // The count: usually small, sometimes the whole array, past it, or absurd.
            let count: usize = match rng.below(64) {
                0 => rng.size(FD_SETSIZE - 2, FD_SETSIZE + 200),
                1 => rng.pick(&[usize::MAX, isize::MAX as usize, FD_SETSIZE]),
                2 => rng.size(0, FD_SETSIZE),
                _ => rng.size(0, 40),
            };
            let used = count.min(FD_SETSIZE);
            // The entries the count covers are fresh; the ones after keep earlier cases'
            // leftovers (anything), a few are rewritten so the slots just past the count vary.
            for i in 0..(used + 8).min(FD_SETSIZE) {
                g.set.fds[i] = any_fd(rng);
            }
            g.set.nfds = count;
            let nfds: i32 = match rng.below(8) {
                0 => rng.pick(&[0, -1, i32::MIN, i32::MAX, FD_SETSIZE as i32]),
                1 => rng.range(0, 6000) as i32,
                _ => rng.range(0, 45) as i32,
            };
            let before: [i32; FD_SETSIZE] = g.set.fds;
            // Oracle: the first min(count, FD_SETSIZE) entries, in order, with 0 <= fd < nfds.
            let want: Vec<i32> = before[..used]
                .iter()
                .copied()
                .filter(|&fd| 0 <= fd && fd < nfds)
                .collect();
            // SAFETY: a valid fd_set.
            let got = unsafe { members(&g.set, nfds) }.unwrap();
            assert_eq!(got, want, "{at}: count {count}, nfds {nfds}");
            let salt = rng.next_u64();
            let is_ready = |fd| ready(salt, fd);
            let kept: Vec<i32> = got.iter().copied().filter(|&fd| is_ready(fd)).collect();
            // SAFETY: a valid, writable fd_set.
            let n = unsafe { keep(&mut g.set, &got, is_ready) };
            assert_eq!(n, kept.len(), "{at}");
            assert_eq!(g.set.nfds, kept.len(), "{at}: count written back");
            assert_eq!(g.set.fds[..n], kept[..], "{at}: the ready subset");
            assert_eq!(
                g.set.fds[n..],
                before[n..],
                "{at}: entries past the result touched"
            );
            assert_eq!((g.before, g.after), ([GUARD; 4], [GUARD; 4]), "{at}: guard");
            // Reading the result back gives the ready ones again.
            // SAFETY: a valid fd_set.
            assert_eq!(unsafe { members(&g.set, nfds) }, Ok(kept), "{at}: re-read");
        });
        // A NULL set is empty and stays untouched.
        // SAFETY: NULL sets are allowed.
        unsafe {
            assert_eq!(members(core::ptr::null(), 10), Ok(Vec::new()));
            assert_eq!(keep(core::ptr::null_mut(), &[1, 2], |_| true), 0);
        }
    }

    /// `select`'s and `pselect`'s timeout rules in u128, so nothing can overflow.
    fn oracle_ns(sec: i64, frac: i64, per_sec: i64, unit: u128) -> Result<u64> {
        if sec < 0 || !(0..per_sec).contains(&frac) {
            return Err(Errno::EINVAL);
        }
        let ns = sec as u128 * 1_000_000_000 + frac as u128 * unit;
        Ok(ns.min(u128::from(u64::MAX)) as u64)
    }

    fn any_sec(rng: &mut Rng) -> i64 {
        match rng.below(4) {
            0 => rng.pick(&[0, -1, i64::MAX, i64::MIN, 18_446_744_073, 18_446_744_074]),
            1 => rng.next_u64() as i64,
            _ => rng.range(0, 100_000),
        }
    }

    #[test]
    fn prop_select_timeouts() {
        check("prop_select_timeouts", 100_000, |rng, at| {
            let sec = any_sec(rng);
            let usec = match rng.below(4) {
                0 => rng.pick(&[-1, 0, 999_999, 1_000_000, i64::MIN, i64::MAX]),
                1 => rng.next_u64() as i64,
                _ => rng.range(0, 999_999),
            };
            let mut tv = Timeval {
                tv_sec: sec,
                tv_usec: usec,
            };
            // select carries whole seconds out of the microseconds (see timeout_ns).
            let want = if usec < 0 {
                Err(Errno::EINVAL)
            } else {
                oracle_ns(sec, 0, 1, 0).map(|_| {
                    let ns = sec as u128 * 1_000_000_000 + usec as u128 * 1000;
                    ns.min(u128::from(u64::MAX)) as u64
                })
            };
            assert_eq!(tv.timeout_ns(), want, "{at}: timeval {sec} {usec}");
            // The time left written back reads back, to the microsecond.
            let left = rng.next_u64() >> rng.below(64);
            tv.set_ns(left);
            assert!((0..1_000_000).contains(&tv.tv_usec), "{at}");
            assert_eq!(tv.timeout_ns(), Ok(left / 1000 * 1000), "{at}: left {left}");

            let sec = any_sec(rng);
            let nsec = match rng.below(4) {
                0 => rng.pick(&[-1, 0, 999_999_999, 1_000_000_000, i32::MIN, i32::MAX]),
                1 => rng.u32() as i32,
                _ => rng.range(0, 999_999_999) as i32,
            };
            let ts = Timespec {
                tv_sec: sec,
                tv_nsec: nsec,
            };
            let want = oracle_ns(sec, i64::from(nsec), 1_000_000_000, 1).map(Some);
            assert_eq!(
                // SAFETY: a valid timespec.
                unsafe { timespec_ns(&ts) },
                want,
                "{at}: timespec {sec} {nsec}"
            );
        });
        // SAFETY: NULL is "forever".
        assert_eq!(unsafe { timespec_ns(core::ptr::null()) }, Ok(None));
    }
}
