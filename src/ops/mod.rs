//! The operations on descriptors, in Rust types: the one core behind both the C ABI
//! (`crate::abi`, which decodes C arguments into these types) and the safe Rust API
//! (`crate::net`).
//!
//! Each operation looks the descriptor up through the one door ([`crate::fd::lookup`]) and
//! hands it to what serves its kind: a socket's protocol state machine ([`crate::tcp`],
//! [`crate::udp`]) with the wait policy its attributes give, or [`crate::passthrough`] for a
//! descriptor the library does not hold. Socket calls on anything else answer `ENOTSOCK` (or
//! `EBADF` for a number nothing holds), as Linux does.
//!
//! This file holds the socket calls; [`desc`] the calls every descriptor answers (read,
//! write, fcntl, ioctl, fstat, close).

pub mod batch;
pub mod desc;
pub mod sendfile;
pub mod unix;

use crate::addr::{Dest, Family};
use crate::channel::unix::RecvFlags;
use crate::errno::{Errno, Result};
use crate::fd::{self, Desc};
use crate::flags::{MsgFlags, Shutdown, SockFlags};
use crate::iov::Source;
use crate::socket::{Attrs, Proto, Socket};
use crate::sockopt::{self, Value};
use crate::tcp::Tcp;
use crate::udp::Udp;
use alloc::rc::Rc;
use core::cell::RefCell;
use core::net::SocketAddr;

pub use crate::flags::{Fcntl, Ioctl};
pub use crate::socket::Domain;
pub use desc::*;
pub use sendfile::sendfile;

/// `SOCK_DGRAM` in wasi-libc.
pub const SOCK_DGRAM: i32 = 5;
/// `SOCK_STREAM` in wasi-libc.
pub const SOCK_STREAM: i32 = 6;
/// `IPPROTO_TCP`.
pub const IPPROTO_TCP: i32 = 6;
/// `IPPROTO_UDP`.
pub const IPPROTO_UDP: i32 = 17;

/// A socket's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockType {
    /// `SOCK_STREAM` (TCP).
    Stream,
    /// `SOCK_DGRAM` (UDP).
    Dgram,
}

/// Run `f` on `fd`'s socket; `EBADF` or `ENOTSOCK` (as Linux) when `fd` is not a socket.
pub(crate) fn with_socket<R>(fd: i32, f: impl FnOnce(&mut Socket) -> Result<R>) -> Result<R> {
    // The table is not borrowed while `f` runs (so `f` may add descriptors, as accept does).
    let s = fd::socket(fd)?;
    f(&mut s.borrow_mut())
}

/// Run `f` on `fd`'s protocol state and socket attributes.
fn with_proto<R>(fd: i32, f: impl FnOnce(&mut Proto, &mut Attrs) -> Result<R>) -> Result<R> {
    with_socket(fd, |s| f(&mut s.proto, &mut s.attrs))
}

fn insert(proto: Proto, attrs: Attrs, flags: SockFlags) -> Result<i32> {
    let socket = Rc::new(RefCell::new(Socket::new(proto, attrs)));
    fd::insert(Desc::Socket(socket), flags.contains(SockFlags::CLOEXEC))
}

/// `socket(2)` once its arguments passed Linux's checks: a new socket, the lowest free number.
pub fn socket(family: Family, ty: SockType, flags: SockFlags) -> Result<i32> {
    let proto = match ty {
        SockType::Stream => Proto::Tcp(Tcp::new(family)?),
        SockType::Dgram => Proto::Udp(Udp::new(family)?),
    };
    let attrs = Attrs {
        nonblocking: flags.contains(SockFlags::NONBLOCK),
        ..Attrs::default()
    };
    insert(proto, attrs, flags)
}

/// Whether `fd` is a socket of the library's (any other number is `ENOTSOCK` or `EBADF` to a
/// socket call: [`not_a_socket`]).
pub fn is_socket(fd: i32) -> bool {
    fd::socket_peek(fd).is_ok()
}

/// The errno a socket call gives for `fd` when it is not a socket.
pub fn not_a_socket(fd: i32) -> Errno {
    if fd::is_ours(fd) {
        // One of the library's other objects (an epoll instance).
        Errno::ENOTSOCK
    } else {
        fd::not_ours(fd)
    }
}

/// The IP family of socket `fd` (to decode a caller's address against it); `EAFNOSUPPORT`
/// for an AF_UNIX socket (whose calls with addresses are [`unix`]'s).
pub fn family(fd: i32) -> Result<Family> {
    fd::socket_peek(fd)?.borrow().family()
}

/// The address family of socket `fd`.
pub fn domain(fd: i32) -> Result<Domain> {
    Ok(fd::socket_peek(fd)?.borrow().domain())
}

