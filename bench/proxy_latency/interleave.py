#!/usr/bin/env python3
"""Interleaved latency client for bench/proxy_latency/run.sh (Python stdlib only).

  interleave.py ORIGIN_PORT COUNT NAME=PORT...

One keep-alive connection per peer (PORT 0 = the origin itself, direct); one request at a time,
rotating over the peers request by request (A B C D, then B C D A, ...), so that every peer sees the
same moments of a busy machine. Each request is `GET /small.txt` (direct) or
`GET http://127.0.0.1:ORIGIN/small.txt` (through a proxy), timed from the first byte sent to the last
body byte received. Prints one line per peer: name p50 p90 p99 p999 (microseconds) count reconnects.
"""
import socket
import sys
import time


class Conn:
    def __init__(self, port, request):
        self.port, self.request, self.reconnects, self.sock = port, request, 0, None
        self.buf = b""

    def connect(self):
        if self.sock:
            self.sock.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def once(self):
        """One request/response; returns nanoseconds, or None if the connection was closed."""
        t0 = time.perf_counter_ns()
        try:
            self.sock.sendall(self.request)
            while b"\r\n\r\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    return None
                self.buf += data
            head, _, rest = self.buf.partition(b"\r\n\r\n")
            status = head.split(b"\r\n", 1)[0]
            if b" 200 " not in status + b" ":
                raise RuntimeError(f"port {self.port}: {status!r}")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v)
            while len(rest) < length:
                data = self.sock.recv(65536)
                if not data:
                    return None
                rest += data
            self.buf = rest[length:]
        except (ConnectionError, socket.timeout):
            return None
        return time.perf_counter_ns() - t0

    def timed(self):
        for _ in range(3):
            ns = self.once()
            if ns is not None:
                return ns
            self.reconnects += 1
            self.connect()
        raise RuntimeError(f"port {self.port}: connection keeps closing")


def pct(sorted_vals, p):
    return sorted_vals[min(len(sorted_vals) - 1, int(p / 100 * len(sorted_vals)))]


def main():
    origin, count = int(sys.argv[1]), int(sys.argv[2])
    peers = []
    for arg in sys.argv[3:]:
        name, _, port = arg.partition("=")
        port = int(port)
        if port == 0:
            req = f"GET /small.txt HTTP/1.1\r\nHost: 127.0.0.1:{origin}\r\n\r\n"
            port = origin
        else:
            req = (f"GET http://127.0.0.1:{origin}/small.txt HTTP/1.1\r\n"
                   f"Host: 127.0.0.1:{origin}\r\n\r\n")
        c = Conn(port, req.encode())
        c.connect()
        peers.append((name, c, []))
    for _ in range(200):  # warm-up: upstream keep-alive, decision cache, page cache
        for _, c, _ in peers:
            c.timed()
    for i in range(count):
        k = i % len(peers)
        for name, c, samples in peers[k:] + peers[:k]:
            samples.append(c.timed())
    for name, c, samples in peers:
        s = sorted(samples)
        us = [pct(s, p) / 1000 for p in (50, 90, 99, 99.9)]
        print(name, " ".join(f"{v:.1f}" for v in us), len(s), c.reconnects, flush=True)


if __name__ == "__main__":
    main()
