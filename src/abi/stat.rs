//! `fstat` on every descriptor: a socket reports `S_IFSOCK` as on Linux; anything else goes
//! through preview 1 `fd_filestat_get` with wasi-libc's own conversion.

use crate::errno::{Errno, c_ret};
use crate::socket;
use crate::wasi::p1;
use libc::c_int;

/// `S_IFSOCK | 0777` (Linux gives sockets every permission bit), and the other type bits.
const S_IFSOCK: u32 = 0o140000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFBLK: u32 = 0o060000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;

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
/// (Linux's sockfs fills device and inode numbers that mean nothing here).
///
/// # Safety
/// `buf` must be writable for a `struct stat`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fstat(fd: c_int, buf: *mut Stat) -> c_int {
    let st = if socket::is_socket(fd) {
        Stat {
            mode: S_IFSOCK | 0o777,
            nlink: 1,
            blksize: 4096,
            ..zeroed()
        }
    } else {
        // `__wasi_filestat_t`: dev, ino, filetype (u8), nlink, size, atim, mtim, ctim; 8 bytes each.
        let mut fs = [0u64; 8];
        // SAFETY: a 64-byte, 8-aligned out-buffer.
        match unsafe { p1::fd_filestat_get(fd, fs.as_mut_ptr()) } {
            0 => {}
            e => return c_ret(Err(Errno(i32::from(e)))),
        }
        let kind = match fs[2] as u8 {
            1 => S_IFBLK,
            2 => S_IFCHR,
            3 => S_IFDIR,
            4 => S_IFREG,
            5 | 6 => S_IFSOCK,
            7 => S_IFLNK,
            _ => 0,
        };
        Stat {
            dev: fs[0],
            ino: fs[1],
            nlink: fs[3],
            mode: kind,
            size: fs[4] as i64,
            atim: timespec(fs[5]),
            mtim: timespec(fs[6]),
            ctim: timespec(fs[7]),
            ..zeroed()
        }
    };
    if buf.is_null() {
        return c_ret(Err(Errno::EFAULT));
    }
    // SAFETY: writable per the contract; unaligned-tolerant.
    unsafe { buf.write_unaligned(st) };
    0
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
