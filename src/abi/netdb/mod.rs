//! The name-service calls: `getaddrinfo`, `freeaddrinfo`, `gai_strerror` ([`gai`]),
//! `getnameinfo` ([`nameinfo`]), `gethostbyname`, `gethostbyaddr`, `getservbyname`,
//! `getservbyport`, `h_errno`, `hstrerror`, `herror` ([`hostent`]), `inet_addr`, `inet_ntoa`
//! ([`inet`]). The logic is in [`crate::netdb`]; these decode C arguments and lay results out in
//! C memory (`malloc`'d for `getaddrinfo`, so `freeaddrinfo` frees with `free`; static storage
//! for the calls POSIX defines so).

pub mod gai;
pub mod hostent;
pub mod inet;
pub mod nameinfo;

use crate::netdb::Eai;
use core::ffi::{CStr, c_char, c_void};
use core::ptr;

unsafe extern "C" {
    fn malloc(n: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// A C string argument as UTF-8 (`None` for NULL). Non-UTF-8 names cannot be valid hosts.
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string.
unsafe fn arg<'a>(p: *const c_char) -> Result<Option<&'a str>, Eai> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: NUL-terminated per the contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map(Some).map_err(|_| Eai::NONAME)
}

/// A malloc'd copy of `s`, NUL-terminated.
fn c_string(s: &str) -> *mut c_char {
    // SAFETY: plain C allocation.
    let p = unsafe { malloc(s.len() + 1) }.cast::<u8>();
    if !p.is_null() {
        // SAFETY: `p` holds `len + 1` bytes.
        unsafe {
            ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
            *p.add(s.len()) = 0;
        }
    }
    p.cast()
}

/// A small stack string for numbers and addresses.
struct Text {
    buf: [u8; 64],
    len: usize,
}

impl core::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(core::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Text {
    fn of(args: core::fmt::Arguments<'_>) -> Text {
        let mut t = Text {
            buf: [0; 64],
            len: 0,
        };
        let _ = core::fmt::write(&mut t, args);
        t
    }
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

fn copy_c(dst: &mut [u8], s: &str) -> *mut c_char {
    let n = s.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&s.as_bytes()[..n]);
    dst[n] = 0;
    dst.as_mut_ptr().cast()
}
