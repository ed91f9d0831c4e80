//! One host socket of a UDP socket, and its life cycle: binding (and taking a port back after a
//! reconnect), the streams opened once per host socket, replacing the host socket when it must
//! stream again, and reading what the host has received into the socket's queue.
//!
//! A socket has one endpoint of its own family; a dual-stack IPv6 socket may have a second,
//! IPv4 one (see `dual.rs`). An endpoint's host socket is its own, or shared with other sockets
//! of the program bound to the same address with `SO_REUSEADDR` (see `shared.rs`).

use super::shared::Member;
use super::{Datagram, Opts, Queue, REBIND_RETRY_NS, REBIND_WAIT_NS, RECV_BATCH};
use crate::addr::{self, Family};
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::bindings::wasi::sockets::udp::{
    IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use crate::bindings::wasi::sockets::udp_create_socket::create_udp_socket;
use crate::errno::{Errno, Result};
use crate::global::Global;
use crate::wait::{self, finish, host};
use crate::wasi;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::SocketAddr;

/// A pair of host streams and their pollables (pollables first: they are the streams' children).
pub(super) struct Streams {
    pub(super) in_ready: Pollable,
    pub(super) out_ready: Pollable,
    pub(super) incoming: IncomingDatagramStream,
    pub(super) outgoing: OutgoingDatagramStream,
}

/// A host socket of the socket's own, its streams (dropped first) and whether it has streamed
/// once already.
pub(super) struct Host {
    streams: Option<Streams>,
    pub(super) sock: UdpSocket,
    streamed: bool,
    /// Where `sock` was bound, as `bind` asked (port resolved): where a replacement binds.
    at: Option<SocketAddr>,
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Some(at) = self.at {
            released(at);
        }
    }
}

impl Host {
    fn new(family: Family) -> Result<Host> {
        Ok(Host {
            streams: None,
            sock: create_udp_socket(family.into()).map_err(Errno::from)?,
            streamed: false,
            at: None,
        })
    }
}

/// How an endpoint reaches its host socket.
enum Link {
    /// The socket's own host socket, connected at the host when the socket is.
    Own(Host),
    /// A host socket shared with other sockets of the program (`SO_REUSEADDR`), never connected
    /// at the host: the peer is matched in the guest.
    Shared(Box<Member>),
}

/// One host socket of a UDP socket.
pub(super) struct Endpoint {
    link: Link,
    /// The host socket's family.
    family: Family,
    /// Datagrams arriving here are shown IPv4-mapped (an IPv4 endpoint of an IPv6 socket).
    map: bool,
}

impl Endpoint {
    /// A new, unbound host socket of `family` with the options `opts` (`map`: it serves an
    /// IPv6 socket over IPv4).
    pub(super) fn new(family: Family, map: bool, opts: &Opts) -> Result<Endpoint> {
        let e = Endpoint {
            link: Link::Own(Host::new(family)?),
            family,
            map,
        };
        e.apply_opts(opts);
        Ok(e)
    }

    /// An endpoint sharing `member`'s host socket.
    pub(super) fn shared(member: Member, family: Family, map: bool) -> Endpoint {
        Endpoint {
            link: Link::Shared(Box::new(member)),
            family,
            map,
        }
    }

    /// Whether the host socket is shared with other sockets.
    pub(super) fn member(&self) -> Option<&Member> {
        match &self.link {
            Link::Own(_) => None,
            Link::Shared(m) => Some(m),
        }
    }

    /// Run `f` on the host socket (for options).
    pub(super) fn with_sock<R>(&self, f: impl FnOnce(&UdpSocket) -> R) -> R {
        match &self.link {
            Link::Own(h) => f(&h.sock),
            Link::Shared(m) => m.with_sock(f),
        }
    }

    /// Bind the host socket (`start-bind` + `finish-bind`): the address it got (ephemeral port
    /// resolved), in the host socket's family.
    pub(super) fn bind(&mut self, a: SocketAddr) -> Result<SocketAddr> {
        let Link::Own(h) = &mut self.link else {
            return Err(Errno::EINVAL);
        };
        let port = host_bind(&h.sock, a, false)?;
        let mut at = a;
        at.set_port(port);
        h.at = Some(at);
        Ok(local_of(&h.sock).unwrap_or(at))
    }

    /// The host socket's own address (a connected one's is the source the route chose).
    pub(super) fn local(&self) -> Option<SocketAddr> {
        match &self.link {
            Link::Own(h) => local_of(&h.sock),
            Link::Shared(m) => Some(m.local()),
        }
    }

    /// Stop receiving here (the socket connects or disconnects): the streams go (what they had
    /// received should be drained first). A shared host socket keeps streaming for the others.
    pub(super) fn stop(&mut self) {
        match &mut self.link {
            Link::Own(h) => h.streams = None,
            Link::Shared(m) => m.stop(),
        }
    }

