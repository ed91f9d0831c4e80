"""Running programs: `run` (to completion, with a timeout and optional stdin lines) and `Proc`
(a background process whose stdout lines a test waits for with `expect`)."""

from __future__ import annotations

import re
import subprocess
import threading
import time

from .env import OUT


def run(cmd: list[str], timeout: float, stdin_lines: list[str] | None = None, **kw) -> subprocess.CompletedProcess:
    if not stdin_lines:
        kw.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    # Write the lines but keep the pipe open until the program exits, so stdin has data and a
    # live writer (a closed pipe adds POLLHUP on Linux).
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, **kw)
    p.stdin.write("".join(line + "\n" for line in stdin_lines))
    p.stdin.flush()
    out, err = [], []
    readers = [threading.Thread(target=lambda f, b: b.append(f.read()), args=(f, b), daemon=True)
               for f, b in ((p.stdout, out), (p.stderr, err))]
    for t in readers:
        t.start()
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise subprocess.TimeoutExpired(cmd, timeout)
    finally:
        p.stdin.close()
    for t in readers:
        t.join(10)
    return subprocess.CompletedProcess(cmd, p.returncode, "".join(out), "".join(err))


class Proc:
    """A background process whose stdout lines are collected; `expect` waits for a pattern."""

    def __init__(self, cmd: list[str]):
        self.cmd = cmd
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=OUT)
        self.lines: list[str] = []
        self.cv = threading.Condition()
        self.err = ""
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            with self.cv:
                self.lines.append(line.rstrip("\n"))
                self.cv.notify_all()
        with self.cv:
            self.cv.notify_all()

    def _pump_err(self):
        self.err = self.p.stderr.read()

    def expect(self, pattern: str, timeout: float = 30) -> re.Match:
        deadline = time.monotonic() + timeout
        exited = False
        with self.cv:
            while True:
                for line in self.lines:
                    if m := re.search(pattern, line):
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or exited:
                    raise AssertionError(
                        f"{self.cmd[-3:]}: no line matching {pattern!r}; got {self.lines[-5:]} {self.err[-2000:]}")
                if self.p.poll() is not None:
                    # The process is gone: read the rest of its output, then look once more.
                    self.cv.release()
                    self.pump.join(5)
                    self.cv.acquire()
                    exited = True
                    continue
                self.cv.wait(min(left, 0.2))

    def wait(self, timeout: float = 60) -> int:
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise AssertionError(f"{self.cmd}: did not exit within {timeout}s; output {self.lines[-5:]}")

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
