//! Waiting on an epoll instance: the ready list first, the whole set only when it has nothing,
//! and one host wait over the set's pollables when nothing is ready.
//!
//! A wait (1) evaluates the items on the ready list, in order, delivering what they report
//! (Linux's `ep_send_events`: level-triggered items that report go back on the list's tail,
//! one-shot items disarm, an item whose report cannot be written stays at the head); (2) if
//! none reports, spins a few microseconds on the level-triggered items it just found not ready
//! (a request's answer is usually that close: [`Epoll::spin_on_hot`]); (3) then goes over the
//! set once: each item whose wake-ups moved since it was last
//! looked at joins the ready list (readiness the library knows without asking the host: data
//! read ahead, a pending error, an in-guest object's event), and each armed item's host pollables
//! are gathered into a reusable buffer; (4) if those candidates report nothing either, waits for
//! the gathered pollables (or the deadline) with one host call, puts the items whose pollables
//! fired on the ready list, and goes back to (1). So a wait with nothing new costs one pass over
//! the items and one host call over their pollables (the host's own floor: `wasi:io/poll` 0.2
//! takes the whole list every time), allocates nothing once the buffers have grown, and asks the
//! host about an item's readiness only when its pollable fired or its wake-ups moved.
//!
//! A wait answered from the ready list alone asks the host nothing more; the host is still asked
//! (without waiting) what else is ready once [`LOOK_MIN_NS`] has passed since it was last asked,
//! and at most as often as keeps those looks under about a sixteenth of the time, so that in a
//! busy set (a level-triggered item that stays ready) arrivals elsewhere are not starved.

use super::item::{Event, Events, Target};
use super::set::Epoll;
use crate::errno::{Errno, Result};
use crate::poll;
use crate::wait;

/// How long waits may be answered from the ready list alone before the host is asked about the
/// other items too (nanoseconds).
const LOOK_MIN_NS: u64 = 1_000_000;

/// ... and at least this many times the last such look's own duration.
const LOOK_SPACING: u64 = 16;

/// The longest a wait spins on its hot items before it waits on the whole set, and what it
/// allows per pollable the set hands the host (a spin costs a fraction of the wait it may save).
const SPIN_MAX_NS: u64 = 30_000;
const SPIN_NS_PER_POLLABLE: u64 = 50;
/// After this many spins in a row found nothing, spin only once every [`SPIN_PROBE`] waits.
const SPIN_MISSES_MAX: u32 = 4;
const SPIN_PROBE: u32 = 16;

/// Where a wait puts what it reports: `room` entries can be written (an entry beyond would
/// fault), at most `max` are wanted; `put(i, event)` writes entry `i`.
pub struct Sink<'a> {
    /// `maxevents`.
    pub max: usize,
    /// How many entries can be written without a fault.
    pub room: usize,
    /// Write entry `i`.
    pub put: &'a mut dyn FnMut(usize, Event),
}

impl Epoll {
    /// `epoll_wait`: deliver up to `sink.max` events, waiting until `deadline` (`None`: for
    /// ever; a deadline already past: a look, no wait). `EFAULT` if events were ready and the
    /// first could not be written.
    pub fn wait(&mut self, sink: &mut Sink<'_>, deadline: Option<u64>) -> Result<usize> {
        self.call = self.call.wrapping_add(1);
        let r = self.collect(sink, deadline);
        self.stamp_seen = crate::wakeup::current();
        // Level-triggered items that reported go back on the list, after the rest (Linux's
        // round robin).
        let mut relist = core::mem::take(&mut self.relist);
        for &slot in &relist {
            self.queue(slot);
        }
        relist.clear();
        self.relist = relist;
        r
    }

    fn collect(&mut self, sink: &mut Sink<'_>, deadline: Option<u64>) -> Result<usize> {
        let mut first = true;
        self.hot.clear();
        // Something woke since the last wait (an in-guest object has no pollable to tell): the
        // set is looked over even if the ready list answers.
        let woken = crate::wakeup::current() != self.stamp_seen;
        loop {
            let mut n = self.send_events(sink, first)?;
            if first && woken && n > 0 && n < sink.max {
                self.scan();
                n = self.send_events_from(sink, n, false)?;
            }
            if n == 0 && first && deadline != Some(0) && self.spin_on_hot(deadline) {
                n = self.send_events(sink, false)?;
            }
            first = false;
            if n == 0 && self.scan() > 0 {
                n = self.send_events(sink, false)?;
            }
            if n > 0 {
                if self.look_due() {
                    // What else is ready now, as Linux's ready list would hold it.
                    self.look_at_host(Some(0));
                    n = self.send_events_from(sink, n, false).unwrap_or(n);
                }
                return Ok(n);
            }
            let expired = match deadline {
                Some(0) => true,
                Some(d) => wait::now() >= d,
                None => false,
            };
            let fired = self.host_wait(if expired { Some(0) } else { deadline });
            if expired || !fired {
                // The deadline passed: what the last look found is all there is.
                return self.send_events(sink, false);
            }
        }
    }

