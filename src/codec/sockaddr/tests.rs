use super::*;
use crate::addr::{
    AF_INET, AF_INET6, Dest, Family, SOCKADDR_IN_LEN, SOCKADDR_IN6_LEN, decode, decode_dest,
    decode_dgram_connect, decode_for_bind, encode,
};
use crate::codec::prop::{Rng, check};
use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// A random address of either family; ports, addresses, flowinfo and scope ids are drawn
/// whole, with some special values mixed in.
fn any_addr(rng: &mut Rng) -> SocketAddr {
    let port = if rng.chance(1, 8) {
        rng.pick(&[0, 1, 0xffff])
    } else {
        rng.u16()
    };
    if rng.chance(1, 2) {
        let ip = if rng.chance(1, 8) {
            rng.pick(&[0, u32::MAX, 0x7f00_0001])
        } else {
            rng.u32()
        };
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port))
    } else {
        let ip = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        let ip = match rng.below(8) {
            0 => 0,
            1 => 1,
            2 => 0xffff_0000_0000 | (ip & 0xffff_ffff), // IPv4-mapped
            _ => ip,
        };
        SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::from(ip),
            port,
            rng.u32(),
            rng.u32(),
        ))
    }
}

#[test]
fn prop_sockaddr_round_trip() {
    check("prop_sockaddr_round_trip", 100_000, |rng, at| {
        let a = any_addr(rng);
        let e = encode(&a);
        let b = e.as_bytes();
        let fam = Family::of(&a);
        // The layout, checked field by field against the table in `addr`.
        match a {
            SocketAddr::V4(v4) => {
                assert_eq!(b.len(), SOCKADDR_IN_LEN, "{at}");
                assert_eq!(b[0..2], AF_INET.to_ne_bytes(), "{at}");
                assert_eq!(b[2..4], v4.port().to_be_bytes(), "{at}");
                assert_eq!(b[4..8], v4.ip().octets(), "{at}");
                assert!(b[8..].iter().all(|&x| x == 0), "{at}: padding not zero");
            }
            SocketAddr::V6(v6) => {
                assert_eq!(b.len(), SOCKADDR_IN6_LEN, "{at}");
                assert_eq!(b[0..2], AF_INET6.to_ne_bytes(), "{at}");
                assert_eq!(b[2..4], v6.port().to_be_bytes(), "{at}");
                assert_eq!(b[4..8], v6.flowinfo().to_be_bytes(), "{at}");
                assert_eq!(b[8..24], v6.ip().octets(), "{at}");
                assert_eq!(b[24..28], v6.scope_id().to_ne_bytes(), "{at}");
                assert!(b[28..].iter().all(|&x| x == 0), "{at}: padding not zero");
            }
        }
        assert_eq!(decode(b, fam), Ok(a), "{at}");
        assert_eq!(decode_for_bind(b, fam), Ok(a), "{at}");
        assert_eq!(decode_dgram_connect(b, fam), Ok(a), "{at}");
        // Trailing bytes up to Linux's 128 are ignored.
        let mut long = [0u8; 128];
        rng.fill(&mut long);
        long[..b.len()].copy_from_slice(b);
        let n = rng.size(b.len(), 128);
        assert_eq!(decode(&long[..n], fam), Ok(a), "{at}");
        // Without sin6_scope_id (24..27 bytes) an IPv6 address decodes with scope 0.
        if let SocketAddr::V6(v6) = a {
            let n = rng.size(24, 27);
            let want = SocketAddrV6::new(*v6.ip(), v6.port(), v6.flowinfo(), 0);
            assert_eq!(decode(&b[..n], fam), Ok(SocketAddr::V6(want)), "{at}");
        }
    });
}

/// The independent oracle for the decoders: Linux's checks, restated from `inet_bind`,
/// `inet6_bind`, `__ip6_datagram_connect`, `udp_sendmsg` and `udpv6_sendmsg`.
mod oracle {
    use super::*;
    use crate::errno::Errno;

    fn fam(b: &[u8]) -> Option<u16> {
        (b.len() >= 2).then(|| u16::from_ne_bytes([b[0], b[1]]))
    }

    fn v4(b: &[u8]) -> SocketAddr {
        SocketAddr::from(([b[4], b[5], b[6], b[7]], u16::from_be_bytes([b[2], b[3]])))
    }

    fn v6(b: &[u8]) -> SocketAddrV6 {
        let mut ip = [0u8; 16];
        ip.copy_from_slice(&b[8..24]);
        let scope = if b.len() >= 28 {
            u32::from_ne_bytes([b[24], b[25], b[26], b[27]])
        } else {
            0
        };
        SocketAddrV6::new(
            Ipv6Addr::from(ip),
            u16::from_be_bytes([b[2], b[3]]),
            u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            scope,
        )
    }

