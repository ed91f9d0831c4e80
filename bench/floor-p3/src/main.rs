//! `floor-p3 run <test> <port> <n> [4|6]`: `bench/bench.c`'s client tests done directly on
//! wasi:sockets 0.3 as wasmtime 48.0.8 serves it (streams and futures of the component model),
//! printing the same `RESULT <key> <value>` lines as `bench/floor` does on 0.2. No POSIX.
//!
//! The component exports `wasi:cli/run@0.3.0`'s async `run` (wasmtime runs it in preference to
//! the preview 1 adapter's 0.2 `run`, which this program also has, doing nothing). Socket calls
//! go through the bindings wit-bindgen generates; the data path and the waits are the canonical
//! ABI's own built-ins (`raw`): one waitable set for the whole program, each stream end joined to
//! it once and kept there, reads and writes started on caller-owned buffers, a blocking
//! `waitable-set.wait` when one reports "blocked". That is the least a guest can do on 0.3: no
//! executor, no wakers, no copies.
//!
//! `floor-p3 run idle <port> <idle> <rounds>`: the event-loop figure of `scripts/bench_idle.py`:
//! `idle` + 1 connections, a read kept in flight on every one (all in the one set), `rounds`
//! 64-byte round trips on the last, each answer waited for by `waitable-set.wait` on the set
//! (which the host keeps between waits: the wait's cost should not grow with `idle`). `MARK
//! start` / `MARK end` around the measured loop, then `RESULT idle_rtt_us` and `RESULT
//! idle_waits`.
//!
//! Besides the RESULT lines, `NOTE` lines on stderr say how the host answered (how many bytes a
//! stream write moved, how often an operation blocked). Two knobs for experiments, given to the
//! guest with wasmtime's `--env`: `FLOOR_READ=<bytes>`, the bulk receive's buffer (1 MiB), and
//! `FLOOR_SPIN=<n>`, rounds of yield-and-poll before a ping-pong read that blocked waits (0).

wit_bindgen::generate!({ world: "floor", path: "wit", generate_all });

mod many;
mod raw;

use raw::{Code, Set};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Instant;
use wasi::clocks::monotonic_clock;
use wasi::sockets::types::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, TcpSocket,
    UdpSocket,
};
use wit_bindgen::{FutureReader, StreamReader, StreamWriter};

fn addr(v6: bool, port: u16) -> IpSocketAddress {
    if v6 {
        IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 1),
            scope_id: 0,
        })
    } else {
        IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (127, 0, 0, 1),
        })
    }
}

fn family(v6: bool) -> IpAddressFamily {
    if v6 {
        IpAddressFamily::Ipv6
    } else {
        IpAddressFamily::Ipv4
    }
}

/// A connection: the socket, the stream the guest writes (its other end went to `send`) and the
/// stream `receive` returned, with the futures that report how each ended. Field order is drop
/// order: the streams go before the socket.
struct Conn {
    tx: StreamWriter<u8>,
    rx: StreamReader<u8>,
    sent: FutureReader<Result<(), ErrorCode>>,
    _received: FutureReader<Result<(), ErrorCode>>,
    _sock: TcpSocket,
}

/// Counters of how the host answered, reported on stderr.
#[derive(Default)]
struct Stats {
    writes: u64,
    written: u64,
    max_write: u64,
    blocked: u64,
    /// Yield-and-poll rounds before a blocked read waits (FLOOR_SPIN; 0: wait at once).
    spins: u32,
    spin_found: u64,
}

/// A connected socket (`connect` is an async function: a subtask awaited on wit-bindgen's
/// executor, the one place the floor uses it).
async fn connect(v6: bool, port: u16) -> TcpSocket {
    let sock = TcpSocket::create(family(v6)).expect("create");
    sock.connect(addr(v6, port)).await.expect("connect");
    sock
}

impl Conn {
    async fn new(v6: bool, port: u16) -> Conn {
        let sock = connect(v6, port).await;
        let (tx, tx_reader) = wit_stream::new::<u8>();
        let sent = sock.send(tx_reader);
        let (rx, received) = sock.receive();
        Conn {
            tx,
            rx,
            sent,
            _received: received,
            _sock: sock,
        }
    }

