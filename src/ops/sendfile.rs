//! `sendfile`: a file's bytes to any descriptor (a socket, most often), as Linux's
//! `do_sendfile` does it: the input's checks, then the offset's, then the output's.

use super::desc::{check_open_for, lseek, write};
use crate::codec::MAX_RW_COUNT;
use crate::errno::{Errno, Result};
use crate::fd::{self, Desc, Target};
use crate::passthrough::{self, Dir};
use alloc::vec;

/// The most one step reads from the file before handing it to the output.
const CHUNK: usize = 64 * 1024;

/// `sendfile(2)`: up to `count` bytes of `input` from `offset` (or, with none, from its file
/// position, which then moves) to `out`. A blocking output takes everything; a non-blocking one
/// what it can (`EAGAIN` if nothing). Returns the bytes sent and the offset after them.
pub fn sendfile(out: i32, input: i32, offset: Option<i64>, count: usize) -> Result<(usize, u64)> {
    let in_fd = match fd::lookup(input) {
        Target::Ours(Desc::Socket(_) | Desc::Epoll(_)) => None,
        // A pipe has no position either (and its write end is not open for reading).
        Target::Ours(Desc::Pipe(p)) => {
            p.check_dir(false)?;
            None
        }
        Target::Ours(Desc::File(f)) => Some(f.fd()),
        Target::Other(fd) => Some(fd),
    };
    if let Some(fd) = in_fd {
        passthrough::check_open_for(fd, Dir::Read)?;
    }
    let pos = match (offset, in_fd) {
        // A socket has no position to read at (Linux: no FMODE_PREAD).
        (Some(_), None) => return Err(Errno::ESPIPE),
        (Some(o), Some(_)) => u64::try_from(o).map_err(|_| Errno::EINVAL)?,
        // The file position (a stream, stdin say, has none to move: 0, as Linux's f_pos).
        (None, Some(_)) => lseek(input, 0, 1).unwrap_or(0),
        (None, None) => 0,
    };
    check_open_for(out, Dir::Write)?;
    if count == 0 {
        return Ok((0, pos));
    }
    // Linux cannot splice from a socket.
    let in_fd = in_fd.ok_or(Errno::EINVAL)?;
    let count = count.min(MAX_RW_COUNT);
    let mut buf = vec![0u8; count.min(CHUNK)];
    let (mut sent, mut at) = (0usize, pos);
    while sent < count {
        let want = (count - sent).min(buf.len());
        let n = match passthrough::pread(in_fd, &mut buf[..want], at) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if sent == 0 => return Err(e),
            Err(_) => break,
        };
        let w = match write(out, &[&buf[..n]]) {
            Ok(w) => w,
            Err(e) if sent == 0 => return Err(e),
            Err(_) => break,
        };
        sent += w;
        at += w as u64;
        if w < n {
            break;
        }
    }
    if offset.is_none() && sent > 0 {
        lseek(input, at as i64, 0)?;
    }
    Ok((sent, at))
}
