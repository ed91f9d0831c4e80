//! The interest list of one epoll instance: its items in a slab, an index by (object, descriptor
//! number) as Linux's red-black tree keys them, and the ready list.

use super::item::{Event, Events, Item, Target};
use crate::errno::{Errno, Result};
use crate::fd::Desc;
use crate::poll::{self, Watch};
use crate::wakeup::Wakeups;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

/// An epoll instance.
///
/// Items live in `items` (a slab: a deleted item's slot is reused) and are found by `index`,
/// keyed by the watched object's identity and the descriptor number, as Linux keys them by
/// `struct file *` and fd: a `dup` of a registered descriptor is a different key, and the item
/// goes away when its object closes (its last descriptor), not when the number closes.
///
/// The ready list `ready` (Linux's `rdllist`) holds the items that may have something to report:
/// items found ready when added or modified, items whose host pollables fired in the last wait,
/// items whose wake-ups moved since they were last looked at, and level-triggered items that
/// reported last time (they are looked at again, as Linux re-queues them). A wait evaluates
/// these first; only when none reports does it go over the whole set (see `wait.rs`).
#[derive(Default)]
pub struct Epoll {
    pub(super) items: Vec<Option<Item>>,
    pub(super) free: Vec<u32>,
    pub(super) index: BTreeMap<(usize, i32), u32>,
    pub(super) ready: VecDeque<u32>,
    /// `O_NONBLOCK` as `fcntl` set it (Linux keeps it on the file; `epoll_wait` ignores it).
    pub nonblocking: bool,
    /// The instance's own wake-ups (an item found ready when added or modified), for a set
    /// that watches this one.
    pub(super) wake: Wakeups,
    /// Reusable buffers of a wait: the pollable handles handed to the host, the item each
    /// belongs to, and the indexes the host found ready.
    pub(super) handles: Vec<u32>,
    pub(super) owners: Vec<u32>,
    pub(super) fired: Vec<u32>,
    /// Level-triggered items reported by the current wait, back on the ready list when it ends.
    pub(super) relist: Vec<u32>,
    /// When the host was last asked (monotonic clock, nanoseconds), and how long its last
    /// look without waiting took: a wait answered from the ready list asks the host about the
    /// rest only now and then (see `wait.rs`).
    pub(super) looked_at: u64,
    pub(super) look_ns: u64,
    /// The number of the current wait call.
    pub(super) call: u32,
    /// [`crate::wakeup::current`] when the last wait ended: if it moved, something woke since
    /// (an in-guest object, a read-ahead), which a wait answered from the ready list must look for.
    pub(super) stamp_seen: u64,
    /// Level-triggered items the current wait found on the ready list and not ready: the ones
    /// worth a short spin before a wait over the whole set (see `wait.rs`), and their handles.
    pub(super) hot: Vec<u32>,
    pub(super) spin: Vec<u32>,
    /// Spins in a row that found nothing (spinning pauses after a few, but for a probe now and
    /// then), and waits since the last probe.
    pub(super) spin_misses: u32,
    pub(super) spin_skipped: u32,
}

impl Epoll {
    /// How many items the set holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Put `slot` on the ready list (once).
    pub(super) fn queue(&mut self, slot: u32) {
        if let Some(item) = self.items[slot as usize].as_mut()
            && !item.queued
        {
            item.queued = true;
            self.ready.push_back(slot);
        }
    }

