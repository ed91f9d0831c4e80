//! Socket option values as the caller's `optval`/`optlen` hold them, with Linux's length rules:
//! `setsockopt` reads the value's first bytes and refuses fewer than the value needs (`EINVAL`;
//! extra bytes are ignored); `getsockopt` copies at most `*optlen` bytes and stores how many it
//! copied. Which option has which layout is [`crate::sockopt`]'s table.

use super::{SockLen, buf, whole_in_memory};
use crate::errno::{Errno, Result};

/// An option value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// An `int`.
    Int(i32),
    /// A `struct timeval` (64-bit seconds and microseconds in wasi-libc).
    Timeval {
        /// `tv_sec`.
        sec: i64,
        /// `tv_usec`.
        usec: i64,
    },
    /// A `struct linger`.
    Linger {
        /// `l_onoff`.
        onoff: i32,
        /// `l_linger` (seconds).
        secs: i32,
    },
    /// A name (`TCP_CONGESTION`): up to 15 bytes, NUL-padded to 16 (`TCP_CA_NAME_MAX`).
    Name([u8; 16]),
    /// A `struct ucred` (`SO_PEERCRED`).
    Ucred {
        /// `pid`.
        pid: i32,
        /// `uid`.
        uid: u32,
        /// `gid`.
        gid: u32,
    },
}

impl Value {
    /// The value's bytes, and how many there are.
    pub fn encode(self) -> ([u8; 16], usize) {
        let mut b = [0u8; 16];
        let n = match self {
            Value::Int(v) => {
                b[..4].copy_from_slice(&v.to_ne_bytes());
                4
            }
            Value::Timeval { sec, usec } => {
                b[..8].copy_from_slice(&sec.to_ne_bytes());
                b[8..].copy_from_slice(&usec.to_ne_bytes());
                16
            }
            Value::Linger { onoff, secs } => {
                b[..4].copy_from_slice(&onoff.to_ne_bytes());
                b[4..8].copy_from_slice(&secs.to_ne_bytes());
                8
            }
            Value::Name(name) => {
                b = name;
                16
            }
            Value::Ucred { pid, uid, gid } => {
                b[..4].copy_from_slice(&pid.to_ne_bytes());
                b[4..8].copy_from_slice(&uid.to_ne_bytes());
                b[8..12].copy_from_slice(&gid.to_ne_bytes());
                12
            }
        };
        (b, n)
    }

    /// The `int` of an [`Value::Int`]; 0 for the other kinds.
    pub fn int(self) -> i32 {
        match self {
            Value::Int(v) => v,
            _ => 0,
        }
    }
}

/// How an option's value is laid out in the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// An `int` (4 bytes).
    Int,
    /// A `struct timeval` (16 bytes).
    Timeval,
    /// A `struct linger` (8 bytes).
    Linger,
    /// A name: at least one byte; Linux reads at most 15 and stops at a NUL.
    Name,
    /// A `struct ucred` (12 bytes).
    Ucred,
}

fn ne<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[at..at + N]);
    a
}

impl Codec {
    /// The bytes a value of this layout needs.
    pub fn size(self) -> usize {
        match self {
            Codec::Int => 4,
            Codec::Timeval => 16,
            Codec::Linger => 8,
            Codec::Name => 1,
            Codec::Ucred => 12,
        }
    }

    /// Decode a `setsockopt` value; too few bytes is `EINVAL`, as Linux says.
    pub fn decode(self, b: &[u8]) -> Result<Value> {
        if b.len() < self.size() {
            return Err(Errno::EINVAL);
        }
        Ok(match self {
            Codec::Int => Value::Int(i32::from_ne_bytes(ne(b, 0))),
            Codec::Timeval => Value::Timeval {
                sec: i64::from_ne_bytes(ne(b, 0)),
                usec: i64::from_ne_bytes(ne(b, 8)),
            },
            Codec::Linger => Value::Linger {
                onoff: i32::from_ne_bytes(ne(b, 0)),
                secs: i32::from_ne_bytes(ne(b, 4)),
            },
            Codec::Name => {
                let mut name = [0u8; 16];
                let b = &b[..b.len().min(15)];
                let n = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                name[..n].copy_from_slice(&b[..n]);
                Value::Name(name)
            }
            Codec::Ucred => Value::Ucred {
                pid: i32::from_ne_bytes(ne(b, 0)),
                uid: u32::from_ne_bytes(ne(b, 4)),
                gid: u32::from_ne_bytes(ne(b, 8)),
            },
        })
    }
}

