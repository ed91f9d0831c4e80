//! `iovec` arrays (`readv`, `writev`) and `struct msghdr` (`sendmsg`, `recvmsg`): Linux's checks
//! on them, their buffers as slices for [`crate::iov`]'s scatter/gather, and what `recvmsg`
//! writes back.

use super::sockaddr::{dest_bytes, write_addr, write_addr_bytes};
use super::{SockLen, Span, buf, buf_mut};
use crate::errno::{Errno, Result};
use alloc::vec::Vec;
use core::net::SocketAddr;

/// `struct iovec` (wasi-libc: two 32-bit fields).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IoVec {
    /// `iov_base`.
    pub base: *mut u8,
    /// `iov_len`.
    pub len: usize,
}

/// Linux's `UIO_MAXIOV` (`IOV_MAX`): the most iovecs one call may pass.
pub const IOV_MAX: i32 = 1024;

/// `MSG_TRUNC` in `msg_flags`: the value `include/sys/socket.h` gives it (wasi-libc's wasip2 one).
pub const MSG_TRUNC: i32 = 0x20;
/// `MSG_CTRUNC` in `msg_flags`: control messages did not all fit.
pub const MSG_CTRUNC: i32 = 0x08;

/// A caller's iovec array, with `readv`/`writev`'s checks: count negative or above `IOV_MAX`
/// -> `EINVAL`; NULL with a non-zero count -> `EFAULT`; a length negative as `ssize_t` ->
/// `EINVAL`; a buffer outside memory -> `EFAULT`; total length overflowing `ssize_t` ->
/// `EINVAL`; then a non-empty buffer at NULL -> `EFAULT`.
///
/// # Safety
/// If non-NULL, `iov` must be valid for reads of `cnt` iovecs.
pub unsafe fn iovecs<'a>(iov: *const IoVec, cnt: i32) -> Result<&'a [IoVec]> {
    // SAFETY: forwarded contract.
    let v = unsafe { iovec_array(iov, cnt) }?;
    if v.iter().any(|io| !iovec_ok(io)) {
        return Err(Errno::EFAULT);
    }
    Ok(v)
}

/// [`iovecs`]' checks in Linux's `import_iovec` order (the array, each length, each buffer's
/// place in the address space), leaving a buffer at NULL for the copy to find: Linux faults on
/// it only after the good ones before it (see [`usable_prefix`]).
///
/// # Safety
/// As [`iovecs`].
pub unsafe fn iovec_array<'a>(iov: *const IoVec, cnt: i32) -> Result<&'a [IoVec]> {
    if !(0..=IOV_MAX).contains(&cnt) {
        return Err(Errno::EINVAL);
    }
    if cnt == 0 {
        return Ok(&[]);
    }
    let bytes = cnt as usize * core::mem::size_of::<IoVec>();
    if !super::whole_in_memory(iov.cast(), bytes) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract, and inside memory (checked).
    let v = unsafe { core::slice::from_raw_parts(iov, cnt as usize) };
    if v.iter().any(|io| io.len > isize::MAX as usize) {
        return Err(Errno::EINVAL);
    }
    if v.iter()
        .any(|io| super::span(io.base, io.len) == Span::Outside)
    {
        return Err(Errno::EFAULT);
    }
    let mut total: usize = 0;
    for io in v {
        total = total.checked_add(io.len).ok_or(Errno::EINVAL)?;
        if total > isize::MAX as usize {
            return Err(Errno::EINVAL);
        }
    }
    Ok(v)
}

/// Whether an iovec's buffer can be touched (empty, or valid memory).
fn iovec_ok(io: &IoVec) -> bool {
    super::valid_buf(io.base, io.len)
}

/// The iovecs before the first one whose buffer cannot be touched, and whether one such follows.
pub fn usable_prefix(v: &[IoVec]) -> (&[IoVec], bool) {
    match v.iter().position(|io| !iovec_ok(io)) {
        Some(i) => (&v[..i], true),
        None => (v, false),
    }
}

