//! `inet_addr`, `inet_ntoa`.

use super::{Text, arg, copy_c};
use crate::netdb;
use core::ffi::c_char;
use core::net::Ipv4Addr;
use core::ptr;

/// inet_addr(3): an IPv4 address in any `inet_aton` form (glibc's: text after white space is
/// ignored), in network order; `INADDR_NONE` (all ones) if invalid.
///
/// # Safety
/// `cp` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn inet_addr(cp: *const c_char) -> u32 {
    // SAFETY: forwarded contract.
    match unsafe { arg(cp) } {
        // glibc's inet_aton stops at white space and ignores what follows it.
        Ok(Some(s)) => {
            let s = s
                .split([' ', '\t', '\n', '\r', '\x0b', '\x0c'])
                .next()
                .unwrap_or("");
            netdb::parse_ipv4(s).map_or(u32::MAX, |a| u32::from_ne_bytes(a.octets()))
        }
        _ => u32::MAX,
    }
}

/// inet_ntoa(3): dotted-quad text in a static buffer.
#[unsafe(no_mangle)]
pub extern "C" fn inet_ntoa(a: u32) -> *const c_char {
    static mut BUF: [u8; 16] = [0; 16];
    let t = Text::of(format_args!("{}", Ipv4Addr::from(a.to_ne_bytes())));
    // SAFETY: single-threaded guest; POSIX makes the result valid until the next call.
    let buf = unsafe { &mut *ptr::addr_of_mut!(BUF) };
    copy_c(buf, t.as_str())
}
