#!/usr/bin/env python3
"""`make bench`: bench/bench.c built four ways, and the floor, run side by side against native
servers on loopback, one table with the ratios.

    native      gcc -O2
    this        wasm32-wasip1 + wasi-posix-sockets (bin/wasi-sockets-cc -O2), under wasmtime
    this-p2     wasm32-wasip2 + wasi-posix-sockets (bin/wasi-sockets-cc --target=wasm32-wasip2 -O2)
    wasi-libc   wasm32-wasip2 + wasi-libc's own socket layer (the peer), under wasmtime
    floor       bench/floor: the same tests done directly on wasi:sockets 0.2, no POSIX (Rust),
                under wasmtime: what any guest-side library can at best reach on this host
    floor-p3    bench/floor-p3: the same on wasi:sockets 0.3 (component-model streams, futures and
                a waitable set kept across waits); its own table, "wasi:sockets 0.3" (p3_table)

A last test is a Rust program, tests/rust-p2/tokio_echo (tokio on mio's poll selector): 64-byte
echo round trips through the native echo server, built for wasm32-wasip2 with this library and
without it (on wasi-libc's own sockets); only those two columns have its figures.

UDP under load (udpload_send, udpload_recv): 1,460-byte datagrams paced at 1 Gbit/s for 2 s,
from the build under test to a native receiver and from a native sender to it (`bench serve
udpload`); loss, the rate sent, and the CPU time of both processes (user + system, from
/proc/<pid>/stat, between the client's MARK lines) over that wall time; the worst run's loss too.
The floor has no such test.

Real programs (scripts/bench_real.py): curl downloading 1 GiB from a native HTTP server
(`bench serve http`) and a hiredis PING loop against redis-server, each as built by
tests/real/build.sh for wasm32-wasip1 and natively (built on demand, cached in build/real; when
that build cannot be made the figures are skipped with the reason). Not in --quick.

Each figure is the median of BENCH_RUNS runs (default 5). The machine is noisy: the ratios are
what counts. Writes the table to build/bench/results.md as well. A second table is "one active
connection among N idle ones" (scripts/bench_idle.py: native epoll, wasm epoll, wasm poll and the
host's floor, a bare wasi:io/poll.poll guest).

    python3 scripts/bench.py [--runs N] [--quick] [-k TEST]   (-k idle: the second table only;
                                                               -k udpload, -k real, -k curl, ...)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench"
SRC = ROOT / "bench" / "bench.c"


def env() -> dict[str, str]:
    out = subprocess.run(["bash", "-c", f"source {ROOT}/scripts/env.sh && env"],
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


E = env()
WASMTIME = E["WSP_WASMTIME"]


def build() -> dict[str, list[str]]:
    OUT.mkdir(parents=True, exist_ok=True)
    native, p1, p2 = OUT / "bench-native", OUT / "bench-p1.wasm", OUT / "bench-p2.wasm"
    this_p2 = OUT / "bench-this-p2.wasm"
    cmds = [
        ["gcc", "-O2", "-o", str(native), str(SRC)],
        [str(ROOT / "bin" / "wasi-sockets-cc"), "-O2", "-o", str(p1), str(SRC)],
        [str(ROOT / "bin" / "wasi-sockets-cc"), "--target=wasm32-wasip2", "-O2", "-o", str(this_p2), str(SRC)],
        [E["WSP_CC"], "--target=wasm32-wasip2", f"--sysroot={E['WSP_SYSROOT']}", "-O2",
         f"-fuse-ld={E['WSP_COMPONENT_LD']}", "-o", str(p2), str(SRC)],
    ]
    for c in cmds:
        subprocess.run(c, check=True)
    floor_dir = ROOT / "target" / "floor"
    subprocess.run([str(ROOT / "scripts" / "rust-wasm.sh"), "build", "--release", "--quiet",
                    "--manifest-path", str(ROOT / "bench" / "floor" / "Cargo.toml")],
                   check=True, env={**os.environ, "CARGO_TARGET_DIR": str(floor_dir)})
    floor = floor_dir / "wasm32-wasip1" / "release" / "floor.wasm"
    run = [WASMTIME, "run", "-S", "inherit-network"]
    return {"native": [str(native)], "this": [*run, str(p1)], "this-p2": [*run, str(this_p2)],
            "wasi-libc": [*run, str(p2)], "floor": [*run, str(floor)]}


def build_floor_p3() -> list[str]:
    """bench/floor-p3 (wasi:sockets 0.3): built like bench/floor and in its target directory, so
    the standard library built for one serves both. wasmtime 48 serves WASI 0.3 and the component
    model's async ABI by default (`-S p3` is written out anyway) and runs the component's
    `wasi:cli/run@0.3.0` export."""
    floor_dir = ROOT / "target" / "floor"
    subprocess.run([str(ROOT / "scripts" / "rust-wasm.sh"), "build", "--release", "--quiet",
                    "--manifest-path", str(ROOT / "bench" / "floor-p3" / "Cargo.toml")],
                   check=True, env={**os.environ, "CARGO_TARGET_DIR": str(floor_dir)})
    return [WASMTIME, "run", "-S", "inherit-network", "-S", "p3",
            str(floor_dir / "wasm32-wasip1" / "release" / "floor-p3.wasm")]


# The figures both floors have, for the wasi:sockets 0.3 table, and two that only the 0.3 floor
# reports: key -> (label, unit, higher is better).
P3_FIGURES = ["bulk_send_mibps", "bulk_recv_mibps", "pingpong_p50_us", "pingpong_p99_us", "churn_cps",
              "udp_dps", "udp_loss_pct", "recv_ns", "poll_ns", "reqresp1_rps", "reqresp50_rps"]
P3_ONLY = {
    "bulk_send_write_kib": ("bulk send: bytes one stream write moved, on average (0.2: at most 64 KiB "
                            "per check-write)", "KiB", True),
    "poll_queued_ns": ("waitable-set.poll alone (sees only events the host queued before)", "ns/call", False),
}


def p3_table(med: dict[str, dict[str, float]]) -> str:
    """The wasi:sockets 0.3 floor against the 0.2 floor (and this library, which runs on 0.2)."""
    lines = [
        "| figure (wasi:sockets 0.3) | unit | native | this library | floor (0.2) | floor 0.3 "
        "| floor 0.3 / floor 0.2 | this / floor 0.3 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in [*P3_FIGURES, *P3_ONLY]:
        if key not in med.get("floor-p3", {}):
            continue
        label, unit, higher = FIGURES[key] if key in FIGURES else P3_ONLY[key]
        n, t, f, f3 = (med[v].get(key) for v in ("native", "this", "floor", "floor-p3"))
        better = "higher is better" if higher else "lower is better"
        lines.append(f"| {label} | {unit} ({better}) | {fmt(n)} | {fmt(t)} | {fmt(f)} | {fmt(f3)} | "
                     f"{ratio(f3, f)} | {ratio(t, f3)} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def build_tokio() -> dict[str, list[str]]:
    """tokio_echo for wasm32-wasip2, with this library and on wasi-libc's own sockets
    (scripts/build-rust-p2.sh builds both; cargo keeps them fresh)."""
    subprocess.run([str(ROOT / "scripts" / "build-rust-p2.sh")], check=True, stdout=subprocess.DEVNULL)
    run = [WASMTIME, "run", "-S", "inherit-network"]
    out = ROOT / "build" / "rust-p2"
    return {"this-p2": [*run, str(out / "tokio_echo.wasm")],
            "wasi-libc": [*run, str(out / "tokio_echo_wasi_libc.wasm")]}


class Server:
    def __init__(self, native: str, mode: str, *extra: str):
        self.p = subprocess.Popen([native, "serve", mode, "4", *extra], stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            raise RuntimeError(f"server {mode} printed {line!r}")
        self.port = int(m.group(1))

    def close(self):
        self.p.kill()
        self.p.wait()


# (test, server mode, argument, quick argument)
TESTS = [
    ("bulk_send", "sink", 256, 32),
    ("bulk_recv", "source", 256, 32),
    ("pingpong", "echo", 20000, 2000),
    ("churn", "churn", 5000, 500),
    ("udp", "udp", 100000, 10000),
    ("calls", "idle", 1000000, 100000),
    ("reqresp1", "reply", 2000, 200),
    ("reqresp50", "reply", 20000, 2000),
    ("udpload_send", "udpload", 2000, 200),
    ("udpload_recv", "udpload", 2000, 200),
    ("udpburst", "udpload", 200000, 20000),
    ("udpburst_mmsg", "udpload", 200000, 20000),
]
# Tests that not every build runs (bench/floor has no UDP load test).
ONLY = {"udpload_send": ("native", "this", "this-p2", "wasi-libc"),
        "udpload_recv": ("native", "this", "this-p2", "wasi-libc"),
        "udpburst": ("native", "this", "this-p2", "wasi-libc"),
        "udpburst_mmsg": ("native", "this", "this-p2")}
# Tests whose client frames the measured part with MARK lines: their CPU time is read (key prefix).
MARKED = {"udpload_send": "udpl_send", "udpload_recv": "udpl_recv", "udpburst": "udpb_send",
          "udpburst_mmsg": "udpb_mmsg"}
# The receiving socket's SO_RCVBUF in the UDP load tests: what a program that receives 1 Gbit/s asks
# for (the kernel caps it at net.core.rmem_max and doubles it); with the default (about 208 KiB:
# 1 ms of this traffic) any pause of the receiver loses datagrams, natively too (BENCHMARKS.md).
UDP_BUF = 4 << 20
# Figures that are the worst run rather than the median: key -> the per-run key it takes.
WORST = {"udpl_send_loss_worst": "udpl_send_loss_pct", "udpl_recv_loss_worst": "udpl_recv_loss_pct"}

# key -> (label, unit, higher is better)
FIGURES = {
    "bulk_send_mibps": ("TCP bulk, wasm sending 256 MiB", "MiB/s", True),
    "bulk_recv_mibps": ("TCP bulk, wasm receiving 256 MiB", "MiB/s", True),
    "pingpong_p50_us": ("64-byte ping-pong, p50 (20,000 round trips)", "us", False),
    "pingpong_p99_us": ("64-byte ping-pong, p99", "us", False),
    "churn_cps": ("connect / peer closes / close (5,000 cycles)", "cycles/s", True),
    "udp_dps": ("UDP 1 KiB datagrams sent (100,000)", "datagrams/s", True),
    "udp_loss_pct": ("UDP loss at that rate", "%", False),
    "recv_ns": ("non-blocking recv on an empty socket", "ns/call", False),
    "poll_ns": ("poll, timeout 0, nothing ready", "ns/call", False),
    "reqresp1_rps": ("keep-alive request/response, request in two writes, TCP_NODELAY, 1 connection",
                     "requests/s", True),
    "reqresp50_rps": ("the same, 50 connections", "requests/s", True),
    "udpl_send_loss_pct": ("UDP under load: 1,460-byte datagrams paced at 1 Gbit/s for 2 s, wasm sending "
                           "to a native receiver, loss", "%", False),
    "udpl_send_loss_worst": ("the same, the worst run's loss", "%", False),
    "udpl_send_mbps": ("the same, rate sent", "Mbit/s", True),
    "udpl_send_cpu_pct": ("the same, the sender's CPU (user + system over wall time)", "% of a CPU", False),
    "udpl_send_peer_cpu_pct": ("the same, the native receiver's CPU", "% of a CPU", False),
    "udpl_recv_loss_pct": ("UDP under load, a native sender at 1 Gbit/s for 2 s, wasm receiving, loss",
                           "%", False),
    "udpl_recv_loss_worst": ("the same, the worst run's loss", "%", False),
    "udpl_recv_cpu_pct": ("the same, the receiver's CPU", "% of a CPU", False),
    "udpl_recv_peer_cpu_pct": ("the same, the native sender's CPU", "% of a CPU", False),
    "udpb_send_dps": ("UDP 1,460-byte datagrams sent unpaced, one send() each (200,000)", "datagrams/s",
                      True),
    "udpb_send_cpu_us": ("the same, the sender's CPU per datagram", "us", False),
    "udpb_mmsg_dps": ("the same, 16 per sendmmsg()", "datagrams/s", True),
    "udpb_mmsg_cpu_us": ("the same, the sender's CPU per datagram", "us", False),
    "curl_mibps": ("curl (as built by tests/real) downloading 1 GiB from a native server to /dev/null",
                   "MiB/s", True),
    "hiredis_ping_rps": ("hiredis (as built by tests/real) PING loop against redis-server (20,000 PINGs)",
                         "requests/s", True),
    "tokio_p50_us": ("tokio (Rust, wasip2) 64-byte echo round trip, p50 (20,000)", "us", False),
    "tokio_p99_us": ("tokio echo round trip, p99", "us", False),
}
# The tokio program's test: (server mode, argument, quick argument).
TOKIO = ("echo", 20000, 2000)


# wasmtime captures a backtrace for every error a host call returns (a `would-block`, say) when
# RUST_BACKTRACE is set, which some shells export; that is a debugging setting, not how a
# runtime is deployed, so the benchmark runs without it.
RUN_ENV = {k: v for k, v in os.environ.items() if k not in ("RUST_BACKTRACE", "RUST_LIB_BACKTRACE")}


def run_test(cmd: list[str], test: str, port: int, arg: int) -> dict[str, float]:
    r = subprocess.run([*cmd, "run", test, str(port), str(arg)], capture_output=True, text=True,
                       timeout=600, env=RUN_ENV)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[-1]} {test}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^RESULT (\w+) ([\d.]+)$", r.stdout, re.M)}


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of process `pid` so far, every thread, exited ones included
    (/proc/<pid>/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def run_marked(cmd: list[str], test: str, port: int, arg: int, peer: int, extra: list[str]) -> dict[str, float]:
    """A client that frames its measured part with "MARK start" / "MARK end": its results, plus
    the CPU time it and the server (`peer`, a pid) spent between the marks over the wall time
    between them, in % of one CPU (`<prefix>_cpu_pct`, `<prefix>_peer_cpu_pct`)."""
    p = subprocess.Popen([*cmd, "run", test, str(port), str(arg), *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=RUN_ENV)
    results: dict[str, float] = {}
    marks: dict[str, tuple[float, int, int]] = {}
    for line in p.stdout:
        if line.startswith("MARK "):
            marks[line.split()[1]] = (time.monotonic(), cpu_ticks(p.pid), cpu_ticks(peer))
        elif m := re.match(r"^RESULT (\w+) ([\d.]+)$", line.strip()):
            results[m.group(1)] = float(m.group(2))
    err = p.stderr.read()
    if p.wait(600) != 0 or set(marks) != {"start", "end"}:
        raise RuntimeError(f"{cmd[-1]} {test}: exit {p.returncode}\n{err[-2000:]}")
    (t0, c0, s0), (t1, c1, s1) = marks["start"], marks["end"]
    hz, prefix = os.sysconf("SC_CLK_TCK"), MARKED[test]
    results[f"{prefix}_cpu_pct"] = 100 * (c1 - c0) / hz / (t1 - t0)
    results[f"{prefix}_peer_cpu_pct"] = 100 * (s1 - s0) / hz / (t1 - t0)
    if n := results.get(f"{prefix}_n"):  # a count of things done: the CPU time per thing
        results[f"{prefix}_cpu_us"] = 1e6 * (c1 - c0) / hz / n
    return results


def run_tokio(cmd: list[str], port: int, arg: int) -> dict[str, float]:
    r = subprocess.run([*cmd, "--bench", str(port), str(arg)], capture_output=True, text=True,
                       timeout=600, env=RUN_ENV)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[-1]}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^RESULT (\w+) ([\d.]+)$", r.stdout, re.M)}


def fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}"


def ratio(v: float | None, base: float | None) -> str:
    if v is None or not base:
        return "-"
    return f"{v / base:.2f}x"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    ap.add_argument("-k", help="only tests whose name contains this")
    ap.add_argument("--udp-buf", type=int, default=int(os.environ.get("BENCH_UDP_BUF", str(UDP_BUF))),
                    help="SO_RCVBUF of the receiving socket in the UDP load tests (0: the system's default)")
    args = ap.parse_args()
    variants = build()
    variants["floor-p3"] = build_floor_p3()
    results: dict[str, dict[str, list[float]]] = {v: {} for v in variants}
    t0 = time.monotonic()
    tests = [] if args.k == "idle" else TESTS
    for test, mode, full, quick in tests:
        if args.k and args.k not in test:
            continue
        # The UDP load tests' receiving socket (the server's or the client's) asks for --udp-buf.
        extra = [str(args.udp_buf)] if test.startswith("udpload") else []
        client_extra = ["4", *extra] if test == "udpload_recv" else []
        srv = Server(variants["native"][0], mode, *extra)
        arg = quick if args.quick else full
        try:
            for i in range(args.runs):
                # Interleave the variants so drift on a noisy machine hits all of them alike.
                for name, cmd in variants.items():
                    if name not in ONLY.get(test, variants):
                        continue
                    got = (run_marked(cmd, test, srv.port, arg, srv.p.pid, client_extra) if test in MARKED
                           else run_test(cmd, test, srv.port, arg))
                    for worst, key in WORST.items():
                        if key in got:
                            got[worst] = got[key]
                    for k, v in got.items():
                        results[name].setdefault(k, []).append(v)
            print(f"{test}: done ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
        finally:
            srv.close()
    if not args.k or args.k in "tokio":
        tokio = build_tokio()
        mode, full, quick = TOKIO
        srv = Server(variants["native"][0], mode)
        try:
            for i in range(args.runs):
                for name, cmd in tokio.items():
                    for k, v in run_tokio(cmd, srv.port, quick if args.quick else full).items():
                        results[name].setdefault(k, []).append(v)
            print(f"tokio: done ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
        finally:
            srv.close()

    skipped = []
    if not args.k or any(args.k in n for n in ("real", "curl", "hiredis")):
        import bench_real
        skipped = bench_real.run(variants["native"][0], [WASMTIME, "run", "-S", "inherit-network"],
                                 RUN_ENV, args.runs, args.quick, args.k, results,
                                 lambda m: print(m, file=sys.stderr))

    idle = ""
    if not args.k or args.k in "idle":
        import bench_idle
        idle = bench_idle.run(variants["native"][0], variants["this"], variants["floor"], RUN_ENV,
                              args.runs, args.quick, lambda m: print(m, file=sys.stderr),
                              floor_p3=variants["floor-p3"])
    med = {v: {k: (max if k in WORST else statistics.median)(xs) for k, xs in r.items()}
           for v, r in results.items()}
    lines = [
        "| figure | unit | native | this library | this library (wasip2) | wasi-libc (wasip2) | floor "
        "| this / native | this / wasi-libc | this wasip2 / wasi-libc | this / floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, (label, unit, higher) in FIGURES.items():
        if not any(key in m for m in med.values()):
            continue
        n, t, t2 = med["native"].get(key), med["this"].get(key), med["this-p2"].get(key)
        p, f = med["wasi-libc"].get(key), med["floor"].get(key)
        better = "higher is better" if higher else "lower is better"
        lines.append(f"| {label} | {unit} ({better}) | {fmt(n)} | {fmt(t)} | {fmt(t2)} | {fmt(p)} | "
                     f"{fmt(f)} | {ratio(t, n)} | {ratio(t, p)} | {ratio(t2, p)} | {ratio(t, f)} |")
    table = "\n".join(lines) if len(lines) > 2 else ""
    if p3 := p3_table(med):
        table += ("\n\n" if table else "") + "wasi:sockets 0.3 (bench/floor-p3):\n\n" + p3
    if idle:
        table += "\n\n" if table else ""
        table += "One active connection among N idle ones (64-byte round trips):\n\n" + idle
    print(table)
    note = (f"\nMedian of {args.runs} runs{' (quick sizes)' if args.quick else ''}; "
            f"{subprocess.run([WASMTIME, '--version'], capture_output=True, text=True).stdout.strip()}; "
            f"{os.cpu_count()} CPUs.\n")
    if any(k.startswith("udpl_") for m in med.values() for k in m):
        buf = f"{args.udp_buf:,} bytes" if args.udp_buf else "the system's default"
        note += f"UDP under load: the receiving socket's SO_RCVBUF is {buf}. Loss in each run, in order:\n"
        for key in WORST.values():
            runs = "; ".join(f"{v} " + ", ".join(f"{x:.2f}" for x in r[key]) for v, r in results.items() if key in r)
            note += f"- {key}: {runs}\n"
    note += "".join(f"\n{s}" for s in skipped) + ("\n" if skipped else "")
    print(note)
    (OUT / "results.md").write_text(table + "\n" + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
