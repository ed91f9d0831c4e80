//! Receiving: one datagram per call from the socket's queue (read ahead from the host, whole,
//! so `MSG_PEEK`, truncation and `MSG_TRUNC` work as on Linux), `FIONREAD`, and Linux's rules for
//! a receive after `shutdown(SHUT_RD)` or on a socket without a port.

use super::{Received, Udp};
use crate::errno::{Errno, Result};
use crate::iov;
use crate::wait::{self, Wait};
use alloc::vec::Vec;

impl Udp {
    /// `recv`/`recvfrom`/`recvmsg`/`read`: one datagram, truncated to `bufs` (the rest is
    /// discarded unless `peek`). `trunc` (`MSG_TRUNC`): report the datagram's full length.
    pub fn recv(
        &mut self,
        bufs: &mut [&mut [u8]],
        wait: Wait,
        peek: bool,
        trunc: bool,
    ) -> Result<Received> {
        let mut looked_again = false;
        loop {
            if let Some(e) = self.so_error.take() {
                return Err(e);
            }
            {
                let mut rx = self.rx.borrow_mut();
                if let Some(d) = rx.front() {
                    let n = iov::scatter(&d.data, bufs);
                    let r = Received {
                        n: if trunc { d.data.len() } else { n },
                        from: Some(d.from),
                        truncated: n < d.data.len(),
                    };
                    if !peek {
                        rx.pop_front();
                        self.taken += 1;
                    }
                    return Ok(r);
                }
            }
            if self.rd_shut {
                // Linux's UDP keeps queueing after `shutdown(SHUT_RD)` and delivers what is
                // queued; with nothing there a blocking receive returns 0 at once (its wait
                // sees RCV_SHUTDOWN), a non-blocking one is EAGAIN (it never waits, so never
                // looks): `__skb_recv_udp`. (It said 0 and dropped queued datagrams: found by
                // tests/fuzz/diff.c.)
                if self.bound.is_some() && self.pull()? {
                    continue;
                }
                if wait.may_block() {
                    return Ok(Received {
                        n: 0,
                        from: None,
                        truncated: false,
                    });
                }
                if !looked_again {
                    looked_again = true;
                    wait::host_yield();
                    continue;
                }
                return Err(Errno::EAGAIN);
            }
            if self.bound.is_none() {
                // Nothing can arrive at a socket without a port: Linux waits in vain.
                wait.idle()?;
                continue;
            }
            if self.pull()? {
                continue;
            }
            if wait::recheck(wait) {
                continue;
            }
            if !wait.may_block() && !looked_again {
                // A datagram the kernel already holds reaches the host's event loop a few
                // microseconds later (measured: 72% at the first look, 97% after one yield).
                // Linux's loopback has it at once; one yield before EAGAIN narrows the gap.
                looked_again = true;
                wait::host_yield();
                continue;
            }
            let mut ps = Vec::new();
            self.in_pollables(&mut ps);
            if ps.is_empty() {
                wait.idle()?;
                continue;
            }
            wait.on_any(&ps)?;
        }
    }

    /// `FIONREAD`: the length of the next datagram (0 if none), as Linux's `SIOCINQ` on UDP.
    pub fn readable_now(&mut self) -> usize {
        if self.rx.borrow().is_empty() {
            self.read_ahead();
        }
        self.rx.borrow().front().map_or(0, |d| d.data.len())
    }
}
