"""The user's paths: `make bench`'s harness, a pkg-config build, `make demo`."""

from __future__ import annotations

import os
import subprocess
import sys

from harness import CDIR, OUT, P1, P2, ROOT, WASM_OUT, build, e2e, env_tool, run, target, wasm_cmd

@e2e(heavy=True, targets=(P1,))
def e2e_bench_smoke():
    """`make bench`'s program and harness work (small sizes, one run; the figures are not judged
    here: BENCHMARKS.md holds measured ones). Every build, wasm32-wasip2 included, is a column."""
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--runs", "1"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    rows = [l for l in r.stdout.splitlines() if l.startswith("| ") and "figure" not in l]
    assert len(rows) == 11, r.stdout
    assert all(len(row.split("|")) == 13 for row in rows), r.stdout  # 11 columns
    return f"{len(rows)} figures for 4 builds and the floor"


@e2e
def e2e_pkg_config_build():
    """A build system's path: plain clang with `pkg-config --cflags --libs wasi-posix-sockets`
    (wasi-posix-sockets-wasip2 for wasm32-wasip2)."""
    pc = ROOT / "build" / "lib" / "pkgconfig"
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc))
    t = target()
    name = {P1: "wasi-posix-sockets", P2: "wasi-posix-sockets-wasip2"}[t]
    flags = run(["pkg-config", "--cflags", "--libs", name], 30, env=env)
    assert flags.returncode == 0, flags.stderr
    cc, sysroot = env_tool("WSP_CC", "clang"), env_tool("WSP_SYSROOT", "")
    out = OUT / WASM_OUT[t] / "tcp_basic_pkgconfig.wasm"
    b = run([cc, f"--target={t}", f"--sysroot={sysroot}", "-O1",
             str(CDIR / "tcp_basic.c"), *flags.stdout.split(), "-o", str(out)], 120)
    assert b.returncode == 0, b.stdout + b.stderr
    got = run(wasm_cmd(out), 60, cwd=OUT)
    want = run(wasm_cmd(build(CDIR / "tcp_basic.c", "wasm")), 60, cwd=OUT)
    assert got.returncode == 0 and got.stdout == want.stdout, got.stdout[-1000:] + got.stderr
    return "built with pkg-config flags, same output as bin/wasi-sockets-cc"


@e2e(targets=(P1,))
def e2e_demo_http_server():
    """`make demo` (the README's main job): the C HTTP server under wasmtime, curl as the client."""
    r = run(["bash", str(ROOT / "scripts" / "demo.sh")], 120, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    for want in ("HTTP/1.1 200 OK", "Hello from WebAssembly", "identical (",
                 "request #5", "served 6 requests, bye"):
        assert want in r.stdout, f"demo output lacks {want!r}:\n{r.stdout[-2000:]}"
    return "curl talked to the wasm HTTP server (GET, POST echo, keep-alive)"