    fn write_all(&self, set: &Set, data: &[u8], st: &mut Stats) {
        write_all(set, self.tx.handle(), data, st)
    }

    fn read(&self, set: &Set, buf: &mut [u8], st: &mut Stats) -> usize {
        read(set, self.rx.handle(), buf, st)
    }

    fn read_exact(&self, set: &Set, buf: &mut [u8], st: &mut Stats) {
        let mut got = 0;
        while got < buf.len() {
            let n = self.read(set, &mut buf[got..], st);
            assert!(n > 0, "read_exact: end of stream");
            got += n;
        }
    }
}

/// Write all of `data` to stream `h`, waiting in the set whenever the host reports the write
/// blocked.
fn write_all(set: &Set, h: u32, mut data: &[u8], st: &mut Stats) {
    while !data.is_empty() {
        let mut code = raw::write(h, data);
        if code == Code::Blocked {
            st.blocked += 1;
            code = set.wait_for(h);
        }
        let n = match code {
            Code::Completed(n) => n,
            other => panic!("write: {other:?}"),
        };
        st.writes += 1;
        st.written += n as u64;
        st.max_write = st.max_write.max(n as u64);
        data = &data[n..];
    }
}

/// Read from stream `h` into `buf` (at most its length): the number of bytes read, 0 at end of
/// stream. A read that blocks waits in the set (after `st.spins` rounds of yield-and-poll).
fn read(set: &Set, h: u32, buf: &mut [u8], st: &mut Stats) -> usize {
    let mut code = raw::read(h, buf);
    if code == Code::Blocked {
        st.blocked += 1;
        if st.spins > 0 {
            let (c, found) = set.spin_wait_for(h, st.spins);
            st.spin_found += u64::from(found);
            code = c;
        } else {
            code = set.wait_for(h);
        }
    }
    match code {
        Code::Completed(n) | Code::Dropped(n) => n,
        other => panic!("read: {other:?}"),
    }
}

fn note(test: &str, st: &Stats) {
    let avg = if st.writes > 0 {
        st.written / st.writes
    } else {
        0
    };
    eprintln!(
        "NOTE {test}: {} stream writes, {avg} bytes per write on average, at most {}; {} operations blocked{}",
        st.writes,
        st.max_write,
        st.blocked,
        if st.spins > 0 {
            format!(", {} answered while spinning", st.spin_found)
        } else {
            String::new()
        }
    );
}

async fn bulk_send(set: &Set, v6: bool, port: u16, mib: usize) {
    let c = Conn::new(v6, port).await;
    set.join(c.tx.handle());
    set.join(c.rx.handle());
    let buf = vec![b'x'; 1 << 20];
    let mut st = Stats::default();
    let t0 = Instant::now();
    for _ in 0..mib {
        c.write_all(set, &buf, &mut st);
    }
    // Dropping the writable end is the end of the stream: the host shuts the socket down for
    // writing (and `send`'s future resolves). The sink answers "K" at end of stream.
    let Conn { tx, rx, sent, .. } = c;
    drop(tx);
    sent.await.expect("send");
    let mut k = [0u8; 1];
    let n = read(set, rx.handle(), &mut k, &mut st);
    assert_eq!(n, 1, "bulk_send: no answer from the sink");
    println!(
        "RESULT bulk_send_mibps {:.1}",
        mib as f64 / t0.elapsed().as_secs_f64()
    );
    // What one stream write moved (0.2 grants at most 64 KiB per `check-write`).
    println!(
        "RESULT bulk_send_write_kib {:.1}",
        st.written as f64 / st.writes.max(1) as f64 / 1024.0
    );
    note("bulk_send", &st);
}

