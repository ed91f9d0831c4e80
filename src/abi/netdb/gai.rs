//! `getaddrinfo`, `freeaddrinfo`, `gai_strerror`.

use super::{arg, c_string, free, malloc};
use crate::abi::SockLen;
use crate::addr::{self, Family};
use crate::netdb::{self, Eai, Entry, Hints, Host, ai};
use core::ffi::c_char;
use core::ptr::null_mut;
use libc::c_int;

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
