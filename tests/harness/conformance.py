"""Conformance tests (tests/c/*.c): build natively and for wasm, run both, compare the outputs
(see the package's docstring for the `//! key: value` metadata)."""

from __future__ import annotations

import difflib
import re
import threading
from pathlib import Path

from .build import build
from .deviations import Deviation, compare
from .env import CDIR, NET, OUT, P1, PREFIX, wasm_cmd
from .helpers import Helpers
from .procs import run
from .registry import Result, Test


def meta(src: Path) -> dict[str, list[str]]:
    m: dict[str, list[str]] = {}
    for line in src.read_text().splitlines():
        if mm := re.match(r"^//! (\w+):\s?(.*)$", line):
            m.setdefault(mm.group(1), []).append(mm.group(2))
    return m


def conformance(src: Path, devs: list[Deviation], target: str = P1) -> Result:
    m = meta(src)
    timeout = float(m.get("timeout", ["60"])[0])
    flags = m["wasmtime"][0].split() if "wasmtime" in m else NET
    wasm = build(src, "wasm", target=target)
    for f in flags:  # directories a test maps in with --dir host::guest
        if "::" in f:
            (OUT / f.split("::")[0]).mkdir(parents=True, exist_ok=True)
    stdin = m.get("stdin")
    helper = Helpers(m["helper"][0].split()) if "helper" in m else None
    args = helper.ports if helper else []
    try:
        return _conformance(src, devs, m, wasm, flags, args, stdin, timeout, target)
    finally:
        if helper:
            helper.close()


def _conformance(src, devs, m, wasm, flags, args, stdin, timeout, target) -> Result:
    name = PREFIX[target] + src.stem
    w = run(wasm_cmd(wasm, flags, args), timeout, stdin, cwd=OUT)
    wasm_out = w.stdout.splitlines()
    if w.returncode != 0:
        return Result(name, False, f"wasm exit {w.returncode}\n{w.stdout[-3000:]}{w.stderr[-3000:]}")
    if m.get("mode") == ["wasm-only"]:
        expected = m.get("expect", [])
        if wasm_out != expected:
            diff = "\n".join(difflib.unified_diff(expected, wasm_out, "expected", "wasm", lineterm=""))
            return Result(name, False, diff)
        return Result(name, True)
    n = _native_run(src, args, timeout, stdin)
    if n.returncode != 0:
        return Result(name, False, f"native exit {n.returncode}\n{n.stdout[-3000:]}{n.stderr[-3000:]}")
    problems = compare(src.stem, n.stdout.splitlines(), wasm_out, devs, target)
    if problems:
        return Result(name, False, "unlisted differences from Linux:\n" + "\n".join(problems))
    return Result(name, True)


_native_lock = threading.Lock()
_native_runs: dict[tuple, tuple[threading.Lock, list]] = {}


def _native_run(src: Path, args: list[str], timeout: float, stdin):
    """The native run of `src` with `args`, made once per test run and shared by the program's
    tests on every target: Linux's answer does not depend on the wasm target, and two native
    runs at once would take the same fixed names (AF_UNIX paths in /tmp, abstract names) from
    each other. (A test with a helper peer gets fresh ports, so its runs are not shared.)"""
    key = (src, tuple(args), None if stdin is None else tuple(stdin))
    with _native_lock:
        lock, memo = _native_runs.setdefault(key, (threading.Lock(), []))
    with lock:
        if not memo:
            memo.append(run([str(build(src, "native")), *args], timeout, stdin, cwd=OUT))
        return memo[0]


def sources() -> list[Path]:
    """The conformance programs, in name order."""
    return sorted(CDIR.glob("*.c"))


def conformance_test(src: Path, devs: list[Deviation], target: str = P1) -> Test:
    """The test of one program on one target; `//! heavy: yes` marks it heavy."""
    return Test(PREFIX[target] + src.stem, "conformance", lambda: conformance(src, devs, target),
                heavy="heavy" in meta(src))
