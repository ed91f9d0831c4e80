//! The socket operations on descriptors, in Rust types: the one core behind both the C ABI
//! (`crate::abi`) and the safe Rust API.
//!
//! Arguments are already decoded (addresses are `SocketAddr`, buffers are slices); this layer
//! looks the descriptor up, picks the wait policy and calls the protocol's state machine.

use crate::addr::Family;
use crate::errno::{Errno, Result};
use crate::flags::{MsgFlags, SockFlags};
use crate::socket::{self, Attrs, Entry, Kind};
use crate::tcp::{self, Tcp};
use core::net::SocketAddr;

/// `SOCK_DGRAM` in wasi-libc.
pub const SOCK_DGRAM: i32 = 5;
/// `SOCK_STREAM` in wasi-libc.
pub const SOCK_STREAM: i32 = 6;
/// Linux's `SOCK_TYPE_MASK`: the bits of `type` that name the type; the rest are flags.
const SOCK_TYPE_MASK: i32 = 0xf;
/// `IPPROTO_TCP`.
pub const IPPROTO_TCP: i32 = 6;
/// `IPPROTO_UDP`.
pub const IPPROTO_UDP: i32 = 17;

/// `socket(2)`: Linux's checks in Linux's order (flags, family, type, protocol).
pub fn socket(domain: i32, ty: i32, protocol: i32) -> Result<i32> {
    let flags = SockFlags::parse(ty & !SOCK_TYPE_MASK)?;
    let family = Family::from_domain(domain)?;
    let kind = match (ty & SOCK_TYPE_MASK, protocol) {
        (SOCK_STREAM, 0 | IPPROTO_TCP) => Kind::Tcp(Tcp::new(family)?),
        // Linux reports ESOCKTNOSUPPORT for a type the family lacks; wasi-libc has no such errno.
        _ => return Err(Errno::EPROTONOSUPPORT),
    };
    socket::insert(Entry {
        kind,
        attrs: Attrs {
            nonblocking: flags.contains(SockFlags::NONBLOCK),
            cloexec: flags.contains(SockFlags::CLOEXEC),
            ..Attrs::default()
        },
    })
}

/// The address family of socket `fd` (to decode a caller's address against it).
pub fn family(fd: i32) -> Result<Family> {
    socket::with_tcp(fd, |t, _| Ok(t.family()))
}

/// `bind(2)`.
pub fn bind(fd: i32, addr: SocketAddr) -> Result<()> {
    socket::with_tcp(fd, |t, _| t.bind(addr))
}

/// `listen(2)`.
pub fn listen(fd: i32, backlog: i32) -> Result<()> {
    socket::with_tcp(fd, |t, _| t.listen(backlog))
}

/// `accept4(2)`: the new descriptor and the peer's address. `flags`: `SOCK_NONBLOCK`,
/// `SOCK_CLOEXEC`; anything else is `EINVAL`. The new socket inherits the listener's timeouts
/// (Linux clones them with the socket) but not its `O_NONBLOCK`.
pub fn accept(fd: i32, flags: i32) -> Result<(i32, SocketAddr)> {
    let flags = SockFlags::parse(flags)?;
    let (tcp, peer, inherited) = socket::with_tcp(fd, |t, attrs| {
        let (tcp, peer) = t.accept(attrs.recv_wait(false))?;
        Ok((tcp, peer, *attrs))
    })?;
    let new = socket::insert(Entry {
        kind: Kind::Tcp(tcp),
        attrs: Attrs {
            nonblocking: flags.contains(SockFlags::NONBLOCK),
            cloexec: flags.contains(SockFlags::CLOEXEC),
            ..inherited
        },
    })?;
    Ok((new, peer))
}

/// `connect(2)`.
pub fn connect(fd: i32, addr: SocketAddr) -> Result<()> {
    socket::with_tcp(fd, |t, attrs| t.connect(addr, attrs.send_wait(false)))
}

/// `connect(2)` with an `AF_UNSPEC` address: dissolve the association. On TCP, Linux drops
/// the connection (or stops listening) and leaves an unconnected socket; so does this.
pub fn disconnect(fd: i32) -> Result<()> {
    socket::with_tcp(fd, |t, _| t.disconnect())
}

/// `send(2)` and `write(2)` / `writev(2)` (flags 0) on a socket.
pub fn send(fd: i32, bufs: &[&[u8]], flags: i32) -> Result<usize> {
    let flags = MsgFlags::parse(flags, MsgFlags::SEND)?;
    let dontwait = flags.contains(MsgFlags::DONTWAIT);
    socket::with_tcp(fd, |t, attrs| t.send(bufs, attrs.send_wait(dontwait)))
}

/// `recv(2)` and `read(2)` / `readv(2)` (flags 0) on a socket.
pub fn recv(fd: i32, bufs: &mut [&mut [u8]], flags: i32) -> Result<usize> {
    let flags = MsgFlags::parse(flags, MsgFlags::RECV)?;
    let wait_flag = flags.contains(MsgFlags::DONTWAIT);
    let peek = flags.contains(MsgFlags::PEEK);
    let special = peek || flags.contains(MsgFlags::WAITALL);
    socket::with_tcp(fd, |t, attrs| {
        let wait = attrs.recv_wait(wait_flag);
        if special {
            t.recv_flags(bufs, wait, peek)
        } else {
            t.recv(bufs, wait)
        }
    })
}

/// `ioctl(FIONREAD)` on a socket: bytes readable without waiting.
pub fn readable_now(fd: i32) -> Result<usize> {
    socket::with_tcp(fd, |t, _| t.readable_now())
}

/// `shutdown(2)`; `how` is `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`, else `EINVAL`.
pub fn shutdown(fd: i32, how: i32) -> Result<()> {
    socket::with_tcp(fd, |t, _| match how {
        tcp::SHUT_RD | tcp::SHUT_WR | tcp::SHUT_RDWR => t.shutdown(how),
        _ => Err(Errno::EINVAL),
    })
}

/// `getsockname(2)`.
pub fn local_addr(fd: i32) -> Result<SocketAddr> {
    socket::with_tcp(fd, |t, _| Ok(t.local_addr()))
}

/// `getpeername(2)`.
pub fn peer_addr(fd: i32) -> Result<SocketAddr> {
    socket::with_tcp(fd, |t, _| t.peer_addr())
}

/// The descriptor attributes of socket `fd`.
pub fn attrs(fd: i32) -> Result<Attrs> {
    socket::with_entry(fd, |e| Ok(e.attrs))
}

/// Change the descriptor attributes of socket `fd`.
pub fn update_attrs(fd: i32, f: impl FnOnce(&mut Attrs)) -> Result<()> {
    socket::with_entry(fd, |e| {
        f(&mut e.attrs);
        Ok(())
    })
}

/// Close socket `fd`. `EBADF` if it is not a socket.
pub fn close(fd: i32) -> Result<()> {
    if socket::close(fd) {
        Ok(())
    } else {
        Err(Errno::EBADF)
    }
}