/// The buffers of iovecs [`iovecs`] accepted, as slices to read from.
///
/// # Safety
/// Each iovec's buffer readable for its length, and not written while the slices live.
pub unsafe fn slices<'a>(v: &[IoVec]) -> Vec<&'a [u8]> {
    v.iter()
        // SAFETY: iovecs() checked each non-empty buffer lies in memory; readable per contract.
        .map(|io| unsafe { buf(io.base, io.len) }.unwrap_or_default())
        .collect()
}

/// The buffers of iovecs [`iovecs`] accepted, as slices to write into.
///
/// # Safety
/// Each iovec's buffer writable for its length, the buffers disjoint, and not otherwise accessed
/// while the slices live.
pub unsafe fn slices_mut<'a>(v: &[IoVec]) -> Vec<&'a mut [u8]> {
    v.iter()
        // SAFETY: iovecs() checked each non-empty buffer lies in memory; writable per contract.
        .map(|io| unsafe { buf_mut(io.base, io.len) }.unwrap_or_default())
        .collect()
}

/// wasi-libc's `struct msghdr` (28 bytes).
#[repr(C)]
pub struct MsgHdr {
    name: *mut u8,
    namelen: SockLen,
    iov: *mut IoVec,
    iovlen: i32,
    control: *mut u8,
    controllen: SockLen,
    flags: i32,
}

/// A message's iovecs: as for `readv`, except that Linux reports a bad count as `EMSGSIZE`.
///
/// # Safety
/// `m.iov` must hold `m.iovlen` valid iovecs.
unsafe fn msg_iovecs<'a>(m: &MsgHdr) -> Result<&'a [IoVec]> {
    if !(0..=IOV_MAX).contains(&m.iovlen) {
        return Err(Errno::EMSGSIZE);
    }
    // SAFETY: forwarded contract.
    unsafe { iovec_array(m.iov, m.iovlen) }
}

/// What `sendmsg` sends: the destination's bytes (`None`: no `msg_name`) and the iovecs, checked
/// as [`iovec_array`] does (a buffer at NULL is left for the copy to find, see
/// [`usable_prefix`]).
pub type SendParts<'a> = (Option<&'a [u8]>, &'a [IoVec]);

/// [`SendParts`] and the control buffer's bytes.
pub type SendPartsWithControl<'a> = (Option<&'a [u8]>, Vec<&'a [u8]>, &'a [u8]);

/// What every `sendmsg` check before the control buffer's own found: the destination's bytes,
/// the iovecs, the header.
type Checked<'a> = (Option<&'a [u8]>, &'a [IoVec], &'a MsgHdr);

/// `sendmsg`'s message, checked in Linux's order: NULL `msg` -> `EFAULT`; `msg_name` as a
/// destination (see [`dest_bytes`]; `msg_namelen` cut to 128, 0 meaning none); the iovecs; a
/// non-empty `msg_control` -> `EINVAL` (ancillary data is not supported on IP sockets;
/// `ENOBUFS` above `INT_MAX`, `EFAULT` when NULL). Returns the destination's bytes and the
/// data's pieces.
///
/// # Safety
/// `msg` NULL or a valid `struct msghdr` whose name and iovecs are readable.
pub unsafe fn send_parts<'a>(msg: *const MsgHdr) -> Result<SendParts<'a>> {
    // SAFETY: forwarded contract.
    let (dest, v, m) = unsafe { send_checks(msg) }?;
    if m.controllen > 0 {
        return Err(if m.control.is_null() {
            Errno::EFAULT
        } else {
            Errno::EINVAL
        });
    }
    Ok((dest, v))
}

/// [`send_parts`], with the control buffer's bytes (for an AF_UNIX socket's `SCM_RIGHTS`)
/// returned instead of refused: NULL, or not all in memory, with a length -> `EFAULT`.
///
/// # Safety
/// As [`send_parts`]; the control buffer readable for `msg_controllen` bytes.
pub unsafe fn send_parts_with_control<'a>(msg: *const MsgHdr) -> Result<SendPartsWithControl<'a>> {
    // SAFETY: forwarded contract.
    let (dest, v, m) = unsafe { send_checks(msg) }?;
    let len = m.controllen as usize;
    let control = if len == 0 {
        &[][..]
    } else if !super::whole_in_memory(m.control, len) {
        return Err(Errno::EFAULT);
    } else {
        // SAFETY: non-NULL and in memory (checked); readable per the contract.
        unsafe { core::slice::from_raw_parts(m.control, len) }
    };
    // (A buffer at NULL is refused here: an AF_UNIX message is copied whole.)
    if v.iter().any(|io| !iovec_ok(io)) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: forwarded contract.
    Ok((dest, unsafe { slices(v) }, control))
}

