"""`make bench`'s "one active connection among N idle ones" (scripts/bench.py runs it after the
main table): N idle connections and one active one to a native epoll echo server (`bench serve
many`); 64-byte round trips on the active one, each waited for by

    native epoll   bench/bench.c (gcc), Linux's epoll
    wasm epoll     bench/bench.c (wasm32-wasip1 + this library), epoll_wait
    wasm poll      the same program, poll over all N + 1 descriptors
    floor          bench/floor's `idle` test (Rust on the wasi:sockets bindings, no POSIX layer):
                   one wasi:io/poll.poll over every connection's input pollable per wait, the
                   host's floor for a wait on wasi 0.2, which takes the whole list on every call
    floor 0.3      bench/floor-p3's `idle` test: a read kept in flight on every connection, all
                   of them in one waitable set that lives across waits, one waitable-set.wait per
                   wait (wasi:sockets 0.3: the host keeps the set, the wait is not handed N items)

Two servers: `many` echoes at once, `manyslow` 1 ms late, so that every wait must block on the
host (the case the floor bounds). Figures: the round trip's p50; CPU per wait (the whole
process, guest and host: its threads' CPU time between the program's "MARK start" and "MARK end"
lines, divided by the waits it counted, or by the round trips: their ratio is the waits per round
trip, since a wait that finds nothing new counts too: the floor's input pollable fires once more
after a read that emptied the stream without seeing it empty).
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import time
from pathlib import Path


# N -> round trips per run (full, quick)
SIZES = {100: (10000, 300), 1000: (4000, 200), 10000: (200, 50)}
QUICK_SIZES = {10: 300, 100: 200}
# The slow server's round trips are 1 ms at least.
SLOW_ROUNDS = {100: 1000, 1000: 1000, 10000: 150}
SLOW_QUICK = 50


def raise_fd_limit() -> None:
    """Children (wasmtime, the native client) inherit the soft limit: 10,000 connections need more
    than the usual 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def cpu_ns(pid: int) -> int:
    """CPU time so far of every live thread of `pid` (nanoseconds)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            pass
    return total


def run_one(cmd: list[str], env: dict[str, str], rounds: int) -> dict[str, float]:
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    results: dict[str, float] = {}
    cpu0 = cpu1 = 0
    for line in p.stdout:
        if line.startswith("MARK start"):
            cpu0 = cpu_ns(p.pid)
        elif line.startswith("MARK end"):
            cpu1 = cpu_ns(p.pid)
        elif m := re.match(r"^RESULT (\w+) ([\d.]+)$", line.strip()):
            results[m.group(1)] = float(m.group(2))
    err = p.stderr.read()
    if p.wait(600) != 0 or "idle_waits" not in results:
        raise RuntimeError(f"{' '.join(cmd[-5:])}: exit {p.returncode}\n{err[-2000:]}")
    results["cpu_us_per_wait"] = (cpu1 - cpu0) / 1e3 / max(results["idle_waits"], 1)
    results["cpu_us_per_rt"] = (cpu1 - cpu0) / 1e3 / rounds
    return results


class Server:
    def __init__(self, native: str, mode: str):
        self.p = subprocess.Popen([native, "serve", mode, "4"], stdout=subprocess.PIPE, text=True)
        m = re.match(r"PORT (\d+)", self.p.stdout.readline())
        if not m:
            raise RuntimeError(f"server {mode} did not start")
        self.port = int(m.group(1))

    def close(self) -> None:
        self.p.kill()
        self.p.wait()


VARIANTS = ["native epoll", "wasm epoll", "wasm poll", "floor", "floor 0.3"]


def commands(native: str, wasm: list[str], floor: list[str], port: int, n: int, rounds: int,
             floor_p3: list[str] | None = None) -> dict[str, list[str]]:
    a = [str(port), str(n), str(rounds)]
    cmds = {
        "native epoll": [native, "run", "idle_epoll", *a],
        "wasm epoll": [*wasm, "run", "idle_epoll", *a],
        "wasm poll": [*wasm, "run", "idle_poll", *a],
        "floor": [*floor, "run", "idle", *a],
    }
    if floor_p3:
        cmds["floor 0.3"] = [*floor_p3, "run", "idle", *a]
    return cmds


def fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def run(native: str, wasm: list[str], floor: list[str], env: dict[str, str], runs: int, quick: bool,
        log, floor_p3: list[str] | None = None) -> str:
    raise_fd_limit()
    sizes = QUICK_SIZES if quick else {n: r for n, (r, _) in SIZES.items()}
    rows = []
    t0 = time.monotonic()
    for mode in ("many", "manyslow"):
        for n, rounds in sizes.items():
            if mode == "manyslow":
                rounds = SLOW_QUICK if quick else SLOW_ROUNDS.get(n, 100)
            srv = Server(native, mode)
            cmds = commands(native, wasm, floor, srv.port, n, rounds, floor_p3)
            got: dict[str, dict[str, list[float]]] = {v: {} for v in cmds}
            try:
                for _ in range(runs):
                    for v in cmds:  # interleaved, so drift hits all alike
                        for k, x in run_one(cmds[v], env, rounds).items():
                            got[v].setdefault(k, []).append(x)
            finally:
                srv.close()
            med = {v: {k: statistics.median(xs) for k, xs in r.items()} for v, r in got.items()}
            rows.append((mode, n, med))
            log(f"idle {mode} N={n}: done ({time.monotonic() - t0:.0f} s)")
    p3 = floor_p3 is not None
    lines = [
        "| server | N idle | figure | native epoll | wasm epoll | wasm poll | floor"
        + (" | floor 0.3" if p3 else "") + " | epoll / floor | epoll / poll"
        + (" | floor 0.3 / floor |" if p3 else " |"),
        "|---|---:|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if p3 else ""),
    ]
    for mode, n, med in rows:
        server = "echoes at once" if mode == "many" else "echoes 1 ms late"
        for key, label in (("idle_rtt_us", "round trip p50, us"), ("cpu_us_per_wait", "CPU per wait, us"),
                           ("cpu_us_per_rt", "CPU per round trip, us")):
            vals = [med[v][key] for v in VARIANTS if v in med]
            e, p, f = vals[1], vals[2], vals[3]
            lines.append(f"| {server} | {n:,} | {label} | " + " | ".join(fmt(x) for x in vals)
                         + f" | {e / f:.2f}x | {e / p:.2f}x |" + (f" {vals[4] / f:.2f}x |" if p3 else ""))
    return "\n".join(lines)