    /// Evaluate the items on the ready list (those there at the start), delivering what they
    /// report into `sink`, as Linux's `ep_send_events`.
    fn send_events(&mut self, sink: &mut Sink<'_>, first: bool) -> Result<usize> {
        self.send_events_from(sink, 0, first)
    }

    /// [`Epoll::send_events`] into entries `start..` of `sink` (`start` are there already);
    /// returns how many entries are filled in all.
    fn send_events_from(
        &mut self,
        sink: &mut Sink<'_>,
        start: usize,
        first: bool,
    ) -> Result<usize> {
        let mut res = start;
        for _ in 0..self.ready.len() {
            if res >= sink.max {
                break;
            }
            let Some(slot) = self.ready.pop_front() else {
                break;
            };
            let call = self.call;
            match self.items[slot as usize].as_mut() {
                Some(item) if item.reported == call => {
                    // Reported by this call already: its next turn is the next call.
                    item.queued = false;
                    self.relist.push(slot);
                    continue;
                }
                Some(item) => item.queued = false,
                None => continue,
            }
            let ev = self.report(slot, first);
            if ev.is_empty() {
                if first
                    && self.items[slot as usize]
                        .as_ref()
                        .is_some_and(|i| !i.edge())
                {
                    self.hot.push(slot);
                }
                continue;
            }
            let item = self.items[slot as usize].as_mut().expect("reported");
            if res >= sink.room {
                // Linux's copy faults: the item stays at the head, its report still owed.
                item.queued = true;
                item.pending = true;
                self.ready.push_front(slot);
                if res == 0 {
                    return Err(Errno::EFAULT);
                }
                break;
            }
            (sink.put)(
                res,
                Event {
                    events: ev,
                    data: item.data,
                },
            );
            res += 1;
            item.reported = call;
            if item.events.contains(Events::ONESHOT) {
                item.disarmed = true;
            } else if !item.edge() {
                self.relist.push(slot);
            }
        }
        Ok(res)
    }

    /// What item `slot` reports now: the events that hold; for an edge-triggered item only if a
    /// wake-up came since its last look (or a report is owed), which this look consumes.
    fn report(&mut self, slot: u32, first: bool) -> Events {
        let Some(item) = self.items[slot as usize].as_ref() else {
            return Events::empty();
        };
        if item.disarmed {
            return Events::empty();
        }
        let before = item.seen;
        let ev = self.look(slot, first, false);
        let Some(item) = self.items[slot as usize].as_mut() else {
            return Events::empty();
        };
        if !item.edge() {
            return ev;
        }
        let woken = match item.target {
            Target::Obj(_) => item.seen != before,
            // No wake-ups of its own: a rise of the level is the edge.
            Target::Stdin | Target::Always(_) => !item.was_ready,
        };
        let fresh = item.pending || woken;
        item.pending = false;
        item.was_ready = !ev.is_empty();
        if fresh { ev } else { Events::empty() }
    }

    /// Go over the whole set once: items whose wake-ups moved since their last look (and
    /// level-triggered items with no host pollable, whose readiness only the library knows)
    /// join the ready list; every armed item's host pollables are gathered for
    /// [`Epoll::host_wait`]. Returns how many items joined the ready list.
    fn scan(&mut self) -> usize {
        let Epoll {
            items,
            ready,
            handles,
            owners,
            ..
        } = self;
        handles.clear();
        owners.clear();
        let mut joined = 0;
        let mut dead = None;
        for (slot, item) in items.iter_mut().enumerate() {
            let Some(item) = item else { continue };
            if item.disarmed {
                continue;
            }
            let slot = slot as u32;
            let mut candidate = false;
            match &item.target {
                Target::Obj(w) => {
                    let Some(d) = w.upgrade() else {
                        dead = Some(slot);
                        continue;
                    };
                    let before = handles.len();
                    let woken = poll::pollables(&d, item.events.to_poll(), item.edge(), handles);
                    owners.resize(handles.len(), slot);
                    let interest = item.events;
                    candidate = woken.seen_by(interest.wants_input(), interest.wants_output())
                        != item.seen
                        || (!item.edge() && handles.len() == before);
                }
                Target::Stdin => {
                    handles.push(poll::stdin_handle());
                    owners.push(slot);
                }
                Target::Always(_) => candidate = !item.edge(),
            }
            if candidate && !item.queued {
                item.queued = true;
                ready.push_back(slot);
                joined += 1;
            }
        }
        if let Some(slot) = dead {
            // A closed object's item (closing normally takes it out at once).
            self.remove(slot);
        }
        joined
    }

