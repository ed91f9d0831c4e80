//! AF_UNIX sockets inside the guest, after Linux's `net/unix/af_unix.c`: one [`Unix`] per open
//! socket (the protocol state of a [`crate::socket::Socket`]), around a shared core that its
//! peer and its senders reach.
//!
//! A core holds what Linux's `struct unix_sock` does: its type and state (unconnected,
//! listening, connected), its peer (`unix_peer`), its name, its receive queue (messages charged
//! to their senders, [`super::queue`]), the connections waiting for `accept`, its shutdown bits,
//! a pending error (`ECONNRESET` when a peer closed with data unread), and its wake-up meter.
//! The calls follow Linux's functions one by one: `conn.rs` (`bind`, `listen`, `connect`,
//! `accept`, `shutdown`, close), `io.rs` (send, receive, `FIONREAD`, `poll`), and `names.rs` the
//! program's table of bound names.
//!
//! Borrows: a call borrows one core at a time (a datagram socket may be its own peer), and
//! drops messages and descriptors only once it holds no borrow, since closing a descriptor
//! in flight may reach any core.

mod conn;
mod io;
mod names;

pub use io::{Received, RecvFlags};

use super::Kind;
use super::addr::UnixAddr;
use super::capacity;
use super::queue::{Meter, Queue};
use super::rights::InFlight;
use crate::errno::{Errno, Result};
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use core::cell::RefCell;

/// `RCV_SHUTDOWN`.
const RCV_SHUTDOWN: u8 = 1;
/// `SEND_SHUTDOWN`.
const SEND_SHUTDOWN: u8 = 2;
/// Both.
const SHUTDOWN_MASK: u8 = 3;

/// A socket's state (`sk_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// `TCP_CLOSE`: not connected.
    Close,
    /// `TCP_LISTEN`.
    Listen,
    /// `TCP_ESTABLISHED`: connected (a datagram socket: it has, or had, a peer).
    Established,
}

type CoreRef = Rc<RefCell<Core>>;

/// What a socket's peer and senders reach (Linux's `struct unix_sock`).
struct Core {
    kind: Kind,
    state: State,
    peer: Option<CoreRef>,
    name: Option<UnixAddr>,
    /// Whether `name` is this socket's entry in [`names`] (an accepted socket shows its
    /// listener's name without owning it).
    registered: bool,
    queue: Queue<InFlight>,
    /// A listener's connections not yet accepted (Linux queues them as messages).
    embryos: VecDeque<CoreRef>,
    /// `sk_max_ack_backlog`: a listener's backlog, or a datagram receiver's queue limit.
    max_backlog: usize,
    shutdown: u8,
    err: Option<Errno>,
    dead: bool,
    meter: Rc<Meter>,
    sndbuf: usize,
    rcvbuf: usize,
    keepalive: bool,
    /// Whether it knows its peer's credentials (`SO_PEERCRED`): a pair's ends, a listener and
    /// both ends of a connection it queued, as Linux records them.
    peercred: bool,
}

impl Core {
    fn new(kind: Kind) -> CoreRef {
        Rc::new(RefCell::new(Core {
            kind,
            state: State::Close,
            peer: None,
            name: None,
            registered: false,
            queue: Queue::default(),
            embryos: VecDeque::new(),
            max_backlog: capacity::MAX_DGRAM_QLEN,
            shutdown: 0,
            err: None,
            dead: false,
            meter: Rc::new(Meter::default()),
            sndbuf: capacity::BUF_DEFAULT,
            rcvbuf: capacity::BUF_DEFAULT,
            keepalive: false,
            peercred: false,
        }))
    }

    /// Whether `p` is this core's peer.
    fn peer_is(&self, p: &CoreRef) -> bool {
        self.peer.as_ref().is_some_and(|q| Rc::ptr_eq(q, p))
    }
}

/// An AF_UNIX socket.
pub struct Unix {
    core: CoreRef,
}

