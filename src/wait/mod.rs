//! The waiting layer: the one place the library waits, and the only module that calls
//! `Pollable::block` and `wasi:io/poll.poll` (`clippy.toml` forbids them everywhere else).
//!
//! WASI sockets never block; a blocking POSIX call is recreated by looping: try the operation,
//! and when the host says "not yet", wait on the matching pollable, bounded by an optional
//! deadline on the monotonic clock. [`Wait`] says how a particular call may wait. Every wait
//! also watches the sockets closed with writes still in flight ([`linger`]) and lets them go as
//! their writes end, and keeps the host's cooperative budget fresh ([`host`]).

pub mod host;
pub mod linger;
pub mod unflushed;

use crate::bindings::wasi::clocks::monotonic_clock;
use crate::bindings::wasi::io::poll::{self, Pollable};
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::errno::{Errno, Result};
use crate::global::Global;
use crate::trace;
use alloc::vec::Vec;

pub use host::{host_yield, recheck};

/// How long a call may wait for readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Never: a non-blocking socket or `MSG_DONTWAIT`; "not ready" is `EAGAIN`.
    Never,
    /// Until ready.
    Forever,
    /// Until ready or the monotonic clock reaches this instant (nanoseconds); then `EAGAIN`.
    Until(u64),
}

impl Wait {
    /// The policy for a call on a socket: non-blocking wins, then a timeout (`SO_RCVTIMEO` /
    /// `SO_SNDTIMEO`, in nanoseconds, 0 meaning none, as on Linux) starts counting now.
    pub fn new(nonblocking: bool, timeout_ns: u64) -> Wait {
        if nonblocking {
            Wait::Never
        } else if timeout_ns == 0 {
            Wait::Forever
        } else {
            Wait::Until(now().saturating_add(timeout_ns))
        }
    }

    /// A deadline `ns` nanoseconds from now.
    pub fn for_ns(ns: u64) -> Wait {
        Wait::Until(now().saturating_add(ns))
    }

    /// Whether this call may wait at all.
    pub fn may_block(self) -> bool {
        self != Wait::Never
    }

    /// The deadline, if any (`None` for both `Never` and `Forever`).
    fn deadline(self) -> Option<u64> {
        match self {
            Wait::Until(d) => Some(d),
            _ => None,
        }
    }

    /// Wait until `p` is ready. `Err(EAGAIN)` if this call may not wait or the deadline passed
    /// first.
    pub fn on(self, p: &Pollable) -> Result<()> {
        match self {
            Wait::Never => Err(Errno::EAGAIN),
            Wait::Forever => {
                if spin(p, None) {
                    return Ok(());
                }
                let t0 = now();
                block_on(p);
                note_wait(now() - t0);
                host::waited();
                Ok(())
            }
            Wait::Until(deadline) => {
                if host::ready(p) {
                    return Ok(());
                }
                if now() >= deadline {
                    return Err(Errno::EAGAIN);
                }
                let ready = any(&[p], Some(deadline));
                host::waited();
                if ready.contains(&0) {
                    Ok(())
                } else {
                    Err(Errno::EAGAIN)
                }
            }
        }
    }

    /// Wait until one of `ps` is ready (a dual-stack socket's two host sockets). As [`Self::on`].
    pub fn on_any(self, ps: &[&Pollable]) -> Result<()> {
        if let [p] = ps {
            return self.on(p);
        }
        if self == Wait::Never {
            return Err(Errno::EAGAIN);
        }
        if ps.iter().any(|p| host::ready(p)) {
            return Ok(());
        }
        if self.deadline().is_some_and(|d| now() >= d) {
            return Err(Errno::EAGAIN);
        }
        if spin_any(ps, self.deadline()) {
            return Ok(());
        }
        let t0 = now();
        let ready = any(ps, self.deadline());
        note_wait(now() - t0);
        host::waited();
        if ready.is_empty() {
            Err(Errno::EAGAIN)
        } else {
            Ok(())
        }
    }

    /// Wait with nothing that could become ready (Linux's `recv` on a UDP socket that has no
    /// port): `EAGAIN` at once, or at the deadline; a blocking call sleeps for good, as on Linux.
    pub fn idle(self) -> Result<()> {
        if self == Wait::Never {
            return Err(Errno::EAGAIN);
        }
        let timer = timer(self.deadline());
        block_on(&timer);
        drop(timer);
        host::waited();
        Err(Errno::EAGAIN)
    }
}

/// The monotonic clock, in nanoseconds.
pub fn now() -> u64 {
    monotonic_clock::now()
}

