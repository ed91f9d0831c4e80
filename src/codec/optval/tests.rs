use super::*;
use crate::codec::prop::{Rng, check};
use crate::codec::read_len;

const CODECS: [Codec; 4] = [Codec::Int, Codec::Timeval, Codec::Linger, Codec::Ucred];

/// Seconds with the edges mixed in.
fn any_sec(rng: &mut Rng) -> i64 {
    match rng.below(6) {
        0 => rng.pick(&[0, -1, 1, i64::MAX, i64::MIN, 18_446_744_073, 18_446_744_074]),
        1 => rng.range(-10, 10),
        2 => rng.range(0, 18_446_744_072),
        _ => rng.next_u64() as i64,
    }
}

/// Microseconds, valid or just outside, or anything.
fn any_usec(rng: &mut Rng) -> i64 {
    match rng.below(4) {
        0 => rng.pick(&[-1, 0, 999_999, 1_000_000, i64::MIN, i64::MAX]),
        1 => rng.next_u64() as i64,
        _ => rng.range(0, 999_999),
    }
}

/// Linux's `sock_set_timeout`, in u128 so nothing can overflow: EDOM, then negative -> 0.
fn oracle_timeout(sec: i64, usec: i64) -> Result<u64> {
    if !(0..1_000_000).contains(&usec) {
        return Err(Errno::EDOM);
    }
    if sec < 0 {
        return Ok(0);
    }
    let ns = sec as u128 * 1_000_000_000 + usec as u128 * 1000;
    Ok(ns.min(u128::from(u64::MAX)) as u64)
}

#[test]
fn prop_optval_set_reads_what_linux_reads() {
    check(
        "prop_optval_set_reads_what_linux_reads",
        100_000,
        |rng, at| {
            let codec = rng.pick(&CODECS);
            let mut b = [0u8; 64];
            rng.fill(&mut b);
            if rng.chance(1, 2) {
                b[..8].copy_from_slice(&any_sec(rng).to_ne_bytes());
                b[8..16].copy_from_slice(&any_usec(rng).to_ne_bytes());
            }
            let len: SockLen = match rng.below(8) {
                0 => rng.range(i64::from(i32::MAX) + 1, i64::from(u32::MAX)) as u32,
                1 => rng.pick(&[i32::MAX as u32, 1 << 31, u32::MAX]),
                2 => rng.pick(&[0, 1, 3, 4, 5, 7, 8, 15, 16, 17]),
                _ => rng.range(0, 64) as u32,
            };
            let null = rng.chance(1, 8);
            let ptr = if null { core::ptr::null() } else { b.as_ptr() };
            let want_bytes = if len > i32::MAX as u32 {
                Err(Errno::EINVAL)
            } else if len == 0 {
                Ok(0)
            } else if null {
                Err(Errno::EFAULT)
            } else if len > 64 {
                return; // a real buffer that long is not worth allocating; the checks are above.
            } else {
                Ok(len as usize)
            };
            // SAFETY: `ptr` is NULL, or readable for `len` bytes when `len <= 64`; longer
            // lengths with a non-NULL pointer were skipped.
            let got = unsafe { set_bytes(ptr, len) };
            assert_eq!(got.map(|s| s.len()), want_bytes, "{at}: len {len}");
            let Ok(bytes) = got else { return };
            let v = codec.decode(bytes);
            let need = [4, 16, 8, 12][CODECS.iter().position(|&c| c == codec).unwrap()];
            assert_eq!(codec.size(), need, "{at}");
            // At the IP level an int may also come as one byte (1 to 3 bytes: the first,
            // unsigned); everything else reads as at the other levels.
            let ip = codec.decode_ip(bytes);
            if codec == Codec::Int && (1..4).contains(&bytes.len()) {
                assert_eq!(ip, Ok(Value::Int(i32::from(b[0]))), "{at}: IP byte option");
            } else {
                assert_eq!(ip, v, "{at}: IP level");
            }
            if bytes.len() < need {
                assert_eq!(
                    v,
                    Err(Errno::EINVAL),
                    "{at}: {codec:?} from {} bytes",
                    bytes.len()
                );
                return;
            }
            let i32_at = |o: usize| i32::from_ne_bytes(b[o..o + 4].try_into().unwrap());
            let i64_at = |o: usize| i64::from_ne_bytes(b[o..o + 8].try_into().unwrap());
            let v = v.unwrap_or_else(|e| panic!("{at}: {codec:?} refused with {e:?}"));
            match codec {
                Codec::Name => {}
                Codec::Int => {
                    assert_eq!(v, Value::Int(i32_at(0)), "{at}");
                    assert_eq!(flag(v), i32_at(0) != 0, "{at}");
                    assert_eq!(timeout_ns(v), Err(Errno::EINVAL), "{at}");
                    assert_eq!(linger(v), None, "{at}");
                }
                Codec::Timeval => {
                    let (sec, usec) = (i64_at(0), i64_at(8));
                    assert_eq!(v, Value::Timeval { sec, usec }, "{at}");
                    assert_eq!(
                        timeout_ns(v),
                        oracle_timeout(sec, usec),
                        "{at}: {sec} {usec}"
                    );
                    assert_eq!(v.int(), 0, "{at}");
                }
                Codec::Linger => {
                    let (onoff, secs) = (i32_at(0), i32_at(4));
                    assert_eq!(v, Value::Linger { onoff, secs }, "{at}");
                    let want = if onoff != 0 { Some(secs.max(0)) } else { None };
                    assert_eq!(linger(v), want, "{at}");
                    assert_eq!(timeout_ns(v), Err(Errno::EINVAL), "{at}");
                }
                Codec::Ucred => {
                    let (pid, uid, gid) = (i32_at(0), i32_at(4) as u32, i32_at(8) as u32);
                    assert_eq!(v, Value::Ucred { pid, uid, gid }, "{at}");
                    assert_eq!(linger(v), None, "{at}");
                    assert_eq!(timeout_ns(v), Err(Errno::EINVAL), "{at}");
                }
            }
        },
    );
}

