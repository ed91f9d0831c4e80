"""Guest test harness: Linux is the oracle.

    python3 tests/run.py                 # everything
    python3 tests/run.py -k tcp_basic    # tests whose name contains the pattern
    python3 tests/run.py --list          # the tests (heavy ones marked)
    python3 tests/run.py -j 4            # at most 4 tests at once (default: the CPUs, at least 2)

Conformance tests (tests/c/*.c): each program is built twice, natively with gcc and for
wasm32-wasip1 with wasi-posix-sockets (bin/wasi-sockets-cc), run (the wasm build under wasmtime),
and the two outputs are compared line by line. Every difference must be listed, with its reason,
in tests/deviations.md; a listed deviation that no longer occurs is an error too, so the list
stays true.

A C test can carry metadata in `//! key: value` lines:
    //! wasmtime: <flags>        wasmtime run flags (default: -S inherit-network)
    //! mode: wasm-only          no native build; compare with the `//! expect:` lines instead
    //! expect: <line>           expected output line (wasm-only tests)
    //! timeout: <seconds>       per run (default 60)
    //! stdin: <line>            a line written to the program's stdin; the pipe stays open until
                                 the program exits (otherwise stdin is /dev/null)
    //! helper: <kind> ...       start native helper servers, each on IPv4 and IPv6; their ports
                                 are the program's argv, two per kind, in order. Kinds:
                                 rst: resets every connection it accepts (SO_LINGER 0);
                                 slow: sends "ab", "cd", "ef" 50 ms apart, then closes;
                                 fault: scripted faults (resets and closes at every phase,
                                 a slow reader), see helpers.Helpers._fault
    //! heavy: yes               the test saturates the CPU (see "Heavy tests")

End-to-end tests (functions marked @e2e in tests/e2e/*.py) run several processes: wasm and
native peers talking over loopback, with byte counts and checksums compared.

Adding a conformance test: write tests/c/<name>.c (include "t.h"; print one line per check, the
same lines on Linux and under wasm), run `python3 tests/run.py -k <name>`, and list every
difference WASI forces in tests/deviations.md under `## <name>` with its reason. No registration:
every tests/c/*.c is a test. Programs must build without warnings (a warning fails the test).

Adding an end-to-end test: in the tests/e2e/ module of its area (or a new module there: every
module is imported, in name order), write

    from harness import e2e, build, run, wasm_cmd, OUT, TESTS

    @e2e                                  # or @e2e(heavy=True)
    def e2e_my_thing():
        \"\"\"What it shows.\"\"\"
        wasm = build(TESTS / "guests" / "my_thing.c", "wasm")
        r = run(wasm_cmd(wasm, args=["1"]), 60, cwd=OUT)
        assert r.returncode == 0 and "OK" in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]
        return "a short detail shown after ok"

The name must start with `e2e_` and be unique. The test fails when it raises: an `assert` with
a message, a timeout, or any other exception (its traceback is the failure's detail); the other
tests go on (a module that does not import fails as one test, e2e_module_<name>). Shared
pieces for e2e tests are in tests/e2e/common.py (peers, echo checks).

Heavy tests: a test that saturates the CPU (1000 connections, the fuzzer, the benchmark smoke
test) is marked heavy (`@e2e(heavy=True)`, `//! heavy: yes`); no two heavy tests run at the same
time, while light tests go on beside them. A light test with one CPU-saturating step (a cargo
build) wraps that step in `with heavy_section():`.

The harness's parts: env (paths, wasmtime), build (building test programs), procs (running
them), deviations (tests/deviations.md and comparing outputs), helpers (native helper servers),
conformance (the conformance runner), registry (tests, @e2e, the heavy slot), runner (the
command line).
"""

from .build import BuildError, build
from .conformance import meta
from .deviations import Deviation, compare, load_deviations
from .env import (CC_WASM, CDIR, GUESTS, LIB, LIBS, NET, OUT, P1, P2, PEERS, PREFIX, ROOT, TARGETS, TESTS,
                  WASM_OUT, WASMTIME, env_tool, on_target, target, wasm_cmd)
from .helpers import Helpers
from .procs import Proc, run
from .registry import E2E, Result, Test, e2e, heavy_section

__all__ = [
    "BuildError", "build", "meta", "Deviation", "compare", "load_deviations", "CC_WASM", "CDIR",
    "GUESTS", "LIB", "LIBS", "NET", "OUT", "P1", "P2", "PEERS", "PREFIX", "ROOT", "TARGETS", "TESTS",
    "WASM_OUT", "WASMTIME", "env_tool", "on_target", "target", "wasm_cmd",
    "Helpers", "Proc", "run", "E2E", "Result", "Test", "e2e", "heavy_section",
]
