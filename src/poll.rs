//! The readiness engine behind `poll`, `ppoll`, `select` and `pselect`: evaluate every
//! descriptor, and if nothing is ready, make one `wasi:io/poll.poll` call over every pollable of
//! interest plus a monotonic-clock deadline; repeat until something is ready or time is up.
//!
//! Descriptors that are not sockets: standard input is watched through a `wasi:cli/stdin`
//! handle of the library's own (the same host stream fd 0 reads); other open descriptors
//! (files, stdout, stderr) are always ready, as regular files are on Linux; a number that is not
//! open is `POLLNVAL`.

use crate::bindings::wasi::cli::stdin;
use crate::bindings::wasi::io::poll::Pollable;
use crate::bindings::wasi::io::streams::InputStream;
use crate::fd::{self, Desc, Target};
use crate::global::Global;
use crate::inet::Ready;
use crate::socket::{Proto, Socket};
use crate::wait::{self, host};
use crate::wakeup::Wakeups;
use crate::wasi::p1;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;

/// `POLLIN` (= `POLLRDNORM`) in wasi-libc.
pub const POLLIN: i16 = 0x1;
/// `POLLOUT` (= `POLLWRNORM`).
pub const POLLOUT: i16 = 0x2;
/// `POLLERR`.
pub const POLLERR: i16 = 0x1000;
/// `POLLHUP`.
pub const POLLHUP: i16 = 0x2000;
/// `POLLNVAL`.
pub const POLLNVAL: i16 = 0x4000;
/// `POLLRDHUP` (`include/poll.h`: Linux's value is `POLLHUP`'s in wasi-libc's numbering).
pub const POLLRDHUP: i16 = 0x0040;
/// `POLLWRBAND` (`include/poll.h`): an AF_UNIX socket reports it with `POLLOUT`, as Linux.
pub const POLLWRBAND: i16 = 0x0010;

/// One descriptor a `poll` watches (the C ABI's `struct pollfd`, decoded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollFd {
    /// The descriptor; negative ones are ignored.
    pub fd: i32,
    /// Requested events.
    pub events: i16,
    /// Returned events.
    pub revents: i16,
}

/// The library's own stdin handle and its pollable (pollable first: it is the stream's child).
struct Stdin {
    pollable: Pollable,
    _stream: InputStream,
}

static STDIN: Global<Option<Stdin>> = Global::new("poll::STDIN", None);

fn with_stdin<R>(f: impl FnOnce(&Pollable) -> R) -> R {
    STDIN.with(|s| {
        let s = s.get_or_insert_with(|| {
            let stream = stdin::get_stdin();
            Stdin {
                pollable: stream.subscribe(),
                _stream: stream,
            }
        });
        f(&s.pollable)
    })
}

/// The handle of the library's stdin pollable (it lives as long as the program), for a wait
/// that keeps raw handles (epoll).
pub fn stdin_handle() -> u32 {
    with_stdin(Pollable::handle)
}

/// How a descriptor is watched.
pub enum Watch {
    /// A negative number: not watched.
    Ignore,
    /// One of the library's objects.
    Ours(Desc),
    /// Standard input, through the library's own stdin handle.
    Stdin,
    /// Ready at once in the directions given (`POLLIN`, `POLLOUT`): stdout, stderr.
    AlwaysReady(i16),
    /// A regular file or a directory: ready at once both ways (Linux's `DEFAULT_POLLMASK`),
    /// and not pollable by epoll (`EPERM`).
    File,
    /// Not open.
    Invalid,
}

