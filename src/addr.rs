//! Socket addresses: the bytes of wasi-libc's `struct sockaddr_*` <-> `core::net::SocketAddr`.
//!
//! Pure and host-tested. The layouts are wasi-libc's (checked by `tests/c/abi_constants.c`):
//!
//! | struct          | size | fields (offset)                                                    |
//! |-----------------|------|--------------------------------------------------------------------|
//! | `sockaddr_in`   | 16   | family u16 (0), port u16 BE (2), addr 4 bytes (4), zero (8..16)     |
//! | `sockaddr_in6`  | 32   | family (0), port BE (2), flowinfo u32 (4), addr 16 (8), scope_id (24) |
//! | `sockaddr_storage` | 48 | family (0)                                                        |
//!
//! `sa_family_t` is 16-bit and the structs are 16-byte aligned (`__BIGGEST_ALIGNMENT__`), which is
//! why `sockaddr_in6` is 32 bytes here (28 on Linux x86-64).

use crate::errno::{Errno, Result};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// `AF_UNSPEC` in wasi-libc.
pub const AF_UNSPEC: u16 = 0;
/// `AF_INET` in wasi-libc (2 on Linux).
pub const AF_INET: u16 = 1;
/// `AF_INET6` in wasi-libc (10 on Linux).
pub const AF_INET6: u16 = 2;
/// `AF_UNIX` in wasi-libc.
pub const AF_UNIX: u16 = 3;

/// `sizeof(struct sockaddr_in)`.
pub const SOCKADDR_IN_LEN: usize = 16;
/// `sizeof(struct sockaddr_in6)`.
pub const SOCKADDR_IN6_LEN: usize = 32;
/// The shortest `sockaddr_in6` Linux accepts (`SIN6_LEN_RFC2133`: without `sin6_scope_id`).
pub const SOCKADDR_IN6_MIN_LEN: usize = 24;
/// `sizeof(struct sockaddr_storage)`.
pub const SOCKADDR_STORAGE_LEN: usize = 48;
/// The largest address length Linux accepts from a caller (`sizeof(struct sockaddr_storage)` on
/// Linux, 128); a longer one is `EINVAL` (`move_addr_to_kernel`).
pub const MAX_ADDR_LEN: usize = 128;

/// The address family of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    V4,
    /// IPv6 (`AF_INET6`).
    V6,
}

impl Family {
    /// The family for a C `domain` argument, or `EAFNOSUPPORT`.
    pub fn from_domain(domain: i32) -> Result<Family> {
        match domain {
            d if d == AF_INET as i32 => Ok(Family::V4),
            d if d == AF_INET6 as i32 => Ok(Family::V6),
            _ => Err(Errno::EAFNOSUPPORT),
        }
    }

    /// The C constant (`AF_INET` or `AF_INET6`).
    pub fn af(self) -> u16 {
        match self {
            Family::V4 => AF_INET,
            Family::V6 => AF_INET6,
        }
    }

    /// The family of an address.
    pub fn of(addr: &SocketAddr) -> Family {
        match addr {
            SocketAddr::V4(_) => Family::V4,
            SocketAddr::V6(_) => Family::V6,
        }
    }

    /// `0.0.0.0:0` or `[::]:0`: what an unbound socket reports as its name.
    pub fn unspecified(self) -> SocketAddr {
        match self {
            Family::V4 => SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0)),
            Family::V6 => SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, 0, 0, 0)),
        }
    }
}

/// The `sa_family` field of a caller's address (the first two bytes, native endian).
pub fn sa_family(bytes: &[u8]) -> Option<u16> {
    Some(u16::from_ne_bytes([*bytes.first()?, *bytes.get(1)?]))
}

