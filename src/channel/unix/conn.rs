//! Names and connections: `bind`, `listen`, `connect`, `accept`, `shutdown` and close, as
//! Linux's `unix_bind`, `unix_listen`, `unix_stream_connect`, `unix_dgram_connect`,
//! `unix_accept`, `unix_shutdown` and `unix_release_sock`, with their errors in their order.

use super::{Core, CoreRef, Kind, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, State, Unix, names};
use crate::channel::addr::{BindAddr, UnixAddr};
use crate::channel::capacity::SOMAXCONN;
use crate::errno::{Errno, Result};
use crate::flags::Shutdown;
use crate::wait::Wait;
use alloc::rc::Rc;

impl Unix {
    /// `bind(2)`. `sun_family` alone autobinds (a no-op once named). A path is taken before
    /// the socket is looked at (Linux creates the file first): `EADDRINUSE`, then `EINVAL` if
    /// the socket already has a name; an abstract name is the other way round.
    pub fn bind(&self, a: BindAddr) -> Result<()> {
        let (kind, named) = {
            let c = self.core.borrow();
            (c.kind, c.name.is_some())
        };
        let addr = match a {
            BindAddr::Auto if named => return Ok(()),
            BindAddr::Auto => names::autobind(kind, &self.core)?,
            BindAddr::Name(addr) if addr.is_abstract() => {
                if named {
                    return Err(Errno::EINVAL);
                }
                names::claim(&addr, kind, &self.core)?;
                addr
            }
            BindAddr::Name(addr) => {
                names::claim(&addr, kind, &self.core)?;
                if named {
                    names::forget(&addr, kind);
                    return Err(Errno::EINVAL);
                }
                addr
            }
        };
        let mut c = self.core.borrow_mut();
        c.name = Some(addr);
        c.registered = true;
        Ok(())
    }

    /// `listen(2)`: a datagram socket cannot (`EOPNOTSUPP`), an unnamed one or a connected one
    /// may not (`EINVAL`). The backlog is cut to `somaxconn` (a negative one is the maximum);
    /// Linux queues one connection more than it says.
    pub fn listen(&self, backlog: i32) -> Result<()> {
        let mut c = self.core.borrow_mut();
        if c.kind == Kind::Dgram {
            return Err(Errno::EOPNOTSUPP);
        }
        if c.name.is_none() || !matches!(c.state, State::Close | State::Listen) {
            return Err(Errno::EINVAL);
        }
        c.max_backlog = (backlog as u32 as usize).min(SOMAXCONN);
        c.state = State::Listen;
        c.peercred = true;
        Ok(())
    }

    /// `connect(2)` to `addr`. Stream and sequenced-packet sockets queue a connection on the
    /// listener bound there (the call returns at once; the connection is usable before it is
    /// accepted, as on Linux); a full backlog is `EAGAIN` (a blocking connect waits for its
    /// send timeout, since nothing else in the program can accept meanwhile). A datagram
    /// socket takes `addr`'s socket as its peer.
    pub fn connect(&self, addr: &UnixAddr, wait: Wait) -> Result<()> {
        let kind = self.kind();
        if kind == Kind::Dgram {
            return self.dgram_connect(Some(addr));
        }
        let listener = loop {
            let other = names::find(addr, kind)?;
            {
                let o = other.borrow();
                if o.state != State::Listen || o.shutdown & RCV_SHUTDOWN != 0 {
                    return Err(Errno::ECONNREFUSED);
                }
                if o.embryos.len() > o.max_backlog {
                    drop(o);
                    wait.idle()?;
                    continue;
                }
            }
            match self.core.borrow().state {
                State::Close => break other,
                State::Established => return Err(Errno::EISCONN),
                State::Listen => return Err(Errno::EINVAL),
            }
        };
        let embryo = Core::new(kind);
        {
            let mut e = embryo.borrow_mut();
            e.state = State::Established;
            e.peercred = true;
            e.peer = Some(Rc::clone(&self.core));
            e.name = listener.borrow().name.clone();
        }
        {
            let mut c = self.core.borrow_mut();
            c.peer = Some(Rc::clone(&embryo));
            c.state = State::Established;
            c.peercred = true;
        }
        let mut l = listener.borrow_mut();
        l.embryos.push_back(embryo);
        l.meter.wake();
        Ok(())
    }

    /// `connect(2)` with `AF_UNSPEC`: a datagram socket forgets its peer; a stream or
    /// sequenced-packet socket refuses the family (`EINVAL`).
    pub fn disconnect(&self) -> Result<()> {
        if self.kind() != Kind::Dgram {
            return Err(Errno::EINVAL);
        }
        self.dgram_connect(None)
    }

