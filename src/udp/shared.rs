//! `SO_REUSEADDR` on UDP: sockets of the program bound to one address and port share one host
//! socket, and its datagrams are dispatched among them as Linux dispatches them.
//!
//! WASI cannot set the host's `SO_REUSEADDR`, so a second host socket cannot bind a port that
//! another holds. Linux lets two UDP sockets that both set it bind the same port (a DTLS server
//! binds a new socket to its listening port for the next client, after connecting the old one
//! to the current client: mbedtls's `mbedtls_net_accept`). Here a socket bound with
//! `SO_REUSEADDR` set takes its host socket from a [`Port`], which later sockets bound with it
//! to the same port (and the same address, or either of the two the unspecified one) join.
//!
//! The host's rule (opening a UDP socket's streams twice traps) is kept by opening the port's
//! streams once, unconnected, when the port is made, and never again: a member's `connect` is
//! kept in the guest (its peer is matched on every datagram, and its sends name the peer). Each
//! member subscribes its own pollables to the port's streams; they drop before the member's
//! reference to the port, and the port (streams, then socket) with its last member.
//!
//! Dispatch, as Linux's `__udp4_lib_lookup`/`__udp6_lib_lookup` score it (measured: the most
//! recently bound of equals wins): a member connected to the sender first; then a member bound
//! to a specific address over one bound to the unspecified one; then a socket of the port's
//! family over a dual-stack IPv6 socket's IPv4 side; then the most recently bound. A member
//! connected to someone else never gets it; a datagram nobody takes is dropped, as Linux drops
//! it. Each member has its own queue (its `MSG_PEEK`, `FIONREAD` and `poll` see only its own
//! datagrams); whoever reads the host socket delivers to all.

use super::endpoint::{self, host_bind};
use super::{Datagram, Queue, RECV_BATCH};
use crate::addr::{self, Family};
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::sockets::udp::{
    IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use crate::errno::{Errno, Result};
use crate::global::Global;
use crate::wait::{finish, host};
use crate::wasi;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;
use core::net::{IpAddr, SocketAddr};

/// The most a member's queue holds (payload bytes, plus `QUEUE_OVERHEAD` per datagram): Linux's
/// default receive buffer is of this order. Datagrams for a member whose queue is full are
/// dropped, as Linux drops them when a socket's buffer is full.
const QUEUE_MAX: usize = 256 * 1024;
/// What a queued datagram costs beyond its payload, for [`QUEUE_MAX`].
const QUEUE_OVERHEAD: usize = 256;
/// How many batches one look at the host socket reads at most, looking for the caller's own.
const PULL_BATCHES: usize = 8;

/// The ports made so far (dead ones are swept as they are found).
static PORTS: Global<Vec<Weak<RefCell<Port>>>> = Global::new("udp::shared::PORTS", Vec::new());

/// A host socket shared by sockets of the program.
pub(super) struct Port {
    // Drop order: the streams, then the socket (members' pollables are gone before: each
    // member holds a reference to the port).
    incoming: IncomingDatagramStream,
    outgoing: OutgoingDatagramStream,
    sock: UdpSocket,
    family: Family,
    /// Where the host socket is bound (its family, port resolved).
    at: SocketAddr,
    /// The members, oldest first.
    slots: Vec<Slot>,
    next_id: u64,
}

/// What a member takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// Any sender (unconnected).
    Any,
    /// Only this sender (connected; host form).
    From(SocketAddr),
    /// Nothing (the socket is connected over its other family).
    Nothing,
}

struct Slot {
    id: u64,
    takes: Takes,
    /// Bound to a specific address (Linux prefers it to the unspecified one).
    specific: bool,
    /// The member socket is of the port's family (Linux prefers it to a dual-stack IPv6
    /// socket's IPv4 side).
    native: bool,
    /// Show senders IPv4-mapped (a dual-stack IPv6 socket's IPv4 side).
    map: bool,
    rx: Queue,
}

/// A socket's share of a [`Port`].
pub(super) struct Member {
    // Drop order: the pollables (children of the port's streams), then the port.
    in_ready: Pollable,
    out_ready: Pollable,
    port: Rc<RefCell<Port>>,
    id: u64,
    /// The address the socket was bound to (host form, port resolved).
    at: SocketAddr,
    /// Its address while connected: the source the route chose.
    local: SocketAddr,
    /// The connected peer (host form), which sends name.
    peer: Option<SocketAddr>,
}

