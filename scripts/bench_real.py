"""`make bench`'s real-program figures (scripts/bench.py runs this after the main tests): two of
the programs tests/real builds (tests/real/build.sh: unchanged sources, natively with gcc and for
wasm32-wasip1 with bin/wasi-sockets-cc), each against a native peer on loopback:

    curl      `curl -s -o /dev/null http://127.0.0.1:<port>/1073741824` from `bench serve http`
              (bench/bench.c, gcc: a C server sending from one 1 MiB buffer); the figure is
              curl's own %{speed_download} in MiB/s. Under wasm, /dev is preopened for it
              (`--dir /dev`), so the body goes to the same /dev/null through the host.
    hiredis   bench/hiredis_ping.c linked with that build's libhiredis: 20,000 synchronous PINGs on
              one connection to a redis-server (Debian's, started as tests/real/run.py starts it).

The builds are made on demand (the first takes about 3 minutes on 2 cores: curl's two builds;
later ones are cached in build/real and redone only when the library changed). When they cannot
be made (no sources fetched and no network, no cmake, no redis-server) the figures are skipped
and the reason is printed under the table. Not in --quick (the smoke test): they would double
its time.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "real"
OUT = ROOT / "build" / "bench"
CURL_BYTES = 1 << 30
PINGS = 20000


def build(project: str, log) -> str | None:
    """tests/real/build.sh <project> both; None when built, else why not."""
    log(f"real: building {project} (cached in build/real; the first build of curl takes minutes)")
    r = subprocess.run([str(ROOT / "tests" / "real" / "build.sh"), project, "both"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        tail = " / ".join(r.stderr.strip().splitlines()[-3:])
        return f"{project}: tests/real/build.sh failed ({tail})"
    return None


def build_ping() -> dict[str, list[str]]:
    """bench/hiredis_ping.c natively and for wasm32-wasip1, each against its hiredis build."""
    src = ROOT / "bench" / "hiredis_ping.c"
    nat, wsm = BUILD / "hiredis" / "native" / "src", BUILD / "hiredis" / "wasm" / "src"
    out_n, out_w = OUT / "hiredis_ping-native", OUT / "hiredis_ping.wasm"
    subprocess.run(["gcc", "-O2", f"-I{nat}", "-o", str(out_n), str(src), str(nat / "libhiredis.a")],
                   check=True)
    subprocess.run([str(ROOT / "bin" / "wasi-sockets-cc"), "-O2", f"-I{wsm}", "-o", str(out_w), str(src),
                    str(wsm / "libhiredis.a")], check=True)
    return {"native": [str(out_n)], "this": [str(out_w)]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(p: subprocess.Popen) -> None:
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def run_curl(native_bench: str, wasm_run: list[str], env: dict[str, str], runs: int,
             results: dict[str, dict[str, list[float]]]) -> None:
    cmds = {"native": [str(BUILD / "curl" / "native" / "curl")],
            "this": [*wasm_run, "--dir", "/dev", str(BUILD / "curl" / "wasm" / "curl.wasm")]}
    srv = subprocess.Popen([native_bench, "serve", "http", "4"], stdout=subprocess.PIPE, text=True)
    try:
        m = re.match(r"PORT (\d+)", srv.stdout.readline())
        if not m:
            raise RuntimeError("bench serve http did not start")
        url = f"http://127.0.0.1:{m.group(1)}/{CURL_BYTES}"
        for _ in range(runs):
            for name, cmd in cmds.items():  # interleaved
                r = subprocess.run([*cmd, "-s", "-S", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}\n",
                                    url], capture_output=True, text=True, timeout=600, env=env)
                size, speed = (r.stdout.split() + ["0", "0"])[:2]
                if r.returncode != 0 or int(size) != CURL_BYTES:
                    raise RuntimeError(f"curl ({name}): exit {r.returncode}, {size} bytes\n{r.stderr[-2000:]}")
                results[name].setdefault("curl_mibps", []).append(float(speed) / (1 << 20))
    finally:
        stop(srv)


def run_hiredis(progs: dict[str, list[str]], env: dict[str, str], wasm_run: list[str], runs: int,
                results: dict[str, dict[str, list[float]]]) -> None:
    progs = {**progs, "this": [*wasm_run, *progs["this"]]}
    port = free_port()
    srv = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no", "--daemonize", "no"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_port(port):
            raise RuntimeError(f"redis-server did not start on {port}")
        for _ in range(runs):
            for name, cmd in progs.items():  # interleaved
                r = subprocess.run([*cmd, str(port), str(PINGS)], capture_output=True, text=True,
                                   timeout=600, env=env)
                m = re.search(r"^RESULT hiredis_ping_rps ([\d.]+)$", r.stdout, re.M)
                if r.returncode != 0 or not m:
                    raise RuntimeError(f"hiredis_ping ({name}): exit {r.returncode}\n{r.stderr[-2000:]}")
                results[name].setdefault("hiredis_ping_rps", []).append(float(m.group(1)))
    finally:
        stop(srv)


def run(native_bench: str, wasm_run: list[str], env: dict[str, str], runs: int, quick: bool,
        k: str | None, results: dict[str, dict[str, list[float]]], log) -> list[str]:
    """Add the real programs' figures to `results` (native and "this" only); the lines to print
    under the table for the figures skipped, with their reasons."""
    if quick:
        return ["Real-program figures (curl, hiredis): skipped in --quick mode."]
    skipped = []
    for project in ("curl", "hiredis"):
        if k and k != "real" and k not in project:
            continue
        if project == "hiredis" and not shutil.which("redis-server"):
            skipped.append("hiredis: skipped: no redis-server (make setup installs it)")
            continue
        why = build(project, log)
        if why:
            skipped.append(f"{why}: skipped")
            continue
        t0 = time.monotonic()
        if project == "curl":
            run_curl(native_bench, wasm_run, env, runs, results)
        else:
            try:
                progs = build_ping()
            except subprocess.CalledProcessError as e:
                skipped.append(f"hiredis: skipped: bench/hiredis_ping.c did not build ({e})")
                continue
            run_hiredis(progs, env, wasm_run, runs, results)
        log(f"{project}: done ({time.monotonic() - t0:.0f} s)")
    for s in skipped:
        log(s)
    return skipped
