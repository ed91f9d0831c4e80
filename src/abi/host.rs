//! Host facts: `if_nametoindex`, `if_indextoname`, `if_nameindex`, `if_freenameindex`,
//! `getifaddrs`, `freeifaddrs` (the loopback interface, see [`crate::hostinfo`]),
//! `gethostname`, `getrlimit`, `setrlimit` (`RLIMIT_NOFILE`; `sysconf(_SC_OPEN_MAX)` reads it
//! through `csrc/wrap_sysconf.c`).

use super::SockLen;
use crate::addr::SOCKADDR_IN6_LEN;
use crate::errno::{Errno, Result, c_ret};
use crate::hostinfo::{self, Interface};
use core::ffi::{CStr, c_char, c_void};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use core::ptr::{self, null_mut};
use libc::c_int;

unsafe extern "C" {
    fn malloc(n: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// `IF_NAMESIZE`.
const IF_NAMESIZE: usize = 16;

/// if_nametoindex(3): the loopback interface `lo` is 1; any other name 0 (`ENODEV`).
///
/// # Safety
/// `name` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn if_nametoindex(name: *const c_char) -> u32 {
    if name.is_null() {
        return 0;
    }
    // SAFETY: NUL-terminated per the contract.
    let name = unsafe { CStr::from_ptr(name) }.to_bytes();
    match hostinfo::by_name(name) {
        Some(i) => i.index,
        None => {
            crate::errno::set_errno(Errno::ENODEV);
            0
        }
    }
}

/// if_indextoname(3): the name into `buf` (`IF_NAMESIZE` bytes), or NULL with `ENXIO`.
///
/// # Safety
/// `buf` writable for `IF_NAMESIZE` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn if_indextoname(index: u32, buf: *mut c_char) -> *mut c_char {
    let Some(i) = hostinfo::by_index(index) else {
        crate::errno::set_errno(Errno::ENXIO);
        return null_mut();
    };
    if buf.is_null() {
        crate::errno::set_errno(Errno::EFAULT);
        return null_mut();
    }
    // SAFETY: writable for IF_NAMESIZE bytes per the contract; names are shorter.
    unsafe { put_name(buf.cast(), i.name) };
    buf
}

/// Copy `name` and a NUL to `dst`.
///
/// # Safety
/// `dst` writable for `name.len() + 1` bytes.
unsafe fn put_name(dst: *mut u8, name: &str) {
    // SAFETY: per the contract.
    unsafe {
        ptr::copy_nonoverlapping(name.as_ptr(), dst, name.len());
        *dst.add(name.len()) = 0;
    }
}

/// `struct if_nameindex`.
#[repr(C)]
pub struct NameIndex {
    index: u32,
    name: *mut c_char,
}

/// if_nameindex(3): every interface, then `{0, NULL}`, in one `malloc`'d block
/// (`if_freenameindex` frees it).
#[unsafe(no_mangle)]
pub extern "C" fn if_nameindex() -> *mut NameIndex {
    let n = hostinfo::INTERFACES.len();
    let entries = (n + 1) * size_of::<NameIndex>();
    // SAFETY: plain C allocation.
    let block = unsafe { malloc(entries + n * IF_NAMESIZE) }.cast::<u8>();
    if block.is_null() {
        crate::errno::set_errno(Errno::ENOBUFS);
        return null_mut();
    }
    let list = block.cast::<NameIndex>();
    for (k, i) in hostinfo::INTERFACES.iter().enumerate() {
        // SAFETY: `block` holds `n + 1` entries and `n` names of IF_NAMESIZE bytes after them.
        unsafe {
            let name = block.add(entries + k * IF_NAMESIZE);
            put_name(name, i.name);
            list.add(k).write_unaligned(NameIndex {
                index: i.index,
                name: name.cast(),
            });
        }
    }
    // SAFETY: the terminating entry, inside the block.
    unsafe {
        list.add(n).write_unaligned(NameIndex {
            index: 0,
            name: null_mut(),
        })
    };
    list
}

