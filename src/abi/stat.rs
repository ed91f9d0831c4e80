//! `fstat` on every descriptor: a socket reports `S_IFSOCK` as on Linux; anything else as
//! wasi-libc converts preview 1's `fd_filestat_get`.

use crate::errno::{Errno, c_ret};
use crate::ops::{self, FileKind};
use libc::c_int;

/// `S_IFSOCK | 0777` (Linux gives sockets every permission bit), and the other type bits.
const S_IFSOCK: u32 = 0o140000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFBLK: u32 = 0o060000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;
const S_IFIFO: u32 = 0o010000;

/// wasi-libc's `struct stat` (144 bytes), the fields this fills.
#[repr(C)]
pub struct Stat {
    dev: u64,
    ino: u64,
    nlink: u64,
    mode: u32,
    uid: u32,
    gid: u32,
    _pad0: u32,
    rdev: u64,
    size: i64,
    blksize: i64,
    blocks: i64,
    atim: [i64; 2],
    mtim: [i64; 2],
    ctim: [i64; 2],
    _reserved: [i64; 3],
}

fn timespec(ns: u64) -> [i64; 2] {
    [(ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64]
}

/// fstat(2). On a socket: `S_IFSOCK | 0777`, one link, a 4096-byte block size, zeros elsewhere
/// (Linux's sockfs fills device and inode numbers that mean nothing here); any other descriptor
/// as wasi-libc reports it.
///
/// # Safety
/// `buf` must be writable for a `struct stat`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fstat(fd: c_int, buf: *mut Stat) -> c_int {
    // SAFETY: forwarded contract.
    let r = ops::fstat(fd).and_then(|st| unsafe { put_stat(buf, st) });
    c_ret(crate::trace::traced!("fstat"("{fd}, {buf:p}"), r))
}

/// Lay `st` out as wasi-libc's `struct stat` at `buf` (NULL or not all in memory: `EFAULT`, as
/// Linux's copy out faults once the descriptor has passed).
///
/// # Safety
/// `buf` writable for a `struct stat` if it lies in memory.
unsafe fn put_stat(buf: *mut Stat, st: ops::FileStat) -> crate::errno::Result<c_int> {
    if !crate::codec::whole_in_memory(buf.cast(), size_of::<Stat>()) {
        return Err(Errno::EFAULT);
    }
    let kind = match st.kind {
        FileKind::BlockDevice => S_IFBLK,
        FileKind::CharDevice => S_IFCHR,
        FileKind::Directory => S_IFDIR,
        FileKind::Regular => S_IFREG,
        FileKind::Socket => S_IFSOCK,
        FileKind::Symlink => S_IFLNK,
        FileKind::Fifo => S_IFIFO,
        FileKind::Unknown => 0,
    };
    let [atim, mtim, ctim] = st.times_ns.map(timespec);
    let out = Stat {
        dev: st.dev,
        ino: st.ino,
        nlink: st.nlink,
        mode: kind | st.perm,
        size: st.size as i64,
        blksize: st.blksize as i64,
        atim,
        mtim,
        ctim,
        ..zeroed()
    };
    // SAFETY: writable per the contract; unaligned-tolerant.
    unsafe { buf.write_unaligned(out) };
    Ok(0)
}

fn zeroed() -> Stat {
    Stat {
        dev: 0,
        ino: 0,
        nlink: 0,
        mode: 0,
        uid: 0,
        gid: 0,
        _pad0: 0,
        rdev: 0,
        size: 0,
        blksize: 0,
        blocks: 0,
        atim: [0; 2],
        mtim: [0; 2],
        ctim: [0; 2],
        _reserved: [0; 3],
    }
}

/// lseek(2): a socket is `ESPIPE`, as Linux; a file (including a copy `dup` made, which the
/// adapter does not know) as wasi-libc seeks it. Replaces wasi-libc's (weak) `lseek`.
#[unsafe(no_mangle)]
pub extern "C" fn lseek(fd: c_int, offset: i64, whence: c_int) -> i64 {
    let r = ops::lseek(fd, offset, whence).map(|p| p as i64);
    c_ret(crate::trace::traced!(
        "lseek"("{fd}, {offset}, {whence}"),
        r
    ))
}
