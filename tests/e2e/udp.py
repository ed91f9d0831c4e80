"""UDP end to end: echo servers and clients exchanging 10,000 datagrams, every byte verified,
loss counted."""

from __future__ import annotations

import re

from harness import OUT, Proc, e2e, run, wasm_cmd

from .common import peer

UDP_DATAGRAMS = 10_000


def udp_pair(server: str, client: str, fam: int, mode: str, conn: str, count: int = UDP_DATAGRAMS) -> str:
    """A UDP echo server and a client that sends `count` datagrams of 1 byte to 8 KiB and
    checks every echo byte for byte, counting loss (a missing echo), corruption and reordering."""
    srv_cmd = [str(fam)]
    srv = Proc(wasm_cmd(peer("wasm", "udp_echo_server"), args=srv_cmd) if server == "wasm"
               else [str(peer("native", "udp_echo_server")), *srv_cmd])
    try:
        port = int(srv.expect(r"^PORT (\d+)").group(1))
        args = [str(fam), str(port), str(count), "11", mode, conn]
        cmd = (wasm_cmd(peer("wasm", "udp_client"), args=args) if client == "wasm"
               else [str(peer("native", "udp_client")), *args])
        c = run(cmd, 180, cwd=OUT)
        assert c.returncode == 0, f"client exit {c.returncode}: {c.stdout[-800:]} {c.stderr[-800:]}"
        m = re.search(r"sent=(\d+) echoed=(\d+) lost=(\d+) corrupt=(\d+) reordered=(\d+)", c.stdout)
        assert m, f"client printed no summary: {c.stdout[-500:]}"
        sent, echoed, lost, corrupt, reordered = map(int, m.groups())
        assert sent == count and corrupt == 0, m.group(0)
        # Loopback with 4 MiB buffers loses nothing in lock step; a window of 32 may lose a little
        # under load, which is UDP's right, but not more than 1%.
        assert lost == 0 if mode == "pingpong" else lost <= count // 100, m.group(0)
        assert srv.wait(30) == 0, srv.err[-500:]
        e = srv.expect(r"echoed (\d+)")
        return f"{count} datagrams of 1 B to 8 KiB, {echoed} echoed and verified, {lost} lost, {reordered} reordered (server saw {e.group(1)})"
    finally:
        srv.kill()


for _fam in (4, 6):
    for _srv, _cli, _mode, _conn in (("wasm", "wasm", "pingpong", "connected"),
                                     ("wasm", "wasm", "window", "unconnected"),
                                     ("native", "wasm", "window", "connected"),
                                     ("wasm", "native", "pingpong", "unconnected")):
        def _u(fam=_fam, srv=_srv, cli=_cli, mode=_mode, conn=_conn):
            return udp_pair(srv, cli, fam, mode, conn)
        _u.__name__ = f"e2e_udp_{_mode}_{_conn}_{_srv}_server_{_cli}_client_ipv{_fam}"
        e2e(_u)
