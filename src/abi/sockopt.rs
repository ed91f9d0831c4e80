//! `getsockopt` and `setsockopt`, on the table in [`crate::sockopt`].

use super::SockLen;
use crate::codec::optval::{self, Codec, Value};
use crate::errno::{Errno, c_ret};
use crate::ops;
use crate::sockopt;
use libc::c_int;

/// getsockopt(2). Copies at most `*len` bytes of the value and stores how many it copied, as
/// Linux does. Unknown level or option: `ENOPROTOOPT`.
///
/// # Safety
/// `len` readable and writable; `val` writable for `*len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    val: *mut u8,
    len: *mut SockLen,
) -> c_int {
    let r = (|| {
        // An unknown level is refused before `optlen` is read (found by tests/fuzz/diff.c).
        ops::option_level(fd, level, true)?;
        // SAFETY: forwarded contract.
        let cap = match unsafe { super::read_addrlen(len) } {
            // do_ipv6_getsockopt takes min(sizeof(int), len) as unsigned: no EINVAL there.
            Err(Errno::EINVAL) if level == sockopt::IPPROTO_IPV6 => usize::MAX,
            r => r?,
        };
        let v = ops::getsockopt(fd, level, name)?;
        // do_ip_getsockopt: an int asked for with 1 to 3 bytes that fits a byte comes back as
        // one unsigned char.
        let cap = match v {
            Value::Int(0..=255) if level == sockopt::IPPROTO_IP && (1..4).contains(&cap) => 1,
            _ => cap,
        };
        // Linux's SOL_SOCKET copies the value before storing its length; the protocol levels
        // store the length first, so it is updated even when the value faults.
        let len_first = level != sockopt::SOL_SOCKET;
        // SAFETY: `val` writable for `cap` bytes where in memory and `len` writable (checked by
        // read_addrlen), per the contract.
        unsafe { optval::put_value(v, val, cap, len, len_first) }.map(|()| 0)
    })();
    c_ret(crate::trace::traced!(
        "getsockopt"("{fd}, {level}, {name}, {val:p}, {len:p}"),
        r
    ))
}

/// setsockopt(2). A value shorter than the option needs: `EINVAL`. Unknown level or option, or
/// a read-only one: `ENOPROTOOPT`.
///
/// # Safety
/// `val` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    val: *const u8,
    len: SockLen,
) -> c_int {
    let r = (|| {
        ops::domain(fd)?;
        // Linux: a negative optlen first, then a level the socket does not answer to
        // (ENOPROTOOPT) before the value is read (found by tests/fuzz/diff.c).
        if len <= i32::MAX as SockLen {
            ops::option_level(fd, level, false)?;
        }
        // SAFETY: forwarded contract.
        let bytes = unsafe { optval::set_bytes(val, len) }?;
        let decode = |codec: Codec, ip: bool| {
            // do_ip_setsockopt reads an int option given in 1 to 3 bytes as one unsigned char.
            if ip {
                codec.decode_ip(bytes)
            } else {
                codec.decode(bytes)
            }
        };
        let input = sockopt::Input {
            len: bytes.len(),
            decode: &decode,
        };
        ops::setsockopt(fd, level, name, input).map(|()| 0)
    })();
    c_ret(crate::trace::traced!(
        "setsockopt"("{fd}, {level}, {name}, {val:p}, {len}"),
        r
    ))
}
