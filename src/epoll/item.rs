//! What an epoll set holds: its items (a watched descriptor, the events asked for, the caller's
//! `data`) and the event bits, with Linux's values.

use crate::fd::WeakDesc;
use crate::poll::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP};

bitflags::bitflags! {
    /// `EPOLL*` bits as Linux numbers them (`<sys/epoll.h>` of this library defines the same).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Events: u32 {
        /// Readable.
        const IN = 0x001;
        /// Urgent data: never reported (WASI has no out-of-band data).
        const PRI = 0x002;
        /// Writable.
        const OUT = 0x004;
        /// An error is pending (always reported).
        const ERR = 0x008;
        /// Hung up (always reported).
        const HUP = 0x010;
        /// Readable (normal data), reported with `IN`.
        const RDNORM = 0x040;
        /// Readable (priority band): never reported.
        const RDBAND = 0x080;
        /// Writable (normal data), reported with `OUT`.
        const WRNORM = 0x100;
        /// Writable (priority band): never reported.
        const WRBAND = 0x200;
        /// Never reported.
        const MSG = 0x400;
        /// Shut down for reading (the peer's FIN).
        const RDHUP = 0x2000;
        /// Exclusive wake-up (accepted; one waiter per program makes it moot).
        const EXCLUSIVE = 1 << 28;
        /// Keep the system awake (accepted and ignored, as Linux does without
        /// `CAP_BLOCK_SUSPEND`).
        const WAKEUP = 1 << 29;
        /// Report once, then disarm until `EPOLL_CTL_MOD`.
        const ONESHOT = 1 << 30;
        /// Edge-triggered.
        const ET = 1 << 31;
    }
}

impl Events {
    /// The bits that select a mode rather than an event (Linux's `EP_PRIVATE_BITS`).
    pub const PRIVATE: Events = Events::WAKEUP
        .union(Events::ONESHOT)
        .union(Events::ET)
        .union(Events::EXCLUSIVE);

    /// What `EPOLLEXCLUSIVE` may be combined with (Linux's `EPOLLEXCLUSIVE_OK_BITS`).
    pub const EXCLUSIVE_OK: Events = Events::IN
        .union(Events::OUT)
        .union(Events::ERR)
        .union(Events::HUP)
        .union(Events::WAKEUP)
        .union(Events::ET)
        .union(Events::EXCLUSIVE);

    /// Interest in input: a wake-up with the key `EPOLLIN` reaches the item.
    pub fn wants_input(self) -> bool {
        self.intersects(Events::IN | Events::RDNORM | Events::PRI | Events::RDBAND)
    }

    /// Interest in output: a wake-up with the key `EPOLLOUT` reaches the item.
    pub fn wants_output(self) -> bool {
        self.intersects(Events::OUT | Events::WRNORM | Events::WRBAND)
    }

    /// The `poll` events to ask the readiness engine for.
    pub fn to_poll(self) -> i16 {
        let mut p = 0;
        if self.intersects(Events::IN | Events::RDNORM) {
            p |= POLLIN;
        }
        if self.intersects(Events::OUT | Events::WRNORM) {
            p |= POLLOUT;
        }
        if self.contains(Events::RDHUP) {
            p |= POLLRDHUP;
        }
        p
    }

    /// What an item with this interest reports for the `poll` readiness `revents`: readable is
    /// `EPOLLIN | EPOLLRDNORM`, writable `EPOLLOUT | EPOLLWRNORM` (as `tcp_poll` and
    /// `datagram_poll` set them), masked by the interest (which always holds `ERR | HUP`).
    pub fn from_poll(self, revents: i16) -> Events {
        let mut e = Events::empty();
        if revents & POLLIN != 0 {
            e |= Events::IN | Events::RDNORM;
        }
        if revents & POLLOUT != 0 {
            e |= Events::OUT | Events::WRNORM;
        }
        if revents & POLLRDHUP != 0 {
            e |= Events::RDHUP;
        }
        if revents & POLLERR != 0 {
            e |= Events::ERR;
        }
        if revents & POLLHUP != 0 {
            e |= Events::HUP;
        }
        e & self.difference(Events::PRIVATE)
    }
}

/// One event as `epoll_wait` reports it, or as `epoll_ctl` is given it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// The events (`epoll_ctl`: interest and mode; `epoll_wait`: what happened).
    pub events: Events,
    /// The caller's data, returned verbatim.
    pub data: u64,
}

/// What an item watches.
pub(super) enum Target {
    /// One of the library's objects, held without keeping it open.
    Obj(WeakDesc),
    /// Standard input, through the library's stdin pollable.
    Stdin,
    /// A descriptor that is always ready in the given `poll` directions (stdout, stderr).
    Always(i16),
}

/// One watched descriptor (Linux's `struct epitem`), keyed by the open object and the
/// descriptor number it was added under.
pub(super) struct Item {
    /// The descriptor number it was added under.
    pub fd: i32,
    /// The open object's identity (for a descriptor of the adapter's, odd: see `target_of`).
    pub ident: usize,
    pub target: Target,
    /// Interest and mode, `ERR | HUP` always included.
    pub events: Events,
    pub data: u64,
    /// On the ready list.
    pub queued: bool,
    /// Edge-triggered: a report is due if the object is ready (Linux's item on the ready list:
    /// it was ready when added or modified, or a report could not be delivered).
    pub pending: bool,
    /// The object's wake-ups as last seen (see [`crate::wakeup::Wakeups::seen_by`]).
    pub seen: u64,
    /// `EPOLLONESHOT` reported: no events until `EPOLL_CTL_MOD`.
    pub disarmed: bool,
    /// A descriptor without wake-ups of its own (stdin) was ready at the last look: its next
    /// rise is the edge.
    pub was_ready: bool,
    /// The wait call that last reported it (an item reports once per call).
    pub reported: u32,
}

impl Item {
    /// Whether the item is edge-triggered.
    pub fn edge(&self) -> bool {
        self.events.contains(Events::ET)
    }
}
