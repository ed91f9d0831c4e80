//! `fcntl` and `ioctl` on a non-socket: wasi-libc's answers, each after the check of the
//! descriptor Linux makes first, and `FIONREAD` computed as Linux reports it.

use super::{fdstat, file_bytes_left, set_fdflags};
use crate::errno::{Errno, Result};
use crate::flags::{FD_CLOEXEC, Fcntl, Ioctl};
use crate::wasi::p1;

/// `F_GETFL` access modes in wasi-libc (`O_RDONLY`, `O_WRONLY`, `O_RDWR`, `O_SEARCH`).
const O_RDONLY: i32 = 0x0400_0000;
const O_WRONLY: i32 = 0x1000_0000;
const O_RDWR: i32 = O_RDONLY | O_WRONLY;
const O_SEARCH: i32 = 0x0800_0000;

/// `fcntl` on a non-socket: wasi-libc's answers, with Linux's check of the descriptor first
/// (wasi-libc answers `F_GETFD`, `F_SETFD` and unknown commands without checking it).
pub fn fcntl(fd: i32, cmd: Fcntl) -> Result<i32> {
    let st = fdstat(fd)?;
    match cmd {
        // wasi-libc acts as if close-on-exec were always set.
        Fcntl::GetFd => Ok(FD_CLOEXEC),
        Fcntl::SetFd(_) => Ok(0),
        Fcntl::GetFl => {
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
            Ok(i32::from(st.flags) | mode)
        }
        Fcntl::SetFl(v) => set_fdflags_if_changed(fd, st.flags, (v? & 0xfff) as u16).map(|()| 0),
        // `dup` of an adapter descriptor is the library's (`fd::adopt`); never asked here.
        Fcntl::Unknown | Fcntl::DupFd { .. } => Err(Errno::EINVAL),
    }
}

/// `ioctl` on a non-socket: wasi-libc's `FIONBIO`, and `FIONREAD` as Linux answers it (bytes
/// from the offset to the end of a regular file, `ENOTTY` for a directory, what `poll_oneoff`
/// reports otherwise); unknown requests `ENOTTY` (wasi-libc says `EINVAL`).
pub fn ioctl(fd: i32, req: Ioctl) -> Result<Option<i32>> {
    // Linux checks the descriptor (EBADF) before the request and its argument.
    let st = fdstat(fd)?;
    match req {
        Ioctl::SetNonblocking(on) => {
            let flags = if on? {
                st.flags | p1::FDFLAGS_NONBLOCK
            } else {
                st.flags & !p1::FDFLAGS_NONBLOCK
            };
            set_fdflags_if_changed(fd, st.flags, flags).map(|()| None)
        }
        Ioctl::BytesReadable(out) => {
            // A directory has no FIONREAD (its file system's ioctl says ENOTTY).
            if st.filetype == p1::FILETYPE_DIRECTORY {
                return Err(Errno::ENOTTY);
            }
            out?;
            let n = match st.filetype {
                p1::FILETYPE_REGULAR_FILE => file_bytes_left(fd).ok(),
                _ => None,
            };
            let n = match n {
                Some(n) => i32::try_from(n).unwrap_or(i32::MAX),
                None => bytes_readable(fd)?,
            };
            Ok(Some(n))
        }
        Ioctl::Unknown => Err(Errno::ENOTTY),
    }
}

/// Set the flags unless they are already so: Linux succeeds on a change to nothing, while WASI
/// stdio refuses every `fd_fdstat_set_flags`.
fn set_fdflags_if_changed(fd: i32, old: u16, new: u16) -> Result<()> {
    if old == new {
        return Ok(());
    }
    set_fdflags(fd, new)
}

/// wasi-libc's FIONREAD: one `poll_oneoff` on "readable" plus an immediate clock, and the byte
/// count the readable event reports (0 when only the clock fired).
fn bytes_readable(fd: i32) -> Result<i32> {
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