fn any_onoff(rng: &mut Rng) -> i32 {
    let any = rng.u32() as i32;
    rng.pick(&[0, 1, -1, any])
}

fn any_value(rng: &mut Rng) -> Value {
    match rng.below(4) {
        3 => Value::Ucred {
            pid: rng.u32() as i32,
            uid: rng.u32(),
            gid: rng.u32(),
        },
        0 => Value::Int(rng.u32() as i32),
        1 => Value::Timeval {
            sec: any_sec(rng),
            usec: any_usec(rng),
        },
        _ => Value::Linger {
            onoff: any_onoff(rng),
            secs: rng.u32() as i32,
        },
    }
}

/// The value's bytes as the C structs lay them out, restated.
fn oracle_bytes(v: Value) -> Vec<u8> {
    let mut out = Vec::new();
    match v {
        Value::Int(i) => out.extend_from_slice(&i.to_ne_bytes()),
        Value::Timeval { sec, usec } => {
            out.extend_from_slice(&sec.to_ne_bytes());
            out.extend_from_slice(&usec.to_ne_bytes());
        }
        Value::Linger { onoff, secs } => {
            out.extend_from_slice(&onoff.to_ne_bytes());
            out.extend_from_slice(&secs.to_ne_bytes());
        }
        Value::Name(name) => out.extend_from_slice(&name),
        Value::Ucred { pid, uid, gid } => {
            out.extend_from_slice(&pid.to_ne_bytes());
            out.extend_from_slice(&uid.to_ne_bytes());
            out.extend_from_slice(&gid.to_ne_bytes());
        }
    }
    out
}

#[test]
fn prop_optval_get_truncates_to_optlen() {
    check("prop_optval_get_truncates_to_optlen", 100_000, |rng, at| {
        let v = any_value(rng);
        let full = oracle_bytes(v);
        let guard = rng.u8();
        let raw: SockLen = match rng.below(8) {
            0 => rng.range(i64::from(i32::MAX) + 1, i64::from(u32::MAX)) as u32,
            1 => rng.pick(&[i32::MAX as u32, 1 << 20]),
            _ => rng.range(0, 64) as u32,
        };
        // `*optlen` at an unaligned place in a guarded buffer.
        let mut lenbuf = [guard; 12];
        let lo = rng.size(0, 4);
        lenbuf[lo..lo + 4].copy_from_slice(&raw.to_ne_bytes());
        let lenp = lenbuf[lo..].as_mut_ptr().cast::<SockLen>();
        // SAFETY: `lenp` readable for 4 bytes.
        let cap = unsafe { read_len(lenp) };
        if raw > i32::MAX as u32 {
            assert_eq!(cap, Err(Errno::EINVAL), "{at}: *optlen {raw}");
            return;
        }
        assert_eq!(cap, Ok(raw as usize), "{at}");
        let cap = raw as usize;
        let mut out = [guard; 96];
        let off = rng.size(0, 16);
        let null = rng.chance(1, 8);
        let ptr = if null {
            core::ptr::null_mut()
        } else {
            out[off..].as_mut_ptr()
        };
        let n = cap.min(full.len());
        let len_first = rng.chance(1, 2);
        // SAFETY: `ptr` is NULL or has 80 writable bytes, more than any value's 16 (the
        // function never writes more than the value, whatever `cap` says); `lenp` is
        // writable.
        let r = unsafe { put_value(v, ptr, cap, lenp, len_first) };
        let mut want_len = [guard; 12];
        want_len[lo..lo + 4].copy_from_slice(&raw.to_ne_bytes());
        if null && n > 0 {
            assert_eq!(r, Err(Errno::EFAULT), "{at}");
            if len_first {
                want_len[lo..lo + 4].copy_from_slice(&(n as SockLen).to_ne_bytes());
            }
            assert_eq!(
                lenbuf, want_len,
                "{at}: *optlen on EFAULT (first: {len_first})"
            );
            assert_eq!(out, [guard; 96], "{at}");
            return;
        }
        assert_eq!(r, Ok(()), "{at}");
        let mut want = [guard; 96];
        if !null {
            want[off..off + n].copy_from_slice(&full[..n]);
        }
        assert_eq!(out, want, "{at}: cap {cap}, value {v:?}");
        want_len[lo..lo + 4].copy_from_slice(&(n as SockLen).to_ne_bytes());
        assert_eq!(lenbuf, want_len, "{at}: *optlen after cap {cap}");
    });
    // SAFETY: NULL is refused before any read.
    assert_eq!(unsafe { read_len(core::ptr::null()) }, Err(Errno::EFAULT));
}