/// Whether socket `fd` is a datagram socket.
pub fn is_datagram(fd: i32) -> bool {
    with_socket(fd, |s| Ok(s.is_datagram())).unwrap_or(false)
}

/// `bind(2)`. An IP address for an AF_UNIX socket is another family: `EINVAL`, as Linux.
pub fn bind(fd: i32, addr: SocketAddr) -> Result<()> {
    with_proto(fd, |p, _| match p {
        Proto::Tcp(t) => t.bind(addr),
        Proto::Udp(u) => u.bind(addr),
        Proto::Unix(_) => Err(Errno::EINVAL),
    })
}

/// `listen(2)`. A datagram socket cannot listen: `EOPNOTSUPP`, as Linux.
pub fn listen(fd: i32, backlog: i32) -> Result<()> {
    with_proto(fd, |p, _| match p {
        Proto::Tcp(t) => t.listen(backlog),
        Proto::Udp(_) => Err(Errno::EOPNOTSUPP),
        Proto::Unix(u) => u.listen(backlog),
    })
}

/// `accept4(2)`: the new descriptor and the peer's address. The new socket inherits the
/// listener's timeouts (Linux clones them with the socket) but not its `O_NONBLOCK`.
pub fn accept(fd: i32, flags: SockFlags) -> Result<(i32, SocketAddr)> {
    let (tcp, peer, inherited) = with_proto(fd, |p, attrs| match p {
        Proto::Tcp(t) => {
            let (tcp, peer) = t.accept(attrs.recv_wait(false))?;
            Ok((tcp, peer, *attrs))
        }
        Proto::Udp(_) => Err(Errno::EOPNOTSUPP),
        // Its peer's address is not an IP one: `unix::accept`.
        Proto::Unix(_) => Err(Errno::EOPNOTSUPP),
    })?;
    let mut attrs = Attrs {
        nonblocking: flags.contains(SockFlags::NONBLOCK),
        ..inherited
    };
    // Linux's accepted socket takes its priority from the connection's packets, not from the
    // listener.
    attrs.stored.priority = 0;
    Ok((insert(Proto::Tcp(tcp), attrs, flags)?, peer))
}

/// What `connect(2)` does before it looks at the address: a UDP socket binds an ephemeral port
/// (Linux's `inet_dgram_connect` autobinds first, so even a failing connect leaves it bound); a
/// TCP socket that is connected, connecting, listening or has a failed connect to report
/// answers from its state, whatever the address (Linux's `__inet_stream_connect`).
/// `Ok(true)`: connect is done and returns 0; `Ok(false)`: the address decides.
pub fn prepare_connect(fd: i32) -> Result<bool> {
    with_proto(fd, |p, attrs| match p {
        Proto::Tcp(t) => t
            .connect_by_state(attrs.send_wait(false))
            .map_or(Ok(false), |r| r.map(|()| true)),
        Proto::Unix(_) => Ok(false),
        Proto::Udp(u) => u.autobind().map(|()| false),
    })
}

/// `connect(2)`.
pub fn connect(fd: i32, addr: SocketAddr) -> Result<()> {
    with_proto(fd, |p, attrs| match p {
        Proto::Tcp(t) => t.connect(addr, attrs.send_wait(false)),
        Proto::Udp(u) => u.connect(addr, attrs.broadcast),
        Proto::Unix(_) => Err(Errno::EINVAL),
    })
}

/// `connect(2)` with an `AF_UNSPEC` address: dissolve the association. On TCP, Linux drops
/// the connection (or stops listening) and leaves an unconnected socket; on UDP it forgets the
/// peer and gives back what `bind` did not name. So does this.
pub fn disconnect(fd: i32) -> Result<()> {
    with_proto(fd, |p, _| match p {
        Proto::Tcp(t) => t.disconnect(),
        Proto::Udp(u) => u.disconnect(),
        Proto::Unix(u) => u.disconnect(),
    })
}

