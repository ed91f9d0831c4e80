//! Readiness: what `poll` and epoll report for a connection (Linux's `tcp_poll`), after reading
//! ahead, and the host pollables a wait watches.

use super::{ABSORB_MAX, Conn, FILL_CHUNK, PEEK_PAST_MAX};
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::io::streams::StreamError;
use crate::errno::Errno;
use crate::inet::Ready;
use crate::wait::host;
use crate::wasi::stream_error_errno;

impl Conn {
    /// Read ahead everything the host holds now (appending, up to [`ABSORB_MAX`]), so that what
    /// arrived is recorded as a wake-up and the input pollable stops firing: an edge-triggered
    /// look, which must see each arrival even behind unread bytes, and end of stream right
    /// behind data (`EPOLLRDHUP`). After `shutdown(SHUT_RD)` too: Linux still queues then.
    pub(in crate::tcp) fn absorb(&mut self, so_error: &mut Option<Errno>) {
        while self.buffered() < ABSORB_MAX
            && !self.eof
            && !self.in_closed
            && !self.reset
            && host::ready(&self.in_poll)
        {
            if self.rx_pos > 0 {
                self.rx.drain(..self.rx_pos);
                self.rx_pos = 0;
            }
            // The pollable said ready: read (a read-ahead's size, see FILL_CHUNK).
            match self.host_read(FILL_CHUNK, true) {
                Ok(data) if data.is_empty() => break,
                Ok(data) if self.rx.is_empty() => self.rx = data,
                Ok(data) => self.rx.extend_from_slice(&data),
                Err(StreamError::Closed) => self.eof = true,
                Err(StreamError::LastOperationFailed(e)) => {
                    self.reset = true;
                    *so_error = Some(stream_error_errno(&e));
                }
            }
        }
    }

    /// Readiness, as Linux's `tcp_poll` computes it, after reading ahead (everything there is,
    /// with `absorb`; see [`Conn::absorb`]). Writability is asked of the host only when
    /// `want_out` (`poll` reports POLLOUT only when requested).
    pub(in crate::tcp) fn ready(
        &mut self,
        so_error: &mut Option<Errno>,
        want_out: bool,
        absorb: bool,
    ) -> Ready {
        if absorb {
            self.absorb(so_error);
        } else {
            self.fill(so_error);
            if self.buffered() > 0 && self.buffered() < PEEK_PAST_MAX && !self.eof && !self.reset {
                // Linux knows of a FIN queued behind unread data (POLLRDHUP, and POLLHUP once
                // shut for writing): look past the data, once (found by tests/fuzz/diff.c).
                self.read_more(so_error);
            }
        }
        // Writable means what `send` will find: a write permit from `check-write` (asking grants
        // nothing and consumes nothing). The output pollable is only for waiting: it can be
        // ready while `check-write` still grants 0, and a `poll` trusting it could hand the
        // program POLLOUT, EAGAIN, POLLOUT, ...
        // A connection the host has never granted a write is writable (see
        // FIRST_PERMIT_WAIT_NS).
        let output =
            want_out && (self.wr_shut || self.reset || !self.permitted || self.can_write());
        let rcv_shut = self.eof || self.rd_shut;
        Ready {
            input: self.buffered() > 0 || rcv_shut || self.reset || so_error.is_some(),
            output,
            hup: self.reset || (rcv_shut && self.wr_shut),
            err: so_error.is_some(),
            rdhup: rcv_shut || self.reset,
        }
    }

    /// The pollables to wait on. The input stream is watched whenever a read could tell something
    /// new (nothing buffered, stream open), whether or not input was asked for, because hang-ups
    /// and errors are always reported; once something is buffered it is not, so an unrequested
    /// byte never makes `poll` spin. With `want_rdhup` it is watched behind unread bytes too (up
    /// to `ABSORB_MAX`, as an edge-triggered watcher does): the FIN after them is what the caller
    /// waits for, and a look with RDHUP asked reads ahead everything that arrived, so the
    /// pollable stops firing. The output stream is watched when output was asked for.
    pub(in crate::tcp) fn pollables<'a>(
        &'a self,
        want_out: bool,
        want_rdhup: bool,
        out: &mut impl Extend<&'a Pollable>,
    ) {
        let input_open = !self.eof && !self.rd_shut && !self.reset && !self.in_closed;
        let news = self.buffered() == 0 || (want_rdhup && self.buffered() < ABSORB_MAX);
        if input_open && news {
            out.extend([&self.in_poll]);
        }
        if want_out && !self.wr_shut && !self.reset {
            out.extend([&self.out_poll]);
        }
    }

    /// The pollables an edge-triggered watcher waits on: input whenever more could arrive (even
    /// behind unread bytes, up to [`ABSORB_MAX`]), output only once the host has refused a write
    /// (a writable connection has no edge to wait for).
    pub(in crate::tcp) fn edge_pollables<'a>(
        &'a self,
        want_out: bool,
        out: &mut impl Extend<&'a Pollable>,
    ) {
        if self.buffered() < ABSORB_MAX && !self.eof && !self.in_closed && !self.reset {
            out.extend([&self.in_poll]);
        }
        if want_out && self.nospace && !self.wr_shut && !self.reset {
            out.extend([&self.out_poll]);
        }
    }
}
