//! Socket options: one table from (level, name) to a value codec and a getter/setter. Unknown
//! level or name is `ENOPROTOOPT`, as on Linux.
//!
//! Option lengths follow Linux: `getsockopt` copies at most `*optlen` bytes and stores how many
//! it copied; `setsockopt` with fewer bytes than the value needs is `EINVAL`.

use crate::errno::{Errno, Result};
use crate::ops::{IPPROTO_TCP, SOCK_STREAM};
use crate::socket::{Entry, Kind};

/// `SOL_SOCKET` in wasi-libc.
pub const SOL_SOCKET: i32 = 0x7fff_ffff;
/// `SO_TYPE`.
pub const SO_TYPE: i32 = 3;
/// `SO_ERROR`.
pub const SO_ERROR: i32 = 4;
/// `SO_ACCEPTCONN`.
pub const SO_ACCEPTCONN: i32 = 30;
/// `SO_PROTOCOL`.
pub const SO_PROTOCOL: i32 = 38;
/// `SO_DOMAIN`.
pub const SO_DOMAIN: i32 = 39;

/// An option value as the caller's bytes encode it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// An `int`.
    Int(i32),
}

impl Value {
    /// The value's bytes and how many are meaningful.
    pub fn encode(self) -> ([u8; 16], usize) {
        let mut b = [0u8; 16];
        match self {
            Value::Int(v) => {
                b[..4].copy_from_slice(&v.to_ne_bytes());
                (b, 4)
            }
        }
    }
}

/// The codec of an option's value.
#[derive(Clone, Copy)]
enum Codec {
    Int,
}

impl Codec {
    fn decode(self, bytes: &[u8]) -> Result<Value> {
        match self {
            Codec::Int => {
                let b: [u8; 4] = bytes
                    .get(..4)
                    .ok_or(Errno::EINVAL)?
                    .try_into()
                    .map_err(|_| Errno::EINVAL)?;
                Ok(Value::Int(i32::from_ne_bytes(b)))
            }
        }
    }
}

type Getter = fn(&mut Entry) -> Result<Value>;
type Setter = fn(&mut Entry, Value) -> Result<()>;

struct Opt {
    level: i32,
    name: i32,
    codec: Codec,
    get: Getter,
    /// `None`: read-only (Linux answers `ENOPROTOOPT` to a set).
    set: Option<Setter>,
}

static OPTIONS: &[Opt] = &[
    Opt {
        level: SOL_SOCKET,
        name: SO_ERROR,
        codec: Codec::Int,
        get: |e| match &mut e.kind {
            Kind::Tcp(t) => Ok(Value::Int(t.take_error().map_or(0, |e| e.0))),
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_TYPE,
        codec: Codec::Int,
        get: |e| match &e.kind {
            Kind::Tcp(_) => Ok(Value::Int(SOCK_STREAM)),
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_PROTOCOL,
        codec: Codec::Int,
        get: |e| match &e.kind {
            Kind::Tcp(_) => Ok(Value::Int(IPPROTO_TCP)),
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_DOMAIN,
        codec: Codec::Int,
        get: |e| match &e.kind {
            Kind::Tcp(t) => Ok(Value::Int(i32::from(t.family().af()))),
        },
        set: None,
    },
    Opt {
        level: SOL_SOCKET,
        name: SO_ACCEPTCONN,
        codec: Codec::Int,
        get: |e| match &e.kind {
            Kind::Tcp(t) => Ok(Value::Int(i32::from(t.is_listening()))),
        },
        set: None,
    },
];

fn find(level: i32, name: i32) -> Result<&'static Opt> {
    OPTIONS
        .iter()
        .find(|o| o.level == level && o.name == name)
        .ok_or(Errno::ENOPROTOOPT)
}

/// `getsockopt`: the option's current value.
pub fn get(entry: &mut Entry, level: i32, name: i32) -> Result<Value> {
    (find(level, name)?.get)(entry)
}

/// `setsockopt` from the caller's bytes.
pub fn set(entry: &mut Entry, level: i32, name: i32, bytes: &[u8]) -> Result<()> {
    let opt = find(level, name)?;
    let set = opt.set.ok_or(Errno::ENOPROTOOPT)?;
    let v = opt.codec.decode(bytes)?;
    set(entry, v)
}