impl Codec {
    /// Decode an `IPPROTO_IP` option's value: as [`Codec::decode`], except that an `int` given in
    /// 1 to 3 bytes is read as one `unsigned char` (Linux's `do_ip_setsockopt`).
    pub fn decode_ip(self, b: &[u8]) -> Result<Value> {
        match self {
            Codec::Int if (1..4).contains(&b.len()) => Ok(Value::Int(i32::from(b[0]))),
            _ => self.decode(b),
        }
    }
}

/// A `struct timeval` timeout, in nanoseconds (0: none), with Linux's checks (`sock_set_timeout`):
/// microseconds outside 0..1e6 are `EDOM`; a negative time means no timeout. Not a timeval:
/// `EINVAL`.
pub fn timeout_ns(v: Value) -> Result<u64> {
    let Value::Timeval { sec, usec } = v else {
        return Err(Errno::EINVAL);
    };
    if !(0..1_000_000).contains(&usec) {
        return Err(Errno::EDOM);
    }
    if sec < 0 {
        return Ok(0);
    }
    Ok((sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(usec as u64 * 1000))
}

/// A timeout in nanoseconds as the `struct timeval` `getsockopt` reports (whole microseconds).
pub fn timeval(ns: u64) -> Value {
    Value::Timeval {
        sec: (ns / 1_000_000_000) as i64,
        usec: (ns % 1_000_000_000 / 1000) as i64,
    }
}

/// A boolean option's value: any non-zero `int` is on.
pub fn flag(v: Value) -> bool {
    v.int() != 0
}

/// The `SO_LINGER` setting a `struct linger` asks for: `None` when `l_onoff` is 0, else the
/// seconds (a negative `l_linger` is 0). Not a linger: `None`.
pub fn linger(v: Value) -> Option<i32> {
    match v {
        Value::Linger { onoff, secs } => (onoff != 0).then_some(secs.max(0)),
        _ => None,
    }
}

/// The `struct linger` `getsockopt(SO_LINGER)` reports for a setting.
pub fn linger_value(l: Option<i32>) -> Value {
    Value::Linger {
        onoff: i32::from(l.is_some()),
        secs: l.unwrap_or(0),
    }
}

/// A `setsockopt` value argument as bytes: `optlen` negative as an `int` is `EINVAL`, NULL with
/// a non-zero `optlen` is `EFAULT`.
///
/// # Safety
/// If non-NULL, `val` must be valid for reads of `len` bytes.
pub unsafe fn set_bytes<'a>(val: *const u8, len: SockLen) -> Result<&'a [u8]> {
    if len > i32::MAX as u32 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: forwarded contract.
    unsafe { buf(val, len as usize) }
}

/// Deliver a `getsockopt` value: copy at most `cap` bytes (the caller's `*optlen`, read with
/// [`super::read_len`]) and store how many were copied in `*len`, as Linux does. A `val` that is
/// NULL or not all in memory when something would be copied is `EFAULT`, and the value is not
/// written; `*len` is stored first when `len_first` (Linux's IP, IPv6, TCP and UDP levels store
/// it before the value; its `SOL_SOCKET` stores it after, so not at all on `EFAULT`).
///
/// # Safety
/// `val` must be valid for writes of `cap` bytes where it lies in memory, and `len` for a
/// write.
pub unsafe fn put_value(
    v: Value,
    val: *mut u8,
    cap: usize,
    len: *mut SockLen,
    len_first: bool,
) -> Result<()> {
    let (bytes, size) = v.encode();
    let n = size.min(cap);
    if len_first {
        // SAFETY: `len` is writable per the contract.
        unsafe { len.write_unaligned(n as SockLen) };
    }
    if n > 0 {
        if !whole_in_memory(val, n) {
            return Err(Errno::EFAULT);
        }
        // SAFETY: in memory (checked) and writable for `cap >= n` bytes per the contract; no
        // overlap with a local.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), val, n) };
    }
    // SAFETY: `len` is writable per the contract.
    unsafe { len.write_unaligned(n as SockLen) };
    Ok(())
}

#[cfg(test)]
mod tests;
