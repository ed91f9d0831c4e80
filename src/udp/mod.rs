//! UDP sockets: Linux's datagram semantics over `wasi:sockets/udp`.
//!
//! What Linux does that WASI does not, and how it is recreated here:
//! - **Implicit bind.** Linux binds an ephemeral port on the first send or connect (even one that
//!   then fails, as `inet_send_prepare` and `inet_dgram_connect` do); WASI wants an explicit
//!   `bind` before `stream`. [`Udp::autobind`] binds the unspecified address, port 0.
//! - **Bind locks.** Linux remembers whether `bind` named the port and the address
//!   (`SOCK_BINDPORT_LOCK`, `SOCK_BINDADDR_LOCK`); `connect(AF_UNSPEC)` gives back an ephemeral
//!   port and a wildcard-chosen source address (`Bound`).
//! - **Reconnecting.** wasmtime serves `stream` again only when no background receive still
//!   holds the socket, which the guest cannot observe, and traps otherwise ("`connect` needs
//!   exclusive access"). So a socket streams at most once: reconnecting moves to a fresh host
//!   socket bound to the same address (waiting, bounded, for the old one to let go of the port),
//!   after draining what the old one had queued, which Linux would still deliver.
//! - **Peeking, truncation, `FIONREAD`, `poll`.** Datagrams are read ahead into `Udp::rx`,
//!   whole (the host's buffer holds 65535 bytes, more than any datagram), so `MSG_PEEK` leaves one
//!   queued, a short buffer truncates it and `MSG_TRUNC` reports its real length.
//! - **Dual-stack IPv6** (`IPV6_V6ONLY` off, Linux's default): WASI's IPv6 sockets are
//!   IPv6-only, so an IPv4 host socket serves the IPv4 side (`dual.rs`).
//! - **`SO_REUSEADDR`**: sockets of the program bound to one port share one host socket, and
//!   its datagrams are dispatched among them as Linux does (`shared.rs`).
//!
//! The host's rules: `send` only after a `check-send` that permits it (one datagram per
//! permit); streams and their pollables are dropped before their socket (struct fields drop in
//! declaration order: children first) and before `stream` is called again.
//!
//! This file holds the socket's state and the small calls on it (names, `shutdown`,
//! `SO_ERROR`, `IPV6_V6ONLY`, `SO_REUSEADDR`). The rest, one concern a file: `connect.rs` binding
//! and connecting, `send.rs` sending, `recv.rs` receiving, `readiness.rs` what `poll` and epoll
//! see, `options.rs` the host-backed options, `sides.rs` the host sockets a socket has,
//! `endpoint.rs` one host socket's life cycle, `dual.rs` and `shared.rs` as above.

use crate::addr::{self, Family};
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
use crate::wakeup::Wakeups;

mod connect;
mod dual;
mod endpoint;
mod options;
mod readiness;
mod recv;
mod send;
mod shared;
mod sides;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::net::{IpAddr, SocketAddr};
use endpoint::Endpoint;

/// Linux's `udp_sendmsg` refuses anything longer than this before looking at the address.
const MAX_UDP_LEN: usize = 0xffff;
/// The largest payload Linux sends: 65535 minus the IPv4 and UDP headers.
const MAX_PAYLOAD_V4: usize = 65507;
/// 65535 minus the UDP header (the IPv6 header is outside the payload length).
const MAX_PAYLOAD_V6: usize = 65527;
/// Datagrams asked of the host per read-ahead (wasmtime returns at most 16, up to 64 KiB).
const RECV_BATCH: u64 = 16;
/// How long a reconnect waits for the previous host socket to release the local port.
const REBIND_WAIT_NS: u64 = 2_000_000_000;
/// The pause between two attempts to take the port back.
const REBIND_RETRY_NS: u64 = 1_000_000;

/// One received datagram, whole (its sender as the socket shows it).
struct Datagram {
    data: Vec<u8>,
    from: SocketAddr,
}

/// A socket's receive queue: datagrams read from the host and not yet delivered. Shared with
/// the host sockets it shares with other sockets (`shared.rs`), which deliver into it.
type Queue = Rc<RefCell<VecDeque<Datagram>>>;

/// What a `recv` delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// The call's return value: bytes copied, or the datagram's length with `MSG_TRUNC`.
    pub n: usize,
    /// The sender (`None` when nothing was received: shut down for reading).
    pub from: Option<SocketAddr>,
    /// The datagram did not fit (`recvmsg`'s `MSG_TRUNC` output flag).
    pub truncated: bool,
}

/// The local binding and Linux's bind locks.
#[derive(Clone, Copy, Debug)]
struct Bound {
    /// The address `bind` named (unspecified when it named none, or for an implicit bind), as
    /// the program named it (IPv4-mapped on an IPv6 socket bound to an IPv4 address).
    ip: IpAddr,
    /// The port held (ephemeral ones resolved).
    port: u16,
    /// `SOCK_BINDADDR_LOCK`: `bind` named an address.
    addr_locked: bool,
    /// `SOCK_BINDPORT_LOCK`: `bind` named a port.
    port_locked: bool,
}

/// Options applied to the host sockets, kept to apply again to a replacement socket.
#[derive(Clone, Copy, Debug, Default)]
struct Opts {
    rcvbuf: Option<u64>,
    sndbuf: Option<u64>,
    hops: Option<u8>,
    /// `SO_KEEPALIVE`: Linux stores it on any socket; it means nothing to UDP.
    keepalive: bool,
    /// `IP_TTL` on an IPv6 socket: the hop limit of its IPv4 host socket (dual-stack).
    v4_ttl_on_v6: Option<i32>,
}

