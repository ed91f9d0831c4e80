//! Readiness of a TCP socket: what `poll` and epoll report in each state (Linux's `tcp_poll`),
//! the host pollables a wait watches, and the write a closed connection may still have in
//! flight (see `crate::wait::linger`).

use super::{ACCEPT_AHEAD, State, Tcp};
use crate::bindings::wasi::io::poll::Pollable;
use crate::flags::Shutdown;
use crate::inet::Ready;
use crate::wait::{self, Wait, host};
use crate::wakeup::Wakeups;
use core::net::SocketAddr;

impl Tcp {
    /// Whether the host is still writing data this socket was given.
    ///
    /// `patient`: a first "no permit" is asked again after a yield to the host (as at `close`,
    /// which decides whether the socket must linger); reaping asks once.
    pub fn write_in_flight(&mut self, patient: bool) -> bool {
        self.flush(Wait::Never);
        if self.has_pending() {
            return true;
        }
        match &mut self.state {
            State::Connected { conn, .. } => conn.write_in_flight(patient),
            _ => false,
        }
    }

    /// What `poll` reports now (Linux's `tcp_poll`), collecting a finished connect and reading
    /// ahead on a connection first (everything the host holds, with `absorb`: an
    /// edge-triggered look, see `Conn::absorb`).
    pub fn ready(&mut self, want_out: bool, absorb: bool) -> Ready {
        self.collect_connect();
        let err = self.so_error.is_some();
        match &mut self.state {
            State::Connected { conn, .. } => conn.ready(&mut self.so_error, want_out, absorb),
            State::Listening => {
                if absorb {
                    // Each connection the host has queued is an arrival Linux woke readers
                    // for: take them ahead of `accept`, so the next one is seen as new.
                    while self.backlog.len() < ACCEPT_AHEAD {
                        let Ok(Some(c)) = self.host_accept() else {
                            break;
                        };
                        self.backlog.push_back(c);
                        self.wake.input();
                    }
                }
                Ready {
                    input: !self.backlog.is_empty()
                        || host::ready(&self.host.pollable)
                        || self.v4.as_ref().is_some_and(|h| host::ready(&h.pollable)),
                    ..Ready::default()
                }
            }
            State::Connecting => Ready {
                err,
                ..Ready::default()
            },
            // Never connected, or a failed connect that `connect` reported (its
            // `tcp_disconnect` clears the shutdown flags): TCP_CLOSE with nothing shut down ->
            // writable and hung up.
            State::Fresh | State::Bound | State::Failed { acknowledged: true } => Ready {
                input: self.shut.is_some_and(Shutdown::reads),
                output: true,
                hup: true,
                err,
                rdhup: self.shut.is_some_and(Shutdown::reads),
            },
            // A failed connect not yet reported shut everything down (tcp_done): readable,
            // writable, hung up, shut for reading.
            State::Failed {
                acknowledged: false,
            } => Ready {
                input: true,
                output: true,
                hup: true,
                err,
                rdhup: true,
            },
        }
    }

    /// The socket's wake-ups so far (see [`crate::wakeup`]).
    pub fn wakeups(&self) -> Wakeups {
        match &self.state {
            State::Connected { conn, .. } => self.wake.join(conn.wake),
            _ => self.wake,
        }
    }

    /// The pollables `poll` waits on for this socket (`want_rdhup`: see `Conn::pollables`).
    pub fn pollables<'a>(
        &'a self,
        want_out: bool,
        want_rdhup: bool,
        out: &mut impl Extend<&'a Pollable>,
    ) {
        match &self.state {
            State::Connected { conn, .. } => conn.pollables(want_out, want_rdhup, out),
            State::Listening => {
                out.extend([&self.host.pollable]);
                out.extend(self.v4.as_ref().map(|h| &h.pollable));
            }
            State::Connecting => out.extend([&self.host.pollable]),
            _ => {}
        }
    }

    /// The pollables an edge-triggered watcher waits on (see `Conn::edge_pollables`; a
    /// listener's while it can take connections ahead).
    pub fn edge_pollables<'a>(&'a self, want_out: bool, out: &mut impl Extend<&'a Pollable>) {
        match &self.state {
            State::Connected { conn, .. } => conn.edge_pollables(want_out, out),
            State::Listening if self.backlog.len() < ACCEPT_AHEAD => {
                out.extend([&self.host.pollable]);
                out.extend(self.v4.as_ref().map(|h| &h.pollable));
            }
            State::Connecting => out.extend([&self.host.pollable]),
            _ => {}
        }
    }
}

impl Tcp {
    /// The output stream's pollable of a connection: ready when the host may take more.
    pub fn out_pollable(&self) -> Option<&Pollable> {
        match &self.state {
            State::Connected { conn, .. } => Some(conn.out_pollable()),
            _ => None,
        }
    }
}

/// A closed connection whose write is still in flight (see [`crate::wait::linger`]).
impl wait::linger::Lingering for Tcp {
    fn pollable(&self) -> Option<&Pollable> {
        self.out_pollable()
    }

    fn write_in_flight(&mut self) -> bool {
        Tcp::write_in_flight(self, false)
    }

    fn local(&mut self) -> Option<SocketAddr> {
        self.is_connected().then(|| self.local_addr())
    }
}
