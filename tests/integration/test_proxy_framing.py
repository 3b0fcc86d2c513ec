"""How pactool proxy frames responses it relays: a body that ends when the server closes (no length,
not chunked) reaches an HTTP/1.1 client re-chunked, and that client's connection stays open for its
next request; an HTTP/1.0 client gets the raw body and a close, or, when it asked for keep-alive and
the length is known, a "Connection: keep-alive" and a connection kept. A body the server streams
slowly is passed on piece by piece: the client holds the head and the first piece before the server
sends the rest (the server waits until the client has them, so this is causality, not timing)."""
import socket
import socketserver
import threading
import unittest

from proxy_peers import ProxyUnderTest

FIRST_PIECE = b"first piece of a streamed body\n"
REST = b"and the rest, sent only after the client saw the first piece\n"


class _Origin(socketserver.BaseRequestHandler):
    """GET /close: HTTP/1.1 200 with a close-delimited body. GET /stream: a chunked body whose second
    chunk is sent only once the test sets `client_saw_first`."""
    client_saw_first = threading.Event()

    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            data = self.request.recv(4096)
            if not data:
                return
            head += data
        path = head.split(b" ")[1]
        if path.endswith(b"/length"):
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            return
        if path.endswith(b"/close"):
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
                                 b"until the server closes\n")
            self.request.shutdown(socket.SHUT_WR)
            return
        self.request.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                             b"%x\r\n" % len(FIRST_PIECE) + FIRST_PIECE + b"\r\n")
        _Origin.client_saw_first.wait(30)
        self.request.sendall(b"%x\r\n" % len(REST) + REST + b"\r\n0\r\n\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _read_head(s, buf=b""):
    while b"\r\n\r\n" not in buf:
        data = s.recv(4096)
        if not data:
            raise AssertionError(f"closed before a head: {buf!r}")
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def _read_chunked(s, buf):
    body = b""
    while True:
        while b"\r\n" not in buf:
            buf += s.recv(4096)
        size_line, _, buf = buf.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(buf) < size + 2:
            buf += s.recv(4096)
        body, buf = body + buf[:size], buf[size + 2:]
        if size == 0:
            return body, buf


class ResponseFraming(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = _Server(("127.0.0.1", 0), _Origin)
        threading.Thread(target=cls.origin.serve_forever, daemon=True).start()
        cls.port = cls.origin.server_address[1]
        cls.proxy = ProxyUnderTest("--route", "DIRECT")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.origin.shutdown()

    def request(self, path, version="1.1", extra=""):
        return (f"GET http://127.0.0.1:{self.port}{path} HTTP/{version}\r\n"
                f"Host: 127.0.0.1:{self.port}\r\n{extra}\r\n").encode()

    def test_close_delimited_body_is_rechunked_and_the_client_connection_kept(self):
        with socket.create_connection(("127.0.0.1", self.proxy.port), timeout=20) as s:
            for _ in range(2):  # the second request proves the connection stayed open
                s.sendall(self.request("/close"))
                head, rest = _read_head(s)
                self.assertTrue(head.startswith("HTTP/1.1 200"), head)
                self.assertRegex(head, r"(?i)\r\ntransfer-encoding: chunked")
                self.assertNotRegex(head, r"(?i)\r\nconnection: close")
                body, rest = _read_chunked(s, rest)
                self.assertEqual(body, b"until the server closes\n")

    def test_http10_client_gets_the_raw_body_then_a_close(self):
        with socket.create_connection(("127.0.0.1", self.proxy.port), timeout=20) as s:
            s.sendall(self.request("/close", "1.0"))
            head, rest = _read_head(s)
            self.assertNotRegex(head, r"(?i)transfer-encoding")
            while True:
                data = s.recv(4096)
                if not data:
                    break
                rest += data
            self.assertEqual(rest, b"until the server closes\n")

    def test_http10_client_asking_keep_alive_is_told_and_kept(self):
        with socket.create_connection(("127.0.0.1", self.proxy.port), timeout=20) as s:
            for _ in range(2):  # the second request proves the connection stayed open
                s.sendall(self.request("/length", "1.0", "Connection: keep-alive\r\n"))
                head, rest = _read_head(s)
                self.assertRegex(head, r"(?i)\r\nconnection: keep-alive(\r\n|$)")
                while len(rest) < 5:
                    rest += s.recv(4096)
                self.assertEqual(rest, b"hello")

    def test_streamed_body_is_passed_on_piece_by_piece(self):
        _Origin.client_saw_first.clear()
        with socket.create_connection(("127.0.0.1", self.proxy.port), timeout=20) as s:
            s.sendall(self.request("/stream"))
            head, buf = _read_head(s)
            self.assertTrue(head.startswith("HTTP/1.1 200"), head)
            while FIRST_PIECE not in buf:  # the origin holds the rest until we have this
                data = s.recv(4096)
                self.assertTrue(data, "the proxy closed before passing on the first piece")
                buf += data
            _Origin.client_saw_first.set()
            body, _ = _read_chunked(s, buf)
            self.assertEqual(body, FIRST_PIECE + REST)


if __name__ == "__main__":
    unittest.main()
