//! Name and service resolution: the pure parts of `getaddrinfo` and friends (numeric hosts,
//! the service table, hints checking, result expansion), host-tested. The C entry points are in
//! `crate::abi::netdb`; lookups of names go to `wasi:sockets/ip-name-lookup` (`resolve`).
//!
//! glibc is the oracle: its checks in its order, its result order for `localhost` and a NULL
//! host, and its `EAI_*` codes (the same numbers in wasi-libc).

mod services;

#[cfg(target_os = "wasi")]
mod resolve;
#[cfg(target_os = "wasi")]
pub use resolve::{lookup, resolve};

pub use services::{Service, find_by_name, find_by_port};

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// An `EAI_*` code (wasi-libc and glibc agree on the numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eai(pub i32);

impl Eai {
    /// `EAI_BADFLAGS`.
    pub const BADFLAGS: Eai = Eai(-1);
    /// `EAI_NONAME`.
    pub const NONAME: Eai = Eai(-2);
    /// `EAI_AGAIN`.
    pub const AGAIN: Eai = Eai(-3);
    /// `EAI_FAIL`.
    pub const FAIL: Eai = Eai(-4);
    /// `EAI_NODATA`.
    pub const NODATA: Eai = Eai(-5);
    /// `EAI_FAMILY`.
    pub const FAMILY: Eai = Eai(-6);
    /// `EAI_SOCKTYPE`.
    pub const SOCKTYPE: Eai = Eai(-7);
    /// `EAI_SERVICE`.
    pub const SERVICE: Eai = Eai(-8);
    /// `EAI_ADDRFAMILY`.
    pub const ADDRFAMILY: Eai = Eai(-9);
    /// `EAI_MEMORY`.
    pub const MEMORY: Eai = Eai(-10);
    /// `EAI_SYSTEM`.
    pub const SYSTEM: Eai = Eai(-11);
    /// `EAI_OVERFLOW`.
    pub const OVERFLOW: Eai = Eai(-12);

    /// `gai_strerror`'s text: glibc's wording, NUL-terminated.
    pub fn message(code: i32) -> &'static [u8] {
        match code {
            -1 => b"Bad value for ai_flags\0",
            -2 => b"Name or service not known\0",
            -3 => b"Temporary failure in name resolution\0",
            -4 => b"Non-recoverable failure in name resolution\0",
            -5 => b"No address associated with hostname\0",
            -6 => b"ai_family not supported\0",
            -7 => b"ai_socktype not supported\0",
            -8 => b"Servname not supported for ai_socktype\0",
            -9 => b"Address family for hostname not supported\0",
            -10 => b"Memory allocation failure\0",
            -11 => b"System error\0",
            -12 => b"Argument buffer overflow\0",
            _ => b"Unknown error\0",
        }
    }
}

/// `AI_*` flags in wasi-libc.
pub mod ai {
    /// `AI_PASSIVE`.
    pub const PASSIVE: i32 = 0x01;
    /// `AI_CANONNAME`.
    pub const CANONNAME: i32 = 0x02;
    /// `AI_NUMERICHOST`.
    pub const NUMERICHOST: i32 = 0x04;
    /// `AI_V4MAPPED`.
    pub const V4MAPPED: i32 = 0x08;
    /// `AI_ALL`.
    pub const ALL: i32 = 0x10;
    /// `AI_ADDRCONFIG`.
    pub const ADDRCONFIG: i32 = 0x20;
    /// `AI_NUMERICSERV`.
    pub const NUMERICSERV: i32 = 0x400;
    /// Every flag above.
    pub const KNOWN: i32 =
        PASSIVE | CANONNAME | NUMERICHOST | V4MAPPED | ALL | ADDRCONFIG | NUMERICSERV;
}

/// `AF_*`, `SOCK_*`, `IPPROTO_*` in wasi-libc.
const AF_UNSPEC: i32 = 0;
const AF_INET: i32 = 1;
const AF_INET6: i32 = 2;
/// `SOCK_DGRAM`.
pub const SOCK_DGRAM: i32 = 5;
/// `SOCK_STREAM`.
pub const SOCK_STREAM: i32 = 6;
const IPPROTO_TCP: i32 = 6;
const IPPROTO_UDP: i32 = 17;

/// The caller's `hints` (all zero when NULL, except as POSIX says).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// `ai_flags`.
    pub flags: i32,
    /// `ai_family`.
    pub family: i32,
    /// `ai_socktype`.
    pub socktype: i32,
    /// `ai_protocol`.
    pub protocol: i32,
}

/// One result entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The address with its port.
    pub addr: SocketAddr,
    /// `ai_socktype`.
    pub socktype: i32,
    /// `ai_protocol`.
    pub protocol: i32,
}

