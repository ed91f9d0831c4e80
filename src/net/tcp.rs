//! [`TcpListener`] and [`TcpStream`].

use super::{Socket, ToSocketAddrs, cvt, each_addr, raw_fd_impls};
use crate::errno::Errno;
use crate::flags::{MsgFlags, SockFlags};
use crate::ops::{self, SockType};
use crate::poll::{self, POLLOUT, PollFd};
use crate::sockopt;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

/// std's listen backlog.
const BACKLOG: i32 = 128;

/// A TCP connection, as [`std::net::TcpStream`].
///
/// ```
/// use std::io::{BufRead, BufReader, Write};
/// use std::time::Duration;
/// use wasi_posix_sockets::net::{TcpListener, TcpStream};
///
/// # let listener = TcpListener::bind("127.0.0.1:0")?;
/// # let port = listener.local_addr()?.port();
/// // `localhost` is tried as ::1, then 127.0.0.1.
/// let mut stream = TcpStream::connect(("localhost", port))?;
/// stream.set_read_timeout(Some(Duration::from_secs(5)))?;
/// # let (mut server, _) = listener.accept()?;
/// # server.write_all(b"HTTP/1.0 200 OK\r\n\r\n")?;
/// stream.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
/// let mut status = String::new();
/// BufReader::new(&stream).read_line(&mut status)?;
/// assert_eq!(status, "HTTP/1.0 200 OK\r\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream(Socket);

/// A TCP listening socket, as [`std::net::TcpListener`].
///
/// ```no_run
/// use std::io::Write;
/// use wasi_posix_sockets::net::TcpListener;
///
/// let listener = TcpListener::bind("0.0.0.0:8080")?;
/// for stream in listener.incoming() {
///     stream?.write_all(b"hello\n")?;
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener(Socket);

/// The connections a [`TcpListener`] accepts, from [`TcpListener::incoming`]; never ends.
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl TcpStream {
    /// Connect to the first address of `addr` that accepts, trying each in turn (a name may
    /// resolve to several, such as `localhost` to `::1` and `127.0.0.1`).
    pub fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each_addr(addr, |a| {
            let s = Socket::new(a, SockType::Stream)?;
            cvt(ops::connect(s.fd(), *a))?;
            Ok(TcpStream(s))
        })
    }

    /// Connect to `addr`, giving up after `timeout` with [`io::ErrorKind::TimedOut`]. A zero
    /// timeout is [`io::ErrorKind::InvalidInput`], as in std.
    pub fn connect_timeout(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        if timeout.is_zero() {
            return Err(super::zero_timeout());
        }
        let s = Socket::new(addr, SockType::Stream)?;
        s.set_nonblocking(true)?;
        match ops::connect(s.fd(), *addr) {
            Ok(()) => {}
            Err(Errno::EINPROGRESS) => {
                let mut p = [PollFd {
                    fd: s.fd(),
                    events: POLLOUT,
                    revents: 0,
                }];
                let ns = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
                if poll::poll(&mut p, Some(ns)) == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "connection timed out",
                    ));
                }
                if let Some(e) = s.take_error()? {
                    return Err(e);
                }
            }
            Err(e) => return Err(io::Error::from_raw_os_error(e.0)),
        }
        s.set_nonblocking(false)?;
        Ok(TcpStream(s))
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// Shut down reading, writing or both (`shutdown(2)`).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.0.shutdown(how)
    }

    /// A second handle to the same connection (`dup`): the connection closes with the last one.
    /// Timeouts and non-blocking mode are shared, as in std.
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        self.0.duplicate().map(TcpStream)
    }

    /// `SO_RCVTIMEO`: how long a read may wait (`None`: forever). A read that times out fails with
    /// [`io::ErrorKind::WouldBlock`], as on Linux.
    pub fn set_read_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.0.set_timeout(dur, true)
    }

    /// `SO_SNDTIMEO`: how long a write may wait.
    pub fn set_write_timeout(&self, dur: Option<Duration>) -> io::Result<()> {
        self.0.set_timeout(dur, false)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.0.timeout(true)
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.0.timeout(false)
    }

    /// Read without removing the data from the queue (`MSG_PEEK`).
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf, MsgFlags::PEEK)
    }

    /// `TCP_NODELAY`: stored and reported (wasi:sockets 0.2 has no Nagle control).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.0
            .set_int(ops::IPPROTO_TCP, sockopt::TCP_NODELAY, i32::from(nodelay))
    }

    /// `TCP_NODELAY` as set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.0
            .int(ops::IPPROTO_TCP, sockopt::TCP_NODELAY)
            .map(|v| v != 0)
    }

    /// The hop limit of outgoing packets (`IP_TTL`, or `IPV6_UNICAST_HOPS` on IPv6).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.0.set_ttl(ttl)
    }

    /// The hop limit.
    pub fn ttl(&self) -> io::Result<u32> {
        self.0.ttl()
    }

    /// `SO_ERROR`: the pending error, cleared by reading it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.0.take_error()
    }

    /// Non-blocking mode: calls that would wait fail with [`io::ErrorKind::WouldBlock`].
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.0.set_nonblocking(nonblocking)
    }
}

impl Read for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf, MsgFlags::empty())
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0.recv_vectored(bufs)
    }
}

impl Read for &TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf, MsgFlags::empty())
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0.recv_vectored(bufs)
    }
}

impl Write for TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.send_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for &TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.send_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpStream");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.0.fd()).finish()
    }
}

impl TcpListener {
    /// Bind to the first address of `addr` that can be bound and listen (backlog 128, as std).
    /// Port 0 picks an ephemeral port ([`local_addr`](Self::local_addr) tells which).
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each_addr(addr, |a| {
            let s = Socket::new(a, SockType::Stream)?;
            cvt(ops::bind(s.fd(), *a))?;
            cvt(ops::listen(s.fd(), BACKLOG))?;
            Ok(TcpListener(s))
        })
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// A second handle to the same listener (`dup`).
    pub fn try_clone(&self) -> io::Result<TcpListener> {
        self.0.duplicate().map(TcpListener)
    }

    /// Wait for a connection (as the listener's mode and read timeout allow) and return it with
    /// the peer's address.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (fd, peer) = cvt(ops::accept(self.0.fd(), SockFlags::empty()))?;
        Ok((TcpStream(Socket(fd)), peer))
    }

    /// The accepted connections, one [`accept`](Self::accept) per item.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The hop limit of outgoing packets on accepted connections.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.0.set_ttl(ttl)
    }

    /// The hop limit.
    pub fn ttl(&self) -> io::Result<u32> {
        self.0.ttl()
    }

    /// `SO_ERROR`: the pending error, cleared by reading it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.0.take_error()
    }

    /// Non-blocking mode: `accept` fails with [`io::ErrorKind::WouldBlock`] when no connection
    /// is waiting.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.0.set_nonblocking(nonblocking)
    }
}

impl<'a> Iterator for Incoming<'a> {
    type Item = io::Result<TcpStream>;

    fn next(&mut self) -> Option<io::Result<TcpStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpListener");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.0.fd()).finish()
    }
}

raw_fd_impls!(TcpStream);
raw_fd_impls!(TcpListener);
