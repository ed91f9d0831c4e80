//! The exported C ABI: `#[no_mangle] extern "C"` functions only. Each one decodes its arguments
//! (pointers into Rust values, with Linux's checks on them), calls [`crate::ops`] or the
//! preview 1 pass-through for non-socket descriptors, and converts the result with
//! [`crate::errno::c_ret`], the one place `errno` is written.
//!
//! Pointer arguments come from C and are only as valid as C says: the helpers (in
//! [`crate::codec`], re-exported here) check what can be checked (NULL, lengths, whether what
//! is read or written lies in linear memory: `EFAULT` where Linux's copy would fault, never a
//! trap) and otherwise trust the caller's stated lengths, as libc does.

pub mod epoll;
pub mod fcntl;
pub mod host;
pub mod io;
pub mod mmsg;
pub mod netdb;
pub mod poll;
pub mod socket;
pub mod sockopt;
pub mod stat;
pub mod unix;
#[cfg(target_env = "p2")]
pub mod wasip2;

use crate::addr::{self, Family};
use crate::errno::Result;
use core::net::SocketAddr;

pub use crate::codec::msg::{IOV_MAX, IoVec, iovecs};
pub use crate::codec::sockaddr::{addr_bytes, put_addr_out, write_addr};
pub use crate::codec::{SockLen, buf, buf_mut, read_len as read_addrlen};

/// Decode the address a caller passed for socket `fd` with `decode` (`addr::decode` or
/// `addr::decode_for_bind`): the socket's family decides the checks, as on Linux, and the
/// descriptor is checked before the address.
///
/// # Safety
/// As [`addr_bytes`].
pub unsafe fn sockaddr_for(
    fd: i32,
    ptr: *const u8,
    len: SockLen,
    decode: fn(&[u8], Family) -> Result<SocketAddr>,
) -> Result<SocketAddr> {
    let family: Family = crate::ops::family(fd)?;
    // SAFETY: forwarded contract.
    let bytes = unsafe { addr_bytes(ptr, len) }?;
    decode(bytes, family)
}

/// A `domain` argument, for the trace (see [`crate::trace`]).
pub(crate) struct ShowDomain(pub i32);

impl core::fmt::Display for ShowDomain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match u16::try_from(self.0) {
            Ok(addr::AF_INET) => f.write_str("AF_INET"),
            Ok(addr::AF_INET6) => f.write_str("AF_INET6"),
            Ok(addr::AF_UNIX) => f.write_str("AF_UNIX"),
            Ok(addr::AF_UNSPEC) => f.write_str("AF_UNSPEC"),
            _ => write!(f, "{}", self.0),
        }
    }
}

/// A `type` argument, for the trace.
pub(crate) struct ShowType(pub i32);

impl core::fmt::Display for ShowType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 & 0xf {
            crate::ops::SOCK_STREAM => f.write_str("SOCK_STREAM")?,
            crate::ops::SOCK_DGRAM => f.write_str("SOCK_DGRAM")?,
            crate::ops::unix::SOCK_SEQPACKET => f.write_str("SOCK_SEQPACKET")?,
            t => write!(f, "{t}")?,
        }
        let flags = self.0 & !0xf;
        if flags != 0 {
            write!(f, "|{flags:#x}")?;
        }
        Ok(())
    }
}

/// An address argument, decoded for the trace when it can be (`127.0.0.1:80`), else the raw
/// pointer and length.
pub(crate) struct ShowAddr(pub *const u8, pub SockLen);

impl core::fmt::Display for ShowAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // SAFETY: the traced call's own address argument, checked by `addr_bytes`.
        let bytes = unsafe { addr_bytes(self.0, self.1) };
        // An AF_UNIX name: its path, or `@` and the abstract name's bytes (as `ss` shows them).
        if let Ok(b) = bytes
            && addr::sa_family(b) == Some(addr::AF_UNIX)
            && let Ok(u) = crate::channel::addr::UnixAddr::decode(b)
        {
            let name = &u.as_bytes()[2..];
            let (at, name) = match name.split_first() {
                Some((0, rest)) => ("@", rest),
                _ => ("", &name[..name.len() - 1]),
            };
            return write!(f, "{at}{}", core::str::from_utf8(name).unwrap_or("?"));
        }
        let decoded = bytes.ok().and_then(|b| {
            let family = match addr::sa_family(b)? {
                addr::AF_INET => Family::V4,
                addr::AF_INET6 => Family::V6,
                _ => return None,
            };
            addr::decode(b, family).ok()
        });
        match decoded {
            Some(a) => write!(f, "{a}"),
            None => write!(f, "{:p}, {}", self.0, self.1),
        }
    }
}
