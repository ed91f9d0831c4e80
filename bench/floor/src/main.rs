//! `floor run <test> <port> <n> [4|6]`: `bench/bench.c`'s client tests, done directly on
//! wasi:sockets 0.2 with the best strategy a guest has (block on the one pollable that matters,
//! read and write as much as the host grants, one host write per message), printing the same
//! `RESULT <key> <value>` lines. No POSIX: no descriptor table, no errno, no read-ahead.
//!
//! `floor run idle <port> <idle> <rounds>`: the host's floor for an event loop over many
//! connections (`scripts/bench_idle.py`): `idle` + 1 connections, and `rounds` 64-byte round
//! trips on the last, each answer waited for by one `wasi:io/poll.poll` over every connection's
//! input pollable, as a wait over a set must be on wasi 0.2 (no persistent set); `MARK start` /
//! `MARK end` around the measured loop, then `RESULT idle_rtt_us` and `RESULT idle_waits`.

use std::time::Instant;
use wasi_posix_sockets::bindings::wasi::io::poll::{Pollable, poll};
use wasi_posix_sockets::bindings::wasi::io::streams::{InputStream, OutputStream, StreamError};
use wasi_posix_sockets::bindings::wasi::sockets::instance_network::instance_network;
use wasi_posix_sockets::bindings::wasi::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, Network,
};
use wasi_posix_sockets::bindings::wasi::sockets::tcp::TcpSocket;
use wasi_posix_sockets::bindings::wasi::sockets::tcp_create_socket::create_tcp_socket;
use wasi_posix_sockets::bindings::wasi::sockets::udp::OutgoingDatagram;
use wasi_posix_sockets::bindings::wasi::sockets::udp_create_socket::create_udp_socket;

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
    if v6 { IpAddressFamily::Ipv6 } else { IpAddressFamily::Ipv4 }
}

/// A connection: its streams and their pollables (children first, then the socket).
struct Conn {
    inp: Pollable,
    outp: Pollable,
    input: InputStream,
    output: OutputStream,
    _sock: TcpSocket,
}

fn connect(net: &Network, v6: bool, port: u16) -> Conn {
    let sock = create_tcp_socket(family(v6)).expect("socket");
    sock.start_connect(net, addr(v6, port)).expect("start_connect");
    let p = sock.subscribe();
    let (input, output) = loop {
        match sock.finish_connect() {
            Ok(s) => break s,
            Err(ErrorCode::WouldBlock) => p.block(),
            Err(e) => panic!("connect: {e:?}"),
        }
    };
    drop(p);
    Conn {
        inp: input.subscribe(),
        outp: output.subscribe(),
        input,
        output,
        _sock: sock,
    }
}

impl Conn {
    /// Write all of `data`: as much as each permit allows, blocking when there is none.
    fn write_all(&self, mut data: &[u8]) {
        while !data.is_empty() {
            let n = self.output.check_write().expect("check_write") as usize;
            if n == 0 {
                self.outp.block();
                continue;
            }
            let k = n.min(data.len());
            self.output.write(&data[..k]).expect("write");
            data = &data[k..];
        }
    }

    /// Read exactly `n` bytes (blocking on the input pollable when nothing is there).
    fn read_exact(&self, mut n: usize) {
        while n > 0 {
            match self.input.read(n as u64) {
                Ok(d) if d.is_empty() => self.inp.block(),
                Ok(d) => n -= d.len(),
                Err(e) => panic!("read: {e:?}"),
            }
        }
    }
}

fn bulk_send(net: &Network, v6: bool, port: u16, mib: usize) {
    let c = connect(net, v6, port);
    let buf = vec![b'x'; 1 << 20];
    let t0 = Instant::now();
    for _ in 0..mib {
        c.write_all(&buf);
    }
    // The sink answers "K" at end of stream.
    c.output.flush().ok();
    loop {
        match c.output.check_write() {
            Ok(0) => c.outp.block(),
            _ => break,
        }
    }
    c._sock.shutdown(wasi_posix_sockets::bindings::wasi::sockets::tcp::ShutdownType::Send).ok();
    c.read_exact(1);
    println!("RESULT bulk_send_mibps {:.1}", mib as f64 / t0.elapsed().as_secs_f64());
}

