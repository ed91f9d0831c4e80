//! Descriptor-level socket state and the global socket table.
//!
//! An [`Entry`] is what one socket fd holds: the protocol state machine plus the attributes that
//! belong to the descriptor rather than the protocol (`O_NONBLOCK`, `FD_CLOEXEC`, timeouts).

use crate::errno::{Errno, Result};
use crate::fd_table::{Adapter, FdTable, SharedNumbers};
use crate::global::Global;
use crate::tcp::Tcp;
use crate::udp::Udp;
use crate::wait::{Wait, linger};
use crate::wasi::p1;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;

/// The protocol behind a socket fd.
pub enum Kind {
    /// `SOCK_STREAM`.
    Tcp(Tcp),
    /// `SOCK_DGRAM`.
    Udp(Udp),
}

/// One socket descriptor.
pub struct Entry {
    /// The protocol state machine.
    pub kind: Kind,
    /// What belongs to the descriptor rather than the protocol.
    pub attrs: Attrs,
}

/// The open socket's attributes (shared by every descriptor `dup` made of it, as Linux's open
/// file description), and the socket options the library keeps itself. Accepted sockets inherit
/// all but `nonblocking`, as on Linux.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attrs {
    /// `O_NONBLOCK` (`SOCK_NONBLOCK`, `fcntl(F_SETFL)`, `ioctl(FIONBIO)`).
    pub nonblocking: bool,
    /// `SO_RCVTIMEO` in nanoseconds; 0 = wait forever.
    pub rcv_timeout_ns: u64,
    /// `SO_SNDTIMEO` in nanoseconds; 0 = wait forever.
    pub snd_timeout_ns: u64,
    /// `SO_REUSEADDR` as set (hosts always reuse addresses; stored and reported).
    pub reuseaddr: bool,
    /// `SO_BROADCAST` as set (stored and reported; meaningful for UDP only).
    pub broadcast: bool,
    /// `TCP_NODELAY` as set (WASI 0.2 has no such control; stored and reported).
    pub nodelay: bool,
    /// `SO_LINGER`: `Some(seconds)` when on (stored and reported; `close` never lingers or resets).
    pub linger: Option<i32>,
}

impl Attrs {
    /// How a receive-side call (recv, read, accept) may wait, given `MSG_DONTWAIT`.
    pub fn recv_wait(&self, dontwait: bool) -> Wait {
        Wait::new(self.nonblocking || dontwait, self.rcv_timeout_ns)
    }

    /// How a send-side call (send, write, connect) may wait, given `MSG_DONTWAIT`.
    pub fn send_wait(&self, dontwait: bool) -> Wait {
        Wait::new(self.nonblocking || dontwait, self.snd_timeout_ns)
    }
}

/// The preview 1 component adapter's descriptor table (see [`crate::fd_table`]).
///
/// Its numbers for sockets always come after the preopened directories (the adapter creates
/// those first, at fds 3, 4, ...), so a reservation never hides a preopen from wasi-libc's lazy
/// scan; closing a preopen before that scan could, which is why `close` scans first (as
/// wasi-libc's own `close` does).
pub struct AdapterFds;

impl Adapter for AdapterFds {
    fn open_badfd(&mut self) -> Result<u32> {
        let mut fd = 0u32;
        // SAFETY: `fd` is a valid out-pointer for the duration of the call.
        match unsafe { p1::adapter_open_badfd(&mut fd) } {
            0 => Ok(fd),
            e => Err(Errno(i32::from(e))),
        }
    }

    fn close_badfd(&mut self, fd: u32) {
        // SAFETY: `fd` is a reservation of ours, released once.
        unsafe { p1::adapter_close_badfd(fd) };
    }

    fn is_open(&mut self, fd: u32) -> bool {
        i32::try_from(fd).is_ok_and(crate::passthrough::is_open)
    }
}

/// What one descriptor number holds: the open socket, shared with the descriptors `dup` made
/// of it (the socket closes with the last of them, as on Linux), and the descriptor's own
/// `FD_CLOEXEC` (`SOCK_CLOEXEC`, `fcntl(F_SETFD)`: stored and reported; WASI has no exec).
pub struct Slot {
    socket: Rc<RefCell<Entry>>,
    cloexec: bool,
}

/// The socket table.
pub type Table = FdTable<Slot, SharedNumbers<AdapterFds>>;

static SOCKETS: Global<Table> = Global::new(
    "socket::SOCKETS",
    FdTable::new(SharedNumbers::new(AdapterFds)),
);

