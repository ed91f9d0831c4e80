//! In-guest channels: `socketpair`, `pipe`/`pipe2`, and the calls of AF_UNIX sockets whose
//! arguments are AF_UNIX names or descriptors in flight (`bind`, `connect`, `accept`, the
//! names, and sends and receives with a name or `SCM_RIGHTS`). The socket calls without an
//! address (`listen`, `shutdown`, `send`, `recv`, `read`, `write`, `poll`, options) reach an
//! AF_UNIX socket through the ordinary ones in [`super`], as any socket's.

use super::{insert, with_proto};
use crate::channel::pipe;
use crate::channel::rights::InFlight;
use crate::channel::unix::{RecvFlags, Unix};
use crate::errno::{Errno, Result};
use crate::fd::{self, Desc};
use crate::flags::{MsgFlags, SockFlags};
use crate::iov::Source;
use crate::socket::{Attrs, Proto};
use alloc::rc::Rc;
use alloc::vec::Vec;

pub use crate::channel::Kind;
pub use crate::channel::addr::{BindAddr, UnixAddr};

/// `SOCK_SEQPACKET`: wasi-libc defines none (musl's 5 is its `SOCK_DGRAM`); this is the value
/// the WASIX wasi-libc gives it (`__WASI_FILETYPE_SOCKET_SEQPACKET`), which
/// `include/sys/socket.h` defines.
pub const SOCK_SEQPACKET: i32 = 9;

/// Whether `fd` is an AF_UNIX socket of the library's (a check: it flushes no held bytes).
pub fn is_unix(fd: i32) -> bool {
    fd::socket_peek(fd).is_ok_and(|s| matches!(s.borrow().proto, Proto::Unix(_)))
}

/// Run `f` on `fd`'s AF_UNIX socket (the caller checked [`is_unix`]) with its attributes.
fn with_unix<R>(fd: i32, f: impl FnOnce(&mut Unix, &mut Attrs) -> Result<R>) -> Result<R> {
    with_proto(fd, |p, a| match p {
        Proto::Unix(u) => f(u, a),
        _ => Err(Errno::EAFNOSUPPORT),
    })
}

fn nonblocking(flags: SockFlags) -> Attrs {
    Attrs {
        nonblocking: flags.contains(SockFlags::NONBLOCK),
        ..Attrs::default()
    }
}

/// `socket(AF_UNIX, kind, 0)`.
pub fn socket(kind: Kind, flags: SockFlags) -> Result<i32> {
    insert(Proto::Unix(Unix::new(kind)), nonblocking(flags), flags)
}

/// `socketpair(AF_UNIX, kind, 0)`: two connected sockets, the two lowest free numbers.
pub fn socketpair(kind: Kind, flags: SockFlags) -> Result<[i32; 2]> {
    let (a, b) = Unix::pair(kind);
    let fa = insert(Proto::Unix(a), nonblocking(flags), flags)?;
    match insert(Proto::Unix(b), nonblocking(flags), flags) {
        Ok(fb) => Ok([fa, fb]),
        Err(e) => {
            let _ = super::close(fa);
            Err(e)
        }
    }
}

/// `pipe2(2)`: a read end and a write end, the two lowest free numbers.
pub fn pipe(nonblock: bool, cloexec: bool) -> Result<[i32; 2]> {
    let (r, w) = pipe::pipe(nonblock);
    let fr = fd::insert(Desc::Pipe(Rc::new(r)), cloexec)?;
    match fd::insert(Desc::Pipe(Rc::new(w)), cloexec) {
        Ok(fw) => Ok([fr, fw]),
        Err(e) => {
            let _ = super::close(fr);
            Err(e)
        }
    }
}

/// `bind(2)` to an AF_UNIX name (see [`Unix::bind`]).
pub fn bind(fd: i32, a: BindAddr) -> Result<()> {
    with_unix(fd, |u, _| u.bind(a))
}

/// `connect(2)`: to `addr`, or (`None`: `AF_UNSPEC`) dissolving a datagram association.
pub fn connect(fd: i32, addr: Option<&UnixAddr>) -> Result<()> {
    with_unix(fd, |u, a| match addr {
        Some(addr) => u.connect(addr, a.send_wait(false)),
        None => u.disconnect(),
    })
}

/// `accept4(2)`: the new socket (default attributes, as Linux makes the accepted AF_UNIX
/// socket afresh, with the flags' `O_NONBLOCK`) and its peer's name.
pub fn accept(fd: i32, flags: SockFlags) -> Result<(i32, Option<UnixAddr>)> {
    let (u, peer) = with_unix(fd, |u, a| u.accept(a.recv_wait(false)))?;
    Ok((insert(Proto::Unix(u), nonblocking(flags), flags)?, peer))
}

/// `getsockname(2)`: the socket's name (`None`: unnamed).
pub fn local_name(fd: i32) -> Result<Option<UnixAddr>> {
    with_unix(fd, |u, _| Ok(u.local_name()))
}

/// `getpeername(2)`: the peer's name (`None`: unnamed); `ENOTCONN` without a peer.
pub fn peer_name(fd: i32) -> Result<Option<UnixAddr>> {
    with_unix(fd, |u, _| u.peer_name())
}

