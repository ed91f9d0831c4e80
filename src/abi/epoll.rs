//! `epoll_create`, `epoll_create1`, `epoll_ctl`, `epoll_wait`, `epoll_pwait`, `epoll_pwait2`:
//! decoding only (see [`crate::epoll`]). Signal masks are accepted and ignored (WASI has no
//! signals), once checked to lie in memory as Linux copies them.
//!
//! `struct epoll_event` is laid out as `<sys/epoll.h>` of this library declares it for wasm32:
//! `uint32_t events` then the 8-byte `data` union at offset 8, 16 bytes in all. Linux packs it
//! (12 bytes) only on x86; every other ABI, and musl's header for them, keeps the natural
//! alignment, as here.

use crate::codec::fdset::{check_sigmask, timespec_ns};
use crate::codec::{Span, in_memory_len, span, whole_in_memory};
use crate::epoll::{self, Event, Events, Op, Sink};
use crate::errno::{Errno, Result, c_ret};
use libc::c_int;

pub use crate::codec::fdset::Timespec;

/// `struct epoll_event` for wasm32.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct EpollEvent {
    /// `EPOLL*` bits.
    pub events: u32,
    /// `epoll_data_t`, returned verbatim.
    pub data: u64,
}

/// `EPOLL_CLOEXEC`: `SOCK_CLOEXEC`'s value in wasi-libc (on Linux both equal `O_CLOEXEC`, which
/// wasi-libc defines as 0).
pub const EPOLL_CLOEXEC: c_int = 0x2000;
/// `EPOLL_CTL_ADD`, `EPOLL_CTL_DEL`, `EPOLL_CTL_MOD` (Linux's values).
const EPOLL_CTL_ADD: c_int = 1;
const EPOLL_CTL_DEL: c_int = 2;
const EPOLL_CTL_MOD: c_int = 3;
/// Linux's `EP_MAX_EVENTS`: `INT_MAX / sizeof(struct epoll_event)`.
const MAX_EVENTS: c_int = c_int::MAX / size_of::<EpollEvent>() as c_int;

/// epoll_create(2): `size` is a hint Linux ignores once it is positive.
#[unsafe(no_mangle)]
pub extern "C" fn epoll_create(size: c_int) -> c_int {
    let r = if size <= 0 {
        Err(Errno::EINVAL)
    } else {
        epoll::create(false)
    };
    c_ret(crate::trace::traced!("epoll_create"("{size}"), r))
}

/// epoll_create1(2): `flags` is 0 or `EPOLL_CLOEXEC`.
#[unsafe(no_mangle)]
pub extern "C" fn epoll_create1(flags: c_int) -> c_int {
    let r = if flags & !EPOLL_CLOEXEC != 0 {
        Err(Errno::EINVAL)
    } else {
        epoll::create(flags & EPOLL_CLOEXEC != 0)
    };
    c_ret(crate::trace::traced!("epoll_create1"("{flags:#x}"), r))
}

/// epoll_ctl(2). Linux copies the event first (`EFAULT`; not for `EPOLL_CTL_DEL`, whose event
/// may be NULL), then checks the descriptors and the operation (see [`epoll::ctl`]).
///
/// # Safety
/// `event` NULL or pointing to a readable `struct epoll_event` (checked against memory).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn epoll_ctl(
    epfd: c_int,
    op: c_int,
    fd: c_int,
    event: *const EpollEvent,
) -> c_int {
    let r = (|| {
        let op = match op {
            EPOLL_CTL_ADD => Op::Add,
            EPOLL_CTL_MOD => Op::Mod,
            EPOLL_CTL_DEL => Op::Del,
            _ => Op::Unknown,
        };
        let ev = if op == Op::Del {
            None
        } else {
            // SAFETY: checked to lie in memory; read unaligned (C may pass any address).
            Some(unsafe { read_event(event) }?)
        };
        epoll::ctl(epfd, op, fd, ev).map(|()| 0)
    })();
    let shown = if event.is_null() || !whole_in_memory(event.cast(), size_of::<EpollEvent>()) {
        0
    } else {
        // SAFETY: in memory (checked above).
        unsafe { event.read_unaligned() }.events
    };
    c_ret(crate::trace::traced!(
        "epoll_ctl"("{epfd}, {op}, {fd}, {event:p} {{{shown:#x}}}"),
        r
    ))
}

