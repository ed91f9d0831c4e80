"""epoll under load: an edge-triggered echo server in wasm (tests/c/peers/epoll_server.c) holding
10,000 concurrent connections from a native client (tests/c/peers/load_client.c, which raises its
own descriptor limit), every byte verified, under a resource limit a leaked handle per connection
would exceed."""

from __future__ import annotations

import time

from harness import NET, Proc, e2e, run, wasm_cmd

from .common import peer

EPOLL_CONNS = 10_000
EPOLL_ROUNDS = 2
# Host handles the server needs at its busiest: six per connection (the socket, its two streams
# and their pollables, and the socket's own pollable) and a few more. Measured: fails at 60,000,
# passes at 60,030. One leaked handle per connection would pass the limit in the second round.
EPOLL_MAX_RESOURCES = 60_300


def _round(port: int, seed: int) -> int:
    r = run([str(peer("native", "load_client")), "4", str(port), str(EPOLL_CONNS), str(seed), "60"], 90)
    assert r.returncode == 0 and f"clients {EPOLL_CONNS} bytes" in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]
    return int(r.stdout.split("bytes")[1].split()[0])


@e2e(heavy=True)
def e2e_epoll_server_10000_connections():
    """The edge-triggered epoll server holds 10,000 concurrent connections twice over under
    max-resources=60300 (a handle leaked per connection would trap in the second round), every
    echoed byte verified by the native client; the same server under a lower limit traps."""
    flags = [*NET, "-S", f"max-resources={EPOLL_MAX_RESOURCES}"]
    srv = Proc(wasm_cmd(peer("wasm", "epoll_server"), flags, ["4", str(EPOLL_CONNS), str(EPOLL_ROUNDS)]))
    try:
        port = int(srv.expect(r"^PORT (\d+)").group(1))
        t0 = time.monotonic()
        total, pages = 0, []
        for r in range(EPOLL_ROUNDS):
            total += _round(port, r + 1)
            pages.append(int(srv.expect(rf"round {r + 1} done, memory pages (\d+)", 60).group(1)))
        dt = time.monotonic() - t0
        m = srv.expect(r"served (\d+) peak (\d+) bytes (\d+) waits (\d+)", 60)
        assert int(m.group(1)) == EPOLL_CONNS * EPOLL_ROUNDS and int(m.group(2)) == EPOLL_CONNS, m.group(0)
        assert int(m.group(3)) == total, f"server saw {m.group(3)} bytes, clients had {total} echoed"
        rc = srv.wait(30)
        assert rc == 0, f"server exit {rc}: {srv.err[-2000:]}"
    finally:
        srv.kill()
    low = Proc(wasm_cmd(peer("wasm", "epoll_server"), [*NET, "-S", "max-resources=50000"],
                        ["4", str(EPOLL_CONNS), "1"]))
    try:
        port = int(low.expect(r"^PORT (\d+)").group(1))
        r = run([str(peer("native", "load_client")), "4", str(port), str(EPOLL_CONNS), "9", "20"], 60)
        assert r.returncode != 0, "the client succeeded against a server with too few handles"
        rc = low.wait(30)
        for _ in range(50):  # stderr is collected by a thread: let it finish
            if "resource table has no free keys" in low.err:
                break
            time.sleep(0.1)
        assert rc != 0 and "resource table has no free keys" in low.err, \
            f"the max-resources tripwire did not bite (exit {rc}): {low.err[-1000:]}"
    finally:
        low.kill()
    return (f"{EPOLL_ROUNDS} x {EPOLL_CONNS} concurrent connections under max-resources="
            f"{EPOLL_MAX_RESOURCES} in {dt:.1f}s, {total} bytes echoed and verified, {m.group(4)} waits, "
            f"memory pages per round {pages}; max-resources=50000 traps as it should")
