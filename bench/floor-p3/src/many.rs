//! The tests over many connections: request/response on 1 or 50 keep-alive connections, and one
//! active connection among many idle ones (`scripts/bench_idle.py`). Both keep a read in flight
//! on every connection that waits for data, all in the program's one waitable set.

use crate::raw::{self, Code, Set};
use crate::{Conn, Stats, connect, note};
use std::time::Instant;

/// Keep-alive request/response over `clients` connections: a read kept in flight on every
/// connection waiting for its reply, one `waitable-set.wait` per event.
pub async fn reqresp(set: &Set, v6: bool, port: u16, requests: usize, clients: usize) {
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        conns.push(Conn::new(v6, port).await);
    }
    let mut slot = std::collections::HashMap::new();
    for (i, c) in conns.iter().enumerate() {
        set.join(c.tx.handle());
        set.join(c.rx.handle());
        slot.insert(c.rx.handle(), i);
    }
    // The best strategy sends each request as one write.
    let req = [b'h'; 128 + 256];
    let mut bufs = vec![[0u8; 512]; clients];
    let mut got = vec![0usize; clients];
    let (mut left, mut inflight) = (requests, 0usize);
    let mut st = Stats::default();
    // Read connection i's reply until it is complete or a read blocks; a complete reply is
    // followed by the next request while any are left.
    type Bufs = Vec<[u8; 512]>;
    let advance = |i: usize,
                   got: &mut [usize],
                   bufs: &mut Bufs,
                   left: &mut usize,
                   inflight: &mut usize,
                   st: &mut Stats| loop {
        if got[i] == 512 {
            *inflight -= 1;
            if *left == 0 {
                return;
            }
            *left -= 1;
            *inflight += 1;
            conns[i].write_all(set, &req, st);
            got[i] = 0;
        }
        match raw::read(conns[i].rx.handle(), &mut bufs[i][got[i]..]) {
            Code::Blocked => return,
            Code::Completed(n) => got[i] += n,
            other => panic!("reqresp: {other:?}"),
        }
    };
    let t0 = Instant::now();
    for i in 0..clients.min(requests) {
        // As if a reply had just completed: `advance` sends the first request.
        got[i] = 512;
        inflight += 1;
        advance(i, &mut got, &mut bufs, &mut left, &mut inflight, &mut st);
    }
    while inflight > 0 {
        let (h, code) = set.wait();
        let i = slot[&h];
        match code {
            Code::Completed(n) => got[i] += n,
            other => panic!("reqresp: {other:?}"),
        }
        advance(i, &mut got, &mut bufs, &mut left, &mut inflight, &mut st);
    }
    println!(
        "RESULT reqresp{clients}_rps {:.0}",
        requests as f64 / t0.elapsed().as_secs_f64()
    );
    note(&format!("reqresp{clients}"), &st);
}

pub async fn idle(set: &Set, port: u16, idle: usize, rounds: usize) {
    // The idle connections need only their receive stream; the active one both.
    let mut idle_rx = Vec::with_capacity(idle);
    for _ in 0..idle {
        let sock = connect(false, port).await;
        let (rx, received) = sock.receive();
        idle_rx.push((rx, received, sock));
    }
    let active = Conn::new(false, port).await;
    // One read in flight on every idle connection, each stream in the set once, for good.
    let mut idle_bufs = vec![[0u8; 64]; idle];
    for ((rx, _, _), b) in idle_rx.iter().zip(idle_bufs.iter_mut()) {
        set.join(rx.handle());
        assert_eq!(raw::read(rx.handle(), b), Code::Blocked);
    }
    let (ah, th) = (active.rx.handle(), active.tx.handle());
    set.join(ah);
    set.join(th);
    let msg = [b'i'; 64];
    let mut buf = [0u8; 64];
    let mut st = Stats::default();
    let mut waits = 0u64;
    let mut times = Vec::with_capacity(rounds);
    let mut round = |record: bool, st: &mut Stats| {
        let t0 = Instant::now();
        active.write_all(set, &msg, st);
        let mut got = 0;
        while got < msg.len() {
            match raw::read(ah, &mut buf[got..]) {
                Code::Completed(n) => got += n,
                Code::Blocked => {
                    let (h, code) = set.wait();
                    waits += u64::from(record);
                    assert_eq!(h, ah, "idle: an idle connection reported");
                    match code {
                        Code::Completed(n) => got += n,
                        other => panic!("idle: {other:?}"),
                    }
                }
                other => panic!("idle: {other:?}"),
            }
        }
        if record {
            times.push(t0.elapsed().as_nanos());
        }
    };
    for _ in 0..rounds.min(200) {
        round(false, &mut st);
    }
    println!("MARK start");
    for _ in 0..rounds {
        round(true, &mut st);
    }
    println!("MARK end");
    times.sort_unstable();
    println!(
        "RESULT idle_rtt_us {:.2}",
        times[times.len() / 2] as f64 / 1e3
    );
    println!("RESULT idle_waits {waits}");
    for (rx, _, _) in &idle_rx {
        set.leave(rx.handle());
        assert_eq!(raw::cancel_read(rx.handle()), Code::Cancelled(0));
    }
}
