//! Connections holding bytes a `send` accepted for the host (see `crate::tcp`'s coalescing):
//! the registry the library flushes at every call and watches during every wait, so no byte
//! waits longer than the program's next call into the library.

use super::Wait;
use crate::bindings::wasi::io::poll::Pollable;
use crate::global::Global;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::{Ref, RefCell};

/// What the registry needs of a connection with held bytes.
pub trait Unflushed {
    /// Hand held bytes to the host as `wait` allows; whether some remain.
    fn flush(&mut self, wait: Wait) -> bool;
    /// The pollable that fires when the host may take more.
    fn out_pollable(&self) -> Option<&Pollable>;
}

type Entry = Rc<RefCell<dyn Unflushed>>;

/// Weak: a connection closed with bytes held lets them go through `close`'s own path (the
/// socket lingers until the host has them, see [`super::linger`]).
static UNFLUSHED: Global<Vec<Weak<RefCell<dyn Unflushed>>>> =
    Global::new("wait::unflushed::UNFLUSHED", Vec::new());

/// How long the exit handler waits, in all, for held bytes to go.
const EXIT_FLUSH_NS: u64 = 10_000_000_000;

/// Note that `s` holds bytes (once; flushes remove it when it has none left).
pub fn register(s: Entry) {
    let fresh = UNFLUSHED.with(|l| {
        let first = l.is_empty();
        if !l
            .iter()
            .any(|e| e.as_ptr().cast::<()>() == Rc::as_ptr(&s).cast::<()>())
        {
            l.push(Rc::downgrade(&s));
        }
        first
    });
    if fresh {
        register_exit_flush();
    }
}

/// Whether no connection holds bytes.
pub fn is_empty() -> bool {
    UNFLUSHED.with(|l| l.is_empty())
}

/// Hand every connection's held bytes to the host without waiting, except `except`'s (a send
/// on it is about to add to them). A connection in use by the call in progress (borrowed) is
/// left for the next flush.
pub fn flush(except: Option<*const ()>) {
    if is_empty() {
        return;
    }
    let list = UNFLUSHED.with(core::mem::take);
    let mut kept = Vec::new();
    for w in list {
        let Some(e) = w.upgrade() else { continue };
        let skip = except.is_some_and(|p| Rc::as_ptr(&e).cast::<()>() == p);
        let left = skip
            || e.try_borrow_mut()
                .map_or(true, |mut s| s.flush(Wait::Never));
        if left {
            kept.push(w);
        }
    }
    UNFLUSHED.with(|l| {
        // Registered meanwhile (nothing does today) come after.
        kept.append(l);
        *l = kept;
    });
}

/// The registered connections, borrowed, to add their pollables to a wait (the ones in use by
/// the call in progress are left out).
pub(super) fn guards(keep: &mut Vec<Entry>) -> Vec<Ref<'_, dyn Unflushed>> {
    keep.clear();
    UNFLUSHED.with(|l| keep.extend(l.iter().filter_map(Weak::upgrade)));
    keep.iter().filter_map(|e| e.try_borrow().ok()).collect()
}

fn register_exit_flush() {
    static REGISTERED: Global<bool> = Global::new("wait::unflushed::REGISTERED", false);
    if REGISTERED.with(|r| core::mem::replace(r, true)) {
        return;
    }
    unsafe extern "C" {
        fn atexit(f: extern "C" fn()) -> i32;
    }
    // SAFETY: registers a plain function with the C library's exit handlers.
    unsafe { atexit(flush_at_exit) };
}

/// At exit: hand every held byte to the host (bounded), as the kernel would send what `send`
/// accepted.
extern "C" fn flush_at_exit() {
    let deadline = Wait::Until(super::now().saturating_add(EXIT_FLUSH_NS));
    let list = UNFLUSHED.with(core::mem::take);
    for e in list.iter().filter_map(Weak::upgrade) {
        if let Ok(mut s) = e.try_borrow_mut() {
            s.flush(deadline);
        }
    }
}
