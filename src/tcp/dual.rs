//! Dual-stack IPv6 sockets (`IPV6_V6ONLY` off, Linux's default) over WASI's IPv6-only ones.
//!
//! A WASI IPv6 socket never carries IPv4. Linux's dual-stack socket is recreated with IPv4 host
//! sockets, created only when IPv4 is asked for:
//! - **bound to `::`**: an IPv4 host socket bound to `0.0.0.0` on the same port (`Tcp::v4`),
//!   which listens beside the IPv6 one; `accept` takes from either. The port the host picks
//!   for the IPv6 socket may be taken in IPv4: then, as Linux picks a port free in both
//!   families, another one is tried (the ports tried are held until one fits, so the host does
//!   not offer them again).
//! - **bound to `::ffff:a.b.c.d`**: the socket's host socket is an IPv4 one bound to `a.b.c.d`.
//! - **connecting to `::ffff:a.b.c.d`**: an IPv4 host socket connects (the one bound to `::`'s
//!   port, if the socket has it).
//!
//! An IPv6 socket whose host socket is IPv4 (`Tcp::host_v4`) shows its addresses IPv4-mapped,
//! as Linux does. A socket bound to `::1` (or any other IPv6 address) stays IPv6-only, as on
//! Linux.

use super::{Host, State, Tcp, bind_host};
use crate::addr::{self, Family};
use crate::errno::{Errno, Result};
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddr};

/// How many ports a bind to `[::]:0` tries before it gives up finding one free in both families.
const PORT_TRIES: usize = 16;

impl Tcp {
    /// `IPV6_V6ONLY`.
    pub fn v6only(&self) -> bool {
        self.v6only
    }

    /// Set `IPV6_V6ONLY`: `EINVAL` once the socket has a port (bound, listening, connecting or
    /// connected), as Linux.
    pub fn set_v6only(&mut self, on: bool) -> Result<()> {
        let has_port = self.bound.is_some()
            || matches!(
                self.state,
                State::Listening | State::Connecting | State::Connected { .. }
            );
        if has_port {
            return Err(Errno::EINVAL);
        }
        self.v6only = on;
        Ok(())
    }

    /// An address of the host socket as the program sees it: IPv4-mapped when an IPv4 host
    /// socket serves this IPv6 socket.
    pub(super) fn shown(&self, a: SocketAddr) -> SocketAddr {
        if self.host_v4 && self.family == Family::V6 {
            addr::mapped(a)
        } else {
            a
        }
    }

    /// `bind` on an IPv6 socket: the address it is bound to, as the program sees it.
    pub(super) fn bind_v6(&mut self, a: SocketAddr) -> Result<SocketAddr> {
        if let Some(v4) = addr::unmapped(a) {
            // Linux's __inet6_bind: a v6-only socket cannot take an IPv4 address.
            if self.v6only {
                return Err(Errno::EINVAL);
            }
            let host = self.fresh_host(Family::V4)?;
            let local = bind_host(&host, SocketAddr::V4(v4))?;
            self.host = host;
            self.host_v4 = true;
            return Ok(addr::mapped(local));
        }
        if self.v6only || !a.ip().is_unspecified() {
            return bind_host(&self.host, a);
        }
        let mut tried = Vec::new();
        loop {
            let local = bind_host(&self.host, a)?;
            let v4 = self.fresh_host(Family::V4)?;
            let any4 = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), local.port());
            match bind_host(&v4, any4) {
                Ok(_) => {
                    self.v4 = Some(v4);
                    return Ok(local);
                }
                Err(e) => {
                    // The IPv6 host socket holds the port: give the socket a fresh one.
                    let fresh = self.fresh_host(Family::V6)?;
                    let held = core::mem::replace(&mut self.host, fresh);
                    if e == Errno::EADDRINUSE && a.port() == 0 && tried.len() < PORT_TRIES {
                        tried.push(held);
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// Before a connect on an IPv6 socket to `target` (Linux's `tcp_v6_connect`): make the host
    /// socket one of the destination's family, and give the destination in that family.
    pub(super) fn route(&mut self, target: SocketAddr) -> Result<SocketAddr> {
        if self.family != Family::V6 {
            return Ok(target);
        }
        let Some(v4) = addr::unmapped(target) else {
            if self.host_v4 {
                // Bound to an IPv4-mapped address: Linux cannot route IPv6 from it.
                return Err(Errno::EAFNOSUPPORT);
            }
            // Connected over IPv6: the IPv4 side of a socket bound to `::` is not needed.
            self.v4 = None;
            return Ok(target);
        };
        if self.v6only {
            return Err(Errno::ENETUNREACH);
        }
        if !self.host_v4 {
            self.host = match (self.bound, self.v4.take()) {
                // Bound to `::`: the IPv4 host socket holding the same port connects.
                (Some(b), Some(v4)) if b.ip().is_unspecified() => v4,
                // Bound to an IPv6 address: no IPv4 source (Linux: no route).
                (Some(_), _) => return Err(Errno::ENETUNREACH),
                (None, _) => self.fresh_host(Family::V4)?,
            };
            self.host_v4 = true;
        }
        Ok(SocketAddr::V4(v4))
    }

    /// A new host socket of `family` with the options the program set (an IPv4 one serving an
    /// IPv6 socket takes `IP_TTL`, an IPv6 one `IPV6_UNICAST_HOPS`).
    pub(super) fn fresh_host(&self, family: Family) -> Result<Host> {
        let host = Host::new(family)?;
        let serves_v6 = family == Family::V4 && self.family == Family::V6;
        for &(o, v) in &self.host_opts {
            if serves_v6 && o == super::HostOpt::UnicastHops {
                continue;
            }
            // Accepted once by a socket of the same family, so accepted again.
            let _ = super::options::apply_host_opt(&host.sock, family, o, v);
        }
        if serves_v6 && self.v4_ttl_on_v6 != crate::inet::DEFAULT_TTL {
            let _ = host.sock.set_hop_limit(self.v4_ttl_on_v6 as u8);
        }
        Ok(host)
    }
}
