//! `getnameinfo`.

use super::Text;
use crate::abi::SockLen;
use crate::addr::{self, Family};
use crate::netdb::{self, Eai};
use core::ffi::c_char;
use core::net::SocketAddr;
use core::ptr;
use libc::c_int;

/// `NI_*` flags in wasi-libc.
const NI_NUMERICHOST: c_int = 0x01;
const NI_NUMERICSERV: c_int = 0x02;
const NI_NOFQDN: c_int = 0x04;
const NI_NAMEREQD: c_int = 0x08;
const NI_DGRAM: c_int = 0x10;
const NI_NUMERICSCOPE: c_int = 0x100;

/// Copy `s` and a NUL into the caller's buffer; too small is `EAI_OVERFLOW`.
///
/// # Safety
/// `buf` writable for `len` bytes.
unsafe fn put(buf: *mut c_char, len: SockLen, s: &str) -> Result<(), Eai> {
    if s.len() + 1 > len as usize {
        return Err(Eai::OVERFLOW);
    }
    // SAFETY: `buf` holds at least `s.len() + 1` bytes, per the check and the contract.
    unsafe {
        ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
    }
    Ok(())
}

/// getnameinfo(3). WASI has no reverse lookup: the loopback addresses are `localhost` (as a
/// standard `/etc/hosts` says), any other address is its numeric form, or `EAI_NONAME` with
/// `NI_NAMEREQD`. Services come from the built-in table, else numeric.
///
/// # Safety
/// `sa` readable for `salen` bytes; `host`/`serv` NULL or writable for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getnameinfo(
    sa: *const u8,
    salen: SockLen,
    host: *mut c_char,
    hostlen: SockLen,
    serv: *mut c_char,
    servlen: SockLen,
    flags: c_int,
) -> c_int {
    let r = (|| {
        // glibc's checks, in its order. NI_NUMERICSCOPE is wasi-libc's (glibc lacks it).
        let known =
            NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM | NI_NUMERICSCOPE;
        if flags & !known != 0 {
            return Err(Eai::BADFLAGS);
        }
        if sa.is_null() || (salen as usize) < 2 {
            return Err(Eai::FAMILY);
        }
        let want_host = !host.is_null() && hostlen > 0;
        let want_serv = !serv.is_null() && servlen > 0;
        if flags & NI_NAMEREQD != 0 && host.is_null() && serv.is_null() {
            return Err(Eai::NONAME);
        }
        // Only the structure itself is read, however long `salen` says the buffer is.
        let len = (salen as usize).min(addr::SOCKADDR_IN6_LEN);
        // SAFETY: `sa` is non-NULL and readable for `salen >= len` bytes per the contract.
        let bytes = unsafe { core::slice::from_raw_parts(sa, len) };
        // The full structure, as glibc asks (`sizeof`; the kernel's shorter forms do not count).
        let family = match addr::sa_family(bytes) {
            Some(addr::AF_INET) if len >= addr::SOCKADDR_IN_LEN => Family::V4,
            Some(addr::AF_INET6) if len >= addr::SOCKADDR_IN6_LEN => Family::V6,
            _ => return Err(Eai::FAMILY),
        };
        let a = addr::decode(bytes, family).map_err(|_| Eai::FAMILY)?;
        if want_host {
            let name = if flags & NI_NUMERICHOST != 0 {
                None
            } else {
                netdb::loopback_name(&a.ip())
            };
            let text = match (name, &a) {
                (Some(n), _) => Text::of(format_args!("{n}")),
                (None, _) if flags & NI_NAMEREQD != 0 => return Err(Eai::NONAME),
                (None, SocketAddr::V6(v6)) if v6.scope_id() != 0 => {
                    Text::of(format_args!("{}%{}", v6.ip(), v6.scope_id()))
                }
                (None, _) => Text::of(format_args!("{}", a.ip())),
            };
            // SAFETY: forwarded contract.
            unsafe { put(host, hostlen, text.as_str()) }?;
        }
        if want_serv {
            let named = (flags & NI_NUMERICSERV == 0)
                .then(|| netdb::find_by_port(a.port(), flags & NI_DGRAM != 0))
                .flatten();
            let text = match named {
                Some(s) => Text::of(format_args!("{}", s.name)),
                None => Text::of(format_args!("{}", a.port())),
            };
            // SAFETY: forwarded contract.
            unsafe { put(serv, servlen, text.as_str()) }?;
        }
        Ok(())
    })();
    match r {
        Ok(()) => 0,
        Err(e) => e.0,
    }
}
