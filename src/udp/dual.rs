//! Dual-stack IPv6 sockets (`IPV6_V6ONLY` off, Linux's default) over WASI's IPv6-only ones.
//!
//! A WASI IPv6 socket never carries IPv4. The IPv4 side of a dual-stack socket is an IPv4 host
//! socket (`Udp::v4`), made only when IPv4 is asked for:
//! - **bound to `::`**: at `bind`, bound to `0.0.0.0` on the same port (the port the host
//!   picks for the IPv6 socket may be taken in IPv4: then, as Linux picks a port free in both
//!   families, another one is tried; the ports tried are held until one fits). The socket
//!   receives on both.
//! - **bound to `::ffff:a.b.c.d`**: the IPv4 host socket, bound to `a.b.c.d`, is the only one.
//! - **sending or connecting to `::ffff:a.b.c.d`** (or an `AF_INET` address) from a socket
//!   that `bind` did not give one (an implicit bind binds IPv6 only): made then, on the same
//!   port if it is free in IPv4, else on another (a rare case, where IPv4 peers see a different
//!   source port from the one `getsockname` shows).
//!
//! Datagrams arriving over IPv4 show their sender IPv4-mapped. Linux's rules for who may reach
//! what are kept: a v6-only socket, or one bound to an IPv6 address, does not reach IPv4
//! (`ENETUNREACH`); one bound to an IPv4-mapped address, or connected over IPv4 without
//! binding an address, does not reach IPv6 (`EAFNOSUPPORT`).

use super::endpoint::Endpoint;
use super::{Side, Udp};
use crate::addr::{self, Family};
use crate::errno::{Errno, Result};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddr};

/// How many ports a bind to `[::]:0` tries before it gives up finding one free in both families.
const PORT_TRIES: usize = 16;

impl Udp {
    /// `bind` on an IPv6 socket: the port bound.
    pub(super) fn bind_v6(&mut self, a: SocketAddr) -> Result<u16> {
        if let Some(v4) = addr::unmapped(a) {
            // Linux's __inet6_bind: a v6-only socket cannot take an IPv4 address.
            if self.v6only {
                return Err(Errno::EINVAL);
            }
            return Ok(self.bind_side(Side::V4, SocketAddr::V4(v4))?.port());
        }
        if self.v6only || !a.ip().is_unspecified() {
            return Ok(self.bind_side(Side::Main, a)?.port());
        }
        let mut tried = Vec::new();
        loop {
            let port = self.bind_side(Side::Main, a)?.port();
            let any4 = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port);
            match self.bind_side(Side::V4, any4) {
                Ok(_) => return Ok(port),
                Err(e) => {
                    // The IPv6 host socket holds the port: give the socket a fresh one.
                    let fresh = Endpoint::new(Family::V6, false, &self.opts)?;
                    let held = core::mem::replace(&mut self.main, fresh);
                    if e == Errno::EADDRINUSE && a.port() == 0 && tried.len() < PORT_TRIES {
                        tried.push(held);
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// Linux's rules for whether this socket reaches `target` (program form), and the side
    /// that carries it.
    pub(super) fn route(&self, target: SocketAddr) -> Result<Side> {
        if self.family == Family::V4 {
            return Ok(Side::Main);
        }
        let locked = self.bound.filter(|b| b.addr_locked);
        if addr::is_mapped(&target) {
            // A v6-only socket, or one bound to an IPv6 address, has no IPv4 source.
            if self.v6only || (locked.is_some() && !self.bound_v4()) {
                return Err(Errno::ENETUNREACH);
            }
            return Ok(Side::V4);
        }
        // Bound to an IPv4 address, or connected over IPv4 with none bound (Linux then gives
        // the socket the route's IPv4 source address): no IPv6.
        let over_v4 = match locked {
            Some(_) => self.bound_v4(),
            None => self.peer.is_some_and(|p| addr::is_mapped(&p)),
        };
        if over_v4 {
            return Err(Errno::EAFNOSUPPORT);
        }
        Ok(Side::Main)
    }

    /// The IPv4 host socket for a socket that has none yet (bound implicitly, to `::`): on the
    /// socket's port if it is free in IPv4, else on another.
    pub(super) fn ensure_v4(&mut self) -> Result<()> {
        if self.v4.is_some() {
            return Ok(());
        }
        let port = self.bound.map_or(0, |b| b.port);
        let mut ep = Endpoint::new(Family::V4, true, &self.opts)?;
        match ep.bind(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)) {
            Ok(_) => {}
            Err(Errno::EADDRINUSE) if port != 0 => {
                ep = Endpoint::new(Family::V4, true, &self.opts)?;
                ep.bind(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0))?;
            }
            Err(e) => return Err(e),
        }
        self.v4 = Some(Box::new(ep));
        Ok(())
    }

    /// A destination as Linux reads it: the unspecified address means this host (over IPv4
    /// for a socket bound to an IPv4-mapped address).
    pub(super) fn target(&self, a: SocketAddr) -> SocketAddr {
        if a.ip().is_unspecified() && self.bound_v4() {
            let any4 = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), a.port());
            return addr::connect_target(addr::mapped(any4));
        }
        addr::connect_target(a)
    }
}
