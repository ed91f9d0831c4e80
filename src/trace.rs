//! Trace mode: with `WASI_SOCKETS_TRACE=1` in the guest's environment (`wasmtime run --env
//! WASI_SOCKETS_TRACE=1 ...`), every C call of the library prints one strace-like line to stderr
//! (the call, its decoded arguments, the result and errno) and every wait of the library one
//! indented line (what it waited on, how long, and why it returned):
//!
//! ```text
//! [wsp] socket(AF_INET, SOCK_STREAM, 0) = 3
//! [wsp] connect(3, 127.0.0.1:8080) = -1 EINPROGRESS
//! [wsp]   wait 1 pollable(s) for 212 us: ready
//! [wsp] recv(3, 0x11e40, 64, MSG_PEEK) = 12
//! ```
//!
//! The environment is read once, at the first call; when tracing is off a call costs one load
//! and one branch more.

use crate::errno::{Errno, Result};
use crate::global::Global;
use core::ffi::c_char;
use core::fmt::{self, Write};

unsafe extern "C" {
    fn getenv(name: *const c_char) -> *const c_char;
}

/// Tracing state: unknown until the first call looks at the environment.
static ON: Global<Option<bool>> = Global::new("trace::ON", None);

/// Whether trace mode is on (`WASI_SOCKETS_TRACE` set to anything but empty or `0`).
pub fn enabled() -> bool {
    ON.with(|on| {
        *on.get_or_insert_with(|| {
            // SAFETY: a NUL-terminated name; getenv returns NULL or a NUL-terminated string.
            let v = unsafe { getenv(c"WASI_SOCKETS_TRACE".as_ptr()) };
            if v.is_null() {
                return false;
            }
            // SAFETY: non-NULL and NUL-terminated (see above).
            let v = unsafe { core::ffi::CStr::from_ptr(v) }.to_bytes();
            !v.is_empty() && v != b"0"
        })
    })
}

/// One line of trace output, built on the stack (no allocation), cut at its capacity.
struct Line {
    buf: [u8; 256],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - 1 - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Print `[wsp] <args>` and a newline to stderr.
pub fn line(args: fmt::Arguments<'_>) {
    let mut l = Line {
        buf: [0; 256],
        len: 0,
    };
    let _ = l.write_str("[wsp] ");
    let _ = l.write_fmt(args);
    l.buf[l.len] = b'\n';
    l.len += 1;
    // Straight to the host's stderr: the trace must not go through the calls it traces.
    let _ = crate::passthrough::write(2, &[&l.buf[..l.len]]);
}

/// A call's result as the trace shows it: the value, or `-1` and the errno's name.
pub struct Outcome<'a, T>(pub &'a Result<T>);

/// A successful result as C sees it (`()` is the 0 the call returns).
pub trait Shown {
    /// Write the value.
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl Shown for () {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0")
    }
}

macro_rules! shown_as_display {
    ($($t:ty),*) => {$(
        impl Shown for $t {
            fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{self}")
            }
        }
    )*};
}
shown_as_display!(i32, i64, isize, usize);

impl<T: Shown> fmt::Display for Outcome<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(v) => v.show(f),
            Err(e) => write!(f, "-1 {}", ErrName(*e)),
        }
    }
}

/// An errno by name (`EAGAIN`), or its number.
pub struct ErrName(pub Errno);

impl fmt::Display for ErrName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "errno({})", self.0.0),
        }
    }
}

/// A wait of the library: how many pollables, how long (nanoseconds), and whether something
/// became ready.
pub fn wait(pollables: usize, ns: u64, ready: bool) {
    if enabled() {
        let what = if ready { "ready" } else { "timed out" };
        line(format_args!(
            "  wait {pollables} pollable(s) for {} us: {what}",
            ns / 1000
        ));
    }
}

/// Trace a C call: `name(args) = result`, when trace mode is on. Returns the result unchanged.
#[cfg_attr(not(feature = "libc"), allow(unused_macros))]
macro_rules! traced {
    ($name:literal ( $($fmt:tt)* ), $r:expr) => {{
        let r = $r;
        if $crate::trace::enabled() {
            $crate::trace::line(format_args!(
                "{}({}) = {}",
                $name,
                format_args!($($fmt)*),
                $crate::trace::Outcome(&r)
            ));
        }
        r
    }};
}
#[cfg_attr(not(feature = "libc"), allow(unused_imports))]
pub(crate) use traced;
