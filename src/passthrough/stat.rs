//! `fstat` on a non-socket: what a file is, in the library's own types, before `src/abi/`
//! lays it out as wasi-libc's `struct stat`. The types also describe sockets and pipes, whose
//! answers are fixed.

use crate::errno::{Errno, Result};
use crate::wasi::p1;

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