/// Read the caller's event: `EFAULT` if it is not all in memory.
///
/// # Safety
/// `event` NULL or readable if in memory.
unsafe fn read_event(event: *const EpollEvent) -> Result<Event> {
    if event.is_null() || !whole_in_memory(event.cast(), size_of::<EpollEvent>()) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: in memory (checked above).
    let e = unsafe { event.read_unaligned() };
    Ok(Event {
        events: Events::from_bits_retain(e.events),
        data: e.data,
    })
}

/// epoll_wait(2). `timeout` in milliseconds: negative waits for ever, 0 only looks.
///
/// # Safety
/// `events` must point to `maxevents` writable `struct epoll_event` (checked against memory).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn epoll_wait(
    epfd: c_int,
    events: *mut EpollEvent,
    maxevents: c_int,
    timeout: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    let r = unsafe { wait(epfd, events, maxevents, ms_timeout(timeout)) };
    c_ret(crate::trace::traced!(
        "epoll_wait"("{epfd}, {events:p}, {maxevents}, {timeout}"),
        r
    ))
}

/// epoll_pwait(2): `epoll_wait` with a signal mask, which is ignored (no signals in WASI); one
/// outside memory is `EFAULT` before anything else, as Linux copies it first.
///
/// # Safety
/// As `epoll_wait`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn epoll_pwait(
    epfd: c_int,
    events: *mut EpollEvent,
    maxevents: c_int,
    timeout: c_int,
    sigmask: *const u8,
) -> c_int {
    let r = check_sigmask(sigmask).and_then(|()| {
        // SAFETY: forwarded contract.
        unsafe { wait(epfd, events, maxevents, ms_timeout(timeout)) }
    });
    c_ret(crate::trace::traced!(
        "epoll_pwait"("{epfd}, {events:p}, {maxevents}, {timeout}"),
        r
    ))
}

/// epoll_pwait2(2): a `timespec` timeout (NULL waits for ever), checked before anything else
/// (`EFAULT`, then `EINVAL` for a negative or out-of-range one); then the signal mask, which is
/// ignored (`EFAULT` outside memory).
///
/// # Safety
/// As `epoll_wait`; `timeout` NULL or readable if in memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn epoll_pwait2(
    epfd: c_int,
    events: *mut EpollEvent,
    maxevents: c_int,
    timeout: *const Timespec,
    sigmask: *const u8,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let t = unsafe { timespec_ns(timeout) }?;
        check_sigmask(sigmask)?;
        // SAFETY: forwarded contract.
        unsafe { wait(epfd, events, maxevents, t) }
    })();
    c_ret(crate::trace::traced!(
        "epoll_pwait2"("{epfd}, {events:p}, {maxevents}, {timeout:p}"),
        r
    ))
}

/// A millisecond timeout: negative is for ever.
fn ms_timeout(ms: c_int) -> Option<u64> {
    u64::try_from(ms).ok().map(|ms| ms * 1_000_000)
}

/// The body of the waits, with Linux's order of checks: the descriptor (`EBADF`), `maxevents`
/// (`EINVAL`), the array's place in the address space (`EFAULT`), then whether the descriptor
/// is an epoll instance (see [`epoll::wait`]); an array at NULL or past the end of memory faults
/// only when an event is to be written.
///
/// # Safety
/// As `epoll_wait`.
unsafe fn wait(
    epfd: c_int,
    events: *mut EpollEvent,
    maxevents: c_int,
    timeout_ns: Option<u64>,
) -> Result<c_int> {
    let size = size_of::<EpollEvent>();
    let room = if maxevents <= 0 || maxevents > MAX_EVENTS {
        Err(Errno::EINVAL)
    } else {
        let bytes = maxevents as usize * size;
        match span(events.cast(), bytes) {
            Span::Outside => Err(Errno::EFAULT),
            Span::Unmapped => Ok(0),
            Span::Ok => Ok(in_memory_len(events.cast(), bytes) / size),
        }
    };
    let mut put = |i: usize, e: Event| {
        let out = EpollEvent {
            events: e.events.bits(),
            data: e.data,
        };
        // SAFETY: `i < room`: entry `i` lies in memory, in the caller's array.
        unsafe { events.add(i).write_unaligned(out) };
    };
    let sink = room.map(|room| Sink {
        max: maxevents as usize,
        room,
        put: &mut put,
    });
    epoll::wait(epfd, sink, timeout_ns).map(|n| n as c_int)
}
