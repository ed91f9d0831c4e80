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

mod coalesce;
mod conn;
mod connect;
mod dual;
mod listen;
mod options;
mod ready;

pub use crate::inet::{HostOpt, Ready};

use crate::addr::Family;
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::sockets::tcp::{ShutdownType, TcpSocket};
use crate::bindings::wasi::sockets::tcp_create_socket::create_tcp_socket;
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
use crate::inet::{DEFAULT_TTL, probe_bindable};
use crate::wait::{Wait, finish};
use crate::wakeup::Wakeups;
use crate::wasi;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use conn::Conn;
use core::net::SocketAddr;

/// Linux's `SOMAXCONN` default (`net.core.somaxconn`): the backlog a negative value asks for.
const SOMAXCONN: u64 = 4096;

/// The most connections an edge-triggered look takes from the host's accept queue ahead of
/// `accept` (see [`Tcp::ready`]).
const ACCEPT_AHEAD: usize = 64;

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
    /// Listening.
    Listening,
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
    /// A listener's connections taken from the host ahead of `accept`, oldest first (each its
    /// own host socket), with their peers' addresses.
    backlog: VecDeque<(Tcp, SocketAddr)>,
    // Drop order: `state` holds the streams and their pollables, children of `host`.
    state: State,
    host: Host,
    /// A dual-stack IPv6 socket bound to the unspecified address: the IPv4 host socket holding
    /// the same port, listening beside `host` once the socket listens (WASI's IPv6 sockets are
    /// IPv6-only; see `dual.rs`).
    v4: Option<Host>,
    family: Family,
    /// `host` is an IPv4 socket serving this IPv6 socket (bound or connected to an IPv4-mapped
    /// address, or accepted through `v4`): its addresses are shown IPv4-mapped.
    host_v4: bool,
    /// `IPV6_V6ONLY` (Linux's default, `net.ipv6.bindv6only`, is off).
    v6only: bool,
    /// Which of a dual-stack listener's two host sockets `accept` asks first: the one that gave
    /// the last connection, `accept_streak` connections in a row (see `listen.rs`).
    v4_first: bool,
    accept_streak: u8,
    /// Linux's `sk_err`: an asynchronous error not yet reported. `SO_ERROR`, `send`, `recv` and
    /// `connect` each report it once and clear it.
    so_error: Option<Errno>,
    /// The bound address (ephemeral port resolved), kept for `getsockname` and to bind a
    /// replacement host socket to the same address after a failed connect.
    bound: Option<SocketAddr>,
    /// Scratch space to coalesce small `writev` pieces into one host write.
    scratch: Vec<u8>,
    /// Bytes `send` accepted and holds for the next host write (see `coalesce`).
    pending: Vec<u8>,
    /// `IP_TTL` on an IPv6 socket: Linux keeps it for IPv4-mapped traffic, which a WASI IPv6
    /// socket never carries; stored and reported, no effect.
    v4_ttl_on_v6: i32,
    /// Host options set by the program, applied again to a replacement host socket (Linux's
    /// socket keeps its options across a failed connect).
    host_opts: Vec<(HostOpt, i32)>,
    /// After a failed connect, `host` was already replaced (for an option call) and is unused.
    host_replaced: bool,
    /// Linux's `sk_shutdown` of a socket with no connection: Linux records a `shutdown` even
    /// then (answering ENOTCONN), and a connection made later keeps it (no FIN goes out for
    /// it). A connection's own flags are in `Conn`.
    shut: Option<Shutdown>,
    /// `listen` bound the port, not `bind`: Linux gives such a port back when the socket stops
    /// listening (no `SOCK_BINDPORT_LOCK`).
    autobound: bool,
    /// After a failed connect, the replacement `host` is already bound to `bound` (a `bind`
    /// after the failure).
    host_bound: bool,
    /// `bind` named the port (Linux's `SOCK_BINDPORT_LOCK`): only such a port is kept when the
    /// socket goes back to TCP_CLOSE (a failed connect, `connect(AF_UNSPEC)`, a listener shut
    /// down); any other is given back, and `bind` works again.
    port_locked: bool,
    /// What `getsockname` shows once the port was given back: Linux keeps the old source
    /// port (and the address `bind` named) in the socket.
    stale: Option<SocketAddr>,
    /// Linux's `SS_DISCONNECTING`: `shutdown` on a socket whose failed connect was not yet
    /// reported leaves it unable to connect or listen (EINVAL) until `connect(AF_UNSPEC)`.
    disconnecting: bool,
    /// The socket's own wake-ups (a connect's outcome, a shutdown, a connection taken ahead);
    /// a connection's are in its `Conn` (see [`Tcp::wakeups`]).
    wake: Wakeups,
}

