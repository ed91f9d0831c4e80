//! An established TCP connection: its streams, a read-ahead buffer, and the Linux-visible
//! shutdown/reset flags.
//!
//! WASI reveals end-of-stream and connection errors only to a read. Linux's `poll` reports them
//! (POLLHUP, POLLERR) without consuming data, so `poll` reads ahead into [`Conn::rx`] when the
//! stream is readable; `recv` serves that buffer first. (`MSG_PEEK` and `FIONREAD` build on it.)

use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::io::streams::{InputStream, OutputStream, StreamError};
use crate::errno::{Errno, Result};
use crate::iov::{remaining, scatter};
use crate::wait::{self, Wait, host};
use crate::wakeup::Wakeups;
use crate::wasi::stream_error_errno;
use alloc::vec::Vec;

mod ready;
mod send;

/// The most a single host read asks for (wasmtime's own cap is 64 KiB).
const READ_CHUNK: u64 = 64 * 1024;

/// The smallest caller buffer a read goes into directly (smaller ones take a copy, so a read is
/// not cut short by a tiny first iovec).
const LAND_MIN: usize = 4096;

/// What a read-ahead for `poll` asks for. wasmtime zeroes a buffer of the requested size before
/// it reads (even when nothing is there), so a read-ahead asks for less than a `recv` would.
const FILL_CHUNK: u64 = 16 * 1024;

/// `poll` reads past unread data (to see a FIN behind it) only while less than this is held.
const PEEK_PAST_MAX: usize = 256 * 1024;

/// The most an edge-triggered look reads ahead ([`Conn::absorb`]): past it the connection stops
/// watching its input, as a full receive buffer stops the sender on Linux.
const ABSORB_MAX: usize = 256 * 1024;

/// An established connection.
pub(super) struct Conn {
    // Drop order: pollables, then the streams they watch (children before parents).
    in_poll: Pollable,
    out_poll: Pollable,
    input: InputStream,
    output: OutputStream,
    /// Bytes read from the host and not yet delivered (`rx[rx_pos..]`).
    rx: Vec<u8>,
    rx_pos: usize,
    /// The host stream ended: the peer's FIN was read (Linux sets `RCV_SHUTDOWN` then too).
    pub(super) eof: bool,
    /// `shutdown(SHUT_RD)` (Linux `RCV_SHUTDOWN`). Emulated: Linux sends nothing and still
    /// queues what arrives, which `recv` returns; only an empty queue then reads as end of
    /// stream instead of waiting. So the host stream stays open and is still read.
    pub(super) rd_shut: bool,
    /// Linux `SEND_SHUTDOWN`: `shutdown(SHUT_WR)` (also set, with no FIN, by a `shutdown` made
    /// before the connection existed: Linux keeps the flag).
    pub(super) wr_shut: bool,
    /// The host reported the connection failed (reset, aborted, ...): Linux `TCP_CLOSE`.
    pub(super) reset: bool,
    /// Our FIN went out (`shutdown(SHUT_WR)` at the host).
    pub(super) fin_sent: bool,
    /// The host's input is shut (see `Tcp::shutdown`): nothing more is read from it.
    pub(super) in_closed: bool,
    /// The host has granted a write permit at least once (see [`FIRST_PERMIT_WAIT_NS`]).
    permitted: bool,
    /// The last host read returned data: the next is likely to as well.
    flowing: bool,
    /// A `write` was handed to the host and no permit since has shown it finished. Only then
    /// can a write be in flight: a `check-write` of 0 alone does not say so (a connection the
    /// host's reactor has not yet seen writable answers 0 too).
    unflushed: bool,
    /// The last `check-write` granted nothing (Linux's `SOCK_NOSPACE`): the next grant is a
    /// wake-up for writers.
    nospace: bool,
    /// The connection's wake-ups (see [`crate::wakeup`]): each read that brought bytes, end of
    /// stream or a failure; a write permit after none.
    pub(super) wake: Wakeups,
}

impl Conn {
    pub(super) fn new(input: InputStream, output: OutputStream) -> Conn {
        Conn {
            in_poll: input.subscribe(),
            out_poll: output.subscribe(),
            input,
            output,
            rx: Vec::new(),
            rx_pos: 0,
            eof: false,
            fin_sent: false,
            in_closed: false,
            rd_shut: false,
            wr_shut: false,
            reset: false,
            permitted: false,
            unflushed: false,
            flowing: false,
            nospace: false,
            wake: Wakeups::default(),
        }
    }

    /// Linux's `TCP_CLOSE`: reset, or both FINs exchanged (on loopback the last ACK is there
    /// as soon as the FIN is; the socket then leaves TIME_WAIT or LAST_ACK to a closed one).
    pub(super) fn closed(&self) -> bool {
        self.reset || (self.eof && self.fin_sent)
    }

    fn buffered(&self) -> usize {
        self.rx.len() - self.rx_pos
    }

