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

use crate::channel::pipe::PipeEnd;
use crate::epoll::Epoll;
use crate::errno::{Errno, Result};
use crate::fd_table::{Adapter, FdTable, SharedNumbers};
use crate::global::Global;
use crate::inet::same_endpoint;
use crate::socket::{Proto, Socket};
use crate::wasi::p1;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use core::net::SocketAddr;

/// An open object of the library's, as one descriptor number refers to it.
#[derive(Clone)]
pub enum Desc {
    /// A socket: TCP, UDP or AF_UNIX.
    Socket(Rc<RefCell<Socket>>),
    /// A file, directory or stdio stream the adapter holds, adopted by `dup`: every descriptor
    /// referring to it forwards to the adapter's number ([`Adopted::fd`]), which closes with the
    /// last of them.
    File(Rc<Adopted>),
    /// One end of a pipe.
    Pipe(Rc<PipeEnd>),
    /// An epoll instance.
    Epoll(Rc<RefCell<Epoll>>),
}

impl Desc {
    /// The open object's identity, the same for every descriptor `dup` made of it (Linux's
    /// `struct file *`, which epoll keys its items by).
    pub fn ident(&self) -> usize {
        match self {
            Desc::Socket(s) => Rc::as_ptr(s) as usize,
            Desc::File(f) => Rc::as_ptr(f) as usize,
            Desc::Pipe(p) => Rc::as_ptr(p) as usize,
            Desc::Epoll(e) => Rc::as_ptr(e) as usize,
        }
    }

    /// Whether this is the object's last reference (closing it closes the object).
    pub fn is_last(&self) -> bool {
        match self {
            Desc::Socket(s) => Rc::strong_count(s) == 1,
            Desc::File(f) => Rc::strong_count(f) == 1,
            Desc::Pipe(p) => Rc::strong_count(p) == 1,
            Desc::Epoll(e) => Rc::strong_count(e) == 1,
        }
    }

    /// A reference that does not keep the object open (an epoll item's).
    pub fn downgrade(&self) -> WeakDesc {
        match self {
            Desc::Socket(s) => WeakDesc::Socket(Rc::downgrade(s)),
            Desc::File(f) => WeakDesc::File(Rc::downgrade(f)),
            Desc::Pipe(p) => WeakDesc::Pipe(Rc::downgrade(p)),
            Desc::Epoll(e) => WeakDesc::Epoll(Rc::downgrade(e)),
        }
    }
}

/// A [`Desc`] that does not keep its object open: an epoll item watches an object without
/// holding it, as Linux's does (the object closes with its last descriptor and leaves the sets
/// then). Its identity stays reserved while it exists.
#[derive(Clone)]
pub enum WeakDesc {
    /// A socket.
    Socket(Weak<RefCell<Socket>>),
    /// An adopted file.
    File(Weak<Adopted>),
    /// A pipe's end.
    Pipe(Weak<PipeEnd>),
    /// An epoll instance.
    Epoll(Weak<RefCell<Epoll>>),
}

impl WeakDesc {
    /// The object, if some descriptor still holds it open.
    pub fn upgrade(&self) -> Option<Desc> {
        match self {
            WeakDesc::Socket(s) => s.upgrade().map(Desc::Socket),
            WeakDesc::File(f) => f.upgrade().map(Desc::File),
            WeakDesc::Pipe(p) => p.upgrade().map(Desc::Pipe),
            WeakDesc::Epoll(e) => e.upgrade().map(Desc::Epoll),
        }
    }
}

/// A descriptor of the adapter's (a file, stdio) that `dup` has shared: the adapter has no
/// `dup`, so the library's descriptors stand in for it (see [`adopt`]).
pub struct Adopted {
    /// The adapter's number for it: the number it had when adopted, until the program closes
    /// that number while copies remain (then a high number of the adapter's table, out of the
    /// program's way).
    fd: Cell<i32>,
}

impl Adopted {
    /// The adapter's number for the file.
    pub fn fd(&self) -> i32 {
        self.fd.get()
    }
}

impl Desc {
    /// Give up this reference to the open object (one a message in flight held, or any other
    /// that is not a descriptor's); the last one closes it: a socket releases its host
    /// resources once the host has taken what was written, a pipe end or AF_UNIX socket tells
    /// its peer, an adopted file closes in the adapter.
    pub fn release(self) {
        // Its last reference: the object leaves every epoll set watching it.
        crate::epoll::closed(&self);
        match self {
            Desc::Socket(s) => {
                if let Ok(s) = Rc::try_unwrap(s) {
                    s.into_inner().close(connection_open_at);
                }
            }
            Desc::Pipe(p) => drop(p),
            Desc::File(f) => {
                if let Ok(f) = Rc::try_unwrap(f) {
                    close_adopted(f.fd());
                }
            }
            Desc::Epoll(e) => drop(e),
        }
    }
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
    /// The number is open in the adapter as an adopted file (this entry stands in front of
    /// it), rather than reserved there (see [`adopt`]).
    over_adopted: bool,
}

