"""TCP streams end to end: echo servers and clients (wasm, gcc-built, CPython) in separate
processes, 16 MiB each way with checksums, IPv4 and IPv6; connection refused; no network."""

from __future__ import annotations

import os
import socket
import threading

from harness import OUT, Proc, e2e, run, wasm_cmd

from .common import MIB16, check_client, client_cmd, loopback_of, pattern_bytes, peer, server_cmd

def echo_pair(server: str, client: str, fam: int, mode: str, nbytes: int = MIB16) -> str:
    srv = Proc(server_cmd(server, fam, mode, 1))
    try:
        port = int(srv.expect(r"^PORT (\d+)").group(1))
        c = run(client_cmd(client, fam, port, mode, nbytes, 7), 120, cwd=OUT)
        assert c.returncode == 0, f"client exit {c.returncode}: {c.stdout[-800:]} {c.stderr[-800:]}"
        check_client(c.stdout, nbytes)
        s = srv.expect(r"conn 0 bytes=(\d+) sum=(\w+)")
        assert int(s.group(1)) == nbytes, s.group(0)
        rc = srv.wait(30)
        srv.pump.join(5)
        assert rc == 0, f"server exit {rc}: {srv.lines[-5:]} {srv.err[:3000]}"
        return f"{nbytes} bytes each way, sums equal"
    finally:
        srv.kill()


for _fam in (4, 6):
    for _mode in ("echo", "bulk"):
        for _srv, _cli in (("wasm", "wasm"), ("native", "wasm"), ("wasm", "native")):
            def _t(fam=_fam, mode=_mode, srv=_srv, cli=_cli):
                return echo_pair(srv, cli, fam, mode)
            _t.__name__ = f"e2e_{_mode}_{_srv}_server_{_cli}_client_ipv{_fam}"
            e2e(_t)


def _python_echo_server(fam: int, ready: threading.Event, box: dict):
    af, host = loopback_of(fam)
    with socket.socket(af, socket.SOCK_STREAM) as ls:
        ls.bind((host, 0))
        ls.listen(1)
        box["port"] = ls.getsockname()[1]
        ready.set()
        conn, _ = ls.accept()
        with conn:
            got = bytearray()
            while chunk := conn.recv(1 << 16):
                got += chunk
                conn.sendall(chunk)
            box["got"] = bytes(got)


@e2e
def e2e_wasm_client_python_server_ipv4():
    """The native side is CPython's socket module, independent of this project's C code."""
    return _python_peer(4)


@e2e
def e2e_wasm_client_python_server_ipv6():
    return _python_peer(6)


def _python_peer(fam: int) -> str:
    ready, box = threading.Event(), {}
    t = threading.Thread(target=_python_echo_server, args=(fam, ready, box), daemon=True)
    t.start()
    assert ready.wait(10)
    nbytes = 4 * 1024 * 1024
    c = run(client_cmd("wasm", fam, box["port"], "echo", nbytes, 11), 120, cwd=OUT)
    assert c.returncode == 0, c.stdout + c.stderr
    check_client(c.stdout, nbytes)
    t.join(30)
    want = pattern_bytes(nbytes, 11)
    assert box.get("got") == want, "python server received different bytes"
    return f"{nbytes} bytes, python saw the exact stream"


@e2e
def e2e_python_client_wasm_server_ipv4():
    return _python_client(4)


@e2e
def e2e_python_client_wasm_server_ipv6():
    return _python_client(6)


def _python_client(fam: int) -> str:
    srv = Proc(server_cmd("wasm", fam, "echo", 1))
    try:
        port = int(srv.expect(r"^PORT (\d+)").group(1))
        _, host = loopback_of(fam)
        data = os.urandom(4 * 1024 * 1024)
        got = bytearray()
        with socket.create_connection((host, port), timeout=60) as s:
            s.setblocking(True)
            done = threading.Event()

            def reader():
                while chunk := s.recv(1 << 16):
                    got.extend(chunk)
                done.set()

            th = threading.Thread(target=reader, daemon=True)
            th.start()
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            assert done.wait(60), "echo did not finish"
        assert bytes(got) == data, f"echo differs: {len(got)} of {len(data)} bytes"
        assert srv.wait(30) == 0
        return f"{len(data)} random bytes echoed exactly"
    finally:
        srv.kill()


@e2e
def e2e_refused_and_no_network():
    """Connection refused -> ECONNREFUSED; without -S inherit-network -> EACCES, no trap."""
    wasm = peer("wasm", "echo_client")
    # A port nobody listens on: bind one, close it, use its number.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = run(wasm_cmd(wasm, args=["4", str(port), "echo", "10", "1"]), 30, cwd=OUT)
    assert "connect: ECONNREFUSED" in c.stdout, c.stdout + c.stderr
    # wasi:cli/exit carries only success or failure: exit(2) arrives as status 1.
    assert c.returncode == 1, c.returncode
    c = run(wasm_cmd(wasm, flags=[], args=["4", str(port), "echo", "10", "1"]), 30, cwd=OUT)
    assert "socket: EACCES" in c.stdout, c.stdout + c.stderr
    assert c.returncode == 1 and "wasm trap" not in c.stderr, c.stderr
    return "ECONNREFUSED and EACCES reported"
