"""Names end to end: getaddrinfo("localhost") in a client talking to a native server."""

from __future__ import annotations

import socket
import threading

from harness import NET, OUT, e2e, run, wasm_cmd

from .common import peer

def _echo_server_v4(conns: int) -> tuple[int, threading.Thread]:
    """A native (CPython) echo server on 127.0.0.1 only, serving `conns` connections in turn."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    ls.settimeout(60)

    def serve():
        with ls:
            for _ in range(conns):
                conn, _ = ls.accept()
                with conn:
                    while chunk := conn.recv(4096):
                        conn.sendall(chunk)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return ls.getsockname()[1], t


@e2e
def e2e_getaddrinfo_localhost_client():
    """A client resolves "localhost" with getaddrinfo, tries each address in order and talks to a
    native server listening on 127.0.0.1 only. Without -S allow-ip-name-lookup the library's own
    answer (::1, then 127.0.0.1) is used, so ::1 is refused first; with it the host's resolver
    answers, and the wasm client must print exactly what the same program prints natively."""
    port, t = _echo_server_v4(3)
    wasm, native = peer("wasm", "gai_client"), peer("native", "gai_client")
    args = ["localhost", str(port)]
    denied = run(wasm_cmd(wasm, args=args), 60, cwd=OUT)
    assert denied.returncode == 0, denied.stdout + denied.stderr
    assert denied.stdout.splitlines() == [
        "try AF_INET6 ::1 -> ECONNREFUSED",
        "try AF_INET 127.0.0.1 -> ok",
        "reply: hello over getaddrinfo",
    ], denied.stdout
    allowed = run(wasm_cmd(wasm, flags=NET + ["-S", "allow-ip-name-lookup"], args=args), 60, cwd=OUT)
    linux = run([str(native), *args], 60, cwd=OUT)
    assert allowed.returncode == 0 and linux.returncode == 0, allowed.stdout + allowed.stderr + linux.stdout
    assert allowed.stdout == linux.stdout, f"wasm:\n{allowed.stdout}\nLinux:\n{linux.stdout}"
    t.join(30)
    return "denied: ::1 refused then 127.0.0.1; allowed: same attempts as Linux"