/// Which of a socket's host sockets: the one of its own family, or a dual-stack IPv6 socket's
/// IPv4 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Main,
    V4,
}

/// A UDP socket.
pub struct Udp {
    /// The host socket of the socket's own family (unused by an IPv6 socket bound to an IPv4
    /// address).
    main: Endpoint,
    /// A dual-stack IPv6 socket's IPv4 host socket, made when IPv4 is first needed.
    v4: Option<Box<Endpoint>>,
    family: Family,
    /// `IPV6_V6ONLY`.
    v6only: bool,
    /// `SO_REUSEADDR` (a bind with it shares a host socket with the program's other sockets).
    reuse: bool,
    bound: Option<Bound>,
    /// The connected peer (as the program named it: IPv4-mapped for IPv4 on an IPv6 socket).
    peer: Option<SocketAddr>,
    /// Datagrams read from the host and not yet delivered.
    rx: Queue,
    /// Linux's `sk_err` (an ICMP error on a connected socket), reported once.
    so_error: Option<Errno>,
    /// Linux's `RCV_SHUTDOWN`/`SEND_SHUTDOWN`.
    rd_shut: bool,
    wr_shut: bool,
    opts: Opts,
    /// Scratch space to gather a datagram sent from several buffers.
    scratch: Vec<u8>,
    /// The address `bind` named, kept when `connect(AF_UNSPEC)` gave back the port alone
    /// (Linux's `__udp_disconnect` keeps a source address under `SOCK_BINDADDR_LOCK`): the next
    /// implicit bind is on it.
    kept_ip: Option<IpAddr>,
    /// A datagram `MSG_MORE` is building (Linux's pending frame): its bytes so far and where it
    /// goes. The next send without `MSG_MORE` appends its data and sends it whole.
    corked: Option<(Vec<u8>, Option<SocketAddr>)>,
    /// The socket's wake-ups (see [`crate::wakeup`]): datagrams arriving, an error, a shutdown,
    /// a send permit after none.
    wake: Wakeups,
    /// The last `check-send` granted nothing (Linux's `SOCK_NOSPACE`).
    nospace: bool,
    /// Datagrams taken from the queue so far, and the count of datagrams ever queued when
    /// [`Udp::wakeups`] last looked, with the stamp it gave that arrival.
    taken: u64,
    arrivals: core::cell::Cell<(u64, u64)>,
}

impl Udp {
    /// A new unbound socket of `family`.
    pub fn new(family: Family) -> Result<Udp> {
        Ok(Udp {
            main: Endpoint::new(family, false, &Opts::default())?,
            v4: None,
            family,
            v6only: false,
            reuse: false,
            bound: None,
            peer: None,
            rx: Queue::default(),
            so_error: None,
            rd_shut: false,
            wr_shut: false,
            opts: Opts::default(),
            scratch: Vec::new(),
            kept_ip: None,
            corked: None,
            wake: Wakeups::default(),
            nospace: false,
            taken: 0,
            arrivals: core::cell::Cell::new((0, 0)),
        })
    }

    /// The socket's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// `IPV6_V6ONLY`.
    pub fn v6only(&self) -> bool {
        self.v6only
    }

    /// Set `IPV6_V6ONLY`: `EINVAL` once the socket has a port, as Linux.
    pub fn set_v6only(&mut self, on: bool) -> Result<()> {
        if self.bound.is_some() {
            return Err(Errno::EINVAL);
        }
        self.v6only = on;
        Ok(())
    }

    /// `SO_REUSEADDR` changed: a later `bind` may share its port with the program's other
    /// sockets that set it.
    pub fn set_reuseaddr(&mut self, on: bool) {
        self.reuse = on;
    }

    /// `SO_ERROR`: the pending error, cleared by reading it (after a look at the host).
    pub fn take_error(&mut self) -> Option<Errno> {
        if self.so_error.is_none() && self.rx.borrow().is_empty() {
            self.read_ahead();
        }
        self.so_error.take()
    }

    /// Set the pending error (`sk_err`), as `recvmmsg` leaves a later message's.
    pub fn set_error(&mut self, e: Errno) {
        self.so_error = Some(e);
    }

    /// `shutdown(2)`. Linux marks the socket shut even when it is not connected, and then
    /// reports `ENOTCONN`.
    pub fn shutdown(&mut self, how: Shutdown) -> Result<()> {
        self.rd_shut |= how.reads();
        self.wr_shut |= how.writes();
        // Linux's inet_shutdown wakes every waiter (sk_state_change), connected or not.
        self.wake.any();
        if self.peer.is_some() {
            Ok(())
        } else {
            Err(Errno::ENOTCONN)
        }
    }

    /// `getsockname(2)`: the host's view (a connected socket's source address is the one the
    /// route chose), or the unspecified address and port 0 when unbound.
    pub fn local_addr(&self) -> SocketAddr {
        let Some(b) = self.bound else {
            return SocketAddr::new(self.kept_ip.unwrap_or(self.family.unspecified().ip()), 0);
        };
        let side = match self.peer {
            Some(p) => self.side_of(p),
            None if self.bound_v4() => Side::V4,
            None => Side::Main,
        };
        match self.ep(side).and_then(Endpoint::local) {
            Some(a) if side == Side::V4 && self.family == Family::V6 => addr::mapped(a),
            Some(a) => a,
            None => SocketAddr::new(b.ip, b.port),
        }
    }

    /// `getpeername(2)`.
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        self.peer.ok_or(Errno::ENOTCONN)
    }
}
