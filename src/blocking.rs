//! The one place the library waits.
//!
//! WASI sockets never block; a blocking POSIX call is recreated by looping: try the operation,
//! and when the host says "not yet", wait on the matching pollable, bounded by an optional
//! deadline on the monotonic clock. [`Wait`] says how a particular call may wait.

use crate::bindings::wasi::clocks::monotonic_clock;
use crate::bindings::wasi::io::poll::{self, Pollable};
use crate::errno::{Errno, Result};
use crate::global::Global;

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
            Wait::Until(monotonic_clock::now().saturating_add(timeout_ns))
        }
    }

    /// Whether this call may wait at all.
    pub fn may_block(self) -> bool {
        self != Wait::Never
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
                let t0 = monotonic_clock::now();
                crate::socket::block_reaping(p);
                note_wait(monotonic_clock::now() - t0);
                waited();
                Ok(())
            }
            Wait::Until(deadline) => {
                op();
                if p.ready() {
                    return Ok(());
                }
                if monotonic_clock::now() >= deadline {
                    return Err(Errno::EAGAIN);
                }
                let timer = monotonic_clock::subscribe_instant(deadline);
                let ready = crate::socket::wait_reaping(&[p, &timer]);
                drop(timer);
                waited();
                if ready.contains(&0) {
                    Ok(())
                } else {
                    Err(Errno::EAGAIN)
                }
            }
        }
    }
}

impl Wait {
    /// Wait with nothing that could become ready (Linux's `recv` on a UDP socket that has no
    /// port): `EAGAIN` at once, or at the deadline; a blocking call sleeps for good, as on Linux.
    pub fn idle(self) -> Result<()> {
        let timer = match self {
            Wait::Never => return Err(Errno::EAGAIN),
            Wait::Forever => monotonic_clock::subscribe_duration(u64::MAX),
            Wait::Until(deadline) => monotonic_clock::subscribe_instant(deadline),
        };
        crate::socket::block_reaping(&timer);
        drop(timer);
        waited();
        Err(Errno::EAGAIN)
    }
}

/// The longest a wait spins before it blocks.
const SPIN_MAX_NS: u64 = 30_000;

/// A moving average of how long recent waits lasted (nanoseconds): the spin budget's guide.
static WAIT_AVG_NS: Global<u64> = Global::new(SPIN_MAX_NS / 2);

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
    let avg = WAIT_AVG_NS.with(|a| *a);
    if avg >= SPIN_MAX_NS {
        return false;
    }
    let t0 = monotonic_clock::now();
    let mut until = t0 + (2 * avg).clamp(SPIN_MAX_NS / 4, SPIN_MAX_NS);
    if let Some(d) = deadline {
        until = until.min(d);
    }
    loop {
        // The clock is read once per few looks: a look is the cheaper host call.
        for _ in 0..4 {
            if p.ready() {
                note_wait(monotonic_clock::now() - t0);
                waited();
                return true;
            }
        }
        if monotonic_clock::now() >= until {
            return false;
        }
    }
}

/// How many host socket operations may run between two yields to the host's executor.
///
/// wasmtime runs the guest on a fiber inside one outer tokio task, and every host call that
/// checks a socket's readiness (`check-write`, `read`, `accept`, `finish-connect`, a pollable's
/// `ready`, each future inside `poll`) spends that task's cooperative budget: 128 units, about
/// one per successful check. Once it is spent every socket answers "not ready", whatever the
/// kernel says, until the task yields (wasmtime issue #14174). A guest that never blocks never
/// yields: its event loop stalls or spins (one socket's pollable fires, its `check-write` grants
/// nothing) and sockets late in a long poll list starve. So the library yields every 32
/// operations, yields first after any wait (a wait over many ready pollables may have spent the
/// budget), and believes a "not ready" only when it is the first answer after a yield.
const OPS_PER_YIELD: u32 = 32;

static OPS: Global<u32> = Global::new(0);

/// Yield to the host's executor, which replenishes its cooperative budget and lets its I/O
/// driver deliver socket events: poll a zero-duration timer, which wasmtime answers with
/// `yield_now` (wasmtime #13085). Only a new timer yields (wasmtime yields on a zero-duration
/// timer's first poll only), so none is cached.
pub fn host_yield() {
    let due = monotonic_clock::subscribe_duration(0);
    poll::poll(&[&due]);
    drop(due);
    OPS.with(|n| *n = 0);
}

/// Count one host socket operation, yielding first when enough have run since the last yield.
pub fn op() {
    if OPS.with(|n| {
        *n += 1;
        *n > OPS_PER_YIELD
    }) {
        host_yield();
        OPS.with(|n| *n = 1);
    }
}

/// A wait over many pollables has returned: make the next operation yield first (the wait may
/// have spent the host's budget on the pollables that were ready).
pub fn after_wait() {
    OPS.with(|n| *n = OPS_PER_YIELD);
}

/// A wait on one or two pollables has returned: the guest yielded while it waited, as good as
/// [`host_yield`] (the host's budget is fresh and its events are delivered).
pub fn waited() {
    OPS.with(|n| *n = 0);
}

/// The host answered "not ready" to the operation just counted by [`op`]: should the caller ask
/// again? A "not ready" consumed none of the host's budget, so it is uncounted again; what stays
/// counted since the last yield are operations that did something. If enough of those ran, the
/// budget may be what said "not ready": yield and return `true` (ask again). Otherwise the answer
/// stands (`false`). A call that may wait never needs to ask again: its wait yields, and the
/// pollable then tells the truth.
pub fn recheck(wait: Wait) -> bool {
    let busy = OPS.with(|n| {
        *n = n.saturating_sub(1);
        *n >= RECHECK_AFTER_OPS
    });
    if wait.may_block() || !busy {
        return false;
    }
    host_yield();
    true
}

/// How many operations that did something, since the last yield, make a "not ready" worth asking
/// again (the host's budget is 128).
const RECHECK_AFTER_OPS: u32 = 8;