fn bulk_recv(net: &Network, v6: bool, port: u16, mib: usize) {
    let c = connect(net, v6, port);
    let want = (mib as u64) << 20;
    c.write_all(&want.to_ne_bytes());
    let t0 = Instant::now();
    let mut left = want;
    while left > 0 {
        match c.input.read(65536) {
            Ok(d) if d.is_empty() => c.inp.block(),
            Ok(d) => left -= d.len() as u64,
            Err(e) => panic!("read: {e:?}"),
        }
    }
    println!("RESULT bulk_recv_mibps {:.1}", mib as f64 / t0.elapsed().as_secs_f64());
}

fn pingpong(net: &Network, v6: bool, port: u16, rounds: usize) {
    let c = connect(net, v6, port);
    let msg = [b'p'; 64];
    let exchange = || {
        c.output.blocking_write_and_flush(&msg).expect("write");
        c.read_exact(64);
    };
    for _ in 0..1000 {
        exchange();
    }
    let mut t: Vec<u128> = (0..rounds)
        .map(|_| {
            let t0 = Instant::now();
            exchange();
            t0.elapsed().as_nanos()
        })
        .collect();
    t.sort_unstable();
    println!("RESULT pingpong_p50_us {:.2}", t[rounds / 2] as f64 / 1e3);
    println!("RESULT pingpong_p99_us {:.2}", t[rounds * 99 / 100] as f64 / 1e3);
}

fn churn(net: &Network, v6: bool, port: u16, cycles: usize) {
    let t0 = Instant::now();
    for _ in 0..cycles {
        let c = connect(net, v6, port);
        loop {
            match c.input.read(1) {
                Ok(d) if d.is_empty() => c.inp.block(),
                Ok(_) => panic!("churn: data where end of stream was expected"),
                Err(StreamError::Closed) => break,
                Err(e) => panic!("churn: {e:?}"),
            }
        }
    }
    println!("RESULT churn_cps {:.0}", cycles as f64 / t0.elapsed().as_secs_f64());
}

fn udp(net: &Network, v6: bool, port: u16, count: usize) {
    let s = create_udp_socket(family(v6)).expect("udp socket");
    let any = if v6 {
        IpSocketAddress::Ipv6(Ipv6SocketAddress { port: 0, flow_info: 0, address: (0, 0, 0, 0, 0, 0, 0, 0), scope_id: 0 })
    } else {
        IpSocketAddress::Ipv4(Ipv4SocketAddress { port: 0, address: (0, 0, 0, 0) })
    };
    s.start_bind(net, any).expect("bind");
    s.finish_bind().expect("finish_bind");
    let (incoming, outgoing) = s.stream(Some(addr(v6, port))).expect("stream");
    let (inp, outp) = (incoming.subscribe(), outgoing.subscribe());
    let send = |data: &[u8]| loop {
        match outgoing.check_send() {
            Ok(0) => outp.block(),
            Ok(_) => {
                if outgoing.send(&[OutgoingDatagram { data, remote_address: None }]).expect("send") == 1 {
                    break;
                }
            }
            Err(e) => panic!("check_send: {e:?}"),
        }
    };
    let dgram = [b'u'; 1024];
    send(b"RESET");
    let t0 = Instant::now();
    for _ in 0..count {
        send(&dgram);
    }
    let dt = t0.elapsed().as_secs_f64();
    let mut got = None;
    for _ in 0..20 {
        send(b"END");
        let timer = wasi_posix_sockets::bindings::wasi::clocks::monotonic_clock::subscribe_duration(200_000_000);
        poll(&[&inp, &timer]);
        if let Some(d) = incoming.receive(1).expect("receive").into_iter().next()
            && d.data.len() == 8
        {
            got = Some(u64::from_ne_bytes(d.data[..8].try_into().unwrap()));
            break;
        }
    }
    let got = got.expect("udp: the server did not report");
    drop((inp, outp));
    println!("RESULT udp_dps {:.0}", count as f64 / dt);
    println!("RESULT udp_loss_pct {:.2}", 100.0 * (count as f64 - got as f64) / count as f64);
}