    pub fn decode(b: &[u8], f: Family) -> Result<SocketAddr> {
        let (min, af) = match f {
            Family::V4 => (16, 1),
            Family::V6 => (24, 2),
        };
        if b.len() < min {
            Err(Errno::EINVAL)
        } else if fam(b) != Some(af) {
            Err(Errno::EAFNOSUPPORT)
        } else if f == Family::V4 {
            Ok(v4(b))
        } else {
            Ok(SocketAddr::V6(v6(b)))
        }
    }

    pub fn bind(b: &[u8], f: Family) -> Result<SocketAddr> {
        if f == Family::V4 && b.len() >= 16 && fam(b) == Some(0) && b[4..8] == [0; 4] {
            return Ok(v4(b));
        }
        decode(b, f)
    }

    pub fn dgram_connect(b: &[u8], f: Family) -> Result<SocketAddr> {
        if f == Family::V6 && fam(b) == Some(1) {
            return decode(b, Family::V4);
        }
        decode(b, f)
    }

    /// An IPv4 destination given to an IPv6 socket: port 0 is EINVAL.
    fn ipv4(a: SocketAddr) -> Dest {
        match a {
            SocketAddr::V4(a) if a.port() == 0 => Dest::Ipv4(Err(Errno::EINVAL)),
            SocketAddr::V4(a) => Dest::Ipv4(Ok(a)),
            SocketAddr::V6(_) => unreachable!(),
        }
    }

    pub fn dest(b: &[u8], f: Family) -> Dest {
        let a = if f == Family::V4 {
            if b.len() < 16 {
                return Dest::Invalid(Errno::EINVAL);
            }
            if fam(b) != Some(0) && fam(b) != Some(1) {
                return Dest::Invalid(Errno::EAFNOSUPPORT);
            }
            v4(b)
        } else {
            match fam(b) {
                None => return Dest::Invalid(Errno::EINVAL),
                Some(0) => return Dest::Peer,
                Some(1) if b.len() < 16 => return Dest::Ipv4(Err(Errno::EINVAL)),
                Some(1) => return ipv4(v4(b)),
                Some(2) => {}
                Some(_) => return Dest::Invalid(Errno::EINVAL),
            }
            if b.len() < 24 {
                return Dest::Invalid(Errno::EINVAL);
            }
            let a = v6(b);
            let o = a.ip().octets();
            if o[..10] == [0; 10] && o[10..12] == [0xff, 0xff] {
                let ip = core::net::Ipv4Addr::new(o[12], o[13], o[14], o[15]);
                return ipv4(SocketAddr::new(ip.into(), a.port()));
            }
            SocketAddr::V6(a)
        };
        if a.port() == 0 {
            return Dest::Invalid(Errno::EINVAL);
        }
        Dest::To(a)
    }
}

#[test]
fn prop_sockaddr_decode_random_bytes() {
    check("prop_sockaddr_decode_random_bytes", 100_000, |rng, at| {
        let mut b = [0u8; 140];
        rng.fill(&mut b);
        // Lengths around the thresholds are likelier; families are mostly meaningful ones.
        let len = if rng.chance(1, 2) {
            rng.pick(&[0, 1, 2, 15, 16, 17, 23, 24, 27, 28, 32, 48, 128, 129, 140])
        } else {
            rng.size(0, 140)
        };
        if rng.chance(7, 8) {
            let f: u16 = rng.pick(&[0, 1, 2, 3, 10, 0xffff]);
            b[0..2].copy_from_slice(&f.to_ne_bytes());
        }
        if rng.chance(1, 4) {
            b[4..8].fill(0);
        }
        if rng.chance(1, 4) {
            b[2..4].fill(0);
        }
        if rng.chance(1, 8) {
            b[8..18].fill(0);
            b[18..20].fill(0xff);
        }
        let b = &b[..len];
        for f in [Family::V4, Family::V6] {
            assert_eq!(
                decode(b, f),
                oracle::decode(b, f),
                "{at}: decode {f:?} {b:?}"
            );
            assert_eq!(
                decode_for_bind(b, f),
                oracle::bind(b, f),
                "{at}: bind {f:?}"
            );
            assert_eq!(
                decode_dgram_connect(b, f),
                oracle::dgram_connect(b, f),
                "{at}: dgram connect {f:?}"
            );
            assert_eq!(
                decode_dest(b, f),
                oracle::dest(b, f),
                "{at}: dest {f:?} {b:?}"
            );
        }
        // The caller's (addr, addrlen) in: above 128 is EINVAL, then NULL with a length is
        // EFAULT; the bytes are the caller's own.
        let ptr = if rng.chance(1, 4) {
            core::ptr::null()
        } else {
            b.as_ptr()
        };
        let want = if len > 128 {
            Err(Errno::EINVAL)
        } else if len == 0 {
            Ok(0)
        } else if ptr.is_null() {
            Err(Errno::EFAULT)
        } else {
            Ok(len)
        };
        // SAFETY: `ptr` is NULL or readable for `len` bytes.
        let got = unsafe { addr_bytes(ptr, len as SockLen) };
        assert_eq!(got.map(|s| s.len()), want, "{at}: addr_bytes");
        if let Ok(s) = got
            && !s.is_empty()
        {
            assert_eq!(s.as_ptr(), ptr, "{at}");
        }
        // A huge length never reads: EINVAL, for NULL too.
        let huge = rng.range(129, i64::from(u32::MAX)) as SockLen;
        // SAFETY: lengths above 128 are refused before the pointer is used.
        let got = unsafe { addr_bytes(ptr, huge) };
        assert_eq!(got.map(|s| s.len()), Err(Errno::EINVAL), "{at}: len {huge}");
        // SAFETY: as above.
        let got = unsafe { dest_bytes(core::ptr::null(), huge) };
        assert_eq!(got, Ok(None), "{at}: NULL destination");
    });
}