type Table = FdTable<Slot, SharedNumbers<AdapterFds>>;

static TABLE: Global<Table> =
    Global::new("fd::TABLE", FdTable::new(SharedNumbers::new(AdapterFds)));

/// What `fd` refers to. Every call of the library comes through here, so this is where bytes
/// `send` held for the host leave (see `crate::wait::unflushed`): no byte waits longer than the
/// program's next call into the library.
pub fn lookup(fd: i32) -> Target {
    crate::wait::unflushed::flush(None);
    peek(fd)
}

/// What `fd` refers to, without flushing held bytes.
fn peek(fd: i32) -> Target {
    match TABLE.with(|t| t.get(fd).map(|s| s.desc.clone())) {
        Some(d) => Target::Ours(d),
        None => Target::Other(fd),
    }
}

/// The socket behind `fd` without flushing held bytes (for the checks a call makes before
/// it reaches its operation, which flushes).
pub fn socket_peek(fd: i32) -> Result<Rc<RefCell<Socket>>> {
    match peek(fd) {
        Target::Ours(Desc::Socket(s)) => Ok(s),
        Target::Ours(_) => Err(Errno::ENOTSOCK),
        Target::Other(fd) => Err(not_ours(fd)),
    }
}

/// The socket behind `fd`, for a send: held bytes of the other connections leave, this one's
/// stay to be joined by the send's.
pub fn socket_for_send(fd: i32) -> Result<Rc<RefCell<Socket>>> {
    let s = socket_peek(fd)?;
    crate::wait::unflushed::flush(Some(Rc::as_ptr(&s).cast()));
    Ok(s)
}

/// The socket behind `fd`; `EBADF` or `ENOTSOCK` (as Linux) when `fd` is not one.
pub fn socket(fd: i32) -> Result<Rc<RefCell<Socket>>> {
    crate::wait::unflushed::flush(None);
    socket_peek(fd)
}

/// Whether `fd` is one of the library's descriptors.
pub fn is_ours(fd: i32) -> bool {
    TABLE.with(|t| t.contains(fd))
}

/// Store a new object; its descriptor is the lowest free number.
pub fn insert(desc: Desc, cloexec: bool) -> Result<i32> {
    insert_from(0, desc, cloexec)
}

/// Store an object under the lowest free number at or above `min` (`dup`, `F_DUPFD`).
pub fn insert_from(min: i32, desc: Desc, cloexec: bool) -> Result<i32> {
    let slot = Slot {
        desc,
        cloexec,
        over_adopted: false,
    };
    let fd = TABLE.with(|t| t.insert_from(min as u32, slot))?;
    if fd >= open_max() {
        // Over the program's own limit: Linux finds no free number below it.
        let _ = close(fd);
        return Err(Errno::EMFILE);
    }
    Ok(fd)
}

/// Linux's `RLIMIT_NOFILE` soft limit here (see [`crate::hostinfo::nofile`]): a new descriptor
/// number at or above it is `EMFILE`, `dup2` to one `EBADF`.
pub fn open_max() -> i32 {
    i32::try_from(crate::hostinfo::nofile().0).unwrap_or(i32::MAX)
}

/// The descriptor `fd` refers to, adopting it if it is the adapter's (a file, stdio): `EBADF`
/// if nothing is open under it.
///
/// The adapter has no `dup`. To share one of its descriptors, the library puts an entry of its
/// own in front of the number (the adapter keeps the file open under it, so calls the library
/// does not serve, `lseek` or `fsync`, still reach it there); copies made by `dup` are the
/// library's numbers forwarding to it. The file closes when the last of them closes.
pub fn adopt(fd: i32) -> Result<Desc> {
    if let Target::Ours(d) = lookup(fd) {
        return Ok(d);
    }
    if !crate::passthrough::is_open(fd) {
        return Err(Errno::EBADF);
    }
    let desc = Desc::File(Rc::new(Adopted { fd: Cell::new(fd) }));
    let slot = Slot {
        desc: desc.clone(),
        cloexec: false,
        over_adopted: true,
    };
    TABLE.with(|t| t.insert_unreserved(fd as u32, slot))?;
    Ok(desc)
}

