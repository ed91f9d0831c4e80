//! The socket object one or more descriptors refer to: the protocol state machine plus the
//! attributes that belong to the open socket rather than the protocol (`O_NONBLOCK`, timeouts,
//! options the library keeps itself).

use crate::addr::Family;
use crate::channel::Kind;
use crate::channel::unix::Unix;
use crate::errno::{Errno, Result};
use crate::tcp::Tcp;
use crate::udp::Udp;
use crate::wait::{Wait, linger};
use alloc::boxed::Box;
use core::net::SocketAddr;

/// The protocol behind a socket.
pub enum Proto {
    /// `SOCK_STREAM`.
    Tcp(Tcp),
    /// `SOCK_DGRAM`.
    Udp(Udp),
    /// An AF_UNIX socket, inside the guest (any type).
    Unix(Unix),
}

/// A socket's address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// `AF_INET` or `AF_INET6`.
    Inet(Family),
    /// `AF_UNIX`.
    Unix,
}

/// An open socket.
pub struct Socket {
    /// The protocol state machine.
    pub proto: Proto,
    /// What belongs to the open socket rather than the protocol.
    pub attrs: Attrs,
}

/// The open socket's attributes (shared by every descriptor `dup` made of it, as Linux's open
/// file description), and the socket options the library keeps itself. Accepted sockets inherit
/// all but `nonblocking`, as on Linux.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attrs {
    /// `O_NONBLOCK` (`SOCK_NONBLOCK`, `fcntl(F_SETFL)`, `ioctl(FIONBIO)`).
    pub nonblocking: bool,
    /// `SO_RCVTIMEO` in nanoseconds; 0 = wait forever.
    pub rcv_timeout_ns: u64,
    /// `SO_SNDTIMEO` in nanoseconds; 0 = wait forever.
    pub snd_timeout_ns: u64,
    /// `SO_REUSEADDR` as set (hosts always reuse addresses; stored and reported).
    pub reuseaddr: bool,
    /// `SO_BROADCAST` as set (stored and reported; meaningful for UDP only).
    pub broadcast: bool,
    /// `TCP_NODELAY` as set (WASI 0.2 has no such control; stored and reported).
    pub nodelay: bool,
    /// `SO_LINGER`: `Some(seconds)` when on (stored and reported; `close` never lingers or resets).
    pub linger: Option<i32>,
    /// `SO_LINGER`'s seconds as last set on (Linux's `sk_lingertime`): turning it off keeps
    /// them, and `getsockopt` reports them (found by tests/fuzz/diff.c).
    pub linger_secs: i32,
    /// Options WASI has no control for, kept and reported as Linux reports them.
    pub stored: Stored,
}

/// Options WASI cannot honour, stored with Linux's checks and reported back with Linux's
/// normalisation (see `crate::sockopt` and `docs/options.md`).
#[derive(Clone, Copy, Debug)]
pub struct Stored {
    /// `SO_DEBUG`.
    pub debug: bool,
    /// `SO_OOBINLINE`.
    pub oobinline: bool,
    /// `SO_DONTROUTE`.
    pub dontroute: bool,
    /// `SO_REUSEPORT`.
    pub reuseport: bool,
    /// `SO_PRIORITY`.
    pub priority: i32,
    /// `SO_RCVLOWAT` (Linux's minimum is 1).
    pub rcvlowat: i32,
    /// `TCP_MAXSEG` as the program set it (0: none).
    pub maxseg: i32,
    /// `TCP_USER_TIMEOUT` (milliseconds).
    pub user_timeout: i32,
    /// `TCP_CORK`.
    pub cork: bool,
    /// `TCP_QUICKACK` (on by default, as Linux reports it).
    pub quickack: bool,
    /// `TCP_CONGESTION`: the algorithm's name, NUL-padded (`TCP_CA_NAME_MAX`).
    pub congestion: [u8; 16],
    /// `IP_TOS`.
    pub tos: i32,
    /// `IPV6_TCLASS`.
    pub tclass: i32,
    /// `IP_MTU_DISCOVER` / `IPV6_MTU_DISCOVER` (Linux's default: `IP_PMTUDISC_WANT`).
    pub mtu_discover: i32,
}

