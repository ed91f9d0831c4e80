"""The random-operation fuzzer (tests/fuzz/fuzz.c): a million operations, natively then in wasm."""

from __future__ import annotations

import os
import re
import sys
import time

from harness import NET, OUT, TESTS, build, e2e, run, target, wasm_cmd

FUZZ_OPS = 1_000_000
# The fuzzer holds at most a few dozen host handles at once (measured: fails at 40, passes a
# million operations at 64); a leak over a million operations would pass this limit and trap.
FUZZ_MAX_RESOURCES = 96


@e2e(heavy=True)
def e2e_fuzz_million_ops():
    """tests/fuzz/fuzz.c: one million random socket operations on own TCP/UDP sockets (both ends
    in the guest), checking errnos, stream bytes and datagrams (see the file's comment). The seed
    comes from WSP_FUZZ_SEED or the clock and is printed, so a failure replays:
    `WSP_FUZZ_SEED=<n> python3 tests/run.py -k fuzz`. The native build runs the same seed first:
    Linux must pass the fuzzer's own invariants."""
    seed = int(os.environ.get("WSP_FUZZ_SEED") or time.time_ns() % 1_000_000_007)
    src = TESTS / "fuzz" / "fuzz.c"
    replay = f"seed {seed} (replay: WSP_FUZZ_SEED={seed} python3 tests/run.py -k fuzz)"
    native = run([str(build(src, "native")), str(seed), str(FUZZ_OPS)], 300, cwd=OUT)
    assert native.returncode == 0 and "FUZZ OK" in native.stdout, \
        f"native (the fuzzer itself) failed, {replay}:\n{native.stdout[-3000:]}{native.stderr[-1000:]}"
    t0 = time.monotonic()
    flags = [*NET, "-S", f"max-resources={FUZZ_MAX_RESOURCES}"]
    w = run(wasm_cmd(build(src, "wasm"), flags, [str(seed), str(FUZZ_OPS)]), 600, cwd=OUT)
    secs = time.monotonic() - t0
    assert w.returncode == 0 and "FUZZ OK" in w.stdout, \
        f"wasm exit {w.returncode}, {replay}:\n{w.stdout[-4000:]}{w.stderr[-2000:]}"
    verified = int(re.search(r"bytes verified (\d+)", w.stdout).group(1))
    return (f"{FUZZ_OPS} ops, seed {seed}, {verified / 2**20:.1f} MiB verified, {secs:.1f} s, "
            f"max-resources={FUZZ_MAX_RESOURCES}")


# The differential fuzzer's budget in `make test`, per target: these seeds, this many operations
# each, and one random seed (printed), with every feature (dup, the in-guest channels, epoll):
# 82,000 operations, about 15-50 s on two cores depending on load. `make fuzz SECONDS=...` runs
# longer.
DIFF_SEEDS = ",".join(str(n) for n in range(1, 41))
DIFF_OPS = 2000
DIFF_FEATURES = "dup,channels,epoll"


@e2e(heavy=True)
def e2e_diff_fuzz():
    """tests/fuzz/diff.py: the differential fuzzer against Linux. The same seeded sequence of
    socket operations runs natively and under wasmtime and the outputs are compared line by line
    (tests/fuzz/diff.c's header says what is compared and how timing is kept out of it); a
    difference not listed under fuzz_diff in tests/deviations.md fails with the seed, the
    shortest prefix that shows it and the command that replays it."""
    cmd = [sys.executable, str(TESTS / "fuzz" / "diff.py"), "--seeds", DIFF_SEEDS,
           "--random", "1", "--ops", str(DIFF_OPS), "--features", DIFF_FEATURES,
           "--target", target()]
    r = run(cmd, 900, cwd=OUT)
    summary = [l for l in r.stdout.splitlines() if l.startswith("diff fuzz:")]
    random_seed = [l for l in r.stdout.splitlines() if l.startswith("random seed")]
    assert r.returncode == 0 and summary, r.stdout[-8000:] + r.stderr[-2000:]
    return f"{summary[0][len('diff fuzz: '):]}; {random_seed[0] if random_seed else ''}"
