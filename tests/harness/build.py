"""Building C test programs natively (gcc) and for wasm (bin/wasi-sockets-cc), cached by
modification time.

A failed build, or one with warnings, raises `BuildError` in the test that asked for it (and in
every later request for the same program in this run), so it fails that test, not the run. A
program built with warnings is deleted, so the next run builds it again and shows them again.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from .env import CC_WASM, CDIR, LIBS, OUT, P1, ROOT, WASM_OUT, target as current_target


class BuildError(RuntimeError):
    """A test program did not build cleanly (the compiler's output is the message)."""


_locks_lock = threading.Lock()
_locks: dict[Path, threading.Lock] = {}
_failed: dict[Path, str] = {}


def _lock(out: Path) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(out, threading.Lock())


def _stale(out: Path, inputs: list[Path]) -> bool:
    if not out.exists():
        return True
    t = out.stat().st_mtime
    return any(p.stat().st_mtime > t for p in inputs)


def build(src: Path, kind: str, env: dict[str, str] | None = None, out: Path | None = None,
          deps: list[Path] = (), target: str | None = None, sources: list[Path] = (),
          flags: list[str] = (), name: str | None = None) -> Path:
    """Build `src` natively ("native") or for wasm ("wasm"); cached by modification time.
    `env` adds environment variables (WSP_LIB=... links another build of the library), `out`
    chooses the output file and `deps` adds inputs whose change forces a rebuild. A wasm build
    is for `target`, by default the calling thread's (`env.on_target`), into
    build/tests/<WASM_OUT[target]>/. `sources` are more C files compiled with `src` into the
    same program (inputs too); `flags` adds compiler flags (-DNAME=1). The cache knows files,
    not command lines: a build with flags gives its program a `name` of its own (the output
    file's name; by default `src`'s stem)."""
    # The tests' shared headers and the library's own (include/) count as inputs too.
    deps = [src, *sources, *CDIR.glob("*.h"), *(ROOT / "include").rglob("*.h"), *deps]
    name = name or src.stem
    if kind == "native":
        out = out or OUT / "native" / name
        cc = ["gcc"]
    else:
        t = target or current_target()
        out = out or OUT / WASM_OUT[t] / (name + ".wasm")
        deps += [LIBS[t], CC_WASM]
        cc = [str(CC_WASM), *([] if t == P1 else [f"--target={t}"])]
    cmd = [*cc, "-O1", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter", *flags, "-o", str(out),
           str(src), *map(str, sources)]
    what = " ".join([src.name, *flags])
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        if out in _failed:
            raise BuildError(_failed[out])
        if _stale(out, deps):
            r = subprocess.run(cmd, capture_output=True, text=True,
                               env=None if env is None else {**os.environ, **env})
            if r.returncode != 0:
                _failed[out] = f"build failed ({kind}) {what}:\n{r.stdout}{r.stderr}"
                out.unlink(missing_ok=True)
                raise BuildError(_failed[out])
            if r.stderr.strip():
                _failed[out] = f"build warnings ({kind}) {what}:\n{r.stderr}"
                out.unlink(missing_ok=True)
                raise BuildError(_failed[out])
    return out
