//! Data: sends (`unix_stream_sendmsg`, `unix_dgram_sendmsg`, `unix_seqpacket_sendmsg`),
//! receives (`unix_stream_read_generic`, `__unix_dgram_recvmsg`), `FIONREAD`
//! (`unix_inq_len`) and `poll` (`unix_poll`, `unix_dgram_poll`), with Linux's errors in
//! Linux's order. A call that must wait sleeps through [`Wait::idle`]: nothing else in the
//! program can change a channel meanwhile.

use super::{CoreRef, Kind, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, State, Unix, names};
use crate::channel::addr::UnixAddr;
use crate::channel::capacity;
use crate::channel::queue::Msg;
use crate::channel::rights::InFlight;
use crate::errno::{Errno, Result};
use crate::iov::{self, Source};
use crate::poll::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLWRBAND};
use crate::wait::Wait;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// What a receive delivered.
#[derive(Debug, Default)]
pub struct Received {
    /// The call's return value (with `MSG_TRUNC` on a datagram: its whole length).
    pub n: usize,
    /// A datagram or record did not fit (`recvmsg`'s `MSG_TRUNC`).
    pub truncated: bool,
    /// The sender's name (`None`: unnamed).
    pub from: Option<UnixAddr>,
    /// Descriptors that came with the data.
    pub rights: Option<InFlight>,
}

/// How a receive reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecvFlags {
    /// `MSG_PEEK`.
    pub peek: bool,
    /// `MSG_WAITALL` (streams only, as on Linux).
    pub waitall: bool,
    /// `MSG_TRUNC` (datagrams: return the whole length).
    pub trunc: bool,
}

/// A partial transfer counts; nothing transferred is the error.
fn so_far(n: usize, e: Errno) -> Result<usize> {
    if n > 0 { Ok(n) } else { Err(e) }
}

impl Unix {
    /// Send `data`, with `rights` attached to the first buffer. `dest` is the destination the
    /// caller named, as the result of decoding it (Linux looks at it only at its turn): a
    /// datagram socket sends there, a stream socket refuses any (`EISCONN`, or `EOPNOTSUPP`
    /// unconnected), a sequenced-packet socket ignores it. A buffer that faults is found where
    /// Linux's copy finds it: after the wait for room of the buffer that reaches it (`EFAULT`,
    /// or the count of the stream's buffers before it); a datagram's before its destination.
    pub fn send(
        &self,
        data: Source<'_>,
        dest: Option<Result<UnixAddr>>,
        rights: Option<InFlight>,
        wait: Wait,
    ) -> Result<usize> {
        match self.kind() {
            Kind::Stream => self.stream_send(data, dest.is_some(), rights, wait),
            Kind::Dgram => {
                let dest = dest.transpose()?;
                self.dgram_send(data, dest.as_ref(), rights, wait)
            }
            Kind::Seqpacket => {
                {
                    let mut c = self.core.borrow_mut();
                    if let Some(e) = c.err.take() {
                        return Err(e);
                    }
                    if c.state != State::Established {
                        return Err(Errno::ENOTCONN);
                    }
                }
                self.dgram_send(data, None, rights, wait)
            }
        }
    }

    /// `sock_alloc_send_pskb`'s wait for room: a pending error first, then a shut sending
    /// side (`EPIPE`), then room under `SO_SNDBUF`.
    fn wait_for_room(&self, wait: Wait) -> Result<()> {
        loop {
            {
                let mut c = self.core.borrow_mut();
                if let Some(e) = c.err.take() {
                    return Err(e);
                }
                if c.shutdown & SEND_SHUTDOWN != 0 {
                    return Err(Errno::EPIPE);
                }
                if capacity::may_send(c.meter.charged.get(), c.sndbuf) {
                    return Ok(());
                }
            }
            wait.idle()?;
        }
    }