/// Close a descriptor that is not a socket with preview 1 `fd_close`, putting its number back
/// in order (so the next descriptor of either kind gets the lowest free number).
pub fn close_other(fd: i32) -> Result<()> {
    if fd < 0 {
        return Err(Errno::EBADF);
    }
    let e = SOCKETS.with(|t| {
        t.source_mut().push_sorted(fd as u32, |_| {
            // SAFETY: plain preview 1 call.
            unsafe { p1::fd_close(fd) }
        })
    });
    match e {
        0 => Ok(()),
        e => Err(Errno(i32::from(e))),
    }
}

/// Store a new socket; its fd is the lowest free descriptor number.
pub fn insert(entry: Entry, cloexec: bool) -> Result<i32> {
    SOCKETS.with(|t| {
        t.insert(Slot {
            socket: Rc::new(RefCell::new(entry)),
            cloexec,
        })
    })
}

/// `dup`: a new descriptor (the lowest free number) for the same open socket.
pub fn dup(fd: i32, cloexec: bool) -> Result<i32> {
    let socket = shared(fd).ok_or_else(|| not_a_socket(fd))?;
    SOCKETS.with(|t| t.insert(Slot { socket, cloexec }))
}

/// The open socket behind `fd`, if `fd` is one of ours.
fn shared(fd: i32) -> Option<Rc<RefCell<Entry>>> {
    SOCKETS.with(|t| t.get(fd).map(|s| Rc::clone(&s.socket)))
}

/// The open sockets behind `fds` (`None` for a descriptor that is not a socket), to borrow many
/// sockets' pollables at once.
pub fn sockets(fds: impl Iterator<Item = i32>) -> Vec<Option<Rc<RefCell<Entry>>>> {
    SOCKETS.with(|t| {
        fds.map(|fd| t.get(fd).map(|s| Rc::clone(&s.socket)))
            .collect()
    })
}

/// `FD_CLOEXEC` of socket `fd`.
pub fn cloexec(fd: i32) -> Result<bool> {
    SOCKETS
        .with(|t| t.get(fd).map(|s| s.cloexec))
        .ok_or_else(|| not_a_socket(fd))
}

/// Set `FD_CLOEXEC` of socket `fd`.
pub fn set_cloexec(fd: i32, on: bool) -> Result<()> {
    SOCKETS
        .with(|t| t.get_mut(fd).map(|s| s.cloexec = on))
        .ok_or_else(|| not_a_socket(fd))
}

/// Close a socket fd. `false` if not a socket.
///
/// Linux's `close` returns at once and the kernel goes on sending queued data; a socket whose
/// write is still in flight here gives up its number now and lingers (see
/// [`crate::wait::linger`]) until the host has finished.
pub fn close(fd: i32) -> bool {
    let Some(slot) = SOCKETS.with(|t| t.take(fd)) else {
        return false;
    };
    // Other descriptors still refer to the socket: only this number goes.
    let Ok(entry) = Rc::try_unwrap(slot.socket).map(RefCell::into_inner) else {
        return true;
    };
    match entry.kind {
        Kind::Tcp(mut tcp) => {
            if tcp.write_in_flight(true) {
                linger::keep(Box::new(tcp));
            }
        }
        // A UDP socket's host streams hand their last datagram to the kernel as they drop.
        Kind::Udp(udp) => drop(udp),
    }
    linger::reap();
    true
}

/// Whether `fd` is one of the library's sockets.
pub fn is_socket(fd: i32) -> bool {
    SOCKETS.with(|t| t.contains(fd))
}

/// Run `f` on `fd`'s entry; `EBADF` or `ENOTSOCK` (as Linux) when `fd` is not a socket.
pub fn with_entry<R>(fd: i32, f: impl FnOnce(&mut Entry) -> Result<R>) -> Result<R> {
    // The table is not borrowed while `f` runs (so `f` may add sockets, as accept does).
    match shared(fd) {
        Some(socket) => f(&mut socket.borrow_mut()),
        None => Err(not_a_socket(fd)),
    }
}

/// Run `f` on `fd`'s protocol state and descriptor attributes.
pub fn with_kind<R>(fd: i32, f: impl FnOnce(&mut Kind, &mut Attrs) -> Result<R>) -> Result<R> {
    with_entry(fd, |e| f(&mut e.kind, &mut e.attrs))
}

/// The errno for a descriptor that is not one of ours: `EBADF` if nothing is open under that
/// number, `ENOTSOCK` if it is some other open descriptor (stdio, a file, a directory).
pub fn not_a_socket(fd: i32) -> Errno {
    if crate::passthrough::is_open(fd) {
        Errno::ENOTSOCK
    } else {
        Errno::EBADF
    }
}
