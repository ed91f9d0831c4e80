//! Wake-ups: when an object last had an event Linux treats as a wake-up of its waiters.
//!
//! Linux wakes a file's waiters (`wake_up_poll`) on every event that may make it ready: data or a
//! connection arriving (with the key `EPOLLIN`), send space freed after the sender ran out
//! (`EPOLLOUT`), a state change, an error or a hang-up (no key, or `EPOLLERR`/`EPOLLHUP`: every
//! waiter). An edge-triggered epoll item reports only after such a wake-up whose key it is
//! interested in (`ep_poll_callback`), so every descriptor kind records its wake-ups here, by key.
//!
//! A record holds, per key, a stamp from one library-wide counter: the stamp of the kind's latest
//! wake-up of that key. An observer keeps the value [`Wakeups::seen_by`] gave it and compares:
//! any difference means at least one wake-up since. Stamps never repeat, so a record that loses a
//! part (a connection's record going with the connection) can look changed, never unchanged.
//!
//! Host sockets record what the library observes of the host (bytes read, end of stream, a reset,
//! a write permit after none, a connect's outcome, a new pending connection); in-guest kinds
//! record the events themselves, exactly as Linux would wake.

use crate::global::Global;

/// The last stamp handed out.
static STAMP: Global<u64> = Global::new("wakeup::STAMP", 0);

fn stamp() -> u64 {
    STAMP.with(|s| {
        *s += 1;
        *s
    })
}

/// The last stamp handed out: it moves whenever any object anywhere had a wake-up, so a waiter
/// that remembers it knows whether anything woke since (an epoll wait answered from its ready
/// list looks at the rest of its set only then).
pub fn current() -> u64 {
    STAMP.with(|s| *s)
}

/// Note a wake-up of a kind that counts its own (a channel end): moves [`current`].
pub fn touch() {
    stamp();
}

/// A new stamp, for a kind that notices its wake-ups lazily (a UDP socket's arrivals, counted
/// from its queue).
pub fn fresh() -> u64 {
    stamp()
}

/// When an object last woke its waiters, by the wake-up's key (0: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wakeups {
    /// Something arrived to read (data, a datagram, a connection): key `EPOLLIN`.
    pub input: u64,
    /// Room to write again after the writer ran out: key `EPOLLOUT`.
    pub output: u64,
    /// A state change, an error or a hang-up: every waiter.
    pub any: u64,
}

impl Wakeups {
    /// Record a wake-up with the key `EPOLLIN`.
    pub fn input(&mut self) {
        self.input = stamp();
    }

    /// Record a wake-up with the key `EPOLLOUT`.
    pub fn output(&mut self) {
        self.output = stamp();
    }

    /// Record a wake-up every waiter sees (state change, error, hang-up).
    pub fn any(&mut self) {
        self.any = stamp();
    }

    /// The latest of each key in `self` and `other` (an object whose record lives in two parts).
    pub fn join(self, other: Wakeups) -> Wakeups {
        Wakeups {
            input: self.input.max(other.input),
            output: self.output.max(other.output),
            any: self.any.max(other.any),
        }
    }

    /// The latest wake-up a waiter interested in input and/or output sees (one that asked for
    /// neither still sees errors and hang-ups, as Linux's epoll items always do).
    pub fn seen_by(&self, input: bool, output: bool) -> u64 {
        let mut v = self.any;
        if input {
            v = v.max(self.input);
        }
        if output {
            v = v.max(self.output);
        }
        v
    }
}
