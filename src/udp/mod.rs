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

use crate::addr::{self, Family};
use crate::bindings::wasi::io::poll::Pollable;
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
use crate::inet::{Ready, probe_bindable};
use crate::iov;
use crate::wait::{self, Wait};
use crate::wakeup::Wakeups;

mod dual;
mod endpoint;
mod options;
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
use send::check_broadcast;

/// Linux's `udp_sendmsg` refuses anything longer than this before looking at the address.
const MAX_UDP_LEN: usize = 0xffff;
/// The largest payload Linux sends: 65535 minus the IPv4 and UDP headers.
const MAX_PAYLOAD_V4: usize = 65507;
/// 65535 minus the UDP header (the IPv6 header is outside the payload length).
const MAX_PAYLOAD_V6: usize = 65527;
/// Datagrams asked of the host per read-ahead (wasmtime returns at most 16, up to 64 KiB).
const RECV_BATCH: u64 = 16;
/// The most datagrams an edge-triggered look reads ahead (see [`Udp::ready`]).
const ABSORB_MAX: usize = 256;
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

    /// `bind(2)`. Linux checks the address before the socket's state (`__inet_bind`).
    pub fn bind(&mut self, addr: SocketAddr) -> Result<()> {
        if self.bound.is_some() {
            let family = self.family;
            return Err(probe_bindable(addr, |a| Udp::new(family)?.bind(a))
                .err()
                .unwrap_or(Errno::EINVAL));
        }
        let port = match self.family {
            Family::V4 => self.bind_side(Side::Main, addr)?.port(),
            Family::V6 => self.bind_v6(addr)?,
        };
        self.bound = Some(Bound {
            ip: addr.ip(),
            port,
            addr_locked: !addr.ip().is_unspecified(),
            port_locked: addr.port() != 0,
        });
        self.kept_ip = None;
        Ok(())
    }

    /// Bind one side's host socket to `a` (its family): a socket with `SO_REUSEADDR` joins or
    /// makes a shared host socket. The address bound (port resolved).
    fn bind_side(&mut self, side: Side, a: SocketAddr) -> Result<SocketAddr> {
        let map = side == Side::V4 && self.family == Family::V6;
        let ep = if self.reuse {
            let opts = self.opts;
            let m = shared::Member::bind(a, !map, map, &self.rx, |s| {
                endpoint::apply_opts(s, &opts, map)
            })?;
            Endpoint::shared(m, Family::of(&a), map)
        } else if side == Side::Main {
            return self.main.bind(a);
        } else {
            let mut ep = Endpoint::new(Family::V4, map, &self.opts)?;
            ep.bind(a)?;
            ep
        };
        let local = ep.local().unwrap_or(a);
        match side {
            Side::Main => self.main = ep,
            Side::V4 => self.v4 = Some(Box::new(ep)),
        }
        Ok(local)
    }

    /// Bind an ephemeral port on the unspecified address if the socket is not bound, as Linux
    /// does on the first send or connect.
    pub fn autobind(&mut self) -> Result<()> {
        if self.bound.is_some() {
            return Ok(());
        }
        let mut any = self.family.unspecified();
        if let Some(ip) = self.kept_ip {
            any.set_ip(ip);
        }
        let port = self.main.bind(any)?.port();
        self.bound = Some(Bound {
            ip: any.ip(),
            port,
            addr_locked: self.kept_ip.is_some(),
            port_locked: false,
        });
        Ok(())
    }

    /// `connect(2)`: set the peer (binding first if needed). `broadcast`: `SO_BROADCAST`. An
    /// IPv6 socket takes an `AF_INET` peer as its IPv4-mapped address (Linux's
    /// `__ip6_datagram_connect`), unless it is v6-only.
    pub fn connect(&mut self, addr: SocketAddr, broadcast: bool) -> Result<()> {
        let addr = match (self.family, addr) {
            (Family::V6, SocketAddr::V4(_)) if self.v6only => return Err(Errno::EAFNOSUPPORT),
            (Family::V6, SocketAddr::V4(_)) => addr::mapped(addr),
            (f, a) if Family::of(&a) != f => return Err(Errno::EAFNOSUPPORT),
            (_, a) => a,
        };
        let target = self.target(addr);
        let side = self.route(target)?;
        check_broadcast(&addr::host_form(target), broadcast)?;
        if target.port() == 0 {
            // Linux accepts it and sends into the void; WASI refuses it. As BSD: EADDRNOTAVAIL.
            return Err(Errno::EADDRNOTAVAIL);
        }
        self.autobind()?;
        if side == Side::V4 {
            self.ensure_v4()?;
        }
        self.drain();
        self.stop_all();
        self.peer = Some(target);
        if let Err(e) = self.open(side) {
            self.peer = None;
            return Err(e);
        }
        Ok(())
    }

    /// `connect(2)` with `AF_UNSPEC` (Linux's `__udp_disconnect`): forget the peer; give the
    /// port back unless `bind` named it, and the source address unless `bind` named one.
    pub fn disconnect(&mut self) -> Result<()> {
        self.drain();
        self.peer = None;
        self.stop_all();
        match self.bound {
            None => Ok(()),
            Some(b) if !b.port_locked => {
                self.main = Endpoint::new(self.family, false, &self.opts)?;
                self.v4 = None;
                self.bound = None;
                // An address bind named stays (found by tests/fuzz/diff.c).
                self.kept_ip = b.addr_locked.then_some(b.ip);
                Ok(())
            }
            Some(_) => {
                // A host socket that may be connected is replaced by a fresh one bound alike;
                // a shared one takes any sender again at once.
                for side in [Side::Main, Side::V4] {
                    let opts = self.opts;
                    let Some(ep) = self.ep_mut(side) else {
                        continue;
                    };
                    let r = if ep.streamed() {
                        ep.renew(&opts)
                    } else if ep.member().is_some() {
                        ep.open(None, &opts)
                    } else {
                        Ok(())
                    };
                    if let Err(e) = r {
                        self.lost(side);
                        return Err(e);
                    }
                }
                Ok(())
            }
        }
    }

    /// `recv`/`recvfrom`/`recvmsg`/`read`: one datagram, truncated to `bufs` (the rest is
    /// discarded unless `peek`). `trunc` (`MSG_TRUNC`): report the datagram's full length.
    pub fn recv(
        &mut self,
        bufs: &mut [&mut [u8]],
        wait: Wait,
        peek: bool,
        trunc: bool,
    ) -> Result<Received> {
        let mut looked_again = false;
        loop {
            if let Some(e) = self.so_error.take() {
                return Err(e);
            }
            {
                let mut rx = self.rx.borrow_mut();
                if let Some(d) = rx.front() {
                    let n = iov::scatter(&d.data, bufs);
                    let r = Received {
                        n: if trunc { d.data.len() } else { n },
                        from: Some(d.from),
                        truncated: n < d.data.len(),
                    };
                    if !peek {
                        rx.pop_front();
                        self.taken += 1;
                    }
                    return Ok(r);
                }
            }
            if self.rd_shut {
                // Linux's UDP keeps queueing after `shutdown(SHUT_RD)` and delivers what is
                // queued; with nothing there a blocking receive returns 0 at once (its wait
                // sees RCV_SHUTDOWN), a non-blocking one is EAGAIN (it never waits, so never
                // looks): `__skb_recv_udp`. (It said 0 and dropped queued datagrams: found by
                // tests/fuzz/diff.c.)
                if self.bound.is_some() && self.pull()? {
                    continue;
                }
                if wait.may_block() {
                    return Ok(Received {
                        n: 0,
                        from: None,
                        truncated: false,
                    });
                }
                if !looked_again {
                    looked_again = true;
                    wait::host_yield();
                    continue;
                }
                return Err(Errno::EAGAIN);
            }
            if self.bound.is_none() {
                // Nothing can arrive at a socket without a port: Linux waits in vain.
                wait.idle()?;
                continue;
            }
            if self.pull()? {
                continue;
            }
            if wait::recheck(wait) {
                continue;
            }
            if !wait.may_block() && !looked_again {
                // A datagram the kernel already holds reaches the host's event loop a few
                // microseconds later (measured: 72% at the first look, 97% after one yield).
                // Linux's loopback has it at once; one yield before EAGAIN narrows the gap.
                looked_again = true;
                wait::host_yield();
                continue;
            }
            let mut ps = Vec::new();
            self.in_pollables(&mut ps);
            if ps.is_empty() {
                wait.idle()?;
                continue;
            }
            wait.on_any(&ps)?;
        }
    }

    /// `FIONREAD`: the length of the next datagram (0 if none), as Linux's `SIOCINQ` on UDP.
    pub fn readable_now(&mut self) -> usize {
        if self.rx.borrow().is_empty() {
            self.read_ahead();
        }
        self.rx.borrow().front().map_or(0, |d| d.data.len())
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

    /// What `poll` reports now (Linux's `udp_poll`), reading ahead first: one batch when
    /// nothing is queued, or (`absorb`: an edge-triggered look) everything the host holds, up
    /// to `ABSORB_MAX` datagrams, so each arrival is recorded as a wake-up. (Also after
    /// `shutdown(SHUT_RD)`: Linux still queues datagrams then.)
    pub fn ready(&mut self, absorb: bool) -> Ready {
        if absorb {
            while self.rx.borrow().len() < ABSORB_MAX && self.so_error.is_none() {
                let before = self.rx.borrow().len();
                self.read_ahead();
                if self.rx.borrow().len() == before {
                    break;
                }
            }
        } else if self.so_error.is_none() && (self.rx.borrow().is_empty() || self.peer.is_some()) {
            // Even with datagrams held: an ICMP error comes first from the host's next
            // receive, and Linux reports it (POLLERR) with datagrams queued (found by
            // tests/fuzz/diff.c).
            self.read_ahead();
        }
        // An unbound socket is writable (sending binds it), as is one not yet streaming.
        let output = self
            .active()
            .filter_map(|side| self.ep(side))
            .all(|ep| !ep.streaming() || ep.check_send().is_ok_and(|n| n > 0));
        // Linux's SOCK_NOSPACE: room after none wakes writers.
        if !output {
            self.nospace = true;
        } else if self.nospace {
            self.nospace = false;
            self.wake.output();
        }
        Ready {
            input: !self.rx.borrow().is_empty() || self.rd_shut,
            output,
            hup: self.rd_shut && self.wr_shut,
            err: self.so_error.is_some(),
            rdhup: self.rd_shut,
        }
    }

    /// The socket's wake-ups so far (see [`crate::wakeup`]). Datagrams reach the queue from
    /// this socket's host sockets and, for a shared port, from the other members' reads: an
    /// arrival is noticed here, as the count of datagrams ever queued moving.
    pub fn wakeups(&self) -> Wakeups {
        let queued = self.taken + self.rx.borrow().len() as u64;
        let (seen, at) = self.arrivals.get();
        let at = if queued == seen {
            at
        } else {
            let at = crate::wakeup::fresh();
            self.arrivals.set((queued, at));
            at
        };
        Wakeups {
            input: self.wake.input.max(at),
            ..self.wake
        }
    }

    /// The pollables an edge-triggered watcher waits on: input while more could be read ahead,
    /// output only after the host refused a send.
    pub fn edge_pollables<'a>(&'a self, want_out: bool, out: &mut impl Extend<&'a Pollable>) {
        for ep in self.active().filter_map(|side| self.ep(side)) {
            // After `shutdown(SHUT_RD)` too: Linux still queues, and wakes, then.
            if self.rx.borrow().len() < ABSORB_MAX {
                out.extend(ep.in_ready());
            }
            if want_out && self.nospace {
                out.extend(ep.out_ready());
            }
        }
    }

    /// The pollables `poll` waits on for this socket.
    pub fn pollables<'a>(&'a self, want_out: bool, out: &mut impl Extend<&'a Pollable>) {
        for ep in self.active().filter_map(|side| self.ep(side)) {
            if !self.rd_shut {
                out.extend(ep.in_ready());
            }
            if want_out {
                out.extend(ep.out_ready());
            }
        }
    }
}