async fn bulk_recv(set: &Set, v6: bool, port: u16, mib: usize) {
    let c = Conn::new(v6, port).await;
    set.join(c.tx.handle());
    set.join(c.rx.handle());
    let want = (mib as u64) << 20;
    let mut st = Stats::default();
    c.write_all(set, &want.to_ne_bytes(), &mut st);
    // The host reads from the kernel straight into the guest's buffer, as much as it holds: a
    // large buffer costs nothing more than a small one.
    let size = std::env::var("FLOOR_READ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 20);
    let mut buf = vec![0u8; size];
    let t0 = Instant::now();
    let (mut left, mut reads) = (want, 0u64);
    while left > 0 {
        let n = c.read(set, &mut buf, &mut st);
        assert!(n > 0, "bulk_recv: end of stream with {left} bytes to go");
        left -= n as u64;
        reads += 1;
    }
    println!(
        "RESULT bulk_recv_mibps {:.1}",
        mib as f64 / t0.elapsed().as_secs_f64()
    );
    eprintln!(
        "NOTE bulk_recv: {reads} stream reads into a {size}-byte buffer, {} bytes per read on average; {} blocked",
        want / reads.max(1),
        st.blocked
    );
}

async fn pingpong(set: &Set, v6: bool, port: u16, rounds: usize) {
    let c = Conn::new(v6, port).await;
    set.join(c.tx.handle());
    set.join(c.rx.handle());
    let msg = [b'p'; 64];
    let mut buf = [0u8; 64];
    let mut st = Stats::default();
    let mut exchange = |st: &mut Stats| {
        c.write_all(set, &msg, st);
        c.read_exact(set, &mut buf, st);
    };
    st.spins = std::env::var("FLOOR_SPIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for _ in 0..1000 {
        exchange(&mut st);
    }
    st = Stats {
        spins: st.spins,
        ..Stats::default()
    };
    let mut t: Vec<u128> = (0..rounds)
        .map(|_| {
            let t0 = Instant::now();
            exchange(&mut st);
            t0.elapsed().as_nanos()
        })
        .collect();
    t.sort_unstable();
    println!("RESULT pingpong_p50_us {:.2}", t[rounds / 2] as f64 / 1e3);
    println!(
        "RESULT pingpong_p99_us {:.2}",
        t[rounds * 99 / 100] as f64 / 1e3
    );
    note("pingpong", &st);
}

async fn churn(set: &Set, v6: bool, port: u16, cycles: usize) {
    let mut st = Stats::default();
    let t0 = Instant::now();
    for _ in 0..cycles {
        // Only the receive side is needed to see the peer's close: no send stream.
        let sock = connect(v6, port).await;
        let (rx, received) = sock.receive();
        let h = rx.handle();
        let mut b = [0u8; 1];
        let mut code = raw::read(h, &mut b);
        if code == Code::Blocked {
            st.blocked += 1;
            set.join(h);
            code = set.wait_for(h);
        }
        assert_eq!(
            code,
            Code::Dropped(0),
            "churn: data where end of stream was expected"
        );
        drop((rx, received, sock));
    }
    println!(
        "RESULT churn_cps {:.0}",
        cycles as f64 / t0.elapsed().as_secs_f64()
    );
    note("churn", &st);
}

/// The first of two futures to finish (the other is dropped, which cancels it).
async fn first<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let (mut a, mut b) = (pin!(a), pin!(b));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(Err(v));
        }
        Poll::Pending
    })
    .await
}

async fn udp(v6: bool, port: u16, count: usize) {
    let s = UdpSocket::create(family(v6)).expect("udp socket");
    let any = if v6 {
        IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port: 0,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 0),
            scope_id: 0,
        })
    } else {
        IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port: 0,
            address: (0, 0, 0, 0),
        })
    };
    s.bind(any).expect("bind");
    s.connect(addr(v6, port)).expect("connect");
    let dgram = vec![b'u'; 1024];
    s.send(b"RESET".to_vec(), None).await.expect("send");
    let t0 = Instant::now();
    for _ in 0..count {
        // `send` is an async function taking the datagram as a list: one call per datagram, no
        // permit to ask for first (0.2 needs `check-send` before each `send`).
        s.send(dgram.clone(), None).await.expect("send");
    }
    let dt = t0.elapsed().as_secs_f64();
    let mut got = None;
    for _ in 0..20 {
        s.send(b"END".to_vec(), None).await.expect("send");
        if let Ok(Ok((d, _))) = first(s.receive(), monotonic_clock::wait_for(200_000_000)).await
            && d.len() == 8
        {
            got = Some(u64::from_ne_bytes(d[..8].try_into().unwrap()));
            break;
        }
    }
    let got = got.expect("udp: the server did not report");
    println!("RESULT udp_dps {:.0}", count as f64 / dt);
    println!(
        "RESULT udp_loss_pct {:.2}",
        100.0 * (count as f64 - got as f64) / count as f64
    );
}