/// What the host part of a query needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host<'a> {
    /// Known without any lookup (numeric or NULL), in glibc's order.
    Known(alloc::vec::Vec<IpAddr>),
    /// A name for the resolver.
    Lookup(&'a str),
}

/// The checks glibc makes on `hints` and on the (node, service) pair, in its order.
pub fn check_hints(node: Option<&str>, service: Option<&str>, h: &Hints) -> Result<(), Eai> {
    if h.flags & !ai::KNOWN != 0 {
        return Err(Eai::BADFLAGS);
    }
    if h.flags & ai::CANONNAME != 0 && node.is_none() {
        return Err(Eai::BADFLAGS);
    }
    if node.is_none() && service.is_none() {
        return Err(Eai::NONAME);
    }
    if !matches!(h.family, AF_UNSPEC | AF_INET | AF_INET6) {
        return Err(Eai::FAMILY);
    }
    socktypes(h).map(|_| ())
}

/// The (socktype, protocol) pairs a query returns, glibc's order (stream, then datagram).
/// WASI has no raw sockets, so socktype 0 yields these two only.
fn socktypes(h: &Hints) -> Result<alloc::vec::Vec<(i32, i32)>, Eai> {
    let all = [(SOCK_STREAM, IPPROTO_TCP), (SOCK_DGRAM, IPPROTO_UDP)];
    let out: alloc::vec::Vec<(i32, i32)> = all
        .into_iter()
        .filter(|&(st, proto)| {
            (h.socktype == 0 || h.socktype == st) && (h.protocol == 0 || h.protocol == proto)
        })
        .collect();
    if h.socktype != 0 && !matches!(h.socktype, SOCK_STREAM | SOCK_DGRAM) {
        return Err(Eai::SOCKTYPE);
    }
    if out.is_empty() {
        // glibc: no (socktype, protocol) entry fits; EAI_SERVICE when no socktype was asked.
        return Err(if h.socktype != 0 {
            Eai::SOCKTYPE
        } else {
            Eai::SERVICE
        });
    }
    Ok(out)
}

/// The port for `service` and each socket type: numeric (0..=65535) or a name from the table.
/// `AI_NUMERICSERV` with a name is `EAI_NONAME`; a name no requested type has is `EAI_SERVICE`.
pub fn service_ports(
    service: Option<&str>,
    h: &Hints,
) -> Result<alloc::vec::Vec<(i32, i32, u16)>, Eai> {
    let types = socktypes(h)?;
    let Some(s) = service else {
        return Ok(types.into_iter().map(|(st, p)| (st, p, 0)).collect());
    };
    if let Some(port) = parse_port(s) {
        let port = port?;
        return Ok(types.into_iter().map(|(st, p)| (st, p, port)).collect());
    }
    if h.flags & ai::NUMERICSERV != 0 {
        return Err(Eai::NONAME);
    }
    let out: alloc::vec::Vec<(i32, i32, u16)> = types
        .into_iter()
        .filter_map(|(st, p)| find_by_name(s, st == SOCK_DGRAM).map(|e| (st, p, e.port)))
        .collect();
    if out.is_empty() {
        return Err(Eai::SERVICE);
    }
    Ok(out)
}

/// A numeric service, as glibc's and musl's `strtoul`-based check reads it: optional leading
/// white space and `+`, then decimal digits only. A number above 65535 is not a port: musl says
/// `EAI_SERVICE` (glibc truncates it, so "65536" would silently be port 0), and so does the
/// empty string (glibc: port 0).
fn parse_port(s: &str) -> Option<Result<u16, Eai>> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let digits = t.strip_prefix('+').unwrap_or(t);
    if s.is_empty() {
        return Some(Err(Eai::SERVICE));
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        digits
            .parse::<u32>()
            .ok()
            .and_then(|v| u16::try_from(v).ok())
            .ok_or(Eai::SERVICE),
    )
}

/// What the host part needs. Numeric hosts and the NULL host never need a lookup.
pub fn host<'a>(node: Option<&'a str>, h: &Hints) -> Result<Host<'a>, Eai> {
    let Some(name) = node else {
        // glibc: the unspecified addresses for AI_PASSIVE (IPv4 first), else loopback (IPv6 first).
        return Ok(Host::Known(if h.flags & ai::PASSIVE != 0 {
            alloc::vec![
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            ]
        } else {
            alloc::vec![
                IpAddr::V6(Ipv6Addr::LOCALHOST),
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            ]
        }));
    };
    if let Some(ip) = parse_numeric(name) {
        return Ok(Host::Known(alloc::vec![ip]));
    }
    if name.is_empty() {
        return Err(Eai::NONAME);
    }
    if h.flags & ai::NUMERICHOST != 0 {
        return Err(Eai::NONAME);
    }
    Ok(Host::Lookup(name))
}