impl Unix {
    /// `socket(AF_UNIX, kind, 0)`: unnamed and unconnected.
    pub fn new(kind: Kind) -> Unix {
        Unix {
            core: Core::new(kind),
        }
    }

    /// `socketpair(AF_UNIX, kind, 0)`: two sockets connected to each other.
    pub fn pair(kind: Kind) -> (Unix, Unix) {
        let (a, b) = (Core::new(kind), Core::new(kind));
        for (x, y) in [(&a, &b), (&b, &a)] {
            let mut x = x.borrow_mut();
            x.peer = Some(Rc::clone(y));
            x.state = State::Established;
            x.peercred = true;
        }
        (Unix { core: a }, Unix { core: b })
    }

    /// The socket's type.
    pub fn kind(&self) -> Kind {
        self.core.borrow().kind
    }

    /// Whether it is listening (`SO_ACCEPTCONN`).
    pub fn is_listening(&self) -> bool {
        self.core.borrow().state == State::Listen
    }

    /// The pending error, cleared (`SO_ERROR`).
    pub fn take_error(&mut self) -> Option<Errno> {
        self.core.borrow_mut().err.take()
    }

    /// Set the pending error (`sk_err`), as `recvmmsg` leaves a later message's.
    pub fn set_error(&mut self, e: Errno) {
        self.core.borrow_mut().err = Some(e);
    }

    /// `getsockname`: its name (`None`: unnamed).
    pub fn local_name(&self) -> Option<UnixAddr> {
        self.core.borrow().name.clone()
    }

    /// `getpeername`: its peer's name (`None`: unnamed); `ENOTCONN` without a peer. A
    /// connection whose peer closed still names it, as on Linux.
    pub fn peer_name(&self) -> Result<Option<UnixAddr>> {
        let c = self.core.borrow();
        let p = c.peer.as_ref().ok_or(Errno::ENOTCONN)?;
        Ok(p.borrow().name.clone())
    }

    /// `SO_SNDBUF`.
    pub fn sndbuf(&self) -> usize {
        self.core.borrow().sndbuf
    }

    /// `setsockopt(SO_SNDBUF)`: Linux's doubling and limits ([`capacity::sndbuf_for`]).
    pub fn set_sndbuf(&mut self, v: i32) {
        self.core.borrow_mut().sndbuf = capacity::sndbuf_for(v);
    }

    /// `SO_RCVBUF` (stored and reported: an AF_UNIX receiver's queue is bounded by its
    /// senders' `SO_SNDBUF`, as on Linux).
    pub fn rcvbuf(&self) -> usize {
        self.core.borrow().rcvbuf
    }

    /// `setsockopt(SO_RCVBUF)`.
    pub fn set_rcvbuf(&mut self, v: i32) {
        self.core.borrow_mut().rcvbuf = capacity::rcvbuf_for(v);
    }

    /// `SO_KEEPALIVE` (stored and reported; it means nothing to AF_UNIX, as on Linux).
    pub fn keepalive(&self) -> bool {
        self.core.borrow().keepalive
    }

    /// `setsockopt(SO_KEEPALIVE)`.
    pub fn set_keepalive(&mut self, on: bool) {
        self.core.borrow_mut().keepalive = on;
    }

    /// Whether `SO_PEERCRED` has credentials to report.
    pub fn has_peercred(&self) -> bool {
        self.core.borrow().peercred
    }

    /// Wake-ups so far: bumped by every event Linux wakes the socket's waiters for (data
    /// queued to it, its data consumed by the peer, a shutdown or close of either end, a
    /// connection queued on it). An edge-triggered waiter compares two readings.
    pub fn wakeups(&self) -> u64 {
        self.core.borrow().meter.wakeups.get()
    }
}

impl Drop for Unix {
    fn drop(&mut self) {
        conn::release(&self.core, false);
    }
}