#[test]
fn prop_optval_set_then_get_round_trips() {
    check(
        "prop_optval_set_then_get_round_trips",
        100_000,
        |rng, at| {
            // What setsockopt stores from a valid value, and what getsockopt then reports.
            let (set, want): (Value, Value) = match rng.below(3) {
                0 => {
                    let i = rng.u32() as i32;
                    (Value::Int(i), Value::Int(i))
                }
                1 => {
                    let usec = rng.range(0, 999_999);
                    let sec = if rng.chance(1, 4) {
                        rng.range(i64::MIN, -1)
                    } else {
                        // Up to the largest time u64 nanoseconds hold without saturating.
                        rng.range(0, 18_446_744_072)
                    };
                    let want = if sec < 0 {
                        Value::Timeval { sec: 0, usec: 0 }
                    } else {
                        Value::Timeval { sec, usec }
                    };
                    (Value::Timeval { sec, usec }, want)
                }
                _ => {
                    let onoff = any_onoff(rng);
                    let secs = rng.u32() as i32;
                    let want = Value::Linger {
                        onoff: i32::from(onoff != 0),
                        secs: if onoff != 0 { secs.max(0) } else { 0 },
                    };
                    (Value::Linger { onoff, secs }, want)
                }
            };
            let codec = match set {
                Value::Int(_) => Codec::Int,
                Value::Timeval { .. } => Codec::Timeval,
                Value::Linger { .. } | Value::Name(_) => Codec::Linger,
                Value::Ucred { .. } => Codec::Ucred,
            };
            // The caller's bytes: the value, then anything (a long optlen is fine).
            let mut b = oracle_bytes(set);
            for _ in 0..rng.below(16) {
                b.push(rng.u8());
            }
            // SAFETY: `b` is readable for its length.
            let bytes = unsafe { set_bytes(b.as_ptr(), b.len() as SockLen) }.unwrap();
            let v = codec.decode(bytes).unwrap();
            let got = match codec {
                Codec::Int => Value::Int(v.int()),
                Codec::Timeval => timeval(timeout_ns(v).unwrap()),
                Codec::Linger | Codec::Name => linger_value(linger(v)),
                Codec::Ucred => v,
            };
            assert_eq!(got, want, "{at}: set {set:?}");
            let mut out = [0u8; 16];
            let mut len = out.len() as SockLen;
            // SAFETY: `out` writable for `len` bytes.
            unsafe { put_value(got, out.as_mut_ptr(), len as usize, &mut len, false) }.unwrap();
            assert_eq!(out[..len as usize], oracle_bytes(want)[..], "{at}");
            // And from the other side: any stored timeout reads back to the microsecond.
            let ns = rng.next_u64() >> rng.below(64);
            assert_eq!(
                timeout_ns(timeval(ns)),
                Ok(ns / 1000 * 1000),
                "{at}: {ns} ns"
            );
        },
    );
}

#[test]
fn names_are_read_as_linux_reads_them() {
    let name = |s: &[u8]| {
        let mut n = [0u8; 16];
        n[..s.len()].copy_from_slice(s);
        Value::Name(n)
    };
    assert_eq!(Codec::Name.decode(b""), Err(Errno::EINVAL));
    assert_eq!(Codec::Name.decode(b"reno"), Ok(name(b"reno")));
    assert_eq!(Codec::Name.decode(b"re\0no"), Ok(name(b"re")));
    assert_eq!(
        Codec::Name.decode(b"0123456789abcdefgh"),
        Ok(name(b"0123456789abcde")),
        "at most 15 bytes"
    );
    assert_eq!(name(b"cubic").encode().1, 16);
}
