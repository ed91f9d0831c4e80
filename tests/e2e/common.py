"""Pieces the end-to-end tests share: the C peers (tests/c/peers) and their command lines,
loopback addresses, the peers' byte pattern, the echo client's summary check."""

from __future__ import annotations

import re
from pathlib import Path
import socket

from harness import PEERS, build, wasm_cmd

def loopback_of(fam: int) -> tuple[int, str]:
    """The address family and loopback host for 4 or 6."""
    return (socket.AF_INET, "127.0.0.1") if fam == 4 else (socket.AF_INET6, "::1")


def pattern_bytes(n: int, seed: int) -> bytes:
    """The same pseudo-random stream the C peers generate (xorshift32, one byte per step)."""
    out = bytearray(n)
    x = seed & 0xFFFFFFFF or 1
    for i in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x & 0xFF
    return bytes(out)


MIB16 = 16 * 1024 * 1024


def peer(kind: str, name: str) -> Path:
    return build(PEERS / f"{name}.c", kind)


def client_cmd(kind: str, fam: int, port: int, mode: str, nbytes: int, seed: int) -> list[str]:
    args = [str(fam), str(port), mode, str(nbytes), str(seed)]
    if kind == "wasm":
        return wasm_cmd(peer("wasm", "echo_client"), args=args)
    return [str(peer("native", "echo_client")), *args]


def server_cmd(kind: str, fam: int, mode: str, conns: int) -> list[str]:
    args = [str(fam), mode, str(conns)]
    if kind == "wasm":
        return wasm_cmd(peer("wasm", "echo_server"), args=args)
    return [str(peer("native", "echo_server")), *args]


def check_client(out: str, nbytes: int) -> None:
    m = re.search(r"sent=(\d+) sent_sum=(\w+) recv=(\d+) recv_sum=(\w+)", out)
    assert m, f"client printed no summary: {out[-500:]}"
    assert int(m.group(1)) == nbytes and int(m.group(3)) == nbytes, out
    assert m.group(2) == m.group(4), f"echoed bytes differ: {out}"
