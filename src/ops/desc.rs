//! The calls every descriptor answers, sockets and not: `read`, `write` (and their vector
//! forms), `fcntl`, `ioctl`, `fstat`, `close`, `dup`. A socket is served here; any other number
//! goes to [`crate::passthrough`], which serves it as wasi-libc would, with Linux's checks.

use super::{recv, send};
use crate::addr::Dest;
use crate::codec::Span;
use crate::epoll::Epoll;
use crate::errno::{Errno, Result};
use crate::fd::{self, Desc, Target};
use crate::flags::{FD_CLOEXEC, Fcntl, Ioctl, MsgFlags, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY};
use crate::passthrough;

use crate::channel::pipe::PipeEnd;
pub use crate::passthrough::{Dir, FileKind};
use core::cell::RefCell;

/// `read(2)` / `readv(2)` into `bufs` (already checked by the caller). On a socket, `recv` with
/// no flags, except that an empty request returns 0 at once, as Linux's `sock_read_iter` does
/// before asking the protocol.
pub fn read(fd: i32, bufs: &mut [&mut [u8]]) -> Result<usize> {
    match fd::lookup(fd) {
        Target::Ours(Desc::Socket(_)) if bufs.iter().all(|b| b.is_empty()) => Ok(0),
        Target::Ours(Desc::Socket(_)) => recv(fd, bufs, MsgFlags::empty()),
        Target::Ours(Desc::File(f)) => passthrough::read(f.fd(), bufs),
        Target::Ours(Desc::Pipe(p)) => p.read(bufs),
        // Linux: an epoll instance has no read method (EINVAL, before the buffers).
        Target::Ours(Desc::Epoll(_)) => Err(Errno::EINVAL),
        Target::Other(fd) => passthrough::read(fd, bufs),
    }
}

/// `write(2)` / `writev(2)` of `bufs`. On a socket, `send` with no flags.
pub fn write(fd: i32, bufs: &[&[u8]]) -> Result<usize> {
    match fd::lookup(fd) {
        Target::Ours(Desc::Socket(_)) => send(fd, bufs, MsgFlags::empty()),
        Target::Ours(Desc::File(f)) => passthrough::write(f.fd(), bufs),
        Target::Ours(Desc::Pipe(p)) => p.write(bufs),
        Target::Ours(Desc::Epoll(_)) => Err(Errno::EINVAL),
        Target::Other(fd) => passthrough::write(fd, bufs),
    }
}

/// The answer to a `read`/`write` whose (first non-empty) buffer cannot be touched (see
/// [`Span`]). Linux refuses a buffer outside the address space before anything else, after the
/// descriptor; at NULL or past the end of memory it finds the fault only when it copies: a
/// socket waits as the call would and then says `EFAULT` (a stream's bytes stay queued; a
/// datagram that faults is dropped, as `udp_recvmsg` frees it), another descriptor answers as
/// [`passthrough::bad_buffer`] says. A socket write of `len` bytes makes every check of a send
/// first ([`super::send_fault`]).
pub fn bad_buffer(fd: i32, dir: Dir, span: Span, len: usize) -> Result<usize> {
    match fd::lookup(fd) {
        Target::Ours(Desc::Epoll(_)) => Err(Errno::EINVAL),
        Target::Ours(Desc::Socket(_)) if span == Span::Outside => Err(Errno::EFAULT),
        Target::Ours(Desc::Socket(_)) => match dir {
            Dir::Read => recv_fault(fd, MsgFlags::empty(), len),
            Dir::Write => super::send_fault(fd, &[], len, MsgFlags::empty(), Dest::Peer),
        },
        Target::Ours(Desc::File(f)) => other_bad_buffer(f.fd(), dir, span),
        // A pipe checks its end first; a read waits for data (or its end) before the copy
        // faults, a write for a reader.
        Target::Ours(Desc::Pipe(p)) => {
            p.check_dir(dir == Dir::Write)?;
            if span == Span::Outside {
                return Err(Errno::EFAULT);
            }
            p.fault(dir == Dir::Write)
        }
        Target::Other(fd) => other_bad_buffer(fd, dir, span),
    }
}

fn other_bad_buffer(fd: i32, dir: Dir, span: Span) -> Result<usize> {
    match span {
        Span::Outside => {
            passthrough::check_open_for(fd, dir)?;
            Err(Errno::EFAULT)
        }
        _ => passthrough::bad_buffer(fd, dir),
    }
}

