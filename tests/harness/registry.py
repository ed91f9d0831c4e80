"""The tests of a run: what a test is, the `@e2e` decorator that registers one, and the heavy
slot that keeps CPU-saturating tests from running at the same time."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from .env import P1, PREFIX, TARGETS, on_target


@dataclass
class Result:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Test:
    """One test. `run` returns a `Result` (conformance) or a detail string (e2e); raising fails
    the test. A `heavy` test saturates the CPU: no two run at once (light tests still run
    beside one)."""
    name: str
    kind: str  # "conformance" or "e2e"
    run: Callable[[], Result | str | None]
    heavy: bool = False


E2E: dict[str, Test] = {}


def e2e(fn: Callable[[], str | None] | None = None, *, heavy: bool = False,
        targets: tuple[str, ...] = TARGETS):
    """Register an end-to-end test under its function's name (which starts with `e2e_`). Use as
    `@e2e`, or `@e2e(heavy=True)` for a test that saturates the CPU (many connections, a fuzzer,
    a benchmark), or call `e2e(fn)` on a function made in a loop after setting its `__name__`.
    The function returns a short detail string shown after "ok"; it fails by raising
    (`assert` with a message, usually).

    The test runs once per target of the build matrix (`env.TARGETS`): the wasm programs it
    builds with `build(..., "wasm")` are that target's, and its name carries the target's prefix
    (`p2:e2e_...`). `targets=(env.P1,)` keeps a test to one target (one that builds its own
    program another way, or checks something of one build only)."""

    def register(f):
        for t in targets:
            name = PREFIX[t] + f.__name__
            if name in E2E:
                raise ValueError(f"two end-to-end tests named {name}")
            run = f if t == P1 else (lambda f=f, t=t: _on(t, f))
            E2E[name] = Test(name, "e2e", run, heavy)
        return f

    return register if fn is None else register(fn)


def _on(t: str, f: Callable[[], str | None]) -> str | None:
    with on_target(t):
        return f()


# The heavy slot: the runner starts a heavy test only when it can take the slot, and holds it
# while the test runs. Re-entrant, so a heavy test may also enter `heavy_section`.
HEAVY = threading.RLock()


@contextmanager
def heavy_section():
    """Hold the heavy slot for a CPU-saturating step inside a light test (a cargo build): it
    waits for a running heavy test to end, and no heavy test starts meanwhile."""
    with HEAVY:
        yield
