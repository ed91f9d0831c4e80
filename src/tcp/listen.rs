//! Listening: `listen` (binding first, as Linux, and recovering from a failed one) and `accept`,
//! from one host socket or, for a dual-stack listener on `[::]`, from two in turn.

use super::conn::Conn;
use super::{Host, SOMAXCONN, State, Tcp};
use crate::addr::{self, Family};
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
use crate::wait::{self, Wait, finish, host};
use crate::wasi;
use core::net::SocketAddr;

/// How many connections in a row a dual-stack listener takes from one of its host sockets
/// before it asks the other first.
const ACCEPT_STREAK: u8 = 16;

impl Tcp {
    /// `listen(2)`. An unbound socket is first bound to an ephemeral port, as on Linux.
    pub fn listen(&mut self, backlog: i32) -> Result<()> {
        let backlog = match backlog {
            b if b < 0 => SOMAXCONN,
            0 => 1, // Linux still accepts one connection with a backlog of 0; WASI rejects 0.
            b => b as u64,
        };
        match self.state {
            State::Listening => {
                // Linux lets listen() change the backlog; a host that cannot is not an error.
                let _ = self.host.sock.set_listen_backlog_size(backlog);
                if let Some(v4) = &self.v4 {
                    let _ = v4.sock.set_listen_backlog_size(backlog);
                }
                return Ok(());
            }
            State::Failed { acknowledged: true } => self.renew_if_failed()?,
            State::Fresh | State::Bound => {}
            _ => return Err(Errno::EINVAL),
        }
        if matches!(self.state, State::Fresh) {
            // On the address an earlier bind named, if it was given back with its port.
            let mut at = self.family.unspecified();
            if let Some(old) = self.stale {
                at.set_ip(old.ip());
            }
            self.bind(at)?;
            self.autobound = true;
        }
        // The IPv4 host socket of a dual-stack socket listens too.
        let r = listen_host(&self.host, backlog)
            .and_then(|()| self.v4.as_ref().map_or(Ok(()), |h| listen_host(h, backlog)));
        if let Err(e) = r {
            self.recover_failed_listen();
            return Err(e);
        }
        self.state = State::Listening;
        Ok(())
    }

    /// Linux leaves a socket whose listen failed (say EADDRINUSE) bound and usable: options,
    /// listen again later. A wasmtime socket is dead after a failed listen (every later call
    /// failed, getsockopt with EIO: found by tests/fuzz), so take a fresh host socket, bound to
    /// the same address again (hosts reuse addresses); if that fails, the socket is unbound.
    fn recover_failed_listen(&mut self) {
        let addr = self.bound.take();
        self.state = State::Fresh;
        if self.replace_host().is_err() {
            return;
        }
        if let Some(addr) = addr {
            let _ = self.bind(addr);
        }
    }

    /// `accept(2)`: the new connection and its peer's address (first the ones an
    /// edge-triggered look took ahead, see `Tcp::ready`).
    pub fn accept(&mut self, wait: Wait) -> Result<(Tcp, SocketAddr)> {
        if !matches!(self.state, State::Listening) {
            return Err(Errno::EINVAL);
        }
        if let Some(c) = self.backlog.pop_front() {
            return Ok(c);
        }
        loop {
            if let Some(c) = self.host_accept()? {
                return Ok(c);
            }
            if wait::recheck(wait) {
                continue;
            }
            match &self.v4 {
                Some(v4) => wait.on_any(&[&self.host.pollable, &v4.pollable])?,
                None => wait.on(&self.host.pollable)?,
            }
        }
    }

    /// One connection from the host's accept queues, if one is there.
    pub(super) fn host_accept(&mut self) -> Result<Option<(Tcp, SocketAddr)>> {
        // A dual-stack listener has two host sockets. The one that gave the last connection
        // is asked first (an `accept` that finds nothing is not cheap: a loop of connect,
        // accept, one byte and close took 13% longer, about 18 us, when the other was
        // asked first every time); after `ACCEPT_STREAK` connections in a row from it the
        // other goes first once, so neither family starves the other.
        let other_first = self.accept_streak >= ACCEPT_STREAK;
        let order = match &self.v4 {
            Some(v4) if self.v4_first != other_first => {
                [Some((v4, true)), Some((&self.host, self.host_v4))]
            }
            Some(v4) => [Some((&self.host, self.host_v4)), Some((v4, true))],
            None => [Some((&self.host, self.host_v4)), None],
        };
        for (listener, is_v4) in order.into_iter().flatten() {
            match host::accept(&listener.sock) {
                Ok((sock, input, output)) => {
                    let host = Host::from(sock);
                    let mut conn = Conn::new(input, output);
                    // The connection inherits the listener's shutdown flags (Linux clones
                    // sk_shutdown; a shutdown made before listen stays): found by
                    // tests/fuzz/diff.c.
                    conn.rd_shut = self.shut.is_some_and(Shutdown::reads);
                    conn.wr_shut = self.shut.is_some_and(Shutdown::writes);
                    let mut peer = host
                        .sock
                        .remote_address()
                        .map_or(self.family.unspecified(), wasi::from_wasi);
                    let state = State::Connected {
                        conn,
                        acknowledged: true,
                    };
                    let mut tcp = Tcp::with_host(host, state, self.family);
                    tcp.v6only = self.v6only;
                    // Linux clones the listener's IP_TTL into the connection (found by
                    // tests/fuzz/diff.c); the host's own options are the host's to copy.
                    tcp.v4_ttl_on_v6 = self.v4_ttl_on_v6;
                    if is_v4 && self.family == Family::V6 {
                        tcp.host_v4 = true;
                        peer = addr::mapped(peer);
                    }
                    if is_v4 == self.v4_first && !other_first {
                        self.accept_streak = self.accept_streak.saturating_add(1);
                    } else {
                        self.v4_first = is_v4;
                        self.accept_streak = 0;
                    }
                    return Ok(Some((tcp, peer)));
                }
                Err(ErrorCode::WouldBlock) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }
}

/// Make `host` listen (`start-listen` + `finish-listen`).
fn listen_host(host: &Host, backlog: u64) -> Result<()> {
    // Best effort before listening: hosts clamp the value like Linux does.
    let _ = host.sock.set_listen_backlog_size(backlog);
    host.sock.start_listen().map_err(Errno::from)?;
    finish(&host.pollable, || host.sock.finish_listen()).map_err(Errno::from)
}