/// Whether `fd` may travel in an `SCM_RIGHTS` message: any open descriptor (`EBADF` for one
/// that is not); a file or stdio stream goes as its adopted copy (see [`fd::adopt`]), as `dup`
/// shares one.
pub fn check_right(fd: i32) -> Result<()> {
    if super::is_open(fd) {
        Ok(())
    } else {
        Err(Errno::EBADF)
    }
}

/// `sendto(2)` / `sendmsg(2)` on an AF_UNIX socket: `dest` is the destination named, as the
/// result of decoding it (see [`Unix::send`]), `rights` descriptors to pass (each already
/// checked with [`check_right`]); `data` may end in a buffer that faults, which the send finds
/// at its turn.
pub fn send_msg(
    fd: i32,
    data: Source<'_>,
    flags: MsgFlags,
    dest: Option<Result<UnixAddr>>,
    rights: &[i32],
) -> Result<usize> {
    let mut descs = Vec::with_capacity(rights.len());
    for &r in rights {
        descs.push(fd::adopt(r)?);
    }
    let rights = (!descs.is_empty()).then(|| InFlight::new(descs));
    // Linux's AF_UNIX streams can send one urgent byte; WASI programs' channels carry none (a
    // datagram or record socket refuses it as Linux does).
    if flags.contains(MsgFlags::OOB) {
        return Err(Errno::EOPNOTSUPP);
    }
    with_unix(fd, |u, a| {
        let wait = a.send_wait(flags.contains(MsgFlags::DONTWAIT));
        u.send(data, dest, rights, wait)
    })
}

/// What [`recv_msg`] delivered.
#[derive(Debug, Default)]
pub struct Message {
    /// The call's return value.
    pub n: usize,
    /// `MSG_TRUNC`: a datagram or record did not fit.
    pub truncated: bool,
    /// The sender's name (`None`: unnamed).
    pub from: Option<UnixAddr>,
    /// The descriptors installed for the rights that came with the data.
    pub fds: Vec<i32>,
    /// `MSG_CTRUNC`: rights came that did not all fit (the rest were closed).
    pub ctrunc: bool,
}

/// `recvfrom(2)` / `recvmsg(2)` on an AF_UNIX socket. Descriptors that came with the data are
/// installed as new descriptors, at most `room` of them (the control buffer's room; the rest
/// are closed and `ctrunc` set), with `FD_CLOEXEC` for `MSG_CMSG_CLOEXEC`.
pub fn recv_msg(fd: i32, bufs: &mut [&mut [u8]], flags: MsgFlags, room: usize) -> Result<Message> {
    let f = RecvFlags {
        peek: flags.contains(MsgFlags::PEEK),
        waitall: flags.contains(MsgFlags::WAITALL),
        trunc: flags.contains(MsgFlags::TRUNC),
    };
    let r = with_unix(fd, |u, a| {
        if flags.contains(MsgFlags::OOB) {
            return Err(u.recv_oob());
        }
        u.recv(bufs, f, a.recv_wait(flags.contains(MsgFlags::DONTWAIT)))
    })?;
    let mut m = Message {
        n: r.n,
        truncated: r.truncated,
        from: r.from,
        ..Message::default()
    };
    if let Some(rights) = r.rights {
        let cloexec = flags.contains(MsgFlags::CMSG_CLOEXEC);
        let descs = rights.take();
        m.ctrunc = descs.len() > room;
        let mut descs = descs.into_iter();
        for d in descs.by_ref().take(room) {
            // The table drops what it cannot take while it is borrowed: hand it a second
            // reference, so that the object is closed (if at all) here, outside it.
            match fd::insert(d.clone(), cloexec) {
                Ok(n) => m.fds.push(n),
                Err(_) => {
                    d.release();
                    m.ctrunc = true;
                    break;
                }
            }
        }
        descs.for_each(Desc::release);
    }
    Ok(m)
}

/// A receive into a buffer that faults (at NULL or past the end of memory), as
/// [`super::recv_fault`] treats any socket's: Linux finds the fault only when it copies, so the
/// call waits and fails as any receive would (`EAGAIN`, `EINVAL` unconnected, a pending
/// `ECONNRESET`, 0 at the end of the stream), and is then `EFAULT` if it had bytes to copy: a
/// stream's stay queued; a datagram is dropped (`skb_free_datagram` after the failed copy,
/// with its descriptors) unless peeking. What copies nothing (the end of the stream, an empty
/// datagram) is received as usual, its sender and descriptors with it.
pub fn recv_fault(fd: i32, flags: MsgFlags, room: usize) -> Result<Message> {
    let mut one = [0u8; 1];
    let peeked = recv_msg(fd, &mut [&mut one[..]], flags | MsgFlags::PEEK, 0)?;
    if peeked.n == 0 {
        return recv_msg(fd, &mut [], flags, room);
    }
    if super::is_datagram(fd) && !flags.contains(MsgFlags::PEEK) {
        recv_msg(fd, &mut [&mut one[..]], flags | MsgFlags::DONTWAIT, 0)?;
    }
    Err(Errno::EFAULT)
}
