"""The command line (`python3 tests/run.py [-k PATTERN] [--list] [-j N]`): collect the tests,
build their programs, run them in parallel (heavy ones one at a time), report."""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib
import os
import pkgutil
import subprocess
import sys
import threading
import time
import traceback

from .build import build
from .conformance import conformance_test, meta, sources
from .deviations import load_deviations
from .env import LIBS, OUT, PEERS, PREFIX, TARGETS
from .registry import E2E, HEAVY, Result, Test


def raise_fd_limit() -> None:
    """1000-connection tests need more than the usual 1024 descriptors, in this process and in
    the wasmtime processes it starts (which inherit the limit)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 8192 and (hard == resource.RLIM_INFINITY or hard > soft):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard) if hard != resource.RLIM_INFINITY else 65536, hard))


def load_e2e() -> list[Test]:
    """Import every module of tests/e2e/ (in name order); their `@e2e` functions register. A
    module that fails to import becomes one failing test (`e2e_module_<name>`, always run, its
    traceback the detail); the other modules' tests run."""
    import e2e
    broken = []
    for mod in sorted(m.name for m in pkgutil.iter_modules(e2e.__path__)):
        try:
            importlib.import_module(f"e2e.{mod}")
        except Exception:
            name, detail = f"e2e_module_{mod}", "the module did not import:\n" + traceback.format_exc()
            broken.append(Test(name, "e2e", lambda n=name, d=detail: Result(n, False, d)))
    return broken


def run_test(t: Test) -> Result:
    """Run one test; whatever it raises fails it, not the run: a failed `assert` with its
    message, a timeout with the command, anything else with its traceback."""
    t0 = time.monotonic()
    try:
        r = t.run()
        if not isinstance(r, Result):
            r = Result(t.name, True, r or "")
    except subprocess.TimeoutExpired as e:
        r = Result(t.name, False, f"timed out: {e.cmd}")
    except AssertionError as e:
        r = Result(t.name, False, str(e) or traceback.format_exc())
    except Exception:
        r = Result(t.name, False, traceback.format_exc())
    r.seconds = time.monotonic() - t0
    return r


def schedule(tests: list[Test], jobs: int, report) -> None:
    """Run `tests` on `jobs` workers, in order, except that a heavy test starts only when no
    other heavy test is running (a worker takes the next light test meanwhile). `report` gets
    every result, in the tests' order."""
    pending = list(range(len(tests)))
    results: list[Result | None] = [None] * len(tests)
    done = [threading.Event() for _ in tests]
    cv = threading.Condition()

    def take() -> tuple[int, bool] | None:
        with cv:
            while pending:
                for i in pending:
                    if not tests[i].heavy:
                        pending.remove(i)
                        return i, False
                    if HEAVY.acquire(blocking=False):
                        pending.remove(i)
                        return i, True
                cv.wait(0.2)
            return None

    def worker():
        while (job := take()) is not None:
            i, held = job
            try:
                results[i] = run_test(tests[i])
            finally:
                if held:
                    HEAVY.release()
                done[i].set()
                with cv:
                    cv.notify_all()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, jobs))]
    for w in workers:
        w.start()
    for i in range(len(tests)):
        done[i].wait()
        report(results[i])


def prebuild(srcs, tests: list[Test], jobs: int) -> None:
    """Build every program the selected tests need, in parallel. Failures are remembered and
    raised again in the test that needs the program (see build.py)."""
    names = {t.name for t in tests}
    work = [(p, "native", None) for p in srcs
            if any(PREFIX[t] + p.stem in names for t in TARGETS) and meta(p).get("mode") != ["wasm-only"]]
    work += [(p, "wasm", t) for p in srcs for t in TARGETS if PREFIX[t] + p.stem in names]
    for t in TARGETS:
        if any(x.kind == "e2e" and x.name.startswith(PREFIX[t] + "e2e_") for x in tests):
            work += [(p, "wasm", t) for p in sorted(PEERS.glob("*.c"))]
    if any(t.kind == "e2e" for t in tests):
        work += [(p, "native", None) for p in sorted(PEERS.glob("*.c"))]

    def quiet(p, k, t):
        try:
            build(p, k, target=t)
        except Exception:
            pass  # the test that needs it reports it

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(lambda job: quiet(*job), work))


def main() -> int:
    raise_fd_limit()
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="only tests whose name contains this")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-j", type=int, default=max(2, os.cpu_count() or 2))
    args = ap.parse_args()

    for lib in LIBS.values():
        if not lib.exists():
            print(f"{lib} missing: run `make` first", file=sys.stderr)
            return 2
    broken = load_e2e()
    devs = load_deviations()
    srcs = sources()
    tests = [conformance_test(p, devs, t) for t in TARGETS for p in srcs] + list(E2E.values())
    tests = [t for t in tests if args.k in t.name] + broken
    if args.list:
        for t in tests:
            print(f"{t.kind:12} {t.name}{'  (heavy)' if t.heavy else ''}")
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    prebuild(srcs, tests, args.j)

    failed: set[str] = set()

    def report(r: Result):
        status = "ok  " if r.ok else "FAIL"
        extra = f"  ({r.detail})" if r.ok and r.detail else ""
        print(f"{status} {r.name} [{r.seconds:.1f}s]{extra}", flush=True)
        if not r.ok:
            failed.add(r.name)
            print(r.detail, flush=True)

    schedule(tests, args.j, report)

    stale = 0
    if not args.k:
        for d in devs:
            for t in [d.target] if d.target else TARGETS:
                # A failed test's deviations may not have been compared: its failure says enough.
                if t not in d.used and PREFIX[t] + d.test not in failed:
                    stale += 1
                    print(f"FAIL stale deviation in tests/deviations.md ({d.test}, {t}): "
                          f"native {d.native!r} / wasm {d.wasm!r} no longer occurs")
    total = len(tests)
    print(f"\n{total - len(failed)}/{total} passed, "
          f"{sum(len(d.used) for d in devs)} listed deviations from Linux observed "
          f"(counted per target)")
    return 1 if failed or stale else 0
