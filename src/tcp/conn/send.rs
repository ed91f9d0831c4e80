//! Writing: `send` in pieces the host's `check-write` grants, and what a closed connection's
//! write still in flight means for `close` and `poll`.

use super::Conn;
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::io::streams::StreamError;
use crate::errno::{Errno, Result};
use crate::iov::{advance, gather};
use crate::wait::{self, Wait, host};
use crate::wasi::stream_error_errno;
use alloc::vec::Vec;

/// Up to this size (the host's limit for `blocking-write-and-flush`) a blocking send is one
/// host call.
const SMALL_SEND: usize = 4096;

/// How long a non-blocking send on a new connection waits for the host's first write permit.
///
/// A new connection's send buffer is empty, so Linux takes the first bytes at once and `poll`
/// reports it writable. wasmtime grants `check-write` only once its I/O driver has seen the
/// socket writable, which now and then lags the connection; so a connection the host has never
/// granted a write counts as writable, and its first send waits this long at most for the grant.
const FIRST_PERMIT_WAIT_NS: u64 = 100_000_000;

impl Conn {
    /// `send`: write `bufs` (`total` bytes) in pieces no larger than the host's `check-write`
    /// permit; with a blocking `wait`, all of it (or up to the deadline), else what fits now.
    pub(in crate::tcp) fn send(
        &mut self,
        bufs: &[&[u8]],
        total: usize,
        wait: Wait,
        scratch: &mut Vec<u8>,
    ) -> Result<usize> {
        // (`shutdown(SHUT_WR)` is refused by `Tcp::send`: the bytes held before it still go.)
        if self.reset || self.fin_sent {
            return Err(Errno::EPIPE);
        }
        if wait == Wait::Forever && total <= SMALL_SEND {
            // One host call instead of check-write + write: the host waits for the permit
            // itself, as a blocking send would.
            let data = crate::iov::contiguous(bufs, scratch);
            return match host::blocking_write_and_flush(&self.output, data) {
                Ok(()) => {
                    self.permitted = true;
                    self.unflushed = false;
                    // A request went out: its answer is not here yet.
                    self.flowing = false;
                    Ok(total)
                }
                Err(e) => Err(self.write_errno(e)),
            };
        }
        let mut sent = 0;
        let (mut idx, mut off) = (0, 0);
        let partial = |sent: usize, e: Errno| if sent > 0 { Ok(sent) } else { Err(e) };
        // The wait for the first permit has one deadline for the whole call, taken when needed.
        let mut first_permit = None;
        while sent < total {
            let permit = match self.check_write() {
                Ok(0) if wait::recheck(wait) => continue,
                Ok(0) => {
                    let w = if self.permitted || wait.may_block() {
                        wait
                    } else {
                        *first_permit.get_or_insert_with(|| Wait::new(false, FIRST_PERMIT_WAIT_NS))
                    };
                    match w.on(&self.out_poll) {
                        Ok(()) => continue,
                        Err(e) => return partial(sent, e),
                    }
                }
                Ok(n) => {
                    self.permitted = true;
                    self.unflushed = false;
                    usize::try_from(n).unwrap_or(usize::MAX).min(total - sent)
                }
                Err(e) => return partial(sent, self.write_errno(e)),
            };
            while bufs[idx].len() == off {
                idx += 1;
                off = 0;
            }
            // A piece at least as large as the permit goes straight from the caller's buffer;
            // smaller pieces are coalesced so each host write is as large as allowed.
            let chunk: &[u8] = if bufs[idx].len() - off >= permit {
                &bufs[idx][off..off + permit]
            } else {
                gather(bufs, idx, off, permit, scratch);
                scratch
            };
            if let Err(e) = host::write(&self.output, chunk) {
                return partial(sent, self.write_errno(e));
            }
            self.unflushed = true;
            sent += chunk.len();
            (idx, off) = advance(bufs, idx, off, chunk.len());
        }
        Ok(sent)
    }

    fn write_errno(&mut self, e: StreamError) -> Errno {
        match e {
            // The host closed the stream: we shut down writing, or the peer is gone.
            StreamError::Closed => Errno::EPIPE,
            StreamError::LastOperationFailed(e) => {
                if !self.reset {
                    self.wake.any();
                }
                self.reset = true;
                stream_error_errno(&e)
            }
        }
    }

    /// Whether the host is still writing earlier data (it grants no permit, and the stream has
    /// not failed; after a `shutdown(SHUT_WR)` too).
    pub(in crate::tcp) fn write_in_flight(&mut self, patient: bool) -> bool {
        // After our FIN too: the host sends it behind the write in flight, and dropping the
        // stream before that write ends blocks in the host (a peer that never reads: forever).
        if self.reset || !self.unflushed {
            return false;
        }
        let in_flight = matches!(host::check_write(&self.output), Ok(0))
            && (!patient || {
                // The host's budget may be what said 0: ask again after a yield.
                wait::host_yield();
                matches!(host::check_write(&self.output), Ok(0))
            });
        self.unflushed = in_flight;
        in_flight
    }

    /// The output stream's pollable (to wait for an in-flight write).
    pub(in crate::tcp) fn out_pollable(&self) -> &Pollable {
        &self.out_poll
    }

    /// Whether the host grants a write now (or the stream failed, which a write then reports).
    pub(super) fn can_write(&mut self) -> bool {
        match self.check_write() {
            Ok(0) if wait::recheck(Wait::Never) => !matches!(self.check_write(), Ok(0)),
            Ok(0) => false,
            Ok(_) => {
                self.permitted = true;
                self.unflushed = false;
                true
            }
            Err(_) => true,
        }
    }
}
