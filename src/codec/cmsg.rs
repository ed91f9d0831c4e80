//! Control messages (`msg_control`) in wasi-libc's layout: `struct cmsghdr` is `cmsg_len`
//! (`socklen_t`), `cmsg_level`, `cmsg_type`, 12 bytes, and `CMSG_ALIGN` rounds to
//! `sizeof(size_t)`, 4 (`include/sys/socket.h`). Only `SCM_RIGHTS` travels (between the
//! program's own AF_UNIX sockets): [`rights`] reads a send's, as Linux's `__scm_send` does, and
//! [`put_rights`] lays out a receive's, as `scm_detach_fds` does.

use crate::errno::{Errno, Result};
use alloc::vec::Vec;

/// `sizeof(struct cmsghdr)`.
pub const CMSG_HDR: usize = 12;
/// `SOL_SOCKET` in wasi-libc.
pub const SOL_SOCKET: i32 = 0x7fff_ffff;
/// `SCM_RIGHTS`.
pub const SCM_RIGHTS: i32 = 1;
/// `SCM_MAX_FD`: the most descriptors one send passes.
pub const SCM_MAX_FD: usize = 253;

/// `CMSG_ALIGN`.
fn align(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// `CMSG_LEN(n)`.
pub fn cmsg_len(n: usize) -> usize {
    CMSG_HDR + n
}

/// `CMSG_SPACE(n)`.
pub fn cmsg_space(n: usize) -> usize {
    align(n) + CMSG_HDR
}

fn word(b: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The descriptors a send's control messages pass, with Linux's checks in Linux's order
/// (`__scm_send`, `scm_fp_copy`): the messages are walked as `CMSG_FIRSTHDR`/`CMSG_NXTHDR`
/// walk them; one whose `cmsg_len` is shorter than a header or runs past the buffer is
/// `EINVAL`; other levels than `SOL_SOCKET` are skipped; `SCM_RIGHTS` passes its descriptors,
/// each checked by `check` at its turn (`EBADF`...), more than [`SCM_MAX_FD`] in all being
/// `EINVAL`; any other type (`SCM_CREDENTIALS` included: not supported) is `EINVAL`. A buffer
/// shorter than a header holds no message.
pub fn rights(control: &[u8], check: impl Fn(i32) -> Result<()>) -> Result<Vec<i32>> {
    let mut fds = Vec::new();
    let size = control.len();
    let mut at = 0;
    if size < CMSG_HDR {
        return Ok(fds);
    }
    loop {
        let len = word(control, at) as u32 as usize;
        if len < CMSG_HDR || len > size - at {
            return Err(Errno::EINVAL);
        }
        if word(control, at + 4) == SOL_SOCKET {
            if word(control, at + 8) != SCM_RIGHTS {
                return Err(Errno::EINVAL);
            }
            let n = (len - CMSG_HDR) / 4;
            if n > SCM_MAX_FD || fds.len() + n > SCM_MAX_FD {
                return Err(Errno::EINVAL);
            }
            for i in 0..n {
                let fd = word(control, at + CMSG_HDR + 4 * i);
                check(fd)?;
                fds.push(fd);
            }
        }
        // __cmsg_nxthdr: the next header must fit whole in the buffer.
        let next = at + align(len);
        if next + CMSG_HDR > size {
            return Ok(fds);
        }
        at = next;
    }
}

/// How many descriptors a receive's control buffer of `len` bytes has room for
/// (`scm_max_fds`).
pub fn rights_room(len: usize) -> usize {
    if len <= CMSG_HDR {
        0
    } else {
        (len - CMSG_HDR) / 4
    }
}

/// Lay out one `SCM_RIGHTS` message with `fds` (at most [`rights_room`] of them) at the start of
/// `control`; returns the bytes used, which `recvmsg` reports as `msg_controllen`
/// (`CMSG_SPACE`, cut to the buffer). No descriptors: nothing is written, 0.
pub fn put_rights(control: &mut [u8], fds: &[i32]) -> usize {
    if fds.is_empty() {
        return 0;
    }
    let n = 4 * fds.len();
    control[..4].copy_from_slice(&(cmsg_len(n) as u32).to_ne_bytes());
    control[4..8].copy_from_slice(&SOL_SOCKET.to_ne_bytes());
    control[8..12].copy_from_slice(&SCM_RIGHTS.to_ne_bytes());
    for (i, fd) in fds.iter().enumerate() {
        let at = CMSG_HDR + 4 * i;
        control[at..at + 4].copy_from_slice(&fd.to_ne_bytes());
    }
    cmsg_space(n).min(control.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmsg(level: i32, ty: i32, data: &[i32], len: Option<usize>) -> Vec<u8> {
        let n = 4 * data.len();
        let mut b = Vec::new();
        b.extend_from_slice(&(len.unwrap_or(cmsg_len(n)) as u32).to_ne_bytes());
        b.extend_from_slice(&level.to_ne_bytes());
        b.extend_from_slice(&ty.to_ne_bytes());
        for d in data {
            b.extend_from_slice(&d.to_ne_bytes());
        }
        b.resize(cmsg_space(n), 0);
        b
    }

    fn ok(_: i32) -> Result<()> {
        Ok(())
    }

    #[test]
    fn walks_messages_as_linux() {
        let mut c = cmsg(SOL_SOCKET, SCM_RIGHTS, &[3, 4], None);
        c.extend(cmsg(41, 99, &[1], None)); // another level: skipped
        c.extend(cmsg(SOL_SOCKET, SCM_RIGHTS, &[5], None));
        assert_eq!(rights(&c, ok), Ok(vec![3, 4, 5]));
        assert_eq!(rights(&c[..8], ok), Ok(vec![]), "shorter than a header");
        assert_eq!(rights(&[], ok), Ok(vec![]));
        // A last header that does not fit whole is not looked at; one that fits but whose
        // length runs past the buffer is EINVAL.
        assert_eq!(rights(&c[..47], ok), Ok(vec![3, 4]));
        assert_eq!(rights(&c[..c.len() - 1], ok), Err(Errno::EINVAL));
        assert_eq!(
            rights(&cmsg(SOL_SOCKET, 2, &[1, 2, 3], None), ok),
            Err(Errno::EINVAL),
            "SCM_CREDENTIALS"
        );
        for bad in [0, 11, 100] {
            let c = cmsg(SOL_SOCKET, SCM_RIGHTS, &[3], Some(bad));
            assert_eq!(rights(&c, ok), Err(Errno::EINVAL), "cmsg_len {bad}");
        }
        let c = cmsg(SOL_SOCKET, SCM_RIGHTS, &[3, -1, 4], None);
        let check = |fd: i32| if fd < 0 { Err(Errno::EBADF) } else { Ok(()) };
        assert_eq!(rights(&c, check), Err(Errno::EBADF));
        let many: Vec<i32> = (0..254).collect();
        assert_eq!(
            rights(&cmsg(SOL_SOCKET, SCM_RIGHTS, &many, None), ok),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            rights(&cmsg(SOL_SOCKET, SCM_RIGHTS, &many[..253], None), ok).map(|v| v.len()),
            Ok(253)
        );
    }

    #[test]
    fn lays_out_a_receive() {
        assert_eq!(rights_room(12), 0);
        assert_eq!(rights_room(16), 1);
        assert_eq!(rights_room(23), 2);
        let mut c = [0xaau8; 24];
        assert_eq!(put_rights(&mut c, &[7, 9]), 20);
        assert_eq!(rights(&c[..20], ok), Ok(vec![7, 9]));
        assert_eq!(&c[20..], &[0xaa; 4]);
        let mut c = [0u8; 18];
        assert_eq!(put_rights(&mut c, &[7]), 16);
        assert_eq!(put_rights(&mut c, &[]), 0);
    }
}
