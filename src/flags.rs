//! Flag arguments from C as typed values (values are wasi-libc's). `send`/`recv` flags follow
//! Linux: bits the kernel does not know are ignored, and each flag it knows is either
//! implemented or answered as Linux answers it where WASI cannot honour it (see `crate::ops`).
//! `socket`'s and `accept4`'s flags are checked: an unknown bit is `EINVAL`, as Linux.

use crate::errno::{Errno, Result};

/// The message flags whose numbers differ between the targets' headers: wasm32-wasip1 numbers
/// `MSG_PEEK` and `MSG_WAITALL` after preview 1 (1 and 2), so `MSG_OOB` (Linux's 1) takes a bit
/// the kernel keeps for itself and never reads from a program; wasm32-wasip2's headers use
/// Linux's numbers for all three.
#[cfg(not(target_env = "p2"))]
mod msg_abi {
    pub const PEEK: i32 = 0x0001;
    pub const WAITALL: i32 = 0x0002;
    pub const OOB: i32 = 0x0008_0000;
}
#[cfg(target_env = "p2")]
mod msg_abi {
    pub const PEEK: i32 = 0x0002;
    pub const WAITALL: i32 = 0x0100;
    pub const OOB: i32 = 0x0001;
}

bitflags::bitflags! {
    /// `send`/`recv` flags (`MSG_*`): Linux's (musl's, wasm32-wasip2's), declared by
    /// `include/sys/socket.h` where the sysroot lacks them, except where wasm32-wasip1 differs
    /// (`MSG_PEEK`, `MSG_WAITALL`, `MSG_OOB`: see `msg_abi`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct MsgFlags: i32 {
        /// `MSG_PEEK` (wasm32-wasip1 headers: `__WASI_RIFLAGS_RECV_PEEK`).
        const PEEK = msg_abi::PEEK;
        /// `MSG_WAITALL` (wasm32-wasip1 headers: `__WASI_RIFLAGS_RECV_WAITALL`).
        const WAITALL = msg_abi::WAITALL;
        /// `MSG_DONTROUTE`: accepted (every route here is local to the host's stack).
        const DONTROUTE = 0x0004;
        /// `MSG_TRUNC` as an input flag (the wasm32-wasip2 headers' value, which
        /// `include/sys/socket.h` defines: the wasm32-wasip1 headers give it `MSG_PEEK`'s value).
        const TRUNC = 0x0020;
        /// `MSG_DONTWAIT` (the wasm32-wasip2 headers' value; `include/sys/socket.h`).
        const DONTWAIT = 0x0040;
        /// `MSG_EOR`: accepted (a TCP record boundary has no visible effect on Linux either).
        const EOR = 0x0080;
        /// `MSG_CONFIRM`: accepted (neighbour confirmation is the host's business).
        const CONFIRM = 0x0800;
        /// `MSG_ERRQUEUE`: the socket's error queue, which is always empty here (`EAGAIN`, as
        /// Linux answers an empty queue).
        const ERRQUEUE = 0x2000;
        /// `MSG_NOSIGNAL` (always in effect: WASI has no signals).
        const NOSIGNAL = 0x4000;
        /// `MSG_MORE`: accepted; the data goes to the host at once.
        const MORE = 0x8000;
        /// `MSG_OOB` (see `msg_abi`).
        const OOB = msg_abi::OOB;
        /// `MSG_FASTOPEN`.
        const FASTOPEN = 0x2000_0000;
        /// `MSG_CMSG_CLOEXEC`: descriptors received with `SCM_RIGHTS` get `FD_CLOEXEC`
        /// (accepted, with nothing to do, on other sockets).
        const CMSG_CLOEXEC = 0x4000_0000;
    }
}

impl MsgFlags {
    /// The flags of a C call: bits Linux does not know are ignored, as Linux ignores them.
    pub fn from_c(bits: i32) -> MsgFlags {
        MsgFlags::from_bits_truncate(bits)
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
/// wasi-libc's `O_RDONLY`.
pub const O_RDONLY: i32 = 0x0400_0000;
/// wasi-libc's `O_WRONLY`.
pub const O_WRONLY: i32 = 0x1000_0000;
/// wasi-libc's `O_RDWR` (`O_RDONLY | O_WRONLY`).
pub const O_RDWR: i32 = O_RDONLY | O_WRONLY;

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
    fn msg_flags_keep_what_linux_knows_and_drop_the_rest() {
        assert_eq!(MsgFlags::from_c(0), MsgFlags::empty());
        assert_eq!(
            MsgFlags::from_c(0x4040),
            MsgFlags::DONTWAIT | MsgFlags::NOSIGNAL
        );
        assert_eq!(
            MsgFlags::from_c(0x20 | 0x1),
            MsgFlags::TRUNC | MsgFlags::PEEK
        );
        assert_eq!(MsgFlags::from_c(0x0080_0000), MsgFlags::empty());
        assert_eq!(MsgFlags::from_c(-1), MsgFlags::all());
        assert_eq!(MsgFlags::from_c(0x8000 | 0x10), MsgFlags::MORE);
    }

    #[test]
    fn sock_flags() {
        assert_eq!(SockFlags::parse(0), Ok(SockFlags::empty()));
        assert_eq!(SockFlags::parse(0x6000), Ok(SockFlags::all()));
        assert_eq!(SockFlags::parse(0x6001), Err(Errno::EINVAL));
        assert_eq!(SockFlags::parse(-1), Err(Errno::EINVAL));
    }
}
