"""The user's paths: `make bench`'s harness, a pkg-config build, `make demo`."""

from __future__ import annotations

import os
import subprocess
import sys

from harness import CDIR, OUT, P1, P2, ROOT, WASM_OUT, build, e2e, env_tool, run, target, wasm_cmd

@e2e(heavy=True, targets=(P1,))
def e2e_bench_smoke():
    """`make bench`'s program and harness work (small sizes, one run; the figures are not judged
    here: BENCHMARKS.md holds measured ones). Every build, wasm32-wasip2 included, is a column.
    The real programs' figures are not built or run here (they take minutes)."""
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--runs", "1"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    rows = [l for l in r.stdout.splitlines() if l.startswith("| ") and "figure" not in l]
    idle = [l for l in rows if "echoes" in l]
    main = [l for l in rows if "echoes" not in l]
    p3 = [l for l in main if len(l.split("|")) == 10]  # the wasi:sockets 0.3 table: 8 columns
    main = [l for l in main if l not in p3]
    assert len(p3) == 13, r.stdout  # bench/floor-p3: the 11 figures of bench/floor and 2 of its own
    # 11 figures of bench.c's tests, 9 of its UDP load tests (0.2 s each in quick mode), 4 of its
    # unpaced UDP sends (send() and sendmmsg()), 2 of the tokio program; the real programs'
    # (curl, hiredis) are left out in quick mode, and say so.
    assert len(main) == 26, r.stdout
    assert all(len(row.split("|")) == 13 for row in main), r.stdout  # 11 columns
    assert len(idle) == 12, r.stdout  # 4 figures x 3 sizes of the idle-connections table
    assert "Real-program figures (curl, hiredis): skipped in --quick mode." in r.stdout, r.stdout
    return (f"{len(main)} figures for 4 builds and the floor, {len(p3)} for the wasi:sockets 0.3 floor, "
            f"{len(idle)} for the idle-connections loops")


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


LINK_MIX = r"""
#include <poll.h>
#include <sys/socket.h>
int poll_wasip2(struct pollfd *fds, nfds_t nfds, int timeout); /* wasi-libc's internal poll */
int main(void) {
    struct pollfd p = {socket(AF_INET, SOCK_STREAM, 0), POLLIN, 0};
    return poll_wasip2(&p, 1, 0);
}
"""


@e2e(targets=(P2,))
def e2e_wasip2_link_guard():
    """On wasm32-wasip2 a link that would bring in any part of wasi-libc's own socket layer fails
    (here: a program calling wasi-libc's internal poll_wasip2, whose member uses wasi-libc's
    descriptor table), with wasi-sockets-cc's explanation; a wasip2 sysroot whose libc does not
    go through the preview 1 adapter is refused before linking."""
    src = OUT / WASM_OUT[P2] / "link_mix.c"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(LINK_MIX)
    cc = str(ROOT / "bin" / "wasi-sockets-cc")
    r = run([cc, "--target=wasm32-wasip2", str(src), "-o", str(src.with_suffix(".wasm"))], 120)
    assert r.returncode != 0, "the mixed link succeeded"
    assert "symbol type mismatch: descriptor_table_get_ref" in r.stderr, r.stderr
    assert "poll-wasip2.o" in r.stderr and "wasi-libc's own" in r.stderr, r.stderr
    # A sysroot whose wasip2 libc.a has no preview 1 adapter (as wasi-libc's since files moved
    # into its own descriptor table): an empty archive stands in for it.
    fake = OUT / "fake-sysroot"
    (fake / "lib" / "wasm32-wasip2").mkdir(parents=True, exist_ok=True)
    (fake / "lib" / "wasm32-wasip2" / "libc.a").write_bytes(b"!<arch>\n")
    r = run([cc, "--target=wasm32-wasip2", str(CDIR / "tcp_basic.c"), "-o", str(OUT / "never.wasm")], 60,
            env=dict(os.environ, WSP_SYSROOT=str(fake)))
    assert r.returncode != 0 and "without the preview 1" in r.stderr, r.stderr
    return "mixed link refused (type mismatch, explained); adapter-less sysroot refused"