/// A receive of `len` bytes into a buffer that faults. Linux finds the bad buffer only when it
/// copies into it: until data is there the call waits and fails as any receive would (`EAGAIN`,
/// `ENOTCONN`, 0 at end of stream), then it is `EFAULT`. A stream's bytes stay queued; a
/// datagram is dropped (`udp_recvmsg` frees it after the failed copy) unless peeking. TCP's
/// `MSG_TRUNC` copies nothing, so it does not fault: it discards as usual.
pub fn recv_fault(fd: i32, flags: MsgFlags, len: usize) -> Result<usize> {
    recv_fault_from(fd, flags, len).map(|r| r.n)
}

/// [`recv_fault`], with the sender of what was received (an empty datagram copies nothing, so
/// it does not fault: its sender is reported, as Linux does).
pub fn recv_fault_from(fd: i32, flags: MsgFlags, len: usize) -> Result<super::Received> {
    if super::unix::is_unix(fd) {
        // (Its sender is not an IP address: callers that report it use `unix::recv_fault`.)
        let m = super::unix::recv_fault(fd, flags, 0)?;
        return Ok(super::Received {
            n: m.n,
            from: None,
            truncated: m.truncated,
        });
    }
    if flags.contains(MsgFlags::TRUNC) && !super::is_datagram(fd) {
        // (Found by tests/fuzz/diff.c: it said EFAULT.)
        let mut room = alloc::vec![0u8; len.min(super::TRUNC_DISCARD_MAX)];
        return super::recv_from(fd, &mut [&mut room[..]], flags);
    }
    let mut one = [0u8; 1];
    let got = super::recv_from(fd, &mut [&mut one[..]], flags | MsgFlags::PEEK)?;
    if super::is_datagram(fd) && !flags.contains(MsgFlags::PEEK) {
        let _ = recv(fd, &mut [&mut one[..]], flags | MsgFlags::DONTWAIT);
    }
    if got.n == 0 {
        Ok(super::Received {
            n: 0,
            from: got.from,
            truncated: false,
        })
    } else {
        Err(Errno::EFAULT)
    }
}

/// `fcntl(2)`. On a socket: `F_GETFL` (`O_RDWR`, plus `O_NONBLOCK` when set), `F_SETFL` (only
/// `O_NONBLOCK` changes, as Linux ignores access-mode bits), `F_GETFD`/`F_SETFD` (`FD_CLOEXEC`
/// stored and reported); other commands `EINVAL`. Other descriptors: wasi-libc's behaviour
/// ([`passthrough::fcntl`]).
pub fn fcntl(fd: i32, cmd: Fcntl) -> Result<i32> {
    let s = match (fd::lookup(fd), cmd) {
        (Target::Other(fd), Fcntl::DupFd { min, cloexec }) => {
            return dup_from(fd, min, cloexec);
        }
        (Target::Other(fd), cmd) => return passthrough::fcntl(fd, cmd),
        (Target::Ours(_), Fcntl::DupFd { min, cloexec }) => return dup_from(fd, min, cloexec),
        (Target::Ours(_), Fcntl::GetFd) => {
            return fd::cloexec(fd).map(|on| if on { FD_CLOEXEC } else { 0 });
        }
        (Target::Ours(_), Fcntl::SetFd(v)) => {
            return fd::set_cloexec(fd, v? & FD_CLOEXEC != 0).map(|()| 0);
        }
        (Target::Ours(Desc::File(f)), cmd) => return passthrough::fcntl(f.fd(), cmd),
        (Target::Ours(Desc::Pipe(p)), cmd) => return pipe_fcntl(&p, cmd),
        (Target::Ours(Desc::Epoll(e)), cmd) => return epoll_fcntl(&e, cmd),
        (Target::Ours(Desc::Socket(s)), _) => s,
    };
    match cmd {
        Fcntl::GetFl => Ok(O_RDWR
            | if s.borrow().attrs.nonblocking {
                O_NONBLOCK
            } else {
                0
            }),
        Fcntl::SetFl(v) => {
            s.borrow_mut().attrs.nonblocking = v? & O_NONBLOCK != 0;
            Ok(0)
        }
        Fcntl::Unknown => Err(Errno::EINVAL),
        Fcntl::GetFd | Fcntl::SetFd(_) | Fcntl::DupFd { .. } => unreachable!("answered above"),
    }
}

/// `fcntl(2)` on a pipe end: `F_GETFL` is `O_RDONLY` or `O_WRONLY` (plus `O_NONBLOCK`),
/// `F_SETFL` changes only `O_NONBLOCK`; other commands `EINVAL` (the descriptor's own, and
/// `F_DUPFD`, are answered for every descriptor by [`fcntl`]).
fn pipe_fcntl(p: &PipeEnd, cmd: Fcntl) -> Result<i32> {
    match cmd {
        Fcntl::GetFl => {
            let mode = if p.is_write_end() { O_WRONLY } else { O_RDONLY };
            Ok(mode | if p.nonblocking() { O_NONBLOCK } else { 0 })
        }
        Fcntl::SetFl(v) => {
            p.set_nonblocking(v? & O_NONBLOCK != 0);
            Ok(0)
        }
        Fcntl::Unknown => Err(Errno::EINVAL),
        Fcntl::GetFd | Fcntl::SetFd(_) | Fcntl::DupFd { .. } => unreachable!("answered above"),
    }
}