/// if_freenameindex(3).
///
/// # Safety
/// `p` from `if_nameindex` (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn if_freenameindex(p: *mut NameIndex) {
    // SAFETY: one malloc'd block.
    unsafe { free(p.cast()) };
}

/// `struct ifaddrs` (wasi-libc's `<ifaddrs.h>`).
#[repr(C)]
pub struct IfAddrs {
    next: *mut IfAddrs,
    name: *mut c_char,
    flags: u32,
    addr: *mut u8,
    netmask: *mut u8,
    broad_or_dst: *mut u8,
    data: *mut c_void,
}

/// One `getifaddrs` entry with its storage.
#[repr(C)]
struct IfAddrsNode {
    ifa: IfAddrs,
    name: [u8; IF_NAMESIZE],
    addr: [u8; SOCKADDR_IN6_LEN],
    netmask: [u8; SOCKADDR_IN6_LEN],
}

/// The netmask of a prefix of `len` bits, in the address's family.
fn netmask(ip: &IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(
            u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0),
        )),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(
            u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0),
        )),
    }
}

fn sockaddr(ip: IpAddr) -> SocketAddr {
    match ip {
        IpAddr::V4(a) => SocketAddr::V4(SocketAddrV4::new(a, 0)),
        IpAddr::V6(a) => SocketAddr::V6(SocketAddrV6::new(a, 0, 0, 0)),
    }
}

/// getifaddrs(3): the loopback interface's IPv4 and IPv6 addresses, with their netmasks, in one
/// `malloc`'d block (`freeifaddrs` frees it). (Linux also lists an `AF_PACKET` entry per
/// interface; WASI has no link layer.)
///
/// # Safety
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getifaddrs(out: *mut *mut IfAddrs) -> c_int {
    if out.is_null() {
        return c_ret(Err(Errno::EFAULT));
    }
    let all: alloc::vec::Vec<(&Interface, IpAddr, u8)> = hostinfo::INTERFACES
        .iter()
        .flat_map(|i| i.addrs.iter().map(move |&(ip, len)| (i, ip, len)))
        .collect();
    // SAFETY: plain C allocation.
    let nodes =
        unsafe { malloc(all.len().max(1) * size_of::<IfAddrsNode>()) }.cast::<IfAddrsNode>();
    if nodes.is_null() {
        return c_ret(Err(Errno::ENOMEM));
    }
    for (k, (i, ip, len)) in all.iter().enumerate() {
        // SAFETY: `nodes` holds `all.len()` nodes; each field is written before it is pointed to.
        unsafe {
            let node = nodes.add(k);
            let name = ptr::addr_of_mut!((*node).name).cast::<u8>();
            let addr = ptr::addr_of_mut!((*node).addr).cast::<u8>();
            let mask = ptr::addr_of_mut!((*node).netmask).cast::<u8>();
            put_name(name, i.name);
            for (dst, a) in [(addr, *ip), (mask, netmask(ip, *len))] {
                ptr::write_bytes(dst, 0, SOCKADDR_IN6_LEN);
                let mut l: SockLen = SOCKADDR_IN6_LEN as SockLen;
                // (Into the block just allocated: it cannot fault.)
                let _ = super::write_addr(dst, SOCKADDR_IN6_LEN, &mut l, &sockaddr(a));
            }
            let next = if k + 1 < all.len() {
                nodes.add(k + 1).cast()
            } else {
                null_mut()
            };
            ptr::addr_of_mut!((*node).ifa).write(IfAddrs {
                next,
                name: name.cast(),
                flags: i.flags,
                addr,
                netmask: mask,
                broad_or_dst: null_mut(),
                data: null_mut(),
            });
        }
    }
    // SAFETY: writable per the contract.
    unsafe {
        out.write_unaligned(if all.is_empty() {
            null_mut()
        } else {
            nodes.cast()
        })
    };
    if all.is_empty() {
        // SAFETY: the block just allocated.
        unsafe { free(nodes.cast()) };
    }
    0
}

/// freeifaddrs(3).
///
/// # Safety
/// `p` from `getifaddrs` (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn freeifaddrs(p: *mut IfAddrs) {
    // SAFETY: one malloc'd block.
    unsafe { free(p.cast()) };
}