/// The answer for a name the host's resolver could not give (lookups denied, or no entry):
/// `localhost` is loopback (RFC 6761), as a standard `/etc/hosts` lists it (IPv6 first, glibc's
/// order). When lookups are allowed the host's own answer wins, so a guest sees what a native
/// program on that host sees.
pub fn fallback(name: &str) -> Option<alloc::vec::Vec<IpAddr>> {
    let name = name.strip_suffix('.').unwrap_or(name);
    name.eq_ignore_ascii_case("localhost").then(|| {
        alloc::vec![
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        ]
    })
}

/// A numeric host: IPv4 in any `inet_aton` form, or IPv6 (with a numeric `%scope`).
pub fn parse_numeric(s: &str) -> Option<IpAddr> {
    parse_ipv4(s)
        .map(IpAddr::V4)
        .or_else(|| parse_ipv6(s).map(|(ip, _)| IpAddr::V6(ip)))
}

/// `inet_aton` without trailing text: one to four parts, each decimal, octal (`0` prefix) or
/// hexadecimal (`0x` prefix); the last part fills the remaining bytes.
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let parts: alloc::vec::Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut vals = [0u64; 4];
    for (i, p) in parts.iter().enumerate() {
        vals[i] = parse_c_number(p)?;
    }
    let n = parts.len();
    let mut out: u64 = 0;
    for v in &vals[..n - 1] {
        if *v > 0xff {
            return None;
        }
        out = (out << 8) | v;
    }
    // The last part fills the bytes the others left: 32 bits alone, 8 when there are four.
    let last_bits = 8 * (5 - n) as u32;
    if vals[n - 1] > (1u64 << last_bits) - 1 {
        return None;
    }
    out = (out << last_bits) | vals[n - 1];
    u32::try_from(out).ok().map(Ipv4Addr::from)
}

fn parse_c_number(p: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        (h, 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if digits.is_empty() {
        return None;
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|v| *v <= u32::MAX as u64)
}

/// An IPv6 literal, with an optional numeric `%scope` (interface names cannot be looked up).
pub fn parse_ipv6(s: &str) -> Option<(Ipv6Addr, u32)> {
    let (addr, scope) = match s.split_once('%') {
        Some((a, sc)) => (a, sc.parse::<u32>().ok()?),
        None => (s, 0),
    };
    addr.parse::<Ipv6Addr>().ok().map(|ip| (ip, scope))
}

/// Combine addresses and ports into entries, applying the family filter and `AI_V4MAPPED` /
/// `AI_ALL` as glibc does: with AF_INET6, IPv4 addresses only appear (mapped) under V4MAPPED,
/// and then only if there is no IPv6 address or AI_ALL asks for both. A numeric host of the
/// wrong family is `EAI_ADDRFAMILY`; a name with no address of the family is `EAI_NONAME`.
pub fn expand(
    addrs: &[IpAddr],
    ports: &[(i32, i32, u16)],
    h: &Hints,
    numeric: bool,
    scope: u32,
) -> Result<alloc::vec::Vec<Entry>, Eai> {
    let has_v6 = addrs.iter().any(IpAddr::is_ipv6);
    let mut picked: alloc::vec::Vec<IpAddr> = alloc::vec::Vec::new();
    for ip in addrs {
        match (h.family, ip) {
            (AF_UNSPEC, _) | (AF_INET, IpAddr::V4(_)) | (AF_INET6, IpAddr::V6(_)) => {
                picked.push(*ip)
            }
            (AF_INET6, IpAddr::V4(v4))
                if h.flags & ai::V4MAPPED != 0 && (!has_v6 || h.flags & ai::ALL != 0) =>
            {
                picked.push(IpAddr::V6(v4.to_ipv6_mapped()));
            }
            _ => {}
        }
    }
    if picked.is_empty() {
        return Err(if numeric {
            Eai::ADDRFAMILY
        } else {
            Eai::NONAME
        });
    }
    let mut out = alloc::vec::Vec::with_capacity(picked.len() * ports.len());
    for ip in picked {
        for &(st, proto, port) in ports {
            let addr = match ip {
                IpAddr::V4(v4) => SocketAddr::V4(SocketAddrV4::new(v4, port)),
                IpAddr::V6(v6) => SocketAddr::V6(SocketAddrV6::new(v6, port, 0, scope)),
            };
            out.push(Entry {
                addr,
                socktype: st,
                protocol: proto,
            });
        }
    }
    Ok(out)
}

/// `getnameinfo`'s host part without a resolver: the loopback addresses have the name glibc
/// finds in a standard `/etc/hosts`; anything else has only its numeric form.
pub fn loopback_name(ip: &IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(*ip, IpAddr::V4),
        IpAddr::V4(_) => *ip,
    };
    (ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST))
        .then_some("localhost")
}

#[cfg(test)]
mod tests;
