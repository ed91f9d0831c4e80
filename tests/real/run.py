#!/usr/bin/env python3
"""Real software, unchanged (issue 17): curl, libevent, hiredis and mbedtls built with
bin/wasi-sockets-cc (tests/real/build.sh) run under wasmtime against native peers on loopback, and
the same programs built natively run the same way as the baseline.

    python3 tests/real/run.py [hiredis|mbedtls|curl|libevent ...] [--no-build]

Prints one summary line per program: `real: <project>/<program>: N passed, N failed, N skipped`,
then how the native build did on the same tests. A test that native passes must pass under wasm
unless tests/real/known.txt lists it (with its reason): `skip` entries are not run (they need
fork, signal delivery, threads, or reaching another process's Unix socket, which WASI does not
have), `gap` entries run and are expected to fail until the library has what they need (a gap
entry that passes is reported, so the list stays true). Exits non-zero when a test fails that is
not listed. Self-contained: tests/run.py can call `main([...])`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fnmatch
import hashlib
import http.server
import os
import re
import select
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = ROOT / "tests" / "real"
BUILD = ROOT / "build" / "real"
KNOWN = HERE / "known.txt"


def env_tool(name: str, default: str) -> str:
    out = subprocess.run(["bash", "-c", f". {ROOT}/scripts/env.sh && echo ${name}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return out or default


WASMTIME = env_tool("WSP_WASMTIME", "wasmtime")
NET = ["-S", "inherit-network"]
# As a user runs a networked program: names resolve through the host (a name that does not exist
# is then EAI_NONAME, as natively; denied lookups are EAI_FAIL).
NET_DNS = NET + ["-S", "allow-ip-name-lookup"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port(family: int = socket.AF_INET, kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(family, kind) as s:
        s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 20.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def wasm(prog: Path, *args: str, flags: list[str] | None = None) -> list[str]:
    return [WASMTIME, "run", *(NET if flags is None else flags), str(prog), *args]


@contextlib.contextmanager
def background(cmd: list[str], **kw):
    """A process that runs while the block runs, then is ended (by its own pid)."""
    p = subprocess.Popen(cmd, stdout=kw.pop("stdout", subprocess.DEVNULL),
                         stderr=kw.pop("stderr", subprocess.DEVNULL), **kw)
    try:
        yield p
    finally:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def wait_for_text(path: Path, text: str, timeout: float) -> bool:
    """Wait until the file `path` (a process's output) contains `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(encoding="latin-1"):
            return True
        time.sleep(0.05)
    return False


def wait_for_output(p: subprocess.Popen, text: bytes, timeout: float) -> bool:
    """Read `p`'s stdout (a binary pipe) until `text` appears; False at end of output or after
    `timeout` seconds. What follows `text` stays unread in the pipe."""
    seen = b""
    deadline = time.monotonic() + timeout
    fd = p.stdout.fileno()
    while text not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        chunk = os.read(fd, 4096)
        if not chunk:
            return False
        seen += chunk
    return True


# ---------------------------------------------------------------------------------------------
# Known skips and gaps


@dataclass
class Known:
    kind: str  # "skip" or "gap"
    reason: str


def load_known() -> dict[str, list[tuple[str, Known]]]:
    """known.txt: `<project> <kind> <test glob> -- <reason>` per line; # comments."""
    out: dict[str, list[tuple[str, Known]]] = {}
    for line in KNOWN.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, reason = line.partition(" -- ")
        project, kind, pattern = head.split(None, 2)
        assert kind in ("skip", "gap"), line
        out.setdefault(project, []).append((pattern.strip(), Known(kind, reason.strip())))
    return out


KNOWN_LIST = load_known()


def known(project: str, test: str) -> Known | None:
    for pattern, k in KNOWN_LIST.get(project, []):
        if fnmatch.fnmatchcase(test, pattern):
            return k
    return None


@dataclass
class Tally:
    """Results of one program: per test, wasm's and native's verdict."""
    name: str
    project: str
    wasm: dict[str, str] = field(default_factory=dict)    # test -> pass/fail/skip
    native: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def judge(self) -> None:
        """Fill `unexpected`: wasm failures of tests native passes that are not listed, and listed
        gaps that pass now."""
        for t, v in self.wasm.items():
            k = known(self.project, t)
            nat = self.native.get(t, "pass")
            if v == "fail" and nat == "pass" and not (k and k.kind == "gap"):
                self.unexpected.append(f"{t}: fails under wasm, passes natively")
            if v == "pass" and k and k.kind == "gap":
                if "flaky" in k.reason:
                    self.notes.append(f"{t}: a listed flaky gap, passed this time")
                else:
                    self.notes.append(f"{t}: listed as a gap ({k.reason}) but passes now: update known.txt")

    def summary(self) -> str:
        c = {v: sum(1 for x in self.wasm.values() if x == v) for v in ("pass", "fail", "skip")}
        n = {v: sum(1 for x in self.native.values() if x == v) for v in ("pass", "fail", "skip")}
        gaps = sum(1 for t, v in self.wasm.items()
                   if v == "fail" and (k := known(self.project, t)) and k.kind == "gap")
        s = (f"real: {self.name}: {c['pass']} passed, {c['fail']} failed, {c['skip']} skipped"
             f" (expected failures, library gaps: {gaps}); native: {n['pass']} passed,"
             f" {n['fail']} failed, {n['skip']} skipped")
        same = sum(1 for t, v in self.wasm.items() if self.native.get(t) == v)
        s += f"; same verdict as native on {same}/{len(self.wasm)}"
        return s


def apply_skips(tally: Tally, tests: list[str]) -> list[str]:
    """The tests to run under wasm; listed skips are recorded as skipped."""
    run = []
    for t in tests:
        k = known(tally.project, t)
        if k and k.kind == "skip":
            tally.wasm[t] = "skip"
        else:
            run.append(t)
    return run


# ---------------------------------------------------------------------------------------------
# hiredis: test.c against a native redis-server; examples/example.c output against native's


HIREDIS_TEST_LINE = re.compile(r"^#(\d+) (.*?): (PASSED|FAILED)\s*$")


def parse_hiredis(out: str) -> dict[str, str]:
    """`#NN description: PASSED|FAILED` lines, named by section (the TCP, Unix socket and
    inherited-fd sections repeat descriptions)."""
    res, section = {}, "common"
    for line in ANSI.sub("", out).splitlines():
        if line.startswith("Testing against TCP"):
            section = "tcp"
        elif line.startswith("Testing against Unix"):
            section = "unix"
        elif line.startswith("Testing against inherited fd"):
            section = "fd"
        m = HIREDIS_TEST_LINE.match(line)
        if m:
            res[f"{section}: {m.group(2)}"] = "pass" if m.group(3) == "PASSED" else "fail"
    return res


@contextlib.contextmanager
def redis_server():
    port = free_port()
    sock = BUILD / "hiredis" / f"redis-{port}.sock"
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--unixsocket", str(sock),
           "--save", "", "--appendonly", "no", "--enable-debug-command", "yes",
           "--daemonize", "no"]
    with background(cmd) as p:
        if not wait_port(port):
            raise RuntimeError(f"redis-server did not start on {port} (exit {p.poll()})")
        yield port, sock