    /// Wait (one host call) for the pollables [`Epoll::scan`] gathered, or `deadline`; the
    /// items whose pollables fired join the ready list. Returns whether any fired.
    fn host_wait(&mut self, deadline: Option<u64>) -> bool {
        let t0 = wait::now();
        // A deadline of 0 is an instant long past: the host answers at once with what is ready.
        wait::any_handles(&mut self.handles, deadline, &mut self.fired);
        self.looked_at = wait::now();
        if deadline == Some(0) {
            self.look_ns = self.looked_at - t0;
        }
        let fired = core::mem::take(&mut self.fired);
        for &i in &fired {
            let slot = self.owners[i as usize];
            self.queue(slot);
        }
        let any = !fired.is_empty();
        self.fired = fired;
        any
    }

    /// The items that were ready at the last wait are usually the next to be (a request and its
    /// answer): before a wait over the whole set, spin briefly on their pollables. The spin is
    /// bounded by what the whole wait would cost the host (about [`SPIN_NS_PER_POLLABLE`] per
    /// pollable, at most [`SPIN_MAX_NS`]) and pauses after [`SPIN_MISSES_MAX`] fruitless spins,
    /// probing once every [`SPIN_PROBE`] waits. Returns whether a hot item became ready (it is
    /// then on the ready list).
    fn spin_on_hot(&mut self, deadline: Option<u64>) -> bool {
        if self.hot.is_empty() {
            return false;
        }
        if self.spin_misses >= SPIN_MISSES_MAX {
            self.spin_skipped += 1;
            if self.spin_skipped < SPIN_PROBE {
                return false;
            }
            self.spin_skipped = 0;
        }
        let mut budget = SPIN_MAX_NS.min(SPIN_NS_PER_POLLABLE * self.handles.len() as u64);
        if let Some(d) = deadline {
            budget = budget.min(d.saturating_sub(wait::now()));
        }
        let mut spin = core::mem::take(&mut self.spin);
        spin.clear();
        for &slot in &self.hot {
            if let Some(Target::Obj(w)) = self.items[slot as usize].as_ref().map(|i| &i.target)
                && let Some(d) = w.upgrade()
            {
                let events = self.items[slot as usize]
                    .as_ref()
                    .map_or(0, |i| i.events.to_poll());
                poll::pollables(&d, events, false, &mut spin);
            }
        }
        let found = wait::spin_handles(&spin, budget);
        self.spin = spin;
        if found {
            self.spin_misses = 0;
            let hot = core::mem::take(&mut self.hot);
            for &slot in &hot {
                self.queue(slot);
            }
            self.hot = hot;
        } else {
            self.spin_misses = self.spin_misses.saturating_add(1);
        }
        found
    }

    /// Whether a wait answered from the ready list should also ask the host about the rest.
    fn look_due(&self) -> bool {
        wait::now().saturating_sub(self.looked_at) > LOOK_MIN_NS.max(LOOK_SPACING * self.look_ns)
    }

    /// Scan and ask the host, without waiting, what is ready (the busy ready list's periodic
    /// look at the rest, and a nested set's readiness).
    fn look_at_host(&mut self, deadline: Option<u64>) {
        self.scan();
        self.host_wait(deadline);
    }

    /// Whether a wait would report something now, without consuming anything (Linux's
    /// `ep_eventpoll_poll`: this instance watched by `poll` or by another epoll set).
    pub fn has_events(&mut self) -> bool {
        if self.peek_ready() {
            return true;
        }
        self.look_at_host(Some(0));
        self.peek_ready()
    }

    /// Whether an item on the ready list reports now; the ones that do not leave the list.
    fn peek_ready(&mut self) -> bool {
        for _ in 0..self.ready.len() {
            let Some(slot) = self.ready.pop_front() else {
                break;
            };
            let Some(item) = self.items[slot as usize].as_ref() else {
                continue;
            };
            if item.disarmed {
                self.items[slot as usize].as_mut().expect("there").queued = false;
                continue;
            }
            let (before, edge, pending, was_ready) =
                (item.seen, item.edge(), item.pending, item.was_ready);
            let obj = matches!(item.target, Target::Obj(_));
            let ev = self.look(slot, false, true);
            let Some(item) = self.items[slot as usize].as_mut() else {
                continue;
            };
            let woken = if obj { item.seen != before } else { !was_ready };
            // The look noted the wake-ups as seen: an edge it found is still owed.
            if edge && woken {
                item.pending = true;
            }
            let reports = !ev.is_empty() && (!edge || pending || woken);
            self.ready.push_front(slot);
            if reports {
                return true;
            }
            self.ready.pop_front();
            item.queued = false;
        }
        false
    }
}
