//! TCP sockets: Linux's socket states recreated over `wasi:sockets/tcp`.
//!
//! Linux keeps two states per TCP socket: the socket layer's (`SS_UNCONNECTED`, `SS_CONNECTING`,
//! `SS_CONNECTED`) and the protocol's (`TCP_CLOSE`, `TCP_SYN_SENT`, `TCP_ESTABLISHED`, ...),
//! plus a pending asynchronous error (`sk_err`). What `connect`, `send`, `recv` and `poll` return
//! depends on all three (`__inet_stream_connect`, `sk_stream_wait_connect`, `tcp_recvmsg`,
//! `tcp_poll`). `State` folds the combinations a program can observe into one enum (each
//! variant names its Linux pair) and `Tcp::so_error` is `sk_err`.
//!
//! Resource order matters to the host: a socket must outlive its streams and pollables, or the
//! guest traps. Struct fields drop in declaration order, so every struct here lists children
//! before parents.

mod conn;

pub use conn::Ready;

use crate::addr::{self, Family};
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::bindings::wasi::sockets::tcp::{ShutdownType, TcpSocket};
use crate::bindings::wasi::sockets::tcp_create_socket::create_tcp_socket;
use crate::errno::{Errno, Result};
use crate::wait::{self, Wait, finish, host};
use crate::wasi;
use alloc::vec::Vec;
use conn::Conn;
use core::net::SocketAddr;

/// Linux's `SOMAXCONN` default (`net.core.somaxconn`): the backlog a negative value asks for.
const SOMAXCONN: u64 = 4096;

/// `how` values of `shutdown` in wasi-libc (`SHUT_RD` = 1, `SHUT_WR` = 2, `SHUT_RDWR` = 3).
pub const SHUT_RD: i32 = 1;
/// See [`SHUT_RD`].
pub const SHUT_WR: i32 = 2;
/// See [`SHUT_RD`].
pub const SHUT_RDWR: i32 = 3;

/// The options `getsockopt`/`setsockopt` pass to the host (see [`crate::sockopt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostOpt {
    /// `SO_KEEPALIVE`.
    KeepAlive,
    /// `SO_RCVBUF`.
    RcvBuf,
    /// `SO_SNDBUF`.
    SndBuf,
    /// `TCP_KEEPIDLE` (seconds).
    KeepIdle,
    /// `TCP_KEEPINTVL` (seconds).
    KeepIntvl,
    /// `TCP_KEEPCNT`.
    KeepCnt,
    /// `IP_TTL`.
    Ttl,
    /// `IPV6_UNICAST_HOPS`.
    UnicastHops,
}

/// Linux's limits for the keep-alive options (`MAX_TCP_KEEPIDLE`, `MAX_TCP_KEEPINTVL`,
/// `MAX_TCP_KEEPCNT`) and the default hop limit (`net.ipv4.ip_default_ttl`).
const MAX_TCP_KEEPIDLE: i32 = 32767;
const MAX_TCP_KEEPCNT: i32 = 127;
const DEFAULT_TTL: i32 = 64;
const NS_PER_SEC: u64 = 1_000_000_000;

/// The host socket and its pollable, replaced together when a failed connect must start over
/// (a WASI socket cannot connect twice; a Linux one can).
struct Host {
    pollable: Pollable,
    sock: TcpSocket,
}

impl Host {
    fn new(family: Family) -> Result<Host> {
        let sock = create_tcp_socket(family.into()).map_err(Errno::from)?;
        Ok(Host::from(sock))
    }
}

impl From<TcpSocket> for Host {
    fn from(sock: TcpSocket) -> Host {
        Host {
            pollable: sock.subscribe(),
            sock,
        }
    }
}

