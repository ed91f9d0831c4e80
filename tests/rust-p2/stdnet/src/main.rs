//! Rust's own `std::net` (no code of this crate's in sight): TCP and UDP over IPv4 and IPv6 with
//! `peek`, timeouts, non-blocking mode, `try_clone`, shutdown and errors. Built natively and for
//! wasm32-wasip2 linked with wasi-posix-sockets, the two outputs must be the same line for line
//! (tests/e2e/rust_p2.py). Errors print as their `ErrorKind` only: the message text of an errno
//! differs between libcs.

// Linked for its C symbols: std::net calls socket, connect, recv, poll, ... of the C library.
#[cfg(target_os = "wasi")]
use wasi_posix_sockets as _;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

fn show<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: {:?}", e.kind()),
    }
}

fn err_kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

fn tcp(host: &str) {
    println!("== tcp {host}");
    let l = TcpListener::bind(format!("{host}:0")).expect("bind");
    let laddr = l.local_addr().unwrap();
    println!("listener port nonzero: {}", laddr.port() != 0);

    let mut c = TcpStream::connect(laddr).expect("connect");
    let (mut s, from) = l.accept().expect("accept");
    println!(
        "peer_addr is the listener: {}",
        c.peer_addr().unwrap() == laddr
    );
    println!(
        "accept saw the client's address: {}",
        from == c.local_addr().unwrap()
    );
    println!(
        "server local is the listener: {}",
        s.local_addr().unwrap() == laddr
    );

    c.set_nodelay(true).unwrap();
    println!("nodelay: {}", c.nodelay().unwrap());
    c.set_ttl(42).unwrap();
    println!("ttl: {}", c.ttl().unwrap());

    c.write_all(b"hello world").unwrap();
    let mut p = [0u8; 5];
    let n = s.peek(&mut p).unwrap();
    println!("peek: {n} {:?}", String::from_utf8_lossy(&p[..n]));
    let n = s.peek(&mut p).unwrap();
    println!("peek again: {n} {:?}", String::from_utf8_lossy(&p[..n]));
    let mut all = [0u8; 11];
    s.read_exact(&mut all).unwrap();
    println!("read: {:?}", String::from_utf8_lossy(&all));

    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    println!("read_timeout: {:?}", s.read_timeout().unwrap());
    let t0 = Instant::now();
    let r = s.read(&mut all);
    let waited = t0.elapsed();
    println!("read, nothing sent: {}", err_kind(r));
    println!(
        "waited about the timeout: {}",
        waited >= Duration::from_millis(90) && waited < Duration::from_secs(5)
    );
    println!("peek, nothing sent: {}", err_kind(s.peek(&mut p)));
    s.set_read_timeout(None).unwrap();
    println!("read_timeout cleared: {:?}", s.read_timeout().unwrap());

    s.set_nonblocking(true).unwrap();
    println!("non-blocking read: {}", err_kind(s.read(&mut all)));
    println!("non-blocking peek: {}", err_kind(s.peek(&mut p)));
    s.set_nonblocking(false).unwrap();

    c.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    println!("write_timeout: {:?}", c.write_timeout().unwrap());

    // std refuses try_clone on every wasm32 target before it reaches the C library (it has no
    // F_DUPFD_CLOEXEC there): a listed difference (tests/deviations.md, rust_stdnet).
    match c.try_clone() {
        Ok(mut c2) => {
            println!("try_clone: ok");
            c2.write_all(b"via clone").unwrap();
            let mut b9 = [0u8; 9];
            s.read_exact(&mut b9).unwrap();
            println!("read from the clone: {:?}", String::from_utf8_lossy(&b9));
        }
        Err(e) => println!("try_clone: {:?}", e.kind()),
    }

    println!(
        "take_error: {:?}",
        c.take_error().unwrap().map(|e| e.kind())
    );
    c.shutdown(Shutdown::Write).unwrap();
    println!(
        "read after the peer's shutdown: {:?}",
        s.read(&mut all).unwrap()
    );
    s.write_all(b"bye").unwrap();
    drop(s);
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).unwrap();
    println!("read_to_end: {:?}", String::from_utf8_lossy(&rest));

    let c3 = TcpStream::connect_timeout(&laddr, Duration::from_secs(2)).unwrap();
    let (s3, _) = l.accept().unwrap();
    println!("connect_timeout: {}", c3.peer_addr().unwrap() == laddr);
    drop((c3, s3));

    l.set_nonblocking(true).unwrap();
    println!("non-blocking accept: {}", err_kind(l.accept()));

    // A port nobody listens on: bind one, close it, use its number.
    let gone = TcpListener::bind(format!("{host}:0"))
        .unwrap()
        .local_addr()
        .unwrap();
    println!("connect refused: {}", err_kind(TcpStream::connect(gone)));
    println!(
        "connect_timeout refused: {}",
        err_kind(TcpStream::connect_timeout(&gone, Duration::from_secs(2)))
    );
    println!("bind in use: {}", err_kind(TcpListener::bind(laddr)));
}

