"""Rust guests (tests/rust, built by scripts/build-rust-guests.sh): the safe API serving curl
and as a client of native servers, the C ABI from Rust, the features' C symbols."""

from __future__ import annotations

import difflib
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from harness import OUT, P1, ROOT, TESTS, Proc, e2e, heavy_section, run, wasm_cmd

RUST_OUT = ROOT / "build" / "rust"
_rust_built = threading.Lock()
_rust_ok: list[bool] = []


def rust_guest(name: str) -> Path:
    """The Rust guest `name`, building all of them once per run."""
    with _rust_built:
        if not _rust_ok:
            with heavy_section():  # cargo builds std: it saturates the CPU
                r = subprocess.run([str(ROOT / "scripts" / "build-rust-guests.sh")], capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"building the Rust guests failed:\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
            _rust_ok.append(True)
    return RUST_OUT / f"{name}.wasm"


def _curl(*args: str) -> str:
    r = subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True)
    assert r.returncode == 0, f"curl {args}: {r.stderr}"
    return r.stdout


@e2e(targets=(P1,))
def e2e_rust_http_server_curl():
    """A Rust std program on the safe API serves HTTP/1.1 to curl: keep-alive, a POST body, the
    connection's addresses; an idle connection is closed by its read timeout."""
    srv = Proc(wasm_cmd(rust_guest("http_server"), args=["5"]))
    try:
        port = int(srv.expect(r"^PORT (\d+)").group(1))
        base = f"http://127.0.0.1:{port}"
        # Two requests on one connection (curl reuses it), then a POST, then info.
        assert _curl(f"{base}/", f"{base}/") == "hello from a Rust wasm guest\n" * 2
        body = "x" * 100_000
        assert _curl("--data-binary", body, f"{base}/echo") == body
        assert _curl(f"{base}/info") == "local 127.0.0.1 peer 127.0.0.1\n"
        # An idle connection: the server's 1 s read timeout closes it.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            t0 = time.monotonic()
            assert c.recv(1) == b"", "server sent data on an idle connection"
            idle = time.monotonic() - t0
        assert 0.8 <= idle <= 5, f"idle connection closed after {idle:.2f} s"
        srv.expect(r"idle connection timed out")
        assert _curl(f"{base}/nope", "-o", "/dev/null", "-w", "%{http_code}") == "404"
        assert srv.wait(30) == 0, srv.err[-1000:]
        srv.expect(r"served 5")
        return f"curl: keep-alive, 100 kB POST echoed, 404; idle connection closed after {idle:.1f} s"
    finally:
        srv.kill()


def _line_server(ls: socket.socket):
    """The Rust client's TCP peer: echo lines; PEEK -> 'peekaboo'; SILENT -> nothing."""
    conn, _ = ls.accept()
    with conn, conn.makefile("rb") as f:
        for line in f:
            if line == b"PEEK\n":
                conn.sendall(b"peekaboo\n")
            elif line != b"SILENT\n":
                conn.sendall(line)


def _udp_echo(us: socket.socket, stop: threading.Event):
    us.settimeout(0.2)
    while not stop.is_set():
        try:
            data, addr = us.recvfrom(65536)
        except socket.timeout:
            continue
        except OSError:
            return
        us.sendto(data, addr)


RUST_CLIENT_EXPECT = """connected to 127.0.0.1:{tcp}
nodelay true
ttl 33
echo hello
peeked peekaboo
then read peekaboo
non-blocking read: Err(WouldBlock)
read timeout Some(200ms)
timed-out read: Err(WouldBlock) after the timeout: true
zero timeout: Err(InvalidInput)
write timeout Some(3s)
wrote 9 bytes from two slices
echo vectored
end of stream after shutdown, 0 bytes left
take_error None
connect_timeout ok, accepted the same peer: true
connect_timeout to a closed port: Err(ConnectionRefused)
connect_timeout of zero: Err(InvalidInput)
non-blocking accept: Err(WouldBlock)
udp echo datagram one from the server: true
udp peer is the server: true
udp peeked datagram two
udp received datagram (truncated to 8)
udp timed-out recv: Err(WouldBlock)
udp broadcast true
udp clone shares non-blocking mode: Err(WouldBlock)
refused: kind ConnectionRefused, errno is ECONNREFUSED: true
unresolvable name fails: true
bad port: Err(InvalidInput)
done"""


