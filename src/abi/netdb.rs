//! `getaddrinfo`, `freeaddrinfo`, `gai_strerror`, `getnameinfo`, `gethostbyname`,
//! `gethostbyaddr`, `getservbyname`, `getservbyport`, `h_errno`, `hstrerror`, `herror`,
//! `inet_addr`, `inet_ntoa`. The logic is in [`crate::netdb`]; this decodes C arguments and
//! lays results out in C memory (allocated with the C library's `malloc`, so `freeaddrinfo`
//! frees with `free`).

use super::SockLen;
use crate::addr::{self, Family};
use crate::netdb::{self, Eai, Entry, Hints, Host, ai};
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_void};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use core::ptr::{self, null_mut};
use libc::c_int;

unsafe extern "C" {
    fn malloc(n: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// wasi-libc's `struct addrinfo` (32 bytes).
#[repr(C)]
pub struct AddrInfo {
    flags: c_int,
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    addrlen: SockLen,
    addr: *mut u8,
    canonname: *mut c_char,
    next: *mut AddrInfo,
}

/// One result node: the `addrinfo` and its address, in one allocation.
#[repr(C)]
struct Node {
    ai: AddrInfo,
    addr: [u8; addr::SOCKADDR_IN6_LEN],
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

/// The result list in C memory, or `EAI_MEMORY` (nothing left allocated).
fn build(entries: &[Entry], flags: c_int, canon: Option<&str>) -> Result<*mut AddrInfo, Eai> {
    let mut head: *mut AddrInfo = null_mut();
    let mut tail: *mut *mut AddrInfo = &mut head;
    for (i, e) in entries.iter().enumerate() {
        // SAFETY: plain C allocation of a `Node`.
        let n = unsafe { malloc(core::mem::size_of::<Node>()) }.cast::<Node>();
        if n.is_null() {
            // SAFETY: `head` is a list this function built.
            unsafe { freeaddrinfo(head) };
            return Err(Eai::MEMORY);
        }
        let enc = addr::encode(&e.addr);
        let mut storage = [0u8; addr::SOCKADDR_IN6_LEN];
        storage[..enc.as_bytes().len()].copy_from_slice(enc.as_bytes());
        let canonname = match (i, canon) {
            (0, Some(c)) if flags & ai::CANONNAME != 0 => c_string(c),
            _ => null_mut(),
        };
        // SAFETY: `n` is a fresh allocation of a `Node`; `tail` points at the last `next`
        // field (or `head`).
        unsafe {
            n.write(Node {
                ai: AddrInfo {
                    flags,
                    family: c_int::from(Family::of(&e.addr).af()),
                    socktype: e.socktype,
                    protocol: e.protocol,
                    addrlen: enc.as_bytes().len() as SockLen,
                    addr: null_mut(),
                    canonname,
                    next: null_mut(),
                },
                addr: storage,
            });
            (*n).ai.addr = (*n).addr.as_mut_ptr();
            *tail = &mut (*n).ai;
            tail = &mut (*n).ai.next;
        }
    }
    Ok(head)
}

/// getaddrinfo(3): glibc's checks and answers (see [`crate::netdb`]). Numeric hosts, a NULL
/// host and `localhost` need no lookup capability; other names go to the host's resolver
/// (`-S allow-ip-name-lookup`), whose denial is `EAI_FAIL`. `AI_ADDRCONFIG` is accepted and
/// has no effect (WASI cannot list interfaces). No `SOCK_RAW` entries (WASI has none).
///
/// # Safety
/// `node`/`service` NULL or NUL-terminated; `hints` NULL or valid; `res` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const AddrInfo,
    res: *mut *mut AddrInfo,
) -> c_int {
    let r = (|| {
        // SAFETY: forwarded contract.
        let (node, service) = unsafe { (arg(node)?, arg(service)?) };
        let h = if hints.is_null() {
            Hints::default()
        } else {
            // SAFETY: valid per the contract.
            let h = unsafe { &*hints };
            Hints {
                flags: h.flags,
                family: h.family,
                socktype: h.socktype,
                protocol: h.protocol,
            }
        };
        netdb::check_hints(node, service, &h)?;
        let ports = netdb::service_ports(service, &h)?;
        let (addrs, numeric, scope) = match netdb::host(node, &h)? {
            Host::Known(a) => {
                let scope = node.and_then(netdb::parse_ipv6).map_or(0, |(_, s)| s);
                (
                    a,
                    node.is_some_and(|n| netdb::parse_numeric(n).is_some()),
                    scope,
                )
            }
            Host::Lookup(name) => (netdb::lookup(name)?, false, 0),
        };
        let entries = netdb::expand(&addrs, &ports, &h, numeric, scope)?;
        if res.is_null() {
            // glibc and musl would crash; EAI_SYSTEM points at errno.
            crate::errno::set_errno(crate::errno::Errno::EFAULT);
            return Err(Eai::SYSTEM);
        }
        // The canonical name: localhost's own, else the name as given (WASI's resolver reports
        // no CNAME chain).
        let canon = node.map(|n| {
            if netdb::fallback(n).is_some() {
                "localhost"
            } else {
                n
            }
        });
        let list = build(&entries, h.flags, canon)?;
        // SAFETY: writable per the contract.
        unsafe { *res = list };
        Ok(())
    })();
    match r {
        Ok(()) => 0,
        Err(e) => e.0,
    }
}

/// freeaddrinfo(3).
///
/// # Safety
/// `list` must be NULL or a list returned by `getaddrinfo`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn freeaddrinfo(mut list: *mut AddrInfo) {
    while !list.is_null() {
        // SAFETY: a node `build` allocated (its `AddrInfo` is the start of the `Node`).
        unsafe {
            let next = (*list).next;
            free((*list).canonname.cast());
            free(list.cast());
            list = next;
        }
    }
}

/// gai_strerror(3): glibc's messages.
#[unsafe(no_mangle)]
pub extern "C" fn gai_strerror(code: c_int) -> *const c_char {
    Eai::message(code).as_ptr().cast()
}

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

fn copy_c(dst: &mut [u8], s: &str) -> *mut c_char {
    let n = s.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&s.as_bytes()[..n]);
    dst[n] = 0;
    dst.as_mut_ptr().cast()
}

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
    // SAFETY: a valid buffer for fd 2.
    unsafe { super::io::write(2, line.as_ptr(), line.len()) };
}

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