/// Decode the address a caller passed to `bind`, `connect` or `sendto` on a socket of `family`,
/// with Linux's checks in Linux's order (`inet_bind`, `tcp_v4_connect`, `inet6_bind`, ...):
/// too short for the socket's family -> `EINVAL`; another family -> `EAFNOSUPPORT`.
///
/// `bytes` is exactly the `addrlen` bytes the caller passed (already bounded by [`MAX_ADDR_LEN`]).
pub fn decode(bytes: &[u8], family: Family) -> Result<SocketAddr> {
    match family {
        Family::V4 => {
            if bytes.len() < SOCKADDR_IN_LEN {
                return Err(Errno::EINVAL);
            }
            if sa_family(bytes) != Some(AF_INET) {
                return Err(Errno::EAFNOSUPPORT);
            }
            Ok(SocketAddr::V4(decode_v4(bytes)))
        }
        Family::V6 => {
            if bytes.len() < SOCKADDR_IN6_MIN_LEN {
                return Err(Errno::EINVAL);
            }
            if sa_family(bytes) != Some(AF_INET6) {
                return Err(Errno::EAFNOSUPPORT);
            }
            Ok(SocketAddr::V6(decode_v6(bytes)))
        }
    }
}

/// [`decode`] for `bind`, with Linux's compatibility rule (`inet_bind`): an IPv4 socket also
/// accepts `AF_UNSPEC` when the address is `INADDR_ANY`, and treats it as `AF_INET`.
pub fn decode_for_bind(bytes: &[u8], family: Family) -> Result<SocketAddr> {
    if family == Family::V4
        && bytes.len() >= SOCKADDR_IN_LEN
        && sa_family(bytes) == Some(AF_UNSPEC)
        && bytes[4..8] == [0, 0, 0, 0]
    {
        return Ok(SocketAddr::V4(decode_v4(bytes)));
    }
    decode(bytes, family)
}

/// [`decode`] for `connect` on a UDP socket (`__ip6_datagram_connect`): an IPv6 socket looks at
/// the family before the length and takes `AF_INET` as an IPv4 peer (a `sockaddr_in`, shorter
/// is `EINVAL`), which the socket refuses with `EAFNOSUPPORT` if it is v6-only (Linux checks
/// that before the length; a short `AF_INET` address on a v6-only socket is the one case the two
/// orders disagree).
pub fn decode_dgram_connect(bytes: &[u8], family: Family) -> Result<SocketAddr> {
    if family == Family::V6 && sa_family(bytes) == Some(AF_INET) {
        return decode(bytes, Family::V4);
    }
    decode(bytes, family)
}

/// Decode a datagram's destination (`sendto`, `sendmsg`'s `msg_name`) on a UDP socket of
/// `family`, with Linux's checks in Linux's order (`udp_sendmsg`, `udpv6_sendmsg`):
/// - IPv4 socket: shorter than `sockaddr_in` -> `EINVAL`; `AF_UNSPEC` reads as `AF_INET`; any
///   other family -> `EAFNOSUPPORT`; port 0 -> `EINVAL`.
/// - IPv6 socket: shorter than `sa_family` -> `EINVAL`; `AF_UNSPEC` means no address (the
///   peer); `AF_INET`, or an IPv4-mapped address, is an IPv4 destination ([`Dest::Ipv4`]: the
///   socket decides, by `IPV6_V6ONLY`, whether IPv4's checks apply); another family ->
///   `EINVAL`; shorter than `SIN6_LEN_RFC2133` -> `EINVAL`; port 0 -> `EINVAL`.
pub fn decode_dest(bytes: &[u8], family: Family) -> Dest {
    let addr = match family {
        Family::V4 => {
            if bytes.len() < SOCKADDR_IN_LEN {
                return Dest::Invalid(Errno::EINVAL);
            }
            if !matches!(sa_family(bytes), Some(AF_INET | AF_UNSPEC)) {
                return Dest::Invalid(Errno::EAFNOSUPPORT);
            }
            SocketAddr::V4(decode_v4(bytes))
        }
        Family::V6 => {
            match sa_family(bytes) {
                None => return Dest::Invalid(Errno::EINVAL),
                Some(AF_UNSPEC) => return Dest::Peer,
                // IPv4's `udp_sendmsg` reads a `sockaddr_in` (its length first).
                Some(AF_INET) if bytes.len() < SOCKADDR_IN_LEN => {
                    return Dest::Ipv4(Err(Errno::EINVAL));
                }
                Some(AF_INET) => return Dest::ipv4(decode_v4(bytes)),
                Some(AF_INET6) if bytes.len() >= SOCKADDR_IN6_MIN_LEN => {}
                Some(_) => return Dest::Invalid(Errno::EINVAL),
            }
            let a = decode_v6(bytes);
            if let Some(v4) = unmapped(SocketAddr::V6(a)) {
                return Dest::ipv4(v4);
            }
            SocketAddr::V6(a)
        }
    };
    if addr.port() == 0 {
        return Dest::Invalid(Errno::EINVAL);
    }
    Dest::To(addr)
}

