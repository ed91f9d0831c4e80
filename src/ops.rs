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
use crate::udp::Udp;
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
    // inet_create/inet6_create: a protocol outside 0..IPPROTO_MAX (263) is EINVAL.
    if !(0..263).contains(&protocol) {
        return Err(Errno::EINVAL);
    }
    let kind = match (ty & SOCK_TYPE_MASK, protocol) {
        (SOCK_STREAM, 0 | IPPROTO_TCP) => Kind::Tcp(Tcp::new(family)?),
        (SOCK_DGRAM, 0 | IPPROTO_UDP) => Kind::Udp(Udp::new(family)?),
        // Linux reports ESOCKTNOSUPPORT for a type the family lacks; wasi-libc has no such errno.
        _ => return Err(Errno::EPROTONOSUPPORT),
    };
    socket::insert(
        Entry {
            kind,
            attrs: Attrs {
                nonblocking: flags.contains(SockFlags::NONBLOCK),
                ..Attrs::default()
            },
        },
        flags.contains(SockFlags::CLOEXEC),
    )
}

/// The address family of socket `fd` (to decode a caller's address against it).
pub fn family(fd: i32) -> Result<Family> {
    socket::with_kind(fd, |k, _| {
        Ok(match k {
            Kind::Tcp(t) => t.family(),
            Kind::Udp(u) => u.family(),
        })
    })
}

/// `bind(2)`.
pub fn bind(fd: i32, addr: SocketAddr) -> Result<()> {
    socket::with_kind(fd, |k, _| match k {
        Kind::Tcp(t) => t.bind(addr),
        Kind::Udp(u) => u.bind(addr),
    })
}

/// `listen(2)`. A datagram socket cannot listen: `EOPNOTSUPP`, as Linux.
pub fn listen(fd: i32, backlog: i32) -> Result<()> {
    socket::with_kind(fd, |k, _| match k {
        Kind::Tcp(t) => t.listen(backlog),
        Kind::Udp(_) => Err(Errno::EOPNOTSUPP),
    })
}

/// `accept4(2)`: the new descriptor and the peer's address. `flags`: `SOCK_NONBLOCK`,
/// `SOCK_CLOEXEC`; anything else is `EINVAL`. The new socket inherits the listener's timeouts
/// (Linux clones them with the socket) but not its `O_NONBLOCK`.
pub fn accept(fd: i32, flags: i32) -> Result<(i32, SocketAddr)> {
    // Linux: a descriptor that is not open (EBADF) before the flags (EINVAL) before the kind
    // of descriptor (ENOTSOCK).
    if !socket::is_socket(fd) && socket::not_a_socket(fd) == Errno::EBADF {
        return Err(Errno::EBADF);
    }
    let flags = SockFlags::parse(flags)?;
    let (tcp, peer, inherited) = socket::with_kind(fd, |k, attrs| match k {
        Kind::Tcp(t) => {
            let (tcp, peer) = t.accept(attrs.recv_wait(false))?;
            Ok((tcp, peer, *attrs))
        }
        Kind::Udp(_) => Err(Errno::EOPNOTSUPP),
    })?;
    let new = socket::insert(
        Entry {
            kind: Kind::Tcp(tcp),
            attrs: Attrs {
                nonblocking: flags.contains(SockFlags::NONBLOCK),
                ..inherited
            },
        },
        flags.contains(SockFlags::CLOEXEC),
    )?;
    Ok((new, peer))
}

/// What `connect(2)` does before it looks at the address: a UDP socket binds an ephemeral port
/// (Linux's `inet_dgram_connect` autobinds first, so even a failing connect leaves it bound).
pub fn prepare_connect(fd: i32) -> Result<()> {
    socket::with_kind(fd, |k, _| match k {
        Kind::Tcp(_) => Ok(()),
        Kind::Udp(u) => u.autobind(),
    })
}

/// `connect(2)`.
pub fn connect(fd: i32, addr: SocketAddr) -> Result<()> {
    socket::with_kind(fd, |k, attrs| match k {
        Kind::Tcp(t) => t.connect(addr, attrs.send_wait(false)),
        Kind::Udp(u) => u.connect(addr, attrs.broadcast),
    })
}

/// `connect(2)` with an `AF_UNSPEC` address: dissolve the association. On TCP, Linux drops
/// the connection (or stops listening) and leaves an unconnected socket; on UDP it forgets the
/// peer and gives back what `bind` did not name. So does this.
pub fn disconnect(fd: i32) -> Result<()> {
    socket::with_kind(fd, |k, _| match k {
        Kind::Tcp(t) => t.disconnect(),
        Kind::Udp(u) => u.disconnect(),
    })
}

/// `send(2)` and `write(2)` / `writev(2)` (flags 0) on a socket.
pub fn send(fd: i32, bufs: &[&[u8]], flags: i32) -> Result<usize> {
    send_to(fd, bufs, flags, None)
}

/// `sendto(2)` / `sendmsg(2)`: `dest` is the caller's address bytes, if any. A stream socket
/// ignores it, as Linux does; a datagram socket decodes it with Linux's checks.
pub fn send_to(fd: i32, bufs: &[&[u8]], flags: i32, dest: Option<&[u8]>) -> Result<usize> {
    // The flags are read once the descriptor is known to be a socket: Linux looks the descriptor
    // up first, so a closed one is EBADF (a non-socket ENOTSOCK) whatever the flags.
    socket::with_kind(fd, |k, attrs| {
        let flags = MsgFlags::parse(flags, MsgFlags::SEND)?;
        let wait = attrs.send_wait(flags.contains(MsgFlags::DONTWAIT));
        match k {
            Kind::Tcp(t) => t.send(bufs, wait),
            Kind::Udp(u) => u.send(bufs, dest, wait, attrs.broadcast),
        }
    })
}