async fn calls(set: &Set, v6: bool, port: u16, n: usize) {
    let c = Conn::new(v6, port).await;
    let h = c.rx.handle();
    let mut b = [0u8; 64];
    // 0.3 has no readiness query: "anything to read?" is answered fresh only by the stream
    // itself. Start a read; when it blocks, cancel it (the host answers both at once). A
    // synchronous cancel is refused while the stream is in a waitable set ("waitable cannot be
    // used synchronously while added to a waitable set"), so the stream stays out of the set.
    let ask = |b: &mut [u8]| {
        assert_eq!(raw::read(h, b), Code::Blocked);
        assert_eq!(raw::cancel_read(h), Code::Cancelled(0));
    };
    let t0 = Instant::now();
    for _ in 0..n {
        ask(&mut b);
    }
    let t1 = Instant::now();
    // A poll with timeout 0 over one socket asks the same question the same way.
    for _ in 0..n {
        ask(&mut b);
    }
    let t2 = Instant::now();
    // With a read in flight in the set instead, `waitable-set.poll` is cheap but reports only
    // events the host has already queued, and on wasmtime 48 socket events reach the set when
    // the guest blocks in `waitable-set.wait`: a loop of polls (with or without a yield between
    // them) does not see new data.
    set.join(h);
    assert_eq!(raw::read(h, &mut b), Code::Blocked);
    for _ in 0..n {
        assert!(set.poll().is_none());
    }
    let t3 = Instant::now();
    for _ in 0..n {
        raw::thread_yield();
        assert!(set.poll().is_none());
    }
    let t4 = Instant::now();
    set.leave(h);
    assert_eq!(raw::cancel_read(h), Code::Cancelled(0));
    let per = |a: Instant, b: Instant| (b - a).as_nanos() as f64 / n as f64;
    println!("RESULT recv_ns {:.0}", per(t0, t1));
    println!("RESULT poll_ns {:.0}", per(t1, t2));
    println!("RESULT poll_queued_ns {:.0}", per(t2, t3));
    eprintln!(
        "NOTE calls: thread.yield + waitable-set.poll {:.0} ns",
        per(t3, t4)
    );
}

struct Floor;

impl exports::wasi::cli::run::Guest for Floor {
    async fn run() -> Result<(), ()> {
        let args: Vec<String> = std::env::args().collect();
        if args.len() < 5 || args[1] != "run" {
            eprintln!("usage: floor-p3 run <test> <port> <n> [4|6]");
            return Err(());
        }
        let (test, port, n) = (
            args[2].as_str(),
            args[3].parse::<u16>().unwrap(),
            args[4].parse::<usize>().unwrap(),
        );
        let v6 = args.get(5).is_some_and(|f| f == "6");
        let set = Set::new();
        match test {
            "bulk_send" => bulk_send(&set, v6, port, n).await,
            "bulk_recv" => bulk_recv(&set, v6, port, n).await,
            "pingpong" => pingpong(&set, v6, port, n).await,
            "churn" => churn(&set, v6, port, n).await,
            "udp" => udp(v6, port, n).await,
            "calls" => calls(&set, v6, port, n).await,
            "reqresp1" => many::reqresp(&set, v6, port, n, 1).await,
            "reqresp50" => many::reqresp(&set, v6, port, n, 50).await,
            "idle" => {
                many::idle(
                    &set,
                    port,
                    n,
                    args.get(5).map_or(1000, |r| r.parse().unwrap()),
                )
                .await
            }
            _ => {
                eprintln!("unknown test {test}");
                return Err(());
            }
        }
        Ok(())
    }
}

export!(Floor);

/// The preview 1 adapter's `wasi:cli/run@0.2` (from `_start`) is in the component too; wasmtime
/// 48 calls the 0.3 `run` above instead.
fn main() {}
