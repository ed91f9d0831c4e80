//! The one place the library waits.
//!
//! WASI sockets never block; a blocking POSIX call is recreated by looping: try the operation,
//! and when the host says "not yet", wait on the matching pollable, bounded by an optional
//! deadline on the monotonic clock. [`Wait`] says how a particular call may wait.

use crate::bindings::wasi::clocks::monotonic_clock;
use crate::bindings::wasi::io::poll::{self, Pollable};
use crate::errno::{Errno, Result};

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
                p.block();
                Ok(())
            }
            Wait::Until(deadline) => {
                if p.ready() {
                    return Ok(());
                }
                if monotonic_clock::now() >= deadline {
                    return Err(Errno::EAGAIN);
                }
                let timer = monotonic_clock::subscribe_instant(deadline);
                let ready = poll::poll(&[p, &timer]);
                drop(timer);
                if ready.contains(&0) {
                    Ok(())
                } else {
                    Err(Errno::EAGAIN)
                }
            }
        }
    }
}
