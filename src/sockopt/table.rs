//! The option table: each (level, name) with its value codec, getter and setter.

use super::names::*;
use super::{Opt, identity};
use crate::addr::Family;
use crate::channel::Kind;
use crate::codec::optval::{flag, linger, timeout_ns, timeval};
use crate::errno::{Errno, Result};
use crate::inet::HostOpt;
use crate::ops::unix::SOCK_SEQPACKET;
use crate::ops::{IPPROTO_TCP, SOCK_DGRAM, SOCK_STREAM};
use crate::socket::{Attrs, Domain, Proto, Socket};

use crate::codec::optval::{Codec, Value};

/// The process id `SO_PEERCRED` reports for the program itself: wasi-libc's emulated `getpid`
/// answers 42, so `cred.pid == getpid()` holds as on Linux.
const PID: i32 = 42;

/// Linux's `TCP_MSS_DEFAULT` (an unconnected socket's `TCP_MAXSEG`), `TCP_MIN_MSS` and
/// `MAX_TCP_WINDOW` (the range a set accepts).
const TCP_MSS_DEFAULT: i32 = 536;
const TCP_MIN_MSS: i32 = 88;
const MAX_TCP_WINDOW: i32 = 32767;

fn attrs(e: &mut Socket) -> &mut Attrs {
    &mut e.attrs
}

/// A host-backed option on the socket. An AF_UNIX socket keeps `SO_SNDBUF` (which bounds what
/// it may have queued), `SO_RCVBUF` and `SO_KEEPALIVE` itself, as Linux's sock layer does.
fn host_get(e: &mut Socket, o: HostOpt) -> Result<Value> {
    match &mut e.proto {
        Proto::Tcp(t) => t.host_opt(o).map(Value::Int),
        Proto::Udp(u) => u.host_opt(o).map(Value::Int),
        Proto::Unix(u) => Ok(Value::Int(match o {
            HostOpt::SndBuf => u.sndbuf() as i32,
            HostOpt::RcvBuf => u.rcvbuf() as i32,
            HostOpt::KeepAlive => i32::from(u.keepalive()),
            _ => return Err(Errno::EOPNOTSUPP),
        })),
    }
}

fn host_set(e: &mut Socket, o: HostOpt, v: Value) -> Result<()> {
    match &mut e.proto {
        Proto::Tcp(t) => t.set_host_opt(o, v.int()),
        Proto::Udp(u) => u.set_host_opt(o, v.int()),
        Proto::Unix(u) => {
            match o {
                HostOpt::SndBuf => u.set_sndbuf(v.int()),
                HostOpt::RcvBuf => u.set_rcvbuf(v.int()),
                HostOpt::KeepAlive => u.set_keepalive(flag(v)),
                _ => return Err(Errno::EOPNOTSUPP),
            }
            Ok(())
        }
    }
}

macro_rules! host {
    ($level:expr, $name:expr, $opt:expr) => {
        Opt {
            level: $level,
            name: $name,
            codec: Codec::Int,
            get: |e| host_get(e, $opt),
            set: Some(|e, v| host_set(e, $opt, v)),
        }
    };
}

macro_rules! stored_flag {
    ($level:expr, $name:expr, $($field:ident).+) => {
        Opt {
            level: $level,
            name: $name,
            codec: Codec::Int,
            get: |e| Ok(Value::Int(i32::from(attrs(e).$($field).+))),
            set: Some(|e, v| {
                attrs(e).$($field).+ = flag(v);
                Ok(())
            }),
        }
    };
}

/// An `int` option WASI cannot honour: `check` turns the program's value into what Linux
/// stores (or its errno); the getter reports it back.
macro_rules! stored_int {
    ($level:expr, $name:expr, $field:ident, $check:expr) => {
        Opt {
            level: $level,
            name: $name,
            codec: Codec::Int,
            get: |e| Ok(Value::Int(attrs(e).stored.$field)),
            set: Some(|e, v| {
                let check: fn(&Socket, i32) -> Result<i32> = $check;
                attrs(e).stored.$field = check(e, v.int())?;
                Ok(())
            }),
        }
    };
}

