//! Sending: Linux's checks in Linux's order (`udp_sendmsg`, `udpv6_sendmsg`), `MSG_MORE`'s
//! pending datagram, and handing a datagram to the host socket of the destination's side.

use super::{MAX_PAYLOAD_V4, MAX_PAYLOAD_V6, MAX_UDP_LEN, Side, Udp};
use crate::addr::{self, Dest, Family};
use crate::bindings::wasi::sockets::udp::OutgoingDatagram;
use crate::errno::{Errno, Result};
use crate::wait::{self, Wait};
use crate::{iov, wasi};
use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

impl Udp {
    /// `send`/`sendto`/`sendmsg`: one datagram of all of `bufs`, to `dest` or the peer. Linux's
    /// checks in Linux's order. `broadcast`: `SO_BROADCAST`. `more` (`MSG_MORE`): the data
    /// starts or extends a datagram that the next send without `more` completes and sends (a
    /// destination given while one is pending is ignored, as Linux ignores it).
    pub fn send(
        &mut self,
        bufs: &[&[u8]],
        dest: Dest,
        wait: Wait,
        broadcast: bool,
        more: bool,
    ) -> Result<usize> {
        if self.corked.is_some() {
            return self.send_corked(bufs, wait, more);
        }
        let total = iov::total(bufs);
        let to = self.prepare_send(total, dest, broadcast)?;
        if more {
            let mut data = Vec::with_capacity(total);
            bufs.iter().for_each(|b| data.extend_from_slice(b));
            self.corked = Some((data, to));
            return Ok(total);
        }
        let mut scratch = core::mem::take(&mut self.scratch);
        let data = iov::contiguous(bufs, &mut scratch);
        let r = self.transmit(data, to, wait);
        self.scratch = scratch;
        r.map(|()| total)
    }

    /// A send of `total` bytes whose data faults when copied (see `ops::send_fault`): every
    /// check of `send` first, then `EFAULT`; nothing is sent.
    pub fn send_fault(&mut self, total: usize, dest: Dest, broadcast: bool) -> Errno {
        // A pending ICMP error comes first (Linux finds it allocating the datagram, before the
        // copy): the host tells of it on a receive (found by tests/fuzz/diff.c).
        if self.peer.is_some() && self.so_error.is_none() {
            self.read_ahead();
        }
        match self.prepare_send(total, dest, broadcast) {
            Ok(_) => Errno::EFAULT,
            Err(e) => e,
        }
    }

    /// `send`'s checks in Linux's order (`inet_send_prepare`'s autobind, then `udp_sendmsg`):
    /// the explicit destination (`None`: the peer's stream).
    fn prepare_send(
        &mut self,
        total: usize,
        dest: Dest,
        broadcast: bool,
    ) -> Result<Option<SocketAddr>> {
        self.autobind()?;
        if self.family == Family::V4 && total > MAX_UDP_LEN {
            return Err(Errno::EMSGSIZE);
        }
        let to = match dest {
            Dest::Peer => None,
            Dest::To(a) => Some(self.target(a)),
            // `udpv6_sendmsg` hands an IPv4 destination to IPv4's `udp_sendmsg`, unless the
            // socket is v6-only; that one checks the size first.
            Dest::Ipv4(_) if self.v6only => return Err(Errno::ENETUNREACH),
            Dest::Ipv4(_) if total > MAX_UDP_LEN => return Err(Errno::EMSGSIZE),
            Dest::Ipv4(a) => Some(self.target(addr::mapped(SocketAddr::V4(a?)))),
            Dest::Invalid(e) => return Err(e),
        };
        let (target, explicit) = match (to, self.peer) {
            // WASI's connected streams send only to the peer; Linux would send elsewhere.
            (Some(t), Some(p)) if t != p => return Err(Errno::EISCONN),
            (_, Some(p)) => (p, false),
            (Some(t), None) => (t, true),
            (None, None) => return Err(Errno::EDESTADDRREQ),
        };
        let over_v4 = self.family == Family::V4 || addr::is_mapped(&target);
        if over_v4 && total > MAX_UDP_LEN {
            return Err(Errno::EMSGSIZE);
        }
        check_broadcast(&addr::host_form(target), broadcast)?;
        let max = if over_v4 {
            MAX_PAYLOAD_V4
        } else {
            MAX_PAYLOAD_V6
        };
        if total > max {
            return Err(Errno::EMSGSIZE);
        }
        if let Some(e) = self.so_error.take() {
            return Err(e);
        }
        if self.wr_shut {
            return Err(Errno::EPIPE);
        }
        if self.route(target)? == Side::V4 {
            self.ensure_v4()?;
        }
        Ok(explicit.then_some(target))
    }

    /// A send while a `MSG_MORE` datagram is pending: append; send it all unless `more`. A
    /// datagram grown past the largest payload is `EMSGSIZE` and dropped, as Linux flushes its
    /// pending frame on an error.
    fn send_corked(&mut self, bufs: &[&[u8]], wait: Wait, more: bool) -> Result<usize> {
        let Some((mut data, to)) = self.corked.take() else {
            return Ok(0);
        };
        let total = iov::total(bufs);
        let over_v4 =
            self.family == Family::V4 || to.or(self.peer).is_some_and(|t| addr::is_mapped(&t));
        let max = if over_v4 {
            MAX_PAYLOAD_V4
        } else {
            MAX_PAYLOAD_V6
        };
        if data.len() + total > max {
            return Err(Errno::EMSGSIZE);
        }
        bufs.iter().for_each(|b| data.extend_from_slice(b));
        if more {
            self.corked = Some((data, to));
            return Ok(total);
        }
        self.transmit(&data, to, wait).map(|()| total)
    }

