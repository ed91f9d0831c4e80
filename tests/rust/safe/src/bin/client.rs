//! A client on the safe API against native servers, for the end-to-end tests.
//!
//!   client <tcp-port> <udp-port>
//!
//! The TCP server (on 127.0.0.1 only) echoes each line, answers "PEEK" with "peekaboo\n",
//! answers "SILENT" with nothing, and closes when the client shuts down writing. The UDP server
//! echoes datagrams. Prints one line per check; the test compares them with its expectations.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr};
use std::time::{Duration, Instant};
use wasi_posix_sockets::net::{TcpListener, TcpStream, UdpSocket};

fn main() -> io::Result<()> {
    let args: Vec<u16> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("port"))
        .collect();
    let (tcp_port, udp_port) = (args[0], args[1]);
    tcp(tcp_port)?;
    udp(udp_port)?;
    errors()?;
    println!("done");
    Ok(())
}

fn tcp(port: u16) -> io::Result<()> {
    // "localhost" is ::1 and 127.0.0.1; the server listens on IPv4 only, so the first refuses.
    let stream = TcpStream::connect(("localhost", port))?;
    println!("connected to {}", stream.peer_addr()?);
    stream.set_nodelay(true)?;
    println!("nodelay {}", stream.nodelay()?);
    stream.set_ttl(33)?;
    println!("ttl {}", stream.ttl()?);
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = &stream;

    writer.write_all(b"hello\n")?;
    let mut line = String::new();
    reader.read_line(&mut line)?;
    println!("echo {}", line.trim_end());

    writer.write_all(b"PEEK\n")?;
    let mut buf = [0u8; 16];
    // Wait for the reply, then peek at it without consuming it.
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut n = 0;
    while n < 9 {
        n = stream.peek(&mut buf)?;
    }
    println!("peeked {}", String::from_utf8_lossy(&buf[..n]).trim_end());
    line.clear();
    reader.read_line(&mut line)?;
    println!("then read {}", line.trim_end());

    // Non-blocking: nothing to read is WouldBlock.
    stream.set_nonblocking(true)?;
    let r = (&stream).read(&mut buf);
    println!("non-blocking read: {:?}", r.map_err(|e| e.kind()));
    stream.set_nonblocking(false)?;

    // A read timeout expires with WouldBlock, after about the timeout.
    writer.write_all(b"SILENT\n")?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    println!("read timeout {:?}", stream.read_timeout()?);
    let t0 = Instant::now();
    let r = (&stream).read(&mut buf);
    let waited = t0.elapsed();
    println!(
        "timed-out read: {:?} after the timeout: {}",
        r.map_err(|e| e.kind()),
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(2)
    );
    let zero = stream.set_read_timeout(Some(Duration::ZERO));
    println!("zero timeout: {:?}", zero.map_err(|e| e.kind()));
    stream.set_read_timeout(None)?;
    stream.set_write_timeout(Some(Duration::from_secs(3)))?;
    println!("write timeout {:?}", stream.write_timeout()?);

    // Vectored I/O.
    let n = writer.write_vectored(&[io::IoSlice::new(b"vec"), io::IoSlice::new(b"tored\n")])?;
    println!("wrote {n} bytes from two slices");
    line.clear();
    reader.read_line(&mut line)?;
    println!("echo {}", line.trim_end());

    // Shutting down writing: the server closes, the client reads end of stream.
    stream.shutdown(Shutdown::Write)?;
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest)?;
    println!("end of stream after shutdown, {} bytes left", rest.len());
    println!("take_error {:?}", stream.take_error()?.map(|e| e.kind()));

    // connect_timeout: to a listener of our own, and to a closed port.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let addr = listener.local_addr()?;
    let c = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    let (s, peer) = listener.accept()?;
    println!(
        "connect_timeout ok, accepted the same peer: {}",
        peer == c.local_addr()?
    );
    drop((c, s));
    let closed = {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        l.local_addr()?
    };
    let r = TcpStream::connect_timeout(&closed, Duration::from_secs(2));
    println!(
        "connect_timeout to a closed port: {:?}",
        r.map(|_| ()).map_err(|e| e.kind())
    );
    let r = TcpStream::connect_timeout(&closed, Duration::ZERO);
    println!(
        "connect_timeout of zero: {:?}",
        r.map(|_| ()).map_err(|e| e.kind())
    );

    // A non-blocking listener.
    listener.set_nonblocking(true)?;
    let r = listener.accept();
    println!(
        "non-blocking accept: {:?}",
        r.map(|_| ()).map_err(|e| e.kind())
    );
    Ok(())
}

fn udp(port: u16) -> io::Result<()> {
    let server: SocketAddr = (Ipv4Addr::LOCALHOST, port).into();
    let sock = UdpSocket::bind("127.0.0.1:0")?;
    sock.send_to(b"datagram one", server)?;
    let mut buf = [0u8; 64];
    let (n, from) = sock.recv_from(&mut buf)?;
    println!(
        "udp echo {} from the server: {}",
        String::from_utf8_lossy(&buf[..n]),
        from == server
    );
    sock.connect(server)?;
    println!("udp peer is the server: {}", sock.peer_addr()? == server);
    sock.send(b"datagram two")?;
    let n = sock.peek(&mut buf)?;
    println!("udp peeked {}", String::from_utf8_lossy(&buf[..n]));
    let n = sock.recv(&mut buf[..8])?;
    println!(
        "udp received {} (truncated to 8)",
        String::from_utf8_lossy(&buf[..n])
    );
    sock.set_read_timeout(Some(Duration::from_millis(100)))?;
    let r = sock.recv(&mut buf);
    println!("udp timed-out recv: {:?}", r.map_err(|e| e.kind()));
    sock.set_broadcast(true)?;
    println!("udp broadcast {}", sock.broadcast()?);
    let clone = sock.try_clone()?;
    clone.set_nonblocking(true)?;
    let r = sock.recv(&mut buf);
    println!(
        "udp clone shares non-blocking mode: {:?}",
        r.map_err(|e| e.kind())
    );
    Ok(())
}

fn errors() -> io::Result<()> {
    // Errors carry the errno and std's kind.
    let closed = {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        l.local_addr()?
    };
    match TcpStream::connect(closed) {
        Ok(_) => println!("connect to a closed port succeeded?"),
        Err(e) => println!(
            "refused: kind {:?}, errno is ECONNREFUSED: {}",
            e.kind(),
            e.raw_os_error() == Some(libc_econnrefused())
        ),
    }
    let r = TcpStream::connect(("no-such-host.invalid", 80));
    println!("unresolvable name fails: {}", r.is_err());
    let r = TcpListener::bind("127.0.0.1:99999");
    println!("bad port: {:?}", r.map(|_| ()).map_err(|e| e.kind()));
    Ok(())
}

/// wasi-libc's ECONNREFUSED.
fn libc_econnrefused() -> i32 {
    14
}
