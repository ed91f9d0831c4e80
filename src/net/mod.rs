//! A safe networking API in the shape of `std::net`, for Rust programs on `wasm32-wasip1`
//! (whose std has no networking): [`TcpListener`], [`TcpStream`] and [`UdpSocket`], with std's
//! address types, `std::io::Read`/`Write`, errors as [`std::io::Error`] carrying the errno
//! (`raw_os_error()`), and `AsRawFd`/`FromRawFd`/`IntoRawFd` so a descriptor can go to the C
//! ABI (`poll`, a C library) and back.
//!
//! It is a thin layer over the same core as the C ABI ([`crate::ops`]): a socket made here is a
//! descriptor in the library's table, and behaves exactly as the C calls document (blocking
//! calls, timeouts, Linux's errno values). Names (`"localhost:8080"`, `("example.com", 80)`) are
//! resolved through `wasi:sockets/ip-name-lookup` by this crate's [`ToSocketAddrs`], since std's
//! resolver is unsupported on WASI.
//!
//! Requires the `std` feature. A guest needs network access from its host
//! (`wasmtime run -S inherit-network`, and `-S allow-ip-name-lookup` for names other than
//! `localhost`).
//!
//! ```
//! use std::io::{Read, Write};
//! use wasi_posix_sockets::net::{TcpListener, TcpStream};
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let mut client = TcpStream::connect(addr)?;
//! let (mut server, _peer) = listener.accept()?;
//! client.write_all(b"ping")?;
//! let mut buf = [0u8; 4];
//! server.read_exact(&mut buf)?;
//! assert_eq!(&buf, b"ping");
//! # Ok::<(), std::io::Error>(())
//! ```

mod addr;
mod tcp;
mod udp;

pub use addr::{ToSocketAddrs, lookup_host};
pub use tcp::{Incoming, TcpListener, TcpStream};
pub use udp::UdpSocket;

use crate::addr::Family;
use crate::errno::Errno;
use crate::flags::{self, MsgFlags, SockFlags};
use crate::ops::{self, SockType};
use crate::sockopt::{self, Value};
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::RawFd;
use std::time::Duration;

/// An error from the core as an `io::Error` with its errno (wasi-libc's numbering, which std's
/// `ErrorKind` mapping and `Display` on wasm32-wasip1 use too).
fn cvt<T>(r: crate::errno::Result<T>) -> io::Result<T> {
    r.map_err(|Errno(e)| io::Error::from_raw_os_error(e))
}

/// The error for a zero timeout, as std words it.
fn zero_timeout() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "cannot set a 0 duration timeout",
    )
}

/// One descriptor of the library's, closed on drop: the shared body of the three socket types.
#[derive(Debug)]
struct Socket(RawFd);

impl Socket {
    fn new(addr: &SocketAddr, ty: SockType) -> io::Result<Socket> {
        cvt(ops::socket(Family::of(addr), ty, SockFlags::empty())).map(Socket)
    }

    fn fd(&self) -> RawFd {
        self.0
    }

    fn into_raw(self) -> RawFd {
        let fd = self.0;
        std::mem::forget(self);
        fd
    }

    fn duplicate(&self) -> io::Result<Socket> {
        cvt(ops::dup(self.0)).map(Socket)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        cvt(ops::local_addr(self.0))
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        cvt(ops::peer_addr(self.0))
    }

    fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        cvt(ops::update_attrs(self.0, |a| a.nonblocking = on))
    }

    /// Set `SO_RCVTIMEO` (`read`) or `SO_SNDTIMEO`; `None` clears it; zero is refused, as std.
    fn set_timeout(&self, t: Option<Duration>, read: bool) -> io::Result<()> {
        let ns = match t {
            Some(d) if d.is_zero() => return Err(zero_timeout()),
            Some(d) => u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
            None => 0,
        };
        cvt(ops::update_attrs(self.0, |a| {
            if read {
                a.rcv_timeout_ns = ns;
            } else {
                a.snd_timeout_ns = ns;
            }
        }))
    }

    fn timeout(&self, read: bool) -> io::Result<Option<Duration>> {
        let a = cvt(ops::attrs(self.0))?;
        let ns = if read {
            a.rcv_timeout_ns
        } else {
            a.snd_timeout_ns
        };
        Ok((ns != 0).then(|| Duration::from_nanos(ns)))
    }

    fn set_int(&self, level: i32, name: i32, v: i32) -> io::Result<()> {
        cvt(ops::set_option(self.0, level, name, Value::Int(v)))
    }

    fn int(&self, level: i32, name: i32) -> io::Result<i32> {
        match cvt(ops::getsockopt(self.0, level, name))? {
            Value::Int(v) => Ok(v),
            _ => Err(io::Error::from_raw_os_error(Errno::EINVAL.0)),
        }
    }

    /// `IP_TTL` or, on an IPv6 socket, `IPV6_UNICAST_HOPS` (std's `ttl` means the hop limit of
    /// the socket's own family).
    fn ttl_option(&self) -> io::Result<(i32, i32)> {
        Ok(match cvt(ops::family(self.0))? {
            Family::V4 => (sockopt::IPPROTO_IP, sockopt::IP_TTL),
            Family::V6 => (sockopt::IPPROTO_IPV6, sockopt::IPV6_UNICAST_HOPS),
        })
    }

    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        let (level, name) = self.ttl_option()?;
        let v = i32::try_from(ttl).map_err(|_| io::Error::from_raw_os_error(Errno::EINVAL.0))?;
        self.set_int(level, name, v)
    }

    fn ttl(&self) -> io::Result<u32> {
        let (level, name) = self.ttl_option()?;
        self.int(level, name).map(|v| v as u32)
    }

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        let e = self.int(sockopt::SOL_SOCKET, sockopt::SO_ERROR)?;
        Ok((e != 0).then(|| io::Error::from_raw_os_error(e)))
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => flags::Shutdown::Read,
            Shutdown::Write => flags::Shutdown::Write,
            Shutdown::Both => flags::Shutdown::Both,
        };
        cvt(ops::shutdown(self.0, how))
    }

    fn recv(&self, buf: &mut [u8], flags: MsgFlags) -> io::Result<usize> {
        cvt(ops::recv(self.0, &mut [buf], flags))
    }

    fn recv_vectored(&self, bufs: &mut [io::IoSliceMut<'_>]) -> io::Result<usize> {
        let mut slices: Vec<&mut [u8]> = bufs.iter_mut().map(|b| &mut **b).collect();
        cvt(ops::recv(self.0, &mut slices, MsgFlags::empty()))
    }

    fn send(&self, buf: &[u8]) -> io::Result<usize> {
        cvt(ops::send(self.0, &[buf], MsgFlags::empty()))
    }

    fn send_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let slices: Vec<&[u8]> = bufs.iter().map(|b| &**b).collect();
        cvt(ops::send(self.0, &slices, MsgFlags::empty()))
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = ops::close(self.0);
    }
}

/// Try `f` on each address in turn, as std does: the first success, else the last error.
fn each_addr<A: ToSocketAddrs, T>(
    addr: A,
    mut f: impl FnMut(&SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match f(&a) {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        )
    }))
}

/// The `AsRawFd`/`AsFd`/`FromRawFd`/`IntoRawFd` impls of a socket type holding a [`Socket`].
macro_rules! raw_fd_impls {
    ($t:ty) => {
        impl std::os::fd::AsRawFd for $t {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.0.fd()
            }
        }

        impl std::os::fd::AsFd for $t {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                // SAFETY: the descriptor stays open as long as `self` (it closes on drop).
                unsafe { std::os::fd::BorrowedFd::borrow_raw(self.0.fd()) }
            }
        }

        impl std::os::fd::IntoRawFd for $t {
            /// The descriptor, no longer closed on drop: close it with the C ABI's `close` (or
            /// turn it back into a socket with `from_raw_fd`).
            fn into_raw_fd(self) -> std::os::fd::RawFd {
                self.0.into_raw()
            }
        }

        impl std::os::fd::FromRawFd for $t {
            /// # Safety
            /// `fd` must be an open descriptor of this library's, of this kind of socket, owned
            /// by nobody else (it is closed when the result is dropped).
            unsafe fn from_raw_fd(fd: std::os::fd::RawFd) -> Self {
                Self(Socket(fd))
            }
        }
    };
}
use raw_fd_impls;