def redis_flushall(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        assert s.recv(100).startswith(b"+OK")


def run_hiredis() -> list[Tally]:
    nat, wsm = BUILD / "hiredis" / "native", BUILD / "hiredis" / "wasm"
    t = Tally("hiredis/test.c", "hiredis")
    e = Tally("hiredis/examples/example.c", "hiredis")
    with redis_server() as (port, sock):
        args = ["-p", str(port), "-s", str(sock)]
        redis_flushall(port)
        n = subprocess.run([str(nat / "hiredis-test"), *args], capture_output=True, text=True,
                           timeout=300)
        t.native = parse_hiredis(n.stdout)
        redis_flushall(port)
        w = subprocess.run(wasm(wsm / "hiredis-test.wasm", *args, flags=NET_DNS), capture_output=True,
                           text=True, timeout=300)
        got = parse_hiredis(w.stdout)
        # The wasm run stops at the first Unix-socket connection (it exits on the error the test
        # cannot continue past); tests of the sections it never reached are the listed skips.
        for name in apply_skips(t, list(t.native)):
            t.wasm[name] = got.get(name, "fail")
        if w.returncode != 0:
            last = ANSI.sub("", w.stdout).strip().splitlines()[-1:]
            t.notes.append(f"wasm exit {w.returncode} after: {last}")

        outs = {}
        for kind, cmd in (("native", [str(nat / "hiredis-example"), "127.0.0.1", str(port)]),
                          ("wasm", wasm(wsm / "hiredis-example.wasm", "127.0.0.1", str(port)))):
            redis_flushall(port)
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            outs[kind] = (r.returncode, r.stdout)
        e.native["output"] = "pass" if outs["native"][0] == 0 else "fail"
        e.wasm["output"] = "pass" if outs["wasm"] == outs["native"] else "fail"
        if outs["wasm"] != outs["native"]:
            e.notes.append(f"outputs differ: native {outs['native']!r} wasm {outs['wasm']!r}")
    return [t, e]


# ---------------------------------------------------------------------------------------------
# mbedtls: TLS 1.2 and DTLS 1.2 between ssl_server2/ssl_client2 (and dtls_server/dtls_client),
# wasm against native both ways; native against native is the baseline. The built-in test
# certificates are used (mbedtls' certs.c). 10 MiB go from client to server in 640 requests of
# 16 KiB on one connection (ssl_client2 request_size=16384 exchanges=640); so the wasm server
# receives 10 MiB and the wasm client sends 10 MiB.

MB_EXCHANGES, MB_REQ = 640, 16384


def _sum_bytes(text: str, what: str) -> tuple[int, int]:
    ns = [int(m) for m in re.findall(what + r": (\d+) bytes", text)]
    return len(ns), sum(ns)


def _mbedtls_pair(server: list[str], client: list[str], port: int, udp: bool,
                  exchanges: int, req: int) -> tuple[bool, str]:
    """Run one server/client pair; the client must end with status 0, have sent every request
    and read every response; the server must have read every byte."""
    srv_out = BUILD / "mbedtls" / f"server-{port}.log"
    with open(srv_out, "w") as f, background(server, stdout=f, stderr=subprocess.STDOUT) as sp:
        if not udp:
            if not wait_port(port):
                return False, f"server did not listen (exit {sp.poll()})"
        # UDP: nothing to connect to for a readiness check; the server says when it is bound.
        elif not wait_for_text(srv_out, "Waiting for a remote connection", 60):
            return False, f"server never said it was waiting (exit {sp.poll()})"
        start = time.time()
        try:
            c = subprocess.run(client, capture_output=True, timeout=300)
        except subprocess.TimeoutExpired:
            return False, "client timed out after 300 s"
        secs = time.time() - start
        time.sleep(0.2)
    cout = c.stdout.decode("latin-1")
    sout = srv_out.read_text(encoding="latin-1")
    writes, sent = _sum_bytes(cout, "Write to server")
    reads, _ = _sum_bytes(cout, "Read from server")
    sreads, received = _sum_bytes(sout, "Read from client")
    detail = (f"client exit {c.returncode}, {writes} requests ({sent} bytes) sent, {reads} responses"
              f" read, server read {received} bytes, {secs:.1f} s")
    ok = (c.returncode == 0 and writes == exchanges and reads >= exchanges
          and sent == received == exchanges * req)
    if not ok:
        detail += " | client: " + " / ".join(cout.strip().splitlines()[-3:])[:300]
    return ok, detail


def run_mbedtls() -> list[Tally]:
    nat, wsm = BUILD / "mbedtls" / "native", BUILD / "mbedtls" / "wasm"
    t = Tally("mbedtls/ssl_server2+ssl_client2", "mbedtls")

    def prog(kind: str, name: str) -> list[str]:
        return [str(nat / name)] if kind == "native" else wasm(wsm / f"{name}.wasm")

    cases = []
    for proto, udp, exchanges, req in (("tls12", False, MB_EXCHANGES, MB_REQ),
                                       # ssl_server2 reads a datagram into a small buffer
                                       ("dtls12", True, 100, 128)):
        for srv, cli in (("wasm", "native"), ("native", "wasm"), ("native", "native")):
            cases.append((proto, udp, exchanges, req, srv, cli))
    for proto, udp, exchanges, req, srv, cli in cases:
        port = free_port(kind=socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        common = [f"server_port={port}", "server_addr=127.0.0.1", "force_version=" +
                  ("dtls12" if udp else "tls12"), f"exchanges={exchanges}"]
        if udp:
            common.append("dtls=1")
        server = prog(srv, "ssl_server2") + common
        client = prog(cli, "ssl_client2") + common + ["server_name=localhost", f"request_size={req}"]
        ok, detail = _mbedtls_pair(server, client, port, udp, exchanges, req)
        name = f"{proto} {exchanges}x{req} bytes: server {{}} / client {{}}"
        if srv == "native" and cli == "native":
            for other in ("wasm", "native"), ("native", "wasm"):
                t.native[name.format(*other)] = "pass" if ok else "fail"
        else:
            t.wasm[name.format(srv, cli)] = "pass" if ok else "fail"
        t.notes.append(f"{proto} server {srv} / client {cli}: {'ok' if ok else 'FAILED'}: {detail}")

    d = Tally("mbedtls/dtls_server+dtls_client", "mbedtls")
    # Both programs use the fixed port 4433 (and dtls_client 127.0.0.1).
    busy = False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("0.0.0.0", 4433))
        except OSError:
            busy = True
    for srv, cli in (("wasm", "native"), ("native", "wasm"), ("native", "native")):
        name = f"dtls_server {srv} / dtls_client {cli}"
        if busy:
            d.wasm[name] = "skip"
            d.notes.append("UDP port 4433 (fixed in dtls_server.c) is in use: skipped")
            continue
        with background(prog(srv, "dtls_server"), stdout=subprocess.PIPE) as sp:
            # Its port is bound once it says so (a fixed sleep lost the race while wasmtime was
            # still compiling a fresh build on a loaded machine: the client's first datagram met
            # a closed port).
            if not wait_for_output(sp, b"Waiting for a remote connection", 60):
                ok, out = False, "the server never said it was waiting"
            else:
                try:
                    c = subprocess.run(prog(cli, "dtls_client"), capture_output=True, text=True,
                                       timeout=60)
                    out = c.stdout
                    ok = (c.returncode == 0 and "bytes read" in out
                          and "Closing the connection" in out)
                except subprocess.TimeoutExpired:
                    ok, out = False, "client timed out"
        if srv == "native" and cli == "native":
            for k in d.wasm:
                d.native[k] = "pass" if ok else "fail"
        else:
            d.wasm[name] = "pass" if ok else "fail"
        if not ok:
            d.notes.append(f"{name}: " + " / ".join(out.strip().splitlines()[-3:])[:300])
    return [t, d]


# ---------------------------------------------------------------------------------------------
# curl: the wasm curl and the native build of the same source make the same requests to a
# native HTTP/1.1 server (Python's http.server, in this process) on 127.0.0.1 and [::1]; exit
# codes, bodies (sha256) and the facts each case checks must be identical.


def pattern_bytes(n: int, start: int = 0) -> bytes:
    block = bytes(range(256)) * 4096  # 1 MiB
    out = bytearray()
    pos = start
    while len(out) < n:
        off = pos % len(block)
        take = min(n - len(out), len(block) - off)
        out += block[off:off + take]
        pos += take
    return bytes(out)


class CurlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):  # quiet
        pass

    def _send(self, code: int, body: bytes, headers: dict | None = None, head: bool = False):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _route(self, head: bool):
        path = self.path.split("?")[0]
        if path.startswith("/bytes/"):
            n = int(path.split("/")[2])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if not head:
                sent = 0
                while sent < n:
                    chunk = pattern_bytes(min(1 << 20, n - sent), sent)
                    self.wfile.write(chunk)
                    sent += len(chunk)
        elif path.startswith("/redirect/"):
            n = int(path.split("/")[2])
            if n > 0:
                self._send(302, b"", {"Location": f"/redirect/{n - 1}"}, head)
            else:
                self._send(200, b"end of the chain\n", None, head)
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(20):
                data = pattern_bytes(1000 + i * 517, i)
                self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(6)
        else:
            self._send(404, b"not found\n", None, head)

    def do_GET(self):
        self._route(False)

    def do_HEAD(self):
        self._route(True)

    def _upload(self):
        h = hashlib.sha256()
        n = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data = self.rfile.read(size)
                h.update(data)
                n += len(data)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            if self.headers.get("Expect", "").lower() == "100-continue":
                pass  # http.server answers 100 Continue itself (handle_expect_100)
            while left:
                data = self.rfile.read(min(left, 1 << 16))
                if not data:
                    break
                h.update(data)
                n += len(data)
                left -= len(data)
        self._send(200, f"{self.command} {n} {h.hexdigest()}\n".encode())

    def do_POST(self):
        self._upload()

    def do_PUT(self):
        self._upload()