    fn stream_send(
        &self,
        data: Source<'_>,
        named: bool,
        mut rights: Option<InFlight>,
        wait: Wait,
    ) -> Result<usize> {
        let peer = {
            let c = self.core.borrow();
            if named {
                return Err(if c.state == State::Established {
                    Errno::EISCONN
                } else {
                    Errno::EOPNOTSUPP
                });
            }
            let peer = c.peer.clone().ok_or(Errno::ENOTCONN)?;
            if c.shutdown & SEND_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            peer
        };
        let (bufs, total) = (data.bufs, data.len);
        let (mut sent, mut at) = (0, (0, 0));
        let mut chunk = Vec::new();
        while sent < total {
            if let Err(e) = self.wait_for_room(wait) {
                return so_far(sent, e);
            }
            let (size, charge) = capacity::stream_chunk(total - sent, self.sndbuf());
            if data.faults_within(sent + size) {
                return so_far(sent, Errno::EFAULT);
            }
            {
                let p = peer.borrow();
                if p.dead || p.shutdown & RCV_SHUTDOWN != 0 {
                    return so_far(sent, Errno::EPIPE);
                }
            }
            iov::gather(bufs, at.0, at.1, size, &mut chunk);
            at = iov::advance(bufs, at.0, at.1, size);
            let mut m = {
                let c = self.core.borrow();
                Msg::new(
                    core::mem::take(&mut chunk),
                    charge,
                    &c.meter,
                    c.name.clone(),
                )
            };
            m.rights = rights.take();
            let mut p = peer.borrow_mut();
            p.queue.push(m);
            p.meter.wake();
            sent += size;
        }
        Ok(sent)
    }

    fn dgram_send(
        &self,
        data: Source<'_>,
        dest: Option<&UnixAddr>,
        rights: Option<InFlight>,
        wait: Wait,
    ) -> Result<usize> {
        let total = data.len;
        let kind = self.kind();
        if total > capacity::max_dgram(self.sndbuf()) {
            return Err(Errno::EMSGSIZE);
        }
        self.wait_for_room(wait)?;
        // unix_dgram_sendmsg copies the datagram before it looks for the receiver.
        if data.faults_within(total) {
            return Err(Errno::EFAULT);
        }
        let mut other = match dest {
            Some(a) => names::find(a, kind)?,
            None => self.core.borrow().peer.clone().ok_or(Errno::ENOTCONN)?,
        };
        loop {
            let (dead, may_send, full) = {
                let o = other.borrow();
                let to_me = o.peer_is(&self.core);
                let full =
                    !Rc::ptr_eq(&other, &self.core) && !to_me && o.queue.len() > o.max_backlog;
                (o.dead, o.peer.is_none() || to_me, full)
            };
            if !may_send {
                return Err(Errno::EPERM);
            }
            if dead {
                if kind == Kind::Seqpacket {
                    return Err(Errno::EPIPE);
                }
                if self.core.borrow().peer_is(&other) {
                    self.lose_peer(&other);
                    return Err(Errno::ECONNREFUSED);
                }
                let Some(a) = dest else {
                    return Err(Errno::ECONNRESET);
                };
                other = names::find(a, kind)?;
                continue;
            }
            if other.borrow().shutdown & RCV_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            if full {
                wait.idle()?;
                continue;
            }
            break;
        }
        let mut bytes = Vec::new();
        iov::gather(data.bufs, 0, 0, total, &mut bytes);
        let mut m = {
            let c = self.core.borrow();
            Msg::new(
                bytes,
                capacity::dgram_truesize(total),
                &c.meter,
                c.name.clone(),
            )
        };
        m.rights = rights;
        let mut o = other.borrow_mut();
        o.queue.push(m);
        o.meter.wake();
        Ok(total)
    }

    /// A datagram socket's peer is gone: it is disconnected (`ECONNREFUSED` to the send that
    /// found out), and what the peer had queued here goes.
    fn lose_peer(&self, other: &CoreRef) {
        {
            let mut c = self.core.borrow_mut();
            c.peer = None;
            c.state = State::Close;
        }
        super::conn::disconnected(&self.core, other);
    }

    /// Receive into `bufs`.
    pub fn recv(&self, bufs: &mut [&mut [u8]], f: RecvFlags, wait: Wait) -> Result<Received> {
        match self.kind() {
            Kind::Stream => self.stream_recv(bufs, f, wait),
            Kind::Seqpacket => {
                if self.core.borrow().state != State::Established {
                    return Err(Errno::ENOTCONN);
                }
                self.dgram_recv(bufs, f, wait)
            }
            Kind::Dgram => self.dgram_recv(bufs, f, wait),
        }
    }

