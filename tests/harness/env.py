"""Paths and tools every test uses: the repository's folders and wasmtime (from scripts/env.sh)."""

from __future__ import annotations

import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = ROOT / "tests"
CDIR = TESTS / "c"
PEERS = CDIR / "peers"
GUESTS = TESTS / "guests"
OUT = ROOT / "build" / "tests"
LIB = ROOT / "build" / "lib" / "libwasi_posix_sockets.a"
CC_WASM = ROOT / "bin" / "wasi-sockets-cc"

# The build matrix: every wasm test program is built for each target, with the library build of
# that target. Tests of the first run under their plain name; the others' carry a prefix
# ("p2:tcp_basic"), so `-k p2:` selects them and `-k tcp_basic` both.
P1, P2 = "wasm32-wasip1", "wasm32-wasip2"
TARGETS = (P1, P2)
LIBS = {P1: LIB, P2: ROOT / "build" / "lib" / P2 / "libwasi_posix_sockets.a"}
PREFIX = {P1: "", P2: "p2:"}
WASM_OUT = {P1: "wasm", P2: "wasm-p2"}  # build/tests/<this>/: each target's programs

_current = threading.local()


def target() -> str:
    """The target this thread builds wasm programs for (`on_target`), wasm32-wasip1 by default."""
    return getattr(_current, "target", P1)


@contextmanager
def on_target(t: str):
    """Build wasm programs for `t` in this thread while inside (a test runs in one thread)."""
    old = target()
    _current.target = t
    try:
        yield
    finally:
        _current.target = old


def env_tool(name: str, default: str) -> str:
    out = subprocess.run(
        ["bash", "-c", f". {ROOT}/scripts/env.sh && echo ${name}"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    return out or default


WASMTIME = env_tool("WSP_WASMTIME", "wasmtime")
NET = ["-S", "inherit-network"]


def wasm_cmd(wasm: Path, flags: list[str] | None = None, args: list[str] = ()) -> list[str]:
    return [WASMTIME, "run", *(NET if flags is None else flags), str(wasm), *args]
