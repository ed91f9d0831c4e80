"""tests/deviations.md: the listed differences from Linux, and comparing a native output with a
wasm output against them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .env import TESTS


@dataclass
class Deviation:
    test: str
    native: str | None
    wasm: str | None
    why: str
    # The one target it is listed for (`## <test> (wasm32-wasip2)`), or None for every target.
    target: str | None = None
    # The targets whose run showed it.
    used: set[str] = field(default_factory=set)


_loaded: list[Deviation] = []


def load_deviations() -> list[Deviation]:
    """The entries of tests/deviations.md, read once per run: every caller (the runner's stale
    check, the conformance tests, an end-to-end test that compares with a native build) shares
    the same entries and their `used` marks."""
    if not _loaded:
        _loaded.extend(_read())
    return _loaded


def _read() -> list[Deviation]:
    text = (TESTS / "deviations.md").read_text()
    devs: list[Deviation] = []
    test = None
    only = None
    entry: dict[str, str] = {}

    def flush():
        if entry:
            if not entry.get("why") or "native" not in entry or "wasm" not in entry:
                raise SystemExit(f"deviations.md: entry needs native, wasm and why lines under {test}: {entry}")
            devs.append(Deviation(
                test,
                None if entry["native"] == "(none)" else entry["native"],
                None if entry["wasm"] == "(none)" else entry["wasm"],
                entry["why"],
                only,
            ))
            entry.clear()

    for line in text.splitlines():
        if m := re.match(r"^## (\S+)(?: \((wasm32-wasip[12])\))?\s*$", line):
            flush()
            test, only = m.group(1), m.group(2)
        elif test is None:
            continue  # the preamble (which shows the format) is not an entry
        elif m := re.match(r"^- native: `(.*)`\s*$", line):
            flush()
            entry["native"] = m.group(1)
        elif m := re.match(r"^\s+wasm: `(.*)`\s*$", line):
            entry["wasm"] = m.group(1)
        elif m := re.match(r"^\s+why: (.+)$", line):
            entry["why"] = m.group(1)
        elif entry.get("why") and line.startswith("    ") and line.strip():
            entry["why"] += " " + line.strip()
    flush()
    return devs


def compare(test: str, native: list[str], wasm: list[str], devs: list[Deviation],
            target: str = "wasm32-wasip1") -> list[str]:
    """Differences between the outputs of `test` (the program's name) built natively and for
    `target` not covered by a deviation listed for it (and mark the ones used)."""
    problems = []
    mine = [d for d in devs if d.test == test and d.target in (None, target)]

    def covered(n: str | None, w: str | None) -> bool:
        for d in mine:
            if d.native == n and d.wasm == w:
                d.used.add(target)
                return True
        return False

    sm = difflib.SequenceMatcher(a=native, b=wasm, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        ns, ws = native[i1:i2], wasm[j1:j2]
        n = max(len(ns), len(ws))
        for k in range(n):
            nl = ns[k] if k < len(ns) else None
            wl = ws[k] if k < len(ws) else None
            if not covered(nl, wl):
                # The line's number and the line before it: which of several alike lines it is.
                at = i1 + k
                before = f"  after line {at}: {native[at - 1]!r}\n" if 0 < at <= len(native) else ""
                problems.append(f"{before}  native: {nl!r}\n  wasm:   {wl!r}")
    return problems
