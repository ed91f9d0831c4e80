//! In-guest channels: pipes and AF_UNIX sockets, which live entirely inside the program (no
//! host resource, so they work without `-S inherit-network`).
//!
//! - [`pipe_buf`] and [`pipe`]: `pipe`/`pipe2`, a 64 KiB page buffer between a read end and a
//!   write end (each a [`crate::fd::Desc::Pipe`]).
//! - [`unix`]: AF_UNIX sockets (`SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET`), from
//!   `socketpair` or from `socket` with `bind`/`listen`/`connect`/`accept` by path or abstract
//!   name among the program's own sockets ([`addr`] for their names), each a
//!   [`crate::socket::Proto::Unix`]. Messages queue in the receiver ([`queue`]), charged to
//!   their sender as Linux charges them ([`capacity`]), and may carry descriptors
//!   (`SCM_RIGHTS`, [`rights`]).
//!
//! Nothing else in a single-threaded program can change a channel while the program waits, so
//! a blocking call on an empty (or full) channel sleeps until its timeout, or for good, as
//! Linux would: through [`crate::wait::Wait::idle`], never spinning. Readiness is known in the
//! guest: `poll` asks each end ([`crate::poll::revents_of`]) and watches no host pollable for
//! it. Each end counts its wake-ups ([`crate::poll::wakeups`]), for an edge-triggered waiter.
//!
//! [`addr`], [`capacity`], [`pipe_buf`] and [`queue`] are pure (host-tested).

pub mod addr;
pub mod capacity;
pub mod pipe_buf;
pub mod queue;

#[cfg(target_os = "wasi")]
pub mod pipe;
#[cfg(target_os = "wasi")]
pub mod rights;
#[cfg(target_os = "wasi")]
pub mod unix;

/// An AF_UNIX socket's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `SOCK_STREAM`: a byte stream.
    Stream,
    /// `SOCK_DGRAM`: datagrams, connected or addressed.
    Dgram,
    /// `SOCK_SEQPACKET`: a connection carrying records.
    Seqpacket,
}

impl Kind {
    /// Whether the type is connection-based (stream or sequenced packets).
    pub fn connected(self) -> bool {
        self != Kind::Dgram
    }
}
