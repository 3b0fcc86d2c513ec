"""The response-head deadline per hop (response_head_timeout_ms, --response-head-timeout): a parent that
accepts connections and never answers (as a SIGSTOPped proxy does: the kernel still completes the
handshake and takes the bytes) is given up after the deadline when the PAC names another hop. Idempotent
requests and CONNECTs are then served by the next hop and the frozen parent is marked bad, so the next
request does not go to it at all; a POST gets 504 naming the parent. The deadline is 1 s here and the
upstream timeout 60 s, so a 200 within curl's 20 s proves the failover; nothing measures time."""
import contextlib
import socket
import threading
import unittest

from proxy_peers import EchoOrigin, ProxyUnderTest, curl, raw_exchange


class FrozenPeer:
    """Accepts connections and holds them open without reading or writing a byte; counts them."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                with self.lock:
                    self.held.append(conn)

    @property
    def accepted(self):
        with self.lock:
            return len(self.held)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        with self.lock:
            for c in self.held:
                c.close()


class HopDeadline(unittest.TestCase):
    def setUp(self):
        self.origin = self.enterContext(EchoOrigin())
        self.frozen = self.enterContext(FrozenPeer())
        self.o = f"127.0.0.1:{self.origin.port}"
        self.parent = f"PROXY 127.0.0.1:{self.frozen.port}"

    def proxy(self, route):
        return self.enterContext(ProxyUnderTest("--route", route, "--response-head-timeout", "1000",
                                                "--upstream-timeout", "60000", "--connect-port", "any"))

    def test_get_fails_over_to_the_next_hop_and_the_frozen_parent_is_marked_bad(self):
        proxy = self.proxy(f"{self.parent}; DIRECT")
        status, _, body = curl("-x", proxy.url, f"http://{self.o}/first")
        self.assertEqual(status, 200, body)
        self.assertIn("GET /first HTTP/1.1", body)  # origin-form: it came DIRECT, not via a parent
        self.assertEqual(self.frozen.accepted, 1)
        # Marked bad: the next request goes DIRECT first, and the frozen parent sees no new connection.
        status, _, body = curl("-x", proxy.url, f"http://{self.o}/second")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.frozen.accepted, 1)

    def test_post_is_not_retried_and_gets_504_naming_the_hop(self):
        proxy = self.proxy(f"{self.parent}; DIRECT")
        status, _, body = curl("-x", proxy.url, "--data-binary", "payload", f"http://{self.o}/post")
        self.assertEqual(status, 504, body)
        self.assertIn(f"{self.parent} sent no response head within 1.0 s", body)
        self.assertIn("not idempotent", body)
        self.assertEqual([h for h, _ in self.origin.requests], [], "the POST must not reach the origin")
        # The parent is marked bad: the next POST goes DIRECT.
        status, _, body = curl("-x", proxy.url, "--data-binary", "payload", f"http://{self.o}/post2")
        self.assertEqual(status, 200, body)
        self.assertIn("POST /post2 HTTP/1.1", body)

    def test_connect_fails_over_to_the_next_hop(self):
        proxy = self.proxy(f"{self.parent}; DIRECT")
        out = raw_exchange(proxy.port, (f"CONNECT {self.o} HTTP/1.1\r\nHost: {self.o}\r\n\r\n"
                                        f"GET /through-the-tunnel HTTP/1.1\r\nHost: {self.o}\r\n"
                                        "Connection: close\r\n\r\n").encode(), timeout=20)
        self.assertTrue(out.startswith(b"HTTP/1.1 200 Connection established"), out)
        self.assertIn(b"GET /through-the-tunnel HTTP/1.1", out)
        self.assertEqual(self.frozen.accepted, 1)

    def test_last_hop_keeps_the_upstream_timeout(self):
        # With nowhere else to go, the deadline does not apply: the upstream timeout (1.5 s here) does.
        proxy = self.enterContext(ProxyUnderTest("--route", self.parent, "--response-head-timeout", "1000",
                                                 "--upstream-timeout", "1500"))
        status, _, body = curl("-x", proxy.url, f"http://{self.o}/only")
        self.assertEqual(status, 504, body)
        self.assertIn("sent no response within 1.5 s", body)


if __name__ == "__main__":
    unittest.main()
