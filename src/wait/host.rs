//! The host calls that spend wasmtime's cooperative budget, each counted as it is made, and the
//! yields that replenish the budget.
//!
//! wasmtime runs the guest on a fiber inside one outer tokio task, and every host call that
//! checks a socket's readiness (`check-write`, `read`, `accept`, `finish-connect`, a pollable's
//! `ready`, each future inside `poll`) spends that task's cooperative budget: 128 units, about
//! one per successful check. Once it is spent every socket answers "not ready", whatever the
//! kernel says, until the task yields (wasmtime issue #14174). A guest that never blocks never
//! yields: its event loop stalls or spins (one socket's pollable fires, its `check-write` grants
//! nothing) and sockets late in a long poll list starve. So the library yields every 32
//! operations, yields first after any wait (a wait over many ready pollables may have spent the
//! budget), and believes a "not ready" only when it is the first answer after a yield.
//!
//! Counting cannot be forgotten: the functions here are the only way the rest of the library
//! makes these calls (`clippy.toml` forbids the bindings' methods everywhere else).
#![allow(clippy::disallowed_methods)] // the counted wrappers of the forbidden methods

use super::Wait;
use crate::bindings::wasi::clocks::monotonic_clock;
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::io::streams::{InputStream, OutputStream, StreamError};
use crate::bindings::wasi::sockets::ip_name_lookup::{IpAddress, ResolveAddressStream};
use crate::bindings::wasi::sockets::network::ErrorCode;
use crate::bindings::wasi::sockets::tcp::TcpSocket;
use crate::bindings::wasi::sockets::udp::{
    IncomingDatagram, IncomingDatagramStream, OutgoingDatagramStream,
};
use crate::global::Global;
use alloc::vec::Vec;

type StreamResult<T> = core::result::Result<T, StreamError>;
type SockResult<T> = core::result::Result<T, ErrorCode>;

/// How many host socket operations may run between two yields to the host's executor.
const OPS_PER_YIELD: u32 = 32;

/// How many operations that did something, since the last yield, make a "not ready" worth asking
/// again (the host's budget is 128).
const RECHECK_AFTER_OPS: u32 = 8;

static OPS: Global<u32> = Global::new("wait::host::OPS", 0);

/// Yield to the host's executor, which replenishes its cooperative budget and lets its I/O
/// driver deliver socket events: poll a zero-duration timer, which wasmtime answers with
/// `yield_now` (wasmtime #13085). Only a new timer yields (wasmtime yields on a zero-duration
/// timer's first poll only), so none is cached.
pub fn host_yield() {
    let due = monotonic_clock::subscribe_duration(0);
    super::poll_host(&[&due]);
    drop(due);
    OPS.with(|n| *n = 0);
}

/// Count one host socket operation, yielding first when enough have run since the last yield.
fn op() {
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
pub(super) fn after_wait() {
    OPS.with(|n| *n = OPS_PER_YIELD);
}

/// A wait over many pollables has returned `ready` of them ready: count each as an operation
/// (a pollable's readiness spends the host's budget only when it is ready; the ones still
/// pending give theirs back), so the next operations yield once enough were spent.
pub(super) fn after_wait_ready(ready: usize) {
    OPS.with(|n| *n = n.saturating_add(u32::try_from(ready).unwrap_or(u32::MAX)));
}

/// A wait on one or two pollables has returned: the guest yielded while it waited, as good as
/// [`host_yield`] (the host's budget is fresh and its events are delivered).
pub(super) fn waited() {
    OPS.with(|n| *n = 0);
}

/// The host answered "not ready" to the operation just made through this module: should the
/// caller ask again? A "not ready" consumed none of the host's budget, so it is uncounted again;
/// what stays counted since the last yield are operations that did something. If enough of those
/// ran, the budget may be what said "not ready": yield and return `true` (ask again). Otherwise
/// the answer stands (`false`). A call that may wait never needs to ask again: its wait yields,
/// and the pollable then tells the truth.
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

/// `pollable.ready`, counted.
pub fn ready(p: &Pollable) -> bool {
    op();
    p.ready()
}

/// `pollable.ready` uncounted: for the waiting layer's own spin, which yields when it ends.
pub(super) fn ready_uncounted(p: &Pollable) -> bool {
    p.ready()
}

/// `input-stream.read`.
pub fn read(s: &InputStream, size: u64) -> StreamResult<Vec<u8>> {
    op();
    s.read(size)
}

/// `input-stream.read` of up to `buf.len()` bytes, landing in `buf` (see `crate::landing`):
/// how many arrived.
pub fn read_into(s: &InputStream, buf: &mut [u8]) -> StreamResult<usize> {
    op();
    let size = buf.len() as u64;
    crate::landing::into(buf, || s.read(size))
}

/// `output-stream.check-write`.
pub fn check_write(s: &OutputStream) -> StreamResult<u64> {
    op();
    s.check_write()
}

/// `output-stream.write` (after a `check-write` that permits it).
pub fn write(s: &OutputStream, data: &[u8]) -> StreamResult<()> {
    op();
    s.write(data)
}

/// `output-stream.blocking-write-and-flush` (at most 4096 bytes).
pub fn blocking_write_and_flush(s: &OutputStream, data: &[u8]) -> StreamResult<()> {
    op();
    s.blocking_write_and_flush(data)
}

/// `tcp-socket.accept`.
pub fn accept(s: &TcpSocket) -> SockResult<(TcpSocket, InputStream, OutputStream)> {
    op();
    s.accept()
}

/// `tcp-socket.finish-connect`.
pub fn finish_connect(s: &TcpSocket) -> SockResult<(InputStream, OutputStream)> {
    op();
    s.finish_connect()
}

/// `incoming-datagram-stream.receive`.
pub fn receive(s: &IncomingDatagramStream, max: u64) -> SockResult<Vec<IncomingDatagram>> {
    op();
    s.receive(max)
}

/// `outgoing-datagram-stream.check-send`.
pub fn check_send(s: &OutgoingDatagramStream) -> SockResult<u64> {
    op();
    s.check_send()
}

/// `resolve-address-stream.resolve-next-address`.
pub fn resolve_next_address(s: &ResolveAddressStream) -> SockResult<Option<IpAddress>> {
    op();
    s.resolve_next_address()
}