    /// `sendmmsg`'s datagrams: each checked as [`Udp::send`] checks it, in order, and those
    /// that passed handed to the host together, as many per `send` host call as one
    /// `check-send` permits (one wait, as `wait` allows, for each such run). Returns the count
    /// sent and the error of the datagram that stopped the batch. A run ends early at a
    /// datagram for the other host socket of a dual-stack one (it starts the next run).
    pub fn send_many(
        &mut self,
        msgs: &[(&[&[u8]], Dest)],
        wait: Wait,
        broadcast: bool,
    ) -> (usize, Option<Errno>) {
        let mut sent = 0;
        while sent < msgs.len() {
            if self.corked.is_some() {
                // A `MSG_MORE` datagram from an earlier call: the first message completes it.
                let (bufs, dest) = msgs[sent];
                if let Err(e) = self.send(bufs, dest, wait, broadcast, false) {
                    return (sent, Some(e));
                }
                sent += 1;
                continue;
            }
            let mut run = Vec::new();
            let mut side = None;
            let mut stop = None;
            for &(bufs, dest) in &msgs[sent..] {
                if run.len() >= RUN_MAX {
                    break;
                }
                match self.prepare_send(iov::total(bufs), dest, broadcast) {
                    Ok(to) => {
                        let s = to.or(self.peer).map_or(Side::Main, |t| self.side_of(t));
                        if *side.get_or_insert(s) != s {
                            break;
                        }
                        run.push((bufs, to));
                    }
                    Err(e) => {
                        stop = Some(e);
                        break;
                    }
                }
            }
            let Some(side) = side else {
                return (sent, stop);
            };
            match self.transmit_run(side, &run, wait) {
                Ok(n) => sent += n,
                Err(e) => return (sent, Some(e)),
            }
            if stop.is_some() {
                // (If the host took fewer than the run, the batch ends there all the same:
                // the count is what the caller sees, and the error a later datagram found
                // has been taken.)
                return (sent, stop);
            }
        }
        (sent, None)
    }

    /// Hand one datagram to the host: wait (as `wait` allows) for a `check-send` permit, then
    /// send it. `to`: the destination (program form), or `None` for the connected peer.
    fn transmit(&mut self, data: &[u8], to: Option<SocketAddr>, wait: Wait) -> Result<()> {
        let side = to.or(self.peer).map_or(Side::Main, |t| self.side_of(t));
        self.transmit_run(side, &[(&[data][..], to)], wait)
            .map(|_| ())
    }

    /// Hand datagrams for the host socket of `side` to the host, as many as one `check-send`
    /// permits (at least one: wait for a permit as `wait` allows). Returns how many it took.
    fn transmit_run(
        &mut self,
        side: Side,
        run: &[(&[&[u8]], Option<SocketAddr>)],
        wait: Wait,
    ) -> Result<usize> {
        // Each datagram's data in one piece: borrowed when it is, else gathered.
        let data: Vec<Cow<'_, [u8]>> = run
            .iter()
            .map(|(bufs, _)| {
                let mut pieces = bufs.iter().filter(|b| !b.is_empty());
                match (pieces.next(), pieces.next()) {
                    (None, _) => Cow::Borrowed(&[][..]),
                    (Some(one), None) => Cow::Borrowed(*one),
                    _ => Cow::Owned(bufs.concat()),
                }
            })
            .collect();
        let datagrams: Vec<OutgoingDatagram<'_>> = run
            .iter()
            .zip(&data)
            .map(|((_, to), data)| OutgoingDatagram {
                data,
                remote_address: to.map(|t| wasi::to_wasi(addr::host_form(t))),
            })
            .collect();
        loop {
            self.open(side)?;
            let ep = self.ep(side).ok_or(Errno::EDESTADDRREQ)?;
            let Some(out_ready) = ep.out_ready() else {
                return Err(Errno::EPIPE);
            };
            let permit = ep.check_send()?;
            if permit == 0 {
                if !wait::recheck(wait) {
                    wait.on(out_ready)?;
                }
                continue;
            }
            let n = datagrams
                .len()
                .min(usize::try_from(permit).unwrap_or(usize::MAX));
            match ep.send(&datagrams[..n])? {
                0 => wait.on(out_ready)?,
                took => return Ok(took),
            }
        }
    }
}

/// The most datagrams one `send_many` run prepares before handing them to the host: what
/// wasmtime permits per `check-send` (16). A host that permits fewer leaves the rest of a run to
/// be checked again for the next one.
const RUN_MAX: usize = 16;

/// Linux refuses to send to (or connect to) the IPv4 broadcast address without `SO_BROADCAST`.
pub(super) fn check_broadcast(target: &SocketAddr, broadcast: bool) -> Result<()> {
    match target.ip() {
        IpAddr::V4(ip) if ip.is_broadcast() && !broadcast => Err(Errno::EACCES),
        _ => Ok(()),
    }
}