    /// One host read of up to `size` bytes. Unless data is expected (`likely`: the stream's
    /// pollable just fired), ask the pollable first: an empty read still costs the host a zeroed
    /// buffer of `size` bytes, a readiness check costs nothing of the kind.
    fn host_read(&mut self, size: u64, likely: bool) -> core::result::Result<Vec<u8>, StreamError> {
        if self.in_closed {
            return Ok(Vec::new());
        }
        // While data flows (the last read returned some), read straight away.
        if !likely && !self.flowing && !host::ready(&self.in_poll) {
            return Ok(Vec::new());
        }
        let r = host::read(&self.input, size);
        self.flowing = matches!(&r, Ok(d) if !d.is_empty());
        self.note_read(r.as_ref().map(|d| d.len()));
        r
    }

    /// Record what a host read found as the wake-up Linux would have had: bytes arriving wake
    /// readers; end of stream and failures wake everyone (a state change).
    fn note_read(&mut self, r: core::result::Result<usize, &StreamError>) {
        match r {
            Ok(0) => {}
            Ok(_) => self.wake.input(),
            Err(_) => self.wake.any(),
        }
    }

    /// `check-write`, noting Linux's `SOCK_NOSPACE`: a grant after a refusal wakes writers.
    fn check_write(&mut self) -> core::result::Result<u64, StreamError> {
        let r = host::check_write(&self.output);
        match r {
            Ok(0) => self.nospace = true,
            Ok(_) if self.nospace => {
                self.nospace = false;
                self.wake.output();
            }
            _ => {}
        }
        r
    }

    /// [`Self::host_read`] of up to `buf.len()` bytes into `buf`: how many arrived.
    fn host_read_into(
        &mut self,
        buf: &mut [u8],
        likely: bool,
    ) -> core::result::Result<usize, StreamError> {
        if self.in_closed {
            return Ok(0);
        }
        if !likely && !self.flowing && !host::ready(&self.in_poll) {
            return Ok(0);
        }
        let r = host::read_into(&self.input, buf);
        self.flowing = matches!(r, Ok(n) if n > 0);
        self.note_read(r.as_ref().copied());
        r
    }

    /// Read ahead without waiting: if nothing is buffered and the stream may still deliver,
    /// take what the host has now, noting end of stream or failure (into `so_error`).
    pub(super) fn fill(&mut self, so_error: &mut Option<Errno>) {
        if self.buffered() > 0 || self.eof || self.reset {
            return;
        }
        match self.host_read(FILL_CHUNK, false) {
            Ok(data) => {
                self.rx = data;
                self.rx_pos = 0;
            }
            Err(StreamError::Closed) => self.eof = true,
            Err(StreamError::LastOperationFailed(e)) => {
                self.reset = true;
                *so_error = Some(stream_error_errno(&e));
            }
        }
    }