/// A timer pollable that fires at `deadline`, or (none) practically never.
fn timer(deadline: Option<u64>) -> Pollable {
    match deadline {
        Some(d) => monotonic_clock::subscribe_instant(d),
        None => monotonic_clock::subscribe_duration(u64::MAX),
    }
}

/// Block until one of `ps` is ready or `deadline` passes (`None`: no deadline), watching and
/// reaping lingering sockets meanwhile. Returns the indexes of `ps` that are ready (empty when
/// the deadline passed first). The host's budget counts as spent: the next operation yields.
pub fn any(ps: &[&Pollable], deadline: Option<u64>) -> Vec<u32> {
    unflushed::flush(None);
    let t0 = trace::enabled().then(now);
    // Nothing to watch and no deadline (a `poll` of channels alone, which only the program
    // itself could change): sleep for good, on a timer, since the host refuses an empty poll.
    let t = (deadline.is_some() || ps.is_empty()).then(|| timer(deadline));
    let mut list: Vec<&Pollable> = ps.to_vec();
    list.extend(t.as_ref());
    loop {
        let mut ready = linger::poll_reaping(&list);
        if ready.is_empty() {
            continue;
        }
        host::after_wait();
        ready.retain(|&i| (i as usize) < ps.len());
        if let Some(t0) = t0 {
            trace::wait(ps.len(), now() - t0, !ready.is_empty());
        }
        return ready;
    }
}

/// [`any`] over raw pollable handles, for a caller that keeps its list from wait to wait (an
/// epoll instance: thousands of pollables, gathered into the same buffer every time): blocks
/// until one of `handles` is ready or `deadline` passes, and leaves the ready indexes in
/// `ready` (empty when the deadline passed first). `handles` is borrowed as scratch space
/// (the timer's and lingering sockets' handles go at its end) and given back as it was. No
/// allocation when the buffers' capacities suffice: the host's result lands in `ready`.
///
/// Every handle must be a live pollable of the caller's for the duration of the call.
pub fn any_handles(handles: &mut Vec<u32>, deadline: Option<u64>, ready: &mut Vec<u32>) {
    unflushed::flush(None);
    let t0 = trace::enabled().then(now);
    let n = handles.len();
    // Nothing that could ever become ready and no deadline: Linux sleeps for good; so does the
    // host on a timer that never fires (it refuses an empty list).
    let t = match deadline {
        None if n == 0 => Some(timer(None)),
        d => d.map(monotonic_clock::subscribe_instant),
    };
    handles.extend(t.as_ref().map(Pollable::handle));
    let listed = handles.len();
    loop {
        if unflushed::is_empty() {
            linger::push_handles(handles);
            poll_raw(handles, ready);
        } else {
            // Connections holding bytes for the host: their output pollables too (the wait may
            // be for an answer to those very bytes), borrowed while the host looks at them.
            let mut held = Vec::new();
            {
                let unflushed = unflushed::guards(&mut held);
                handles.extend(
                    unflushed
                        .iter()
                        .filter_map(|s| s.out_pollable())
                        .map(Pollable::handle),
                );
                linger::push_handles(handles);
                poll_raw(handles, ready);
            }
            drop(held);
            unflushed::flush(None);
        }
        handles.truncate(listed);
        ready.retain(|&i| (i as usize) < listed);
        linger::reap();
        if !ready.is_empty() {
            break;
        }
        // Only a closed socket progressed (see `linger::poll_reaping`).
        host_yield();
    }
    handles.truncate(n);
    drop(t);
    host::after_wait_ready(ready.len());
    ready.retain(|&i| (i as usize) < n);
    if let Some(t0) = t0 {
        trace::wait(n, now() - t0, !ready.is_empty());
    }
}

/// Spin up to `budget_ns` on raw pollable handles (an epoll set's items that were ready a moment
/// ago), the way [`Wait::on`] spins on one pollable before it blocks: when an answer is a few
/// microseconds away, looking at a handful of pollables finds it for far less than a wait over a
/// whole set costs the host. Returns whether one of them became ready.
///
/// Every handle must be a live pollable of the caller's for the duration of the call.
pub fn spin_handles(handles: &[u32], budget_ns: u64) -> bool {
    if handles.is_empty() || budget_ns == 0 {
        return false;
    }
    let until = now().saturating_add(budget_ns);
    loop {
        // The clock is read once per few looks: a look is the cheaper host call.
        for _ in 0..4 {
            for &h in handles {
                // SAFETY: a live pollable of the caller's (the contract), borrowed for one
                // call and never dropped here (ManuallyDrop).
                let p = core::mem::ManuallyDrop::new(unsafe { Pollable::from_handle(h) });
                if host::ready_uncounted(&p) {
                    return true;
                }
            }
        }
        if now() >= until {
            return false;
        }
    }
}

