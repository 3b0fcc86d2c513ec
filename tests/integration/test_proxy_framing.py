"""How the forwarding proxy frames the messages it relays (proxycore/http/message_framing.hpp).

Responses: a body that ends when the server closes (no length, not chunked) reaches an HTTP/1.1 client
re-chunked, and that client's connection stays open for its next request; an HTTP/1.0 client gets the
raw body and a close, or, when it asked for keep-alive and the length is known, a "Connection:
keep-alive" and a connection kept. A body the server streams slowly is passed on piece by piece: the
client holds the head and the first piece before the server sends the rest (the server waits until
the client has them, so this is causality, not timing).

Hostile requests (HostileRequests): a corpus of request heads of our own — transfer-coding
obfuscations, Content-Length variants, whitespace and control bytes, request-line oddities — each
followed by a pipelined request for /smuggled, replayed through `pactool proxy` and pacserver's
bundled proxy to a lenient origin (EchoOrigin, which honours any Transfer-Encoding ending in
"chunked") and a strict one (nginx, reached with a listening socket we hold and hand it). Each refused
request gets exactly one answer with the expected status and reason, then a close; no origin ever sees
/smuggled. Requests whose framing is unambiguous but not canonical ("Content-Length: 5, 5") reach the
origin re-framed by us (nginx would answer 400 to the original), and the pipelined request after them
gets its own response.

Two clients (TwoClients): over a pooled upstream connection, the second client always gets its own
response: after the first client's smuggling attempt, and after a malicious origin's ambiguously
framed response (which is answered 502 and whose connection is closed, not pooled)."""
import contextlib
import os
import re
import signal
import socket
import socketserver
import subprocess
import threading
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest

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
            body, rest = _read_chunked(s, buf)
            self.assertEqual(body, FIRST_PIECE + REST)
            # The body ended with one last-chunk: the next response on the connection starts at once.
            s.sendall(self.request("/length"))
            while len(rest) < 12:
                rest += s.recv(4096)
            self.assertTrue(rest.startswith(b"HTTP/1.1 200"), rest)



# --- hostile requests --------------------------------------------------------------------------------
# A case is (name, request(origin authority) -> bytes, status, words in the reason). ORIGIN in the text
# is replaced by the origin's "127.0.0.1:port"; "{len}" in a field by the body's length.

POST = "POST http://ORIGIN/refused HTTP/1.1"
HOST = "Host: ORIGIN"
CHUNKED_BODY = "5\r\nhello\r\n0\r\n\r\n"
# What an origin honouring Transfer-Encoding reads as the end of one request and a second one.
SMUGGLING_BODY = "0\r\n\r\nGET http://ORIGIN/smuggled HTTP/1.1\r\nHost: ORIGIN\r\n\r\n"
# Pipelined after every hostile request: nothing after a refusal may be read as a request.
PIPELINED = "GET http://ORIGIN/smuggled HTTP/1.1\r\nHost: ORIGIN\r\n\r\n"


def _msg(start, fields, body=""):
    def build(o):
        b = body.replace("ORIGIN", o)
        head = start + "\r\n" + "".join(f + "\r\n" for f in fields) + "\r\n"
        return (head.replace("ORIGIN", o).replace("{len}", str(len(b))) + b).encode("latin-1")
    return build


def _raw(text):
    return lambda o: text.replace("ORIGIN", o).encode("latin-1")


def _post(*fields, body=CHUNKED_BODY):
    return _msg(POST, [HOST, *fields], body)