/// Put `desc` under exactly `fd` (`dup2`), closing what `fd` held first (silently, as Linux).
pub fn insert_at(fd: i32, desc: Desc, cloexec: bool) -> Result<i32> {
    if !(0..open_max()).contains(&fd) {
        return Err(Errno::EBADF);
    }
    if is_ours(fd) {
        let _ = close(fd);
    }
    let over_adopted = match lookup(fd) {
        Target::Ours(_) => return Err(Errno::EBADF),
        Target::Other(fd) if crate::passthrough::is_open(fd) => {
            // An adapter file nobody shares: close it, as dup2 closes its target.
            crate::passthrough::before_close();
            let _ = release_other(fd, || crate::passthrough::close(fd));
            false
        }
        Target::Other(_) => false,
    };
    let slot = Slot {
        desc,
        cloexec,
        over_adopted,
    };
    TABLE.with(|t| t.insert_at(fd as u32, slot))
}

/// Close descriptor `fd` of ours (`EBADF` if it is not). Its number is free at once; the object
/// closes with its last descriptor (a socket lets its host resources go once the host has
/// taken every byte already written; an adopted file is closed in the adapter).
pub fn close(fd: i32) -> Result<()> {
    let slot = TABLE.with(|t| {
        let over = t.get(fd).map(|s| s.over_adopted)?;
        if over {
            t.take_unreserved(fd)
        } else {
            t.take(fd)
        }
    });
    let Some(slot) = slot else {
        return Err(Errno::EBADF);
    };
    // Its object's last descriptor: the object leaves every epoll set watching it.
    crate::epoll::closed(&slot.desc);
    match slot.desc {
        Desc::Socket(s) => {
            if let Ok(s) = Rc::try_unwrap(s) {
                s.into_inner().close(connection_open_at);
            }
        }
        Desc::File(f) => match Rc::try_unwrap(f) {
            Ok(f) => close_adopted(f.fd()),
            // Copies remain, but this number is closed: the file moves out of its way.
            Err(f) if slot.over_adopted => hide(&f),
            Err(_) => {}
        },
        Desc::Pipe(p) => drop(p),
        // An epoll instance holds no host resources: it goes with its last descriptor.
        Desc::Epoll(_) => {}
    }
    Ok(())
}

/// Whether a connected TCP socket of the program's has the local address `addr`.
fn connection_open_at(addr: SocketAddr) -> bool {
    let sockets: alloc::vec::Vec<_> = TABLE.with(|t| {
        t.iter()
            .filter_map(|(_, slot)| match &slot.desc {
                Desc::Socket(s) => Some(Rc::clone(s)),
                _ => None,
            })
            .collect()
    });
    sockets.iter().any(|s| {
        s.try_borrow_mut().is_ok_and(|mut s| match &mut s.proto {
            Proto::Tcp(t) => t.is_connected() && same_endpoint(t.local_addr(), addr),
            _ => false,
        })
    })
}

/// Move an adopted file whose own number the program closed (copies remain) to a high number of
/// the adapter's table, freeing its number for the program as Linux would.
fn hide(f: &Adopted) {
    let from = f.fd();
    let Some(to) = TABLE.with(|t| t.source_mut().reserve_highest_in_adapter()) else {
        // The adapter's table is full: the file keeps its number until the copies close.
        return;
    };
    crate::passthrough::before_close();
    if release_other(from, || crate::passthrough::renumber(from, to as i32)).is_ok() {
        f.fd.set(to as i32);
    }
}

/// The last descriptor of an adopted file is gone: close it in the adapter. If an entry of the
/// library's stands in front of its number, that entry now takes the number properly.
fn close_adopted(fd: i32) {
    crate::passthrough::before_close();
    let front = TABLE.with(|t| t.get(fd).is_some());
    if front {
        let _ = crate::passthrough::close(fd);
        TABLE.with(|t| {
            if t.reserve_held(fd as u32).is_ok()
                && let Some(s) = t.get_mut(fd)
            {
                s.over_adopted = false;
            }
        });
    } else {
        let _ = release_other(fd, || crate::passthrough::close(fd));
    }
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

/// Put a number the adapter holds (a file, stdio) back on its free list in order, with `close`
/// doing the closing, so the next descriptor of either kind gets the lowest free number.
pub fn release_other<R>(fd: i32, close: impl FnOnce() -> R) -> R {
    TABLE.with(|t| t.source_mut().push_sorted(fd as u32, |_| close()))
}

/// The errno for a socket call on a number that is not a socket of ours: `EBADF` if nothing is
/// open under it, `ENOTSOCK` if it is some other open descriptor (stdio, a file, a directory, a
/// pipe).
pub fn not_ours(fd: i32) -> Errno {
    if is_ours(fd) || crate::passthrough::is_open(fd) {
        Errno::ENOTSOCK
    } else {
        Errno::EBADF
    }
}
