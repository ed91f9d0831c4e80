#!/usr/bin/env python3
"""Differential fuzzer against Linux: tests/fuzz/diff.c (with the diff_*.c beside it: see its
header, FILES) run natively (gcc) and under wasmtime (bin/wasi-sockets-cc) with the same seed,
outputs compared line by line.

    python3 tests/fuzz/diff.py --seconds 60          # fixed seeds, then random ones, for 60 s
    python3 tests/fuzz/diff.py --seed 7 --ops 412    # replay one run, show its differences
    python3 tests/fuzz/diff.py --seeds 1,2 --random 1 --ops 1500
    python3 tests/fuzz/diff.py --seconds 60 --features dup,channels,epoll   # as make test
    python3 tests/fuzz/diff.py --seed 7 --ops 412 --target wasm32-wasip2
    make fuzz SECONDS=1800                           # with the three features

diff.c prints one line per operation; the sequence of operations depends only on the seed, so a
run of N operations is a prefix of a run of more (see its header). A difference not listed in
tests/deviations.md under `## fuzz_diff` fails: the driver shrinks it to the shortest prefix that
still shows it (binary search on the number of operations, then two more runs to confirm) and
prints the seed, that prefix, the first differing line and the command that replays it. A
"settle" line in the NATIVE output means the fuzzer's own model is wrong (Linux did not deliver
what the model expected): that fails too. A trap, a non-zero exit or a hang of either side is a
difference as well.

Importable: `fuzz(seeds, ops, ...)` returns a Summary; tests/run.py's e2e_diff_fuzz calls the CLI.

What it found (issue 13). Fixed in src/, each with regression lines (tests/c/socket_states.c
unless said otherwise):
  - UDP after shutdown(SHUT_RD): datagrams still queued and delivered, FIONREAD counts them, a
    non-blocking recv with none is EAGAIN (it said 0 and dropped them) (udp_basic);
  - TCP shutdown with no connection is recorded (recv then 0, POLLIN) and kept by a later
    connection (no FIN; an accepted one inherits the listener's); a failed connect reported by
    connect reads ENOTCONN; shutdown before the failure is reported is SS_DISCONNECTING (connect,
    listen EINVAL); connect answers from the state before it reads the address;
  - SHUT_RD on a connection shut the host stream and lost what arrived later: now emulated (Linux
    delivers it); shut both ways with the FIN out, later data resets the connection as on Linux;
  - poll did not see a FIN behind unread data (POLLHUP, POLLRDHUP);
  - a listener shut for reading kept its port and its queue; a port bind did not name now goes
    back at TCP_CLOSE (bind works again, getsockname still shows it), not at the next use (a
    bind after a failed connect then a listen said EINVAL); both FINs exchanged is TCP_CLOSE
    (shutdown, getpeername ENOTCONN); connect(AF_UNSPEC) leaves ECONNRESET pending;
  - NULL buffers were EFAULT before the socket's own answer (EPIPE, ENOTCONN, EDESTADDRREQ,
    EAGAIN, a pending ICMP error); empty readv/writev went to the socket (EPIPE, EDESTADDRREQ);
    an empty datagram received into a NULL buffer lost its sender;
  - argument order: getsockopt/setsockopt read optlen/optval before refusing an unknown level,
    getpeername checked addrlen before ENOTCONN, FIONREAD on a listener said EFAULT for NULL
    before EINVAL, connect(non-socket, NULL) said ENOTSOCK before EFAULT, an IPv6 double bind
    said EADDRNOTAVAIL before EINVAL;
  - IPV6_V6ONLY could be set on a socket with a port (Linux: EINVAL);
  - UDP: poll missed an ICMP error while datagrams were held; a reconnect could drop datagrams
    the old host socket had not surfaced yet; connect(AF_UNSPEC) forgot an address bind named.
With --features dup,channels,epoll (fixed in src/ with the tests named):
  - AF_UNIX channels answered EFAULT for a NULL buffer before their own answers (EAGAIN, EPIPE,
    EISCONN, ENOTCONN, ECONNRESET, end of stream), sent an empty datagram for it, and left
    recvfrom's address length untouched at end of stream (unix_faults); the phantom datagram
    was behind the readiness differences seen (select RW, poll IN, FIONREAD, a read instead of
    EAGAIN);
  - an AF_UNIX stream peek waited for MSG_WAITALL's rest and took the pending ECONNRESET
    (socketpair_stream);
  - TCP: an empty MSG_WAITALL receive said 0, MSG_TRUNC into NULL said EFAULT, an option right
    after poll saw a connect finish said EINVAL, a port bind named was lost after a failed
    connect to another socket that listened there then (socket_states);
  - SO_LINGER turned off lost its seconds (sockopts);
and in the fuzzer's own model: epoll_wait read the model out of bounds for a stdout item, a
receive on an epoll instance looked at its readiness (which an opaque item decides), a datagram
pair's survivor keeps its queue until a send finds the peer gone, a connect that reports a
failure forgets a recorded shutdown and a new one the pending error, SO_ERROR into NULL takes
the error, a datagram socket's disconnect leaves ECONNRESET with its peer.
Forced by WASI and kept out of the output (see diff.c's header and deviations.md, fuzz_diff):
resets a WASI guest cannot send or see, wasmtime's background accept (and so options a
connection copies at accept, not at the handshake), no local address nor host options while a
connect is under way or after it failed, a lost socket after a failed listen, the ports connect
chooses, a host sysctl's AF_UNIX buffer limit. Not emulated: a listener shut down before it
listened passes its flags to its connections; bind and IPV6_V6ONLY after a TCP connection ended.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
try:  # tests/harness/ (after run.py's split into a harness and modules)
    from harness import NET, OUT, build, compare, load_deviations, wasm_cmd  # type: ignore
except ImportError:  # tests/run.py as one file
    from run import NET, OUT, build, compare, load_deviations, wasm_cmd  # type: ignore

SRC = HERE / "diff.c"
# The rest of the fuzzer, compiled with diff.c into one program (diff.c's header: FILES).
SOURCES = [HERE / f"diff_{part}.c"
           for part in ("model", "settle", "tcp", "data", "ready", "opts", "chan")]
HEADER = HERE / "diff.h"
TEST = "fuzz_diff"  # the deviations.md heading
FIXED_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
DEFAULT_OPS = 1500
FEATURES = {"dup": "DIFF_DUP", "channels": "DIFF_CHANNELS", "epoll": "DIFF_EPOLL"}
# The wasm target (--target): None is the harness's default, wasm32-wasip1.
TARGET: str | None = None


def build_pair(features: list[str]) -> tuple[Path, Path]:
    """The native and wasm builds of the fuzzer (diff.c and SOURCES) with the features' macros
    (-DDIFF_DUP=1, ...) for every file; each set of features is a program of its own, named
    after them (diff, diff_channels_dup_epoll)."""
    kw = {"sources": SOURCES, "deps": [HEADER], "name": "_".join(["diff", *sorted(features)]),
          "flags": [f"-D{FEATURES[f]}=1" for f in sorted(features)]}
    wasm = {} if TARGET is None else {"target": TARGET}
    return build(SRC, "native", **kw), build(SRC, "wasm", **kw, **wasm)


@dataclass
class Run:
    native: list[str]
    wasm: list[str]
    nstats: dict[str, int]
    wstats: dict[str, int]
    problem: str = ""  # an exit, a trap or a timeout


def _stats(err: str) -> dict[str, int]:
    m = re.search(r"^diff-stats (.*)$", err, re.M)
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())} if m else {}


def _exec(cmd: list[str], timeout: float) -> tuple[list[str], str, str]:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=OUT,
                           stdin=subprocess.DEVNULL, errors="replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return out.splitlines(), "", f"timed out after {timeout:.0f} s"
    problem = "" if r.returncode == 0 else f"exit {r.returncode}: {r.stderr.strip()[-1500:]}"
    return r.stdout.splitlines(), r.stderr, problem


def run_once(pair: tuple[Path, Path], seed: int, ops: int) -> Run:
    timeout = 60 + ops * 0.05
    args = [str(seed), str(ops)]
    nl, nerr, nprob = _exec([str(pair[0]), *args], timeout)
    wl, werr, wprob = _exec(wasm_cmd(pair[1], args=args), timeout)
    problem = (f"native {nprob}" if nprob else "") + (f"{'; ' if nprob else ''}wasm {wprob}" if wprob else "")
    return Run(nl, wl, _stats(nerr), _stats(werr), problem)


def _covered(devs, n: str | None, w: str | None) -> bool:
    return any(d.test == TEST and d.native == n and d.wasm == w for d in devs)


def first_difference(r: Run, devs) -> int | None:
    """Index of the first output line that differs (and is not a listed deviation); None if the
    outputs agree (compare() decides, with the harness's rules) and both sides exited cleanly."""
    problems = compare(TEST, r.native, r.wasm, devs)
    if not problems and not r.problem and not any(l.startswith("settle ") for l in r.native):
        return None
    for i in range(max(len(r.native), len(r.wasm))):
        n = r.native[i] if i < len(r.native) else None
        w = r.wasm[i] if i < len(r.wasm) else None
        if n != w and not _covered(devs, n, w):
            return i
        if n is not None and n.startswith("settle "):
            return i
    return max(len(r.native), len(r.wasm))  # (a problem with identical output: the end)


def ops_through(lines: list[str], idx: int) -> int:
    """How many operations a run needs to print line `idx` (line 0 is the header; each
    operation prints one line, settle lines follow the operation they belong to)."""
    n = 0
    for line in lines[1:idx + 1]:
        if not line.startswith("settle ") and not line.startswith("end"):
            n += 1
    return n


@dataclass
class Difference:
    seed: int
    ops: int
    line: int
    native: str | None
    wasm: str | None
    context: list[str]
    problem: str
    reproduced: str
    features: list[str]

    def replay(self) -> str:
        f = f" --features {','.join(self.features)}" if self.features else ""
        t = f" --target {TARGET}" if TARGET else ""
        return f"python3 tests/fuzz/diff.py --seed {self.seed} --ops {self.ops}{f}{t}"

    def report(self) -> str:
        ctx = "".join(f"      {c}\n" for c in self.context)
        prob = f"  exit: {self.problem}\n" if self.problem else ""
        kind = "model error (a settle line natively: the fuzzer expected what Linux did not do)" \
            if self.native and self.native.startswith("settle ") else "difference from Linux"
        return (f"DIFFERENCE seed {self.seed}: {kind}\n"
                f"  shortest prefix: {self.ops} operations ({self.reproduced})\n"
                f"  first differing line {self.line}:\n"
                f"    native: {self.native!r}\n    wasm:   {self.wasm!r}\n"
                f"  the lines before it:\n{ctx}{prob}"
                f"  replay: {self.replay()}\n")


def shrink(pair, seed: int, ops: int, first: Run, idx: int, devs, features, log) -> Difference:
    """The shortest prefix (number of operations) whose run still differs."""
    cache: dict[int, Run] = {ops: first}

    def differs(k: int) -> bool:
        if k not in cache:
            cache[k] = run_once(pair, seed, k)
        return first_difference(cache[k], devs) is not None

    k0 = min(ops, max(1, ops_through(first.native if idx < len(first.native) else first.wasm, idx)))
    hi = k0 if differs(k0) else ops
    lo = 0  # (no operations: no difference)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if differs(mid):
            hi = mid
        else:
            lo = mid
    got = sum(first_difference(run_once(pair, seed, hi), devs) is not None for _ in range(2))
    r = cache[hi]
    i = first_difference(r, devs)
    if i is None:  # (did not show again)
        r, i = first, idx
    log(f"  shrunk seed {seed} from {ops} to {hi} operations in {len(cache)} runs")
    n = r.native[i] if i < len(r.native) else None
    w = r.wasm[i] if i < len(r.wasm) else None
    return Difference(seed, hi, i, n, w, r.native[max(1, i - 6):i], r.problem,
                      f"reproduced {got + 1}/3 runs", features)


@dataclass
class Summary:
    seeds: list[int] = field(default_factory=list)
    ops: int = 0
    differences: list[Difference] = field(default_factory=list)
    masked: int = 0
    waits: int = 0
    bytes: int = 0
    dgrams: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        pct = 100.0 * self.masked / self.ops if self.ops else 0
        return (f"diff fuzz: {len(self.seeds)} seeds, {self.ops} operations, "
                f"{len(self.differences)} differences from Linux; {self.bytes} stream/datagram "
                f"bytes sent, {self.dgrams} datagrams, {self.waits} settle waits, "
                f"{self.masked} results not compared ({pct:.1f}%), {self.seconds:.0f} s")


def fuzz(seeds, ops: int = DEFAULT_OPS, seconds: float | None = None, features: list[str] = (),
         keep_going: bool = True, log=print) -> Summary:
    """Run each seed (an iterable, possibly endless) until `seconds` pass; shrink and collect
    every difference."""
    features = list(features)
    pair = build_pair(features)
    devs = load_deviations()
    s = Summary()
    t0 = time.monotonic()
    seen_sigs: set[str] = set()
    for seed in seeds:
        if seconds is not None and time.monotonic() - t0 > seconds:
            break
        r = run_once(pair, seed, ops)
        s.seeds.append(seed)
        s.ops += r.wstats.get("ops", 0) or r.nstats.get("ops", 0)
        s.masked += r.wstats.get("masked", 0)
        s.waits += r.wstats.get("settle_waits", 0)
        s.bytes += r.wstats.get("bytes", 0)
        s.dgrams += r.wstats.get("dgrams", 0)
        idx = first_difference(r, devs)
        status = "ok" if idx is None else "DIFFERS"
        log(f"seed {seed}: {ops} ops, {status} ({time.monotonic() - t0:.0f} s)")
        if idx is not None:
            d = shrink(pair, seed, ops, r, idx, devs, features, log)
            sig = re.sub(r"\d+", "#", f"{d.native}|{d.wasm}")
            s.differences.append(d)
            log(d.report() if sig not in seen_sigs else
                f"  (the same kind of difference as one above: seed {d.seed}, {d.ops} ops)")
            seen_sigs.add(sig)
            if not keep_going:
                break
    s.seconds = time.monotonic() - t0
    return s


def replay(seed: int, ops: int, features: list[str]) -> int:
    pair = build_pair(features)
    devs = load_deviations()
    r = run_once(pair, seed, ops)
    idx = first_difference(r, devs)
    print(f"native: {pair[0]} {seed} {ops}\nwasm:   {' '.join(wasm_cmd(pair[1], args=[str(seed), str(ops)]))}")
    if r.problem:
        print(f"exit: {r.problem}")
    if idx is None:
        print(f"seed {seed}, {ops} operations: the same output ({len(r.native)} lines)")
        return 0
    for line in compare(TEST, r.native, r.wasm, devs):
        print(line)
    lo = max(0, idx - 10)
    print(f"\nfirst difference at line {idx}; native lines {lo}..{idx}:")
    for line in r.native[lo:idx + 1]:
        print(f"  {line}")
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, help="time budget: fixed seeds, then random ones")
    ap.add_argument("--seeds", help="comma-separated seeds (default: the fixed list)")
    ap.add_argument("--random", type=int, default=0, help="this many random seeds after the list")
    ap.add_argument("--ops", type=int, default=DEFAULT_OPS, help="operations per seed")
    ap.add_argument("--seed", type=int, help="replay this seed (with --ops) and show the differences")
    ap.add_argument("--features", default="", help="comma-separated: " + ",".join(FEATURES))
    ap.add_argument("--stop", action="store_true", help="stop at the first difference")
    ap.add_argument("--target", choices=["wasm32-wasip1", "wasm32-wasip2"],
                    help="the wasm build's target (default wasm32-wasip1)")
    a = ap.parse_args(argv)
    global TARGET
    TARGET = a.target
    features = [f for f in a.features.split(",") if f]
    for f in features:
        if f not in FEATURES:
            ap.error(f"unknown feature {f}")
    if a.seed is not None:
        return replay(a.seed, a.ops, features)
    fixed = [int(x) for x in a.seeds.split(",")] if a.seeds else FIXED_SEEDS

    def seeds():
        yield from fixed
        rng = random.Random()
        n = 0
        while a.seconds is not None or n < a.random:
            seed = rng.randrange(1, 2**31)
            print(f"random seed {seed}", flush=True)
            yield seed
            n += 1

    s = fuzz(seeds(), a.ops, a.seconds, features, keep_going=not a.stop,
             log=lambda m: print(m, flush=True))
    print(s.line())
    for d in s.differences:
        print(f"  seed {d.seed} prefix {d.ops}: {d.native!r} / {d.wasm!r}  ({d.replay()})")
    return 1 if s.differences else 0


if __name__ == "__main__":
    sys.exit(main())