    /// Whether this endpoint's host socket has streamed (a reconnect needs a fresh one).
    pub(super) fn streamed(&self) -> bool {
        matches!(&self.link, Link::Own(h) if h.streamed)
    }

    /// Whether streams are open (an unopened endpoint is writable: sending opens them).
    pub(super) fn streaming(&self) -> bool {
        match &self.link {
            Link::Own(h) => h.streams.is_some(),
            Link::Shared(_) => true,
        }
    }

    /// Replace an own host socket by a fresh one with the same options, bound where this one
    /// is (if it is): its streams and pollables go first, then the socket. A shared one stays.
    /// On failure the fresh host socket is unbound (and the caller forgets the port).
    pub(super) fn renew(&mut self, opts: &Opts) -> Result<()> {
        let Link::Own(h) = &mut self.link else {
            return Ok(());
        };
        let at = h.at;
        h.streams = None;
        *h = Host::new(self.family)?;
        self.apply_opts(opts);
        let Link::Own(h) = &mut self.link else {
            return Ok(());
        };
        if let Some(at) = at {
            // The port went to another socket meanwhile (say one bound to 127.0.0.1:port
            // while this one had the wildcard): the fresh host socket stays unbound (the
            // caller forgets the port rather than keep reporting it while datagrams leave
            // from another: found by tests/fuzz) and reports the error.
            host_bind(&h.sock, at, true)?;
            h.at = Some(at);
        }
        Ok(())
    }

    /// Apply the socket's host options to this host socket.
    pub(super) fn apply_opts(&self, opts: &Opts) {
        let map = self.map;
        self.with_sock(|s| apply_opts(s, opts, map));
    }

    /// Whether the host socket is bound (a replacement that could not take the port back is
    /// not).
    pub(super) fn is_bound(&self) -> bool {
        match &self.link {
            Link::Own(h) => h.at.is_some(),
            Link::Shared(_) => true,
        }
    }

    /// Open the streams (to `peer`, host form, or unconnected) if they are not: an own host
    /// socket that has streamed before is replaced first. The socket must be bound. A shared
    /// endpoint notes its peer (matched in the guest).
    pub(super) fn open(&mut self, peer: Option<SocketAddr>, opts: &Opts) -> Result<()> {
        match &mut self.link {
            Link::Shared(m) => {
                m.set_peer(peer);
                Ok(())
            }
            Link::Own(h) if h.streams.is_some() => Ok(()),
            Link::Own(h) => {
                if h.streamed {
                    self.renew(opts)?;
                }
                let Link::Own(h) = &mut self.link else {
                    return Ok(());
                };
                let remote = peer.map(wasi::to_wasi);
                let (incoming, outgoing) = h.sock.stream(remote).map_err(Errno::from)?;
                h.streamed = true;
                h.streams = Some(Streams {
                    in_ready: incoming.subscribe(),
                    out_ready: outgoing.subscribe(),
                    incoming,
                    outgoing,
                });
                Ok(())
            }
        }
    }

    /// Take what the host has received, without waiting, into `rx` (and, for a shared host
    /// socket, into the other sockets' queues). `Ok(true)` if anything arrived for `rx`.
    pub(super) fn pull(
        &mut self,
        peer: Option<SocketAddr>,
        opts: &Opts,
        rx: &Queue,
    ) -> Result<bool> {
        self.open(peer, opts)?;
        let map = self.map;
        match &mut self.link {
            Link::Shared(m) => m.pull(),
            Link::Own(h) => {
                let s = h.streams.as_ref().expect("opened");
                let got = host::receive(&s.incoming, RECV_BATCH).map_err(Errno::from)?;
                let any = !got.is_empty();
                rx.borrow_mut().extend(got.into_iter().map(|d| {
                    let from = wasi::from_wasi(d.remote_address);
                    Datagram {
                        data: d.data,
                        from: if map { addr::mapped(from) } else { from },
                    }
                }));
                Ok(any)
            }
        }
    }

    /// The pollable that fires when a datagram may be waiting (streams open).
    pub(super) fn in_ready(&self) -> Option<&Pollable> {
        match &self.link {
            Link::Own(h) => h.streams.as_ref().map(|s| &s.in_ready),
            Link::Shared(m) => Some(m.in_ready()),
        }
    }

    /// The pollable that fires when the host may take a datagram (streams open).
    pub(super) fn out_ready(&self) -> Option<&Pollable> {
        match &self.link {
            Link::Own(h) => h.streams.as_ref().map(|s| &s.out_ready),
            Link::Shared(m) => Some(m.out_ready()),
        }
    }

