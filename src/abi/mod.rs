//! The exported C ABI: `#[no_mangle] extern "C"` functions only. Each one decodes its arguments
//! (pointers into Rust values, with Linux's checks on them), calls [`crate::ops`] or the
//! preview 1 pass-through for non-socket descriptors, and converts the result with
//! [`crate::errno::c_ret`], the one place `errno` is written.
//!
//! Pointer arguments come from C and are only as valid as C says: the helpers (in
//! [`crate::codec`], re-exported here) check what can be checked (NULL, lengths) and otherwise
//! trust the caller's stated lengths, as libc does.

pub mod fcntl;
pub mod io;
pub mod netdb;
pub mod poll;
pub mod socket;
pub mod sockopt;
pub mod stat;

use crate::addr::Family;
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
