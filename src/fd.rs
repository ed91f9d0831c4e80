//! The descriptor table: what each descriptor number of the library's refers to, and the door
//! every call comes through.
//!
//! [`lookup`] answers [`Target::Ours`] with the open object behind a number (a [`Desc`]), or
//! [`Target::Other`] for a number the library does not hold (files, directories, stdio, or
//! nothing), which [`crate::passthrough`] serves. The numbers themselves come from
//! [`crate::fd_table`], shared with the preview 1 adapter's table.
//!
//! An open object is shared by every descriptor `dup` made of it (it closes with the last of
//! them, as Linux's open file description); `FD_CLOEXEC` belongs to the descriptor.

use crate::errno::{Errno, Result};
use crate::fd_table::{Adapter, FdTable, SharedNumbers};
use crate::global::Global;
use crate::socket::Socket;
use crate::wasi::p1;
use alloc::rc::Rc;
use core::cell::RefCell;

/// An open object of the library's, as one descriptor number refers to it.
#[derive(Clone)]
pub enum Desc {
    /// A TCP or UDP socket.
    Socket(Rc<RefCell<Socket>>),
}

/// What a descriptor number refers to.
pub enum Target {
    /// One of the library's objects.
    Ours(Desc),
    /// A number the library does not hold: a file, a directory, stdio, or nothing at all.
    Other(i32),
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

/// What one descriptor number holds.
struct Slot {
    desc: Desc,
    /// `FD_CLOEXEC` (`SOCK_CLOEXEC`, `fcntl(F_SETFD)`): stored and reported; WASI has no exec.
    cloexec: bool,
}

type Table = FdTable<Slot, SharedNumbers<AdapterFds>>;

static TABLE: Global<Table> =
    Global::new("fd::TABLE", FdTable::new(SharedNumbers::new(AdapterFds)));

/// What `fd` refers to.
pub fn lookup(fd: i32) -> Target {
    match TABLE.with(|t| t.get(fd).map(|s| s.desc.clone())) {
        Some(d) => Target::Ours(d),
        None => Target::Other(fd),
    }
}

/// The socket behind `fd`; `EBADF` or `ENOTSOCK` (as Linux) when `fd` is not one.
pub fn socket(fd: i32) -> Result<Rc<RefCell<Socket>>> {
    match lookup(fd) {
        Target::Ours(Desc::Socket(s)) => Ok(s),
        Target::Other(fd) => Err(not_ours(fd)),
    }
}

/// Whether `fd` is one of the library's descriptors.
pub fn is_ours(fd: i32) -> bool {
    TABLE.with(|t| t.contains(fd))
}

/// Store a new object; its descriptor is the lowest free number.
pub fn insert(desc: Desc, cloexec: bool) -> Result<i32> {
    TABLE.with(|t| t.insert(Slot { desc, cloexec }))
}

/// `FD_CLOEXEC` of descriptor `fd` of ours.
pub fn cloexec(fd: i32) -> Result<bool> {
    TABLE
        .with(|t| t.get(fd).map(|s| s.cloexec))
        .ok_or(Errno::EBADF)
}

/// Set `FD_CLOEXEC` of descriptor `fd` of ours.
pub fn set_cloexec(fd: i32, on: bool) -> Result<()> {
    TABLE
        .with(|t| t.get_mut(fd).map(|s| s.cloexec = on))
        .ok_or(Errno::EBADF)
}

/// Take descriptor `fd` of ours out of the table, giving its number back: the object it
/// referred to (which other descriptors may still share), or `None` if `fd` was not ours.
pub fn remove(fd: i32) -> Option<Desc> {
    TABLE.with(|t| t.take(fd)).map(|s| s.desc)
}

/// Put a number the adapter holds (a file, stdio) back on its free list in order, with `close`
/// doing the closing, so the next descriptor of either kind gets the lowest free number.
pub fn release_other<R>(fd: i32, close: impl FnOnce() -> R) -> R {
    TABLE.with(|t| t.source_mut().push_sorted(fd as u32, |_| close()))
}

/// The errno for a socket call on a number that is not a socket of ours: `EBADF` if nothing is
/// open under it, `ENOTSOCK` if it is some other open descriptor (stdio, a file, a directory).
pub fn not_ours(fd: i32) -> Errno {
    if crate::passthrough::is_open(fd) {
        Errno::ENOTSOCK
    } else {
        Errno::EBADF
    }
}
