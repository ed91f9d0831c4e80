//! The program's bound AF_UNIX names: Linux's table of abstract names and its filesystem's
//! socket files, kept in the guest (no file is created: WASI cannot hand another process a
//! socket, so a file would only mislead). A path name is one namespace for every type (binding
//! it twice is `EADDRINUSE`; connecting with another type `EPROTOTYPE`); abstract names are one
//! namespace per type, as Linux's hash of them includes the type. A name is free again when its
//! socket closes (Linux's socket file stays until `unlink`).

use super::{CoreRef, Kind};
use crate::channel::addr::UnixAddr;
use crate::errno::{Errno, Result};
use crate::global::Global;
use alloc::collections::BTreeMap;
use alloc::rc::{Rc, Weak};
use core::cell::RefCell;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// `None` for a path; the type for an abstract name.
    ns: Option<Kind>,
    addr: UnixAddr,
}

fn key(addr: &UnixAddr, kind: Kind) -> Key {
    Key {
        ns: addr.is_abstract().then_some(kind),
        addr: addr.clone(),
    }
}

type Table = BTreeMap<Key, Weak<RefCell<super::Core>>>;

static NAMES: Global<Table> = Global::new("channel::unix::names::NAMES", BTreeMap::new());

/// The next autobind name to try (Linux starts at a random one).
static NEXT_AUTO: Global<u32> = Global::new("channel::unix::names::NEXT_AUTO", 0);

/// The socket bound to `addr` that a socket of type `kind` may reach (`unix_find_other`): a
/// path nobody holds is `ENOENT` (Linux's answer for a missing socket file), an abstract name
/// `ECONNREFUSED`; a path held by a socket of another type is `EPROTOTYPE`.
pub(super) fn find(addr: &UnixAddr, kind: Kind) -> Result<CoreRef> {
    let found = NAMES.with(|t| t.get(&key(addr, kind)).and_then(Weak::upgrade));
    let Some(core) = found else {
        return Err(if addr.is_abstract() {
            Errno::ECONNREFUSED
        } else {
            Errno::ENOENT
        });
    };
    if core.borrow().kind != kind {
        return Err(Errno::EPROTOTYPE);
    }
    Ok(core)
}

/// Take `addr` for `core`; `EADDRINUSE` if a socket holds it.
pub(super) fn claim(addr: &UnixAddr, kind: Kind, core: &CoreRef) -> Result<()> {
    NAMES.with(|t| {
        let k = key(addr, kind);
        if t.get(&k).is_some_and(|w| w.strong_count() > 0) {
            return Err(Errno::EADDRINUSE);
        }
        t.insert(k, Rc::downgrade(core));
        Ok(())
    })
}

/// Give `addr` back.
pub(super) fn forget(addr: &UnixAddr, kind: Kind) {
    NAMES.with(|t| t.remove(&key(addr, kind)));
}

/// Claim a fresh abstract name for `core` (Linux's autobind: a NUL and five hex digits);
/// `ENOSPC` when all 2^20 are taken.
pub(super) fn autobind(kind: Kind, core: &CoreRef) -> Result<UnixAddr> {
    for _ in 0..0x10_0000 {
        let n = NEXT_AUTO.with(|n| {
            let v = *n;
            *n = (v + 1) & 0xf_ffff;
            v
        });
        let mut digits = [0u8; 5];
        for (i, d) in digits.iter_mut().enumerate() {
            *d = b"0123456789abcdef"[((n >> (4 * (4 - i))) & 0xf) as usize];
        }
        let addr = UnixAddr::abstract_name(&digits);
        if claim(&addr, kind, core).is_ok() {
            return Ok(addr);
        }
    }
    Err(Errno::ENOSPC)
}
