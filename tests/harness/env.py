"""Paths and tools every test uses: the repository's folders and wasmtime (from scripts/env.sh)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TESTS = ROOT / "tests"
CDIR = TESTS / "c"
PEERS = CDIR / "peers"
GUESTS = TESTS / "guests"
OUT = ROOT / "build" / "tests"
LIB = ROOT / "build" / "lib" / "libwasi_posix_sockets.a"
CC_WASM = ROOT / "bin" / "wasi-sockets-cc"


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
