//! [`UdpSocket`].

use super::{Socket, ToSocketAddrs, cvt, each_addr, raw_fd_impls};
use crate::addr::Dest;
use crate::flags::MsgFlags;
use crate::ops::{self, SockType};
use crate::sockopt;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// A UDP socket, as [`std::net::UdpSocket`].
///
/// ```
/// use wasi_posix_sockets::net::UdpSocket;
///
/// let a = UdpSocket::bind("127.0.0.1:0")?;
/// let b = UdpSocket::bind("127.0.0.1:0")?;
/// a.send_to(b"ping", b.local_addr()?)?;
/// let mut buf = [0u8; 1500];
/// let (n, from) = b.recv_from(&mut buf)?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket(Socket);

impl UdpSocket {
    /// A socket bound to the first address of `addr` that can be bound (port 0: ephemeral).
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        each_addr(addr, |a| {
            let s = Socket::new(a, SockType::Dgram)?;
            cvt(ops::bind(s.fd(), *a))?;
            Ok(UdpSocket(s))
        })
    }

    /// Receive one datagram and its sender. A datagram longer than `buf` is truncated, the rest
    /// discarded.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from_flags(buf, MsgFlags::empty())
    }

    /// [`recv_from`](Self::recv_from), leaving the datagram queued.
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from_flags(buf, MsgFlags::PEEK)
    }

    fn recv_from_flags(&self, buf: &mut [u8], flags: MsgFlags) -> io::Result<(usize, SocketAddr)> {
        let got = cvt(ops::recv_from(self.0.fd(), &mut [buf], flags))?;
        let from = got.from.ok_or_else(|| {
            // Shut down for reading: nothing was received, so there is no sender.
            io::Error::new(io::ErrorKind::UnexpectedEof, "socket shut down for reading")
        })?;
        Ok((got.n, from))
    }

    /// Send one datagram to the first address `addr` resolves to.
    pub fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], addr: A) -> io::Result<usize> {
        let to = addr.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")
        })?;
        let dest = Dest::to(to, cvt(ops::family(self.0.fd()))?);
        cvt(ops::send_to(self.0.fd(), &[buf], MsgFlags::empty(), dest))
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// A second handle to the same socket (`dup`).
    pub fn try_clone(&self) -> io::Result<UdpSocket> {
        self.0.duplicate().map(UdpSocket)
    }

    /// `SO_RCVTIMEO` (`None`: wait forever); a receive that times out fails with
    /// [`io::ErrorKind::WouldBlock`].
    pub fn set_read_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.0.set_timeout(dur, true)
    }

    /// `SO_SNDTIMEO`.
    pub fn set_write_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.0.set_timeout(dur, false)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.0.timeout(true)
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.0.timeout(false)
    }

    /// `SO_BROADCAST`: stored and reported; note that wasi:sockets hosts refuse the broadcast
    /// address whatever it says (`EACCES`).
    pub fn set_broadcast(&self, broadcast: bool) -> io::Result<()> {
        self.0.set_int(
            sockopt::SOL_SOCKET,
            sockopt::SO_BROADCAST,
            i32::from(broadcast),
        )
    }

    /// `SO_BROADCAST` as set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.0
            .int(sockopt::SOL_SOCKET, sockopt::SO_BROADCAST)
            .map(|v| v != 0)
    }

    /// The hop limit of outgoing datagrams (`IP_TTL`, or `IPV6_UNICAST_HOPS` on IPv6).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.0.set_ttl(ttl)
    }

    /// The hop limit.
    pub fn ttl(&self) -> io::Result<u32> {
        self.0.ttl()
    }

    /// `SO_ERROR`: the pending error (an ICMP error on a connected socket), cleared by reading it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.0.take_error()
    }

    /// Set the peer: [`send`](Self::send) goes to it and only its datagrams arrive. The first
    /// address `addr` resolves to that accepts is used.
    pub fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        each_addr(addr, |a| cvt(ops::connect(self.0.fd(), *a)))
    }

    /// Send one datagram to the connected peer.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }

    /// Receive one datagram from the connected peer (truncated to `buf`).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf, MsgFlags::empty())
    }

    /// [`recv`](Self::recv), leaving the datagram queued.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf, MsgFlags::PEEK)
    }

    /// Non-blocking mode: calls that would wait fail with [`io::ErrorKind::WouldBlock`].
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.0.set_nonblocking(nonblocking)
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UdpSocket");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.0.fd()).finish()
    }
}

raw_fd_impls!(UdpSocket);