impl Tcp {
    /// A new unbound socket of `family`.
    pub fn new(family: Family) -> Result<Tcp> {
        Ok(Tcp::with_host(Host::new(family)?, State::Fresh, family))
    }

    fn with_host(host: Host, state: State, family: Family) -> Tcp {
        Tcp {
            backlog: VecDeque::new(),
            state,
            host,
            v4: None,
            family,
            host_v4: false,
            v6only: false,
            v4_first: false,
            accept_streak: 0,
            so_error: None,
            bound: None,
            scratch: Vec::new(),
            pending: Vec::new(),
            v4_ttl_on_v6: DEFAULT_TTL,
            host_opts: Vec::new(),
            host_replaced: false,
            shut: None,
            autobound: false,
            host_bound: false,
            disconnecting: false,
            port_locked: false,
            stale: None,
            wake: Wakeups::default(),
        }
    }

    /// The socket's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Whether the socket is a connection (established, possibly shut down since).
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Connected { .. })
    }

    /// Whether the socket is listening (`SO_ACCEPTCONN`).
    pub fn is_listening(&self) -> bool {
        matches!(self.state, State::Listening)
    }

    /// `SO_ERROR`: the pending error, cleared by reading it (after collecting a finished connect).
    pub fn take_error(&mut self) -> Option<Errno> {
        self.collect_connect();
        self.so_error.take()
    }

    /// Set the pending error (`sk_err`), as `recvmmsg` leaves a later message's.
    pub fn set_error(&mut self, e: Errno) {
        self.so_error = Some(e);
    }

    /// `bind(2)`.
    pub fn bind(&mut self, addr: SocketAddr) -> Result<()> {
        if matches!(self.state, State::Failed { .. }) && self.bound.is_none() {
            if matches!(self.state, State::Failed { acknowledged: true }) && !self.disconnecting {
                self.renew_if_failed()?;
            } else {
                // Linux gave back the port of the failed attempt, so bind may name one; the
                // socket keeps its failure to report (SS_CONNECTING) or its SS_DISCONNECTING
                // (it said EINVAL: found by tests/fuzz/diff.c).
                if !self.host_replaced {
                    self.replace_host()?;
                    self.host_replaced = true;
                }
                self.bound = Some(self.bind_now(addr)?);
                self.host_bound = true;
                self.port_locked = addr.port() != 0;
                return Ok(());
            }
        }
        if !matches!(self.state, State::Fresh) {
            // Linux: already bound, listening, connecting or connected -> EINVAL, but only after
            // the address itself passed its checks (`__inet_bind` checks the address first).
            let family = self.family;
            return Err(probe_bindable(addr, |a| Tcp::new(family)?.bind(a))
                .err()
                .unwrap_or(Errno::EINVAL));
        }
        self.bound = Some(self.bind_now(addr)?);
        self.port_locked = addr.port() != 0;
        self.stale = None;
        self.state = State::Bound;
        Ok(())
    }

    /// Bind the host socket(s) (a dual-stack IPv6 socket may take an IPv4 one too); the
    /// address it got (ephemeral port resolved).
    fn bind_now(&mut self, addr: SocketAddr) -> Result<SocketAddr> {
        if self.family == Family::V6 {
            self.bind_v6(addr)
        } else {
            bind_host(&self.host, addr)
        }
    }

    /// `send(2)` / `writev(2)`: with a blocking `wait`, everything (or up to the deadline);
    /// otherwise what the host takes now. Never more per write than `check-write` grants.
    /// `hold`: a small send may wait in the guest for the next ones (see `coalesce`).
    pub fn send(&mut self, bufs: &[&[u8]], wait: Wait, hold: bool) -> Result<usize> {
        self.settle_connect(wait)?;
        // Linux reports a pending error first (and clears it), then EPIPE if not connected.
        if let Some(e) = self.so_error.take() {
            return Err(e);
        }
        let State::Connected { conn, .. } = &mut self.state else {
            return Err(Errno::EPIPE);
        };
        let total = bufs.iter().map(|b| b.len()).sum::<usize>();
        if conn.wr_shut || (total == 0 && conn.reset) {
            return Err(Errno::EPIPE);
        }
        if total == 0 {
            return Ok(0);
        }
        if hold && let Some(n) = self.try_hold(bufs, total) {
            return Ok(n);
        }
        if self.has_pending() {
            return self.send_after_held(bufs, total, wait);
        }
        self.send_held(bufs, total, wait)
    }

    /// Write `bufs` (`total` bytes) to the host as `wait` allows.
    fn send_held(&mut self, bufs: &[&[u8]], total: usize, wait: Wait) -> Result<usize> {
        let State::Connected { conn, .. } = &mut self.state else {
            return Err(Errno::EPIPE);
        };
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
        // What this connection holds for the host goes first: the answer may depend on it.
        self.flush(wait);
        match &mut self.state {
            State::Connected { conn, .. } => conn.recv(bufs, wait, &mut self.so_error),
            // Linux: a socket whose connect failed (not yet reported by connect, whose
            // tcp_disconnect clears the flags tcp_done set) reads its error once, then end of
            // stream.
            State::Failed {
                acknowledged: false,
            } => self.so_error.take().map_or(Ok(0), Err),
            State::Listening => Err(Errno::ENOTCONN),
            // TCP_CLOSE: the pending error, end of stream if shut for reading, else ENOTCONN
            // (found by tests/fuzz/diff.c).
            _ => match self.so_error.take() {
                Some(e) => Err(e),
                None if self.shut.is_some_and(Shutdown::reads) => Ok(0),
                None => Err(Errno::ENOTCONN),
            },
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
        self.flush(wait);
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
            State::Listening => Err(Errno::EINVAL),
            _ => Ok(0),
        }
    }

    /// `shutdown(2)`.
    pub fn shutdown(&mut self, how: Shutdown) -> Result<()> {
        // Held bytes go before the FIN, as the kernel's queue would send them; what the host
        // cannot take now (a peer that does not read) keeps the FIN back until it can (see
        // `flush`): Linux's shutdown never waits.
        self.flush(Wait::Never);
        // inet_shutdown ends Linux's SS_CONNECTING first: an established connection counts as
        // reported (connect then says EISCONN), a failed one becomes SS_DISCONNECTING.
        match &mut self.state {
            State::Connected { acknowledged, .. } => *acknowledged = true,
            State::Failed {
                acknowledged: false,
            } => self.disconnecting = true,
            _ => {}
        }
        match &mut self.state {
            State::Connected { conn, .. } => {
                if conn.closed() {
                    // Linux: the connection is already closed (TCP_CLOSE: reset, or both FINs
                    // exchanged) -> ENOTCONN (found by tests/fuzz/diff.c).
                    return Err(Errno::ENOTCONN);
                }
                // Only writing is shut down at the host (the FIN). Shutting down reading sends
                // nothing on Linux, which still queues and returns what arrives: emulated
                // (`Conn::rd_shut`), the host stream stays open (data sent after the peer's
                // SHUT_RD was lost: found by tests/fuzz/diff.c). Writes already accepted by
                // the host are delivered before the FIN (the host schedules the shutdown after
                // them), so nothing needs flushing here.
                if how.writes() && self.pending.is_empty() {
                    self.host
                        .sock
                        .shutdown(ShutdownType::Send)
                        .map_err(Errno::from)?;
                    conn.fin_sent = true;
                }
                conn.rd_shut |= how.reads();
                conn.wr_shut |= how.writes();
                self.close_input_if_done();
                // Linux's inet_shutdown wakes every waiter (sk_state_change).
                self.wake.any();
                Ok(())
            }
            State::Listening => {
                // Linux stops listening on SHUT_RD as connect(AF_UNSPEC) does (the queued
                // connections are reset, a port listen() chose is given back: bind works again,
                // found by tests/fuzz/diff.c); SHUT_WR changes nothing.
                if how.reads() {
                    self.disconnect()?;
                }
                self.wake.any();
                Ok(())
            }
            State::Connecting => {
                // Linux abandons the attempt and returns 0.
                self.state = State::Failed { acknowledged: true };
                self.shut = None;
                self.release_port();
                self.wake.any();
                Ok(())
            }
            // TCP_CLOSE: Linux records the shutdown anyway (a later connection keeps it), and
            // says ENOTCONN (found by tests/fuzz/diff.c).
            _ => {
                self.shut = Some(match self.shut {
                    Some(old) if old != how => Shutdown::Both,
                    _ => how,
                });
                Err(Errno::ENOTCONN)
            }
        }
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
                .map_or(self.family.unspecified(), |a| {
                    self.shown(wasi::from_wasi(a))
                }),
            State::Fresh => self.stale.unwrap_or_else(|| self.family.unspecified()),
            _ => self.bound.unwrap_or_else(|| self.family.unspecified()),
        }
    }

    /// `getpeername(2)`.
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        match &self.state {
            State::Connected { conn, .. } if !conn.closed() => self
                .host
                .sock
                .remote_address()
                .map(|a| self.shown(wasi::from_wasi(a)))
                .map_err(|_| Errno::ENOTCONN),
            _ => Err(Errno::ENOTCONN),
        }
    }
}

