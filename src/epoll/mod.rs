//! epoll: Linux's event interface (`epoll_create1`, `epoll_ctl`, `epoll_wait` and its `p`/`p2`
//! forms) on the library's readiness engine ([`crate::poll`]), for every descriptor kind it has.
//!
//! An epoll instance is a descriptor of the library's ([`crate::fd::Desc::Epoll`]) holding an
//! [`Epoll`]: the interest list (items keyed by watched object and descriptor number, as Linux
//! keys them by `struct file *` and fd), the ready list, and reusable wait buffers. Items hold
//! their object without keeping it open; when an object's last descriptor closes, its items
//! leave every set ([`closed`]), as Linux's `eventpoll_release` does, while closing one of several
//! descriptors of it leaves the item in place, still reporting (Linux's behaviour with `dup`).
//!
//! Readiness comes from [`crate::poll::readiness`] (the same rules `poll` reports, plus
//! `EPOLLRDHUP`), host pollables from [`crate::poll::pollables`], and edge-triggered reports from
//! the objects' wake-ups ([`crate::wakeup`]): an edge-triggered item reports when the object is
//! ready and has woken (with a key the item is interested in) since its last report, or when it
//! was ready at `EPOLL_CTL_ADD`/`MOD`. How a wait finds its events: see `wait.rs`.

mod item;
mod set;
mod wait;

pub use item::{Event, Events};
pub use set::Epoll;
pub use wait::Sink;

use crate::errno::{Errno, Result};
use crate::fd::{self, Desc, Target as FdTarget};
use crate::global::Global;
use crate::poll::{self, POLLIN, Watch};
use crate::socket::Socket;
use crate::wakeup::Wakeups;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;
use item::Target;
use set::seen_by;

/// An `epoll_ctl` operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `EPOLL_CTL_ADD`.
    Add,
    /// `EPOLL_CTL_MOD`.
    Mod,
    /// `EPOLL_CTL_DEL`.
    Del,
    /// Anything else: `EINVAL`, after the checks Linux makes first.
    Unknown,
}

/// Linux's `EP_MAX_NESTS`: how deep epoll instances may be nested in one another.
const MAX_NESTS: usize = 4;

/// Every epoll instance alive, so that an object closing can leave the sets that watch it.
static EPOLLS: Global<Vec<Weak<RefCell<Epoll>>>> = Global::new("epoll::EPOLLS", Vec::new());

/// `epoll_create1(2)` once its flags passed Linux's check: a new, empty instance on the lowest
/// free descriptor.
pub fn create(cloexec: bool) -> Result<i32> {
    let e = Rc::new(RefCell::new(Epoll::default()));
    EPOLLS.with(|l| {
        l.retain(|w| w.strong_count() > 0);
        l.push(Rc::downgrade(&e));
    });
    fd::insert(Desc::Epoll(e), cloexec)
}

/// The instance behind `epfd`, in Linux's order: `EBADF` if nothing is open there; a descriptor
/// that is not an epoll instance is `EINVAL` (reported by the caller at its turn).
fn instance(epfd: i32) -> Result<Option<Rc<RefCell<Epoll>>>> {
    match fd::lookup(epfd) {
        FdTarget::Ours(Desc::Epoll(e)) => Ok(Some(e)),
        FdTarget::Ours(_) => Ok(None),
        FdTarget::Other(fd) if crate::passthrough::is_open(fd) => Ok(None),
        FdTarget::Other(_) => Err(Errno::EBADF),
    }
}

/// What `epoll_ctl` watches for descriptor `fd`: the object's identity and how it is watched.
/// `EBADF` if nothing is open there; `EPERM` for regular files and directories (Linux: no `poll`
/// method).
fn target_of(fd: i32) -> Result<(usize, Target, Option<Desc>)> {
    // The identity of a file of the adapter's (stdio) not shared by `dup`: its number, odd so
    // that it is never an object's address.
    let ident = match fd::lookup(fd) {
        FdTarget::Ours(d) => d.ident(),
        FdTarget::Other(fd) => other_ident(fd),
    };
    match poll::classify(fd) {
        Watch::Ours(d) => Ok((d.ident(), Target::Obj(d.downgrade()), Some(d))),
        Watch::Stdin => Ok((ident, Target::Stdin, None)),
        Watch::AlwaysReady(dirs) => Ok((ident, Target::Always(dirs), None)),
        Watch::File => Err(Errno::EPERM),
        Watch::Ignore | Watch::Invalid => Err(Errno::EBADF),
    }
}