/// `sendmsg`'s checks before the control buffer's own: the name, the iovecs, and a control
/// length above `INT_MAX` (`ENOBUFS`).
///
/// # Safety
/// As [`send_parts`].
unsafe fn send_checks<'a>(msg: *const MsgHdr) -> Result<Checked<'a>> {
    if msg.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: non-NULL per the check; valid per the contract.
    let m = unsafe { &*msg };
    // Linux's __copy_msghdr: a length negative as an int is EINVAL, a longer one than
    // sockaddr_storage is cut to it, a zero one means no address; then the iovecs; only then
    // (____sys_sendmsg) the control buffer: above INT_MAX ENOBUFS, unreadable EFAULT.
    let namelen = name_len(m)?.min(crate::addr::MAX_ADDR_LEN as SockLen);
    let name = if namelen == 0 {
        core::ptr::null_mut()
    } else {
        m.name
    };
    // SAFETY: `msg_name` is readable for `msg_namelen` bytes per the contract.
    let dest = unsafe { dest_bytes(name, namelen) }?;
    // SAFETY: forwarded contract.
    let v = unsafe { msg_iovecs(m) }?;
    if m.controllen > i32::MAX as SockLen {
        return Err(Errno::ENOBUFS);
    }
    Ok((dest, v, m))
}

/// `msg_namelen` as Linux reads it: 0 when `msg_name` is NULL, `EINVAL` when negative as an
/// `int`.
fn name_len(m: &MsgHdr) -> Result<SockLen> {
    if m.name.is_null() {
        return Ok(0);
    }
    if m.namelen > i32::MAX as SockLen {
        return Err(Errno::EINVAL);
    }
    Ok(m.namelen)
}

/// `recvmsg`'s buffers: NULL `msg` -> `EFAULT`, then the iovecs' checks.
///
/// # Safety
/// `msg` NULL or a valid `struct msghdr` whose iovecs are writable (as for [`slices_mut`]).
pub unsafe fn recv_bufs<'a>(msg: *const MsgHdr) -> Result<&'a [IoVec]> {
    if msg.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: non-NULL per the check; valid per the contract.
    let m = unsafe { &*msg };
    // A negative `msg_namelen` fails before anything is received, as on Linux.
    name_len(m)?;
    // SAFETY: forwarded contract.
    unsafe { msg_iovecs(m) }
}

/// A `recvmsg`'s control buffer, for descriptors received (`SCM_RIGHTS`): empty when NULL or
/// not all in memory (descriptors that do not fit are closed, as Linux closes those it cannot
/// deliver).
///
/// # Safety
/// `msg` a valid `struct msghdr` (checked non-NULL by [`recv_bufs`]) whose control buffer, if
/// any, is writable for `msg_controllen` bytes and not otherwise accessed while the slice lives.
pub unsafe fn recv_control<'a>(msg: *const MsgHdr) -> &'a mut [u8] {
    // SAFETY: valid per the contract.
    let m = unsafe { &*msg };
    let len = m.controllen as usize;
    if len == 0 || !super::whole_in_memory(m.control, len) {
        return &mut [];
    }
    // SAFETY: non-NULL and in memory (checked); writable per the contract.
    unsafe { core::slice::from_raw_parts_mut(m.control, len) }
}

