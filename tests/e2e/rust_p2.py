"""Rust on wasm32-wasip2 (tests/rust-p2): Rust's own std::net and tokio on mio, whose socket calls
are wasi-libc's C functions, linked with this library in place of wasi-libc's socket layer."""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path

from harness import OUT, P2, ROOT, compare, e2e, heavy_section, load_deviations, run, wasm_cmd

RUST_P2_OUT = ROOT / "build" / "rust-p2"
_built = threading.Lock()
_ok: list[bool] = []


def rust_p2(name: str) -> Path:
    """The wasm32-wasip2 Rust program `name` (scripts/build-rust-p2.sh builds them all, once per
    run; cargo keeps them fresh)."""
    with _built:
        if not _ok:
            with heavy_section():  # cargo builds std and tokio: it saturates the CPU
                r = subprocess.run([str(ROOT / "scripts" / "build-rust-p2.sh")], capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"building tests/rust-p2 failed:\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
            _ok.append(True)
    return RUST_P2_OUT / f"{name}.wasm"


@e2e(targets=(P2,))
def e2e_rust_stdnet():
    """std::net (TcpListener, TcpStream with peek, timeouts, non-blocking mode, shutdown, errors;
    UdpSocket with peek_from, connect, truncation, timeouts), IPv4 and IPv6: the wasm32-wasip2
    build's output equals the native build's, except what tests/deviations.md lists (std itself
    refuses try_clone on wasm32)."""
    wasm = rust_p2("stdnet")
    native = run([str(RUST_P2_OUT / "native" / "stdnet")], 60, cwd=OUT)
    assert native.returncode == 0, native.stdout[-2000:] + native.stderr[-2000:]
    w = run(wasm_cmd(wasm), 60, cwd=OUT)
    assert w.returncode == 0, w.stdout[-2000:] + w.stderr[-2000:]
    problems = compare("e2e_rust_stdnet", native.stdout.splitlines(), w.stdout.splitlines(),
                       load_deviations(), P2)
    assert not problems, "unlisted differences from the native build:\n" + "\n".join(problems)
    return f"{len(w.stdout.splitlines())} lines as native (peek works)"


def _python_echo_server(ready: threading.Event, box: dict, stop: threading.Event):
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(16)
        ls.settimeout(0.2)
        box["port"] = ls.getsockname()[1]
        ready.set()
        while not stop.is_set():
            try:
                conn, _ = ls.accept()
            except TimeoutError:
                continue
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()


def _echo(conn: socket.socket):
    with conn:
        while chunk := conn.recv(1 << 16):
            conn.sendall(chunk)


TOKIO_EXPECT = [
    "listening: true",
    'peek: "hello"',
    'echo: "hello tokio"',
    "timeout on a silent read: elapsed",
    "waited about the timeout: true",
    "1 MiB through the tokio server: true",
    "20 concurrent echoes: true",
    "1 MiB through the native server: true",
    "connect refused: Some(ConnectionRefused)",
    "done",
]


@e2e(targets=(P2,))
def e2e_rust_tokio():
    """tokio (current-thread runtime, tokio_unstable) on mio's poll(2) selector: an echo server
    and clients in the guest (1 MiB, 20 at once), TcpStream::peek, tokio::time::timeout, a 1 MiB
    echo through a native (CPython) server, connection refused."""
    wasm = rust_p2("tokio_echo")
    ready, box, stop = threading.Event(), {}, threading.Event()
    t = threading.Thread(target=_python_echo_server, args=(ready, box, stop), daemon=True)
    t.start()
    try:
        assert ready.wait(10)
        r = run(wasm_cmd(wasm, args=[str(box["port"])]), 120, cwd=OUT)
    finally:
        stop.set()
    assert r.returncode == 0 and r.stdout.splitlines() == TOKIO_EXPECT, \
        f"exit {r.returncode}:\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
    return "echo server, clients, peek, timeout, native peer"
