//! [`ToSocketAddrs`]: std's trait of the same name, resolving names through
//! `wasi:sockets/ip-name-lookup` (std's own resolver is unsupported on WASI).

use crate::netdb::{self, Eai, Hints, Host};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::vec;

/// Values that name one or more socket addresses, as [`std::net::ToSocketAddrs`]: a
/// `SocketAddr`, an `(ip, port)` pair, `"host:port"`, `("host", port)` or a slice of addresses.
/// Host names are resolved like `getaddrinfo` resolves them: numeric addresses need no lookup,
/// `localhost` always resolves, anything else asks the host (`-S allow-ip-name-lookup`).
///
/// ```
/// use wasi_posix_sockets::net::ToSocketAddrs;
///
/// let addrs: Vec<_> = ("localhost", 8080).to_socket_addrs()?.collect();
/// assert!(addrs.iter().all(|a| a.port() == 8080 && a.ip().is_loopback()));
/// let one = "127.0.0.1:80".to_socket_addrs()?.next();
/// assert_eq!(one, Some("127.0.0.1:80".parse().unwrap()));
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ToSocketAddrs {
    /// The addresses, in the order they should be tried.
    type Iter: Iterator<Item = SocketAddr>;

    /// Resolve to addresses. A name that does not resolve is an error whose message is
    /// `gai_strerror`'s.
    fn to_socket_addrs(&self) -> io::Result<Self::Iter>;
}

/// Every address of `host` (a name or an IP literal) with `port`, in `getaddrinfo`'s order.
///
/// ```
/// for addr in wasi_posix_sockets::net::lookup_host("localhost", 443)? {
///     assert!(addr.ip().is_loopback() && addr.port() == 443);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn lookup_host(host: &str, port: u16) -> io::Result<vec::IntoIter<SocketAddr>> {
    let ips = match netdb::host(Some(host), &Hints::default()) {
        Ok(Host::Known(ips)) => ips,
        Ok(Host::Lookup(name)) => netdb::lookup(name).map_err(gai_error)?,
        Err(e) => return Err(gai_error(e)),
    };
    let scope = netdb::parse_ipv6(host).map_or(0, |(_, s)| s);
    let addrs: Vec<SocketAddr> = ips
        .into_iter()
        .map(|ip| match ip {
            IpAddr::V4(v4) => SocketAddr::V4(SocketAddrV4::new(v4, port)),
            IpAddr::V6(v6) => SocketAddr::V6(SocketAddrV6::new(v6, port, 0, scope)),
        })
        .collect();
    Ok(addrs.into_iter())
}

/// A failed lookup as std reports one: the resolver's message (`gai_strerror`).
fn gai_error(e: Eai) -> io::Error {
    let msg = Eai::message(e.0);
    let text = std::str::from_utf8(&msg[..msg.len() - 1]).unwrap_or("name resolution failed");
    let kind = if e == Eai::AGAIN {
        io::ErrorKind::WouldBlock
    } else {
        io::ErrorKind::Other
    };
    io::Error::new(
        kind,
        format!("failed to lookup address information: {text}"),
    )
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

impl ToSocketAddrs for SocketAddr {
    type Iter = std::option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Ok(Some(*self).into_iter())
    }
}

impl ToSocketAddrs for SocketAddrV4 {
    type Iter = std::option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddr::V4(*self).to_socket_addrs()
    }
}

impl ToSocketAddrs for SocketAddrV6 {
    type Iter = std::option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddr::V6(*self).to_socket_addrs()
    }
}

impl ToSocketAddrs for (IpAddr, u16) {
    type Iter = std::option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddr::new(self.0, self.1).to_socket_addrs()
    }
}

impl ToSocketAddrs for (Ipv4Addr, u16) {
    type Iter = std::option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddrV4::new(self.0, self.1).to_socket_addrs()
    }
}

impl ToSocketAddrs for (Ipv6Addr, u16) {
    type Iter = std::option::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        SocketAddrV6::new(self.0, self.1, 0, 0).to_socket_addrs()
    }
}

impl ToSocketAddrs for (&str, u16) {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        lookup_host(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        lookup_host(&self.0, self.1)
    }
}

/// `"host:port"`, or an address literal (`"[::1]:80"`).
impl ToSocketAddrs for str {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        if let Ok(a) = self.parse::<SocketAddr>() {
            return Ok(vec![a].into_iter());
        }
        let (host, port) = self
            .rsplit_once(':')
            .ok_or_else(|| invalid("invalid socket address"))?;
        let port: u16 = port.parse().map_err(|_| invalid("invalid port value"))?;
        lookup_host(host, port)
    }
}

impl ToSocketAddrs for String {
    type Iter = vec::IntoIter<SocketAddr>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        self.as_str().to_socket_addrs()
    }
}

impl<'a> ToSocketAddrs for &'a [SocketAddr] {
    type Iter = std::iter::Cloned<std::slice::Iter<'a, SocketAddr>>;
    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Ok(self.iter().cloned())
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    type Iter = T::Iter;
    fn to_socket_addrs(&self) -> io::Result<T::Iter> {
        (**self).to_socket_addrs()
    }
}