/// A send whose data runs into a buffer that faults (at NULL or past the end of memory;
/// `prefix`: the usable buffers before it, `total`: the length of all of them). Linux finds
/// the bad buffer only when it copies from it, so every check of the call comes first (a
/// pending error, EPIPE, EDESTADDRREQ, EMSGSIZE, ...); then a stream sends what came before
/// the bad buffer and returns its count (EFAULT if there was none), and a datagram fails
/// whole with EFAULT. (A NULL buffer was EFAULT before anything: found by tests/fuzz/diff.c.)
/// An AF_UNIX socket's send finds the fault itself, where `af_unix.c` copies
/// ([`crate::channel::unix::Unix::send`]).
pub fn send_fault(
    fd: i32,
    prefix: &[&[u8]],
    total: usize,
    flags: MsgFlags,
    dest: Dest,
) -> Result<usize> {
    if unix::is_unix(fd) && dest == Dest::Peer {
        // The channel's send finds the fault where Linux's copy does. (An AF_UNIX `sendto` or
        // `sendmsg` with its destination is `unix::send_msg`'s from the start.)
        let data = Source {
            bufs: prefix,
            len: total,
        };
        return unix::send_msg(fd, data, flags, None, &[]);
    }
    let udp = with_proto(fd, |p, attrs| {
        Ok(match p {
            Proto::Udp(u) if !flags.contains(MsgFlags::OOB) => {
                Some(u.send_fault(total, dest, attrs.broadcast))
            }
            _ => None,
        })
    })?;
    if let Some(e) = udp {
        return Err(e);
    }
    match send_to(fd, prefix, flags, dest)? {
        0 => Err(Errno::EFAULT),
        n => Ok(n),
    }
}

/// `send(2)`, and `write(2)` / `writev(2)` on a socket (no flags).
pub fn send(fd: i32, bufs: &[&[u8]], flags: MsgFlags) -> Result<usize> {
    send_to(fd, bufs, flags, Dest::Peer)
}

/// `sendto(2)` / `sendmsg(2)`. A stream socket ignores the destination, as Linux does.
///
/// Flags: `MSG_DONTWAIT`; `MSG_NOSIGNAL` (always in effect); `MSG_MORE` builds one datagram
/// from several sends on UDP (on TCP the bytes go at once); `MSG_EOR`, `MSG_CONFIRM`,
/// `MSG_DONTROUTE` accepted with no effect; `MSG_OOB`: a datagram socket refuses
/// it as Linux does (`EOPNOTSUPP`), and so does TCP, which cannot send urgent data over WASI;
/// `MSG_FASTOPEN` on TCP: `EISCONN` once connected, as Linux, else `EOPNOTSUPP` (WASI has no
/// TCP Fast Open).
pub fn send_to(fd: i32, bufs: &[&[u8]], flags: MsgFlags, dest: Dest) -> Result<usize> {
    let s = fd::socket_for_send(fd)?;
    let mut guard = s.borrow_mut();
    let Socket { proto, attrs } = &mut *guard;
    let wait = attrs.send_wait(flags.contains(MsgFlags::DONTWAIT));
    if flags.contains(MsgFlags::OOB) {
        return Err(Errno::EOPNOTSUPP);
    }
    let r = match proto {
        Proto::Tcp(t) if flags.contains(MsgFlags::FASTOPEN) => Err(if t.peer_addr().is_ok() {
            Errno::EISCONN
        } else {
            Errno::EOPNOTSUPP
        }),
        Proto::Tcp(t) => {
            // A program that asked for low latency gets its small sends coalesced (see
            // `tcp::coalesce`).
            let hold = attrs.nodelay || attrs.stored.cork || flags.contains(MsgFlags::MORE);
            t.send(bufs, wait, hold)
        }
        Proto::Udp(u) => u.send(
            bufs,
            dest,
            wait,
            attrs.broadcast,
            flags.contains(MsgFlags::MORE),
        ),
        Proto::Unix(u) => match dest {
            Dest::Peer => u.send(Source::whole(bufs), None, None, wait),
            Dest::To(_) | Dest::Ipv4(_) => Err(Errno::EINVAL),
            Dest::Invalid(e) => Err(e),
        },
    };
    let held = matches!(proto, Proto::Tcp(t) if t.has_pending());
    drop(guard);
    if held {
        crate::wait::unflushed::register(s);
    }
    r
}

/// What a receive delivered: the call's return value, the sender (datagram sockets) and whether
/// the datagram was truncated (`recvmsg`'s `MSG_TRUNC`).
pub type Received = crate::udp::Received;

/// `recv(2)`, and `read(2)` / `readv(2)` on a socket (no flags).
pub fn recv(fd: i32, bufs: &mut [&mut [u8]], flags: MsgFlags) -> Result<usize> {
    recv_from(fd, bufs, flags).map(|r| r.n)
}