/// The identity of descriptor `fd` of the adapter's (see [`target_of`]).
fn other_ident(fd: i32) -> usize {
    ((fd as usize) << 1) | 1
}

/// `epoll_ctl(2)`, with Linux's order of checks: the event was read by the caller (`EFAULT`
/// first; `event` is `None` for `EPOLL_CTL_DEL`), then `EBADF` for either descriptor, `EPERM`
/// for a target epoll cannot watch, `EINVAL` for an `epfd` that is not an epoll instance or
/// that is the target itself, `EPOLLEXCLUSIVE` misuse, `ELOOP` for a nesting that loops or goes
/// too deep, and then the operation (`EEXIST`, `ENOENT`, `EINVAL` for an unknown one).
pub fn ctl(epfd: i32, op: Op, fd: i32, event: Option<Event>) -> Result<()> {
    let ep = instance(epfd)?;
    let (ident, target, desc) = target_of(fd)?;
    let Some(ep) = ep else {
        return Err(Errno::EINVAL);
    };
    if Rc::as_ptr(&ep) as usize == ident {
        return Err(Errno::EINVAL);
    }
    let nested = match &desc {
        Some(Desc::Epoll(e)) => Some(Rc::clone(e)),
        _ => None,
    };
    let ev = event.unwrap_or_default();
    if op != Op::Del && ev.events.contains(Events::EXCLUSIVE) {
        let bad = match op {
            Op::Mod => true,
            Op::Add => nested.is_some() || !Events::EXCLUSIVE_OK.contains(ev.events),
            _ => false,
        };
        if bad {
            return Err(Errno::EINVAL);
        }
    }
    if op == Op::Add
        && let Some(inner) = &nested
    {
        check_nesting(&ep, inner)?;
    }
    // Not kept open by the set: the descriptor's object is held weakly by the item.
    drop(desc);
    let mut e = ep.borrow_mut();
    match op {
        Op::Add => e.add(fd, ident, target, ev),
        Op::Mod => e.modify(fd, ident, ev),
        Op::Del => e.delete(fd, ident),
        Op::Unknown => Err(Errno::EINVAL),
    }
}

/// Linux's `ep_loop_check`: adding `inner` to `outer` must not close a loop, nor make a chain of
/// nested instances longer than [`MAX_NESTS`] (counting what `inner` holds below it and what
/// holds `outer` above it). `ELOOP` otherwise.
fn check_nesting(outer: &Rc<RefCell<Epoll>>, inner: &Rc<RefCell<Epoll>>) -> Result<()> {
    let down = depth_below(inner, Rc::as_ptr(outer) as usize, 0);
    if down > MAX_NESTS {
        return Err(Errno::ELOOP);
    }
    if down + 1 + depth_above(Rc::as_ptr(outer) as usize, 0) > MAX_NESTS {
        return Err(Errno::ELOOP);
    }
    Ok(())
}

/// How many levels of epoll instances `e` holds below it (0: none); more than [`MAX_NESTS`]
/// if one of them is `forbidden` (a loop) or the chain is too deep.
fn depth_below(e: &Rc<RefCell<Epoll>>, forbidden: usize, depth: usize) -> usize {
    let mut result = 0;
    for d in e.borrow().objects() {
        if let Desc::Epoll(sub) = d {
            if Rc::as_ptr(&sub) as usize == forbidden || depth > MAX_NESTS {
                return MAX_NESTS + 1;
            }
            result = result.max(depth_below(&sub, forbidden, depth + 1) + 1);
            if result > MAX_NESTS {
                return result;
            }
        }
    }
    result
}

/// How many levels of epoll instances hold the instance `ident` above it.
fn depth_above(ident: usize, depth: usize) -> usize {
    if depth > MAX_NESTS {
        return depth;
    }
    let parents: Vec<Rc<RefCell<Epoll>>> = EPOLLS.with(|l| {
        l.iter()
            .filter_map(Weak::upgrade)
            .filter(|e| e.borrow().watches(ident))
            .collect()
    });
    parents
        .iter()
        .map(|p| depth_above(Rc::as_ptr(p) as usize, depth + 1) + 1)
        .max()
        .unwrap_or(0)
}

