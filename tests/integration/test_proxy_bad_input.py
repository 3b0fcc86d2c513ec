"""pactool proxy refusing bad input with a distinct status and a body that says why, without disturbing
other connections: 400 (no Host), 431, 408, 504, 403 (client ACL), 405 (TRACE off), 501 (unsupported
scheme), and TRACE/OPTIONS with Max-Forwards. Malformed and ambiguously framed requests (request
smuggling) are test_proxy_framing.py's corpus."""
import socket
import unittest

from proxy_peers import EchoOrigin, ProxyUnderTest, curl, raw_exchange


def status_of(out):
    return int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/") else None


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = EchoOrigin().__enter__()
        cls.proxy = ProxyUnderTest("--route", "DIRECT", "--head-timeout", "700", "--upstream-timeout", "1000",
                                   "--via", "bad-input-proxy")
        cls.o = f"127.0.0.1:{cls.origin.port}"

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.origin.__exit__()

    def exchange(self, text, responses=None):
        return raw_exchange(self.proxy.port, text.encode("latin-1") if isinstance(text, str) else text,
                            responses=responses)

    def assert_refused(self, request, status, words):
        out = self.exchange(request, responses=1)
        self.assertEqual(status_of(out), status, out)
        self.assertIn(words.encode(), out)
        # The proxy still serves others.
        good = curl("-x", self.proxy.url, f"http://{self.o}/still-fine")
        self.assertEqual(good[0], 200)

    def test_origin_form_without_host_is_400(self):
        self.assert_refused("GET /x HTTP/1.1\r\n\r\n", 400, "no Host header")

    def test_unsupported_scheme_is_501(self):
        self.assert_refused("GET ftp://example.test/f HTTP/1.1\r\nHost: example.test\r\n\r\n", 501, "'ftp'")

    def test_oversized_head_is_431(self):
        self.assert_refused(f"GET http://{self.o}/ HTTP/1.1\r\nHost: {self.o}\r\nX-Big: {'a' * 70000}\r\n\r\n",
                            431, "larger than the limit")

    def test_slow_head_is_408(self):
        with socket.create_connection(("127.0.0.1", self.proxy.port), timeout=60) as s:
            s.sendall(b"GET http://x/ HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        self.assertEqual(status_of(out), 408, out)
        self.assertIn(b"did not arrive within", out)

    def test_silent_upstream_is_504(self):
        status, _, body = curl("-x", self.proxy.url, f"http://{self.o}/slow")
        self.assertEqual(status, 504, body)
        self.assertIn("sent no response within", body)

    def test_trace_is_off_by_default(self):
        self.assert_refused(f"TRACE http://{self.o}/ HTTP/1.1\r\nHost: {self.o}\r\nMax-Forwards: 0\r\n\r\n", 405,
                            "TRACE is disabled")

    def test_options_max_forwards_zero_is_answered_here_and_one_is_decremented(self):
        out = self.exchange(f"OPTIONS http://{self.o}/ HTTP/1.1\r\nHost: {self.o}\r\nMax-Forwards: 0\r\n"
                            "Connection: close\r\n\r\n")
        self.assertEqual(status_of(out), 200, out)
        self.assertIn(b"Allow: GET, HEAD", out)
        self.assertNotIn(b"echo-origin", out)
        out = self.exchange(f"OPTIONS http://{self.o}/ HTTP/1.1\r\nHost: {self.o}\r\nMax-Forwards: 1\r\n"
                            "Connection: close\r\n\r\n")
        self.assertIn(b"echo-origin", out)
        self.assertIn(b"OPTIONS / HTTP/1.1\r\n", out)
        self.assertIn(b"Max-Forwards: 0\r\n", out)


class Policies(unittest.TestCase):
    def test_client_outside_allowed_networks_is_403(self):
        with ProxyUnderTest("--route", "DIRECT", "--allow", "10.0.0.0/8") as proxy:
            status, _, body = curl("-x", proxy.url, "http://127.0.0.1:1/")
        self.assertEqual(status, 403)
        self.assertIn("not in the networks allowed", body)

    def test_trace_when_enabled_echoes_without_cookies(self):
        with EchoOrigin() as origin, ProxyUnderTest("--route", "DIRECT", "--trace") as proxy:
            out = raw_exchange(proxy.port, (f"TRACE http://127.0.0.1:{origin.port}/t HTTP/1.1\r\n"
                                            f"Host: 127.0.0.1:{origin.port}\r\nMax-Forwards: 0\r\n"
                                            "Cookie: secret=1\r\nX-Seen: yes\r\nConnection: close\r\n\r\n").encode())
            self.assertEqual(status_of(out), 200, out)
            self.assertIn(b"Content-Type: message/http", out)
            self.assertIn(b"X-Seen: yes", out)
            self.assertNotIn(b"secret=1", out)
            self.assertEqual(origin.requests, [])


if __name__ == "__main__":
    unittest.main()