/// What a receive delivered: the call's return value, the sender (datagram sockets) and whether
/// the datagram was truncated (`recvmsg`'s `MSG_TRUNC`).
pub type Received = crate::udp::Received;

/// `recv(2)` and `read(2)` / `readv(2)` (flags 0) on a socket.
pub fn recv(fd: i32, bufs: &mut [&mut [u8]], flags: i32) -> Result<usize> {
    recv_from(fd, bufs, flags).map(|r| r.n)
}

/// `recvfrom(2)` / `recvmsg(2)`.
pub fn recv_from(fd: i32, bufs: &mut [&mut [u8]], flags: i32) -> Result<Received> {
    // As in send_to: the descriptor is checked (EBADF, ENOTSOCK) before the flags, as Linux does.
    socket::with_kind(fd, |k, attrs| {
        let flags = MsgFlags::parse(flags, MsgFlags::RECV)?;
        let peek = flags.contains(MsgFlags::PEEK);
        let trunc = flags.contains(MsgFlags::TRUNC);
        let waitall = flags.contains(MsgFlags::WAITALL);
        let wait = attrs.recv_wait(flags.contains(MsgFlags::DONTWAIT));
        match k {
            Kind::Udp(u) => u.recv(bufs, wait, peek, trunc),
            Kind::Tcp(t) => {
                let n = if trunc {
                    // Linux's TCP MSG_TRUNC: the bytes are consumed (or peeked) and discarded.
                    let total: usize = bufs.iter().map(|b| b.len()).sum();
                    let mut discard = alloc::vec![0u8; total.min(TRUNC_DISCARD_MAX)];
                    t.recv_flags(&mut [&mut discard[..]], wait, peek, waitall)?
                } else if peek || waitall {
                    t.recv_flags(bufs, wait, peek, waitall)?
                } else {
                    t.recv(bufs, wait)?
                };
                Ok(Received {
                    n,
                    from: None,
                    truncated: false,
                })
            }
        }
    })
}

/// The most one TCP `recv` with `MSG_TRUNC` discards (a `recv` may always return less).
const TRUNC_DISCARD_MAX: usize = 64 * 1024;

/// `ioctl(FIONREAD)` on a socket: bytes readable without waiting (UDP: the next datagram's
/// length, as Linux).
pub fn readable_now(fd: i32) -> Result<usize> {
    socket::with_kind(fd, |k, _| match k {
        Kind::Tcp(t) => t.readable_now(),
        Kind::Udp(u) => Ok(u.readable_now()),
    })
}

/// `shutdown(2)`; `how` is `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`, else `EINVAL`.
pub fn shutdown(fd: i32, how: i32) -> Result<()> {
    socket::with_kind(fd, |k, _| {
        if !matches!(how, tcp::SHUT_RD | tcp::SHUT_WR | tcp::SHUT_RDWR) {
            return Err(Errno::EINVAL);
        }
        match k {
            Kind::Tcp(t) => t.shutdown(how),
            Kind::Udp(u) => u.shutdown(how),
        }
    })
}

/// `getsockname(2)`.
pub fn local_addr(fd: i32) -> Result<SocketAddr> {
    socket::with_kind(fd, |k, _| {
        Ok(match k {
            Kind::Tcp(t) => t.local_addr(),
            Kind::Udp(u) => u.local_addr(),
        })
    })
}

/// `getpeername(2)`.
pub fn peer_addr(fd: i32) -> Result<SocketAddr> {
    socket::with_kind(fd, |k, _| match k {
        Kind::Tcp(t) => t.peer_addr(),
        Kind::Udp(u) => u.peer_addr(),
    })
}

/// Whether socket `fd` is a datagram socket.
pub fn is_datagram(fd: i32) -> bool {
    socket::with_kind(fd, |k, _| Ok(matches!(k, Kind::Udp(_)))).unwrap_or(false)
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

/// `getsockopt(2)`: the option's value (see [`crate::sockopt`]).
pub fn getsockopt(fd: i32, level: i32, name: i32) -> Result<crate::sockopt::Value> {
    socket::with_entry(fd, |e| crate::sockopt::get(e, level, name))
}

/// `setsockopt(2)` from the value's bytes.
pub fn setsockopt(fd: i32, level: i32, name: i32, bytes: &[u8]) -> Result<()> {
    socket::with_entry(fd, |e| crate::sockopt::set(e, level, name, bytes))
}

/// `dup(2)` on a socket: a new descriptor, the lowest free number, for the same socket (which
/// closes with its last descriptor). `cloexec`: the new descriptor's `FD_CLOEXEC`.
pub fn dup(fd: i32, cloexec: bool) -> Result<i32> {
    socket::dup(fd, cloexec)
}

/// `FD_CLOEXEC` of socket `fd`.
pub fn cloexec(fd: i32) -> Result<bool> {
    socket::cloexec(fd)
}

/// Set `FD_CLOEXEC` of socket `fd`.
pub fn set_cloexec(fd: i32, on: bool) -> Result<()> {
    socket::set_cloexec(fd, on)
}

/// Close socket `fd`. `EBADF` if it is not a socket.
pub fn close(fd: i32) -> Result<()> {
    if socket::close(fd) {
        Ok(())
    } else {
        Err(Errno::EBADF)
    }
}