    fn stream_recv(&self, bufs: &mut [&mut [u8]], f: RecvFlags, wait: Wait) -> Result<Received> {
        if self.core.borrow().state != State::Established {
            return Err(Errno::EINVAL);
        }
        let room: usize = bufs.iter().map(|b| b.len()).sum();
        let target = if f.waitall { room } else { room.min(1) }.max(1);
        let mut got = Received::default();
        loop {
            let (r, had_data) = {
                let mut c = self.core.borrow_mut();
                let had_data = !c.queue.is_empty();
                let mut rest = iov::remaining(bufs, got.n);
                (c.queue.read_stream(&mut rest, f.peek), had_data)
            };
            if got.n == 0 {
                got.from = r.from;
            }
            got.n += r.n;
            if r.rights.is_some() {
                got.rights = r.rights;
                return Ok(got);
            }
            // An empty request with data queued returns 0 at once (Linux's loop runs once); so
            // does a peek that found data: unix_stream_read_generic walks the queue once and
            // returns, neither waiting for the rest MSG_WAITALL asks nor taking a pending error.
            if got.n >= target || (room == 0 && had_data) || (f.peek && got.n > 0) {
                return Ok(got);
            }
            {
                let mut c = self.core.borrow_mut();
                if let Some(e) = c.err.take() {
                    return if got.n > 0 { Ok(got) } else { Err(e) };
                }
                if c.shutdown & RCV_SHUTDOWN != 0 {
                    return Ok(got);
                }
            }
            if let Err(e) = wait.idle() {
                return if got.n > 0 { Ok(got) } else { Err(e) };
            }
        }
    }

    fn dgram_recv(&self, bufs: &mut [&mut [u8]], f: RecvFlags, wait: Wait) -> Result<Received> {
        loop {
            {
                let mut c = self.core.borrow_mut();
                if let Some(e) = c.err.take() {
                    return Err(e);
                }
                if let Some(r) = c.queue.read_record(bufs, f.peek) {
                    drop(c);
                    return Ok(Received {
                        n: if f.trunc { r.len } else { r.n },
                        truncated: r.n < r.len,
                        from: r.from,
                        rights: r.rights,
                    });
                }
                let shut = c.shutdown & RCV_SHUTDOWN != 0;
                if !wait.may_block() {
                    return if c.kind == Kind::Seqpacket && shut {
                        Ok(Received::default())
                    } else {
                        Err(Errno::EAGAIN)
                    };
                }
                if shut {
                    return Ok(Received::default());
                }
                if c.kind == Kind::Seqpacket && c.state == State::Close {
                    return Err(Errno::ENOTCONN);
                }
            }
            wait.idle()?;
        }
    }

    /// `FIONREAD`: a stream's or sequenced-packet socket's unread bytes, a datagram socket's
    /// next datagram; `EINVAL` on a listener.
    pub fn readable_now(&self) -> Result<usize> {
        let c = self.core.borrow();
        if c.state == State::Listen {
            return Err(Errno::EINVAL);
        }
        Ok(match c.kind {
            Kind::Dgram => c.queue.first_len(),
            _ => c.queue.bytes(),
        })
    }

    /// Linux's `poll` mask for the socket, now.
    pub fn poll(&self) -> i16 {
        let c = self.core.borrow();
        let mut m = 0;
        if c.err.is_some() {
            m |= POLLERR;
        }
        if c.shutdown == SHUTDOWN_MASK {
            m |= POLLHUP;
        }
        if c.shutdown & RCV_SHUTDOWN != 0 {
            m |= POLLIN | POLLRDHUP;
        }
        if !c.queue.is_empty() || !c.embryos.is_empty() {
            m |= POLLIN;
        }
        let hup_unconnected = match c.kind {
            Kind::Stream | Kind::Seqpacket => c.state == State::Close,
            Kind::Dgram => false,
        };
        if hup_unconnected {
            m |= POLLHUP;
        }
        let mut writable =
            c.state != State::Listen && capacity::writable(c.meter.charged.get(), c.sndbuf);
        // unix_dgram_poll: a datagram (or sequenced-packet) socket whose peer is not connected
        // back to it is not writable while the peer's queue is over its limit.
        if writable
            && c.kind != Kind::Stream
            && let Some(o) = &c.peer
            && !Rc::ptr_eq(o, &self.core)
        {
            let o = o.borrow();
            if !o.peer_is(&self.core) && o.queue.len() > o.max_backlog && !o.dead {
                writable = false;
            }
        }
        if writable {
            m |= POLLOUT | POLLWRBAND;
        }
        m
    }

    /// `MSG_OOB` on a receive: a stream has no urgent data to give (`EINVAL`, Linux's answer
    /// when none is waiting; WASI programs' channels never carry any, since a send with
    /// `MSG_OOB` is refused); datagrams and records do not know it (`EOPNOTSUPP`, as Linux).
    pub fn recv_oob(&self) -> Errno {
        match self.kind() {
            Kind::Stream => Errno::EINVAL,
            Kind::Dgram | Kind::Seqpacket => Errno::EOPNOTSUPP,
        }
    }
}