@e2e(targets=(P1,))
def e2e_rust_client_native_servers():
    """A Rust std client on the safe API against native (CPython) TCP and UDP servers: name
    resolution with fallback (localhost: ::1 refused, then 127.0.0.1), peek, non-blocking mode,
    read timeouts, connect_timeout, vectored writes, shutdown, try_clone, UDP connect/peek/
    truncation, errors as io::Error with the errno."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    us.bind(("127.0.0.1", 0))
    stop = threading.Event()
    tt = threading.Thread(target=_line_server, args=(ls,), daemon=True)
    ut = threading.Thread(target=_udp_echo, args=(us, stop), daemon=True)
    tt.start()
    ut.start()
    try:
        tcp, udp = ls.getsockname()[1], us.getsockname()[1]
        c = run(wasm_cmd(rust_guest("client"), args=[str(tcp), str(udp)]), 60, cwd=OUT)
        want = RUST_CLIENT_EXPECT.format(tcp=tcp).splitlines()
        got = c.stdout.splitlines()
        assert c.returncode == 0 and got == want, "\n".join(
            difflib.unified_diff(want, got, "expected", "wasm", lineterm="")) + c.stderr[-2000:]
        return f"{len(want)} checks as expected"
    finally:
        stop.set()
        ls.close()
        us.close()


@e2e(targets=(P1,))
def e2e_rust_c_abi():
    """A Rust program calls the C ABI through `extern "C"` with libc types, against a native
    echo server; the descriptor moves to the safe API and back; errno reaches std."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)

    def echo():
        conn, _ = ls.accept()
        with conn:
            while data := conn.recv(4096):
                conn.sendall(data)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    try:
        c = run(wasm_cmd(rust_guest("cabi"), args=[str(ls.getsockname()[1])]), 60, cwd=OUT)
        want = """socket ok: true
connect: 0
poll for writing: 1 revents POLLOUT: true
send: 15
poll for reading: 1 revents POLLIN: true
recv: over the C ABI
safe API: through the safe API
send again: 9
recv: and back
close: 0
close again: -1 EBADF
connect to port 1: -1 ECONNREFUSED ConnectionRefused
socket(99): -1 EAFNOSUPPORT""".splitlines()
        got = c.stdout.splitlines()
        assert c.returncode == 0 and got == want, "\n".join(
            difflib.unified_diff(want, got, "expected", "wasm", lineterm="")) + c.stderr[-2000:]
        return "C calls, poll, fd handed to the safe API and back, errno in io::Error"
    finally:
        ls.close()


def _c_symbols(rlib: Path) -> set[str]:
    """The unmangled (C) symbols an rlib defines."""
    nm = shutil.which("llvm-nm-22") or "llvm-nm"
    r = subprocess.run([nm, "--defined-only", "--extern-only", str(rlib)], capture_output=True, text=True)
    out = set()
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRW" and not re.match(r"_ZN|_R|anon\.", f[2]):
            out.add(f[2])
    return out


@e2e(targets=(P1,))
def e2e_rust_features_and_c_symbols():
    """Without the `libc` feature the crate defines no C symbol (a pure Rust dependency); with it,
    exactly the snapshot's (tests/exported-symbols.txt)."""
    rust_guest("client")
    safe = _c_symbols(RUST_OUT / "libwasi_posix_sockets-safe.rlib")
    cabi = _c_symbols(RUST_OUT / "libwasi_posix_sockets-cabi.rlib")
    snapshot = set((TESTS / "exported-symbols.txt").read_text().split()) - {"cabi_realloc"}
    assert safe == set(), f"C symbols without the libc feature: {sorted(safe)}"
    assert cabi == snapshot, f"differs from the snapshot: {sorted(cabi ^ snapshot)}"
    return f"std only: 0 C symbols; std + libc: {len(cabi)}, as the snapshot"