/// How descriptor `fd` is watched.
pub fn classify(fd: i32) -> Watch {
    if fd < 0 {
        return Watch::Ignore;
    }
    let fd = match fd::lookup(fd) {
        // An adopted file is watched as the adapter's descriptor it forwards to.
        Target::Ours(Desc::File(f)) => f.fd(),
        Target::Ours(d) => return Watch::Ours(d),
        Target::Other(fd) => fd,
    };
    let Ok(st) = crate::passthrough::fdstat(fd) else {
        return Watch::Invalid;
    };
    if fd == 0 {
        Watch::Stdin
    } else {
        // Files and directories are always both (Linux's DEFAULT_POLLMASK, whatever the access
        // mode); a stream (stdout) only in the directions it is open for, as a pipe's end is.
        if matches!(
            st.filetype,
            p1::FILETYPE_REGULAR_FILE | p1::FILETYPE_DIRECTORY
        ) {
            return Watch::File;
        }
        let mut dirs = 0;
        if st.rights_base & p1::RIGHTS_FD_READ != 0 {
            dirs |= POLLIN;
        }
        if st.rights_base & p1::RIGHTS_FD_WRITE != 0 {
            dirs |= POLLOUT;
        }
        Watch::AlwaysReady(dirs)
    }
}

/// Linux's `revents` for `events` on one of the library's objects, now (a connection reads
/// ahead first: WASI reveals end of stream and resets only to a read). A channel's readiness
/// is known in the guest: no host call.
pub fn revents_of(d: &Desc, events: i16) -> i16 {
    readiness(d, events, false)
}

/// [`revents_of`], where `absorb` asks for an edge-triggered look: everything the host holds is
/// read ahead first, so that each arrival is recorded as a wake-up (see [`wakeups`]) and the
/// object's pollables stop firing (see [`pollables`]).
pub fn readiness(d: &Desc, events: i16, absorb: bool) -> i16 {
    match d {
        Desc::Socket(s) => match &mut s.borrow_mut().proto {
            // Asked for POLLRDHUP, a connection reads everything the host holds: a FIN right
            // behind unread data is what the caller waits for.
            Proto::Tcp(t) => revents(
                t.ready(events & POLLOUT != 0, absorb || events & POLLRDHUP != 0),
                events,
            ),
            Proto::Udp(u) => revents(u.ready(absorb), events),
            Proto::Unix(u) => mask(u.poll(), events),
        },
        // Not asked: `classify` watches an adopted file as the adapter's descriptor.
        Desc::File(_) => 0,
        Desc::Pipe(p) => mask(p.poll(), events),
        Desc::Epoll(e) => crate::epoll::poll_revents(e, events),
    }
}

/// The wake-ups `d` has had so far (see [`crate::wakeup`]): what an edge-triggered epoll item
/// compares to tell a new arrival from what it already reported. Host sockets record what a look
/// at the host found; a channel end counts every event that could change its readiness (data
/// arriving or consumed, a peer's shutdown or close, a connection queued), which every waiter
/// sees (see `channel_wakeups`).
pub fn wakeups(d: &Desc) -> Wakeups {
    match d {
        Desc::Socket(s) => socket_wakeups(&s.borrow()),
        Desc::Pipe(p) => channel_wakeups(p.wakeups()),
        // An adopted file has no wake-ups of its own: an epoll item watches the adapter's
        // descriptor behind it (see `classify`).
        Desc::File(_) => Wakeups::default(),
        Desc::Epoll(e) => crate::epoll::wakeups(e),
    }
}

/// Append to `handles` the host pollables a wait for `events` on `d` must watch: the
/// level-triggered set (what `poll` watches), or with `edge` the edge-triggered one (input even
/// behind unread data, output only after the host refused a write); none for an object whose
/// readiness only the guest itself changes. Returns `d`'s [`wakeups`], which say when to look at
/// such an object (one look at the object for both: an epoll set does this for every item on
/// every wait that finds nothing ready).
pub fn pollables(d: &Desc, events: i16, edge: bool, handles: &mut Vec<u32>) -> Wakeups {
    match d {
        Desc::Socket(s) => {
            let s = s.borrow();
            socket_pollables(&s, events, edge, &mut Handles(handles));
            socket_wakeups(&s)
        }
        Desc::Pipe(p) => channel_wakeups(p.wakeups()),
        Desc::File(_) => Wakeups::default(),
        Desc::Epoll(e) => {
            crate::epoll::inner_pollables(e, handles);
            crate::epoll::wakeups(e)
        }
    }
}