impl Member {
    /// Bind a socket with `SO_REUSEADDR` to `at` (host form): join the port bound there (or
    /// where either address is the unspecified one, same family and port), or make one.
    /// `native`: the socket is of `at`'s family; `map`: show senders IPv4-mapped. `prepare`
    /// applies the socket's options to a new host socket.
    pub(super) fn bind(
        at: SocketAddr,
        native: bool,
        map: bool,
        rx: &Queue,
        prepare: impl FnOnce(&UdpSocket),
    ) -> Result<Member> {
        let family = Family::of(&at);
        let port = match find(family, at) {
            Some(p) => p,
            None => {
                let sock = endpoint::create(family)?;
                prepare(&sock);
                let port = host_bind(&sock, at, false)?;
                let (incoming, outgoing) = sock.stream(None).map_err(Errno::from)?;
                let mut bound = at;
                bound.set_port(port);
                let p = Rc::new(RefCell::new(Port {
                    incoming,
                    outgoing,
                    sock,
                    family,
                    at: bound,
                    slots: Vec::new(),
                    next_id: 0,
                }));
                PORTS.with(|ports| {
                    ports.retain(|w| w.strong_count() > 0);
                    ports.push(Rc::downgrade(&p));
                });
                p
            }
        };
        let mut at = at;
        let (id, in_ready, out_ready) = {
            let mut p = port.borrow_mut();
            at.set_port(p.at.port());
            let id = p.next_id;
            p.next_id += 1;
            p.slots.push(Slot {
                id,
                takes: Takes::Any,
                specific: !at.ip().is_unspecified(),
                native,
                map,
                rx: Rc::clone(rx),
            });
            (id, p.incoming.subscribe(), p.outgoing.subscribe())
        };
        Ok(Member {
            in_ready,
            out_ready,
            port,
            id,
            at,
            local: at,
            peer: None,
        })
    }

    /// The socket's own address (while connected, the source the route chose).
    pub(super) fn local(&self) -> SocketAddr {
        self.local
    }

    /// The socket connects to `peer` (host form) or dissolves its association (`None`): from
    /// now on it takes only `peer`'s datagrams, or any. Linux gives a socket bound to the
    /// unspecified address the route's source address while it is connected.
    pub(super) fn set_peer(&mut self, peer: Option<SocketAddr>) {
        if peer == self.peer && self.takes() != Takes::Nothing {
            return;
        }
        self.peer = peer;
        self.local = match peer {
            Some(p) if self.at.ip().is_unspecified() => {
                let ip = route_source(p).unwrap_or(self.at.ip());
                SocketAddr::new(ip, self.at.port())
            }
            _ => self.at,
        };
        let takes = peer.map_or(Takes::Any, Takes::From);
        self.set_takes(takes);
    }

    /// The socket is connected over its other family: it takes nothing here.
    pub(super) fn stop(&mut self) {
        self.peer = None;
        self.set_takes(Takes::Nothing);
    }

    fn takes(&self) -> Takes {
        let p = self.port.borrow();
        p.slots
            .iter()
            .find(|s| s.id == self.id)
            .map_or(Takes::Nothing, |s| s.takes)
    }

    fn set_takes(&self, takes: Takes) {
        let mut p = self.port.borrow_mut();
        if let Some(s) = p.slots.iter_mut().find(|s| s.id == self.id) {
            s.takes = takes;
        }
    }

    /// Run `f` on the shared host socket (for options).
    pub(super) fn with_sock<R>(&self, f: impl FnOnce(&UdpSocket) -> R) -> R {
        f(&self.port.borrow().sock)
    }

    /// Read what the host socket has received and deliver it to the members' queues, without
    /// waiting. `Ok(true)` if anything arrived for this member.
    pub(super) fn pull(&self) -> Result<bool> {
        let mut p = self.port.borrow_mut();
        let mut mine = false;
        for _ in 0..PULL_BATCHES {
            let got = host::receive(&p.incoming, RECV_BATCH).map_err(Errno::from)?;
            if got.is_empty() {
                break;
            }
            for d in got {
                let from = wasi::from_wasi(d.remote_address);
                mine |= p.deliver(from, d.data) == Some(self.id);
            }
            if mine {
                break;
            }
        }
        Ok(mine)
    }

