use super::*;

#[test]
fn inet_aton_forms() {
    let ok = |s: &str, want: [u8; 4]| assert_eq!(parse_ipv4(s), Some(Ipv4Addr::from(want)), "{s}");
    ok("127.0.0.1", [127, 0, 0, 1]);
    ok("127.1", [127, 0, 0, 1]);
    ok("127.0.1", [127, 0, 0, 1]);
    ok("2130706433", [127, 0, 0, 1]);
    ok("0x7f.1", [127, 0, 0, 1]);
    ok("0177.0.0.1", [127, 0, 0, 1]);
    ok("10.0x10000", [10, 1, 0, 0]);
    for bad in [
        "",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.256",
        "1..2",
        "a.b.c.d",
        "0x",
        "1.2.3.4 ",
        "4294967296",
        "09.1.1.1",
    ] {
        assert_eq!(parse_ipv4(bad), None, "{bad:?}");
    }
}

#[test]
fn ipv6_literals_and_scopes() {
    assert_eq!(parse_ipv6("::1"), Some((Ipv6Addr::LOCALHOST, 0)));
    assert_eq!(parse_ipv6("fe80::1%3").map(|x| x.1), Some(3));
    assert_eq!(parse_ipv6("fe80::1%eth0"), None);
    assert_eq!(
        parse_ipv6("::ffff:1.2.3.4").map(|x| x.0.to_ipv4_mapped()),
        Some(Some(Ipv4Addr::new(1, 2, 3, 4)))
    );
    assert_eq!(parse_ipv6("1.2.3.4"), None);
}

#[test]
fn hints_are_checked_in_glibc_order() {
    let h = |flags, family, socktype, protocol| Hints {
        flags,
        family,
        socktype,
        protocol,
    };
    assert_eq!(
        check_hints(Some("x"), None, &h(0x8000, 99, 99, 0)),
        Err(Eai::BADFLAGS)
    );
    assert_eq!(
        check_hints(None, Some("80"), &h(ai::CANONNAME, 0, 0, 0)),
        Err(Eai::BADFLAGS)
    );
    assert_eq!(check_hints(None, None, &h(0, 99, 0, 0)), Err(Eai::NONAME));
    assert_eq!(
        check_hints(Some("x"), None, &h(0, 99, 99, 0)),
        Err(Eai::FAMILY)
    );
    assert_eq!(
        check_hints(Some("x"), None, &h(0, 0, 99, 0)),
        Err(Eai::SOCKTYPE)
    );
    assert_eq!(
        check_hints(Some("x"), None, &h(0, 0, SOCK_STREAM, IPPROTO_UDP)),
        Err(Eai::SOCKTYPE)
    );
    assert_eq!(
        check_hints(
            Some("x"),
            None,
            &h(ai::KNOWN, AF_INET6, SOCK_DGRAM, IPPROTO_UDP)
        ),
        Ok(())
    );
}

#[test]
fn services_by_number_and_name() {
    let stream = Hints {
        socktype: SOCK_STREAM,
        ..Hints::default()
    };
    assert_eq!(
        service_ports(Some("80"), &stream),
        Ok(alloc::vec![(SOCK_STREAM, IPPROTO_TCP, 80)])
    );
    assert_eq!(
        service_ports(Some("http"), &stream),
        Ok(alloc::vec![(SOCK_STREAM, IPPROTO_TCP, 80)])
    );
    assert_eq!(
        service_ports(Some("www"), &stream),
        Ok(alloc::vec![(SOCK_STREAM, IPPROTO_TCP, 80)])
    );
    assert_eq!(service_ports(Some("ntp"), &stream), Err(Eai::SERVICE));
    assert_eq!(
        service_ports(Some("nosuch"), &Hints::default()),
        Err(Eai::SERVICE)
    );
    assert_eq!(service_ports(Some("65536"), &stream), Err(Eai::SERVICE));
    for (text, port) in [(" 80", 80), ("+80", 80), ("\t0", 0), ("65535", 65535)] {
        assert_eq!(
            service_ports(Some(text), &stream),
            Ok(alloc::vec![(SOCK_STREAM, IPPROTO_TCP, port)]),
            "{text:?}"
        );
    }
    for text in ["", "-1", "0x50", "80 ", "+", " ", "99999999999"] {
        assert_eq!(
            service_ports(Some(text), &stream),
            Err(Eai::SERVICE),
            "{text:?}"
        );
    }
    let numeric = Hints {
        flags: ai::NUMERICSERV,
        ..Hints::default()
    };
    assert_eq!(service_ports(Some("http"), &numeric), Err(Eai::NONAME));
    let both = service_ports(Some("domain"), &Hints::default()).unwrap();
    assert_eq!(
        both,
        alloc::vec![
            (SOCK_STREAM, IPPROTO_TCP, 53),
            (SOCK_DGRAM, IPPROTO_UDP, 53)
        ]
    );
}