fn udp(host: &str) {
    println!("== udp {host}");
    let a = UdpSocket::bind(format!("{host}:0")).unwrap();
    let b = UdpSocket::bind(format!("{host}:0")).unwrap();
    let (aa, ba): (SocketAddr, SocketAddr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    println!("ports nonzero: {}", aa.port() != 0 && ba.port() != 0);
    println!("send_to: {:?}", a.send_to(b"ping", ba).unwrap());
    let mut buf = [0u8; 64];
    let (n, from) = b.peek_from(&mut buf).unwrap();
    println!("peek_from: {n} from a: {}", from == aa);
    let (n, from) = b.recv_from(&mut buf).unwrap();
    println!(
        "recv_from: {:?} from a: {}",
        String::from_utf8_lossy(&buf[..n]),
        from == aa
    );

    b.connect(aa).unwrap();
    println!("peer_addr: {}", b.peer_addr().unwrap() == aa);
    b.send(b"pong").unwrap();
    println!(
        "peek: {:?}",
        a.peek(&mut buf[..2])
            .map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
            .unwrap()
    );
    let n = a.recv(&mut buf).unwrap();
    println!("recv: {:?}", String::from_utf8_lossy(&buf[..n]));

    a.send_to(&[7u8; 100], ba).unwrap();
    let mut small = [0u8; 10];
    println!("recv truncated: {:?}", b.recv(&mut small).unwrap());

    a.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    println!("read_timeout: {:?}", a.read_timeout().unwrap());
    println!("recv, nothing sent: {}", err_kind(a.recv(&mut buf)));
    a.set_read_timeout(None).unwrap();
    a.set_nonblocking(true).unwrap();
    println!(
        "non-blocking recv_from: {}",
        err_kind(a.recv_from(&mut buf))
    );
    println!(
        "non-blocking peek_from: {}",
        err_kind(a.peek_from(&mut buf))
    );
    a.set_nonblocking(false).unwrap();

    a.set_ttl(7).unwrap();
    println!("ttl: {}", a.ttl().unwrap());
    println!(
        "take_error: {:?}",
        a.take_error().unwrap().map(|e| e.kind())
    );
    match a.try_clone() {
        Ok(c) => {
            println!("try_clone: ok");
            c.send_to(b"clone", ba).unwrap();
            let n = b.recv(&mut buf).unwrap();
            println!("from the clone: {:?}", String::from_utf8_lossy(&buf[..n]));
        }
        Err(e) => println!("try_clone: {:?}", e.kind()),
    }
    show("bind in use", UdpSocket::bind(aa).map(|_| ()));
}

fn main() {
    for host in ["127.0.0.1", "[::1]"] {
        tcp(host);
        udp(host);
    }
    println!("== done");
}