/// What a program can observe of a TCP socket.
enum State {
    /// Never connected, not bound by `bind` (Linux `SS_UNCONNECTED` + `TCP_CLOSE`, no port).
    Fresh,
    /// Bound by `bind` (`SS_UNCONNECTED` + `TCP_CLOSE`, with a port).
    Bound,
    /// Listening; `shut` once `shutdown(SHUT_RD)` stopped it (Linux then fails `accept` with EINVAL).
    Listening { shut: bool },
    /// A connect has started and its outcome is not yet known (`SS_CONNECTING` + `TCP_SYN_SENT`).
    Connecting,
    /// Established (`TCP_ESTABLISHED` and later). `acknowledged` is false after a non-blocking
    /// connect until a `connect` call reports it (Linux `SS_CONNECTING` until then: that call
    /// returns 0, later ones EISCONN).
    Connected { conn: Conn, acknowledged: bool },
    /// A connect failed (`TCP_CLOSE`, shut down both ways). `acknowledged`: a `connect` call has
    /// reported the failure (`SS_UNCONNECTED`), so the next `connect` starts a new attempt.
    Failed { acknowledged: bool },
}

/// A TCP socket.
pub struct Tcp {
    // Drop order: `state` holds the streams and their pollables, children of `host`.
    state: State,
    host: Host,
    family: Family,
    /// Linux's `sk_err`: an asynchronous error not yet reported. `SO_ERROR`, `send`, `recv` and
    /// `connect` each report it once and clear it.
    so_error: Option<Errno>,
    /// The bound address (ephemeral port resolved), kept for `getsockname` and to bind a
    /// replacement host socket to the same address after a failed connect.
    bound: Option<SocketAddr>,
    /// Scratch space to coalesce small `writev` pieces into one host write.
    scratch: Vec<u8>,
    /// `IP_TTL` on an IPv6 socket: Linux keeps it for IPv4-mapped traffic, which a WASI IPv6
    /// socket never carries; stored and reported, no effect.
    v4_ttl_on_v6: i32,
    /// Host options set by the program, applied again to a replacement host socket (Linux's
    /// socket keeps its options across a failed connect).
    host_opts: Vec<(HostOpt, i32)>,
    /// After a failed connect, `host` was already replaced (for an option call) and is unused.
    host_replaced: bool,
}

impl Tcp {
    /// A new unbound socket of `family`.
    pub fn new(family: Family) -> Result<Tcp> {
        Ok(Tcp::with_host(Host::new(family)?, State::Fresh, family))
    }

    fn with_host(host: Host, state: State, family: Family) -> Tcp {
        Tcp {
            state,
            host,
            family,
            so_error: None,
            bound: None,
            scratch: Vec::new(),
            v4_ttl_on_v6: DEFAULT_TTL,
            host_opts: Vec::new(),
            host_replaced: false,
        }
    }

    /// The socket's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Whether the socket is listening (`SO_ACCEPTCONN`).
    pub fn is_listening(&self) -> bool {
        matches!(self.state, State::Listening { .. })
    }

    /// `SO_ERROR`: the pending error, cleared by reading it (after collecting a finished connect).
    pub fn take_error(&mut self) -> Option<Errno> {
        self.collect_connect();
        self.so_error.take()
    }