/// A datagram's destination as `sendto`/`sendmsg` named it, decoded for the socket's family
/// ([`decode_dest`]). Linux looks at it only at its turn in `udp_sendmsg` (after the size
/// check), so a bad address travels as the error to report then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    /// None given (or `AF_UNSPEC` on an IPv6 socket): the connected peer.
    Peer,
    /// This address.
    To(SocketAddr),
    /// An IPv4 destination given to an IPv6 socket (`AF_INET`, or `::ffff:a.b.c.d`). Linux's
    /// `udpv6_sendmsg` refuses it on a v6-only socket (`ENETUNREACH`) and otherwise hands it to
    /// IPv4's `udp_sendmsg`, whose verdict on it (after its size check) this is.
    Ipv4(Result<SocketAddrV4>),
    /// An address Linux refuses, with its errno.
    Invalid(Errno),
}

impl Dest {
    /// The destination for the caller's address bytes (`None`: no address).
    pub fn decode(bytes: Option<&[u8]>, family: Family) -> Dest {
        bytes.map_or(Dest::Peer, |b| decode_dest(b, family))
    }

    /// An IPv4 destination of an IPv6 socket: port 0 is `EINVAL` (`udp_sendmsg`).
    fn ipv4(a: SocketAddrV4) -> Dest {
        Dest::Ipv4(if a.port() == 0 {
            Err(Errno::EINVAL)
        } else {
            Ok(a)
        })
    }

    /// The destination `addr` for a socket of `family`, with [`decode_dest`]'s checks (the
    /// Rust API's typed address meets the same rules as a C caller's bytes).
    pub fn to(addr: SocketAddr, family: Family) -> Dest {
        match (addr, family) {
            (SocketAddr::V6(_), Family::V4) => Dest::Invalid(Errno::EAFNOSUPPORT),
            (SocketAddr::V4(a), Family::V6) => Dest::ipv4(a),
            (a, Family::V6) if is_mapped(&a) => Dest::ipv4(unmapped(a).expect("mapped")),
            (a, _) if a.port() == 0 => Dest::Invalid(Errno::EINVAL),
            (a, _) => Dest::To(a),
        }
    }
}

fn decode_v4(b: &[u8]) -> SocketAddrV4 {
    let port = u16::from_be_bytes([b[2], b[3]]);
    SocketAddrV4::new(Ipv4Addr::new(b[4], b[5], b[6], b[7]), port)
}

fn decode_v6(b: &[u8]) -> SocketAddrV6 {
    let port = u16::from_be_bytes([b[2], b[3]]);
    // sin6_flowinfo is kept in network byte order, as the C field holds it.
    let flowinfo = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
    let mut ip = [0u8; 16];
    ip.copy_from_slice(&b[8..24]);
    let scope_id = match b.get(24..28) {
        Some(s) => u32::from_ne_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    };
    SocketAddrV6::new(Ipv6Addr::from(ip), port, flowinfo, scope_id)
}

