"""A panic in the library says where it happened before the guest traps: a C program linked
against a build with the `test-hooks` feature calls `__wsp_test_panic`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

from harness import GUESTS, OUT, P1, ROOT, build, e2e, heavy_section, run, wasm_cmd

HOOKS_LIB = ROOT / "build" / "test-hooks" / "libwasi_posix_sockets.a"
_hooks_built = threading.Lock()
_hooks_ok: list[bool] = []


def hooks_lib() -> Path:
    """The library built with `c-runtime,test-hooks` (once per run; cargo keeps it fresh). It
    shares the library's cargo target directory: only the crate itself is compiled again."""
    with _hooks_built:
        if not _hooks_ok:
            with heavy_section():  # cargo: it saturates the CPU while it compiles
                r = subprocess.run(
                    [str(ROOT / "scripts" / "rust-wasm.sh"), "--no-std", "build", "--release",
                     "--features", "c-runtime,test-hooks"],
                    capture_output=True, text=True, cwd=ROOT,
                    env={**os.environ, "CARGO_TARGET_DIR": str(ROOT / "target" / "wasm")})
            if r.returncode != 0:
                raise RuntimeError(f"building the library with test-hooks failed:\n{r.stderr[-3000:]}")
            HOOKS_LIB.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "target" / "wasm" / "wasm32-wasip1" / "release" / HOOKS_LIB.name, HOOKS_LIB)
            _hooks_ok.append(True)
    return HOOKS_LIB


def _panic_run(what: int) -> str:
    lib = hooks_lib()
    wasm = build(GUESTS / "panic_hook.c", "wasm", env={"WSP_LIB": str(lib)},
                 out=OUT / "test-hooks" / "panic_hook.wasm", deps=[lib])
    r = run(wasm_cmd(wasm, args=[str(what)]), 60, cwd=OUT)
    assert r.returncode != 0 and r.stdout == "calling the hook\n", r.stdout + r.stderr[-2000:]
    assert "unreachable" in r.stderr, f"no trap after the panic:\n{r.stderr[-2000:]}"
    m = re.search(r"^panicked at (src/\S+\.rs:\d+:\d+): (.*)$", r.stderr, re.M)
    assert m, f"the panic did not say where it happened:\n{r.stderr[-2000:]}"
    return f"{m.group(1)}: {m.group(2)}"


# The test-hooks build is a wasm32-wasip1 one; the panic path is the same code on both targets.
@e2e(targets=(P1,))
def e2e_panic_says_where():
    """A plain panic in the library prints `panicked at src/<file>:<line>:<col>: <message>` on
    stderr, then the guest traps."""
    where = _panic_run(0)
    assert where.startswith("src/test_hooks.rs:") and "test panic requested by the program (0)" in where, where
    return where


@e2e(targets=(P1,))
def e2e_panic_reentrant_global_names_it():
    """A re-entrant use of a global (a `RefCell` borrow inside itself) panics naming the global
    and the line of the inner use, not with a bare BorrowMutError."""
    where = _panic_run(1)
    assert where.startswith("src/test_hooks.rs:") and \
        "re-entrant use of the global test_hooks::PROBE" in where, where
    return where
