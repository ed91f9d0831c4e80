//! Flag arguments from C, parsed with `bitflags` against what each call supports: an unknown or
//! unsupported bit is an errno, never a panic and never silently dropped. Values are wasi-libc's.

use crate::errno::{Errno, Result};

bitflags::bitflags! {
    /// `send`/`recv` flags (`MSG_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct MsgFlags: i32 {
        /// `MSG_PEEK` (wasm32-wasip1 headers: `__WASI_RIFLAGS_RECV_PEEK`).
        const PEEK = 0x0001;
        /// `MSG_WAITALL` (`__WASI_RIFLAGS_RECV_WAITALL`).
        const WAITALL = 0x0002;
        /// `MSG_TRUNC` as an input flag (the wasm32-wasip2 headers' value, which
        /// `include/sys/socket.h` defines: the wasm32-wasip1 headers give it `MSG_PEEK`'s value).
        const TRUNC = 0x0020;
        /// `MSG_DONTWAIT` (the wasm32-wasip2 headers' value; `include/sys/socket.h`).
        const DONTWAIT = 0x0040;
        /// `MSG_NOSIGNAL` (as `MSG_DONTWAIT`).
        const NOSIGNAL = 0x4000;
    }
}

impl MsgFlags {
    /// What `send` accepts. `MSG_NOSIGNAL` is always in effect (WASI has no signals);
    /// `MSG_PEEK` and `MSG_WAITALL` mean nothing to a send and Linux ignores them, so does this.
    pub const SEND: MsgFlags = MsgFlags::DONTWAIT
        .union(MsgFlags::NOSIGNAL)
        .union(MsgFlags::PEEK)
        .union(MsgFlags::WAITALL);
    /// What `recv` implements. (`MSG_WAITALL` means nothing to a datagram socket; Linux
    /// ignores it there, so does this.)
    pub const RECV: MsgFlags = MsgFlags::DONTWAIT
        .union(MsgFlags::PEEK)
        .union(MsgFlags::WAITALL)
        .union(MsgFlags::TRUNC);

    /// Parse `bits` for a call that implements `supported`: anything else is `EOPNOTSUPP`.
    pub fn parse(bits: i32, supported: MsgFlags) -> Result<MsgFlags> {
        match MsgFlags::from_bits(bits) {
            Some(f) if supported.contains(f) => Ok(f),
            _ => Err(Errno::EOPNOTSUPP),
        }
    }
}

bitflags::bitflags! {
    /// The flags `socket` takes in `type` and `accept4` takes in `flags`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct SockFlags: i32 {
        /// `SOCK_NONBLOCK`.
        const NONBLOCK = 0x4000;
        /// `SOCK_CLOEXEC`.
        const CLOEXEC = 0x2000;
    }
}

impl SockFlags {
    /// Parse; any other bit is `EINVAL`, as Linux answers `socket` and `accept4`.
    pub fn parse(bits: i32) -> Result<SockFlags> {
        SockFlags::from_bits(bits).ok_or(Errno::EINVAL)
    }
}

/// `how` values of `shutdown` in wasi-libc.
pub const SHUT_RD: i32 = 1;
/// See [`SHUT_RD`].
pub const SHUT_WR: i32 = 2;
/// See [`SHUT_RD`].
pub const SHUT_RDWR: i32 = 3;

/// What `shutdown` shuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// `SHUT_RD`.
    Read,
    /// `SHUT_WR`.
    Write,
    /// `SHUT_RDWR`.
    Both,
}

impl Shutdown {
    /// `how` from C; anything else is `EINVAL`, as Linux answers.
    pub fn from_how(how: i32) -> Result<Shutdown> {
        match how {
            SHUT_RD => Ok(Shutdown::Read),
            SHUT_WR => Ok(Shutdown::Write),
            SHUT_RDWR => Ok(Shutdown::Both),
            _ => Err(Errno::EINVAL),
        }
    }

    /// Whether reading is shut.
    pub fn reads(self) -> bool {
        self != Shutdown::Write
    }

    /// Whether writing is shut.
    pub fn writes(self) -> bool {
        self != Shutdown::Read
    }
}

/// `fcntl(2)` commands, decoded. An argument travels as the result of reading it: Linux looks
/// the descriptor up first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fcntl {
    /// `F_GETFD`.
    GetFd,
    /// `F_SETFD` with its argument (read from the caller's variadic buffer).
    SetFd(Result<i32>),
    /// `F_GETFL`.
    GetFl,
    /// `F_SETFL` with its argument.
    SetFl(Result<i32>),
    /// `F_DUPFD` / `F_DUPFD_CLOEXEC` with its minimum.
    DupFd {
        /// The lowest number the copy may take.
        min: i32,
        /// `F_DUPFD_CLOEXEC`.
        cloexec: bool,
    },
    /// Anything else: `EINVAL` once the descriptor is known to be open.
    Unknown,
}

/// `FD_CLOEXEC`.
pub const FD_CLOEXEC: i32 = 1;
/// `O_NONBLOCK` (= `__WASI_FDFLAGS_NONBLOCK`).
pub const O_NONBLOCK: i32 = 4;
/// wasi-libc's `O_RDWR` (`O_RDONLY | O_WRONLY`).
pub const O_RDWR: i32 = 0x0400_0000 | 0x1000_0000;

/// `ioctl(2)` requests, decoded. An argument Linux reads only at its turn travels as the
/// result of reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ioctl {
    /// `FIONBIO` with the value its `int *` points to.
    SetNonblocking(Result<bool>),
    /// `FIONREAD`; `Err` if its `int *` cannot be written.
    BytesReadable(Result<()>),
    /// Anything else: `ENOTTY` once the descriptor is known to be open.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_flags_accept_only_what_the_call_supports() {
        assert_eq!(MsgFlags::parse(0, MsgFlags::RECV), Ok(MsgFlags::empty()));
        assert_eq!(
            MsgFlags::parse(0x40, MsgFlags::RECV),
            Ok(MsgFlags::DONTWAIT)
        );
        assert_eq!(
            MsgFlags::parse(0x4040, MsgFlags::SEND),
            Ok(MsgFlags::DONTWAIT | MsgFlags::NOSIGNAL)
        );
        assert_eq!(
            MsgFlags::parse(0x4000, MsgFlags::RECV),
            Err(Errno::EOPNOTSUPP)
        );
        assert_eq!(
            MsgFlags::parse(0x20 | 0x1, MsgFlags::RECV),
            Ok(MsgFlags::TRUNC | MsgFlags::PEEK)
        );
        assert_eq!(
            MsgFlags::parse(0x20, MsgFlags::SEND),
            Err(Errno::EOPNOTSUPP)
        );
        for bad in [0x0080_0000, i32::MIN, -1, 0x8] {
            assert_eq!(MsgFlags::parse(bad, MsgFlags::SEND), Err(Errno::EOPNOTSUPP));
        }
        // Every single bit either parses or is EOPNOTSUPP; nothing panics.
        for bit in 0..32 {
            let _ = MsgFlags::parse(1 << bit, MsgFlags::all());
        }
    }

    #[test]
    fn sock_flags() {
        assert_eq!(SockFlags::parse(0), Ok(SockFlags::empty()));
        assert_eq!(SockFlags::parse(0x6000), Ok(SockFlags::all()));
        assert_eq!(SockFlags::parse(0x6001), Err(Errno::EINVAL));
        assert_eq!(SockFlags::parse(-1), Err(Errno::EINVAL));
    }
}
