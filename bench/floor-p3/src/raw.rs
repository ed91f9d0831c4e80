//! The canonical ABI's built-ins that the floor uses directly: `stream.read` / `stream.write` /
//! `stream.cancel-read` on `stream<u8>` (the functions wit-bindgen generated for this world's
//! `stream<u8>`, taken from its table) and the waitable-set built-ins (declared here, as
//! wit-bindgen's runtime declares them).

use crate::wit_stream::StreamPayload;
use std::cell::RefCell;
use std::collections::VecDeque;
use wit_bindgen::rt::async_support::StreamVtable;

/// The answer of a stream operation (the canonical ABI's packed return code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// In progress: an event will report how it ended.
    Blocked,
    Completed(usize),
    /// The other end is gone (end of stream), after this many items.
    Dropped(usize),
    Cancelled(usize),
}

impl Code {
    fn decode(v: u32) -> Code {
        if v == u32::MAX {
            return Code::Blocked;
        }
        let n = (v >> 4) as usize;
        match v & 0xf {
            0 => Code::Completed(n),
            1 => Code::Dropped(n),
            2 => Code::Cancelled(n),
            _ => panic!("stream return code {v:#x}"),
        }
    }
}

fn vtable() -> &'static StreamVtable<u8> {
    <u8 as StreamPayload>::VTABLE
}

/// Start a read of up to `buf.len()` bytes into `buf`. On `Blocked` the host keeps `buf` and
/// fills it later: the caller must keep it alive and in place until the event arrives (or a
/// `cancel_read` answers).
pub fn read(stream: u32, buf: &mut [u8]) -> Code {
    Code::decode(unsafe { (vtable().start_read)(stream, buf.as_mut_ptr(), buf.len()) })
}

/// Start a write of `data`; the same rule for `Blocked` as `read`.
pub fn write(stream: u32, data: &[u8]) -> Code {
    Code::decode(unsafe { (vtable().start_write)(stream, data.as_ptr(), data.len()) })
}

/// Cancel a blocked read: its final answer.
pub fn cancel_read(stream: u32) -> Code {
    Code::decode(unsafe { (vtable().cancel_read)(stream) })
}

#[link(wasm_import_module = "$root")]
unsafe extern "C" {
    #[link_name = "[waitable-set-new]"]
    fn waitable_set_new() -> u32;
    #[link_name = "[waitable-set-drop]"]
    fn waitable_set_drop(set: u32);
    #[link_name = "[waitable-join]"]
    fn waitable_join(waitable: u32, set: u32);
    #[link_name = "[waitable-set-wait]"]
    fn waitable_set_wait(set: u32, payload: *mut [u32; 2]) -> u32;
    #[link_name = "[waitable-set-poll]"]
    fn waitable_set_poll(set: u32, payload: *mut [u32; 2]) -> u32;
    #[link_name = "[thread-yield]"]
    fn thread_yield_() -> bool;
}

const EVENT_NONE: u32 = 0;
const EVENT_STREAM_READ: u32 = 2;
const EVENT_STREAM_WRITE: u32 = 3;

/// Let the host's event loop run once (the `thread.yield` built-in).
pub fn thread_yield() {
    unsafe {
        thread_yield_();
    }
}

/// A waitable set kept for the whole program; events for other waitables that arrive while
/// waiting for one are kept for `wait`.
pub struct Set {
    id: u32,
    stash: RefCell<VecDeque<(u32, Code)>>,
}

impl Set {
    pub fn new() -> Set {
        Set {
            id: unsafe { waitable_set_new() },
            stash: RefCell::new(VecDeque::new()),
        }
    }

    /// Put a waitable (a stream end) in the set; it stays there across operations and waits.
    pub fn join(&self, waitable: u32) {
        unsafe { waitable_join(waitable, self.id) }
    }

    /// Take a waitable out of the set (a synchronous cancel needs it out).
    pub fn leave(&self, waitable: u32) {
        unsafe { waitable_join(waitable, 0) }
    }

    fn event(code: u32, payload: [u32; 2]) -> Option<(u32, Code)> {
        match code {
            EVENT_NONE => None,
            EVENT_STREAM_READ | EVENT_STREAM_WRITE => Some((payload[0], Code::decode(payload[1]))),
            other => panic!("unexpected event {other} for waitable {}", payload[0]),
        }
    }

    /// Block until an operation in the set finishes: its waitable and its answer.
    pub fn wait(&self) -> (u32, Code) {
        if let Some(e) = self.stash.borrow_mut().pop_front() {
            return e;
        }
        loop {
            let mut payload = [0u32; 2];
            let code = unsafe { waitable_set_wait(self.id, &mut payload) };
            if let Some(e) = Self::event(code, payload) {
                return e;
            }
        }
    }

    /// Block until the operation on `waitable` finishes; others' events are kept.
    pub fn wait_for(&self, waitable: u32) -> Code {
        {
            let mut stash = self.stash.borrow_mut();
            if let Some(i) = stash.iter().position(|e| e.0 == waitable) {
                return stash.remove(i).unwrap().1;
            }
        }
        loop {
            let mut payload = [0u32; 2];
            let code = unsafe { waitable_set_wait(self.id, &mut payload) };
            match Self::event(code, payload) {
                Some((w, c)) if w == waitable => return c,
                Some(e) => self.stash.borrow_mut().push_back(e),
                None => {}
            }
        }
    }

    /// `wait_for`, but first up to `spins` rounds of yield-and-poll (the host's event loop runs at
    /// each yield) before blocking; also whether the spin found the answer.
    pub fn spin_wait_for(&self, waitable: u32, spins: u32) -> (Code, bool) {
        for _ in 0..spins {
            thread_yield();
            match self.poll() {
                Some((w, c)) if w == waitable => return (c, true),
                Some(e) => self.stash.borrow_mut().push_back(e),
                None => {}
            }
        }
        (self.wait_for(waitable), false)
    }

    /// The next event already queued, without blocking.
    pub fn poll(&self) -> Option<(u32, Code)> {
        if let Some(e) = self.stash.borrow_mut().pop_front() {
            return Some(e);
        }
        let mut payload = [0u32; 2];
        let code = unsafe { waitable_set_poll(self.id, &mut payload) };
        Self::event(code, payload)
    }
}

impl Drop for Set {
    fn drop(&mut self) {
        unsafe { waitable_set_drop(self.id) }
    }
}