REFUSED = [
    # transfer-coding obfuscations
    ("TE chunked,chunked with CL (the cross-client mix-up)",
     _post("Transfer-Encoding: chunked,chunked", "Content-Length: {len}", body=SMUGGLING_BODY), 400,
     "both Transfer-Encoding and Content-Length"),
    ("TE 'chunked, chunked' with CL",
     _post("Transfer-Encoding: chunked, chunked", "Content-Length: {len}", body=SMUGGLING_BODY), 400,
     "both Transfer-Encoding and Content-Length"),
    ("TE 'chunked, chunked'", _post("Transfer-Encoding: chunked, chunked"), 400, "chunked more than once"),
    ("TE chunked on two lines", _post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), 400,
     "Transfer-Encoding is duplicated"),
    ("TE gzip", _post("Transfer-Encoding: gzip", body=PIPELINED), 501, "'gzip' is not implemented"),
    ("TE xchunked", _post("Transfer-Encoding: xchunked"), 501, "'xchunked' is not implemented"),
    ("TE chunkedx", _post("Transfer-Encoding: chunkedx"), 501, "'chunkedx' is not implemented"),
    ("TE identity", _post("Transfer-Encoding: identity"), 501, "'identity' is not implemented"),
    ("TE 'chunked, identity'", _post("Transfer-Encoding: chunked, identity"), 501, "'identity'"),
    ("TE 'gzip, chunked'", _post("Transfer-Encoding: gzip, chunked"), 501, "'gzip'"),
    ("TE gzip then chunked on two lines", _post("Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), 501,
     "'gzip'"),
    ("TE with an empty element", _post("Transfer-Encoding: , chunked"), 400, "empty or malformed element"),
    ("TE with a parameter", _post("Transfer-Encoding: chunked;q=1"), 400, "empty or malformed element"),
    ("TE quoted", _post('Transfer-Encoding: "chunked"'), 400, "empty or malformed element"),
    ("TE empty", _post("Transfer-Encoding: "), 400, "empty or malformed element"),
    ("TE in HTTP/1.0", _msg("POST http://ORIGIN/refused HTTP/1.0", [HOST, "Transfer-Encoding: chunked"],
                            CHUNKED_BODY), 400, "HTTP/1.0 request"),
    ("TE folded onto the next line", _post("Transfer-Encoding:", " chunked"), 400, "obs-fold"),
    ("TE with a space before the colon", _post("Transfer-Encoding : chunked"), 400, "malformed request"),
    ("TE with a vertical tab", _post("Transfer-Encoding: \x0bchunked"), 400, "malformed request"),
    ("TE with a NUL", _post("Transfer-Encoding: chunked\x00"), 400, "malformed request"),
    ("CL then TE", _post("Content-Length: 3", "Transfer-Encoding: chunked"), 400, "Transfer-Encoding"),
    ("TE then CL", _post("Transfer-Encoding: chunked", "Content-Length: 3"), 400, "Content-Length"),
    # Content-Length variants
    ("CL '5, 6'", _post("Content-Length: 5, 6", body="hello!"), 400, "Content-Length"),
    ("CL 5 and 6 on two lines", _post("Content-Length: 5", "Content-Length: 6", body="hello!"), 400,
     "Content-Length"),
    ("CL +5", _post("Content-Length: +5", body="hello"), 400, "Content-Length"),
    ("CL -1", _post("Content-Length: -1", body="hello"), 400, "Content-Length"),
    ("CL 0x5", _post("Content-Length: 0x5", body="hello"), 400, "Content-Length"),
    ("CL '5 5'", _post("Content-Length: 5 5", body="hello"), 400, "Content-Length"),
    ("CL empty", _post("Content-Length: ", body="hello"), 400, "Content-Length"),
    ("CL '5,'", _post("Content-Length: 5,", body="hello"), 400, "Content-Length"),
    ("CL over 2^64", _post("Content-Length: 99999999999999999999", body="hello"), 400, "Content-Length"),
    # whitespace and control bytes
    ("obs-fold in another field", _post("X-Folded: a", "\tb", "Content-Length: 5", body="hello"), 400,
     "line 4 of the request head continues the line before it (obs-fold"),
    ("whitespace before the first field", _msg(POST, [" " + HOST, "Content-Length: 0"]), 400, "malformed"),
    ("bare LF line endings", _raw("POST http://ORIGIN/refused HTTP/1.1\nHost: ORIGIN\nContent-Length: 5\n\n"
                                  "hello" + PIPELINED), 400, "malformed request"),
    ("bare CR in a value", _post("X-A: a\rb", "Content-Length: 0", body=""), 400, "malformed request"),
    ("NUL in a value", _post("X-A: a\x00b", "Content-Length: 0", body=""), 400, "malformed request"),
    ("DEL in a value", _post("X-A: a\x7fb", "Content-Length: 0", body=""), 400, "malformed request"),
    ("space in a field name", _post("X A: b", "Content-Length: 0", body=""), 400, "malformed request"),
    ("empty field name", _post(": b", "Content-Length: 0", body=""), 400, "malformed request"),
    ("line without a colon", _post("Garbage", "Content-Length: 0", body=""), 400, "malformed request"),
    ("two differing Host fields", _msg("GET /refused HTTP/1.1", [HOST, "Host: elsewhere.test"]), 400,
     "more than one Host"),
    # request-line oddities
    ("two spaces after the method", _msg("GET  http://ORIGIN/refused HTTP/1.1", [HOST]), 400, "malformed request"),
    ("tab as a separator", _msg("GET\thttp://ORIGIN/refused HTTP/1.1", [HOST]), 400, "malformed request"),
    ("lower-case version", _msg("GET http://ORIGIN/refused http/1.1", [HOST]), 400, "malformed request"),
    ("space after the version", _msg("GET http://ORIGIN/refused HTTP/1.1 ", [HOST]), 400, "malformed request"),
    ("no version (HTTP/0.9)", _msg("GET http://ORIGIN/refused", [HOST]), 400, "malformed request"),
    ("CR in the target", _msg("GET http://ORIGIN/ref\rused HTTP/1.1", [HOST]), 400, "malformed request"),
    ("a separator in the method", _msg("G(T http://ORIGIN/refused HTTP/1.1", [HOST]), 400, "malformed request"),
    ("HTTP/2.0 in the request line", _msg("GET http://ORIGIN/refused HTTP/2.0", [HOST]), 400, "bad version"),
    ("HTTP/1.2", _msg("GET http://ORIGIN/refused HTTP/1.2", [HOST]), 400, "bad version"),
]

