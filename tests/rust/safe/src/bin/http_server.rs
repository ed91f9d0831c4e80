//! An HTTP/1.1 server on the safe API, for the end-to-end tests (curl is the client).
//!
//!   http_server [requests]
//!
//! Listens on 127.0.0.1 (ephemeral port, printed as "PORT <n>"), serves connections one after
//! another with keep-alive, and exits after `requests` requests (default: never), printing
//! "served <n>". Routes: `GET /` (a greeting), `POST /echo` (the body back), `GET /info` (the
//! connection's addresses). An idle connection is closed after a 1 s read timeout.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::time::Duration;
use wasi_posix_sockets::net::{TcpListener, TcpStream};

fn main() -> io::Result<()> {
    let limit: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("PORT {}", listener.local_addr()?.port());
    let mut served = 0;
    for stream in listener.incoming() {
        served += serve(stream?)?;
        if served >= limit {
            break;
        }
    }
    println!("served {served}");
    Ok(())
}

/// Serve one connection's requests; how many were answered.
fn serve(stream: TcpStream) -> io::Result<usize> {
    stream.set_read_timeout(Some(Duration::from_secs(1)))?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let mut answered = 0;
    loop {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                println!("idle connection timed out");
                break;
            }
            Err(e) => return Err(e),
        }
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (mut length, mut close) = (0usize, false);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((&header, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "connection" => close = value.trim().eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let (status, reply) = match (method, path) {
            ("GET", "/") => ("200 OK", b"hello from a Rust wasm guest\n".to_vec()),
            ("POST", "/echo") => ("200 OK", body),
            ("GET", "/info") => (
                "200 OK",
                format!(
                    "local {} peer {}\n",
                    out.local_addr()?.ip(),
                    out.peer_addr()?.ip()
                )
                .into_bytes(),
            ),
            _ => ("404 Not Found", b"not found\n".to_vec()),
        };
        write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n{}\r\n",
            reply.len(),
            if close { "Connection: close\r\n" } else { "" }
        )?;
        out.write_all(&reply)?;
        answered += 1;
        if close {
            break;
        }
    }
    Ok(answered)
}
