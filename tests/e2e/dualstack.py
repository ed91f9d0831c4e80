"""Dual-stack IPv6 sockets end to end: the port a bind to [::]:0 gets is free in IPv4 too,
even when another process holds much of the IPv4 port range."""

from __future__ import annotations

import re
import socket

from harness import GUESTS, OUT, build, e2e, run, wasm_cmd

# IPv4 ports held by the test (of each of TCP and UDP) while the guest binds: about a tenth of
# Linux's ephemeral range (32768-60999), so about one bind in ten first gets an IPv6 port whose
# IPv4 twin is taken.
HELD = 3000
BINDS = 400


@e2e(heavy=True)
def e2e_dualstack_port_free_in_both():
    """With 3000 TCP and 3000 UDP IPv4 ports held by this process, 400 binds of dual-stack
    sockets to [::]:0 in wasm (TCP listeners and UDP sockets) all succeed, each on a port the
    dual-stack socket then holds in IPv4 too. The host picks the IPv6 port knowing nothing of
    IPv4; when its twin is taken, the library picks another, as Linux picks a port free in both
    families (without that, about one bind in ten failed with EADDRINUSE)."""
    wasm = build(GUESTS / "dualstack_ports.c", "wasm")
    held = []
    try:
        for _ in range(HELD):
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.bind(("0.0.0.0", 0))
            t.listen(1)
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("0.0.0.0", 0))
            held += [t, u]
        r = run(wasm_cmd(wasm, args=[str(BINDS)]), 120, cwd=OUT)
    finally:
        for s in held:
            s.close()
    m = re.search(r"PORTS (\d+) failed (\d+) held (\d+)", r.stdout)
    assert r.returncode == 0 and m, r.stdout[-1500:] + r.stderr[-1500:]
    binds, failed, twins = map(int, m.groups())
    assert failed == 0 and twins == binds, m.group(0) + "\n" + r.stdout[-1500:]
    return f"{binds} dual-stack binds beside {HELD} + {HELD} held IPv4 ports: none failed, all held in IPv4"