class _Server4(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server4):
    address_family = socket.AF_INET6


@contextlib.contextmanager
def http_servers():
    """One HTTP server on 127.0.0.1 and one on [::1], on the same port (so `localhost` reaches
    either)."""
    for _ in range(20):
        port = free_port()
        try:
            s4 = _Server4(("127.0.0.1", port), CurlHandler)
        except OSError:
            continue
        try:
            s6 = _Server6(("::1", port), CurlHandler)
        except OSError:
            s4.server_close()
            continue
        break
    else:
        raise RuntimeError("no port free on both 127.0.0.1 and ::1")
    ts = [threading.Thread(target=s.serve_forever, daemon=True) for s in (s4, s6)]
    for t in ts:
        t.start()
    try:
        yield port
    finally:
        for s in (s4, s6):
            s.shutdown()
            s.server_close()


@contextlib.contextmanager
def full_backlog():
    """A listener whose accept queue is full and never accepted from: a new SYN is dropped, so a
    connect to it neither succeeds nor is refused (Linux, tcp_abort_on_overflow 0)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        with contextlib.suppress(BlockingIOError, OSError):
            c.connect(("127.0.0.1", port))
        fillers.append(c)
    time.sleep(0.3)
    try:
        yield port
    finally:
        for c in fillers:
            c.close()
        ls.close()


@dataclass
class CurlRun:
    code: int
    out: bytes
    err: str
    secs: float


def _curl(kind: str, args: list[str], stdin: bytes | None = None, dns: bool = True,
          timeout: int = 300) -> CurlRun:
    if kind == "native":
        cmd = [str(BUILD / "curl" / "native" / "curl"), *args]
    else:
        cmd = wasm(BUILD / "curl" / "wasm" / "curl.wasm", *args, flags=NET_DNS if dns else NET)
    start = time.time()
    p = subprocess.run(cmd, input=stdin if stdin is not None else b"", capture_output=True,
                       timeout=timeout)
    return CurlRun(p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), time.time() - start)


def _curl_error(r: CurlRun) -> int | None:
    """The error number curl printed (`curl: (7) ...`): what curl meant to exit with."""
    m = re.search(r"curl: \((\d+)\)", r.err)
    return int(m.group(1)) if m else None


def _digest(b: bytes) -> str:
    return f"{len(b)} bytes sha256 {hashlib.sha256(b).hexdigest()[:16]}"


def run_curl() -> list[Tally]:
    t = Tally("curl/curl", "curl")
    up10 = pattern_bytes(10 << 20, 7)
    with http_servers() as port:
        u4, u6 = f"http://127.0.0.1:{port}", f"http://[::1]:{port}"
        refused = free_port()
        # name -> (args, stdin, facts(run) -> str): the facts must be equal, native and wasm
        cases: list[tuple[str, list[str], bytes | None, object, bool]] = []

        def case(name, args, stdin=None, facts=None, dns=True):
            cases.append((name, args, stdin, facts or (lambda r: _digest(r.out)), dns))

        for fam, u in (("ipv4", u4), ("ipv6", u6)):
            case(f"{fam} GET 1 byte", ["-sS", f"{u}/bytes/1"])
            case(f"{fam} GET 1 MiB", ["-sS", f"{u}/bytes/{1 << 20}"])
            case(f"{fam} HEAD", ["-sS", "-I", f"{u}/bytes/12345"],
                 facts=lambda r: [ln for ln in r.out.decode().splitlines()
                                  if not ln.lower().startswith(("date:", "server:"))])
            case(f"{fam} POST 10 MiB", ["-sS", "--data-binary", "@-", f"{u}/upload"], stdin=up10)
            case(f"{fam} PUT 10 MiB", ["-sS", "-T", "-", f"{u}/upload"], stdin=up10)
            case(f"{fam} keep-alive, 3 URLs on one connection",
                 ["-sS", "-w", "[connects %{num_connects}]\n", f"{u}/bytes/100",
                  f"{u}/bytes/200", f"{u}/bytes/300"],
                 facts=lambda r: (_digest(r.out), r.out.count(b"[connects 1]"),
                                  r.out.count(b"[connects 0]")))
            case(f"{fam} redirect chain (5)", ["-sS", "-L", "-w", "%{num_redirects}", f"{u}/redirect/5"])
            case(f"{fam} chunked", ["-sS", f"{u}/chunked"])
        case("ipv4 GET 100 MiB", ["-sS", f"{u4}/bytes/{100 << 20}"])
        case("connection refused", ["-sS", f"http://127.0.0.1:{refused}/"],
             facts=lambda r: (r.out, _curl_error(r)))
        case("--max-time against a server that stalls", ["-sS", "--max-time", "2", f"{u4}/stall"],
             facts=lambda r: (r.out, _curl_error(r), 1.5 < r.secs < 5))
        case("--limit-rate 500K for 1 MiB", ["-sS", "--limit-rate", "500K", f"{u4}/bytes/{1 << 20}"],
             facts=lambda r: (_digest(r.out), r.secs > 1.5))
        case("localhost, host lookups allowed", ["-sS", f"http://localhost:{port}/bytes/1000"])
        case("localhost, host lookups denied", ["-sS", f"http://localhost:{port}/bytes/1000"],
             dns=False)

        for name, args, stdin, facts, dns in cases:
            runs = {k: _curl(k, args, stdin, dns) for k in ("native", "wasm")}
            f = {k: (r.code, facts(r)) for k, r in runs.items()}
            t.native[name] = "pass"
            t.wasm[name] = "pass" if f["wasm"] == f["native"] else "fail"
            if f["wasm"] != f["native"]:
                t.notes.append(f"{name}: native {str(f['native'])[:200]} / wasm {str(f['wasm'])[:200]}"
                               f" / wasm stderr: {runs['wasm'].err.strip()[-200:]}")

        with full_backlog() as bport:
            name = "--connect-timeout against a full backlog"
            args = ["-sS", "--connect-timeout", "2", f"http://127.0.0.1:{bport}/"]
            runs = {k: _curl(k, args) for k in ("native", "wasm")}
            f = {k: (r.code, _curl_error(r), 1.5 < r.secs < 6) for k, r in runs.items()}
            t.native[name] = "pass" if f["native"] == (28, 28, True) else "fail"
            t.wasm[name] = "pass" if f["wasm"] == f["native"] else "fail"
            if f["wasm"] != f["native"]:
                t.notes.append(f"{name}: native {f['native']} / wasm {f['wasm']}:"
                               f" {runs['wasm'].err.strip()[-200:]}")
    return [t]


# ---------------------------------------------------------------------------------------------
# libevent: test/regress with each backend, chosen by libevent's environment variables, and the
# small test-* programs. Natively regress runs whole, forking per test (tinytest's default);
# under wasm (no fork) each test runs in its own wasmtime process, which gives the same
# isolation (a test that fails leaves events on the stack it registered in the global base).
# Each backend is forced by turning the other two off (libevent prefers epoll, then poll, then
# select), as libevent's own CMake test targets do; a build without the backend fails every test.
# The library gives the wasm build epoll (sys/epoll.h), poll and select.

LE_BACKENDS = {"epoll": "EVENT_NOPOLL=1,EVENT_NOSELECT=1",
               "poll": "EVENT_NOEPOLL=1,EVENT_NOSELECT=1",
               "select": "EVENT_NOEPOLL=1,EVENT_NOPOLL=1"}


def _le_env(env: str) -> dict[str, str]:
    return dict(kv.split("=") for kv in env.split(","))
LE_TIMEOUT = 30
LE_TEST_START = re.compile(r"^(\S+/\S+): ")
LE_VERDICT = re.compile(r"^(\S+/\S+): (?:\[forking\] )?(OK|SKIPPED)\s*$")
LE_FAILED = re.compile(r"\[(\S+) FAILED\]")


def parse_regress(out: str) -> dict[str, str]:
    res: dict[str, str] = {}
    current = None
    for line in out.splitlines():
        m = LE_VERDICT.match(line)
        if m:
            res[m.group(1)] = "pass" if m.group(2) == "OK" else "skip"
            current = None
            continue
        m = LE_TEST_START.match(line)
        if m:
            current = m.group(1)
        m = LE_FAILED.search(line)
        if m and current:
            res[current] = "fail"
            current = None
    return res


def regress_tests(cmd: list[str]) -> list[str]:
    """The tests a regress binary has and runs by default (not those it lists as `(Off by
    default)` or `(DISABLED)`)."""
    out = subprocess.run([*cmd, "--list-tests"], capture_output=True, text=True, timeout=60).stdout
    return [ln.strip() for ln in out.splitlines()
            if ln.startswith("    ") and "/" in ln and "(" not in ln]


def _regress_wasm_one(test: str, env: str) -> tuple[str, str, str]:
    # /tmp for the suite's temporary files, /etc for evdns' /etc/resolv.conf and /etc/hosts
    # (as a user runs a program that reads them).
    envs = [a for kv in env.split(",") for a in ("--env", kv)]
    cmd = [WASMTIME, "run", *NET_DNS, *envs, "--dir", str(BUILD / "libevent" / "tmp") + "::/tmp",
           "--dir", "/etc::/etc", str(BUILD / "libevent" / "wasm" / "bin" / "regress.wasm"), test]
    try:
        # The slowest test natively takes 13 s.
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=LE_TIMEOUT)
    except subprocess.TimeoutExpired as ex:
        out = ex.stdout.decode() if isinstance(ex.stdout, bytes) else (ex.stdout or "")
        seen = parse_regress(out).get(test)
        return test, "fail", f"timed out after {LE_TIMEOUT} s (the test itself said: {seen or 'nothing'})"
    v = parse_regress(p.stdout).get(test)
    if v is None:
        tail = (p.stdout + p.stderr).strip().splitlines()
        msg = next((ln for ln in tail if "memory fault" in ln or "unreachable" in ln or "error" in ln.lower()),
                   tail[-1] if tail else "")
        return test, "fail", f"no verdict (exit {p.returncode}): {msg.strip()[:160]}"
    detail = ""
    if v == "fail":
        fails = [ln.strip() for ln in p.stdout.splitlines() if "FAIL " in ln]
        detail = fails[0][:200] if fails else ""
    return test, v, detail


def run_libevent() -> list[Tally]:
    nat = BUILD / "libevent" / "native" / "bin"
    (BUILD / "libevent" / "tmp").mkdir(exist_ok=True)
    standins = (BUILD / "libevent" / "wasm" / "standins.txt").read_text().split()
    tests = regress_tests([str(nat / "regress")])
    wasm_has = set(regress_tests(wasm(BUILD / "libevent" / "wasm" / "bin" / "regress.wasm")))
    tallies = []
    for backend, env in LE_BACKENDS.items():
        t = Tally(f"libevent/regress ({backend})", "libevent")
        if standins:
            t.notes.append("linked with TEMPORARY stand-ins for what the library lacks: "
                           + ", ".join(standins) + " (tests/real/libevent/wsp_standins.c)")
        t0 = time.time()
        whole = known("libevent", f"backend {backend}")
        if whole and whole.kind == "skip":
            for test in tests:
                t.wasm[test] = "skip"
            t.notes.append(f"not run under wasm: {whole.reason}")
            tallies.append(t)
            continue
        n = subprocess.run([str(nat / "regress")], capture_output=True, text=True, timeout=900,
                           env={**os.environ, **_le_env(env)}, cwd=BUILD / "libevent" / "tmp")
        t.native = parse_regress(n.stdout)
        log(f"real: libevent: native regress with {backend}: {time.time() - t0:.0f} s")
        t0 = time.time()
        run = []
        for test in apply_skips(t, tests):
            if test in wasm_has:
                run.append(test)
            else:  # compiled out of the wasm build: known.txt must say why
                t.wasm[test] = "skip"
                if not known("libevent", test):
                    t.unexpected.append(f"{test}: not in the wasm build, and known.txt does not say why")
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for test, verdict, detail in pool.map(lambda x: _regress_wasm_one(x, env), run):
                if verdict == "fail" and t.native.get(test, "pass") == "pass" and not known("libevent", test):
                    # Timing-heavy tests on a loaded machine: one more try, reported as such.
                    _, verdict, again = _regress_wasm_one(test, env)
                    if verdict == "pass":
                        t.notes.append(f"{test}: failed once, passed on a second try ({detail})")
                    detail = again
                t.wasm[test] = verdict
                if verdict == "fail" and t.native.get(test, "pass") == "pass":
                    kn = known("libevent", test)
                    why = f" [listed gap: {kn.reason}]" if kn else ""
                    t.notes.append(f"{test}: {detail}{why}")
        log(f"real: libevent: wasm regress with {backend}: {time.time() - t0:.0f} s")
        tallies.append(t)

    # The same small programs from the autoconf build (./configure --host=wasm32-wasip1).
    ac = Tally("libevent/test-* programs built by ./configure --host=wasm32-wasip1", "libevent")
    for prog in ("test-init", "test-eof", "test-closed", "test-weof", "test-time", "test-changelist"):
        n = subprocess.run([str(nat / prog)], capture_output=True, text=True, timeout=120)
        ac.native[prog] = "pass" if n.returncode == 0 else "fail"
        w = subprocess.run(wasm(BUILD / "libevent" / "autoconf" / "src" / "test" / prog, flags=NET_DNS),
                           capture_output=True, text=True, timeout=120)
        ac.wasm[prog] = "pass" if w.returncode == 0 else "fail"
        if w.returncode != 0:
            ac.notes.append(f"{prog}: exit {w.returncode}: "
                            + " / ".join((w.stdout + w.stderr).strip().splitlines()[-2:])[:200])
    tallies.append(ac)

    small = Tally("libevent/test-* programs", "libevent")
    for prog in ("test-init", "test-eof", "test-closed", "test-weof", "test-time",
                 "test-changelist", "test-fdleak", "test-dumpevents", "test-ratelim"):
        n = subprocess.run([str(nat / prog)], capture_output=True, text=True, timeout=120)
        small.native[prog] = "pass" if n.returncode == 0 else "fail"
        if known("libevent", prog) and known("libevent", prog).kind == "skip":
            small.wasm[prog] = "skip"
            continue
        try:
            w = subprocess.run(wasm(BUILD / "libevent" / "wasm" / "bin" / f"{prog}.wasm", flags=NET_DNS),
                               capture_output=True, text=True, timeout=120)
            small.wasm[prog] = "pass" if w.returncode == 0 else "fail"
            if w.returncode != 0:
                small.notes.append(f"{prog}: exit {w.returncode}: "
                                   + " / ".join((w.stdout + w.stderr).strip().splitlines()[-2:])[:200])
        except subprocess.TimeoutExpired:
            small.wasm[prog] = "fail"
            small.notes.append(f"{prog}: timed out")
    tallies.append(small)
    return tallies


# ---------------------------------------------------------------------------------------------
# main

PROJECTS = {"hiredis": run_hiredis, "mbedtls": run_mbedtls, "curl": run_curl,
            "libevent": run_libevent}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", nargs="*", help=f"some of {', '.join(PROJECTS)} (default: all)")
    ap.add_argument("--no-build", action="store_true", help="use the builds as they are")
    args = ap.parse_args(argv)
    projects = args.projects or list(PROJECTS)
    bad = 0
    tallies: list[Tally] = []
    for p in projects:
        if not args.no_build:
            b = subprocess.run([str(HERE / "build.sh"), p], cwd=ROOT)
            if b.returncode == 0 and p == "libevent":
                b = subprocess.run([str(HERE / "build.sh"), "libevent-autoconf"], cwd=ROOT)
            if b.returncode != 0:
                log(f"real: {p}: BUILD FAILED (see build/real/{p}/*/build.log)")
                bad += 1
                continue
        start = time.time()
        try:
            ts = PROJECTS[p]()
        except Exception as ex:  # a broken harness is a failure, not a crash of the whole run
            log(f"real: {p}: ERROR {type(ex).__name__}: {ex}")
            bad += 1
            continue
        for t in ts:
            t.judge()
            log(t.summary())
            for n in t.notes:
                log(f"    note: {n}")
            for u in t.unexpected:
                log(f"    UNEXPECTED: {u}")
            bad += bool(t.unexpected)
            tallies.append(t)
        log(f"real: {p}: {time.time() - start:.0f} s")
    passed = sum(1 for t in tallies for v in t.wasm.values() if v == "pass")
    fails = sum(1 for t in tallies for v in t.wasm.values() if v == "fail")
    unexpected = sum(len(t.unexpected) for t in tallies) + (bad - sum(bool(t.unexpected) for t in tallies))
    skipped = sum(1 for t in tallies for v in t.wasm.values() if v == "skip")
    log(f"real: {fails - min(fails, unexpected)} expected failures (listed gaps in known.txt),"
        f" {bad} program(s) or project(s) with unexpected results")
    # The closing line: `failed` counts what is not listed (a build that failed counts as one).
    log(f"real: {passed} passed, {unexpected} failed, {skipped} skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
