use super::*;

fn v4_bytes(port: u16, ip: [u8; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0..2].copy_from_slice(&AF_INET.to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}

#[test]
fn datagram_destinations_follow_linux() {
    let to = |s: &str| Dest::To(s.parse().unwrap());
    let v4 = v4_bytes(53, [127, 0, 0, 1]);
    assert_eq!(decode_dest(&v4, Family::V4), to("127.0.0.1:53"));
    assert_eq!(
        decode_dest(&v4[..15], Family::V4),
        Dest::Invalid(Errno::EINVAL)
    );
    let mut unspec = v4;
    unspec[0..2].copy_from_slice(&AF_UNSPEC.to_ne_bytes());
    assert_eq!(decode_dest(&unspec, Family::V4), to("127.0.0.1:53"));
    let mut other = v4;
    other[0..2].copy_from_slice(&99u16.to_ne_bytes());
    assert_eq!(
        decode_dest(&other, Family::V4),
        Dest::Invalid(Errno::EAFNOSUPPORT)
    );
    assert_eq!(
        decode_dest(&v4_bytes(0, [127, 0, 0, 1]), Family::V4),
        Dest::Invalid(Errno::EINVAL)
    );

    let v6 = encode(&"[::1]:53".parse().unwrap());
    let v6 = v6.as_bytes();
    assert_eq!(decode_dest(v6, Family::V6), to("[::1]:53"));
    assert!(matches!(decode_dest(&v6[..24], Family::V6), Dest::To(_)));
    assert_eq!(
        decode_dest(&v6[..23], Family::V6),
        Dest::Invalid(Errno::EINVAL)
    );
    assert_eq!(
        decode_dest(&v6[..1], Family::V6),
        Dest::Invalid(Errno::EINVAL)
    );
    let lo4 = "127.0.0.1:53".parse().unwrap();
    assert_eq!(decode_dest(&v4, Family::V6), Dest::Ipv4(Ok(lo4)));
    assert_eq!(
        decode_dest(&v4[..15], Family::V6),
        Dest::Ipv4(Err(Errno::EINVAL))
    );
    assert_eq!(
        decode_dest(&v4_bytes(0, [127, 0, 0, 1]), Family::V6),
        Dest::Ipv4(Err(Errno::EINVAL))
    );
    assert_eq!(decode_dest(&unspec, Family::V6), Dest::Peer);
    assert_eq!(
        decode_dest(&other, Family::V6),
        Dest::Invalid(Errno::EINVAL)
    );
    let mapped = encode(&"[::ffff:127.0.0.1]:53".parse().unwrap());
    assert_eq!(
        decode_dest(mapped.as_bytes(), Family::V6),
        Dest::Ipv4(Ok(lo4))
    );
    assert_eq!(
        decode_dgram_connect(&v4, Family::V6),
        Ok("127.0.0.1:53".parse().unwrap())
    );
    assert_eq!(
        decode_dgram_connect(&v4[..15], Family::V6),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        decode_dgram_connect(&v4[..8], Family::V4),
        Err(Errno::EINVAL)
    );
    assert!(decode_dgram_connect(v6, Family::V6).is_ok());
    let zero = encode(&"[::1]:0".parse().unwrap());
    assert_eq!(
        decode_dest(zero.as_bytes(), Family::V6),
        Dest::Invalid(Errno::EINVAL)
    );
    assert_eq!(
        Dest::to("[::ffff:127.0.0.1]:53".parse().unwrap(), Family::V6),
        Dest::Ipv4(Ok(lo4))
    );
    assert_eq!(
        Dest::to("127.0.0.1:0".parse().unwrap(), Family::V6),
        Dest::Ipv4(Err(Errno::EINVAL))
    );
}

#[test]
fn v4_round_trip() {
    let a: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let e = encode(&a);
    assert_eq!(e.as_bytes().len(), 16);
    assert_eq!(e.as_bytes(), &v4_bytes(8080, [127, 0, 0, 1]));
    assert_eq!(decode(e.as_bytes(), Family::V4), Ok(a));
}

#[test]
fn v6_round_trip_keeps_flowinfo_and_scope() {
    let a = SocketAddr::V6(SocketAddrV6::new(
        "fe80::1".parse().unwrap(),
        443,
        0x12345,
        7,
    ));
    let e = encode(&a);
    assert_eq!(e.as_bytes().len(), 32);
    assert_eq!(&e.as_bytes()[2..4], &[1, 187]);
    assert_eq!(&e.as_bytes()[28..32], &[0, 0, 0, 0]);
    assert_eq!(decode(e.as_bytes(), Family::V6), Ok(a));
}

#[test]
fn v6_without_scope_id_is_accepted_like_linux() {
    let a = SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 0, 0));
    let e = encode(&a);
    assert_eq!(decode(&e.as_bytes()[..24], Family::V6), Ok(a));
    assert_eq!(decode(&e.as_bytes()[..23], Family::V6), Err(Errno::EINVAL));
}