impl Default for Stored {
    fn default() -> Stored {
        let mut congestion = [0u8; 16];
        congestion[..5].copy_from_slice(b"cubic");
        Stored {
            debug: false,
            oobinline: false,
            dontroute: false,
            reuseport: false,
            priority: 0,
            rcvlowat: 1,
            maxseg: 0,
            user_timeout: 0,
            cork: false,
            quickack: true,
            congestion,
            tos: 0,
            tclass: 0,
            mtu_discover: 1,
        }
    }
}

impl Attrs {
    /// How a receive-side call (recv, read, accept) may wait, given `MSG_DONTWAIT`.
    pub fn recv_wait(&self, dontwait: bool) -> Wait {
        Wait::new(self.nonblocking || dontwait, self.rcv_timeout_ns)
    }

    /// How a send-side call (send, write, connect) may wait, given `MSG_DONTWAIT`.
    pub fn send_wait(&self, dontwait: bool) -> Wait {
        Wait::new(self.nonblocking || dontwait, self.snd_timeout_ns)
    }
}

/// A socket whose connection holds bytes for the host (see `crate::tcp`'s coalescing).
impl crate::wait::unflushed::Unflushed for Socket {
    fn flush(&mut self, wait: Wait) -> bool {
        match &mut self.proto {
            Proto::Tcp(t) => {
                t.flush(wait);
                t.has_pending()
            }
            Proto::Udp(_) | Proto::Unix(_) => false,
        }
    }

    fn out_pollable(&self) -> Option<&crate::bindings::wasi::io::poll::Pollable> {
        match &self.proto {
            Proto::Tcp(t) => t.out_pollable(),
            Proto::Udp(_) | Proto::Unix(_) => None,
        }
    }
}

impl Socket {
    /// A socket with the given protocol and attributes.
    pub fn new(proto: Proto, attrs: Attrs) -> Socket {
        Socket { proto, attrs }
    }

    /// The address family.
    pub fn domain(&self) -> Domain {
        match &self.proto {
            Proto::Tcp(t) => Domain::Inet(t.family()),
            Proto::Udp(u) => Domain::Inet(u.family()),
            Proto::Unix(_) => Domain::Unix,
        }
    }

    /// The IP family; `EAFNOSUPPORT` for an AF_UNIX socket, whose addresses are not IP ones.
    pub fn family(&self) -> Result<Family> {
        match self.domain() {
            Domain::Inet(f) => Ok(f),
            Domain::Unix => Err(Errno::EAFNOSUPPORT),
        }
    }

    /// Whether this is a datagram socket (UDP, or AF_UNIX datagrams or records).
    pub fn is_datagram(&self) -> bool {
        match &self.proto {
            Proto::Tcp(_) => false,
            Proto::Udp(_) => true,
            Proto::Unix(u) => u.kind() != Kind::Stream,
        }
    }

    /// Close the socket (its last descriptor is gone). Linux's `close` returns at once and the
    /// kernel goes on sending queued data; a connection whose write is still in flight here
    /// lingers (see [`crate::wait::linger`]) until the host has finished. `open_here` says
    /// whether an open socket of this program has a given address (the reader of the data in
    /// flight may be one).
    pub fn close(self, open_here: impl Fn(SocketAddr) -> bool) {
        match self.proto {
            Proto::Tcp(mut tcp) => {
                if tcp.write_in_flight(true) {
                    let reader_here = tcp
                        .peer_addr()
                        .is_ok_and(|peer| open_here(peer) || linger::holds(peer));
                    linger::keep(Box::new(tcp), reader_here);
                }
            }
            // A UDP socket's host streams hand their last datagram to the kernel as they drop.
            Proto::Udp(udp) => drop(udp),
            // Its peer learns of it as the socket drops (`channel::unix`).
            Proto::Unix(unix) => drop(unix),
        }
        linger::reap();
    }
}