/// A socket's wake-ups (see [`wakeups`]).
fn socket_wakeups(s: &Socket) -> Wakeups {
    match &s.proto {
        Proto::Tcp(t) => t.wakeups(),
        Proto::Udp(u) => u.wakeups(),
        Proto::Unix(u) => channel_wakeups(u.wakeups()),
    }
}

/// The requested events of a full mask, plus the ones always reported.
fn mask(m: i16, events: i16) -> i16 {
    m & (events | POLLERR | POLLHUP)
}

/// The sockets whose host pollables a wait for `events` on `d` must watch, each with the events
/// asked of it (none for an object whose readiness only the guest itself changes: a pipe, an
/// AF_UNIX socket).
pub fn sockets_to_watch(d: &Desc, events: i16, out: &mut Vec<(Rc<RefCell<Socket>>, i16)>) {
    match d {
        Desc::Socket(s) => out.push((Rc::clone(s), events)),
        Desc::File(_) | Desc::Pipe(_) => {}
        Desc::Epoll(e) => crate::epoll::sockets_to_watch(e, out),
    }
}

/// A channel end's wake-up count as [`Wakeups`]: every count is a wake-up every waiter sees
/// (the count does not say which event it was; a change of it is what an edge-triggered item
/// looks for, and a count only grows).
fn channel_wakeups(count: u64) -> Wakeups {
    Wakeups {
        any: count,
        ..Wakeups::default()
    }
}

/// A list of raw handles as a place pollables can be handed to.
struct Handles<'v>(&'v mut Vec<u32>);

impl<'a> Extend<&'a Pollable> for Handles<'_> {
    fn extend<I: IntoIterator<Item = &'a Pollable>>(&mut self, iter: I) {
        self.0.extend(iter.into_iter().map(Pollable::handle));
    }
}

/// The host pollables of `s` a wait for `events` must watch (the edge-triggered set with `edge`).
fn socket_pollables<'a>(
    s: &'a Socket,
    events: i16,
    edge: bool,
    out: &mut impl Extend<&'a Pollable>,
) {
    let want_out = events & POLLOUT != 0;
    match (&s.proto, edge) {
        (Proto::Tcp(t), false) => t.pollables(want_out, events & POLLRDHUP != 0, out),
        (Proto::Tcp(t), true) => t.edge_pollables(want_out, out),
        (Proto::Udp(u), false) => u.pollables(want_out, out),
        (Proto::Udp(u), true) => u.edge_pollables(want_out, out),
        (Proto::Unix(_), _) => {}
    }
}

/// Linux's `revents` for a socket: the requested events that hold, plus the ones always
/// reported (`POLLERR`, `POLLHUP`).
fn revents(r: Ready, events: i16) -> i16 {
    let mut v = 0;
    if r.input {
        v |= POLLIN;
    }
    if r.output {
        v |= POLLOUT;
    }
    if r.rdhup {
        v |= POLLRDHUP;
    }
    (v & events) | if r.err { POLLERR } else { 0 } | if r.hup { POLLHUP } else { 0 }
}

/// How long a look at stdin may wait for data already in the pipe.
///
/// wasmtime reads the host's stdin on a helper thread, and only once a read is requested: a
/// readiness check asks for one and answers "not ready" even when data sits in the pipe, where
/// Linux answers POLLIN at once. Data already there arrives within microseconds, now and then
/// a few milliseconds. The wait is needed only when no read was outstanding (at the start, or
/// after data was consumed); once a check has said "not ready", the helper is already waiting
/// on the pipe and the answer is accurate, so an idle stdin costs nothing.
const STDIN_GRACE_NS: u64 = 10_000_000;

/// Whether the last stdin check found data (then the next check starts a new host read).
static STDIN_WAS_READY: Global<bool> = Global::new("poll::STDIN_WAS_READY", true);

fn stdin_ready(first_look: bool) -> bool {
    let ready = with_stdin(|s| {
        if host::ready(s) {
            return true;
        }
        if !first_look || !STDIN_WAS_READY.with(|r| *r) {
            return false;
        }
        !wait::any(&[s], Some(wait::now() + STDIN_GRACE_NS)).is_empty()
    });
    STDIN_WAS_READY.with(|r| *r = ready);
    ready
}

