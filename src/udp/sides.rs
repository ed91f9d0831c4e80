//! A socket's sides (its host sockets: its own family's, and a dual-stack IPv6 socket's IPv4
//! one): which receive, which carries a peer, and reading them all.

use super::endpoint::Endpoint;
use super::{Side, Udp};
use crate::addr::{self, Family};
use crate::bindings::wasi::io::poll::Pollable;
use crate::errno::{Errno, Result};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::net::SocketAddr;

impl Udp {
    /// The pollables a receive waits on.
    pub(super) fn in_pollables<'a>(&'a self, out: &mut Vec<&'a Pollable>) {
        for ep in self.active().filter_map(|side| self.ep(side)) {
            out.extend(ep.in_ready());
        }
    }

    pub(super) fn ep(&self, side: Side) -> Option<&Endpoint> {
        match side {
            Side::Main => Some(&self.main),
            Side::V4 => self.v4.as_deref(),
        }
    }

    pub(super) fn ep_mut(&mut self, side: Side) -> Option<&mut Endpoint> {
        match side {
            Side::Main => Some(&mut self.main),
            Side::V4 => self.v4.as_deref_mut(),
        }
    }

    /// The side that carries traffic with `a` (program form).
    pub(super) fn side_of(&self, a: SocketAddr) -> Side {
        if self.family == Family::V6 && addr::is_mapped(&a) {
            Side::V4
        } else {
            Side::Main
        }
    }

    /// An IPv6 socket bound to an IPv4-mapped address.
    pub(super) fn bound_v4(&self) -> bool {
        self.family == Family::V6
            && self
                .bound
                .is_some_and(|b| addr::is_mapped(&SocketAddr::new(b.ip, 0)))
    }

    /// The sides that receive now: unconnected, every side bound (an IPv6 socket bound to an
    /// IPv4-mapped address only its IPv4 one); connected, the peer's.
    pub(super) fn active(&self) -> impl Iterator<Item = Side> + use<> {
        let sides = match (self.bound, self.peer) {
            (None, _) => [None, None],
            (Some(_), Some(p)) => match self.side_of(p) {
                Side::Main => [Some(Side::Main), None],
                Side::V4 => [None, Some(Side::V4)],
            },
            (Some(_), None) => [
                (!self.bound_v4()).then_some(Side::Main),
                self.v4.as_ref().map(|_| Side::V4),
            ],
        };
        sides.into_iter().flatten()
    }

    /// The peer on `side`, in its host socket's family (`None`: unconnected, or connected over
    /// the other side).
    pub(super) fn peer_on(&self, side: Side) -> Option<SocketAddr> {
        self.peer
            .filter(|&p| self.side_of(p) == side)
            .map(addr::host_form)
    }

    /// Open `side`'s streams (to the peer, if it is the peer's side).
    pub(super) fn open(&mut self, side: Side) -> Result<()> {
        let peer = self.peer_on(side);
        let opts = self.opts;
        let Some(ep) = self.ep_mut(side) else {
            return Err(Errno::ENETUNREACH);
        };
        let r = ep.open(peer, &opts);
        if r.is_err() && !ep.is_bound() {
            self.lost(side);
        }
        r
    }

    /// A side's host socket lost its port (a replacement could not take it back): forget it.
    pub(super) fn lost(&mut self, side: Side) {
        match side {
            Side::Main => self.bound = None,
            Side::V4 => self.v4 = None,
        }
    }

    /// Stop every side receiving (before a connect or disconnect changes who is heard).
    pub(super) fn stop_all(&mut self) {
        self.main.stop();
        if let Some(v4) = &mut self.v4 {
            v4.stop();
        }
    }

    /// Take what the host has received on every side that receives, without waiting.
    /// `Ok(true)` if anything arrived.
    pub(super) fn pull(&mut self) -> Result<bool> {
        let mut any = false;
        for side in self.active() {
            let peer = self.peer_on(side);
            let opts = self.opts;
            let rx = Rc::clone(&self.rx);
            if let Some(ep) = self.ep_mut(side) {
                let r = ep.pull(peer, &opts, &rx);
                if r.is_err() && !ep.is_bound() {
                    self.lost(side);
                }
                any |= r?;
            }
        }
        Ok(any)
    }

    /// Read ahead for `poll`, `FIONREAD` and `SO_ERROR`: an error becomes the pending error.
    /// (Also after `shutdown(SHUT_RD)`: Linux still queues and delivers datagrams then.)
    pub(super) fn read_ahead(&mut self) {
        if self.bound.is_none() {
            return;
        }
        if let Err(e) = self.pull() {
            // An ICMP error reported: Linux's sk_error_report wakes every waiter.
            self.so_error = Some(e);
            self.wake.any();
        }
    }

    /// Before the host streams are replaced: keep what the old ones already received (Linux
    /// keeps its receive queue across `connect`).
    pub(super) fn drain(&mut self) {
        for side in self.active() {
            if !self.ep(side).is_some_and(Endpoint::streaming) {
                continue;
            }
            let peer = self.peer_on(side);
            let opts = self.opts;
            let rx = Rc::clone(&self.rx);
            let Some(ep) = self.ep_mut(side) else {
                continue;
            };
            // A send the host finishes in the background (wasmtime does when the socket is
            // not known writable yet) lands after this drain, in the old host socket's queue,
            // and goes with it, if it was to this socket itself: let it land first. (Found by
            // tests/fuzz/diff.c under load: a datagram to itself before a reconnect lost.)
            if let Some(out) = ep.out_ready() {
                let _ = crate::wait::Wait::Until(crate::wait::now().saturating_add(SEND_GRACE_NS))
                    .on(out);
            }
            // A datagram the kernel already queued reaches the host's event loop a little
            // later: before the old socket (and its queue) goes, wait a moment on its input for
            // more (a few were lost under load: found by tests/fuzz/diff.c).
            let deadline = crate::wait::now().saturating_add(DRAIN_GRACE_NS);
            loop {
                match ep.pull(peer, &opts, &rx) {
                    Ok(true) => {}
                    Ok(false) => {
                        let Some(p) = ep.in_ready() else { break };
                        if crate::wait::Wait::Until(deadline).on(p).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        self.so_error = Some(e);
                        break;
                    }
                }
            }
        }
    }
}

/// How long a reconnect waits for datagrams the old host socket may still surface.
const DRAIN_GRACE_NS: u64 = 2_000_000;

/// How long a reconnect waits for the old host socket's own send to finish (the host's drop of
/// its stream would wait for it all the same, unbounded).
const SEND_GRACE_NS: u64 = 1_000_000_000;