# Unambiguous but not canonical: passed on re-framed. (name, framing fields, body, the one framing
# line the origin must see)
ACCEPTED = [
    ("CL '5, 5'", ["Content-Length: 5, 5"], "hello", "content-length: 5"),
    ("CL 5 on two lines", ["Content-Length: 5", "Content-Length: 5"], "hello", "content-length: 5"),
    ("CL with leading zeros", ["Content-Length: 005"], "hello", "content-length: 5"),
    ("TE 'Chunked'", ["Transfer-Encoding: Chunked"], CHUNKED_BODY, "transfer-encoding: chunked"),
]


def _exchange(port, data, timeout=10):
    """Sends `data` on a new connection; returns (everything received, how the connection ended:
    "closed", "reset" or "open" when nothing came for `timeout` s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out, "open"
            except ConnectionResetError:
                return out, "reset"
            if not chunk:
                return out, "closed"
            out += chunk


def _responses(out):
    """Splits what a client received into (status, head, body) by Content-Length; a last piece that
    is not a whole response is returned as (None, rest, b"")."""
    found = []
    while out:
        head, sep, rest = out.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
        cl = re.search(rb"(?im)^content-length: *(\d+)\r?$", head)
        if not sep or not m or not cl or len(rest) < int(cl.group(1)):
            found.append((None, out, b""))
            break
        n = int(cl.group(1))
        found.append((int(m.group(1)), head.decode("latin-1"), rest[:n]))
        out = rest[n:]
    return found


class Nginx:
    """nginx as a strict origin: every request is answered "nginx saw METHOD URI", and the access log
    (`requests()`) shows what reached it. It serves a socket we bound to port 0 and hold, handed to it
    as nginx hands its sockets to a new binary on upgrade (the NGINX environment variable)."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "nginx")
        os.makedirs(self.dir)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.log = os.path.join(self.dir, "access.log")
        conf = lib.write(os.path.join(self.dir, "nginx.conf"), f"""daemon off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log info;
events {{ worker_connections 256; }}
http {{
  log_format judge '$request_method $uri cl=$http_content_length te=$http_transfer_encoding $status';
  access_log {self.log} judge;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  server {{
    listen 127.0.0.1:{self.port};
    location / {{ return 200 "nginx saw $request_method $uri\\n"; }}
  }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir],
                                     env=dict(os.environ, NGINX=f"{self.sock.fileno()};"),
                                     pass_fds=[self.sock.fileno()], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.sock.close()

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="latin-1") as f:
            return f.read().splitlines()


class BundledProxy:
    """pacserver with its bundled proxy (one I/O thread, so that requests share one upstream pool)."""

    def __init__(self, tmp):
        config = lib.write(os.path.join(tmp, "pacserver.toml"), """
[server]
listen = ["127.0.0.1:0"]

[proxy]
listen = "127.0.0.1:0"
threads = 1

[[variants]]
name = "all"
template = "bundled-proxy"
""")
        self.server = lib.PacServer(["--config", config])
        line = self.server.wait_for_output(r"bundled proxy listening on 127\.0\.0\.1:\d+")
        self.port = int(line.rsplit(":", 1)[1])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.stop()


class OneThreadProxy:
    """`pactool proxy --route DIRECT --threads 1`: one I/O thread, so one upstream pool for all."""

    def __init__(self):
        self.bg = lib.Background([lib.binary("pactool"), "proxy", "--listen", "127.0.0.1:0", "--threads", "1",
                                  "--route", "DIRECT"])
        try:
            self.port = int(self.bg.wait_for(r"^listening on 127\.0\.0\.1:(\d+) ").group(1))
        except BaseException:
            self.bg.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bg.stop()


class HostileRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.enterClassContext(lib.temp_dir())
        cls.echo = cls.enterClassContext(EchoOrigin())
        cls.nginx = cls.enterClassContext(Nginx(tmp))
        cls.proxies = {"pactool proxy": cls.enterClassContext(ProxyUnderTest("--route", "DIRECT")).port,
                       "pacserver's bundled proxy": cls.enterClassContext(BundledProxy(tmp)).port}

    def origins(self):
        return {"EchoOrigin": (self.echo.port, lambda: [h.decode("latin-1") for h, _ in self.echo.requests]),
                "nginx": (self.nginx.port, self.nginx.requests)}

    def test_each_hostile_request_gets_one_refusal_then_a_close_and_nothing_reaches_the_origin(self):
        for proxy_name, proxy_port in self.proxies.items():
            for origin_name, (origin_port, seen) in self.origins().items():
                o = f"127.0.0.1:{origin_port}"
                for name, build, status, words in REFUSED:
                    with self.subTest(proxy=proxy_name, origin=origin_name, case=name):
                        out, ending = _exchange(proxy_port, build(o) + PIPELINED.replace("ORIGIN", o).encode())
                        answers = _responses(out)
                        self.assertEqual(len(answers), 1, out)
                        got, head, body = answers[0]
                        self.assertEqual(got, status, out)
                        self.assertIn(words, body.decode("latin-1"))
                        if head.startswith("HTTP/1.1"):  # (HTTP/1.0 closes by default: no field)
                            self.assertRegex(head, r"(?i)\r\nconnection: close(\r\n|$)")
                        self.assertEqual(ending, "closed", out)
        # Checked once all answers are in: an origin that got anything got it before the answer.
        for origin_name, (_, seen) in self.origins().items():
            self.assertEqual([r for r in seen() if "refused" in r or "smuggled" in r], [], origin_name)

    def test_unambiguous_requests_are_reframed_and_the_next_request_is_answered(self):
        for proxy_name, proxy_port in self.proxies.items():
            for origin_name, (origin_port, seen) in self.origins().items():
                o = f"127.0.0.1:{origin_port}"
                for i, (name, fields, body, framing_line) in enumerate(ACCEPTED):
                    path = f"/accepted-{proxy_name[:7]}-{i}"
                    with self.subTest(proxy=proxy_name, origin=origin_name, case=name):
                        first = _msg(f"POST http://ORIGIN{path} HTTP/1.1", [HOST, *fields], body)(o)
                        second = f"GET http://{o}{path}-next HTTP/1.1\r\nHost: {o}\r\nConnection: close\r\n\r\n"
                        out, ending = _exchange(proxy_port, first + second.encode())
                        answers = _responses(out)
                        self.assertEqual([a[0] for a in answers], [200, 200], out)
                        self.assertEqual(ending, "closed")
                        if origin_name == "nginx":
                            self.assertEqual(answers[0][2], f"nginx saw POST {path}\n".encode())
                            self.assertEqual(answers[1][2], f"nginx saw GET {path}-next\n".encode())
                            want = ("cl=5 te=-" if framing_line.startswith("content-length")
                                    else "cl=- te=chunked")
                            line = lib.poll(lambda: [r for r in seen() if f"POST {path} " in r])
                            self.assertEqual(line, [f"POST {path} {want} 200"])
                        else:
                            forwarded = answers[0][2].decode("latin-1").lower()
                            framing = [l for l in forwarded.split("\r\n")
                                       if l.startswith(("content-length:", "transfer-encoding:"))]
                            self.assertEqual(framing, [framing_line])
                            self.assertIn("body-length: 5", forwarded)
                            self.assertIn(f"get {path}-next http/1.1", answers[1][2].decode("latin-1").lower())

    def test_obs_fold_is_named_with_its_line(self):
        o = f"127.0.0.1:{self.echo.port}"
        out, _ = _exchange(self.proxies["pactool proxy"],
                           f"GET http://{o}/refused HTTP/1.1\r\nHost: {o}\r\nX-A: 1\r\nX-B: 2\r\n 3\r\n\r\n".encode())
        self.assertIn(b"line 5 of the request head continues the line before it", out)


# --- two clients over one pooled upstream connection -------------------------------------------------

class _TwoFacedOrigin(socketserver.BaseRequestHandler):
    """A keep-alive origin as lenient as many: a Transfer-Encoding ending in "chunked" is honoured, and
    a body is otherwise read by Content-Length. Every request is answered "you asked for PATH" and
    recorded with the number of its connection. /ambiguous is answered with a response hops can read
    two ways (Transfer-Encoding "chunked, chunked" and Content-Length: 0), followed on the connection by
    what a hop reading it by Content-Length would take for the next response: "PWNED". /smuggled is
    answered slowly: only once the next request arrives on its connection, which meanwhile looks idle
    to a pool (a fast answer would be seen as stray bytes on a parked connection)."""
    connections = 0
    requests = []
    lock = threading.Lock()

    def handle(self):
        with _TwoFacedOrigin.lock:
            _TwoFacedOrigin.connections += 1
            number = _TwoFacedOrigin.connections
        conn, buf, late = self.request, b"", b""
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            if late:
                conn.sendall(late)
                late = b""
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            fields = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
            if fields.get("transfer-encoding", "").lower().endswith("chunked"):
                while True:
                    while b"\r\n" not in buf:
                        buf += conn.recv(65536)
                    size_line, buf = buf.split(b"\r\n", 1)
                    size = int(size_line.split(b";")[0], 16)
                    while len(buf) < size + 2:
                        buf += conn.recv(65536)
                    buf = buf[size + 2:]
                    if size == 0:
                        break
            elif "content-length" in fields:
                n = int(fields["content-length"])
                while len(buf) < n:
                    buf += conn.recv(65536)
                buf = buf[n:]
            with _TwoFacedOrigin.lock:
                _TwoFacedOrigin.requests.append((number, path))
            if path.endswith("/ambiguous"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\nContent-Length: 0\r\n\r\n"
                             b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nPWNED")
                continue
            body = f"you asked for {path}".encode()
            response = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            if path.endswith("/smuggled"):
                late = response
            else:
                conn.sendall(response)


class _OriginServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _get(port, url, extra=b""):
    """One request on a new client connection (closed after it): (status, body)."""
    out, _ = _exchange(port, b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % url.encode() + extra)
    answers = _responses(out)
    return (answers[0][0], answers[0][2]) if answers else (None, out)


class TwoClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.enterClassContext(lib.temp_dir())
        cls.origin = _OriginServer(("127.0.0.1", 0), _TwoFacedOrigin)
        threading.Thread(target=cls.origin.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.origin.server_close)
        cls.addClassCleanup(cls.origin.shutdown)
        cls.o = f"127.0.0.1:{cls.origin.server_address[1]}"
        # One I/O thread each: one upstream pool, which every request here goes through.
        cls.proxies = {"pactool proxy": cls.enterClassContext(OneThreadProxy()).port,
                       "pacserver's bundled proxy": cls.enterClassContext(BundledProxy(tmp)).port}

    def seen(self, start):
        with _TwoFacedOrigin.lock:
            return list(_TwoFacedOrigin.requests[start:])

    def test_after_a_smuggling_attempt_the_next_client_gets_its_own_response(self):
        for name, port in self.proxies.items():
            with self.subTest(proxy=name):
                start = len(self.seen(0))
                # The pool gets a connection to the origin.
                self.assertEqual(_get(port, f"http://{self.o}/warm"), (200, b"you asked for /warm"))
                # Client 1: "chunked,chunked" and a Content-Length: read by length, the body is one
                # request; read as chunked (as this origin does), it ends at 0 CRLF CRLF and a request
                # for /smuggled follows, whose response would wait on the pooled connection.
                attack = _post("Transfer-Encoding: chunked,chunked", "Content-Length: {len}",
                               body=SMUGGLING_BODY)(self.o)
                out, ending = _exchange(port, attack)
                # Client 2, over the pooled connection: its own response (not the one to /smuggled).
                self.assertEqual(_get(port, f"http://{self.o}/second"), (200, b"you asked for /second"))
                self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
                self.assertEqual(ending, "closed")
                seen = self.seen(start)
                self.assertEqual([p for _, p in seen], ["/warm", "/second"])
                self.assertEqual(seen[0][0], seen[1][0], "the second client's request reused the pooled connection")

    def test_a_chunked_request_body_ends_with_one_last_chunk_and_the_connection_serves_the_next(self):
        # (Beast's serializer wrote an empty piece as a chunk of size 0, the last-chunk, before its own
        # last-chunk: the origin read "0" as the next request line and closed the pooled connection.)
        for name, port in self.proxies.items():
            with self.subTest(proxy=name):
                start = len(self.seen(0))
                out, _ = _exchange(port, (f"POST http://{self.o}/chunked-post HTTP/1.1\r\nHost: {self.o}\r\n"
                                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                          "5\r\nhello\r\n0\r\n\r\n").encode())
                self.assertEqual([a[0] for a in _responses(out)], [200], out)
                self.assertEqual(_get(port, f"http://{self.o}/after"), (200, b"you asked for /after"))
                seen = self.seen(start)
                self.assertEqual([p for _, p in seen], ["/chunked-post", "/after"])
                self.assertEqual(seen[0][0], seen[1][0], "the connection was not reused")

    def test_an_ambiguously_framed_response_is_a_502_and_its_connection_is_not_reused(self):
        for name, port in self.proxies.items():
            with self.subTest(proxy=name):
                start = len(self.seen(0))
                status, body = _get(port, f"http://{self.o}/ambiguous")
                self.assertEqual(status, 502, body)
                self.assertIn(b"sent an ambiguously framed response", body)
                self.assertIn(b"both Transfer-Encoding and Content-Length", body)
                self.assertNotIn(b"PWNED", body)
                self.assertEqual(_get(port, f"http://{self.o}/second"), (200, b"you asked for /second"))
                seen = self.seen(start)
                self.assertEqual([p for _, p in seen], ["/ambiguous", "/second"])
                self.assertNotEqual(seen[0][0], seen[1][0], "the ambiguous response's connection was reused")

if __name__ == "__main__":
    unittest.main()