/// `epoll_wait(2)` and its forms, in Linux's order: `EBADF`, then the caller's checks of
/// `maxevents` and of the array (`sink`: `EINVAL`, `EFAULT`), `EINVAL` for a descriptor that is
/// not an epoll instance, then the wait (`timeout_ns`: `None` waits for ever, 0 only looks).
pub fn wait(epfd: i32, sink: Result<Sink<'_>>, timeout_ns: Option<u64>) -> Result<usize> {
    let e = instance(epfd)?;
    let mut sink = sink?;
    let e = e.ok_or(Errno::EINVAL)?;
    crate::wait::linger::reap();
    let deadline = timeout_ns.map(|t| match t {
        0 => 0,
        t => crate::wait::now().saturating_add(t),
    });
    e.borrow_mut().wait(&mut sink, deadline)
}

/// Descriptor `d` of the library's was closed (taken out of the table): if it was its object's
/// last, the object's items leave every set, as Linux's `eventpoll_release` does when the file
/// is released. Closing one of several descriptors of an object leaves its items in place.
pub fn closed(d: &Desc) {
    if d.is_last() {
        forget(d.ident());
    }
}

/// A descriptor the library does not hold (stdio) was closed: its items leave every set.
pub fn closed_other(fd: i32) {
    forget(other_ident(fd));
}

fn forget(ident: usize) {
    EPOLLS.with(|l| {
        if l.is_empty() {
            return;
        }
        l.retain(|w| w.strong_count() > 0);
        for e in l.iter().filter_map(Weak::upgrade) {
            e.borrow_mut().forget(ident);
        }
    });
}

/// What `poll` sees of an epoll instance (Linux's `ep_eventpoll_poll`): readable when a wait
/// would report something; never anything else.
pub fn poll_revents(e: &Rc<RefCell<Epoll>>, events: i16) -> i16 {
    if events & POLLIN != 0 && e.borrow_mut().has_events() {
        POLLIN
    } else {
        0
    }
}

/// An instance's wake-ups, for a set that watches it: its items' wake-ups (Linux wakes a
/// watching set with the key `EPOLLIN` whenever one of the items is woken) and its own.
pub fn wakeups(e: &Rc<RefCell<Epoll>>) -> Wakeups {
    let e = e.borrow();
    let latest = e
        .armed()
        .filter_map(|(interest, d)| d.map(|d| seen_by(&d, interest)))
        .max()
        .unwrap_or(0);
    let mut w = e.wake;
    w.input = w.input.max(latest);
    w
}

/// Append the host pollables of an instance's armed items, for a set watching it: the
/// edge-triggered ones (input even behind unread data), since a wake-up of any item is one for
/// the watcher; a look from outside reads ahead what arrived ([`Epoll::has_events`]).
pub fn inner_pollables(e: &Rc<RefCell<Epoll>>, handles: &mut Vec<u32>) {
    let e = e.borrow();
    for item in e.items.iter().flatten().filter(|i| !i.disarmed) {
        match &item.target {
            Target::Obj(w) => {
                if let Some(d) = w.upgrade() {
                    poll::pollables(&d, item.events.to_poll(), true, handles);
                }
            }
            Target::Stdin => handles.push(poll::stdin_handle()),
            Target::Always(_) => {}
        }
    }
}

/// The sockets whose pollables `poll` must watch for an instance (its armed items').
pub fn sockets_to_watch(e: &Rc<RefCell<Epoll>>, out: &mut Vec<(Rc<RefCell<Socket>>, i16)>) {
    let e = e.borrow();
    for (interest, d) in e.armed() {
        if let Some(d) = d {
            poll::sockets_to_watch(&d, interest.to_poll(), out);
        }
    }
}

impl Epoll {
    /// The open objects the set watches.
    fn objects(&self) -> impl Iterator<Item = Desc> + '_ {
        self.items.iter().flatten().filter_map(|i| match &i.target {
            Target::Obj(w) => w.upgrade(),
            _ => None,
        })
    }

    /// Whether the set has an item for the object `ident`.
    fn watches(&self, ident: usize) -> bool {
        self.index
            .range((ident, i32::MIN)..=(ident, i32::MAX))
            .next()
            .is_some()
    }

    /// The armed items' interest and (for the library's objects) their object.
    fn armed(&self) -> impl Iterator<Item = (Events, Option<Desc>)> + '_ {
        self.items
            .iter()
            .flatten()
            .filter(|i| !i.disarmed)
            .map(|i| match &i.target {
                Target::Obj(w) => (i.events, w.upgrade()),
                _ => (i.events, None),
            })
    }
}
