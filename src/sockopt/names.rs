//! The option levels and names, with wasi-libc's values (tests/c/abi_constants.c checks them
//! against its headers).

/// `SOL_SOCKET` in wasi-libc.
pub const SOL_SOCKET: i32 = 0x7fff_ffff;
/// `IPPROTO_IP`.
pub const IPPROTO_IP: i32 = 0;
/// `IPPROTO_IPV6`.
pub const IPPROTO_IPV6: i32 = 41;

/// `SO_REUSEADDR`.
pub const SO_REUSEADDR: i32 = 2;
/// `SO_TYPE`.
pub const SO_TYPE: i32 = 3;
/// `SO_ERROR`.
pub const SO_ERROR: i32 = 4;
/// `SO_BROADCAST`.
pub const SO_BROADCAST: i32 = 6;
/// `SO_SNDBUF`.
pub const SO_SNDBUF: i32 = 7;
/// `SO_RCVBUF`.
pub const SO_RCVBUF: i32 = 8;
/// `SO_KEEPALIVE`.
pub const SO_KEEPALIVE: i32 = 9;
/// `SO_LINGER`.
pub const SO_LINGER: i32 = 13;
/// `SO_PEERCRED`.
pub const SO_PEERCRED: i32 = 17;
/// `SO_ACCEPTCONN`.
pub const SO_ACCEPTCONN: i32 = 30;
/// `SO_PROTOCOL`.
pub const SO_PROTOCOL: i32 = 38;
/// `SO_DOMAIN`.
pub const SO_DOMAIN: i32 = 39;
/// `SO_RCVTIMEO` (the 64-bit-time value wasi-libc uses).
pub const SO_RCVTIMEO: i32 = 66;
/// `SO_SNDTIMEO`.
pub const SO_SNDTIMEO: i32 = 67;
/// `TCP_NODELAY`.
pub const TCP_NODELAY: i32 = 1;
/// `TCP_KEEPIDLE`.
pub const TCP_KEEPIDLE: i32 = 4;
/// `TCP_KEEPINTVL`.
pub const TCP_KEEPINTVL: i32 = 5;
/// `TCP_KEEPCNT`.
pub const TCP_KEEPCNT: i32 = 6;
/// `IP_TTL`.
pub const IP_TTL: i32 = 2;
/// `IPV6_UNICAST_HOPS`.
pub const IPV6_UNICAST_HOPS: i32 = 16;
/// `IPV6_V6ONLY`.
pub const IPV6_V6ONLY: i32 = 26;
/// `SO_DEBUG`.
pub const SO_DEBUG: i32 = 1;
/// `SO_DONTROUTE`.
pub const SO_DONTROUTE: i32 = 5;
/// `SO_OOBINLINE`.
pub const SO_OOBINLINE: i32 = 10;
/// `SO_PRIORITY`.
pub const SO_PRIORITY: i32 = 12;
/// `SO_REUSEPORT`.
pub const SO_REUSEPORT: i32 = 15;
/// `SO_RCVLOWAT`.
pub const SO_RCVLOWAT: i32 = 18;
/// `SO_SNDLOWAT`.
pub const SO_SNDLOWAT: i32 = 19;
/// `TCP_MAXSEG`.
pub const TCP_MAXSEG: i32 = 2;
/// `TCP_CORK`.
pub const TCP_CORK: i32 = 3;
/// `TCP_QUICKACK`.
pub const TCP_QUICKACK: i32 = 12;
/// `TCP_CONGESTION`.
pub const TCP_CONGESTION: i32 = 13;
/// `TCP_USER_TIMEOUT`.
pub const TCP_USER_TIMEOUT: i32 = 18;
/// `IP_TOS`.
pub const IP_TOS: i32 = 1;
/// `IP_PKTINFO`.
pub const IP_PKTINFO: i32 = 8;
/// `IP_MTU_DISCOVER`.
pub const IP_MTU_DISCOVER: i32 = 10;
/// `IPV6_MTU_DISCOVER`.
pub const IPV6_MTU_DISCOVER: i32 = 23;
/// `IPV6_RECVPKTINFO`.
pub const IPV6_RECVPKTINFO: i32 = 49;
/// `IPV6_TCLASS`.
pub const IPV6_TCLASS: i32 = 67;
