//! Descriptors the library does not own (regular files, directories, stdio): served by the
//! preview 1 component adapter, as wasi-libc's own calls would serve them, with the checks Linux
//! makes before any transfer and the adapter's departures from Linux corrected.
//!
//! The C entry points decide what is a socket; everything else with a descriptor number comes
//! here. Buffers arrive as slices the ABI layer has already checked; a buffer Linux would fault
//! on is reported with [`bad_buffer`], which gives the answer Linux gives for that descriptor
//! (a closed or wrong-direction descriptor is still `EBADF`, a directory `EISDIR`, a file at its
//! end 0), not a blanket `EFAULT`.
//!
//! This file holds what every call here starts from (the descriptor's status and the checks on
//! it) and the calls on a descriptor as a whole (`close`, renumbering, `lseek`); the transfers,
//! whose corrections of the adapter interlock, are in `transfer.rs`, `fcntl` and `ioctl` in
//! `fcntl.rs`, `fstat` and the types it answers with in `stat.rs`.

mod fcntl;
mod stat;
mod transfer;

pub use fcntl::{fcntl, ioctl};
pub use stat::{FileKind, FileStat, fstat};
pub use transfer::{pread, read, write};

use crate::errno::{Errno, Result};
use crate::wasi::p1;

/// Which way a transfer goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dir {
    /// `read`, `readv`.
    Read,
    /// `write`, `writev`.
    Write,
}

/// `fd_fdstat_get`: what the adapter knows of `fd` (`EBADF` if nothing is open under it).
pub fn fdstat(fd: i32) -> Result<p1::Fdstat> {
    if fd < 0 {
        return Err(Errno::EBADF);
    }
    let mut st = p1::Fdstat::default();
    // SAFETY: `st` is a valid out-pointer.
    match unsafe { p1::fd_fdstat_get(fd, &mut st) } {
        0 => Ok(st),
        e => Err(Errno(i32::from(e))),
    }
}

/// Whether `fd` is open in the adapter (a file, a directory, stdio).
pub fn is_open(fd: i32) -> bool {
    fdstat(fd).is_ok()
}

/// The checks Linux's `vfs_read`/`vfs_write` (and their vector forms) make before looking at the
/// buffers: the descriptor is open (`EBADF`) and open for this direction (`EBADF`; a directory
/// is open for reading, which then fails with `EISDIR`).
pub fn check_open_for(fd: i32, dir: Dir) -> Result<p1::Fdstat> {
    let st = fdstat(fd)?;
    let open_for = match dir {
        Dir::Read => {
            st.rights_base & p1::RIGHTS_FD_READ != 0 || st.filetype == p1::FILETYPE_DIRECTORY
        }
        Dir::Write => st.rights_base & p1::RIGHTS_FD_WRITE != 0,
    };
    if !open_for {
        return Err(Errno::EBADF);
    }
    Ok(st)
}

/// The answer to a transfer whose first non-empty buffer Linux could not touch (NULL, or outside
/// memory). Linux finds the bad buffer only when it copies: a descriptor that is not open for
/// the direction is `EBADF` first, a directory is `EISDIR`, a read that would copy nothing (a
/// regular file at its end) returns 0; otherwise the copy faults: `EFAULT`.
pub fn bad_buffer(fd: i32, dir: Dir) -> Result<usize> {
    let st = check_open_for(fd, dir)?;
    if st.filetype == p1::FILETYPE_DIRECTORY {
        return Err(Errno::EISDIR);
    }
    if dir == Dir::Read && st.filetype == p1::FILETYPE_REGULAR_FILE && file_bytes_left(fd)? == 0 {
        return Ok(0);
    }
    Err(Errno::EFAULT)
}

/// For a regular file, the bytes between the offset and the end.
pub fn file_bytes_left(fd: i32) -> Result<u64> {
    let mut stat = [0u64; 8];
    let mut pos = 0u64;
    // SAFETY: a 64-byte, 8-aligned buffer for `__wasi_filestat_t`; a valid out-pointer.
    let (e1, e2) = unsafe {
        (
            p1::fd_filestat_get(fd, stat.as_mut_ptr()),
            p1::fd_tell(fd, &mut pos),
        )
    };
    match (e1, e2) {
        (0, 0) => Ok(stat[4].saturating_sub(pos)),
        (0, e) | (e, _) => Err(Errno(i32::from(e))),
    }
}

/// `fd_fdstat_set_flags`.
pub fn set_fdflags(fd: i32, flags: u16) -> Result<()> {
    // SAFETY: plain preview 1 call.
    match unsafe { p1::fd_fdstat_set_flags(fd, flags) } {
        0 => Ok(()),
        e => Err(Errno(i32::from(e))),
    }
}

/// What wasi-libc's `close` does before closing anything: make sure the preopened directories
/// were scanned (see [`p1::scan_preopens`]).
pub fn before_close() {
    p1::scan_preopens();
}

/// Close a non-socket descriptor (preview 1 `fd_close`).
pub fn close(fd: i32) -> Result<()> {
    if fd < 0 {
        return Err(Errno::EBADF);
    }
    // SAFETY: plain preview 1 call.
    match unsafe { p1::fd_close(fd) } {
        0 => Ok(()),
        e => Err(Errno(i32::from(e))),
    }
}

/// `lseek` on a non-socket, as wasi-libc's: preview 1 `fd_seek`, a descriptor that cannot seek
/// (no right) is `ESPIPE`.
pub fn seek(fd: i32, offset: i64, whence: i32) -> Result<u64> {
    const SEEK_SET: i32 = 0;
    const SEEK_DATA: i32 = 3;
    const SEEK_HOLE: i32 = 4;
    if whence == SEEK_DATA || whence == SEEK_HOLE {
        // A file here has no holes: the data is everything before the end. A stream cannot
        // seek at all.
        let st = fstat(fd)?;
        if st.kind != FileKind::Regular {
            return Err(Errno::ESPIPE);
        }
        let size = st.size;
        let at = u64::try_from(offset).map_err(|_| Errno::ENXIO)?;
        if at >= size {
            return Err(Errno::ENXIO);
        }
        let to = if whence == SEEK_DATA { at } else { size };
        return seek(fd, to as i64, SEEK_SET);
    }
    let Ok(whence) = u8::try_from(whence) else {
        return Err(Errno::EINVAL);
    };
    let mut pos = 0u64;
    // SAFETY: plain preview 1 call; `pos` is a valid out-pointer.
    match unsafe { p1::fd_seek(fd, offset, whence, &mut pos) } {
        0 => Ok(pos),
        e if Errno(i32::from(e)) == Errno::ENOTCAPABLE => Err(Errno::ESPIPE),
        e => Err(Errno(i32::from(e))),
    }
}

/// Renumber a non-socket descriptor (preview 1 `fd_renumber`).
pub fn renumber(fd: i32, to: i32) -> Result<()> {
    // SAFETY: plain preview 1 call.
    match unsafe { p1::fd_renumber(fd, to) } {
        0 => Ok(()),
        e => Err(Errno(i32::from(e))),
    }
}
