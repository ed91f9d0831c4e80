//! The connect protocol: Linux's answers to `connect` in every state (blocking and not), a
//! pending connect's outcome collected without waiting, and starting over after a failure (a
//! WASI socket cannot connect twice; a Linux one can).

use super::{Conn, State, Tcp};
use crate::addr::{self, Family};
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
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
        self.disconnecting = false;
        // The port still held (see `release_port`) goes to the new host socket.
        let host_bound = core::mem::take(&mut self.host_bound);
        if let Some(addr) = self.bound.take() {
            if host_bound {
                self.bound = Some(addr);
                self.state = State::Bound;
            } else {
                self.bind(addr)?;
            }
        }
        Ok(())
    }

    /// The socket went to TCP_CLOSE (a connect failed, a connection or listener was dropped):
    /// Linux gives its port back unless `bind` named it (no `SOCK_BINDPORT_LOCK`), though
    /// getsockname still shows it; `bind` works again (found by tests/fuzz/diff.c).
    pub(super) fn release_port(&mut self) {
        if !self.port_locked || self.autobound {
            if let Some(b) = self.bound.take() {
                self.stale = Some(b);
            }
            self.autobound = false;
        }
    }

    /// After a failed connect: a port `bind` named stays the socket's (Linux's
    /// `SOCK_BINDPORT_LOCK`), but a WASI socket cannot connect twice, so the next attempt needs
    /// a new host socket. Bind it now, while the port is surely this socket's, rather than at
    /// that attempt, when another socket may have taken the port (listening on it, as Linux
    /// lets it beside this one: it said EADDRINUSE, found by tests/fuzz/diff.c).
    fn hold_port(&mut self) {
        let Some(addr) = self.bound else {
            return; // (given back: see `release_port`)
        };
        if self.host_replaced || self.replace_host().is_err() {
            return;
        }
        self.host_replaced = true;
        if let Ok(b) = self.bind_now(addr) {
            self.bound = Some(b);
            self.host_bound = true;
        }
    }

    /// `connect(2)`, with Linux's answers for every state (see `State`).
    pub fn connect(&mut self, addr: SocketAddr, wait: Wait) -> Result<()> {
        if let Some(r) = self.connect_by_state(wait) {
            return r;
        }
        self.renew_if_failed()?;
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

    /// The part of `connect(2)` that does not look at the address: Linux's
    /// `__inet_stream_connect` answers from the socket's state (connected, connecting,
    /// listening, a failure to report) before the protocol reads the address, so a bad address
    /// on such a socket gets the state's answer (found by tests/fuzz/diff.c). `None`: a new
    /// attempt, which the address decides.
    pub fn connect_by_state(&mut self, wait: Wait) -> Option<Result<()>> {
        if self.disconnecting {
            return Some(Err(Errno::EINVAL));
        }
        match &mut self.state {
            State::Connected { acknowledged, conn } => {
                if *acknowledged {
                    return Some(Err(Errno::EISCONN));
                }
                if conn.reset {
                    // Reset before connect() reported the connection (say, the listener closed
                    // with it still queued): Linux reports the error (ECONNABORTED once a recv
                    // took it) and the socket may connect again. It used to say 0 here, a
                    // connection that did not exist (found by tests/fuzz).
                    self.state = State::Failed { acknowledged: true };
                    self.shut = None;
                    // The connection's record goes with it: keep the socket's moving forward.
                    self.wake.any();
                    return Some(Err(self.so_error.take().unwrap_or(Errno::ECONNABORTED)));
                }
                *acknowledged = true;
                Some(Ok(()))
            }
            State::Listening => Some(Err(Errno::EISCONN)),
            State::Connecting => {
                if !wait.may_block() && !self.collect_connect() {
                    return Some(Err(Errno::EALREADY));
                }
                Some(self.complete_connect(wait))
            }
            State::Failed {
                acknowledged: false,
            } => {
                // Reported by connect, whose tcp_disconnect also clears the shutdown flags.
                self.state = State::Failed { acknowledged: true };
                self.shut = None;
                Some(Err(self.so_error.take().unwrap_or(Errno::ECONNABORTED)))
            }
            State::Failed { .. } | State::Fresh | State::Bound => None,
        }
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
            self.release_port();
            self.hold_port();
            self.wake.any();
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
                    self.shut = None;
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
                let mut conn = Conn::new(input, output);
                // A shutdown made before connecting holds for the connection (Linux keeps
                // sk_shutdown; no FIN goes out for it).
                conn.rd_shut = self.shut.is_some_and(Shutdown::reads);
                conn.wr_shut = self.shut.is_some_and(Shutdown::writes);
                self.state = State::Connected {
                    conn,
                    acknowledged: false,
                };
                // Established (tcp_finish_connect) or refused: Linux wakes every waiter.
                self.wake.any();
                true
            }
            Err(e) => {
                self.state = State::Failed {
                    acknowledged: false,
                };
                self.so_error = Some(e.into());
                self.release_port();
                self.hold_port();
                self.wake.any();
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
        // tcp_disconnect: the shutdown flags go; an established connection is reset and a
        // pending connect abandoned, each leaving ECONNRESET as the socket's error; the pending
        // error of a closed socket or a listener stays (it was cleared: found by
        // tests/fuzz/diff.c).
        self.shut = None;
        self.disconnecting = false;
        if let State::Connected { .. } = self.state
            && self.bound.is_none()
        {
            // The port connect() bound goes back, but getsockname still shows it (with the
            // wildcard address: tcp_disconnect forgets a source address bind did not name).
            let mut a = self.local_addr();
            a.set_ip(self.family.unspecified().ip());
            self.bound = Some(a);
            self.port_locked = false;
        }
        match &self.state {
            State::Fresh | State::Bound => return Ok(()),
            State::Connected { conn, .. } if !conn.reset => self.so_error = Some(Errno::ECONNRESET),
            State::Connecting => self.so_error = Some(Errno::ECONNRESET),
            _ => {}
        }
        if matches!(
            self.state,
            State::Connected { .. } | State::Connecting | State::Listening
        ) {
            self.release_port();
        }
        // Dropping the state first releases the streams before the host socket is replaced
        // (and connections a listener took ahead go, as Linux resets its queued ones).
        self.backlog.clear();
        self.state = State::Failed { acknowledged: true };
        self.wake.any();
        self.renew_if_failed()
    }
}