    /// `recv`: buffered bytes first, then a pending error (reported once), then end of stream,
    /// then the host stream (waiting as `wait` allows).
    pub(super) fn recv(
        &mut self,
        bufs: &mut [&mut [u8]],
        wait: Wait,
        so_error: &mut Option<Errno>,
    ) -> Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let mut likely = false;
        loop {
            if self.buffered() > 0 {
                if total == 0 {
                    return Ok(0);
                }
                let n = scatter(&self.rx[self.rx_pos..], bufs);
                self.rx_pos += n;
                if self.rx_pos == self.rx.len() {
                    self.rx.clear();
                    self.rx_pos = 0;
                }
                return Ok(n);
            }
            if let Some(e) = so_error.take() {
                return Err(e);
            }
            if self.eof || self.reset {
                return Ok(0);
            }
            if self.rd_shut {
                // Shut for reading: what has arrived meanwhile, else end of stream at once.
                self.fill(so_error);
                if self.buffered() > 0 || so_error.is_some() || self.eof || self.reset {
                    continue;
                }
                return Ok(0);
            }
            if total == 0 {
                // Linux waits for something to read (data, end of stream or an error) even for
                // an empty buffer, then returns 0 without consuming anything.
                self.fill(so_error);
                if self.buffered() == 0 && !self.eof && !self.reset {
                    wait.on(&self.in_poll)?;
                    continue;
                }
                return Ok(0);
            }
            if !likely && !self.flowing && wait.may_block() {
                // Nothing was flowing: the wait asks the pollable first anyway (and spins or
                // blocks only if there is nothing), so a read now would be a call wasted.
                wait.on(&self.in_poll)?;
                likely = true;
                continue;
            }
            let first = bufs.iter().position(|b| !b.is_empty()).unwrap_or(0);
            if bufs[first].len() >= LAND_MIN {
                // Straight into the caller's buffer (the host writes there; see `landing`).
                let n = bufs[first].len().min(READ_CHUNK as usize);
                match self.host_read_into(&mut bufs[first][..n], likely) {
                    Ok(0) if wait::recheck(wait) => likely = false,
                    Ok(0) => {
                        wait.on(&self.in_poll)?;
                        likely = true;
                    }
                    Ok(got) => return Ok(got),
                    Err(StreamError::Closed) => self.eof = true,
                    Err(StreamError::LastOperationFailed(e)) => {
                        self.reset = true;
                        return Err(stream_error_errno(&e));
                    }
                }
                continue;
            }
            match self.host_read(total.min(READ_CHUNK as usize) as u64, likely) {
                Ok(data) if !data.is_empty() => return Ok(scatter(&data, bufs)),
                Ok(_) if wait::recheck(wait) => likely = false,
                Ok(_) => {
                    wait.on(&self.in_poll)?;
                    likely = true;
                }
                Err(StreamError::Closed) => self.eof = true,
                Err(StreamError::LastOperationFailed(e)) => {
                    self.reset = true;
                    return Err(stream_error_errno(&e));
                }
            }
        }
    }

    /// Read once more from the host into the read-ahead buffer (appending). `Ok(true)`: bytes
    /// arrived; `Ok(false)`: none now (the caller may wait); end of stream and errors are recorded
    /// (`eof`; `reset` and `so_error`) and also answer `Ok(false)`.
    fn read_more(&mut self, so_error: &mut Option<Errno>) -> bool {
        if self.eof || self.reset {
            return false;
        }
        if self.rx_pos > 0 {
            self.rx.drain(..self.rx_pos);
            self.rx_pos = 0;
        }
        match self.host_read(READ_CHUNK, false) {
            Ok(data) if !data.is_empty() => {
                if self.rx.is_empty() {
                    self.rx = data;
                } else {
                    self.rx.extend_from_slice(&data);
                }
                true
            }
            Ok(_) => wait::recheck(Wait::Never) && self.read_more(so_error),
            Err(StreamError::Closed) => {
                self.eof = true;
                false
            }
            Err(StreamError::LastOperationFailed(e)) => {
                self.reset = true;
                *so_error = Some(stream_error_errno(&e));
                false
            }
        }
    }

    /// Bytes readable without waiting (`FIONREAD`): everything the host has now, read ahead
    /// (bounded, so a flood cannot grow the buffer without end).
    /// Before the host's input is shut: take what is queued, looking again after a yield for
    /// bytes the host has not surfaced yet (Linux has them queued the moment they arrive).
    pub(super) fn take_queued(&mut self, so_error: &mut Option<Errno>) {
        self.readable_now(so_error);
        wait::host_yield();
        self.readable_now(so_error);
    }

    pub(super) fn readable_now(&mut self, so_error: &mut Option<Errno>) -> usize {
        const MAX: usize = 4 * 1024 * 1024;
        while self.buffered() < MAX && self.read_more(so_error) {}
        self.buffered()
    }

    /// `recv` with `MSG_PEEK` and/or `MSG_WAITALL`. Peeking fills the read-ahead buffer (until
    /// one byte, or with WAITALL the whole request, is there, or end of stream, an error or the
    /// wait runs out) and copies without consuming: a plain peek returns what is queued now, up
    /// to the request, as Linux's `tcp_recvmsg` (target 1 byte) does. WAITALL alone receives
    /// until the buffers are full, end of stream, an error or the wait runs out, returning what
    /// it has, as Linux does.
    pub(super) fn recv_flags(
        &mut self,
        bufs: &mut [&mut [u8]],
        wait: Wait,
        so_error: &mut Option<Errno>,
        peek: bool,
        waitall: bool,
    ) -> Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        // Nothing asked: tcp_recvmsg's loop still runs once, so MSG_WAITALL alone changes
        // nothing (found by tests/fuzz/diff.c).
        if !peek && (!waitall || total == 0) {
            return self.recv(bufs, wait, so_error);
        }
        if !peek {
            let mut got = 0;
            while got < total {
                let mut rest = remaining(bufs, got);
                match self.recv(&mut rest, wait, so_error) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if got > 0 => {
                        // Linux returns what it has; an error stays pending for the next call.
                        if e != Errno::EAGAIN {
                            *so_error = Some(e);
                        }
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            return Ok(got);
        }
        let want = if waitall { total.max(1) } else { 1 };
        loop {
            let have = self.buffered();
            if have > 0 && (have >= want || self.eof || self.rd_shut || self.reset) {
                // Everything the host holds now counts as queued, as the kernel's receive
                // queue would: take it (without waiting) up to the request.
                while self.buffered() < total && self.read_more(so_error) {}
                return Ok(scatter(&self.rx[self.rx_pos..], bufs));
            }
            if have == 0 {
                if let Some(e) = so_error.take() {
                    return Err(e);
                }
                if self.eof || self.reset {
                    return Ok(0);
                }
            }
            if !self.read_more(so_error) {
                if self.eof || self.reset || so_error.is_some() {
                    continue;
                }
                if self.rd_shut {
                    // Shut for reading: no waiting for more (Linux's RCV_SHUTDOWN).
                    return Ok(scatter(&self.rx[self.rx_pos..], bufs));
                }
                if let Err(e) = wait.on(&self.in_poll) {
                    if have > 0 {
                        return Ok(scatter(&self.rx[self.rx_pos..], bufs));
                    }
                    return Err(e);
                }
            }
        }
    }
}
