//! Names through `wasi:sockets/ip-name-lookup`: the resolve loop on its pollable, bounded by a
//! deadline.

use super::Eai;
use crate::bindings::wasi::sockets::ip_name_lookup::resolve_addresses;
use crate::bindings::wasi::sockets::network::{ErrorCode, IpAddress};
use crate::wait::{self, Wait, host};
use crate::wasi::with_network;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// How long one lookup may take (glibc's resolver gives up after a few 5-second tries).
const LOOKUP_TIMEOUT_NS: u64 = 30_000_000_000;

/// The `EAI_*` code for a resolver error. A guest the host denies name lookups
/// (`-S allow-ip-name-lookup` missing) gets `EAI_FAIL`: the denial is permanent, and a program
/// that retries on `EAI_AGAIN` (a dead resolver on Linux) would retry forever.
fn eai(e: ErrorCode) -> Eai {
    match e {
        ErrorCode::NameUnresolvable | ErrorCode::InvalidArgument => Eai::NONAME,
        ErrorCode::TemporaryResolverFailure | ErrorCode::WouldBlock | ErrorCode::Timeout => {
            Eai::AGAIN
        }
        ErrorCode::OutOfMemory => Eai::MEMORY,
        _ => Eai::FAIL,
    }
}

/// Every address the host's resolver has for `name`, in its order.
pub fn resolve(name: &str) -> Result<Vec<IpAddr>, Eai> {
    let stream = with_network(|net| resolve_addresses(net, name)).map_err(eai)?;
    // Declared after `stream`, so dropped before it (a pollable is its stream's child).
    let ready = stream.subscribe();
    let wait = Wait::new(false, LOOKUP_TIMEOUT_NS);
    let mut out = Vec::new();
    loop {
        match host::resolve_next_address(&stream) {
            Ok(Some(IpAddress::Ipv4((a, b, c, d)))) => {
                out.push(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
            }
            Ok(Some(IpAddress::Ipv6((a, b, c, d, e, f, g, h)))) => {
                out.push(IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)))
            }
            Ok(None) => break,
            Err(ErrorCode::WouldBlock) if wait::recheck(wait) => {}
            Err(ErrorCode::WouldBlock) => wait.on(&ready).map_err(|_| Eai::AGAIN)?,
            Err(e) => return Err(eai(e)),
        }
    }
    if out.is_empty() {
        return Err(Eai::NONAME);
    }
    Ok(out)
}

/// The addresses of a name that is not numeric: the host's resolver, or for `localhost` (when
/// the resolver cannot answer) the loopback addresses (see [`super::fallback`]).
pub fn lookup(name: &str) -> Result<Vec<IpAddr>, Eai> {
    resolve(name).or_else(|e| super::fallback(name).ok_or(e))
}