/// gethostname(2): `localhost` (WASI gives a guest no host name; see [`hostinfo::HOSTNAME`]).
/// A buffer too short for the name and its NUL is `ENAMETOOLONG`, as glibc.
///
/// # Safety
/// `name` writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gethostname(name: *mut c_char, len: usize) -> c_int {
    let h = hostinfo::HOSTNAME;
    let r = if len <= h.len() {
        Err(Errno::ENAMETOOLONG)
    } else if name.is_null() {
        Err(Errno::EFAULT)
    } else {
        // SAFETY: writable for `len > h.len()` bytes per the contract.
        unsafe { put_name(name.cast(), h) };
        Ok(0)
    };
    c_ret(r)
}

/// `RLIMIT_NOFILE` in wasi-libc (Linux's 7); `RLIM_INFINITY`.
const RLIMIT_NOFILE: c_int = 7;
const RLIM_INFINITY: u64 = u64::MAX;
/// Linux's last resource number (`RLIM_NLIMITS` - 1).
const RLIMIT_MAX: c_int = 15;

/// `struct rlimit`.
#[repr(C)]
pub struct Rlimit {
    cur: u64,
    max: u64,
}

/// getrlimit(2): `RLIMIT_NOFILE` is the library's descriptor limit (see
/// [`hostinfo::nofile`]); the other resources have none a guest could reach
/// (`RLIM_INFINITY`); an unknown resource is `EINVAL`, then an `out` outside memory `EFAULT`
/// (Linux's `prlimit64` copies the limit out last).
///
/// # Safety
/// `out` writable for a `struct rlimit` if it lies in memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getrlimit(resource: c_int, out: *mut Rlimit) -> c_int {
    let r = (|| {
        let (cur, max) = match resource {
            RLIMIT_NOFILE => hostinfo::nofile(),
            0..=RLIMIT_MAX => (RLIM_INFINITY, RLIM_INFINITY),
            _ => return Err(Errno::EINVAL),
        };
        // glibc's getrlimit is prlimit64 with no new limit: a NULL out-pointer asks nothing.
        if !out.is_null() {
            if !crate::codec::whole_in_memory(out.cast(), size_of::<Rlimit>()) {
                return Err(Errno::EFAULT);
            }
            // SAFETY: in memory (checked), writable per the contract.
            unsafe { out.write_unaligned(Rlimit { cur, max }) };
        }
        Ok(0)
    })();
    c_ret(r)
}

/// setrlimit(2): `RLIMIT_NOFILE` may be lowered (the soft limit then bounds new descriptor
/// numbers, `EMFILE`, as Linux) and the soft limit raised up to the hard one; the others
/// accept what they already are. A `new` outside memory is `EFAULT` before the resource is
/// looked at (Linux's `prlimit64` copies it in first).
///
/// # Safety
/// `new` readable for a `struct rlimit` if it lies in memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setrlimit(resource: c_int, new: *const Rlimit) -> c_int {
    let r: Result<c_int> = (|| {
        if !new.is_null() && !crate::codec::whole_in_memory(new.cast(), size_of::<Rlimit>()) {
            return Err(Errno::EFAULT);
        }
        if !(0..=RLIMIT_MAX).contains(&resource) {
            return Err(Errno::EINVAL);
        }
        // glibc's setrlimit is prlimit64: NULL sets nothing.
        if new.is_null() {
            return Ok(0);
        }
        // SAFETY: in memory (checked), readable per the contract.
        let Rlimit { cur, max } = unsafe { new.read_unaligned() };
        if resource == RLIMIT_NOFILE {
            if max > hostinfo::NOFILE_MAX && max != RLIM_INFINITY {
                return Err(Errno::EPERM);
            }
            hostinfo::set_nofile(cur.min(hostinfo::NOFILE_MAX), max.min(hostinfo::NOFILE_MAX))?;
        } else if cur > max {
            return Err(Errno::EINVAL);
        }
        Ok(0)
    })();
    c_ret(r)
}
