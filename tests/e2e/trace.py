"""Trace mode (WASI_SOCKETS_TRACE=1)."""

import re

from harness import GUESTS, NET, OUT, P2, build, e2e, run, target, wasm_cmd


@e2e
def e2e_trace_mode():
    """WASI_SOCKETS_TRACE=1: every C call of the library is one line on stderr (call, decoded
    arguments, result, errno by name) and every wait one indented line with its duration; without
    the variable nothing is printed."""
    wasm = build(GUESTS / "trace.c", "wasm")
    quiet = run(wasm_cmd(wasm), 30, cwd=OUT)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    r = run(wasm_cmd(wasm, [*NET, "--env", "WASI_SOCKETS_TRACE=1"]), 30, cwd=OUT)
    assert r.returncode == 0 and r.stdout == "done\n", r.stdout + r.stderr
    lines = r.stderr.splitlines()
    peek = "0x2" if target() == P2 else "0x1"  # MSG_PEEK in the target's headers
    want = [
        r"^\[wsp\] socket\(AF_INET, SOCK_STREAM, 0\) = 3$",
        r"^\[wsp\] bind\(3, 127\.0\.0\.1:0\) = 0$",
        r"^\[wsp\] listen\(3, 1\) = 0$",
        r"^\[wsp\] connect\(4, 127\.0\.0\.1:\d+\) = 0$",
        rf"^\[wsp\] recv\(5, 0x[0-9a-f]+, 64, {peek}\) = 5$",
        r"^\[wsp\]   wait 1 pollable\(s\) for \d+ us: timed out$",
        r"^\[wsp\] poll\(0x[0-9a-f]+, 1, 50\) = 0$",
        r"^\[wsp\] recv\(99, 0x[0-9a-f]+, 1, 0x0\) = -1 EBADF$",
        r"^\[wsp\] close\(3\) = 0$",
    ]
    for pat in want:
        assert any(re.match(pat, line) for line in lines), f"no line matches {pat}:\n{r.stderr}"
    return f"{len(lines)} trace lines"
