//! Binding and connecting: `bind` (and the implicit bind Linux makes on a first send or
//! connect), `connect`, and `connect(AF_UNSPEC)`, with Linux's bind locks deciding what a
//! disconnect gives back. Connecting moves the socket to a fresh host socket when it streamed
//! before (see the module documentation of `udp`), so this is where host sockets are replaced.

use super::endpoint::{self, Endpoint};
use super::send::check_broadcast;
use super::{Bound, Side, Udp, shared};
use crate::addr::{self, Family};
use crate::errno::{Errno, Result};
use crate::inet::probe_bindable;
use alloc::boxed::Box;
use core::net::SocketAddr;

impl Udp {
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
    pub(super) fn bind_side(&mut self, side: Side, a: SocketAddr) -> Result<SocketAddr> {
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
        let was_bound = self.bound.is_some();
        self.autobind()?;
        if side == Side::V4 {
            self.ensure_v4()?;
        }
        if was_bound {
            self.open_to_drain();
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

    /// Before a bound socket connects: a host socket that never streamed may hold datagrams
    /// in its host queue, which wasmtime's connected stream would not deliver (Linux keeps
    /// them): open it unconnected, so that `drain` takes them. (Found by tests/fuzz/diff.c: a
    /// datagram sent to a bound socket before its first connect was lost.)
    fn open_to_drain(&mut self) {
        let opts = self.opts;
        for side in self.active() {
            if let Some(ep) = self.ep_mut(side)
                && ep.member().is_none()
                && ep.is_bound()
                && !ep.streamed()
            {
                let _ = ep.open(None, &opts);
            }
        }
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
}