/// Fill every `revents`; return how many entries `counts`. `first` marks a call's first pass.
fn evaluate(
    fds: &mut [PollFd],
    watch: &[Watch],
    counts: &dyn Fn(&PollFd) -> bool,
    first: bool,
) -> usize {
    let mut n = 0;
    for (p, w) in fds.iter_mut().zip(watch) {
        p.revents = watch_revents(w, p.events, first);
        if counts(p) {
            n += 1;
        }
    }
    n
}

/// The `revents` of one watched descriptor for `events`, now. `first` marks a call's first look
/// (stdin then waits briefly for data already in the pipe: see `STDIN_GRACE_NS`).
pub fn watch_revents(w: &Watch, events: i16, first: bool) -> i16 {
    match w {
        Watch::Ignore => 0,
        Watch::Invalid => POLLNVAL,
        Watch::AlwaysReady(dirs) => events & dirs,
        Watch::File => events & (POLLIN | POLLOUT),
        Watch::Stdin => {
            let input = events & POLLIN != 0 && stdin_ready(first);
            (if input { POLLIN } else { 0 }) | (events & POLLOUT)
        }
        Watch::Ours(d) => revents_of(d, events),
    }
}

/// Block until one of the descriptors' pollables, or the deadline, fires.
fn wait(fds: &[PollFd], watch: &[Watch], deadline: Option<u64>) {
    let stdin_wanted = fds
        .iter()
        .zip(watch)
        .any(|(p, w)| matches!(w, Watch::Stdin) && p.events & POLLIN != 0);
    let run = |stdin: Option<&Pollable>| {
        let mut sockets = Vec::new();
        for (p, w) in fds.iter().zip(watch) {
            if let Watch::Ours(d) = w {
                sockets_to_watch(d, p.events, &mut sockets);
            }
        }
        // Shared borrows: a descriptor listed twice (or two `dup`s of one socket) is fine.
        let guards: Vec<_> = sockets.iter().map(|(s, ev)| (s.borrow(), *ev)).collect();
        let mut list: Vec<&Pollable> = Vec::with_capacity(fds.len() + 2);
        for (s, events) in &guards {
            socket_pollables(s, *events, false, &mut list);
        }
        list.extend(stdin);
        // Nothing may ever become ready (no descriptors, or none with a pollable): Linux sleeps
        // forever, and so does a wait with no deadline.
        wait::any(&list, deadline);
    };
    if stdin_wanted {
        with_stdin(|s| run(Some(s)));
    } else {
        run(None);
    }
}

/// Whether `fd` is open (a socket or any other descriptor).
pub fn is_open(fd: i32) -> bool {
    !matches!(classify(fd), Watch::Invalid | Watch::Ignore)
}

/// `poll` over `fds` with a timeout in nanoseconds (`None`: forever). Returns how many entries
/// have events.
pub fn poll(fds: &mut [PollFd], timeout_ns: Option<u64>) -> usize {
    poll_until(fds, timeout_ns, &|p| p.revents != 0)
}

/// [`poll`], where an entry counts as ready only when `counts` says so (`select` ignores events
/// that belong to none of the caller's sets).
pub fn poll_until(
    fds: &mut [PollFd],
    timeout_ns: Option<u64>,
    counts: &dyn Fn(&PollFd) -> bool,
) -> usize {
    wait::linger::reap();
    let watch: Vec<Watch> = fds.iter().map(|p| classify(p.fd)).collect();
    if timeout_ns == Some(0) {
        // A look, no wait: no clock needed.
        return evaluate(fds, &watch, counts, true);
    }
    let deadline = timeout_ns.map(|t| wait::now().saturating_add(t));
    let mut first = true;
    loop {
        let n = evaluate(fds, &watch, counts, first);
        first = false;
        if n > 0 {
            return n;
        }
        match deadline {
            Some(d) if wait::now() >= d => return 0,
            _ => wait(fds, &watch, deadline),
        }
    }
}
