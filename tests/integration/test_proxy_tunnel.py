"""CONNECT tunnels through pactool proxy moving bulk data both ways: every byte arrives, in order, when
the proxy moves bursts with splice(2) and when the receiver is slower than the sender (the proxy must
wait for it, not drop or reorder); a half-close is passed on; bytes sent right behind the CONNECT
request are not lost. The servers are small Python ones on loopback that echo or hash what they get."""
import hashlib
import os
import socket
import socketserver
import threading
import time
import unittest

from proxy_peers import ProxyUnderTest


class _Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)
        self.request.shutdown(socket.SHUT_WR)


class _SlowHash(socketserver.BaseRequestHandler):
    """Reads slowly at first (so the proxy's writes block), then hashes everything until EOF and
    answers "<bytes> <sha256>"."""

    def handle(self):
        h, total = hashlib.sha256(), 0
        time.sleep(0.5)
        while True:
            data = self.request.recv(8192 if total < (1 << 20) else 262144)
            if not data:
                break
            h.update(data)
            total += len(data)
            if total < (1 << 20):
                time.sleep(0.001)
        self.request.sendall(f"{total} {h.hexdigest()}".encode())
        self.request.shutdown(socket.SHUT_WR)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(handler):
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _connect(proxy_port, target_port, extra=b""):
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=30)
    s.sendall(f"CONNECT 127.0.0.1:{target_port} HTTP/1.1\r\nHost: 127.0.0.1:{target_port}\r\n\r\n".encode()
              + extra)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise AssertionError(f"proxy closed during CONNECT: {head!r}")
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return s


def _recv_all(s):
    out = bytearray()
    while True:
        data = s.recv(1 << 20)
        if not data:
            return bytes(out)
        out += data


class BulkTunnels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = _serve(_Echo)
        cls.hasher = _serve(_SlowHash)
        cls.proxy = ProxyUnderTest("--route", "DIRECT", "--connect-port", "any")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.echo.shutdown()
        cls.hasher.shutdown()

    def test_bulk_data_echoed_both_ways_arrives_intact(self):
        payload = os.urandom(24 << 20)
        s = _connect(self.proxy.port, self.echo.server_address[1])
        received = {}
        reader = threading.Thread(target=lambda: received.setdefault("data", _recv_all(s)))
        reader.start()
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)  # the half-close travels to the echo server, which then closes
        reader.join(60)
        s.close()
        self.assertFalse(reader.is_alive())
        self.assertEqual(len(received["data"]), len(payload))
        self.assertEqual(hashlib.sha256(received["data"]).digest(), hashlib.sha256(payload).digest())

    def test_slow_receiver_gets_every_byte_in_order(self):
        payload = os.urandom(32 << 20)
        s = _connect(self.proxy.port, self.hasher.server_address[1])
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        answer = _recv_all(s).decode()
        s.close()
        self.assertEqual(answer, f"{len(payload)} {hashlib.sha256(payload).hexdigest()}")

    def test_bytes_sent_behind_the_connect_request_are_passed_on(self):
        first = b"hello behind the CONNECT head\n"
        s = _connect(self.proxy.port, self.echo.server_address[1], extra=first)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(_recv_all(s), first)
        s.close()

    def test_many_tunnels_at_once(self):
        results = []

        def one(n):
            payload = os.urandom(256 * 1024 + n)
            s = _connect(self.proxy.port, self.echo.server_address[1])
            got = {}
            t = threading.Thread(target=lambda: got.setdefault("d", _recv_all(s)))
            t.start()
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            t.join(60)
            s.close()
            results.append(got.get("d") == payload)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(results.count(True), 32)


if __name__ == "__main__":
    unittest.main()
