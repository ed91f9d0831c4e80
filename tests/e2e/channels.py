"""In-guest channels (socket pairs, pipes, AF_UNIX sockets by path, SCM_RIGHTS): many cycles
under a resource limit with memory flat, and blocking calls on a channel nothing else can
change sleeping without CPU, as Linux's would (no network access for any of them)."""

from __future__ import annotations

import os
import re
import subprocess
import time

from harness import GUESTS, OUT, build, e2e, run, wasm_cmd

# stdio's handles and the like: the guest needs 4 host resources in all (measured; 3 traps).
CHANNEL_MAX_RESOURCES = 4


@e2e(heavy=True)
def e2e_channel_cycles_10000():
    """10,000 cycles of socketpair (stream, datagram, sequenced packets), pipe, an SCM_RIGHTS
    hand-over and an AF_UNIX connection by path, each closed: descriptor numbers reused, linear
    memory flat, no network access, under `max-resources=4`, which leaves room for stdio alone
    (channels hold no host resource; 3 traps, showing the limit bites)."""
    wasm = build(GUESTS / "channel_cycles.c", "wasm")
    flags = ["-S", f"max-resources={CHANNEL_MAX_RESOURCES}"]
    t0 = time.monotonic()
    r = run(wasm_cmd(wasm, flags, ["10000"]), 120, cwd=OUT)
    dt = time.monotonic() - t0
    assert r.returncode == 0 and "CHANNEL CYCLES OK" in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]
    low = run(wasm_cmd(wasm, ["-S", f"max-resources={CHANNEL_MAX_RESOURCES - 1}"], ["100"]), 60, cwd=OUT)
    assert low.returncode != 0 and "resource table has no free keys" in low.stderr, \
        "the max-resources tripwire did not bite: " + low.stdout[-500:] + low.stderr[-500:]
    pages = re.search(r"memory pages (\d+) at start, (\d+) after warm-up, (\d+) at end", r.stdout)
    return (f"10000 cycles in {dt:.1f}s under max-resources={CHANNEL_MAX_RESOURCES}, descriptors "
            f"reused, memory {pages.group(2)} pages after warm-up and {pages.group(3)} at end; "
            f"max-resources={CHANNEL_MAX_RESOURCES - 1} traps")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def blocked_cpu(mode: str, watch: float, kill: bool = True) -> tuple[float, str]:
    """Run channel_block in `mode`; once it says BLOCKING, watch it for `watch` seconds, then
    kill it (or let it finish). Returns the CPU seconds it used meanwhile and its output."""
    wasm = build(GUESTS / "channel_block.c", "wasm")
    p = subprocess.Popen(wasm_cmd(wasm, [], [mode]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=OUT)
    try:
        line = p.stdout.readline()
        assert line.strip() == "BLOCKING", line + p.stderr.read()
        time.sleep(0.2)  # let the guest reach its wait
        c0 = cpu_seconds(p.pid)
        time.sleep(watch)
        used = cpu_seconds(p.pid) - c0
    finally:
        if kill and p.poll() is None:
            p.kill()
        out, err = p.communicate(10)
    return used, out + err


@e2e
def e2e_channel_blocking_waits_sleep():
    """A blocking read of an empty socket pair or pipe, a blocking write to a full pipe and a
    poll(-1) over idle channels, in a single-threaded program, wait for good as on Linux (nothing
    else in the program can change them) and use no CPU meanwhile: under 5% of the time watched.
    A read with SO_RCVTIMEO returns EAGAIN when it expires, having slept."""
    details = []
    for mode in ("read", "pipe", "write", "poll"):
        used, out = blocked_cpu(mode, 2.0)
        assert "RETURNED" not in out, f"{mode}: the wait ended: {out}"
        assert used < 0.1, f"{mode}: {used:.2f} s of CPU in 2 s of waiting"
        details.append(f"{mode} {used * 1000:.0f} ms")
    used, out = blocked_cpu("timeout", 1.0, kill=False)
    m = re.search(r"RETURNED -1 EAGAIN after ([\d.]+) s", out)
    assert m and 1.4 < float(m.group(1)) < 3, out
    assert used < 0.1, f"timeout: {used:.2f} s of CPU in 1 s of waiting"
    details.append(f"SO_RCVTIMEO 1.5 s: EAGAIN after {m.group(1)} s, {used * 1000:.0f} ms CPU")
    return "CPU while blocked 2 s: " + ", ".join(details)
