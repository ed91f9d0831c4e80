//! Socket options: one table from (level, name) to a value codec, a getter and a setter.
//! Unknown level or name is `ENOPROTOOPT`, as on Linux.
//!
//! Option lengths follow Linux: `getsockopt` copies at most `*optlen` bytes and stores how many
//! it copied; `setsockopt` with fewer bytes than the value needs is `EINVAL` (the value layouts
//! and these rules are [`crate::codec::optval`]).
//!
//! Each option is one of three kinds (the option table in docs/options.md says which):
//! - **host**: passed to the `wasi:sockets` setter and read back from the host (SO_KEEPALIVE,
//!   SO_RCVBUF, SO_SNDBUF, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, IP_TTL, IPV6_UNICAST_HOPS);
//! - **emulated**: implemented by the library (SO_RCVTIMEO, SO_SNDTIMEO, SO_ERROR, SO_TYPE, ...);
//! - **stored**: WASI cannot honour it; the value is kept and reported back, with no effect
//!   (SO_REUSEADDR: hosts always reuse; SO_LINGER; SO_BROADCAST on TCP; TCP_NODELAY).
//!
//! Read-only options answer `ENOPROTOOPT` to a set, as Linux does.

mod names;
mod table;

use crate::addr::Family;
use crate::errno::{Errno, Result};
use crate::ops::{IPPROTO_TCP, IPPROTO_UDP};
use crate::socket::{Domain, Proto, Socket};

pub use crate::codec::optval::{Codec, Value};

pub use names::*;
use table::OPTIONS;

type Getter = fn(&mut Socket) -> Result<Value>;
type Setter = fn(&mut Socket, Value) -> Result<()>;

/// One row of the option table.
struct Opt {
    level: i32,
    name: i32,
    codec: Codec,
    get: Getter,
    /// `None`: read-only.
    set: Option<Setter>,
}

/// The socket's family and protocol level (0 for AF_UNIX, as `SO_PROTOCOL` says).
fn identity(e: &Socket) -> (Domain, i32) {
    match &e.proto {
        Proto::Tcp(t) => (Domain::Inet(t.family()), IPPROTO_TCP),
        Proto::Udp(u) => (Domain::Inet(u.family()), IPPROTO_UDP),
        Proto::Unix(_) => (Domain::Unix, 0),
    }
}

/// Whether the socket's protocol stack answers to `level` at all, which Linux decides before it
/// reads `optlen` or the value. Linux hands a level it does not know down the protocol chain,
/// and the last layer answers: an IPv4 socket's IP layer says `EOPNOTSUPP` to a `getsockopt`
/// (`do_ip_getsockopt`) and `ENOPROTOOPT` to a `setsockopt`; an IPv6 socket's says
/// `ENOPROTOOPT` to both. (So `TCP_NODELAY` on a UDP socket is an unknown level.) An AF_UNIX
/// socket has only `SOL_SOCKET`: any other level is `EOPNOTSUPP`.
pub fn check_level(entry: &Socket, level: i32, get: bool) -> Result<()> {
    let (domain, proto) = identity(entry);
    let known = match domain {
        Domain::Unix if level != SOL_SOCKET => return Err(Errno::EOPNOTSUPP),
        Domain::Unix => true,
        Domain::Inet(family) => {
            level == SOL_SOCKET
                || level == proto
                || level == IPPROTO_IP
                || (family == Family::V6 && level == IPPROTO_IPV6)
        }
    };
    if known {
        Ok(())
    } else if get && domain == Domain::Inet(Family::V4) {
        Err(Errno::EOPNOTSUPP)
    } else {
        Err(Errno::ENOPROTOOPT)
    }
}

/// The option, if `level` is one the socket answers to and `name` is in the table (a known level
/// with an unknown name is `ENOPROTOOPT`).
fn find(entry: &Socket, level: i32, name: i32, get: bool) -> Result<&'static Opt> {
    check_level(entry, level, get)?;
    OPTIONS
        .iter()
        .find(|o| o.level == level && o.name == name)
        .ok_or(Errno::ENOPROTOOPT)
}

/// `getsockopt`: the option's current value.
pub fn get(entry: &mut Socket, level: i32, name: i32) -> Result<Value> {
    (find(entry, level, name, true)?.get)(entry)
}

/// A value `setsockopt` was given: its length, and how to decode it once the option (and so
/// its layout) is known. The C ABI decodes the caller's bytes; the Rust API has a typed value.
pub struct Input<'a> {
    /// The caller's `optlen`.
    pub len: usize,
    /// Decode with the option's codec; `ip`: the `IPPROTO_IP` rules (`do_ip_setsockopt`).
    pub decode: &'a dyn Fn(Codec, bool) -> Result<Value>,
}

/// `setsockopt`.
pub fn set(entry: &mut Socket, level: i32, name: i32, input: Input<'_>) -> Result<()> {
    // Linux's sk_setsockopt and do_tcp_setsockopt read an int before they look at the name: a
    // shorter value is EINVAL even for an unknown or read-only option.
    let int_first = level == SOL_SOCKET || (level == IPPROTO_TCP && identity(entry).1 == level);
    if int_first && input.len < 4 {
        return Err(Errno::EINVAL);
    }
    let opt = find(entry, level, name, false)?;
    let set = opt.set.ok_or(Errno::ENOPROTOOPT)?;
    let v = (input.decode)(opt.codec, level == IPPROTO_IP)?;
    set(entry, v)
}

/// Every (level, name) in the table, for a test of the option table in docs/options.md.
pub fn all() -> impl Iterator<Item = (i32, i32, bool)> {
    OPTIONS.iter().map(|o| (o.level, o.name, o.set.is_some()))
}