#[test]
fn prop_sockaddr_write_truncates_to_capacity() {
    check("prop_sockaddr_write_truncates", 10_000, |rng, at| {
        let a = any_addr(rng);
        let enc = encode(&a);
        let full = enc.as_bytes();
        let guard = rng.u8();
        // Every capacity from 0 to past the struct's size.
        for cap in 0..=full.len() + 2 {
            let mut out = [guard; 64];
            let off = rng.size(0, 8);
            // `*addrlen` at an unaligned place in its own guarded buffer.
            let mut lenbuf = [guard; 12];
            let lo = rng.size(0, 4);
            lenbuf[lo..lo + 4].copy_from_slice(&(cap as SockLen).to_ne_bytes());
            let lenp = lenbuf[lo..].as_mut_ptr().cast::<SockLen>();
            let via_out = rng.chance(1, 2);
            // SAFETY: `out[off..]` is writable for more than `cap` bytes; `lenp` for 4.
            unsafe {
                if via_out {
                    put_addr_out(out[off..].as_mut_ptr(), lenp, &a).unwrap();
                } else {
                    write_addr(out[off..].as_mut_ptr(), cap, lenp, &a).unwrap();
                }
            }
            let n = cap.min(full.len());
            let mut want = [guard; 64];
            want[off..off + n].copy_from_slice(&full[..n]);
            assert_eq!(
                out, want,
                "{at}: cap {cap}: written past the capacity or wrong"
            );
            let mut want_len = [guard; 12];
            want_len[lo..lo + 4].copy_from_slice(&(full.len() as SockLen).to_ne_bytes());
            assert_eq!(lenbuf, want_len, "{at}: cap {cap}: *addrlen");
        }
        // NULL addr: nothing at all; a bad *addrlen: its error, nothing written.
        let mut len: SockLen = rng.u32();
        let before = len;
        // SAFETY: NULL addr is a no-op.
        let r = unsafe { put_addr_out(core::ptr::null_mut(), &mut len, &a) };
        assert_eq!((r, len), (Ok(()), before), "{at}: NULL addr");
        let mut out = [guard; 64];
        let mut bad: SockLen = rng.range(i64::from(i32::MAX) + 1, i64::from(u32::MAX)) as u32;
        let was = bad;
        // SAFETY: `out` is writable; the length is refused before any write.
        let r = unsafe { put_addr_out(out.as_mut_ptr(), &mut bad, &a) };
        assert_eq!(r, Err(Errno::EINVAL), "{at}: negative *addrlen");
        assert_eq!((out, bad), ([guard; 64], was), "{at}: written on error");
        // SAFETY: a NULL length pointer is refused before any write.
        let r = unsafe { put_addr_out(out.as_mut_ptr(), core::ptr::null_mut(), &a) };
        assert_eq!(
            (r, out),
            (Err(Errno::EFAULT), [guard; 64]),
            "{at}: NULL *addrlen"
        );
        // A NULL address with room asked for: EFAULT, the full length stored first (as
        // Linux's move_addr_to_user stores it before the copy).
        let cap = rng.size(1, 200);
        let mut len = cap as SockLen;
        // SAFETY: NULL is refused before the copy; `len` is writable.
        let r = unsafe { write_addr(core::ptr::null_mut(), cap, &mut len, &a) };
        assert_eq!(
            (r, len),
            (Err(Errno::EFAULT), full.len() as SockLen),
            "{at}: NULL addr with room"
        );
    });
}