impl Tcp {
    /// Our FIN, held back by bytes `send` accepted before `shutdown(SHUT_WR)`, once the host has
    /// taken the last of them (from `flush`).
    pub(super) fn send_held_fin(&mut self) {
        let State::Connected { conn, .. } = &mut self.state else {
            return;
        };
        if !conn.wr_shut || conn.fin_sent || conn.reset || !self.pending.is_empty() {
            return;
        }
        if let Err(e) = self.host.sock.shutdown(ShutdownType::Send) {
            self.so_error.get_or_insert(Errno::from(e));
            return;
        }
        conn.fin_sent = true;
        self.close_input_if_done();
    }

    /// Shut both ways with our FIN out, Linux resets the connection when more data arrives (RFC
    /// 1122; tcp_rcv_state_process in FIN_WAIT): so must the host's kernel, which it does once
    /// its input is shut too. What is queued already is still delivered: take it first (found
    /// by tests/fuzz/diff.c).
    fn close_input_if_done(&mut self) {
        let State::Connected { conn, .. } = &mut self.state else {
            return;
        };
        if conn.rd_shut && conn.fin_sent && !conn.in_closed && !conn.eof {
            conn.take_queued(&mut self.so_error);
            let _ = self.host.sock.shutdown(ShutdownType::Receive);
            conn.in_closed = true;
        }
    }
}

/// Bind `host` to `addr` (`start-bind` + `finish-bind`): the address it got (ephemeral port
/// resolved), in the host socket's own family.
fn bind_host(host: &Host, addr: SocketAddr) -> Result<SocketAddr> {
    wasi::with_network(|net| host.sock.start_bind(net, wasi::to_wasi(addr)))
        .map_err(Errno::from)?;
    finish(&host.pollable, || host.sock.finish_bind()).map_err(Errno::from)?;
    Ok(host.sock.local_address().map_or(addr, wasi::from_wasi))
}
