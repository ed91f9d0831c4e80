//! AF_UNIX addresses: the caller's `struct sockaddr_un` bytes, checked and made canonical as
//! Linux does (`unix_validate_addr`, `unix_mkname_bsd`), and the names sockets carry.
//!
//! The layout is Linux's (`include/sys/un.h`): `sun_family` (2 bytes, wasi-libc's `AF_UNIX`
//! = 3), then `sun_path[108]`; 110 bytes in all. A name is one of:
//! - a **path** (`sun_path[0]` not NUL): the bytes up to the first NUL, or to the end of the
//!   given length; Linux stores (and `getsockname` returns) them with one NUL after, so its
//!   length is `2 + strlen + 1` whatever length the caller gave;
//! - an **abstract** name (`sun_path[0]` NUL): exactly the bytes given, NULs included;
//! - **unnamed** (no name): `getsockname` returns only `sun_family` (length 2).

use crate::errno::{Errno, Result};
use alloc::vec::Vec;

/// `AF_UNIX` in wasi-libc.
pub const AF_UNIX: u16 = 3;
/// `offsetof(struct sockaddr_un, sun_path)`: the length of an unnamed address.
pub const SUN_PATH_OFFSET: usize = 2;
/// `sizeof(struct sockaddr_un)` (Linux's layout).
pub const SOCKADDR_UN_LEN: usize = 110;

/// A socket's name (bound, autobound or inherited from a listener), as the bytes `getsockname`
/// returns: `sun_family` first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixAddr {
    bytes: Vec<u8>,
}

/// What `bind` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindAddr {
    /// `sun_family` alone: pick an unused abstract name (Linux's autobind).
    Auto,
    /// This name.
    Name(UnixAddr),
}

impl UnixAddr {
    /// A caller's address for `connect` or a destination, with Linux's checks
    /// (`unix_validate_addr`): no longer than `sun_family`, or longer than `sockaddr_un`, is
    /// `EINVAL`; so is another family.
    pub fn decode(b: &[u8]) -> Result<UnixAddr> {
        if b.len() <= SUN_PATH_OFFSET || b.len() > SOCKADDR_UN_LEN {
            return Err(Errno::EINVAL);
        }
        if u16::from_ne_bytes([b[0], b[1]]) != AF_UNIX {
            return Err(Errno::EINVAL);
        }
        let path = &b[SUN_PATH_OFFSET..];
        if path[0] == 0 {
            return Ok(UnixAddr { bytes: b.to_vec() });
        }
        // unix_mkname_bsd: the path ends at its first NUL, or where the length ends.
        let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
        let mut bytes = Vec::with_capacity(SUN_PATH_OFFSET + end + 1);
        bytes.extend_from_slice(&b[..SUN_PATH_OFFSET]);
        bytes.extend_from_slice(&path[..end]);
        bytes.push(0);
        Ok(UnixAddr { bytes })
    }

    /// An abstract name from its bytes after the leading NUL (autobind's five hex digits).
    pub fn abstract_name(name: &[u8]) -> UnixAddr {
        let mut bytes = Vec::with_capacity(SUN_PATH_OFFSET + 1 + name.len());
        bytes.extend_from_slice(&AF_UNIX.to_ne_bytes());
        bytes.push(0);
        bytes.extend_from_slice(name);
        UnixAddr { bytes }
    }

    /// Whether this is an abstract name (rather than a path).
    pub fn is_abstract(&self) -> bool {
        self.bytes[SUN_PATH_OFFSET] == 0
    }

    /// The address as the caller sees it (`sun_family` first).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The bytes of an unnamed address (`sun_family` only).
pub fn unnamed() -> [u8; 2] {
    AF_UNIX.to_ne_bytes()
}

/// A caller's address for `bind` (`unix_bind`): `sun_family` alone is autobind; otherwise as
/// [`UnixAddr::decode`].
pub fn decode_bind(b: &[u8]) -> Result<BindAddr> {
    if b.len() == SUN_PATH_OFFSET && u16::from_ne_bytes([b[0], b[1]]) == AF_UNIX {
        return Ok(BindAddr::Auto);
    }
    UnixAddr::decode(b).map(BindAddr::Name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sun(path: &[u8]) -> Vec<u8> {
        let mut b = AF_UNIX.to_ne_bytes().to_vec();
        b.extend_from_slice(path);
        b
    }

    #[test]
    fn paths_are_cut_at_their_nul_and_stored_with_one() {
        let want = sun(b"/tmp/s\0");
        for given in [sun(b"/tmp/s"), sun(b"/tmp/s\0"), sun(b"/tmp/s\0junk")] {
            let a = UnixAddr::decode(&given).unwrap();
            assert_eq!(a.as_bytes(), &want[..]);
            assert!(!a.is_abstract());
        }
        // 108 bytes with no NUL: Linux stores 111 bytes (its buffer is larger than sun_path).
        let long = sun(&[b'a'; 108]);
        assert_eq!(UnixAddr::decode(&long).unwrap().as_bytes().len(), 111);
    }

    #[test]
    fn abstract_names_keep_every_byte() {
        let given = sun(b"\0ab\0c");
        let a = UnixAddr::decode(&given).unwrap();
        assert!(a.is_abstract());
        assert_eq!(a.as_bytes(), &given[..]);
        assert_ne!(UnixAddr::decode(&sun(b"\0ab")).unwrap(), a);
        assert_eq!(UnixAddr::abstract_name(b"ab\0c"), a);
    }

    #[test]
    fn linux_checks() {
        assert_eq!(UnixAddr::decode(&[]), Err(Errno::EINVAL));
        assert_eq!(UnixAddr::decode(&sun(b"")), Err(Errno::EINVAL));
        assert_eq!(UnixAddr::decode(&sun(&[b'a'; 109])), Err(Errno::EINVAL));
        let mut inet = sun(b"/x");
        inet[..2].copy_from_slice(&1u16.to_ne_bytes());
        assert_eq!(UnixAddr::decode(&inet), Err(Errno::EINVAL));
        assert_eq!(decode_bind(&sun(b"")), Ok(BindAddr::Auto));
        assert_eq!(decode_bind(&inet[..2]), Err(Errno::EINVAL));
        assert!(matches!(decode_bind(&sun(b"/x")), Ok(BindAddr::Name(_))));
    }
}
