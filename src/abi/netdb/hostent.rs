//! `gethostbyname`, `gethostbyaddr`, `getservbyname`, `getservbyport`, `h_errno`, `hstrerror`,
//! `herror`: the older calls that answer in static storage.

use super::{arg, copy_c};
use crate::abi::SockLen;
use crate::addr;
use crate::netdb::{self, Eai, Hints, Host};
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_void};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::ptr::{self, null_mut};
use libc::c_int;

/// `h_errno`: the last `gethostbyname`/`gethostbyaddr` failure.
#[unsafe(no_mangle)]
pub static mut h_errno: c_int = 0;

const NETDB_INTERNAL: c_int = -1;
const HOST_NOT_FOUND: c_int = 1;
const TRY_AGAIN: c_int = 2;
const NO_RECOVERY: c_int = 3;

fn set_h_errno(v: c_int) {
    // SAFETY: single-threaded guest (see `global`); a plain store to the C global.
    unsafe { ptr::addr_of_mut!(h_errno).write(v) };
}

/// wasi-libc's `struct hostent`.
#[repr(C)]
pub struct HostEnt {
    name: *mut c_char,
    aliases: *mut *mut c_char,
    addrtype: c_int,
    length: c_int,
    addr_list: *mut *mut c_char,
}

/// wasi-libc's `struct servent`.
#[repr(C)]
pub struct ServEnt {
    name: *mut c_char,
    aliases: *mut *mut c_char,
    port: c_int,
    proto: *mut c_char,
}

/// Storage behind the pointers `gethostby*` and `getservby*` return (valid until the next call,
/// as POSIX says).
struct Static {
    host: HostEnt,
    host_name: [u8; 256],
    addrs: [[u8; 16]; 16],
    addr_ptrs: [*mut c_char; 17],
    no_aliases: [*mut c_char; 1],
    serv: ServEnt,
    serv_name: [u8; 32],
    serv_proto: [u8; 4],
    serv_aliases: [[u8; 32]; 4],
    serv_alias_ptrs: [*mut c_char; 5],
}

static mut STATIC: Static = Static {
    host: HostEnt {
        name: null_mut(),
        aliases: null_mut(),
        addrtype: 0,
        length: 0,
        addr_list: null_mut(),
    },
    host_name: [0; 256],
    addrs: [[0; 16]; 16],
    addr_ptrs: [null_mut(); 17],
    no_aliases: [null_mut(); 1],
    serv: ServEnt {
        name: null_mut(),
        aliases: null_mut(),
        port: 0,
        proto: null_mut(),
    },
    serv_name: [0; 32],
    serv_proto: [0; 4],
    serv_aliases: [[0; 32]; 4],
    serv_alias_ptrs: [null_mut(); 5],
};

/// Fill the static `hostent` with `name` and `addrs` (all of one family).
fn hostent(name: &str, addrs: &[IpAddr], v6: bool) -> *mut HostEnt {
    // SAFETY: single-threaded guest; the storage is only reached through this function and the
    // pointers it returns, which POSIX makes valid until the next call.
    let st = unsafe { &mut *ptr::addr_of_mut!(STATIC) };
    st.host.name = copy_c(&mut st.host_name, name);
    st.no_aliases[0] = null_mut();
    st.host.aliases = st.no_aliases.as_mut_ptr();
    st.host.addrtype = c_int::from(if v6 { addr::AF_INET6 } else { addr::AF_INET });
    st.host.length = if v6 { 16 } else { 4 };
    let mut n = 0;
    for ip in addrs.iter().take(16) {
        match (ip, v6) {
            (IpAddr::V4(a), false) => st.addrs[n][..4].copy_from_slice(&a.octets()),
            (IpAddr::V6(a), true) => st.addrs[n].copy_from_slice(&a.octets()),
            _ => continue,
        }
        st.addr_ptrs[n] = st.addrs[n].as_mut_ptr().cast();
        n += 1;
    }
    st.addr_ptrs[n] = null_mut();
    st.host.addr_list = st.addr_ptrs.as_mut_ptr();
    &mut st.host
}

/// gethostbyname(3): IPv4 addresses of `name` (numeric, `localhost`, or from the resolver).
/// Failure: NULL and `h_errno` (`HOST_NOT_FOUND`, `TRY_AGAIN`, `NO_RECOVERY`).
///
/// # Safety
/// `name` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gethostbyname(name: *const c_char) -> *mut HostEnt {
    // SAFETY: forwarded contract.
    let Ok(Some(name)) = (unsafe { arg(name) }) else {
        set_h_errno(HOST_NOT_FOUND);
        return null_mut();
    };
    let h = Hints {
        family: c_int::from(addr::AF_INET),
        ..Hints::default()
    };
    let addrs = match netdb::host(Some(name), &h) {
        Ok(Host::Known(a)) => Ok(a),
        Ok(Host::Lookup(n)) => netdb::lookup(n),
        Err(e) => Err(e),
    };
    let v4: Vec<IpAddr> = addrs
        .iter()
        .flatten()
        .copied()
        .filter(IpAddr::is_ipv4)
        .collect();
    if v4.is_empty() {
        set_h_errno(match addrs {
            Err(Eai::AGAIN) => TRY_AGAIN,
            Err(Eai::FAIL) => NO_RECOVERY,
            _ => HOST_NOT_FOUND,
        });
        return null_mut();
    }
    hostent(name, &v4, false)
}

