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
//!
//! The host's rules: `send` only after a `check-send` that permits it (one datagram per
//! permit); streams and their pollables are dropped before their socket (struct fields drop in
//! declaration order: children first) and before `stream` is called again.

use crate::addr::{self, Dest, Family};
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::sockets::udp::{
    IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use crate::bindings::wasi::sockets::udp_create_socket::create_udp_socket;
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
use crate::inet::{Ready, probe_bindable};
use crate::wait::{self, Wait, host};
use crate::{iov, wasi};

mod lifecycle;
mod options;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

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

/// One received datagram, whole.
struct Datagram {
    data: Vec<u8>,
    from: SocketAddr,
}

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

/// A pair of host streams and their pollables (pollables first: they are the streams' children).
struct Streams {
    in_ready: Pollable,
    out_ready: Pollable,
    incoming: IncomingDatagramStream,
    outgoing: OutgoingDatagramStream,
}

/// The host socket, its streams (dropped first) and whether it has streamed once already.
struct Host {
    streams: Option<Streams>,
    sock: UdpSocket,
    streamed: bool,
}

impl Host {
    fn new(family: Family) -> Result<Host> {
        Ok(Host {
            streams: None,
            sock: create_udp_socket(family.into()).map_err(Errno::from)?,
            streamed: false,
        })
    }
}

/// The local binding and Linux's bind locks.
#[derive(Clone, Copy, Debug)]
struct Bound {
    /// The address `bind` named (unspecified when it named none, or for an implicit bind).
    ip: IpAddr,
    /// The port held (ephemeral ones resolved).
    port: u16,
    /// `SOCK_BINDADDR_LOCK`: `bind` named an address.
    addr_locked: bool,
    /// `SOCK_BINDPORT_LOCK`: `bind` named a port.
    port_locked: bool,
}

/// Options applied to the host socket, kept to apply again to a replacement socket.
#[derive(Clone, Copy, Debug, Default)]
struct Opts {
    rcvbuf: Option<u64>,
    sndbuf: Option<u64>,
    hops: Option<u8>,
    /// `SO_KEEPALIVE`: Linux stores it on any socket; it means nothing to UDP.
    keepalive: bool,
    /// `IP_TTL` on an IPv6 socket (for IPv4-mapped traffic, which WASI never carries).
    v4_ttl_on_v6: Option<i32>,
}

/// A UDP socket.
pub struct Udp {
    host: Host,
    family: Family,
    /// `IPV6_V6ONLY`.
    v6only: bool,
    bound: Option<Bound>,
    /// The connected peer.
    peer: Option<SocketAddr>,
    /// Datagrams read from the host and not yet delivered.
    rx: VecDeque<Datagram>,
    /// Linux's `sk_err` (an ICMP error on a connected socket), reported once.
    so_error: Option<Errno>,
    /// Linux's `RCV_SHUTDOWN`/`SEND_SHUTDOWN`.
    rd_shut: bool,
    wr_shut: bool,
    opts: Opts,
    /// Scratch space to gather a datagram sent from several buffers.
    scratch: Vec<u8>,
    /// A datagram `MSG_MORE` is building (Linux's pending frame): its bytes so far and where it
    /// goes. The next send without `MSG_MORE` appends its data and sends it whole.
    corked: Option<(Vec<u8>, Option<SocketAddr>)>,
}

impl Udp {
    /// A new unbound socket of `family`.
    pub fn new(family: Family) -> Result<Udp> {
        Ok(Udp {
            host: Host::new(family)?,
            family,
            v6only: true,
            bound: None,
            peer: None,
            rx: VecDeque::new(),
            so_error: None,
            rd_shut: false,
            wr_shut: false,
            opts: Opts::default(),
            scratch: Vec::new(),
            corked: None,
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

    /// `SO_ERROR`: the pending error, cleared by reading it (after a look at the host).
    pub fn take_error(&mut self) -> Option<Errno> {
        if self.so_error.is_none() && self.rx.is_empty() {
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
        let port = self.host_bind(addr, false)?;
        self.bound = Some(Bound {
            ip: addr.ip(),
            port,
            addr_locked: !addr.ip().is_unspecified(),
            port_locked: addr.port() != 0,
        });
        Ok(())
    }

    /// Bind an ephemeral port on the unspecified address if the socket is not bound, as Linux
    /// does on the first send or connect.
    pub fn autobind(&mut self) -> Result<()> {
        if self.bound.is_some() {
            return Ok(());
        }
        let any = self.family.unspecified();
        let port = self.host_bind(any, false)?;
        self.bound = Some(Bound {
            ip: any.ip(),
            port,
            addr_locked: false,
            port_locked: false,
        });
        Ok(())
    }

    /// `connect(2)`: set the peer (binding first if needed). `broadcast`: `SO_BROADCAST`.
    pub fn connect(&mut self, addr: SocketAddr, broadcast: bool) -> Result<()> {
        if Family::of(&addr) != self.family {
            return Err(Errno::EAFNOSUPPORT);
        }
        if let SocketAddr::V6(a) = addr
            && a.ip().to_ipv4_mapped().is_some()
        {
            // An IPv6-only socket cannot reach an IPv4 peer.
            return Err(Errno::ENETUNREACH);
        }
        let target = addr::connect_target(addr);
        check_broadcast(&target, broadcast)?;
        if target.port() == 0 {
            // Linux accepts it and sends into the void; WASI refuses it. As BSD: EADDRNOTAVAIL.
            return Err(Errno::EADDRNOTAVAIL);
        }
        self.autobind()?;
        self.drain();
        self.host.streams = None;
        self.peer = Some(target);
        if let Err(e) = self.streams() {
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
        self.host.streams = None;
        match self.bound {
            None => Ok(()),
            Some(b) if !b.port_locked => {
                self.host = Host::new(self.family)?;
                self.apply_opts();
                self.bound = None;
                Ok(())
            }
            Some(_) => {
                if self.host.streamed {
                    // The host socket may be connected; a fresh one bound alike is not.
                    self.renew_host()?;
                }
                Ok(())
            }
        }
    }

    /// `send`/`sendto`/`sendmsg`: one datagram of all of `bufs`, to `dest` or the peer. Linux's
    /// checks in Linux's order. `broadcast`: `SO_BROADCAST`. `more` (`MSG_MORE`): the data
    /// starts or extends a datagram that the next send without `more` completes and sends (a
    /// destination given while one is pending is ignored, as Linux ignores it).
    pub fn send(
        &mut self,
        bufs: &[&[u8]],
        dest: Dest,
        wait: Wait,
        broadcast: bool,
        more: bool,
    ) -> Result<usize> {
        if self.corked.is_some() {
            return self.send_corked(bufs, wait, more);
        }
        self.autobind()?;
        let total = iov::total(bufs);
        if self.family == Family::V4 && total > MAX_UDP_LEN {
            return Err(Errno::EMSGSIZE);
        }
        let to = match dest {
            Dest::Peer => None,
            Dest::To(a) => Some(addr::connect_target(a)),
            Dest::Invalid(e) => return Err(e),
        };
        let (target, explicit) = match (to, self.peer) {
            // WASI's connected streams send only to the peer; Linux would send elsewhere.
            (Some(t), Some(p)) if t != p => return Err(Errno::EISCONN),
            (_, Some(p)) => (p, false),
            (Some(t), None) => (t, true),
            (None, None) => return Err(Errno::EDESTADDRREQ),
        };
        check_broadcast(&target, broadcast)?;
        let max = match self.family {
            Family::V4 => MAX_PAYLOAD_V4,
            Family::V6 => MAX_PAYLOAD_V6,
        };
        if total > max {
            return Err(Errno::EMSGSIZE);
        }
        if let Some(e) = self.so_error.take() {
            return Err(e);
        }
        if self.wr_shut {
            return Err(Errno::EPIPE);
        }
        let to = explicit.then_some(target);
        if more {
            let mut data = Vec::with_capacity(total);
            bufs.iter().for_each(|b| data.extend_from_slice(b));
            self.corked = Some((data, to));
            return Ok(total);
        }
        let mut scratch = core::mem::take(&mut self.scratch);
        let data = iov::contiguous(bufs, &mut scratch);
        let r = self.transmit(data, to, wait);
        self.scratch = scratch;
        r.map(|()| total)
    }

    /// A send while a `MSG_MORE` datagram is pending: append; send it all unless `more`. A
    /// datagram grown past the largest payload is `EMSGSIZE` and dropped, as Linux flushes its
    /// pending frame on an error.
    fn send_corked(&mut self, bufs: &[&[u8]], wait: Wait, more: bool) -> Result<usize> {
        let Some((mut data, to)) = self.corked.take() else {
            return Ok(0);
        };
        let total = iov::total(bufs);
        let max = match self.family {
            Family::V4 => MAX_PAYLOAD_V4,
            Family::V6 => MAX_PAYLOAD_V6,
        };
        if data.len() + total > max {
            return Err(Errno::EMSGSIZE);
        }
        bufs.iter().for_each(|b| data.extend_from_slice(b));
        if more {
            self.corked = Some((data, to));
            return Ok(total);
        }
        self.transmit(&data, to, wait).map(|()| total)
    }

    /// Hand one datagram to the host: wait (as `wait` allows) for a `check-send` permit, then
    /// send it.
    fn transmit(&mut self, data: &[u8], to: Option<SocketAddr>, wait: Wait) -> Result<()> {
        let datagram = [OutgoingDatagram {
            data,
            remote_address: to.map(wasi::to_wasi),
        }];
        loop {
            let s = self.streams()?;
            match host::check_send(&s.outgoing) {
                Ok(0) => {
                    if !wait::recheck(wait) {
                        wait.on(&s.out_ready)?;
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => return Err(e.into()),
            }
            match s.outgoing.send(&datagram) {
                Ok(0) => wait.on(&s.out_ready)?,
                Ok(_) => return Ok(()),
                Err(e) => return Err(e.into()),
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
            if let Some(d) = self.rx.front() {
                let n = iov::scatter(&d.data, bufs);
                let r = Received {
                    n: if trunc { d.data.len() } else { n },
                    from: Some(d.from),
                    truncated: n < d.data.len(),
                };
                if !peek {
                    self.rx.pop_front();
                }
                return Ok(r);
            }
            if self.rd_shut {
                return Ok(Received {
                    n: 0,
                    from: None,
                    truncated: false,
                });
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
            let s = self.streams()?;
            wait.on(&s.in_ready)?;
        }
    }

    /// `FIONREAD`: the length of the next datagram (0 if none), as Linux's `SIOCINQ` on UDP.
    pub fn readable_now(&mut self) -> usize {
        if self.rx.is_empty() {
            self.read_ahead();
        }
        self.rx.front().map_or(0, |d| d.data.len())
    }

    /// `shutdown(2)`. Linux marks the socket shut even when it is not connected, and then
    /// reports `ENOTCONN`.
    pub fn shutdown(&mut self, how: Shutdown) -> Result<()> {
        self.rd_shut |= how.reads();
        self.wr_shut |= how.writes();
        if self.peer.is_some() {
            Ok(())
        } else {
            Err(Errno::ENOTCONN)
        }
    }

    /// `getsockname(2)`: the host's view (a connected socket's source address is the one the
    /// route chose), or the unspecified address and port 0 when unbound.
    pub fn local_addr(&self) -> SocketAddr {
        match self.bound {
            None => self.family.unspecified(),
            Some(b) => self
                .host
                .sock
                .local_address()
                .map_or_else(|_| SocketAddr::new(b.ip, b.port), wasi::from_wasi),
        }
    }

    /// `getpeername(2)`.
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        self.peer.ok_or(Errno::ENOTCONN)
    }

    /// What `poll` reports now (Linux's `udp_poll`), reading ahead first.
    pub fn ready(&mut self) -> Ready {
        if self.rx.is_empty() && self.so_error.is_none() {
            self.read_ahead();
        }
        let output = match self.host.streams.as_ref() {
            // An unbound socket is writable (sending binds it), as is one not yet streaming.
            None => true,
            Some(s) => host::check_send(&s.outgoing).is_ok_and(|n| n > 0),
        };
        Ready {
            input: !self.rx.is_empty() || self.rd_shut,
            output,
            hup: self.rd_shut && self.wr_shut,
            err: self.so_error.is_some(),
            rdhup: self.rd_shut,
        }
    }

    /// The pollables `poll` waits on for this socket.
    pub fn pollables<'a>(&'a self, want_out: bool, out: &mut Vec<&'a Pollable>) {
        if let Some(s) = &self.host.streams {
            if !self.rd_shut {
                out.push(&s.in_ready);
            }
            if want_out {
                out.push(&s.out_ready);
            }
        }
    }
}

/// Linux refuses to send to (or connect to) the IPv4 broadcast address without `SO_BROADCAST`.
fn check_broadcast(target: &SocketAddr, broadcast: bool) -> Result<()> {
    match target.ip() {
        IpAddr::V4(ip) if ip.is_broadcast() && !broadcast => Err(Errno::EACCES),
        _ => Ok(()),
    }
}
