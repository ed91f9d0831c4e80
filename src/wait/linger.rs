//! Sockets closed while the host was still writing their data: their numbers are free, their
//! host resources wait here until the host has finished.
//!
//! Linux's `close` returns at once and the kernel goes on sending queued data. wasmtime instead
//! makes dropping an output stream wait for its in-flight write, which never ends if the peer
//! does not read (or is this very program, about to close the other end). So a socket whose
//! write is still in flight is handed to [`keep`] when its descriptor closes; every wait of the
//! library watches these sockets and drops each as soon as its write ends (a program blocked on
//! one end of a connection may be waiting for the end of stream from the other end, which it
//! closed: the FIN goes when the closed socket is dropped), and an exit handler waits, at most
//! 10 s in all, for what is left, so data `send` accepted is not lost when the program exits
//! right after `close`. A socket whose reader is this very program (an open socket of its own,
//! which exits with it) is not waited for; and at exit nothing still writing is dropped (the
//! host would block on the write): the host releases it as the program ends, as the kernel
//! closes a dying process's sockets.

use super::Wait;
use crate::bindings::wasi::io::poll::Pollable;
use crate::global::Global;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::SocketAddr;

/// What the list needs of a closed socket.
pub trait Lingering {
    /// The pollable that fires when the in-flight write may have ended.
    fn pollable(&self) -> Option<&Pollable>;
    /// Whether the host is still writing (asked once; the host's budget is kept fresh by the
    /// waits around it).
    fn write_in_flight(&mut self) -> bool;
    /// The socket's own address (the peer of a socket of this program that reads from it).
    fn local(&mut self) -> Option<SocketAddr>;
}

/// A closed socket kept until its write ends.
struct Kept {
    socket: Box<dyn Lingering>,
    /// Its reader is a socket of this program: nothing to wait for at exit.
    reader_here: bool,
}

static LINGERING: Global<Vec<Kept>> = Global::new("wait::linger::LINGERING", Vec::new());

/// How long the exit handler waits, in all, for closed sockets' data to leave.
const EXIT_DRAIN_NS: u64 = 10_000_000_000;

/// Keep a closed socket until its in-flight write ends. `reader_here`: the peer reading its data
/// is a socket of this program.
pub fn keep(socket: Box<dyn Lingering>, reader_here: bool) {
    register_exit_drain();
    LINGERING.with(|l| {
        l.push(Kept {
            socket,
            reader_here,
        })
    });
}

/// Whether a kept socket has the address `addr` (so a socket closed now whose peer is `addr`
/// has its reader in this program).
pub fn holds(addr: SocketAddr) -> bool {
    LINGERING.with(|l| {
        l.iter_mut().any(|k| {
            k.socket
                .local()
                .is_some_and(|a| crate::inet::same_endpoint(a, addr))
        })
    })
}

/// Whether no closed socket is waiting.
pub fn is_empty() -> bool {
    LINGERING.with(|l| l.is_empty())
}

/// Drop closed sockets whose host writes have finished.
pub fn reap() {
    LINGERING.with(|l| {
        if !l.is_empty() {
            l.retain_mut(|k| k.socket.write_in_flight());
        }
    });
}

/// `wasi:io/poll.poll` over `ps` that also watches the lingering sockets and reaps the ones
/// that finish. Returns the indexes of `ps` that are ready: none when only a closed socket
/// progressed.
pub(super) fn poll_reaping(ps: &[&Pollable]) -> Vec<u32> {
    let mut held = Vec::new();
    let ready = {
        // Connections holding bytes for the host: their output pollables too (the wait may be
        // for an answer to those very bytes).
        let unflushed = super::unflushed::guards(&mut held);
        LINGERING.with(|l| {
            if l.is_empty() && unflushed.is_empty() {
                return super::poll_host(ps);
            }
            let mut all = ps.to_vec();
            all.extend(l.iter().filter_map(|k| k.socket.pollable()));
            all.extend(unflushed.iter().filter_map(|s| s.out_pollable()));
            let mut r = super::poll_host(&all);
            r.retain(|&i| (i as usize) < ps.len());
            r
        })
    };
    drop(held);
    super::unflushed::flush(None);
    reap();
    if ready.is_empty() {
        // Only a closed socket's pollable fired. If the host's budget made its `check-write`
        // say 0 anyway, the socket stays and its pollable stays ready: yield, so the caller's
        // next wait does not spin on it.
        super::host_yield();
    }
    ready
}

/// Append the handles of the lingering sockets' pollables (for [`super::any_handles`]).
pub(super) fn push_handles(handles: &mut Vec<u32>) {
    LINGERING.with(|l| {
        handles.extend(
            l.iter()
                .filter_map(|k| k.socket.pollable())
                .map(Pollable::handle),
        )
    });
}

fn register_exit_drain() {
    static REGISTERED: Global<bool> = Global::new("wait::linger::REGISTERED", false);
    if REGISTERED.with(|r| core::mem::replace(r, true)) {
        return;
    }
    unsafe extern "C" {
        fn atexit(f: extern "C" fn()) -> i32;
    }
    // SAFETY: registers a plain function with the C library's exit handlers.
    unsafe { atexit(drain_at_exit) };
}

/// At exit: wait (bounded) for closed sockets' in-flight data to reach readers elsewhere, then
/// let go of the ones done. The rest are never dropped: wasmtime makes dropping a stream wait
/// for its write in flight, which a reader in this program (exiting) or a peer that stopped
/// reading never ends; the host releases them with the program.
extern "C" fn drain_at_exit() {
    let deadline = super::now().saturating_add(EXIT_DRAIN_NS);
    // Out of the list first: the waits below watch the list too.
    let mut left = LINGERING.with(core::mem::take);
    for k in left.iter_mut().filter(|k| !k.reader_here) {
        while k.socket.write_in_flight() {
            let Some(p) = k.socket.pollable() else { break };
            if Wait::Until(deadline).on(p).is_err() {
                break;
            }
        }
    }
    let mut still_writing = Vec::new();
    for mut k in left {
        // One whose write ended is dropped here: its FIN goes as on Linux.
        if k.socket.write_in_flight() {
            still_writing.push(k);
        }
    }
    core::mem::forget(still_writing);
}