    /// `unix_dgram_connect`: a socket may connect to one that is unconnected or connected to
    /// it (else `EPERM`). Changing peers drops what the old peer had queued here (and the old
    /// peer, if connected back, gets `ECONNRESET`).
    fn dgram_connect(&self, addr: Option<&UnixAddr>) -> Result<()> {
        let other = match addr {
            Some(a) => {
                let o = names::find(a, Kind::Dgram)?;
                {
                    let ob = o.borrow();
                    if ob.peer.is_some() && !ob.peer_is(&self.core) {
                        return Err(Errno::EPERM);
                    }
                }
                self.core.borrow_mut().state = State::Established;
                o.borrow_mut().state = State::Established;
                Some(o)
            }
            None => None,
        };
        let old = {
            let mut c = self.core.borrow_mut();
            let had_peer = c.peer.is_some();
            let old = core::mem::replace(&mut c.peer, other.clone());
            if had_peer && other.is_none() {
                c.state = State::Close;
            }
            old
        };
        if let Some(old) = old {
            let same = other.as_ref().is_some_and(|o| Rc::ptr_eq(o, &old));
            if !same {
                disconnected(&self.core, &old);
                let mut o = old.borrow_mut();
                if o.peer.is_none() {
                    o.state = State::Close;
                }
            }
        }
        Ok(())
    }

    /// `accept(2)`: the first queued connection and its peer's name. A datagram socket
    /// cannot (`EOPNOTSUPP`); one not listening may not (`EINVAL`, also once shut down). An
    /// empty queue is `EAGAIN`, or a wait for the receive timeout.
    pub fn accept(&self, wait: Wait) -> Result<(Unix, Option<UnixAddr>)> {
        {
            let c = self.core.borrow();
            if c.kind == Kind::Dgram {
                return Err(Errno::EOPNOTSUPP);
            }
            if c.state != State::Listen {
                return Err(Errno::EINVAL);
            }
        }
        loop {
            {
                let mut c = self.core.borrow_mut();
                if let Some(e) = c.embryos.pop_front() {
                    drop(c);
                    let peer = e.borrow().peer.clone();
                    let name = peer.and_then(|p| p.borrow().name.clone());
                    return Ok((Unix { core: e }, name));
                }
                if wait.may_block() && c.shutdown & RCV_SHUTDOWN != 0 {
                    return Err(Errno::EINVAL);
                }
            }
            wait.idle()?;
        }
    }

    /// `shutdown(2)`: this socket's directions, and the matching ones of a connected peer
    /// (stream and sequenced packets: its peer can no longer send what this one will not
    /// read, nor read past what this one will not send). Allowed on any socket, as on Linux.
    pub fn shutdown(&self, how: Shutdown) -> Result<()> {
        let mode = match how {
            Shutdown::Read => RCV_SHUTDOWN,
            Shutdown::Write => SEND_SHUTDOWN,
            Shutdown::Both => SHUTDOWN_MASK,
        };
        let (kind, peer) = {
            let mut c = self.core.borrow_mut();
            c.shutdown |= mode;
            c.meter.wake();
            (c.kind, c.peer.clone())
        };
        if let Some(p) = peer
            && kind.connected()
        {
            let mut peer_mode = 0;
            if mode & RCV_SHUTDOWN != 0 {
                peer_mode |= SEND_SHUTDOWN;
            }
            if mode & SEND_SHUTDOWN != 0 {
                peer_mode |= RCV_SHUTDOWN;
            }
            let mut p = p.borrow_mut();
            p.shutdown |= peer_mode;
            p.meter.wake();
        }
        Ok(())
    }
}

/// `unix_dgram_disconnected`: `sk` left `old`; what `old` had queued to it goes, and `old`, if
/// still connected to it, learns of the loss (`ECONNRESET`).
pub(super) fn disconnected(sk: &CoreRef, old: &CoreRef) {
    let lost = sk.borrow_mut().queue.take_all();
    if lost.is_empty() {
        return;
    }
    {
        let mut o = old.borrow_mut();
        if !o.dead && o.peer_is(sk) {
            o.err = Some(Errno::ECONNRESET);
            o.meter.wake();
        }
    }
    drop(lost);
}

/// Close a socket (`unix_release_sock`): its name is free, it is shut both ways; a connected
/// peer (stream, sequenced packets) is shut both ways too, with `ECONNRESET` pending if this
/// socket leaves data unread or was never accepted (`embryo`). Its queue goes (descriptors in
/// flight are released), and a listener's unaccepted connections are closed as embryos.
pub(super) fn release(core: &CoreRef, embryo: bool) {
    let (kind, peer, lost, embryos) = {
        let mut c = core.borrow_mut();
        if c.dead {
            return;
        }
        c.dead = true;
        c.shutdown = SHUTDOWN_MASK;
        c.state = State::Close;
        if c.registered
            && let Some(name) = &c.name
        {
            names::forget(name, c.kind);
        }
        c.registered = false;
        c.meter.wake();
        let embryos = core::mem::take(&mut c.embryos);
        (c.kind, c.peer.take(), c.queue.take_all(), embryos)
    };
    if let Some(p) = &peer
        && kind.connected()
    {
        let mut p = p.borrow_mut();
        p.shutdown = SHUTDOWN_MASK;
        if !lost.is_empty() || embryo {
            p.err = Some(Errno::ECONNRESET);
        }
        p.meter.wake();
    }
    drop(peer);
    drop(lost);
    for e in embryos {
        release(&e, true);
    }
}