/// `recvfrom(2)` / `recvmsg(2)`.
///
/// Flags: `MSG_DONTWAIT`, `MSG_PEEK`, `MSG_WAITALL`, `MSG_TRUNC`; `MSG_ERRQUEUE` reads the
/// error queue, always empty here (`EAGAIN`, as Linux answers an empty one); `MSG_OOB` on TCP
/// is `EINVAL`, Linux's answer when no urgent data is waiting (WASI never delivers any).
pub fn recv_from(fd: i32, bufs: &mut [&mut [u8]], flags: MsgFlags) -> Result<Received> {
    with_proto(fd, |p, attrs| {
        // An AF_UNIX socket has no error queue: Linux reads it as usual.
        if flags.contains(MsgFlags::ERRQUEUE) && !matches!(p, Proto::Unix(_)) {
            return Err(Errno::EAGAIN);
        }
        if flags.contains(MsgFlags::OOB) {
            match p {
                Proto::Tcp(_) => return Err(Errno::EINVAL),
                Proto::Unix(u) => return Err(u.recv_oob()),
                Proto::Udp(_) => {}
            }
        }
        let peek = flags.contains(MsgFlags::PEEK);
        let trunc = flags.contains(MsgFlags::TRUNC);
        let waitall = flags.contains(MsgFlags::WAITALL);
        let wait = attrs.recv_wait(flags.contains(MsgFlags::DONTWAIT));
        match p {
            Proto::Udp(u) => u.recv(bufs, wait, peek, trunc),
            Proto::Unix(u) => {
                let f = RecvFlags {
                    peek,
                    waitall,
                    trunc,
                };
                let r = u.recv(bufs, f, wait)?;
                Ok(Received {
                    n: r.n,
                    from: None,
                    truncated: r.truncated,
                })
            }
            Proto::Tcp(t) => {
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
pub(crate) const TRUNC_DISCARD_MAX: usize = 64 * 1024;

/// `ioctl(FIONREAD)` on a socket: bytes readable without waiting (UDP: the next datagram's
/// length, as Linux).
pub fn readable_now(fd: i32) -> Result<usize> {
    with_proto(fd, |p, _| match p {
        Proto::Tcp(t) => t.readable_now(),
        Proto::Udp(u) => Ok(u.readable_now()),
        Proto::Unix(u) => u.readable_now(),
    })
}

/// `shutdown(2)`.
pub fn shutdown(fd: i32, how: Shutdown) -> Result<()> {
    with_proto(fd, |p, _| match p {
        Proto::Tcp(t) => t.shutdown(how),
        Proto::Udp(u) => u.shutdown(how),
        Proto::Unix(u) => u.shutdown(how),
    })
}

/// `getsockname(2)`.
pub fn local_addr(fd: i32) -> Result<SocketAddr> {
    with_proto(fd, |p, _| {
        match p {
            Proto::Tcp(t) => Ok(t.local_addr()),
            Proto::Udp(u) => Ok(u.local_addr()),
            // Not an IP address: `unix::local_name`.
            Proto::Unix(_) => Err(Errno::EOPNOTSUPP),
        }
    })
}

/// `getpeername(2)`.
pub fn peer_addr(fd: i32) -> Result<SocketAddr> {
    with_proto(fd, |p, _| match p {
        Proto::Tcp(t) => t.peer_addr(),
        Proto::Udp(u) => u.peer_addr(),
        Proto::Unix(_) => Err(Errno::EOPNOTSUPP),
    })
}

/// The attributes of socket `fd`.
pub fn attrs(fd: i32) -> Result<Attrs> {
    with_socket(fd, |s| Ok(s.attrs))
}

/// Change the attributes of socket `fd`.
pub fn update_attrs(fd: i32, f: impl FnOnce(&mut Attrs)) -> Result<()> {
    with_socket(fd, |s| {
        f(&mut s.attrs);
        Ok(())
    })
}

/// Whether socket `fd` answers to option `level` at all (see [`sockopt::check_level`]).
pub fn option_level(fd: i32, level: i32, get: bool) -> Result<()> {
    with_socket(fd, |s| sockopt::check_level(s, level, get))
}

/// `getsockopt(2)`: the option's value (see [`crate::sockopt`]).
pub fn getsockopt(fd: i32, level: i32, name: i32) -> Result<Value> {
    with_socket(fd, |s| sockopt::get(s, level, name))
}

/// `setsockopt(2)` with a value the caller's bytes decode to (see [`sockopt::Input`]).
pub fn setsockopt(fd: i32, level: i32, name: i32, input: sockopt::Input<'_>) -> Result<()> {
    with_socket(fd, |s| sockopt::set(s, level, name, input))
}

/// `setsockopt(2)` with a typed value (the Rust API): as a C caller passing the value's layout
/// would (a value of the wrong shape for the option is refused as its size is).
pub fn set_option(fd: i32, level: i32, name: i32, v: Value) -> Result<()> {
    let (bytes, len) = v.encode();
    let bytes = &bytes[..len];
    let decode = |codec: sockopt::Codec, ip: bool| {
        if ip {
            codec.decode_ip(bytes)
        } else {
            codec.decode(bytes)
        }
    };
    let input = sockopt::Input {
        len,
        decode: &decode,
    };
    setsockopt(fd, level, name, input)
}