/// An encoded `sockaddr_in` or `sockaddr_in6`, ready to copy to a caller.
#[derive(Clone, Copy)]
pub struct Encoded {
    bytes: [u8; SOCKADDR_IN6_LEN],
    len: usize,
}

impl Encoded {
    /// The struct's bytes (16 for IPv4, 32 for IPv6).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Encode an address as wasi-libc's `struct sockaddr_in` / `sockaddr_in6`, padding zeroed.
pub fn encode(addr: &SocketAddr) -> Encoded {
    let mut bytes = [0u8; SOCKADDR_IN6_LEN];
    let len = match addr {
        SocketAddr::V4(a) => {
            bytes[0..2].copy_from_slice(&AF_INET.to_ne_bytes());
            bytes[2..4].copy_from_slice(&a.port().to_be_bytes());
            bytes[4..8].copy_from_slice(&a.ip().octets());
            SOCKADDR_IN_LEN
        }
        SocketAddr::V6(a) => {
            bytes[0..2].copy_from_slice(&AF_INET6.to_ne_bytes());
            bytes[2..4].copy_from_slice(&a.port().to_be_bytes());
            bytes[4..8].copy_from_slice(&a.flowinfo().to_be_bytes());
            bytes[8..24].copy_from_slice(&a.ip().octets());
            bytes[24..28].copy_from_slice(&a.scope_id().to_ne_bytes());
            SOCKADDR_IN6_LEN
        }
    };
    Encoded { bytes, len }
}

/// Linux treats a connect to the unspecified address as a connect to this host (`0.0.0.0` ->
/// `127.0.0.1`, `::` -> `::1`); WASI hosts reject it. Apply Linux's rewrite.
pub fn connect_target(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => {
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, a.port()))
        }
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::LOCALHOST,
            a.port(),
            a.flowinfo(),
            a.scope_id(),
        )),
        // `::ffff:0.0.0.0` is IPv4's unspecified address: this host, over IPv4.
        SocketAddr::V6(a) if a.ip().to_ipv4_mapped() == Some(Ipv4Addr::UNSPECIFIED) => {
            SocketAddr::V6(SocketAddrV6::new(
                Ipv4Addr::LOCALHOST.to_ipv6_mapped(),
                a.port(),
                a.flowinfo(),
                a.scope_id(),
            ))
        }
        other => other,
    }
}

/// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for, with its port;
/// `None` for any other address. (IPv4 addresses themselves are not "mapped".)
pub fn unmapped(addr: SocketAddr) -> Option<SocketAddrV4> {
    match addr {
        SocketAddr::V6(a) => a
            .ip()
            .to_ipv4_mapped()
            .map(|ip| SocketAddrV4::new(ip, a.port())),
        SocketAddr::V4(_) => None,
    }
}

/// Whether `addr` is IPv4-mapped (`::ffff:a.b.c.d`).
pub fn is_mapped(addr: &SocketAddr) -> bool {
    unmapped(*addr).is_some()
}

/// An address as an IPv6 socket shows it: an IPv4 one as `::ffff:a.b.c.d` (same port), an IPv6
/// one unchanged.
pub fn mapped(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) => {
            SocketAddr::V6(SocketAddrV6::new(a.ip().to_ipv6_mapped(), a.port(), 0, 0))
        }
        v6 => v6,
    }
}

/// An address in the family of the host socket that carries it: IPv4-mapped addresses become
/// IPv4 ones; every other address is unchanged.
pub fn host_form(addr: SocketAddr) -> SocketAddr {
    unmapped(addr).map_or(addr, SocketAddr::V4)
}

/// Whether an IP is one a unicast socket can never use (multicast or IPv4 broadcast).
pub fn is_non_unicast(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_multicast() || v4.is_broadcast(),
        IpAddr::V6(v6) => v6.is_multicast(),
    }
}

#[cfg(test)]
mod tests;