/// What `recvmsg` writes back after a receive on an AF_UNIX socket: the sender's name (`None`:
/// unnamed, `msg_namelen` 0), `msg_controllen` (the control bytes used, see
/// [`super::cmsg::put_rights`]) and `msg_flags`.
///
/// # Safety
/// As [`finish_recv`].
pub unsafe fn finish_recv_unix(msg: *mut MsgHdr, from: Option<&[u8]>, used: usize, flags: i32) {
    // SAFETY: valid and writable per the contract.
    let m = unsafe { &mut *msg };
    match from {
        Some(from) if !m.name.is_null() => {
            let cap = m.namelen as usize;
            // SAFETY: `msg_name` is writable for `msg_namelen` bytes per the contract.
            unsafe { write_addr_bytes(m.name, cap, &mut m.namelen, from) };
        }
        _ => m.namelen = 0,
    }
    m.controllen = used as SockLen;
    m.flags = flags;
}

/// What `recvmsg` writes back after a receive: the sender to `msg_name` (truncated to
/// `msg_namelen`, which is set to its full size) when there is one and `msg_name` is not NULL,
/// else `msg_namelen` = 0; `msg_controllen` = 0 (no ancillary data); `msg_flags` = `MSG_TRUNC`
/// when the datagram did not fit, else 0.
///
/// # Safety
/// `msg` a valid, writable `struct msghdr` whose `msg_name` (if non-NULL) is writable for
/// `msg_namelen` bytes.
pub unsafe fn finish_recv(msg: *mut MsgHdr, from: Option<SocketAddr>, truncated: bool) {
    // SAFETY: valid and writable per the contract.
    let m = unsafe { &mut *msg };
    match from {
        Some(from) if !m.name.is_null() => {
            let cap = m.namelen as usize;
            // SAFETY: `msg_name` is writable for `msg_namelen` bytes per the contract.
            unsafe { write_addr(m.name, cap, &mut m.namelen, &from) };
        }
        _ => m.namelen = 0,
    }
    m.controllen = 0;
    m.flags = if truncated { MSG_TRUNC } else { 0 };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{Family, encode};
    use crate::codec::prop::{Rng, check};
    use crate::iov;
    use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
    use core::ptr::{NonNull, null_mut};

    /// A non-NULL base that is never dereferenced (the checks only look at the pointer).
    fn somewhere() -> *mut u8 {
        NonNull::<u8>::dangling().as_ptr()
    }

    fn any_len(rng: &mut Rng) -> usize {
        match rng.below(16) {
            0 => rng.pick(&[isize::MAX as usize, usize::MAX, isize::MAX as usize / 2 + 1]),
            1 => rng.size(isize::MAX as usize / 4, isize::MAX as usize),
            2..=7 => 0,
            _ => rng.size(1, 4096),
        }
    }

    /// An iovec array of a random shape: NULL bases with zero and non-zero lengths, and
    /// lengths that together pass `ssize_t`.
    fn any_iovecs(rng: &mut Rng, n: usize) -> Vec<IoVec> {
        let null_odds = rng.pick(&[0, 1, 8]);
        (0..n)
            .map(|_| IoVec {
                base: if rng.chance(null_odds, 64) {
                    null_mut()
                } else {
                    somewhere()
                },
                len: any_len(rng),
            })
            .collect()
    }

    /// Linux's `readv`/`writev` checks as this library states them: the count (EINVAL), the
    /// array (EFAULT), then each iovec in order: the running total past `ssize_t` (EINVAL),
    /// then a NULL base with a length (EFAULT).
    fn oracle_iovecs(v: Option<&[IoVec]>, cnt: i32) -> Result<usize> {
        oracle_iovec_array(v, cnt).and_then(|k| {
            let v = v.map_or(&[][..], |v| &v[..k]);
            if v.iter().any(|io| io.len != 0 && io.base.is_null()) {
                return Err(Errno::EFAULT);
            }
            Ok(k)
        })
    }

    /// [`oracle_iovecs`] without the NULL-buffer check (the copy finds those).
    fn oracle_iovec_array(v: Option<&[IoVec]>, cnt: i32) -> Result<usize> {
        if !(0..=1024).contains(&cnt) {
            return Err(Errno::EINVAL);
        }
        if cnt == 0 {
            return Ok(0);
        }
        let v = &v.ok_or(Errno::EFAULT)?[..cnt as usize];
        // Linux's import_iovec: every length first (negative as ssize_t: EINVAL), then every
        // buffer's place (none is outside memory on the host); the total, which POSIX bounds
        // by ssize_t; a NULL buffer only when copying.
        if v.iter().any(|io| io.len > isize::MAX as usize) {
            return Err(Errno::EINVAL);
        }
        let total: u128 = v.iter().map(|io| io.len as u128).sum();
        if total > isize::MAX as u128 {
            return Err(Errno::EINVAL);
        }
        Ok(cnt as usize)
    }

    fn any_count(rng: &mut Rng) -> i32 {
        match rng.below(8) {
            0 => rng.range(-1, 1100) as i32,
            1 => rng.pick(&[i32::MIN, i32::MAX, -1, 0, 1023, 1024, 1025]),
            _ => rng.range(0, 8) as i32,
        }
    }

    #[test]
    fn prop_iovec_validation() {
        check("prop_iovec_validation", 100_000, |rng, at| {
            let cnt = any_count(rng);
            let n = cnt.clamp(0, 1100) as usize;
            let v = any_iovecs(rng, n);
            let null = rng.chance(1, 16);
            let want = oracle_iovecs((!null).then_some(&v[..]), cnt);
            // In a msghdr a buffer at NULL is left for the copy to find.
            let want_array = oracle_iovec_array((!null).then_some(&v[..]), cnt);
            let ptr = if null { core::ptr::null() } else { v.as_ptr() };
            // SAFETY: `ptr` is NULL or holds `n >= cnt` iovecs whenever the count is valid.
            let got = unsafe { iovecs(ptr, cnt) };
            assert_eq!(got.map(|s| s.len()), want, "{at}: cnt {cnt}");
            if let Ok(s) = got
                && !s.is_empty()
            {
                assert_eq!(s.as_ptr(), ptr, "{at}: not the caller's array");
            }

            // The same iovecs in a msghdr, with Linux's order (`__copy_msghdr`, then
            // `____sys_sendmsg`): NULL msg; msg_namelen negative as an int (only with a name);
            // the count as EMSGSIZE and the iovecs' own checks; then (sendmsg) msg_controllen
            // above INT_MAX -> ENOBUFS, a NULL control with a length -> EFAULT, any other
            // control -> EINVAL (ancillary data is not supported).
            let mut name = [0u8; 128];
            let namelen: SockLen = match rng.below(4) {
                0 => rng.u32(),
                1 => rng.pick(&[0, 128, 129, i32::MAX as u32, 1 << 31, u32::MAX]),
                _ => rng.range(0, 140) as u32,
            };
            let name_null = rng.chance(1, 2);
            let controllen: SockLen = match rng.below(8) {
                0 => rng.u32(),
                1 => rng.pick(&[1, i32::MAX as u32, 1 << 31, u32::MAX]),
                _ => 0,
            };
            let control_null = rng.chance(1, 2);
            let m = MsgHdr {
                name: if name_null {
                    null_mut()
                } else {
                    name.as_mut_ptr()
                },
                namelen,
                iov: ptr.cast_mut(),
                iovlen: cnt,
                control: if control_null {
                    null_mut()
                } else {
                    somewhere()
                },
                controllen,
                flags: rng.u32() as i32,
            };
            let name_want = if !name_null && namelen > i32::MAX as u32 {
                Err(Errno::EINVAL)
            } else {
                Ok(())
            };
            let iov_want = name_want.and(if (0..=IOV_MAX).contains(&cnt) {
                want_array
            } else {
                Err(Errno::EMSGSIZE)
            });
            let send_want = iov_want.and_then(|k| {
                if controllen > i32::MAX as u32 {
                    Err(Errno::ENOBUFS)
                } else if controllen > 0 && control_null {
                    Err(Errno::EFAULT)
                } else if controllen > 0 {
                    Err(Errno::EINVAL)
                } else {
                    Ok(k)
                }
            });
            let msg = if rng.chance(1, 32) {
                core::ptr::null()
            } else {
                &m as *const MsgHdr
            };
            let (send_want, recv_want) = if msg.is_null() {
                (Err(Errno::EFAULT), Err(Errno::EFAULT))
            } else {
                (send_want, iov_want)
            };
            // The iovecs' bases dangle: accepted iovecs with data would become slices over
            // nothing, so those calls are left out (the checks were compared above). Refused
            // ones touch no memory; an accepted name is at most 128 bytes, inside `name`.
            let has_data = v[..n.min(cnt.max(0) as usize)].iter().any(|io| io.len > 0);
            if !(send_want.is_ok() && has_data) {
                // SAFETY: as above: nothing dangling is made into a slice.
                let got = unsafe { send_parts(msg) };
                assert_eq!(
                    got.as_ref().map(|(_, b)| b.len()).map_err(|e| *e),
                    send_want,
                    "{at}: sendmsg namelen {namelen} controllen {controllen} iovlen {cnt}"
                );
                if let Ok((dest, _)) = got {
                    // No name, or a zero length: no address; a longer one than Linux's
                    // sockaddr_storage is cut to it.
                    let want_dest =
                        (!name_null && namelen > 0).then_some((namelen as usize).min(128));
                    assert_eq!(dest.map(|d| d.len()), want_dest, "{at}: msg_name");
                    if let Some(d) = dest {
                        assert_eq!(d.as_ptr(), name.as_ptr(), "{at}: not the caller's name");
                    }
                }
            }
            if !(recv_want.is_ok() && has_data) {
                // SAFETY: as above.
                let got = unsafe { recv_bufs(msg) };
                assert_eq!(
                    got.map(|b| b.len()),
                    recv_want,
                    "{at}: recvmsg iovlen {cnt}"
                );
            }
        });
    }

    /// Random data scattered over, and gathered back from, iovecs laid out in one arena with
    /// guard bytes between them.
    #[test]
    fn prop_iovec_scatter_gather() {
        check("prop_iovec_scatter_gather", 100_000, |rng, at| {
            let pieces = rng.size(0, 12);
            let guard = rng.u8();
            let mut spans = Vec::new();
            let mut at_byte = rng.size(0, 4);
            for _ in 0..pieces {
                let len = if rng.chance(1, 3) { 0 } else { rng.size(1, 40) };
                spans.push((at_byte, len));
                at_byte += len + rng.size(1, 8);
            }
            let mut arena = vec![guard; at_byte + 4];
            let total: usize = spans.iter().map(|s| s.1).sum();
            let base = arena.as_mut_ptr();
            let vecs: Vec<IoVec> = spans
                .iter()
                .map(|&(o, len)| IoVec {
                    // A zero-length iovec may be NULL.
                    base: if len == 0 && rng.chance(1, 2) {
                        null_mut()
                    } else {
                        base.wrapping_add(o)
                    },
                    len,
                })
                .collect();
            let mut data = vec![0u8; rng.size(0, total + 20)];
            rng.fill(&mut data);

            // Scatter: the data's prefix lands in the iovecs in order, nothing else changes.
            // SAFETY: the iovecs describe disjoint parts of `arena`, which nothing else uses
            // while the slices live.
            let checked = unsafe { iovecs(vecs.as_ptr(), vecs.len() as i32) }.unwrap();
            // SAFETY: as above.
            let mut bufs = unsafe { slices_mut(checked) };
            let skip = rng.size(0, total + 2);
            // Into all of them, or (as a send or receive that goes on after a partial one)
            // into what remains after `skip` bytes.
            let (n, from) = if rng.chance(1, 2) {
                (iov::scatter(&data, &mut bufs), 0)
            } else {
                let mut rest = iov::remaining(&mut bufs, skip);
                let rest_len: usize = rest.iter().map(|b| b.len()).sum();
                assert_eq!(rest_len, total.saturating_sub(skip), "{at}: remaining");
                (iov::scatter(&data, &mut rest), skip)
            };
            drop(bufs);
            let mut want = vec![guard; arena.len()];
            let mut pos = 0; // position in the iovecs' concatenation
            let mut k = 0; // bytes of data placed
            for &(o, len) in &spans {
                for i in 0..len {
                    if pos >= from && k < data.len() {
                        want[o + i] = data[k];
                        k += 1;
                    }
                    pos += 1;
                }
            }
            assert_eq!(n, k, "{at}: bytes scattered");
            assert_eq!(arena, want, "{at}: scatter wrote outside the data's places");

            // Gather: the iovecs read back in order, whole or from any cursor.
            rng.fill(&mut arena);
            let concat: Vec<u8> = spans
                .iter()
                .flat_map(|&(o, len)| arena[o..o + len].to_vec())
                .collect();
            // SAFETY: `arena` is only read while the slices live.
            let bufs = unsafe { slices(checked) };
            assert_eq!(iov::total(&bufs), total, "{at}");
            let mut scratch = Vec::new();
            assert_eq!(iov::contiguous(&bufs, &mut scratch), &concat[..], "{at}");
            if pieces == 0 {
                return;
            }
            let idx = rng.size(0, pieces - 1);
            let off = rng.size(0, spans[idx].1);
            let start: usize = spans[..idx].iter().map(|s| s.1).sum::<usize>() + off;
            let len = rng.size(0, total - start);
            iov::gather(&bufs, idx, off, len, &mut scratch);
            assert_eq!(
                scratch,
                concat[start..start + len],
                "{at}: gather {idx} {off} {len}"
            );
            let (i2, o2) = iov::advance(&bufs, idx, off, len);
            let end: usize = spans[..i2].iter().map(|s| s.1).sum::<usize>() + o2;
            assert_eq!(
                end,
                start + len,
                "{at}: advance {idx} {off} {len} -> {i2} {o2}"
            );
            assert!(o2 <= spans[i2].1, "{at}: cursor past its piece");
        });
    }

    #[test]
    fn prop_recvmsg_write_back() {
        check("prop_recvmsg_write_back", 100_000, |rng, at| {
            let from = match rng.below(3) {
                0 => None,
                1 => Some(SocketAddr::V4(SocketAddrV4::new(
                    Ipv4Addr::from(rng.u32()),
                    rng.u16(),
                ))),
                _ => Some(SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from(u128::from(rng.next_u64()) << 64 | u128::from(rng.u32())),
                    rng.u16(),
                    rng.u32(),
                    rng.u32(),
                ))),
            };
            let guard = rng.u8();
            let mut name = [guard; 64];
            let off = rng.size(0, 8);
            let namelen: SockLen = match rng.below(8) {
                0 => rng.pick(&[u32::MAX, 1 << 31, 128, 129]),
                _ => rng.range(0, 40) as u32,
            };
            let name_null = rng.chance(1, 4);
            let (iov, control) = (somewhere().cast::<IoVec>(), somewhere());
            let truncated = rng.chance(1, 2);
            let (iovlen, old_flags, old_control) = (rng.u32() as i32, rng.u32() as i32, rng.u32());
            let name_ptr = if name_null {
                null_mut()
            } else {
                name[off..].as_mut_ptr()
            };
            let mut m = MsgHdr {
                name: name_ptr,
                namelen,
                iov,
                iovlen,
                control,
                controllen: old_control,
                flags: old_flags,
            };
            // SAFETY: `m` is valid; `name` has 56 writable bytes past `off`, more than any
            // address's 32 (write_addr writes at most the address, whatever msg_namelen says).
            unsafe { finish_recv(&mut m, from, truncated) };
            let mut want = [guard; 64];
            let want_len = match from {
                Some(a) if !name_null => {
                    let e = encode(&a);
                    let b = e.as_bytes();
                    let n = b.len().min(namelen as usize);
                    want[off..off + n].copy_from_slice(&b[..n]);
                    assert_eq!(b.len(), if Family::of(&a) == Family::V4 { 16 } else { 32 });
                    b.len() as SockLen
                }
                _ => 0,
            };
            assert_eq!(name, want, "{at}: msg_name with msg_namelen {namelen}");
            assert_eq!(m.namelen, want_len, "{at}: msg_namelen");
            assert_eq!(m.controllen, 0, "{at}: msg_controllen");
            assert_eq!(m.flags, if truncated { 0x20 } else { 0 }, "{at}: msg_flags");
            assert_eq!(
                (m.name, m.iov, m.iovlen, m.control),
                (name_ptr, iov, iovlen, control),
                "{at}: fields recvmsg must not touch"
            );
        });
    }
}