#[test]
fn null_host_and_localhost_follow_glibc_order() {
    let passive = Hints {
        flags: ai::PASSIVE,
        ..Hints::default()
    };
    assert_eq!(
        host(None, &passive),
        Ok(Host::Known(alloc::vec![
            "0.0.0.0".parse().unwrap(),
            "::".parse().unwrap()
        ]))
    );
    assert_eq!(
        host(None, &Hints::default()),
        Ok(Host::Known(alloc::vec![
            "::1".parse().unwrap(),
            "127.0.0.1".parse().unwrap()
        ]))
    );
    assert_eq!(
        host(Some("localhost"), &Hints::default()),
        Ok(Host::Lookup("localhost"))
    );
    for name in ["localhost", "LocalHost", "localhost."] {
        assert_eq!(
            fallback(name),
            Some(alloc::vec![
                "::1".parse().unwrap(),
                "127.0.0.1".parse().unwrap()
            ]),
            "{name}"
        );
    }
    assert_eq!(fallback("localhost.example"), None);
    assert_eq!(fallback("example.org"), None);
    assert_eq!(
        loopback_name(&"127.0.0.1".parse().unwrap()),
        Some("localhost")
    );
    assert_eq!(
        loopback_name(&"::ffff:127.0.0.1".parse().unwrap()),
        Some("localhost")
    );
    assert_eq!(loopback_name(&"::1".parse().unwrap()), Some("localhost"));
    assert_eq!(loopback_name(&"127.0.0.2".parse().unwrap()), None);
    assert_eq!(
        host(Some("example.org"), &Hints::default()),
        Ok(Host::Lookup("example.org"))
    );
    let numeric = Hints {
        flags: ai::NUMERICHOST,
        ..Hints::default()
    };
    assert_eq!(host(Some("example.org"), &numeric), Err(Eai::NONAME));
}

#[test]
fn families_and_v4_mapping() {
    let v4: IpAddr = "1.2.3.4".parse().unwrap();
    let ports = [(SOCK_STREAM, IPPROTO_TCP, 22)];
    let v6only = Hints {
        family: AF_INET6,
        ..Hints::default()
    };
    assert_eq!(
        expand(&[v4], &ports, &v6only, true, 0),
        Err(Eai::ADDRFAMILY)
    );
    assert_eq!(expand(&[v4], &ports, &v6only, false, 0), Err(Eai::NONAME));
    let mapped = Hints {
        family: AF_INET6,
        flags: ai::V4MAPPED,
        ..Hints::default()
    };
    let e = expand(&[v4], &ports, &mapped, true, 0).unwrap();
    assert_eq!(e[0].addr, "[::ffff:1.2.3.4]:22".parse().unwrap());
    let v6: IpAddr = "2001:db8::1".parse().unwrap();
    assert_eq!(
        expand(&[v6, v4], &ports, &mapped, false, 0).unwrap().len(),
        1
    );
    let all = Hints {
        family: AF_INET6,
        flags: ai::V4MAPPED | ai::ALL,
        ..Hints::default()
    };
    assert_eq!(expand(&[v6, v4], &ports, &all, false, 0).unwrap().len(), 2);
}

#[test]
fn messages_are_glibcs() {
    assert_eq!(Eai::message(-2), b"Name or service not known\0");
    assert_eq!(Eai::message(1234), b"Unknown error\0");
    assert_eq!(Eai::message(0), b"Unknown error\0");
}