    /// `check-send` (streams open): how many datagrams the host takes now.
    pub(super) fn check_send(&self) -> Result<u64> {
        match &self.link {
            Link::Own(h) => match &h.streams {
                Some(s) => host::check_send(&s.outgoing).map_err(Errno::from),
                None => Ok(0),
            },
            Link::Shared(m) => m.check_send(),
        }
    }

    /// Send datagrams, no more than a `check-send` permitted: how many the host took (an
    /// error only when it took none).
    pub(super) fn send(&self, d: &[OutgoingDatagram<'_>]) -> Result<usize> {
        match &self.link {
            Link::Own(h) => match &h.streams {
                Some(s) => s.outgoing.send(d).map(|n| n as usize).map_err(Errno::from),
                None => Ok(0),
            },
            Link::Shared(m) => m.send(d),
        }
    }
}

/// Apply the socket's host options to host socket `s`. Best effort: the values were accepted by
/// a socket of the same family before. `map`: `s` is an IPv6 socket's IPv4 one, whose hop limit
/// is `IP_TTL`'s.
pub(super) fn apply_opts(s: &UdpSocket, opts: &Opts, map: bool) {
    let hops = if map {
        opts.v4_ttl_on_v6.map(|t| t as u8)
    } else {
        opts.hops
    };
    if let Some(v) = opts.rcvbuf {
        let _ = s.set_receive_buffer_size(v);
    }
    if let Some(v) = opts.sndbuf {
        let _ = s.set_send_buffer_size(v);
    }
    if let Some(v) = hops {
        let _ = s.set_unicast_hop_limit(v);
    }
}

/// The host socket's own address, if it is bound.
fn local_of(s: &UdpSocket) -> Option<SocketAddr> {
    s.local_address().ok().map(wasi::from_wasi)
}

/// Bind a host socket (`start-bind` + `finish-bind`): the port it got. `retry_in_use`: the
/// address may still be held by a previous host socket, about to be released; try again for a
/// while. An address a host socket of the program held until lately (see [`released`]) is
/// tried again for a moment too.
pub(super) fn host_bind(sock: &UdpSocket, a: SocketAddr, retry_in_use: bool) -> Result<u16> {
    let deadline = if retry_in_use {
        Some(wait::now().saturating_add(REBIND_WAIT_NS))
    } else {
        lately_released(a)
    };
    loop {
        let r = wasi::with_network(|net| sock.start_bind(net, wasi::to_wasi(a)))
            .and_then(|()| finish(&sock.subscribe(), || sock.finish_bind()));
        match r {
            Ok(()) => break,
            Err(ErrorCode::AddressInUse) if deadline.is_some_and(|d| wait::now() < d) => {
                wait::sleep(REBIND_RETRY_NS);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(local_of(sock).map_or(a.port(), |l| l.port()))
}

/// How long a port a dropped host socket held may still be taken: wasmtime lets a dropped UDP
/// socket's port go only once its event loop has run (its background receive holds the
/// socket), so a `bind` right after a `close` could find the port taken where Linux, which frees
/// it at `close`, binds (measured: 32 of 500 close-and-rebind rounds failed with EADDRINUSE). A
/// bind to such a port tries again, sleeping (which lets the host's loop run), for this long at
/// most.
const RELEASE_WAIT_NS: u64 = 200_000_000;

/// The most addresses [`RELEASED`] remembers (the oldest go first).
const RELEASED_MAX: usize = 64;

/// The addresses host sockets of the program held until lately, and when they were dropped.
static RELEASED: Global<Vec<(SocketAddr, u64)>> = Global::new("udp::RELEASED", Vec::new());

/// A host socket bound to `at` is being dropped.
pub(super) fn released(at: SocketAddr) {
    let now = wait::now();
    RELEASED.with(|r| {
        r.retain(|&(a, t)| a != at && now.saturating_sub(t) < RELEASE_WAIT_NS);
        if r.len() >= RELEASED_MAX {
            r.remove(0);
        }
        r.push((at, now));
    });
}

/// Until when a bind to `a` should try again: a host socket dropped lately held an address
/// that overlaps it (same family and port; the same address, or either the unspecified one).
fn lately_released(a: SocketAddr) -> Option<u64> {
    RELEASED.with(|r| {
        r.iter()
            .filter(|(at, _)| {
                at.is_ipv4() == a.is_ipv4()
                    && at.port() == a.port()
                    && (at.ip() == a.ip() || at.ip().is_unspecified() || a.ip().is_unspecified())
            })
            .map(|&(_, t)| t.saturating_add(RELEASE_WAIT_NS))
            .max()
    })
}

/// A fresh host socket of `family`, unbound (for the shared host sockets).
pub(super) fn create(family: Family) -> Result<UdpSocket> {
    create_udp_socket(family.into()).map_err(Errno::from)
}
