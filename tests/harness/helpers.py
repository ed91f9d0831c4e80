"""Native helper servers on 127.0.0.1 and ::1 that conformance programs connect to (a C test's
`//! helper: <kind> ...` line)."""

from __future__ import annotations

import socket
import struct
import threading
import time


class Helpers:
    """Native servers on 127.0.0.1 and ::1 that conformance programs connect to."""

    def __init__(self, kinds: list[str]):
        self.socks = []
        self.ports: list[str] = []
        for kind in kinds:
            serve = {"rst": self._rst, "slow": self._slow, "fault": self._fault}[kind]
            for af, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                s = socket.socket(af, socket.SOCK_STREAM)
                s.bind((host, 0))
                s.listen(64)
                self.socks.append(s)
                self.ports.append(str(s.getsockname()[1]))
                threading.Thread(target=self._loop, args=(s, serve), daemon=True).start()

    @staticmethod
    def _loop(ls: socket.socket, serve):
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    @staticmethod
    def _rst(c: socket.socket):
        time.sleep(0.05)  # let the client's connect() finish first
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()

    @staticmethod
    def _slow(c: socket.socket):
        with c:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for piece in (b"ab", b"cd", b"ef"):
                time.sleep(0.05)
                c.sendall(piece)
            time.sleep(0.05)

    @staticmethod
    def _fault(c: socket.socket):
        """Scripted faults (tests/c/faults.c): the connection's first line says what to do. Data
        sent is byte i = i % 251."""
        def reset():
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()

        with c:
            line = b""
            while not line.endswith(b"\n"):  # byte by byte: nothing after the line is consumed
                b = c.recv(1)
                if not b:
                    return
                line += b
            cmd, arg = line.decode().split()
            n = int(arg)
            data = bytes(i % 251 for i in range(max(n, 0)))
            if cmd == "rst-after-read":  # read n bytes, then reset
                got = 0
                while got < n and (d := c.recv(min(65536, n - got))):
                    got += len(d)
                reset()
            elif cmd == "send-then-rst":  # send n bytes, give them time to arrive, reset
                c.sendall(data)
                time.sleep(0.2)
                reset()
            elif cmd == "send-then-close":
                c.sendall(data)
            elif cmd == "rst-after-ms":  # n >= 0: reset after n ms; n < 0: close after -n ms
                time.sleep(abs(n) / 1000)
                if n >= 0:
                    reset()
            elif cmd == "send-then-fin":  # send n bytes, 150 ms later shut down for writing
                c.sendall(data)
                time.sleep(0.15)
                c.shutdown(socket.SHUT_WR)
                time.sleep(0.5)
            elif cmd == "send-and-hold":  # send n bytes, keep the connection open 1.5 s
                c.sendall(data)
                time.sleep(1.5)
            elif cmd == "slow-read":  # read n bytes 16 KiB at a time, 2 ms apart; report
                got = total = 0
                while got < n:
                    time.sleep(0.002)
                    d = c.recv(16384)
                    if not d:
                        break
                    got += len(d)
                    total = (total + sum(d)) & 0xFFFFFFFF
                c.sendall(f"{got} {total}\n".encode())
                time.sleep(0.1)
            elif cmd == "connect-rst":  # connect to the client's own listener port n, reset
                host = "127.0.0.1" if c.family == socket.AF_INET else "::1"
                with socket.socket(c.family, socket.SOCK_STREAM) as t:
                    t.connect((host, n))
                    time.sleep(0.05)
                    t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                time.sleep(0.05)
                c.sendall(b"done\n")
                time.sleep(0.1)

    def close(self):
        for s in self.socks:
            s.close()


def RstServer() -> Helpers:
    return Helpers(["rst"])
