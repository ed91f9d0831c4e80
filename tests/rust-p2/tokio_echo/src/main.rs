//! tokio on mio's poll(2) selector (current-thread runtime, `--cfg tokio_unstable`): a TCP echo
//! server and clients in the same runtime, `TcpStream::peek`, `tokio::time::timeout`, and an echo
//! through a native server whose port is the first argument. On wasm32-wasip2 every socket call
//! and every wait (mio's `poll`) is wasi-posix-sockets'. The output is fixed text
//! (tests/e2e/rust_p2.py checks it line for line).
//!
//!   tokio_echo <native echo port>
//!   tokio_echo --bench <native echo port> <rounds>
//!
//! `--bench` only times `rounds` 64-byte echo round trips through the native server and prints
//! `RESULT tokio_p50_us ...` and `RESULT tokio_p99_us ...` (`make bench`, which also runs it built
//! without the crate, on wasi-libc's own sockets).

#[cfg(all(target_os = "wasi", feature = "wsp"))]
use wasi_posix_sockets as _;

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn echo_server(l: TcpListener) {
    loop {
        let Ok((mut s, _)) = l.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if s.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
}

fn pattern(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

async fn echo_through(addr: std::net::SocketAddr, n: usize, seed: u32) -> std::io::Result<bool> {
    let s = TcpStream::connect(addr).await?;
    let (mut r, mut w) = s.into_split();
    let data = pattern(n, seed);
    let sent = data.clone();
    let writer = tokio::spawn(async move {
        w.write_all(&sent).await?;
        w.shutdown().await
    });
    let mut got = Vec::with_capacity(n);
    r.read_to_end(&mut got).await?;
    writer.await.expect("writer task")?;
    Ok(got == data)
}

async fn round_trips(native: std::net::SocketAddr, rounds: usize) -> std::io::Result<()> {
    let mut s = TcpStream::connect(native).await?;
    s.set_nodelay(true)?;
    let msg = [0x5au8; 64];
    let mut back = [0u8; 64];
    let mut us = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        s.write_all(&msg).await?;
        s.read_exact(&mut back).await?;
        us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    us.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| us[((us.len() as f64 * q) as usize).min(us.len() - 1)];
    println!("RESULT tokio_p50_us {:.2}", at(0.5));
    println!("RESULT tokio_p99_us {:.2}", at(0.99));
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = |i: usize| -> u16 {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .expect("usage: tokio_echo [--bench] <native echo port> [rounds]")
    };
    if args.get(1).map(String::as_str) == Some("--bench") {
        let rounds = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1000);
        return round_trips(
            std::net::SocketAddr::from(([127, 0, 0, 1], port(2))),
            rounds,
        )
        .await;
    }
    let native_port = port(1);

    let l = TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?;
    println!("listening: {}", addr.port() != 0);
    tokio::spawn(echo_server(l));

    let mut c = TcpStream::connect(addr).await?;
    c.set_nodelay(true)?;
    c.write_all(b"hello tokio").await?;
    let mut p = [0u8; 5];
    let n = c.peek(&mut p).await?;
    println!("peek: {:?}", String::from_utf8_lossy(&p[..n]));
    let mut b = [0u8; 11];
    c.read_exact(&mut b).await?;
    println!("echo: {:?}", String::from_utf8_lossy(&b));

    let t0 = Instant::now();
    let r = tokio::time::timeout(Duration::from_millis(100), c.read(&mut b)).await;
    println!(
        "timeout on a silent read: {}",
        if r.is_err() { "elapsed" } else { "no" }
    );
    println!(
        "waited about the timeout: {}",
        t0.elapsed() >= Duration::from_millis(90)
    );

    let ok = echo_through(addr, 1 << 20, 3).await?;
    println!("1 MiB through the tokio server: {ok}");

    let tasks: Vec<_> = (0..20)
        .map(|i| tokio::spawn(echo_through(addr, 10_000, i + 1)))
        .collect();
    let mut all = true;
    for t in tasks {
        all &= t.await.expect("echo task")?;
    }
    println!("20 concurrent echoes: {all}");

    let native = std::net::SocketAddr::from(([127, 0, 0, 1], native_port));
    println!(
        "1 MiB through the native server: {}",
        echo_through(native, 1 << 20, 9).await?
    );

    let gone = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?
    };
    let r = TcpStream::connect(gone).await;
    println!("connect refused: {:?}", r.err().map(|e| e.kind()));

    println!("done");
    Ok(())
}