/// `fcntl(2)` on an epoll instance, for the commands [`fcntl`] leaves to each kind: `O_RDWR`
/// plus `O_NONBLOCK` as set (Linux keeps it on the file; `epoll_wait` ignores it); other
/// commands `EINVAL`.
fn epoll_fcntl(e: &RefCell<Epoll>, cmd: Fcntl) -> Result<i32> {
    match cmd {
        Fcntl::GetFl => Ok(O_RDWR
            | if e.borrow().nonblocking {
                O_NONBLOCK
            } else {
                0
            }),
        Fcntl::SetFl(v) => {
            e.borrow_mut().nonblocking = v? & O_NONBLOCK != 0;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `ioctl(2)`: `Some(n)` for a request that answers a number (`FIONREAD`). On a socket:
/// `FIONBIO`, `FIONREAD` (bytes readable without waiting; `EINVAL` on a listener, as Linux);
/// other requests `ENOTTY`, as Linux answers an unknown socket ioctl. On a pipe end the same
/// three (`FIONREAD` counts the pipe's bytes from either end). Other descriptors: see
/// [`passthrough::ioctl`].
pub fn ioctl(fd: i32, req: Ioctl) -> Result<Option<i32>> {
    match fd::lookup(fd) {
        Target::Ours(Desc::Socket(_)) => {}
        Target::Ours(Desc::File(f)) => return passthrough::ioctl(f.fd(), req),
        Target::Ours(Desc::Pipe(p)) => {
            return match req {
                Ioctl::SetNonblocking(on) => on.map(|on| {
                    p.set_nonblocking(on);
                    None
                }),
                Ioctl::BytesReadable(out) => {
                    out.map(|()| Some(i32::try_from(p.readable_now()).unwrap_or(i32::MAX)))
                }
                Ioctl::Unknown => Err(Errno::ENOTTY),
            };
        }
        // Linux: FIONBIO works on any file; an epoll instance's own ioctl (busy-poll
        // parameters, which WASI has no use for) answers EINVAL to anything else, FIONREAD too.
        Target::Ours(Desc::Epoll(e)) => {
            return match req {
                Ioctl::SetNonblocking(on) => {
                    e.borrow_mut().nonblocking = on?;
                    Ok(None)
                }
                Ioctl::BytesReadable(_) | Ioctl::Unknown => Err(Errno::EINVAL),
            };
        }
        Target::Other(fd) => return passthrough::ioctl(fd, req),
    }
    match req {
        Ioctl::SetNonblocking(on) => {
            let on = on?;
            super::update_attrs(fd, |a| a.nonblocking = on).map(|()| None)
        }
        Ioctl::BytesReadable(out) => {
            // The count first (a listener's EINVAL), then the pointer (put_user's EFAULT).
            let n = super::readable_now(fd)?;
            out?;
            Ok(Some(i32::try_from(n).unwrap_or(i32::MAX)))
        }
        Ioctl::Unknown => Err(Errno::ENOTTY),
    }
}

/// `lseek(2)`, in Linux's order: the descriptor (`EBADF`), `whence` (`EINVAL` beyond
/// `SEEK_HOLE`), then the file: a socket or a pipe cannot seek (`ESPIPE`); a file, adopted or not, seeks
/// as wasi-libc seeks it, with `SEEK_DATA` and `SEEK_HOLE` answered as for a file without holes.
pub fn lseek(fd: i32, offset: i64, whence: i32) -> Result<u64> {
    let target = match fd::lookup(fd) {
        // Linux: neither a socket, a pipe nor an epoll instance can seek.
        Target::Ours(Desc::Socket(_) | Desc::Pipe(_) | Desc::Epoll(_)) => None,
        Target::Ours(Desc::File(f)) => Some(f.fd()),
        Target::Other(fd) if passthrough::is_open(fd) => Some(fd),
        Target::Other(_) => return Err(Errno::EBADF),
    };
    if !(0..=SEEK_HOLE).contains(&whence) {
        return Err(Errno::EINVAL);
    }
    let Some(fd) = target else {
        return Err(Errno::ESPIPE);
    };
    passthrough::seek(fd, offset, whence)
}

/// `SEEK_HOLE`, the last `whence` Linux knows (`SEEK_SET` 0 .. `SEEK_HOLE` 4).
const SEEK_HOLE: i32 = 4;

/// What `fstat` reports, before it is laid out as wasi-libc's `struct stat`.
pub type FileStat = passthrough::FileStat;

/// `fstat(2)`. On a socket: `S_IFSOCK | 0777`, one link, a 4096-byte block size, zeros
/// elsewhere (Linux's sockfs fills device and inode numbers that mean nothing here).
pub fn fstat(fd: i32) -> Result<FileStat> {
    match fd::lookup(fd) {
        Target::Ours(Desc::Socket(_)) => Ok(FileStat::socket()),
        Target::Ours(Desc::File(f)) => passthrough::fstat(f.fd()),
        Target::Ours(Desc::Pipe(_)) => Ok(FileStat::fifo()),
        // Linux's anonymous inode: no file type, mode 0600.
        Target::Ours(Desc::Epoll(_)) => Ok(FileStat {
            kind: FileKind::Unknown,
            perm: 0o600,
            ..FileStat::socket()
        }),
        Target::Other(fd) => passthrough::fstat(fd),
    }
}

/// `close(2)`: the descriptor's number is free at once; the object closes with its last
/// descriptor (a socket releases its host resources after the host has taken every byte already
/// written). Any other descriptor is closed as wasi-libc does.
pub fn close(fd: i32) -> Result<()> {
    if fd::is_ours(fd) {
        return fd::close(fd);
    }
    // An epoll item watching the file under this number goes (Linux: the file is released).
    crate::epoll::closed_other(fd);
    passthrough::before_close();
    fd::release_other(fd, || passthrough::close(fd))
}

/// `dup(2)`: a new descriptor, the lowest free number, for the same open object (which closes
/// with its last descriptor); `FD_CLOEXEC` clear. Any open descriptor: a file or stdio stream
/// of the adapter's is adopted (see [`fd::adopt`]).
pub fn dup(fd: i32) -> Result<i32> {
    dup_from(fd, 0, false)
}

/// `fcntl(F_DUPFD)` / `F_DUPFD_CLOEXEC`: as `dup`, at or above `min` (`EINVAL` if `min` is
/// negative or not below `RLIMIT_NOFILE`).
pub fn dup_from(fd: i32, min: i32, cloexec: bool) -> Result<i32> {
    let d = fd::adopt(fd)?;
    if !(0..fd::open_max()).contains(&min) {
        return Err(Errno::EINVAL);
    }
    fd::insert_from(min, d, cloexec)
}

/// `dup2(2)` and `dup3(2)` (`cloexec` set by `dup3`'s `O_CLOEXEC`): `fd`'s object under exactly
/// `to`, closing what `to` held first. `dup2(fd, fd)` checks `fd` and returns it; `dup3` with
/// equal numbers is `EINVAL`, as Linux.
pub fn dup2(fd: i32, to: i32, cloexec: bool, dup3: bool) -> Result<i32> {
    if fd == to {
        if dup3 {
            return Err(Errno::EINVAL);
        }
        return if is_open(fd) {
            Ok(fd)
        } else {
            Err(Errno::EBADF)
        };
    }
    if !(0..fd::open_max()).contains(&to) {
        return Err(Errno::EBADF);
    }
    let d = fd::adopt(fd)?;
    fd::insert_at(to, d, cloexec)
}

/// wasi-libc's internal `dup2` (used by `freopen`): renumber `fd` onto `to`. Renumbering onto a
/// socket closes the socket first, as `dup2` closes its target; renumbering a socket itself is
/// not supported (`EBADF`: the adapter cannot move a socket's reservation).
pub fn renumber(fd: i32, to: i32) -> Result<()> {
    if fd::is_ours(fd) {
        return Err(Errno::EBADF);
    }
    passthrough::before_close();
    if fd::is_ours(to) {
        close(to)?;
    }
    passthrough::renumber(fd, to)?;
    // The file moved: an epoll item that watched it under its old number (or watched what was
    // at `to`) goes.
    crate::epoll::closed_other(fd);
    crate::epoll::closed_other(to);
    Ok(())
}

/// Linux's first checks of a transfer: the descriptor is open, and open for `dir`.
pub fn check_open_for(fd: i32, dir: Dir) -> Result<()> {
    match fd::lookup(fd) {
        Target::Ours(Desc::Pipe(p)) => p.check_dir(dir == Dir::Write),
        // Linux: an epoll instance is open both ways but has no read or write (EINVAL).
        Target::Ours(Desc::Epoll(_)) => Err(Errno::EINVAL),
        Target::Ours(_) => Ok(()),
        Target::Other(fd) => passthrough::check_open_for(fd, dir).map(|_| ()),
    }
}

/// Whether `fd` is open (one of the library's descriptors or any other).
pub fn is_open(fd: i32) -> bool {
    fd::is_ours(fd) || passthrough::is_open(fd)
}