pub(super) static OPTIONS: &[Opt] = &[
    // Emulated, read-only.
    Opt {
        level: SOL_SOCKET,
        name: SO_ERROR,
        codec: Codec::Int,
        get: |e| {
            let err = match &mut e.proto {
                Proto::Tcp(t) => t.take_error(),
                Proto::Udp(u) => u.take_error(),
                Proto::Unix(u) => u.take_error(),
            };
            Ok(Value::Int(err.map_or(0, |e| e.0)))
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_TYPE,
        codec: Codec::Int,
        get: |e| match &e.proto {
            Proto::Tcp(_) => Ok(Value::Int(SOCK_STREAM)),
            Proto::Udp(_) => Ok(Value::Int(SOCK_DGRAM)),
            Proto::Unix(u) => Ok(Value::Int(match u.kind() {
                Kind::Stream => SOCK_STREAM,
                Kind::Dgram => SOCK_DGRAM,
                Kind::Seqpacket => SOCK_SEQPACKET,
            })),
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_PROTOCOL,
        codec: Codec::Int,
        get: |e| Ok(Value::Int(identity(e).1)),
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_DOMAIN,
        codec: Codec::Int,
        get: |e| {
            Ok(Value::Int(i32::from(match identity(e).0 {
                Domain::Inet(f) => f.af(),
                Domain::Unix => crate::addr::AF_UNIX,
            })))
        },
        set: None,
    },
    // The peer's credentials: an AF_UNIX socket's peer is the program itself (pid 42, uid and
    // gid 0: WASI has no users). Linux gives none (pid 0, uid and gid -1) to a socket without a
    // connected peer: an IP socket, an unconnected or datagram-connected AF_UNIX one.
    Opt {
        level: SOL_SOCKET,
        name: SO_PEERCRED,
        codec: Codec::Ucred,
        get: |e| {
            Ok(match &e.proto {
                Proto::Unix(u) if u.has_peercred() => Value::Ucred {
                    pid: PID,
                    uid: 0,
                    gid: 0,
                },
                _ => Value::Ucred {
                    pid: 0,
                    uid: u32::MAX,
                    gid: u32::MAX,
                },
            })
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_ACCEPTCONN,
        codec: Codec::Int,
        get: |e| match &e.proto {
            Proto::Tcp(t) => Ok(Value::Int(i32::from(t.is_listening()))),
            Proto::Udp(_) => Ok(Value::Int(0)),
            Proto::Unix(u) => Ok(Value::Int(i32::from(u.is_listening()))),
        },
        set: None,
    },
    // Emulated timeouts.
    Opt {
        level: SOL_SOCKET,
        name: SO_RCVTIMEO,
        codec: Codec::Timeval,
        get: |e| Ok(timeval(attrs(e).rcv_timeout_ns)),
        set: Some(|e, v| {
            attrs(e).rcv_timeout_ns = timeout_ns(v)?;
            Ok(())
        }),
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_SNDTIMEO,
        codec: Codec::Timeval,
        get: |e| Ok(timeval(attrs(e).snd_timeout_ns)),
        set: Some(|e, v| {
            attrs(e).snd_timeout_ns = timeout_ns(v)?;
            Ok(())
        }),
    },
    // Host-backed.
    host!(SOL_SOCKET, SO_KEEPALIVE, HostOpt::KeepAlive),
    host!(SOL_SOCKET, SO_RCVBUF, HostOpt::RcvBuf),
    host!(SOL_SOCKET, SO_SNDBUF, HostOpt::SndBuf),
    host!(IPPROTO_TCP, TCP_KEEPIDLE, HostOpt::KeepIdle),
    host!(IPPROTO_TCP, TCP_KEEPINTVL, HostOpt::KeepIntvl),
    host!(IPPROTO_TCP, TCP_KEEPCNT, HostOpt::KeepCnt),
    host!(IPPROTO_IP, IP_TTL, HostOpt::Ttl),
    host!(IPPROTO_IPV6, IPV6_UNICAST_HOPS, HostOpt::UnicastHops),
    // Stored, no effect.
    // SO_REUSEADDR: stored for TCP (hosts always reuse); a UDP socket bound with it shares its
    // port with the program's other sockets that set it (udp/shared.rs).
    Opt {
        level: SOL_SOCKET,
        name: SO_REUSEADDR,
        codec: Codec::Int,
        get: |e| Ok(Value::Int(i32::from(attrs(e).reuseaddr))),
        set: Some(|e, v| {
            let on = flag(v);
            e.attrs.reuseaddr = on;
            if let Proto::Udp(u) = &mut e.proto {
                u.set_reuseaddr(on);
            }
            Ok(())
        }),
    },
    stored_flag!(SOL_SOCKET, SO_BROADCAST, broadcast),
    stored_flag!(IPPROTO_TCP, TCP_NODELAY, nodelay),
    stored_flag!(SOL_SOCKET, SO_DEBUG, stored.debug),
    stored_flag!(SOL_SOCKET, SO_DONTROUTE, stored.dontroute),
    stored_flag!(SOL_SOCKET, SO_OOBINLINE, stored.oobinline),
    stored_flag!(SOL_SOCKET, SO_REUSEPORT, stored.reuseport),
    stored_flag!(IPPROTO_TCP, TCP_CORK, stored.cork),
    stored_flag!(IPPROTO_TCP, TCP_QUICKACK, stored.quickack),
    stored_int!(SOL_SOCKET, SO_PRIORITY, priority, |_, v| Ok(v)),
    // Linux stores 1 for 0 (a receive always waits for one byte) and caps the rest.
    stored_int!(SOL_SOCKET, SO_RCVLOWAT, rcvlowat, |_, v| Ok(match v {
        0 => 1,
        v if v < 0 => i32::MAX,
        v => v,
    })),
    stored_int!(
        IPPROTO_TCP,
        TCP_USER_TIMEOUT,
        user_timeout,
        |_, v| if v < 0 { Err(Errno::EINVAL) } else { Ok(v) }
    ),
    // IP_TOS keeps the low byte; on TCP the ECN bits stay what they were (`do_ip_setsockopt`).
    stored_int!(IPPROTO_IP, IP_TOS, tos, |e, v| {
        let v = v & 0xff;
        Ok(if e.is_datagram() {
            v
        } else {
            (v & !0x3) | (e.attrs.stored.tos & 0x3)
        })
    }),
    stored_int!(IPPROTO_IPV6, IPV6_TCLASS, tclass, |e, v| {
        v6_only(e)?;
        match v {
            -1 => Ok(0),
            0..=255 => Ok(v),
            _ => Err(Errno::EINVAL),
        }
    }),
    stored_int!(IPPROTO_IP, IP_MTU_DISCOVER, mtu_discover, |_, v| match v {
        0..=5 => Ok(v),
        _ => Err(Errno::EINVAL),
    }),
    stored_int!(IPPROTO_IPV6, IPV6_MTU_DISCOVER, mtu_discover, |e, v| {
        v6_only(e)?;
        match v {
            0..=5 => Ok(v),
            _ => Err(Errno::EINVAL),
        }
    }),
    // SO_SNDLOWAT: Linux reports 1 and refuses a change.
    Opt {
        level: SOL_SOCKET,
        name: SO_SNDLOWAT,
        codec: Codec::Int,
        get: |_| Ok(Value::Int(1)),
        set: None,
    },
    // TCP_MAXSEG: the program's value (88..=32767; 0 clears it) before a connection, the
    // segment size in use after (Linux's `mss_cache`: WASI does not say, so loopback's as
    // Linux computes it over the 64 KiB loopback MTU, else Ethernet's).
    Opt {
        level: IPPROTO_TCP,
        name: TCP_MAXSEG,
        codec: Codec::Int,
        get: |e| {
            let user = attrs(e).stored.maxseg;
            let peer = match &e.proto {
                Proto::Tcp(t) => t.peer_addr().ok(),
                Proto::Udp(_) | Proto::Unix(_) => None,
            };
            Ok(Value::Int(match peer {
                None if user != 0 => user,
                None => TCP_MSS_DEFAULT,
                Some(p) => {
                    let path = if p.ip().is_loopback() { 65483 } else { 1448 };
                    if user != 0 { user.min(path) } else { path }
                }
            }))
        },
        set: Some(|e, v| {
            let v = v.int();
            if v != 0 && !(TCP_MIN_MSS..=MAX_TCP_WINDOW).contains(&v) {
                return Err(Errno::EINVAL);
            }
            attrs(e).stored.maxseg = v;
            Ok(())
        }),
    },
    // TCP_CONGESTION: the host chooses; the name is kept. Linux knows "cubic" and "reno"
    // whatever else it has loaded; anything else is ENOENT here.
    Opt {
        level: IPPROTO_TCP,
        name: TCP_CONGESTION,
        codec: Codec::Name,
        get: |e| Ok(Value::Name(attrs(e).stored.congestion)),
        set: Some(|e, v| {
            let Value::Name(name) = v else {
                return Err(Errno::EINVAL);
            };
            let len = name.iter().position(|&c| c == 0).unwrap_or(name.len());
            if !matches!(&name[..len], b"cubic" | b"reno") {
                return Err(Errno::ENOENT);
            }
            attrs(e).stored.congestion = name;
            Ok(())
        }),
    },
    // IP_PKTINFO, IPV6_RECVPKTINFO: WASI does not say which local address a datagram came in
    // on, so the control message cannot be produced; asking for it is refused (documented)
    // rather than silently never delivered. Off is what it is.
    Opt {
        level: IPPROTO_IP,
        name: IP_PKTINFO,
        codec: Codec::Int,
        get: |_| Ok(Value::Int(0)),
        set: Some(|_, v| {
            if flag(v) {
                Err(Errno::ENOPROTOOPT)
            } else {
                Ok(())
            }
        }),
    },
    Opt {
        level: IPPROTO_IPV6,
        name: IPV6_RECVPKTINFO,
        codec: Codec::Int,
        get: |e| v6_only(e).map(|()| Value::Int(0)),
        set: Some(|e, v| {
            v6_only(e)?;
            if flag(v) {
                Err(Errno::ENOPROTOOPT)
            } else {
                Ok(())
            }
        }),
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_LINGER,
        codec: Codec::Linger,
        get: |e| {
            let a = attrs(e);
            Ok(Value::Linger {
                onoff: i32::from(a.linger.is_some()),
                secs: a.linger_secs,
            })
        },
        set: Some(|e, v| {
            let a = attrs(e);
            a.linger = linger(v);
            if let Some(secs) = a.linger {
                a.linger_secs = secs;
            }
            Ok(())
        }),
    },
    // IPV6_V6ONLY: WASI hosts only make v6-only sockets; the library recreates Linux's
    // dual-stack ones (off, Linux's default) with IPv4 host sockets (tcp/dual.rs, udp/dual.rs).
    // It cannot change once the socket has a port (EINVAL). IPv6 options on an IPv4 socket are
    // EOPNOTSUPP, as on Linux.
    Opt {
        level: IPPROTO_IPV6,
        name: IPV6_V6ONLY,
        codec: Codec::Int,
        get: |e| {
            v6_only(e)?;
            let on = match &e.proto {
                Proto::Tcp(t) => t.v6only(),
                Proto::Udp(u) => u.v6only(),
                Proto::Unix(_) => return Err(Errno::EOPNOTSUPP),
            };
            Ok(Value::Int(i32::from(on)))
        },
        set: Some(|e, v| {
            v6_only(e)?;
            match &mut e.proto {
                Proto::Tcp(t) => t.set_v6only(flag(v)),
                Proto::Udp(u) => u.set_v6only(flag(v)),
                Proto::Unix(_) => Err(Errno::EOPNOTSUPP),
            }
        }),
    },
];

fn v6_only(e: &Socket) -> Result<()> {
    match identity(e).0 {
        Domain::Inet(Family::V6) => Ok(()),
        _ => Err(Errno::EOPNOTSUPP),
    }
}