fn calls(net: &Network, v6: bool, port: u16, n: usize) {
    let c = connect(net, v6, port);
    let t0 = Instant::now();
    for _ in 0..n {
        // The best a guest does for "anything to read?": ask the pollable (a read that finds
        // nothing makes the host zero a buffer).
        assert!(!c.inp.ready());
    }
    let t1 = Instant::now();
    for _ in 0..n {
        assert!(!poll_now(&c.inp));
    }
    let t2 = Instant::now();
    println!("RESULT recv_ns {:.0}", (t1 - t0).as_nanos() as f64 / n as f64);
    println!("RESULT poll_ns {:.0}", (t2 - t1).as_nanos() as f64 / n as f64);
}

/// A poll with timeout 0 over one socket: its readiness, no clock.
fn poll_now(p: &Pollable) -> bool {
    p.ready()
}

fn reqresp(net: &Network, v6: bool, port: u16, requests: usize, clients: usize) {
    let conns: Vec<Conn> = (0..clients).map(|_| connect(net, v6, port)).collect();
    // The best strategy sends each request as one write.
    let req = [b'h'; 128 + 256];
    let mut got = vec![usize::MAX; clients];
    let (mut left, mut inflight) = (requests, 0);
    let t0 = Instant::now();
    for (i, c) in conns.iter().enumerate() {
        if left == 0 {
            break;
        }
        c.write_all(&req);
        got[i] = 0;
        left -= 1;
        inflight += 1;
    }
    while inflight > 0 {
        let waiting: Vec<usize> = (0..clients).filter(|&i| got[i] != usize::MAX).collect();
        let ps: Vec<&Pollable> = waiting.iter().map(|&i| &conns[i].inp).collect();
        for k in poll(&ps) {
            let i = waiting[k as usize];
            let c = &conns[i];
            match c.input.read((512 - got[i]) as u64) {
                Ok(d) => got[i] += d.len(),
                Err(e) => panic!("reqresp: {e:?}"),
            }
            if got[i] < 512 {
                continue;
            }
            inflight -= 1;
            got[i] = usize::MAX;
            if left > 0 {
                left -= 1;
                inflight += 1;
                c.write_all(&req);
                got[i] = 0;
            }
        }
    }
    println!("RESULT reqresp{clients}_rps {:.0}", requests as f64 / t0.elapsed().as_secs_f64());
}

fn idle(net: &Network, port: u16, idle: usize, rounds: usize) {
    let conns: Vec<Conn> = (0..=idle).map(|_| connect(net, false, port)).collect();
    let active = &conns[idle];
    let list: Vec<&Pollable> = conns.iter().map(|c| &c.inp).collect();
    let msg = [b'i'; 64];
    let mut waits = 0u64;
    let mut times = Vec::with_capacity(rounds);
    let mut round = |record: bool| {
        let t0 = Instant::now();
        active.output.blocking_write_and_flush(&msg).expect("write");
        let mut got = 0;
        while got < msg.len() {
            let ready = poll(&list);
            waits += u64::from(record);
            if ready.contains(&(idle as u32)) {
                got += active.input.read((msg.len() - got) as u64).expect("read").len();
            }
        }
        if record {
            times.push(t0.elapsed().as_nanos());
        }
    };
    for _ in 0..rounds.min(200) {
        round(false);
    }
    println!("MARK start");
    for _ in 0..rounds {
        round(true);
    }
    println!("MARK end");
    times.sort_unstable();
    println!("RESULT idle_rtt_us {:.2}", times[times.len() / 2] as f64 / 1e3);
    println!("RESULT idle_waits {waits}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 || args[1] != "run" {
        eprintln!("usage: floor run <test> <port> <n> [4|6]");
        std::process::exit(64);
    }
    let (test, port, n) = (args[2].as_str(), args[3].parse::<u16>().unwrap(), args[4].parse::<usize>().unwrap());
    let v6 = args.get(5).is_some_and(|f| f == "6");
    let net = instance_network();
    match test {
        "bulk_send" => bulk_send(&net, v6, port, n),
        "bulk_recv" => bulk_recv(&net, v6, port, n),
        "pingpong" => pingpong(&net, v6, port, n),
        "churn" => churn(&net, v6, port, n),
        "udp" => udp(&net, v6, port, n),
        "calls" => calls(&net, v6, port, n),
        "reqresp1" => reqresp(&net, v6, port, n, 1),
        "reqresp50" => reqresp(&net, v6, port, n, 50),
        "idle" => idle(&net, port, n, args.get(5).map_or(1000, |r| r.parse().unwrap())),
        _ => {
            eprintln!("unknown test {test}");
            std::process::exit(64);
        }
    }
}
