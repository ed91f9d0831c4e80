//! The connect protocol: Linux's answers to `connect` in every state (blocking and not), a
//! pending connect's outcome collected without waiting, and starting over after a failure (a
//! WASI socket cannot connect twice; a Linux one can).

use super::{Conn, State, Tcp};
use crate::addr::{self, Family};
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::errno::{Errno, Result};
use crate::wait::{Wait, host};
use crate::wasi;
use core::net::SocketAddr;

impl Tcp {
    /// A failed connect leaves the host socket unusable. Before reusing the socket the way Linux
    /// allows (bind, listen or connect again), swap in a fresh host socket, bound where the old
    /// one was bound by `bind`.
    pub(super) fn renew_if_failed(&mut self) -> Result<()> {
        if !matches!(self.state, State::Failed { .. }) {
            return Ok(());
        }
        if !self.host_replaced {
            self.replace_host()?;
        }
        self.host_replaced = false;
        self.state = State::Fresh;
        if let Some(addr) = self.bound.take() {
            self.bind(addr)?;
        }
        Ok(())
    }

    /// `connect(2)`, with Linux's answers for every state (see `State`).
    pub fn connect(&mut self, addr: SocketAddr, wait: Wait) -> Result<()> {
        match &mut self.state {
            State::Connected { acknowledged, conn } => {
                if *acknowledged {
                    return Err(Errno::EISCONN);
                }
                if conn.reset {
                    // Reset before connect() reported the connection (say, the listener closed
                    // with it still queued): Linux reports the error (ECONNABORTED once a recv
                    // took it) and the socket may connect again. It used to say 0 here, a
                    // connection that did not exist (found by tests/fuzz).
                    self.state = State::Failed { acknowledged: true };
                    return Err(self.so_error.take().unwrap_or(Errno::ECONNABORTED));
                }
                *acknowledged = true;
                return Ok(());
            }
            State::Listening { .. } => return Err(Errno::EISCONN),
            State::Connecting => {
                if !wait.may_block() && !self.collect_connect() {
                    return Err(Errno::EALREADY);
                }
                return self.complete_connect(wait);
            }
            State::Failed {
                acknowledged: false,
            } => {
                self.state = State::Failed { acknowledged: true };
                return Err(self.so_error.take().unwrap_or(Errno::ECONNABORTED));
            }
            State::Failed { .. } => self.renew_if_failed()?,
            State::Fresh | State::Bound => {}
        }
        self.start_connect(addr)?;
        if !wait.may_block() {
            // Hosts may drive a pending connect only while the guest asks about it (wasmtime
            // polls its connect future from finish-connect and the socket's pollable). Ask once
            // now so the SYN leaves at connect() time, as on Linux, even if the program then
            // blocks elsewhere (say, in accept() on its own listener). Linux answers EINPROGRESS
            // even when the handshake is already done; so does this.
            if self.collect_connect()
                && matches!(self.state, State::Failed { .. })
                && matches!(
                    self.so_error,
                    Some(Errno::EADDRNOTAVAIL | Errno::EADDRINUSE | Errno::EACCES)
                )
            {
                // Linux finds these in connect() itself, before any packet (no free local port,
                // the 4-tuple still in use, ...), and returns them from it; reported later they
                // surfaced from recv/send, calls Linux never fails so (found by tests/fuzz).
                self.state = State::Failed { acknowledged: true };
                return Err(self.so_error.take().unwrap_or(Errno::EADDRNOTAVAIL));
            }
            return Err(Errno::EINPROGRESS);
        }
        self.complete_connect(wait)
    }

    pub(super) fn start_connect(&mut self, addr: SocketAddr) -> Result<()> {
        if Family::of(&addr) != self.family {
            return Err(Errno::EAFNOSUPPORT);
        }
        let target = if addr.ip().is_unspecified() && self.host_v4 {
            // Linux: `::` means this host, over IPv4 from a socket bound to an IPv4 address.
            addr::connect_target(addr::mapped(SocketAddr::new(
                core::net::Ipv4Addr::UNSPECIFIED.into(),
                addr.port(),
            )))
        } else {
            addr::connect_target(addr)
        };
        if addr::is_non_unicast(&addr::host_form(target).ip()) {
            // Linux's route lookup refuses multicast and broadcast destinations for TCP.
            return Err(Errno::ENETUNREACH);
        }
        // The host socket for the destination's family (a dual-stack socket reaches IPv4).
        let target = self.route(target)?;
        if target.port() == 0 {
            // Linux sends the SYN and gets a reset; WASI refuses port 0 up front. Report it the
            // way Linux does: as a refused connection, asynchronously for a non-blocking socket.
            self.state = State::Failed {
                acknowledged: false,
            };
            self.so_error = Some(Errno::ECONNREFUSED);
            return Ok(());
        }
        let host = &self.host;
        wasi::with_network(|net| host.sock.start_connect(net, wasi::to_wasi(target)))
            .map_err(Errno::from)?;
        self.so_error = None;
        self.state = State::Connecting;
        Ok(())
    }

    /// Wait (as `wait` allows) for a started connect and report it like Linux's blocking connect:
    /// 0 once established, the error once failed. A timeout is EINPROGRESS (`SO_SNDTIMEO`).
    pub(super) fn complete_connect(&mut self, wait: Wait) -> Result<()> {
        loop {
            match &mut self.state {
                State::Connected { acknowledged, .. } => {
                    *acknowledged = true;
                    return Ok(());
                }
                State::Failed { acknowledged } => {
                    *acknowledged = true;
                    return Err(self.so_error.take().unwrap_or(Errno::ECONNABORTED));
                }
                State::Connecting => {
                    if !self.collect_connect() {
                        wait.on(&self.host.pollable)
                            .map_err(|_| Errno::EINPROGRESS)?;
                    }
                }
                _ => return Err(Errno::EINVAL),
            }
        }
    }

    /// If a connect is pending, ask the host once (without waiting) whether it has finished, and
    /// record the outcome. Returns whether the state left `Connecting`.
    pub(super) fn collect_connect(&mut self) -> bool {
        if !matches!(self.state, State::Connecting) {
            return false;
        }
        match host::finish_connect(&self.host.sock) {
            Err(ErrorCode::WouldBlock) => false,
            Ok((input, output)) => {
                let conn = Conn::new(input, output);
                self.state = State::Connected {
                    conn,
                    acknowledged: false,
                };
                true
            }
            Err(e) => {
                self.state = State::Failed {
                    acknowledged: false,
                };
                self.so_error = Some(e.into());
                true
            }
        }
    }

    /// Wait (as `wait` allows) until no connect is pending.
    pub(super) fn settle_connect(&mut self, wait: Wait) -> Result<()> {
        while matches!(self.state, State::Connecting) && !self.collect_connect() {
            wait.on(&self.host.pollable)?;
        }
        Ok(())
    }

    /// `connect` with `AF_UNSPEC`: drop any connection, pending connect or listener and leave an
    /// unconnected socket, still bound where `bind` put it, as Linux's `tcp_disconnect` does.
    pub fn disconnect(&mut self) -> Result<()> {
        if matches!(self.state, State::Fresh | State::Bound) {
            return Ok(());
        }
        // Dropping the state first releases the streams before the host socket is replaced.
        self.state = State::Failed { acknowledged: true };
        self.so_error = None;
        self.renew_if_failed()
    }
}