    /// A failed connect leaves the host socket unusable. Before reusing the socket the way Linux
    /// allows (bind, listen or connect again), swap in a fresh host socket, bound where the old
    /// one was bound by `bind`.
    fn renew_if_failed(&mut self) -> Result<()> {
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

    /// A fresh host socket with the options the program set (Linux's socket keeps them).
    fn replace_host(&mut self) -> Result<()> {
        self.host = Host::new(self.family)?;
        for &(o, v) in &self.host_opts {
            // Accepted once by a socket of the same family, so accepted again.
            let _ = apply_host_opt(&self.host.sock, self.family, o, v);
        }
        Ok(())
    }

    /// The host socket for an option call: after a failed connect the old one answers only
    /// errors, so a fresh one takes its place (the socket's state stays as it is).
    fn option_host(&mut self) -> Result<&TcpSocket> {
        if matches!(self.state, State::Failed { .. }) && !self.host_replaced {
            self.replace_host()?;
            self.host_replaced = true;
        }
        Ok(&self.host.sock)
    }

    /// `bind(2)`.
    pub fn bind(&mut self, addr: SocketAddr) -> Result<()> {
        if matches!(self.state, State::Failed { acknowledged: true }) && self.bound.is_none() {
            self.renew_if_failed()?;
        }
        if !matches!(self.state, State::Fresh) {
            // Linux: already bound, listening, connecting or connected -> EINVAL, but only after
            // the address itself passed its checks (`__inet_bind` checks the address first).
            return Err(probe_bindable(self.family, addr)
                .err()
                .unwrap_or(Errno::EINVAL));
        }
        let host = &self.host;
        wasi::with_network(|net| host.sock.start_bind(net, wasi::to_wasi(addr)))
            .map_err(Errno::from)?;
        finish(&host.pollable, || host.sock.finish_bind()).map_err(Errno::from)?;
        self.bound = Some(host.sock.local_address().map_or(addr, wasi::from_wasi));
        self.state = State::Bound;
        Ok(())
    }

    /// `listen(2)`. An unbound socket is first bound to an ephemeral port, as on Linux.
    pub fn listen(&mut self, backlog: i32) -> Result<()> {
        let backlog = match backlog {
            b if b < 0 => SOMAXCONN,
            0 => 1, // Linux still accepts one connection with a backlog of 0; WASI rejects 0.
            b => b as u64,
        };
        match self.state {
            State::Listening { .. } => {
                // Linux lets listen() change the backlog; a host that cannot is not an error.
                let _ = self.host.sock.set_listen_backlog_size(backlog);
                return Ok(());
            }
            State::Failed { acknowledged: true } => self.renew_if_failed()?,
            State::Fresh | State::Bound => {}
            _ => return Err(Errno::EINVAL),
        }
        if matches!(self.state, State::Fresh) {
            self.bind(self.family.unspecified())?;
        }
        let host = &self.host;
        // Best effort before listening: hosts clamp the value like Linux does.
        let _ = host.sock.set_listen_backlog_size(backlog);
        let r = host.sock.start_listen().map_err(Errno::from);
        if let Err(e) = r.and_then(|()| {
            finish(&host.pollable, || host.sock.finish_listen()).map_err(Errno::from)
        }) {
            self.recover_failed_listen();
            return Err(e);
        }
        self.state = State::Listening { shut: false };
        Ok(())
    }

    /// Linux leaves a socket whose listen failed (say EADDRINUSE) bound and usable: options,
    /// listen again later. A wasmtime socket is dead after a failed listen (every later call
    /// failed, getsockopt with EIO: found by tests/fuzz), so take a fresh host socket, bound to
    /// the same address again (hosts reuse addresses); if that fails, the socket is unbound.
    fn recover_failed_listen(&mut self) {
        if self.replace_host().is_err() {
            return;
        }
        let Some(addr) = self.bound else { return };
        let host = &self.host;
        let rebound = wasi::with_network(|net| host.sock.start_bind(net, wasi::to_wasi(addr)))
            .and_then(|()| finish(&host.pollable, || host.sock.finish_bind()));
        if rebound.is_err() {
            self.bound = None;
            self.state = State::Fresh;
        }
    }

    /// `accept(2)`: the new connection and its peer's address.
    pub fn accept(&mut self, wait: Wait) -> Result<(Tcp, SocketAddr)> {
        if !matches!(self.state, State::Listening { shut: false }) {
            return Err(Errno::EINVAL);
        }
        loop {
            match host::accept(&self.host.sock) {
                Ok((sock, input, output)) => {
                    let host = Host::from(sock);
                    let conn = Conn::new(input, output);
                    let peer = host
                        .sock
                        .remote_address()
                        .map_or(self.family.unspecified(), wasi::from_wasi);
                    let state = State::Connected {
                        conn,
                        acknowledged: true,
                    };
                    return Ok((Tcp::with_host(host, state, self.family), peer));
                }
                Err(ErrorCode::WouldBlock) if wait::recheck(wait) => {}
                Err(ErrorCode::WouldBlock) => wait.on(&self.host.pollable)?,
                Err(e) => return Err(e.into()),
            }
        }
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

    fn start_connect(&mut self, addr: SocketAddr) -> Result<()> {
        if Family::of(&addr) != self.family {
            return Err(Errno::EAFNOSUPPORT);
        }
        let target = addr::connect_target(addr);
        if addr::is_non_unicast(&target.ip()) {
            // Linux's route lookup refuses multicast and broadcast destinations for TCP.
            return Err(Errno::ENETUNREACH);
        }
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
    fn complete_connect(&mut self, wait: Wait) -> Result<()> {
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
    fn collect_connect(&mut self) -> bool {
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
    fn settle_connect(&mut self, wait: Wait) -> Result<()> {
        while matches!(self.state, State::Connecting) && !self.collect_connect() {
            wait.on(&self.host.pollable)?;
        }
        Ok(())
    }

    /// `send(2)` / `writev(2)`: with a blocking `wait`, everything (or up to the deadline);
    /// otherwise what the host takes now. Never more per write than `check-write` grants.
    pub fn send(&mut self, bufs: &[&[u8]], wait: Wait) -> Result<usize> {
        self.settle_connect(wait)?;
        // Linux reports a pending error first (and clears it), then EPIPE if not connected.
        if let Some(e) = self.so_error.take() {
            return Err(e);
        }
        let State::Connected { conn, .. } = &mut self.state else {
            return Err(Errno::EPIPE);
        };
        let total = bufs.iter().map(|b| b.len()).sum::<usize>();
        if total == 0 {
            return if conn.wr_shut || conn.reset {
                Err(Errno::EPIPE)
            } else {
                Ok(0)
            };
        }
        let mut scratch = core::mem::take(&mut self.scratch);
        let r = conn.send(bufs, total, wait, &mut scratch);
        scratch.clear();
        self.scratch = scratch;
        r
    }

    /// `recv(2)` / `readv(2)`: at least one byte, as much as is ready and fits, or 0 at end of
    /// stream.
    pub fn recv(&mut self, bufs: &mut [&mut [u8]], wait: Wait) -> Result<usize> {
        self.settle_connect(wait)?;
        match &mut self.state {
            State::Connected { conn, .. } => conn.recv(bufs, wait, &mut self.so_error),
            // Linux: a socket whose connect failed reads its error once, then end of stream
            // (SOCK_DONE); one that never connected is ENOTCONN.
            State::Failed { .. } => self.so_error.take().map_or(Ok(0), Err),
            _ => Err(self.so_error.take().unwrap_or(Errno::ENOTCONN)),
        }
    }

    /// `recv` with `MSG_PEEK` and/or `MSG_WAITALL` (see `Conn::recv_flags`).
    pub fn recv_flags(
        &mut self,
        bufs: &mut [&mut [u8]],
        wait: Wait,
        peek: bool,
        waitall: bool,
    ) -> Result<usize> {
        self.settle_connect(wait)?;
        match &mut self.state {
            State::Connected { conn, .. } => {
                conn.recv_flags(bufs, wait, &mut self.so_error, peek, waitall)
            }
            _ => self.recv(bufs, wait),
        }
    }

    /// `FIONREAD`: bytes readable now. Linux answers EINVAL on a listening socket.
    pub fn readable_now(&mut self) -> Result<usize> {
        self.collect_connect();
        match &mut self.state {
            State::Connected { conn, .. } => Ok(conn.readable_now(&mut self.so_error)),
            State::Listening { .. } => Err(Errno::EINVAL),
            _ => Ok(0),
        }
    }

    /// `shutdown(2)`; `how` already validated by the caller.
    pub fn shutdown(&mut self, how: i32) -> Result<()> {
        match &mut self.state {
            State::Connected { conn, .. } => {
                let kind = match how {
                    SHUT_RD => ShutdownType::Receive,
                    SHUT_WR => ShutdownType::Send,
                    _ => ShutdownType::Both,
                };
                if conn.reset {
                    // Linux: the connection is already closed (TCP_CLOSE) -> ENOTCONN.
                    return Err(Errno::ENOTCONN);
                }
                // Writes already accepted by the host are delivered before the FIN (the host
                // schedules the shutdown after them), so nothing needs flushing here.
                self.host.sock.shutdown(kind).map_err(Errno::from)?;
                conn.rd_shut |= how & SHUT_RD != 0;
                conn.wr_shut |= how & SHUT_WR != 0;
                Ok(())
            }
            State::Listening { shut } => {
                // Linux stops listening on SHUT_RD (accept then fails with EINVAL); SHUT_WR is
                // a no-op. The host keeps its listener; nothing more is accepted from it.
                if how & SHUT_RD != 0 {
                    *shut = true;
                }
                Ok(())
            }
            State::Connecting => {
                // Linux abandons the attempt and returns 0.
                self.state = State::Failed { acknowledged: true };
                Ok(())
            }
            _ => Err(Errno::ENOTCONN),
        }
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

    /// `getsockname(2)`.
    pub fn local_addr(&mut self) -> SocketAddr {
        // Linux binds the port when connect() starts, so getsockname shows it at once (a peer
        // that accepted can be matched by it). The host reports the address only once connected:
        // so first ask (without waiting) whether a pending connect has finished.
        self.collect_connect();
        match &self.state {
            // Asked of the host when wanted (most connections never are).
            State::Connected { .. } => self
                .host
                .sock
                .local_address()
                .map_or(self.family.unspecified(), wasi::from_wasi),
            _ => self.bound.unwrap_or_else(|| self.family.unspecified()),
        }
    }

    /// `getpeername(2)`.
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        match &self.state {
            State::Connected { conn, .. } if !conn.reset => self
                .host
                .sock
                .remote_address()
                .map(wasi::from_wasi)
                .map_err(|_| Errno::ENOTCONN),
            _ => Err(Errno::ENOTCONN),
        }
    }

    /// Read a host-backed option, in Linux's units.
    pub fn host_opt(&mut self, o: HostOpt) -> Result<i32> {
        let family = self.family;
        match (o, family) {
            (HostOpt::Ttl, Family::V6) => return Ok(self.v4_ttl_on_v6),
            (HostOpt::UnicastHops, Family::V4) => return Err(Errno::EOPNOTSUPP),
            _ => {}
        }
        let s = self.option_host()?;
        let secs = |ns: u64| i32::try_from(ns / NS_PER_SEC).unwrap_or(i32::MAX);
        // wasmtime on Linux halves buffer sizes to undo the kernel's doubling; Linux reports the
        // doubled value, so double it back.
        let buf = |v: u64| i32::try_from(v.saturating_mul(2)).unwrap_or(i32::MAX);
        let v = match o {
            HostOpt::KeepAlive => s.keep_alive_enabled().map(i32::from),
            HostOpt::RcvBuf => s.receive_buffer_size().map(buf),
            HostOpt::SndBuf => s.send_buffer_size().map(buf),
            HostOpt::KeepIdle => s.keep_alive_idle_time().map(secs),
            HostOpt::KeepIntvl => s.keep_alive_interval().map(secs),
            HostOpt::KeepCnt => s.keep_alive_count().map(|c| c as i32),
            HostOpt::Ttl | HostOpt::UnicastHops => s.hop_limit().map(i32::from),
        };
        v.map_err(Errno::from)
    }

    /// Set a host-backed option, with Linux's range checks first; remembered for a replacement
    /// host socket.
    pub fn set_host_opt(&mut self, o: HostOpt, v: i32) -> Result<()> {
        match (o, self.family) {
            (HostOpt::Ttl, Family::V6) => {
                self.v4_ttl_on_v6 = i32::from(hops(v)?);
                return Ok(());
            }
            (HostOpt::UnicastHops, Family::V4) => return Err(Errno::EOPNOTSUPP),
            _ => {}
        }
        let family = self.family;
        apply_host_opt(self.option_host()?, family, o, v)?;
        self.host_opts.retain(|(k, _)| *k != o);
        self.host_opts.push((o, v));
        Ok(())
    }

    /// Whether the host is still writing data this socket was given.
    ///
    /// `patient`: a first "no permit" is asked again after a yield to the host (as at `close`,
    /// which decides whether the socket must linger); reaping asks once.
    pub fn write_in_flight(&mut self, patient: bool) -> bool {
        match &mut self.state {
            State::Connected { conn, .. } => conn.write_in_flight(patient),
            _ => false,
        }
    }

    /// What `poll` reports now (Linux's `tcp_poll`), collecting a finished connect and reading
    /// ahead on a connection first.
    pub fn ready(&mut self, want_out: bool) -> Ready {
        self.collect_connect();
        let err = self.so_error.is_some();
        match &mut self.state {
            State::Connected { conn, .. } => conn.ready(&mut self.so_error, want_out),
            State::Listening { .. } => Ready {
                input: host::ready(&self.host.pollable),
                ..Ready::default()
            },
            State::Connecting => Ready {
                err,
                ..Ready::default()
            },
            // Never connected: TCP_CLOSE with nothing shut down -> writable and hung up.
            State::Fresh | State::Bound => Ready {
                output: true,
                hup: true,
                err,
                ..Ready::default()
            },
            // A failed connect shut everything down (tcp_done): readable, writable, hung up.
            State::Failed { .. } => Ready {
                input: true,
                output: true,
                hup: true,
                err,
            },
        }
    }

    /// The pollables `poll` waits on for this socket.
    pub fn pollables<'a>(&'a self, want_out: bool, out: &mut Vec<&'a Pollable>) {
        match &self.state {
            State::Connected { conn, .. } => conn.pollables(want_out, out),
            State::Listening { shut: false } | State::Connecting => out.push(&self.host.pollable),
            _ => {}
        }
    }
}

/// A hop limit in Linux's terms: -1 restores the default; otherwise 1..=255.
fn hops(v: i32) -> Result<u8> {
    match v {
        -1 => Ok(DEFAULT_TTL as u8),
        v if (1..=255).contains(&v) => Ok(v as u8),
        _ => Err(Errno::EINVAL),
    }
}

/// Pass a host-backed option to `s`, with Linux's range checks first.
fn apply_host_opt(s: &TcpSocket, family: Family, o: HostOpt, v: i32) -> Result<()> {
    let secs = |v: i32| {
        if (1..=MAX_TCP_KEEPIDLE).contains(&v) {
            Ok(v as u64 * NS_PER_SEC)
        } else {
            Err(Errno::EINVAL)
        }
    };
    // Linux clamps buffer sizes rather than refusing them; WASI refuses 0.
    let buf = |v: i32| if v <= 0 { 1 } else { v as u64 };
    let r = match (o, family) {
        (HostOpt::KeepAlive, _) => s.set_keep_alive_enabled(v != 0),
        (HostOpt::RcvBuf, _) => s.set_receive_buffer_size(buf(v)),
        (HostOpt::SndBuf, _) => s.set_send_buffer_size(buf(v)),
        (HostOpt::KeepIdle, _) => s.set_keep_alive_idle_time(secs(v)?),
        (HostOpt::KeepIntvl, _) => s.set_keep_alive_interval(secs(v)?),
        (HostOpt::KeepCnt, _) => {
            if !(1..=MAX_TCP_KEEPCNT).contains(&v) {
                return Err(Errno::EINVAL);
            }
            s.set_keep_alive_count(v as u32)
        }
        (HostOpt::Ttl | HostOpt::UnicastHops, _) => s.set_hop_limit(hops(v)?),
    };
    r.map_err(Errno::from)
}

/// Whether the host would let a new socket bind `addr`'s IP (on an ephemeral port): the address
/// checks Linux makes before it looks at the socket's own state.
fn probe_bindable(family: Family, addr: SocketAddr) -> Result<()> {
    let mut probe = Tcp::new(family)?;
    let mut any_port = addr;
    any_port.set_port(0);
    match probe.bind(any_port) {
        Err(e @ (Errno::EADDRNOTAVAIL | Errno::EAFNOSUPPORT)) => Err(e),
        _ => Ok(()),
    }
}

/// A closed connection whose write is still in flight (see [`crate::wait::linger`]).
impl wait::linger::Lingering for Tcp {
    fn pollable(&self) -> Option<&Pollable> {
        match &self.state {
            State::Connected { conn, .. } => Some(conn.out_pollable()),
            _ => None,
        }
    }

    fn write_in_flight(&mut self) -> bool {
        Tcp::write_in_flight(self, false)
    }
}
