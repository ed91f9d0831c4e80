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
                let want_dest = (!name_null && namelen > 0).then_some((namelen as usize).min(128));
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
        unsafe { finish_recv(&mut m, from, truncated) }.unwrap();
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