#[test]
fn short_and_wrong_family_follow_linux_order() {
    let b = v4_bytes(1, [1, 2, 3, 4]);
    assert_eq!(decode(&b[..15], Family::V4), Err(Errno::EINVAL));
    assert_eq!(decode(&[], Family::V4), Err(Errno::EINVAL));
    // A 16-byte sockaddr_in given to an IPv6 socket is too short before it is the wrong family.
    assert_eq!(decode(&b, Family::V6), Err(Errno::EINVAL));
    let v6 = encode(&"[::1]:1".parse().unwrap());
    assert_eq!(decode(v6.as_bytes(), Family::V4), Err(Errno::EAFNOSUPPORT));
    let mut unspec = b;
    unspec[0..2].copy_from_slice(&AF_UNSPEC.to_ne_bytes());
    assert_eq!(decode(&unspec, Family::V4), Err(Errno::EAFNOSUPPORT));
}

#[test]
fn bind_accepts_unspec_any_on_ipv4_only() {
    let mut b = v4_bytes(80, [0, 0, 0, 0]);
    b[0..2].copy_from_slice(&AF_UNSPEC.to_ne_bytes());
    assert_eq!(
        decode_for_bind(&b, Family::V4),
        Ok("0.0.0.0:80".parse().unwrap())
    );
    assert_eq!(decode(&b, Family::V4), Err(Errno::EAFNOSUPPORT));
    b[4] = 127;
    assert_eq!(decode_for_bind(&b, Family::V4), Err(Errno::EAFNOSUPPORT));
    let mut v6 = [0u8; 32];
    v6[0..2].copy_from_slice(&AF_UNSPEC.to_ne_bytes());
    assert_eq!(decode_for_bind(&v6, Family::V6), Err(Errno::EAFNOSUPPORT));
}

#[test]
fn domain_parsing() {
    assert_eq!(Family::from_domain(1), Ok(Family::V4));
    assert_eq!(Family::from_domain(2), Ok(Family::V6));
    for bad in [0, 3, 10, -1, i32::MAX] {
        assert_eq!(Family::from_domain(bad), Err(Errno::EAFNOSUPPORT));
    }
}

#[test]
fn mapped_addresses() {
    let m: SocketAddr = "[::ffff:127.0.0.1]:80".parse().unwrap();
    let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
    let v6: SocketAddr = "[::1]:80".parse().unwrap();
    assert_eq!(unmapped(m), Some("127.0.0.1:80".parse().unwrap()));
    assert_eq!(unmapped(v4), None);
    assert_eq!(unmapped(v6), None);
    assert!(is_mapped(&m) && !is_mapped(&v6) && !is_mapped(&v4));
    assert_eq!(mapped(v4), m);
    assert_eq!(mapped(v6), v6);
    assert_eq!(host_form(m), v4);
    assert_eq!(host_form(v6), v6);
    assert_eq!(connect_target("[::ffff:0.0.0.0]:80".parse().unwrap()), m);
}

#[test]
fn connect_to_unspecified_means_this_host() {
    assert_eq!(
        connect_target("0.0.0.0:80".parse().unwrap()),
        "127.0.0.1:80".parse().unwrap()
    );
    assert_eq!(
        connect_target("[::]:80".parse().unwrap()),
        "[::1]:80".parse().unwrap()
    );
    let other: SocketAddr = "10.0.0.1:80".parse().unwrap();
    assert_eq!(connect_target(other), other);
}

#[test]
fn every_port_and_address_round_trips() {
    // A cheap exhaustive-ish property check without a property-testing dependency.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let port = x as u16;
        let v4 = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from((x >> 16) as u32), port));
        assert_eq!(decode(encode(&v4).as_bytes(), Family::V4), Ok(v4));
        let ip6 = Ipv6Addr::from(((x as u128) << 64) | (x.rotate_left(29) as u128));
        let v6 = SocketAddr::V6(SocketAddrV6::new(ip6, port, (x >> 40) as u32, x as u32));
        assert_eq!(decode(encode(&v6).as_bytes(), Family::V6), Ok(v6));
    }
}
