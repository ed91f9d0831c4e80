//! A Rust program on the C ABI: `extern "C"` declarations with the libc crate's types, as a crate
//! that wraps a C library (or ports C code) would write them. Links this crate with its `libc`
//! feature, which exports the symbols; descriptors move between the C calls and the safe API.
//!
//!   cabi <port>      (a native echo server on 127.0.0.1:<port>)
//!
//! Prints one line per check; the test compares them with its expectations.

use libc::{c_int, c_uint, c_void, size_t, ssize_t};
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, IntoRawFd};
use wasi_posix_sockets::net::TcpStream;

// The values and layouts of wasi-libc (the libc crate has no socket items for wasm32-wasip1).
const AF_INET: c_int = 1;
const SOCK_STREAM: c_int = 6;
const POLLIN: i16 = 0x1;
const POLLOUT: i16 = 0x2;

/// wasi-libc's `struct sockaddr_in`: 16 bytes, 16-byte aligned.
#[repr(C, align(16))]
struct SockaddrIn {
    sin_family: u16,
    sin_port: u16,
    sin_addr: u32,
    zero: [u8; 8],
}

/// `struct pollfd`.
#[repr(C)]
struct PollFd {
    fd: c_int,
    events: i16,
    revents: i16,
}

unsafe extern "C" {
    fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int;
    fn connect(fd: c_int, addr: *const SockaddrIn, len: c_uint) -> c_int;
    fn send(fd: c_int, buf: *const c_void, len: size_t, flags: c_int) -> ssize_t;
    fn recv(fd: c_int, buf: *mut c_void, len: size_t, flags: c_int) -> ssize_t;
    fn poll(fds: *mut PollFd, n: c_uint, timeout: c_int) -> c_int;
    fn close(fd: c_int) -> c_int;
}

/// The last errno by name (wasi-libc's numbers), read the way std reads it.
fn errno_name() -> &'static str {
    match io::Error::last_os_error().raw_os_error() {
        Some(5) => "EAFNOSUPPORT",
        Some(8) => "EBADF",
        Some(14) => "ECONNREFUSED",
        _ => "other",
    }
}

fn loopback(port: u16) -> SockaddrIn {
    SockaddrIn {
        sin_family: AF_INET as u16,
        sin_port: port.to_be(),
        sin_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
        zero: [0; 8],
    }
}

fn main() -> io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("port");
    let addr = loopback(port);
    let size = std::mem::size_of::<SockaddrIn>() as c_uint;

    // SAFETY: plain calls with valid pointers and lengths.
    unsafe {
        let fd = socket(AF_INET, SOCK_STREAM, 0);
        println!("socket ok: {}", fd >= 0);
        println!("connect: {}", connect(fd, &addr, size));
        let mut p = PollFd {
            fd,
            events: POLLOUT,
            revents: 0,
        };
        println!(
            "poll for writing: {} revents POLLOUT: {}",
            poll(&mut p, 1, 1000),
            p.revents & POLLOUT != 0
        );
        let msg = b"over the C ABI\n";
        println!("send: {}", send(fd, msg.as_ptr().cast(), msg.len(), 0));
        let mut p = PollFd {
            fd,
            events: POLLIN,
            revents: 0,
        };
        println!(
            "poll for reading: {} revents POLLIN: {}",
            poll(&mut p, 1, 5000),
            p.revents & POLLIN != 0
        );
        let mut buf = [0u8; 64];
        let n = recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0);
        println!(
            "recv: {}",
            String::from_utf8_lossy(&buf[..n.max(0) as usize]).trim_end()
        );

        // The descriptor moves to the safe API and back.
        let mut stream = TcpStream::from_raw_fd(fd);
        stream.write_all(b"through the safe API\n")?;
        let mut got = [0u8; 21];
        stream.read_exact(&mut got)?;
        println!("safe API: {}", String::from_utf8_lossy(&got).trim_end());
        let fd = stream.into_raw_fd();
        let msg = b"and back\n";
        println!(
            "send again: {}",
            send(fd, msg.as_ptr().cast(), msg.len(), 0)
        );
        let n = recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0);
        println!(
            "recv: {}",
            String::from_utf8_lossy(&buf[..n.max(0) as usize]).trim_end()
        );
        println!("close: {}", close(fd));
        println!("close again: {} {}", close(fd), errno_name());

        // errno reaches std's io::Error::last_os_error.
        let fd = socket(AF_INET, SOCK_STREAM, 0);
        let closed = loopback(1);
        let r = connect(fd, &closed, size);
        println!(
            "connect to port 1: {} {} {:?}",
            r,
            errno_name(),
            io::Error::last_os_error().kind()
        );
        close(fd);
        println!(
            "socket(99): {} {}",
            socket(99, SOCK_STREAM, 0),
            errno_name()
        );
    }
    Ok(())
}