    /// `EPOLL_CTL_ADD` of `fd` (whose object is `target`, identity `ident`) once Linux's checks
    /// passed. `EEXIST` if the key is there.
    pub(super) fn add(&mut self, fd: i32, ident: usize, target: Target, ev: Event) -> Result<()> {
        if self.index.contains_key(&(ident, fd)) {
            return Err(Errno::EEXIST);
        }
        let item = Item {
            fd,
            ident,
            target,
            events: ev.events | Events::ERR | Events::HUP,
            data: ev.data,
            queued: false,
            pending: false,
            seen: 0,
            disarmed: false,
            was_ready: false,
            reported: 0,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.items[s as usize] = Some(item);
                s
            }
            None => {
                self.items.push(Some(item));
                (self.items.len() - 1) as u32
            }
        };
        self.index.insert((ident, fd), slot);
        self.arm(slot);
        Ok(())
    }

    /// `EPOLL_CTL_MOD`: new interest and data; a one-shot item is armed again. `ENOENT` if the
    /// key is not there; `EINVAL` for an item added with `EPOLLEXCLUSIVE`, as Linux.
    pub(super) fn modify(&mut self, fd: i32, ident: usize, ev: Event) -> Result<()> {
        let slot = *self.index.get(&(ident, fd)).ok_or(Errno::ENOENT)?;
        let item = self.items[slot as usize].as_mut().expect("indexed");
        if item.events.contains(Events::EXCLUSIVE) {
            return Err(Errno::EINVAL);
        }
        item.events = ev.events | Events::ERR | Events::HUP;
        item.data = ev.data;
        item.disarmed = false;
        self.arm(slot);
        Ok(())
    }

    /// `EPOLL_CTL_DEL`. `ENOENT` if the key is not there.
    pub(super) fn delete(&mut self, fd: i32, ident: usize) -> Result<()> {
        let slot = *self.index.get(&(ident, fd)).ok_or(Errno::ENOENT)?;
        self.remove(slot);
        Ok(())
    }

    /// Take item `slot` out of the set.
    pub(super) fn remove(&mut self, slot: u32) {
        if let Some(item) = self.items[slot as usize].take() {
            self.index.remove(&(item.ident, item.fd));
            if item.queued {
                self.ready.retain(|&s| s != slot);
            }
            self.free.push(slot);
        }
    }

    /// The object `ident` closed (its last descriptor): its items leave the set.
    pub(super) fn forget(&mut self, ident: usize) {
        while let Some((_, &slot)) = self
            .index
            .range((ident, i32::MIN)..=(ident, i32::MAX))
            .next()
        {
            self.remove(slot);
        }
    }

    /// Look at a newly added or modified item as Linux's `ep_insert`/`ep_modify` do: if it is
    /// ready now it goes on the ready list, and an edge-triggered one owes a report.
    fn arm(&mut self, slot: u32) {
        let ready = !self.look(slot, true, false).is_empty();
        if let Some(item) = self.items[slot as usize].as_mut() {
            item.pending = ready;
        }
        if ready {
            self.queue(slot);
            self.wake.input();
        }
    }

    /// What item `slot` reports now, level-triggered (the events that hold, masked by its
    /// interest), and its wake-ups noted as seen. An item whose object has closed is removed.
    /// `first`: the first look of a call (stdin may then wait briefly for data in the pipe).
    /// `absorb`: read ahead everything the host holds even for a level-triggered item (a set
    /// watched from outside, whose watcher waits on every item's input: see
    /// [`super::inner_pollables`]).
    pub(super) fn look(&mut self, slot: u32, first: bool, absorb: bool) -> Events {
        let Some(item) = self.items[slot as usize].as_mut() else {
            return Events::empty();
        };
        let interest = item.events;
        let asked = interest.to_poll();
        let revents = match &item.target {
            Target::Obj(w) => {
                let Some(d) = w.upgrade() else {
                    self.remove(slot);
                    return Events::empty();
                };
                // Edge-triggered items (and RDHUP, which must see a FIN right behind data) read
                // everything the host holds, so each arrival is recorded as a wake-up.
                let absorb = absorb || item.edge() || interest.contains(Events::RDHUP);
                let r = poll::readiness(&d, asked, absorb);
                item.seen = seen_by(&d, interest);
                r
            }
            Target::Stdin => poll::watch_revents(&Watch::Stdin, asked, first),
            Target::Always(dirs) => asked & dirs,
        };
        interest.from_poll(revents)
    }
}

/// The wake-ups of `d` an item with `interest` sees.
pub(super) fn seen_by(d: &Desc, interest: Events) -> u64 {
    poll::wakeups(d).seen_by(interest.wants_input(), interest.wants_output())
}
