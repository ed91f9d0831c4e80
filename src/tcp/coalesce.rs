//! Coalescing small writes, for connections whose program asked for low latency (`TCP_NODELAY`,
//! `TCP_CORK`, `MSG_MORE`).
//!
//! wasi:sockets 0.2 has no Nagle control and hosts leave Nagle on, so a program that writes a
//! reply in two pieces (a header, then a body) and then waits for the next request has its second
//! piece held by Nagle until the first is acknowledged, which the peer delays (40 ms on Linux):
//! 25 requests a second per connection. The same program on Linux turns Nagle off with
//! `TCP_NODELAY` and never waits.
//!
//! What a guest library can do: hand the host the burst as one write, so the kernel sends it in
//! one segment with nothing in flight and Nagle has nothing to hold. A small `send` on such a
//! connection is accepted into [`Tcp::pending`] (it returns its length, as a send the kernel
//! buffered does); the bytes go to the host, together, at the program's next call into the
//! library (any call: every descriptor lookup flushes, see `crate::fd::lookup`), before any
//! wait of the library, when a send would take them past [`COALESCE_MAX`], at `shutdown` and
//! `close`, and at exit. A `shutdown(SHUT_WR)` whose held bytes the host cannot take yet (a
//! peer that does not read) returns at once, as Linux's does, and its FIN follows the last of
//! them.
//!
//! The limit: a program that sends and then computes for a long time without calling the
//! library holds its bytes for that long (Linux would have sent them). An error the host reports
//! for a flushed write arrives as the socket's pending error (`SO_ERROR`, the next call), as an
//! error Linux finds after `send` returned does.

use super::{State, Tcp};
use crate::errno::{Errno, Result};
use crate::wait::Wait;
use alloc::vec::Vec;

/// The most bytes held for one connection: one host write's worth (`check-write` grants at most
/// 64 KiB).
pub const COALESCE_MAX: usize = 64 * 1024;

impl Tcp {
    /// Hold `bufs` to send with the next ones, if they fit: `Some(total)` when held. Only on a
    /// connection that can take data now (a reset or shut-down one reports its error through
    /// the ordinary send).
    pub(super) fn try_hold(&mut self, bufs: &[&[u8]], total: usize) -> Option<usize> {
        let State::Connected { conn, .. } = &self.state else {
            return None;
        };
        if conn.wr_shut || conn.reset || self.pending.len() + total > COALESCE_MAX {
            return None;
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve(COALESCE_MAX.min(4096));
        }
        bufs.iter().for_each(|b| self.pending.extend_from_slice(b));
        Some(total)
    }

    /// Whether bytes wait to go to the host.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Hand the held bytes to the host, waiting as `wait` allows. What the host does not take
    /// stays held. A failure becomes the socket's pending error (`send` already returned).
    pub fn flush(&mut self, wait: Wait) {
        if self.pending.is_empty() {
            return;
        }
        let held = core::mem::take(&mut self.pending);
        let r = self.send_held(&[&held], held.len(), wait);
        if crate::trace::enabled() {
            crate::trace::line(format_args!(
                "  flush {} held bytes: {}",
                held.len(),
                crate::trace::Outcome(&r)
            ));
        }
        match r {
            Ok(n) if n < held.len() => self.pending = held[n..].to_vec(),
            Ok(_) => {
                self.pending = recycle(held);
                // A `shutdown(SHUT_WR)` made while bytes were held: its FIN goes now.
                self.send_held_fin();
            }
            Err(Errno::EAGAIN) => self.pending = held,
            Err(e) => {
                self.so_error.get_or_insert(e);
            }
        }
    }

    /// Send `bufs` after the held bytes, as one write: the bytes of `bufs` that went (the held
    /// ones first; `EAGAIN` if none of `bufs` did).
    pub(super) fn send_after_held(
        &mut self,
        bufs: &[&[u8]],
        total: usize,
        wait: Wait,
    ) -> Result<usize> {
        let held = core::mem::take(&mut self.pending);
        let mut all: Vec<&[u8]> = Vec::with_capacity(bufs.len() + 1);
        all.push(&held);
        all.extend_from_slice(bufs);
        let r = self.send_held(&all, held.len() + total, wait);
        match r {
            Ok(n) if n > held.len() => {
                let sent = n - held.len();
                self.pending = recycle(held);
                Ok(sent)
            }
            Ok(n) => {
                self.pending = held[n..].to_vec();
                Err(Errno::EAGAIN)
            }
            Err(e) => {
                self.pending = held;
                Err(e)
            }
        }
    }
}

/// The buffer emptied, its memory kept for the next burst.
fn recycle(mut v: Vec<u8>) -> Vec<u8> {
    v.clear();
    v
}
