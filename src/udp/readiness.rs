//! What `poll`, `select` and epoll see of a UDP socket (Linux's `udp_poll`): its readiness,
//! read ahead from the host first, its wake-ups, and the pollables a watcher waits on.

use super::Udp;
use crate::bindings::wasi::io::poll::Pollable;
use crate::inet::Ready;
use crate::wakeup::Wakeups;

/// The most datagrams an edge-triggered look reads ahead (see [`Udp::ready`]).
const ABSORB_MAX: usize = 256;

impl Udp {
    /// What `poll` reports now (Linux's `udp_poll`), reading ahead first: one batch when
    /// nothing is queued, or (`absorb`: an edge-triggered look) everything the host holds, up
    /// to `ABSORB_MAX` datagrams, so each arrival is recorded as a wake-up. (Also after
    /// `shutdown(SHUT_RD)`: Linux still queues datagrams then.)
    pub fn ready(&mut self, absorb: bool) -> Ready {
        if absorb {
            while self.rx.borrow().len() < ABSORB_MAX && self.so_error.is_none() {
                let before = self.rx.borrow().len();
                self.read_ahead();
                if self.rx.borrow().len() == before {
                    break;
                }
            }
        } else if self.so_error.is_none() && (self.rx.borrow().is_empty() || self.peer.is_some()) {
            // Even with datagrams held: an ICMP error comes first from the host's next
            // receive, and Linux reports it (POLLERR) with datagrams queued (found by
            // tests/fuzz/diff.c).
            self.read_ahead();
        }
        // An unbound socket is writable (sending binds it), as is one not yet streaming.
        let output = self
            .active()
            .filter_map(|side| self.ep(side))
            .all(|ep| !ep.streaming() || ep.check_send().is_ok_and(|n| n > 0));
        // Linux's SOCK_NOSPACE: room after none wakes writers.
        if !output {
            self.nospace = true;
        } else if self.nospace {
            self.nospace = false;
            self.wake.output();
        }
        Ready {
            input: !self.rx.borrow().is_empty() || self.rd_shut,
            output,
            hup: self.rd_shut && self.wr_shut,
            err: self.so_error.is_some(),
            rdhup: self.rd_shut,
        }
    }

    /// The socket's wake-ups so far (see [`crate::wakeup`]). Datagrams reach the queue from
    /// this socket's host sockets and, for a shared port, from the other members' reads: an
    /// arrival is noticed here, as the count of datagrams ever queued moving.
    pub fn wakeups(&self) -> Wakeups {
        let queued = self.taken + self.rx.borrow().len() as u64;
        let (seen, at) = self.arrivals.get();
        let at = if queued == seen {
            at
        } else {
            let at = crate::wakeup::fresh();
            self.arrivals.set((queued, at));
            at
        };
        Wakeups {
            input: self.wake.input.max(at),
            ..self.wake
        }
    }

    /// The pollables an edge-triggered watcher waits on: input while more could be read ahead,
    /// output only after the host refused a send.
    pub fn edge_pollables<'a>(&'a self, want_out: bool, out: &mut impl Extend<&'a Pollable>) {
        for ep in self.active().filter_map(|side| self.ep(side)) {
            // After `shutdown(SHUT_RD)` too: Linux still queues, and wakes, then.
            if self.rx.borrow().len() < ABSORB_MAX {
                out.extend(ep.in_ready());
            }
            if want_out && self.nospace {
                out.extend(ep.out_ready());
            }
        }
    }

    /// The pollables `poll` waits on for this socket.
    pub fn pollables<'a>(&'a self, want_out: bool, out: &mut impl Extend<&'a Pollable>) {
        for ep in self.active().filter_map(|side| self.ep(side)) {
            if !self.rd_shut {
                out.extend(ep.in_ready());
            }
            if want_out {
                out.extend(ep.out_ready());
            }
        }
    }
}
