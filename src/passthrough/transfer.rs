//! Reads and writes on a non-socket (`read`, `readv`, `write`, `writev`, `pread`) through
//! preview 1's `fd_read`, `fd_write` and `fd_pread`, with the component adapter's departures
//! from Linux corrected: it moves only the first non-empty iovec per call, answers a missing
//! right with `ENOTCAPABLE` and a read of a directory with `EBADF`, and reads a file opened with
//! `O_NONBLOCK` as empty. These corrections depend on one another (which descriptor may be read
//! again, with which flags), so they live together, apart from the other calls.

use super::{Dir, fdstat, set_fdflags};
use crate::errno::{Errno, Result};
use crate::wasi::p1;

/// `read`/`readv` on a non-socket: the buffers in order, stopping at the first short transfer,
/// as one Linux call does.
pub fn read(fd: i32, bufs: &mut [&mut [u8]]) -> Result<usize> {
    let iovs: alloc::vec::Vec<p1::Iovec> = bufs
        .iter_mut()
        .map(|b| p1::Iovec {
            buf: b.as_mut_ptr(),
            len: b.len(),
        })
        .collect();
    // SAFETY: each iovec describes one of the caller's writable slices.
    unsafe { transfer(Dir::Read, fd, &iovs) }
}

/// `write`/`writev` on a non-socket: the buffers in order, stopping at the first short transfer.
pub fn write(fd: i32, bufs: &[&[u8]]) -> Result<usize> {
    let iovs: alloc::vec::Vec<p1::Iovec> = bufs
        .iter()
        .map(|b| p1::Iovec {
            buf: b.as_ptr().cast_mut(),
            len: b.len(),
        })
        .collect();
    // SAFETY: each iovec describes one of the caller's readable slices (fd_write only reads).
    unsafe { transfer(Dir::Write, fd, &iovs) }
}

type P1Rw = unsafe extern "C" fn(i32, *const p1::Iovec, usize, *mut usize) -> u16;

/// One preview 1 read or write of one iovec.
///
/// # Safety
/// `iov` valid for the operation.
unsafe fn p1_rw(dir: Dir, fd: i32, iov: &p1::Iovec) -> Result<usize> {
    let f: P1Rw = match dir {
        Dir::Read => p1::fd_read,
        Dir::Write => p1::fd_write,
    };
    let mut done = 0usize;
    // SAFETY: per the contract; `done` is a valid out-pointer.
    match unsafe { f(fd, iov, 1, &mut done) } {
        0 => Ok(done),
        e => Err(transfer_errno(dir, fd, Errno(i32::from(e)))),
    }
}

/// Linux's errno for a failed preview 1 transfer. wasi-libc's `read` and `write` report a
/// descriptor without the right as `EBADF`, as POSIX does for a descriptor not open for that
/// direction; the adapter answers a read of a directory with `EBADF` too, where Linux's
/// `generic_read_dir` says `EISDIR`.
fn transfer_errno(dir: Dir, fd: i32, e: Errno) -> Errno {
    if e == Errno::ENOTCAPABLE {
        return Errno::EBADF;
    }
    if e == Errno::EBADF
        && dir == Dir::Read
        && fdstat(fd).is_ok_and(|st| st.filetype == p1::FILETYPE_DIRECTORY)
    {
        return Errno::EISDIR;
    }
    e
}

/// A preview 1 transfer over every iovec. The component adapter transfers only the first
/// non-empty iovec per call (so libc's own `writev` of two buffers to a file writes one); this
/// goes on with the next iovec after each complete one and stops at the first short transfer,
/// as one Linux call would. Reads go on only from regular files: from stdin or a pipe a second
/// read could block where Linux returns what was available. An error after some progress
/// returns the progress, like a short transfer.
///
/// # Safety
/// Every iovec valid for the operation.
unsafe fn transfer(dir: Dir, fd: i32, iovs: &[p1::Iovec]) -> Result<usize> {
    let mut pending = iovs.iter().filter(|v| v.len > 0).peekable();
    let Some(first) = pending.next() else {
        // Nothing to move: the host still checks the descriptor.
        let empty = p1::Iovec {
            buf: core::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: an empty iovec touches no memory.
        return unsafe { p1_rw(dir, fd, &empty) };
    };
    // SAFETY: one of the caller's iovecs.
    let done = unsafe { p1_rw(dir, fd, first) }?;
    if dir == Dir::Write {
        if done < first.len {
            return Ok(done);
        }
        // SAFETY: forwarded contract.
        return Ok(done + unsafe { transfer_rest(dir, fd, pending) });
    }
    let more = pending.peek().is_some();
    if (done > 0 && done < first.len) || (done == first.len && !more) {
        return Ok(done);
    }
    // A read that found nothing, or filled the first buffer with more to fill: only a regular
    // file may be read again (see above), and one opened O_NONBLOCK needs the flag cleared.
    let Ok(st) = fdstat(fd) else {
        return Ok(done);
    };
    let nonblocking = st.flags & p1::FDFLAGS_NONBLOCK != 0;
    if st.filetype != p1::FILETYPE_REGULAR_FILE || (done == 0 && !nonblocking) {
        return Ok(done);
    }
    with_blocking_file(fd, st.flags, || {
        let mut done = done;
        if done == 0 {
            // SAFETY: one of the caller's iovecs.
            done = unsafe { p1_rw(dir, fd, first) }?;
            if done < first.len {
                return Ok(done);
            }
        }
        // SAFETY: forwarded contract.
        Ok(done + unsafe { transfer_rest(dir, fd, pending) })
    })
}

/// The iovecs after a complete first one, each after the one before it completed; errors end
/// the transfer (the progress so far is the answer).
///
/// # Safety
/// Every iovec valid for the operation.
unsafe fn transfer_rest<'a>(dir: Dir, fd: i32, rest: impl Iterator<Item = &'a p1::Iovec>) -> usize {
    let mut done = 0;
    for v in rest {
        // SAFETY: one of the caller's iovecs.
        match unsafe { p1_rw(dir, fd, v) } {
            Ok(k) => {
                done += k;
                if k < v.len {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    done
}

/// Run `f` on a regular file with `O_NONBLOCK` cleared, when `flags` has it. Linux ignores
/// `O_NONBLOCK` on regular files, but the component adapter reads such a file through a
/// non-blocking stream whose first answer is "nothing yet", which it reports as end of file:
/// every read of a file opened with `O_NONBLOCK` would look empty. The flag is put back after
/// the call (`F_GETFL` still reports it).
fn with_blocking_file(fd: i32, flags: u16, f: impl FnOnce() -> Result<usize>) -> Result<usize> {
    if flags & p1::FDFLAGS_NONBLOCK == 0 {
        return f();
    }
    set_fdflags(fd, flags & !p1::FDFLAGS_NONBLOCK)?;
    let r = f();
    let restored = set_fdflags(fd, flags);
    let n = r?;
    restored?;
    Ok(n)
}

/// `pread` on a non-socket at `pos` (preview 1 `fd_pread`): the file position does not move.
pub fn pread(fd: i32, buf: &mut [u8], pos: u64) -> Result<usize> {
    let iov = p1::Iovec {
        buf: buf.as_mut_ptr(),
        len: buf.len(),
    };
    let mut n = 0usize;
    // SAFETY: one iovec describing `buf`; `n` is a valid out-pointer.
    match unsafe { p1::fd_pread(fd, &iov, 1, pos, &mut n) } {
        0 => Ok(n),
        e => Err(transfer_errno(Dir::Read, fd, Errno(i32::from(e)))),
    }
}
