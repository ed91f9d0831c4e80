//! What a program can learn about its host through the library: its interfaces (what WASI lets
//! a guest reach is the host's loopback, so that is the one interface reported), its name, and
//! its descriptor limit.

use crate::global::Global;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One network interface.
pub struct Interface {
    /// `if_nametoindex`'s answer.
    pub index: u32,
    /// The interface's name.
    pub name: &'static str,
    /// Its addresses, each with its prefix length.
    pub addrs: &'static [(IpAddr, u8)],
    /// `IFF_*` flags (Linux's values).
    pub flags: u32,
}

/// `IFF_UP`, `IFF_LOOPBACK`, `IFF_RUNNING` (Linux's values).
pub const IFF_UP: u32 = 0x1;
/// See [`IFF_UP`].
pub const IFF_LOOPBACK: u32 = 0x8;
/// See [`IFF_UP`].
pub const IFF_RUNNING: u32 = 0x40;

/// The interfaces a guest can reach: the host's loopback, as Linux names and numbers it.
pub static INTERFACES: &[Interface] = &[Interface {
    index: 1,
    name: "lo",
    addrs: &[
        (IpAddr::V4(Ipv4Addr::LOCALHOST), 8),
        (IpAddr::V6(Ipv6Addr::LOCALHOST), 128),
    ],
    flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING,
}];

/// The interface with this index.
pub fn by_index(index: u32) -> Option<&'static Interface> {
    INTERFACES.iter().find(|i| i.index == index)
}

/// The interface with this name.
pub fn by_name(name: &[u8]) -> Option<&'static Interface> {
    INTERFACES.iter().find(|i| i.name.as_bytes() == name)
}

/// `gethostname`: WASI gives a guest no host name; the name a guest sees is `localhost`, which
/// resolves (to loopback) as a host name should.
pub const HOSTNAME: &str = "localhost";

/// `RLIMIT_NOFILE`'s ceiling: the library's table has no cap of its own, so this is Linux's
/// (`fs.nr_open`).
pub const NOFILE_MAX: u64 = 1 << 20;

/// `RLIMIT_NOFILE`: (soft, hard). Both start at the ceiling; a program may lower them, as on
/// Linux, and the soft limit then bounds new descriptor numbers (`EMFILE`).
static NOFILE: Global<(u64, u64)> = Global::new("hostinfo::NOFILE", (NOFILE_MAX, NOFILE_MAX));

/// The descriptor limit (soft, hard).
pub fn nofile() -> (u64, u64) {
    NOFILE.with(|n| *n)
}

/// Set the descriptor limit: the soft limit at most the hard one, the hard one at most what it
/// was (raising it needs a privilege a guest does not have: `EPERM`).
pub fn set_nofile(soft: u64, hard: u64) -> crate::errno::Result<()> {
    use crate::errno::Errno;
    if soft > hard {
        return Err(Errno::EINVAL);
    }
    NOFILE.with(|n| {
        if hard > n.1 {
            return Err(Errno::EPERM);
        }
        *n = (soft, hard);
        Ok(())
    })
}