/// gethostbyaddr(3), without reverse lookup: loopback addresses are `localhost`; any other
/// address is `HOST_NOT_FOUND`. An unknown family, or a length shorter than the family's address,
/// is `NETDB_INTERNAL` with `errno` `EAFNOSUPPORT`, as in glibc.
///
/// # Safety
/// `a` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gethostbyaddr(a: *const c_void, len: SockLen, ty: c_int) -> *mut HostEnt {
    let size = match ty {
        t if t == c_int::from(addr::AF_INET) => 4,
        t if t == c_int::from(addr::AF_INET6) => 16,
        // glibc passes AF_UNSPEC on to its backends, whose hosts file matches an address of
        // either family by its length.
        t if t == c_int::from(addr::AF_UNSPEC) && (len == 4 || len == 16) => len as usize,
        _ => 0,
    };
    if size == 0 || (len as usize) < size || a.is_null() {
        crate::errno::set_errno(crate::errno::Errno::EAFNOSUPPORT);
        set_h_errno(NETDB_INTERNAL);
        return null_mut();
    }
    // A longer address matches no entry in glibc (its backends compare the exact length).
    if len as usize != size {
        set_h_errno(HOST_NOT_FOUND);
        return null_mut();
    }
    let ip = if size == 4 {
        // SAFETY: 4 readable bytes per the contract (`len >= 4`).
        IpAddr::V4(Ipv4Addr::from(unsafe {
            a.cast::<[u8; 4]>().read_unaligned()
        }))
    } else {
        // SAFETY: 16 readable bytes per the contract (`len >= 16`).
        IpAddr::V6(Ipv6Addr::from(unsafe {
            a.cast::<[u8; 16]>().read_unaligned()
        }))
    };
    match netdb::loopback_name(&ip) {
        Some(n) => hostent(n, &[ip], ip.is_ipv6()),
        None => {
            set_h_errno(HOST_NOT_FOUND);
            null_mut()
        }
    }
}

/// Fill the static `servent`.
fn servent(s: &netdb::Service) -> *mut ServEnt {
    // SAFETY: as for `hostent`.
    let st = unsafe { &mut *ptr::addr_of_mut!(STATIC) };
    st.serv.name = copy_c(&mut st.serv_name, s.name);
    let mut n = 0;
    for alias in s.aliases().take(4) {
        st.serv_alias_ptrs[n] = copy_c(&mut st.serv_aliases[n], alias);
        n += 1;
    }
    st.serv_alias_ptrs[n] = null_mut();
    st.serv.aliases = st.serv_alias_ptrs.as_mut_ptr();
    st.serv.port = c_int::from(s.port.to_be());
    st.serv.proto = copy_c(&mut st.serv_proto, if s.udp { "udp" } else { "tcp" });
    &mut st.serv
}

/// The protocol argument of `getservby*`: NULL (TCP first, then UDP), "tcp" or "udp".
///
/// # Safety
/// `proto` NULL or NUL-terminated.
unsafe fn protos(proto: *const c_char) -> &'static [bool] {
    // SAFETY: forwarded contract.
    match unsafe { arg(proto) } {
        Ok(None) => &[false, true],
        Ok(Some("tcp")) => &[false],
        Ok(Some("udp")) => &[true],
        _ => &[],
    }
}

/// getservbyname(3), from the built-in table.
///
/// # Safety
/// `name`, `proto` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getservbyname(name: *const c_char, proto: *const c_char) -> *mut ServEnt {
    // SAFETY: forwarded contract.
    let Ok(Some(name)) = (unsafe { arg(name) }) else {
        return null_mut();
    };
    // SAFETY: forwarded contract.
    for &udp in unsafe { protos(proto) } {
        if let Some(s) = netdb::find_by_name(name, udp) {
            return servent(&s);
        }
    }
    null_mut()
}

/// getservbyport(3), from the built-in table. `port` is in network byte order.
///
/// # Safety
/// `proto` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getservbyport(port: c_int, proto: *const c_char) -> *mut ServEnt {
    let port = u16::from_be(port as u16);
    // SAFETY: forwarded contract.
    for &udp in unsafe { protos(proto) } {
        if let Some(s) = netdb::find_by_port(port, udp) {
            return servent(&s);
        }
    }
    null_mut()
}

/// hstrerror(3): glibc's messages.
#[unsafe(no_mangle)]
pub extern "C" fn hstrerror(code: c_int) -> *const c_char {
    let s: &'static [u8] = match code {
        c if c < 0 => b"Resolver internal error\0",
        0 => b"Resolver Error 0 (no error)\0",
        HOST_NOT_FOUND => b"Unknown host\0",
        TRY_AGAIN => b"Host name lookup failure\0",
        NO_RECOVERY => b"Unknown server error\0",
        4 => b"No address associated with name\0",
        _ => b"Unknown resolver error\0",
    };
    s.as_ptr().cast()
}

/// herror(3): "`prefix`: message" on standard error.
///
/// # Safety
/// `prefix` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn herror(prefix: *const c_char) {
    // SAFETY: single-threaded read of the C global.
    let code = unsafe { ptr::addr_of!(h_errno).read() };
    // SAFETY: a static NUL-terminated string.
    let msg = unsafe { CStr::from_ptr(hstrerror(code)) }.to_bytes();
    // SAFETY: forwarded contract.
    let pre = unsafe { arg(prefix) }.ok().flatten().unwrap_or("");
    let mut line: Vec<u8> = Vec::new();
    if !pre.is_empty() {
        line.extend_from_slice(pre.as_bytes());
        line.extend_from_slice(b": ");
    }
    line.extend_from_slice(msg);
    line.push(b'\n');
    let _ = crate::ops::write(2, &[&line]);
}