    /// The member's own pollable on the port's incoming stream.
    pub(super) fn in_ready(&self) -> &Pollable {
        &self.in_ready
    }

    /// The member's own pollable on the port's outgoing stream.
    pub(super) fn out_ready(&self) -> &Pollable {
        &self.out_ready
    }

    /// `check-send` on the shared stream.
    pub(super) fn check_send(&self) -> Result<u64> {
        host::check_send(&self.port.borrow().outgoing).map_err(Errno::from)
    }

    /// Send datagrams (each to its own address, or to the peer: the stream is unconnected),
    /// as [`super::endpoint::Endpoint::send`].
    pub(super) fn send(&self, d: &[OutgoingDatagram<'_>]) -> Result<usize> {
        let addressed: Vec<OutgoingDatagram<'_>>;
        let d = match self.peer {
            Some(peer) if d.iter().any(|d| d.remote_address.is_none()) => {
                addressed = d
                    .iter()
                    .map(|d| OutgoingDatagram {
                        data: d.data,
                        remote_address: d.remote_address.or(Some(wasi::to_wasi(peer))),
                    })
                    .collect();
                &addressed[..]
            }
            _ => d,
        };
        let p = self.port.borrow();
        p.outgoing.send(d).map(|n| n as usize).map_err(Errno::from)
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let id = self.id;
        self.port.borrow_mut().slots.retain(|s| s.id != id);
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        endpoint::released(self.at);
    }
}

impl Port {
    /// Deliver one datagram from `from` (host form) to the member Linux would choose: its id,
    /// or `None` when nobody takes it (or the chosen member's queue is full).
    fn deliver(&mut self, from: SocketAddr, data: Vec<u8>) -> Option<u64> {
        let mut best: Option<(&Slot, u32)> = None;
        // Newest first: of equal scores the most recently bound wins.
        for s in self.slots.iter().rev() {
            let mut score = match s.takes {
                Takes::Nothing => continue,
                Takes::From(p) if p != from => continue,
                Takes::From(_) => 8,
                Takes::Any => 0,
            };
            score += if s.specific { 4 } else { 0 };
            score += if s.native { 2 } else { 1 };
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((s, score));
            }
        }
        let (s, _) = best?;
        let mut q = s.rx.borrow_mut();
        let queued: usize = q.iter().map(|d| d.data.len() + QUEUE_OVERHEAD).sum();
        if queued + data.len() + QUEUE_OVERHEAD > QUEUE_MAX {
            return None;
        }
        let from = if s.map { addr::mapped(from) } else { from };
        q.push_back(Datagram { data, from });
        Some(s.id)
    }
}

/// The live port of `family` a bind to `at` joins: the same port, and the same address or
/// either of the two unspecified (WASI does not say which local address a datagram was sent
/// to, so a socket bound to 127.0.0.1 beside one bound to 0.0.0.0 also hears datagrams sent to
/// the machine's other addresses).
fn find(family: Family, at: SocketAddr) -> Option<Rc<RefCell<Port>>> {
    if at.port() == 0 {
        return None;
    }
    PORTS.with(|ports| {
        ports.retain(|w| w.strong_count() > 0);
        ports.iter().filter_map(Weak::upgrade).find(|p| {
            let p = p.borrow();
            p.family == family
                && p.at.port() == at.port()
                && (p.at.ip() == at.ip() || p.at.ip().is_unspecified() || at.ip().is_unspecified())
        })
    })
}

/// The source address the host's routing gives datagrams to `peer` (what Linux shows as a
/// connected socket's address): a throwaway host socket connected there says.
fn route_source(peer: SocketAddr) -> Option<IpAddr> {
    let family = Family::of(&peer);
    let sock = endpoint::create(family).ok()?;
    let any = family.unspecified();
    wasi::with_network(|net| sock.start_bind(net, wasi::to_wasi(any))).ok()?;
    finish(&sock.subscribe(), || sock.finish_bind()).ok()?;
    let streams = sock.stream(Some(wasi::to_wasi(peer))).ok()?;
    let ip = sock.local_address().ok().map(|a| wasi::from_wasi(a).ip());
    drop(streams);
    ip
}