/// `wasi:io/poll.poll` on raw handles, its result landing in `ready` (see
/// [`crate::landing::into_u32s`]). The generated binding would allocate a lowered copy of the
/// list and a result list on every call.
#[allow(clippy::disallowed_methods)] // this is the waiting layer
fn poll_raw(handles: &[u32], ready: &mut Vec<u32>) {
    #[link(wasm_import_module = "wasi:io/poll@0.2.12")]
    unsafe extern "C" {
        #[link_name = "poll"]
        fn wasi_io_poll(ptr: *const u32, len: usize, ret: *mut [usize; 2]);
    }
    crate::landing::into_u32s(ready, || {
        let mut ret = [0usize; 2];
        // SAFETY: `handles` are live pollables (the caller's contract), passed as the
        // canonical ABI's `list<borrow<pollable>>` (pointer, length); the result is written to
        // `ret` as (pointer, length) of a `list<u32>` the host allocated through cabi_realloc.
        unsafe { wasi_io_poll(handles.as_ptr(), handles.len(), &mut ret) };
        (ret[0] as *mut u32, ret[1])
    });
}

/// Block until `p` is ready (as `p.block()`), dropping lingering sockets as their writes end.
fn block_on(p: &Pollable) {
    unflushed::flush(None);
    let t0 = trace::enabled().then(now);
    if linger::is_empty() && unflushed::is_empty() {
        #[allow(clippy::disallowed_methods)] // this is the waiting layer
        p.block();
    } else {
        while linger::poll_reaping(&[p]).is_empty() {}
    }
    if let Some(t0) = t0 {
        trace::wait(1, now() - t0, true);
    }
}

/// `wasi:io/poll.poll`, for [`linger`] (which adds its own pollables).
#[allow(clippy::disallowed_methods)] // this is the waiting layer
fn poll_host(ps: &[&Pollable]) -> Vec<u32> {
    poll::poll(ps)
}

/// Sleep for `ns` nanoseconds.
pub fn sleep(ns: u64) {
    let t = monotonic_clock::subscribe_duration(ns);
    block_on(&t);
    host::waited();
}

/// Drive a `finish-*` call (bind, listen) to completion, waiting on the socket's pollable
/// while it would block. Hosts finish at once; the loop is for hosts that do not.
pub fn finish<T>(
    p: &Pollable,
    mut op: impl FnMut() -> core::result::Result<T, ErrorCode>,
) -> core::result::Result<T, ErrorCode> {
    loop {
        match op() {
            Err(ErrorCode::WouldBlock) => block_on(p),
            other => return other,
        }
    }
}

/// The longest a wait spins before it blocks.
const SPIN_MAX_NS: u64 = 30_000;

/// A moving average of how long recent waits lasted (nanoseconds): the spin budget's guide.
static WAIT_AVG_NS: Global<u64> = Global::new("wait::WAIT_AVG_NS", SPIN_MAX_NS / 2);

fn note_wait(ns: u64) {
    // Weight 1/8: a few long waits turn spinning off, a few short ones turn it back on.
    WAIT_AVG_NS.with(|a| *a = (*a * 7 + ns.min(10 * SPIN_MAX_NS)) / 8);
}

/// Spin on `p` for a short while before blocking, when recent waits were short.
///
/// A blocked guest wakes through the host's event loop and a thread hand-off: about 15 us on
/// the machines measured, half a loopback round trip. When waits are short (request/response
/// traffic) watching the pollable for a moment finds the data without that cost; when they are
/// long (an idle socket) the average says so and the wait blocks at once. The spin never passes
/// `deadline`. Returns whether `p` became ready.
fn spin(p: &Pollable, deadline: Option<u64>) -> bool {
    spin_any(&[p], deadline)
}

/// [`spin`] on several pollables: whether one became ready.
fn spin_any(ps: &[&Pollable], deadline: Option<u64>) -> bool {
    let avg = WAIT_AVG_NS.with(|a| *a);
    if avg >= SPIN_MAX_NS {
        return false;
    }
    let t0 = now();
    let mut until = t0 + (2 * avg).clamp(SPIN_MAX_NS / 4, SPIN_MAX_NS);
    if let Some(d) = deadline {
        until = until.min(d);
    }
    loop {
        // The clock is read once per few looks: a look is the cheaper host call.
        for _ in 0..4 {
            if ps.iter().any(|p| host::ready_uncounted(p)) {
                note_wait(now() - t0);
                host::waited();
                return true;
            }
        }
        if now() >= until {
            return false;
        }
    }
}
