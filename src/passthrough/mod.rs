//! Descriptors the library does not own (regular files, directories, stdio): served by the
//! preview 1 component adapter, as wasi-libc's own calls would serve them, with the checks Linux
//! makes before any transfer and the adapter's departures from Linux corrected.
//!
//! The C entry points decide what is a socket; everything else with a descriptor number comes
//! here. Buffers arrive as slices the ABI layer has already checked; a buffer Linux would fault
//! on is reported with [`bad_buffer`], which gives the answer Linux gives for that descriptor
//! (a closed or wrong-direction descriptor is still `EBADF`, a directory `EISDIR`, a file at its
//! end 0), not a blanket `EFAULT`.

use crate::errno::{Errno, Result};
use crate::flags::{FD_CLOEXEC, Fcntl, Ioctl};
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

/// `fd_fdstat_set_flags`.
pub fn set_fdflags(fd: i32, flags: u16) -> Result<()> {
    // SAFETY: plain preview 1 call.
    match unsafe { p1::fd_fdstat_set_flags(fd, flags) } {
        0 => Ok(()),
        e => Err(Errno(i32::from(e))),
    }
}

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

/// What a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Unknown (`__WASI_FILETYPE_UNKNOWN`).
    Unknown,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharDevice,
    /// A directory.
    Directory,
    /// A regular file.
    Regular,
    /// A socket.
    Socket,
    /// A symbolic link.
    Symlink,
    /// A pipe (`S_IFIFO`).
    Fifo,
}

/// What `fstat` reports, before it is laid out as wasi-libc's `struct stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStat {
    /// The file's kind.
    pub kind: FileKind,
    /// Permission bits (sockets only: the host reports none for files, as wasi-libc).
    pub perm: u32,
    /// Device number.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Link count.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Preferred I/O block size (0: not reported).
    pub blksize: u64,
    /// Access, modification and status-change times, in nanoseconds.
    pub times_ns: [u64; 3],
}

impl FileStat {
    /// A pipe's `fstat`: `S_IFIFO | 0600` (as Linux's pipefs), one link, a 4096-byte block
    /// size, zeros elsewhere.
    pub fn fifo() -> FileStat {
        FileStat {
            kind: FileKind::Fifo,
            perm: 0o600,
            ..FileStat::socket()
        }
    }

    /// A socket's `fstat`: `S_IFSOCK | 0777` (Linux gives sockets every permission bit), one
    /// link, a 4096-byte block size, zeros elsewhere.
    pub fn socket() -> FileStat {
        FileStat {
            kind: FileKind::Socket,
            perm: 0o777,
            dev: 0,
            ino: 0,
            nlink: 1,
            size: 0,
            blksize: 4096,
            times_ns: [0; 3],
        }
    }
}

/// `fstat` on a non-socket: preview 1 `fd_filestat_get`, as wasi-libc converts it.
pub fn fstat(fd: i32) -> Result<FileStat> {
    // `__wasi_filestat_t`: dev, ino, filetype (u8), nlink, size, atim, mtim, ctim; 8 bytes each.
    let mut fs = [0u64; 8];
    // SAFETY: a 64-byte, 8-aligned out-buffer.
    match unsafe { p1::fd_filestat_get(fd, fs.as_mut_ptr()) } {
        0 => {}
        e => return Err(Errno(i32::from(e))),
    }
    let kind = match fs[2] as u8 {
        1 => FileKind::BlockDevice,
        2 => FileKind::CharDevice,
        3 => FileKind::Directory,
        4 => FileKind::Regular,
        5 | 6 => FileKind::Socket,
        7 => FileKind::Symlink,
        _ => FileKind::Unknown,
    };
    Ok(FileStat {
        kind,
        perm: 0,
        dev: fs[0],
        ino: fs[1],
        nlink: fs[3],
        size: fs[4],
        blksize: 0,
        times_ns: [fs[5], fs[6], fs[7]],
    })
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

/// Renumber a non-socket descriptor (preview 1 `fd_renumber`).
pub fn renumber(fd: i32, to: i32) -> Result<()> {
    // SAFETY: plain preview 1 call.
    match unsafe { p1::fd_renumber(fd, to) } {
        0 => Ok(()),
        e => Err(Errno(i32::from(e))),
    }
}
