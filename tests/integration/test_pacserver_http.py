"""pacserver over real HTTP: headers, ETag/304, HEAD, gzip, variants by address/Host/User-Agent,
X-Forwarded-For from trusted proxies, 403, 404, /healthz, /metrics and the access log; and as a
strict HTTP/1.1 server: malformed heads refused with 400 and a close, pipelined requests answered in
order, a header flood refused with 431 at a bounded cost, connections limited."""
import gzip
import os
import re
import select
import socket
import unittest

import wpadkit_testlib
from wpadkit_testlib import PacServer, http_get, poll, run, temp_dir, write

CONFIG = """
[server]
listen = ["127.0.0.1:0"]
access_log = "{log}"
cache_control = "max-age=123"
allowed_clients = ["127.0.0.0/16", "::1/128"]
trusted_proxies = ["127.0.0.9/32"]
watch = false

[[proxies]]
name = "main"
address = "proxy1.corp.example:3128"

[[proxies]]
name = "lab"
address = "labproxy.corp.example:8080"

[rulesets.default]
direct_domains = [".corp.example"]
default = ["main", "DIRECT"]

[rulesets.lab]
default = ["lab", "DIRECT"]

[[variants]]
name = "lab"
template = "corporate"
ruleset = "lab"
match_clients = ["127.0.2.0/24"]

[[variants]]
name = "guest"
template = "sinkhole"
match_hosts = ["wpad.guest.example"]

[[variants]]
name = "winhttp"
template = "split-tunnel"
match_user_agents = ["WinHttp"]

[[variants]]
name = "default"
template = "corporate"

[[variants.cases]]
url = "http://www.example.com/"
expect = "PROXY proxy1.corp.example:3128; DIRECT"
"""

PAC_TYPE = "application/x-ns-proxy-autoconfig; charset=us-ascii"


class PacServerHttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir_cm = temp_dir()
        cls.dir = cls.dir_cm.__enter__()
        cls.log = os.path.join(cls.dir, "access.log")
        cfg = write(os.path.join(cls.dir, "pacserver.toml"), CONFIG.format(log=cls.log))
        cls.server = PacServer(["--config", cfg])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.dir_cm.__exit__(None, None, None)

    def get(self, path="/wpad.dat", **kw):
        return http_get(self.server.url(path), **kw)

    def test_pac_headers(self):
        for path in ("/wpad.dat", "/proxy.pac"):
            status, h, body = self.get(path)
            self.assertEqual(status, 200)
            self.assertEqual(h["content-type"], PAC_TYPE)
            self.assertRegex(h["etag"], r'^"[0-9a-f]{32}"$')
            self.assertRegex(h["last-modified"], r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")
            self.assertEqual(h["cache-control"], "max-age=123")
            self.assertEqual(h["x-pac-variant"], "default")
            self.assertIn("Accept-Encoding", h["vary"])
            self.assertEqual(int(h["content-length"]), len(body))
            text = body.decode("ascii")
            self.assertIn("function FindProxyForURL(url, host)", text)
            self.assertIn('return "PROXY proxy1.corp.example:3128; DIRECT";', text)
            self.assertIn("// rulesets.default.direct_domains[0]", text)

    def test_conditional_requests_give_304(self):
        _, h, _ = self.get()
        status, h2, body = self.get(headers={"If-None-Match": h["etag"]})
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(h2["etag"], h["etag"])
        status, _, _ = self.get(headers={"If-None-Match": '"other", W/' + h["etag"]})
        self.assertEqual(status, 304)
        status, _, _ = self.get(headers={"If-None-Match": '"stale"'})
        self.assertEqual(status, 200)
        status, _, _ = self.get(headers={"If-Modified-Since": h["last-modified"]})
        self.assertEqual(status, 304)
        status, _, _ = self.get(headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual(status, 200)
        # If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2).
        status, _, _ = self.get(headers={"If-None-Match": '"stale"',
                                         "If-Modified-Since": h["last-modified"]})
        self.assertEqual(status, 200)

    def raw_pair(self, first, second):
        """On one connection: sends `first`, reads up to the end of its answer's head, sends `second`
        (with Connection: close); returns (the first head, every byte read after it)."""
        host, port = self.server.addresses[0].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(first.encode("latin-1"))
            out = b""
            while b"\r\n\r\n" not in out:
                chunk = s.recv(65536)
                self.assertTrue(chunk, f"closed before the end of the head: {out!r}")
                out += chunk
            s.sendall(second.encode("latin-1"))
            while chunk := s.recv(65536):
                out += chunk
        head, rest = out.split(b"\r\n\r\n", 1)
        return head, rest

    def test_304_carries_no_false_content_length(self):
        """RFC 9110 section 8.6: a 304 may carry Content-Length only if it equals what the 200 would
        have sent; cpp-httplib's default "0" does not, so pacserver sends none. Nothing follows the
        304's head on the kept-alive connection but the next answer."""
        for encoding in ("identity", "gzip"):
            _, h, _ = self.get(headers={"Accept-Encoding": encoding})
            req = (f"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nAccept-Encoding: {encoding}\r\n"
                   f"If-None-Match: {h['etag']}\r\n")
            head, rest = self.raw_pair(req + "\r\n", req + "Connection: close\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 304 "), head)
            self.assertNotRegex(head, rb"(?im)^content-length:", (encoding, head))
            self.assertRegex(head, rb"(?im)^etag: " + re.escape(h["etag"].encode()) + rb"\r?$")
            self.assertTrue(rest.startswith(b"HTTP/1.1 304 "), (encoding, rest[:80]))

    def test_head_has_headers_and_no_body(self):
        _, full, body = self.get()
        status, h, head_body = self.get(method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(head_body, b"")
        self.assertEqual(h["etag"], full["etag"])
        self.assertEqual(int(h["content-length"]), len(body))

    def test_gzip_when_asked(self):
        _, plain_h, plain = self.get()
        status, h, body = self.get(headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(h["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(body), plain)
        self.assertNotEqual(h["etag"], plain_h["etag"])
        self.assertLess(len(body), len(plain))
        status, h, _ = self.get(headers={"Accept-Encoding": "gzip;q=0"})
        self.assertNotIn("content-encoding", h)
        # curl as a second, independent client.
        p = run(["curl", "-sS", "--compressed", "-D", "-", self.server.url()], check=0)
        self.assertIn("content-encoding: gzip", p.stdout.lower())
        self.assertIn("FindProxyForURL", p.stdout)

    def test_variant_by_client_address(self):
        for source, variant, proxy in (("127.0.2.5", "lab", "labproxy.corp.example:8080"),
                                       ("127.0.2.200", "lab", "labproxy.corp.example:8080"),
                                       ("127.0.3.5", "default", "proxy1.corp.example:3128")):
            status, h, body = self.get(source=source)
            self.assertEqual((status, h["x-pac-variant"]), (200, variant), source)
            self.assertIn(proxy, body.decode())
        p = run(["curl", "-sS", "--interface", "127.0.2.7", self.server.url()], check=0)
        self.assertIn("labproxy.corp.example:8080", p.stdout)

    def test_variant_by_host_and_user_agent(self):
        _, h, body = self.get(headers={"Host": "wpad.guest.example"})
        self.assertEqual(h["x-pac-variant"], "guest")
        self.assertIn('return "DIRECT";', body.decode())
        _, h, _ = self.get(headers={"User-Agent": "WinHttp-Autoproxy-Service/10.0"})
        self.assertEqual(h["x-pac-variant"], "winhttp")
        # First match wins: the lab address beats the WinHttp agent listed after it.
        _, h, _ = self.get(headers={"User-Agent": "WinHttp-Autoproxy-Service/10.0"}, source="127.0.2.9")
        self.assertEqual(h["x-pac-variant"], "lab")

    def test_variant_by_name(self):
        status, h, body = self.get("/guest.pac")
        self.assertEqual((status, h["x-pac-variant"]), (200, "guest"))
        status, _, body = self.get("/nosuch.pac")
        self.assertEqual(status, 404)
        self.assertIn(b"nosuch", body)

    def test_x_forwarded_for_only_from_trusted_proxies(self):
        _, h, _ = self.get(headers={"X-Forwarded-For": "127.0.2.44"}, source="127.0.0.9")
        self.assertEqual(h["x-pac-variant"], "lab")
        _, h, _ = self.get(headers={"X-Forwarded-For": "127.0.2.44"}, source="127.0.0.8")
        self.assertEqual(h["x-pac-variant"], "default")
        status, _, body = self.get(headers={"X-Forwarded-For": "8.8.8.8"}, source="127.0.0.9")
        self.assertEqual(status, 403)
        status, _, body = self.get(headers={"X-Forwarded-For": "bogus"}, source="127.0.0.9")
        self.assertEqual(status, 400)
        self.assertIn(b"X-Forwarded-For", body)

    def test_clients_outside_allowed_networks_get_403(self):
        status, _, body = self.get(source="127.1.0.1")
        self.assertEqual(status, 403)
        self.assertIn(b"127.1.0.1", body)
        self.assertIn(b"allowed_clients", body)

    def test_unknown_path_is_404(self):
        status, _, body = self.get("/index.html")
        self.assertEqual(status, 404)
        self.assertIn(b"/index.html", body)

    def test_other_methods_get_405(self):
        for method in ("POST", "PUT", "DELETE"):
            status, h, body = self.get(method=method)
            self.assertEqual(status, 405, method)
            self.assertEqual(h["allow"], "GET, HEAD")
            self.assertIn(method.encode(), body)

    def test_healthz_and_metrics(self):
        status, _, body = self.get("/healthz")
        self.assertEqual(status, 200)
        self.assertIn(b"ok", body)
        self.get(source="127.0.2.77")
        status, h, body = self.get("/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        self.assertRegex(text, r'pacserver_requests_total\{path="/wpad.dat",variant="lab",status="200"\} [1-9]')
        self.assertRegex(text, r'pacserver_pac_info\{variant="default",template="corporate",version="[0-9a-f]{32}"\} 1')
        self.assertIn('pacserver_reloads_total{result="failed"} 0', text)
        self.assertIn("pacserver_generation 1", text)

    def test_access_log_names_client_variant_version_status(self):
        # A tab and obs-text are allowed in a field value (RFC 9110 section 5.5), and escaped in the
        # log; DEL is not allowed and gets 400 (MALFORMED below).
        _, h, _ = self.get(source="127.0.2.33", headers={"User-Agent": 'evil"\tagent\xe9'})
        version = h["etag"].strip('"')
        def logged():  # written just after the response: it can trail the client by a moment
            with open(self.log) as f:
                return [l for l in f if "client=127.0.2.33 " in l]
        lines = wpadkit_testlib.poll(logged, timeout=60)
        self.assertEqual(len(lines), 1)
        line = lines[0]
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")
        self.assertIn('path="/wpad.dat" variant=lab version=' + version + " status=200", line)
        self.assertIn(r'ua="evil\"\x09agent\xe9"', line)


def read_response(f, method="GET"):
    """One response from the buffered reader `f`: (status, headers with lower-case names, body).
    The body is framed by Content-Length (none for HEAD and 304). None at EOF before a status line."""
    line = f.readline()
    if not line:
        return None
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", line)
    assert m, f"not a status line: {line!r}"
    headers = {}
    while (line := f.readline()) not in (b"\r\n", b""):
        name, value = line.decode("latin-1").split(":", 1)
        headers[name.strip().lower()] = value.strip()
    status = int(m.group(1))
    body = b""
    if method != "HEAD" and status != 304 and "content-length" in headers:
        body = f.read(int(headers["content-length"]))
    return status, headers, body


def exchange(address, data, methods, timeout=60):
    """Sends `data` on one connection, reads len(methods) responses, then reads to EOF; returns
    (responses, bytes after the last one). Raises if the server does not close within `timeout`."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        f = s.makefile("rb")
        responses = [read_response(f, m) for m in methods]
        rest = f.read()  # to EOF: the server closed (a timeout raises instead)
    return responses, rest


def listen_backlog(port):
    """Connections waiting in the accept queue of our IPv4 listener on `port` (/proc/net/tcp: for
    a listening socket, rx_queue is the accept queue's length)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:
                return int(fields[4].split(":")[1], 16)
    raise AssertionError(f"no listener on port {port}")


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


# Each is answered 400 (or the status given) with Connection: close, and the connection is closed:
# the valid request sent after it in the same packet is never answered.
MALFORMED = [
    ("no colon", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n\r\n", 400),
    ("space before colon", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nX-A : v\r\n\r\n", 400),
    ("space before colon of Host", b"GET /wpad.dat HTTP/1.1\r\nHost : t\r\n\r\n", 400),
    ("DEL in a value", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nUser-Agent: a\x7fb\r\n\r\n", 400),
    ("NUL in a value", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nX-A: a\x00b\r\n\r\n", 400),
    ("bare CR in a value", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n", 400),
    ("bare LF in a value", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nX-A: a\nHost: evil\r\n\r\n", 400),
    ("bare LF line ends", b"GET /wpad.dat HTTP/1.1\nHost: t\n\n", 400),
    ("space in a field name", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nX A: v\r\n\r\n", 400),
    ("CR in the URI", b"GET /wpad\r.dat HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("space in the URI", b"GET /wpad .dat HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("two differing Host", b"GET /wpad.dat HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("two equal Host", b"GET /wpad.dat HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
    ("HTTP/1.1 without Host", b"GET /wpad.dat HTTP/1.1\r\nUser-Agent: t\r\n\r\n", 400),
    ("invalid Host", b"GET /wpad.dat HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    ("Transfer-Encoding gzip", b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ("chunked twice", b"POST /wpad.dat HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    ("chunked in HTTP/1.0", b"POST /wpad.dat HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("Content-Length and chunked", b"POST /wpad.dat HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("two Content-Lengths", b"POST /wpad.dat HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    ("a target that is not a path", b"GET wpad.dat HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("HTTP/2.0 in a request-line", b"GET /wpad.dat HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    ("HTTP/1.2 in a request-line", b"GET /wpad.dat HTTP/1.2\r\nHost: t\r\n\r\n", 505),
    ("a version that is not one", b"GET /wpad.dat HTTP/x\r\nHost: t\r\n\r\n", 400),
    ("not HTTP", b"HELLO\r\n\r\n", 400),
]


class PacServerStrictHttpTest(unittest.TestCase):
    """pacserver as a correct HTTP/1.1 server (RFC 9112), over raw sockets."""

    @classmethod
    def setUpClass(cls):
        d = cls.enterClassContext(temp_dir())
        cls.log = os.path.join(d, "access.log")
        cfg = write(os.path.join(d, "strict.toml"), STRICT_CONFIG.format(log=cls.log))
        cls.server = cls.enterClassContext(PacServer(["--config", cfg]))
        _, cls.headers, cls.body = http_get(cls.server.url(), headers={"Accept-Encoding": "identity"})

    def test_malformed_heads_get_their_status_and_a_close(self):
        good = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
        for name, head, status in MALFORMED:
            with self.subTest(name):
                responses, rest = exchange(self.server.addresses[0], head + good, ["GET"])
                got_status, h, body = responses[0]
                self.assertEqual(got_status, status, body)
                self.assertEqual(h.get("connection"), "close")
                self.assertEqual(rest, b"", "the request after the malformed one was answered")

    def test_obs_fold_is_replaced_by_a_space(self):
        """RFC 9112 section 5.2 lets a server replace obs-fold with SP instead of refusing it."""
        head = b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nUser-Agent: Win\r\n Http\r\nConnection: close\r\n\r\n"
        (status, h, _), = exchange(self.server.addresses[0], head, ["GET"])[0]
        self.assertEqual((status, h["x-pac-variant"]), (200, "default"))

    def test_pipelined_gets_are_all_answered_in_order(self):
        for n in (2, 10):
            with self.subTest(n=n):
                paths = ["/wpad.dat" if i % 2 == 0 else "/healthz" for i in range(n)]
                data = b"".join(
                    f"GET {p} HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\n"
                    f"{'Connection: close' if i == n - 1 else 'X-N: ' + str(i)}\r\n\r\n".encode()
                    for i, p in enumerate(paths))
                responses, rest = exchange(self.server.addresses[0], data, ["GET"] * n)
                self.assertEqual(rest, b"")
                for p, (status, h, body) in zip(paths, responses):
                    self.assertEqual(status, 200)
                    if p == "/wpad.dat":
                        self.assertEqual(body, self.body)
                        self.assertEqual(h["etag"], self.headers["etag"])
                    else:
                        self.assertTrue(body.startswith(b"ok generation="), body)

    def test_pipelined_after_head_and_conditional_get(self):
        etag = self.headers["etag"]
        data = (b"HEAD /wpad.dat HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\n\r\n"
                b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\n"
                b"If-None-Match: " + etag.encode() + b"\r\n\r\n"
                b"GET /guest.pac HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\n\r\n"
                b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
        responses, rest = exchange(self.server.addresses[0], data, ["HEAD", "GET", "GET", "GET"])
        (s1, h1, b1), (s2, h2, b2), (s3, h3, b3), (s4, h4, b4) = responses
        self.assertEqual((s1, b1, int(h1["content-length"])), (200, b"", len(self.body)))
        self.assertEqual((s2, b2, h2["etag"]), (304, b"", etag))
        self.assertNotIn("content-length", h2)
        self.assertEqual((s3, h3["x-pac-variant"]), (200, "guest"))
        self.assertIn(b'return "DIRECT";', b3)
        self.assertEqual((s4, b4, h4["connection"]), (200, self.body, "close"))
        self.assertEqual(rest, b"")

    def test_http10_keep_alive_and_absolute_form(self):
        data = (b"GET http://wpad.guest.example/wpad.dat HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                b"GET /wpad.dat?ignored=1 HTTP/1.0\r\n\r\n")
        responses, rest = exchange(self.server.addresses[0], data, ["GET", "GET"])
        (s1, h1, _), (s2, h2, b2) = responses
        # The absolute-form target's host chooses the variant (RFC 9112 section 3.2.2).
        self.assertEqual((s1, h1["x-pac-variant"], h1["connection"]), (200, "guest", "keep-alive"))
        self.assertEqual((s2, h2["x-pac-variant"], b2), (200, "default", self.body))
        self.assertEqual(rest, b"")

    def flood(self, total):
        """Sends a request head growing by `total` bytes of fields, stopping as soon as an answer
        can be read. Returns (bytes sent, the response, bytes after it)."""
        host, port = self.server.addresses[0].rsplit(":", 1)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        s.settimeout(60)
        s.connect((host, int(port)))
        with s:
            s.setblocking(False)
            chunk = b"".join(b"X-Flood-%05d: %s\r\n" % (i, b"a" * 1000) for i in range(16))
            pending, sent = b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\n", 0
            while sent < total:
                readable, writable, _ = select.select([s], [s], [], 60)
                self.assertTrue(readable or writable, "the server neither reads nor answers")
                if readable:
                    break
                if not pending:
                    pending = chunk
                try:
                    n = s.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                pending, sent = pending[n:], sent + n
            s.setblocking(True)
            f = s.makefile("rb")
            response = read_response(f)
            rest = f.read()
        return sent, response, rest

    def test_header_flood_gets_431_and_a_close_at_a_bounded_cost(self):
        pid = self.server.proc.pid
        before = vm_rss_kib(pid)
        for _ in range(3):
            sent, (status, h, body), rest = self.flood(16 * 1024 * 1024)
            self.assertEqual(status, 431, body)
            self.assertEqual(h["connection"], "close")
            self.assertEqual(rest, b"")
            # Answered once the limit (8 KiB here) was read, not after the flood: what was sent by
            # then is what the two socket buffers hold.
            self.assertLess(sent, 2 * 1024 * 1024)
        grown = vm_rss_kib(pid) - before
        self.assertLess(grown, 20 * 1024, f"pacserver grew by {grown} KiB")
        status, _, body = http_get(self.server.url(), headers={"Accept-Encoding": "identity"})
        self.assertEqual((status, body), (200, self.body))

    def test_too_many_fields_and_long_lines(self):
        fields = b"".join(b"X-F%d: v\r\n" % i for i in range(70))
        cases = [
            (b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n", 431, b"more than 64"),
            (b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nCookie: " + b"c" * 5000 + b"\r\n\r\n", 431, b"Cookie field line"),
            (b"GET /" + b"x" * 5000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414, b"request-line"),
        ]
        for head, status, says in cases:
            with self.subTest(status=status, says=says):
                ((got, h, body),), rest = exchange(self.server.addresses[0], head, ["GET"])
                self.assertEqual((got, h["connection"], rest), (status, "close", b""))
                self.assertIn(says, body)

    def test_refusals_are_logged(self):
        exchange(self.server.addresses[0], b"GET /logged-refusal HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ["GET"])
        def logged():
            with open(self.log) as f:
                return next((l for l in f if "/logged-refusal" in l), None)
        line = poll(logged)
        self.assertIn('method="GET" path="/logged-refusal" variant=- version=- status=400', line)


STRICT_CONFIG = """
[server]
listen = ["127.0.0.1:0"]
access_log = "{log}"
allowed_clients = ["127.0.0.0/8"]
watch = false

[[variants]]
name = "guest"
template = "sinkhole"
match_hosts = ["wpad.guest.example"]

[[variants]]
name = "default"
template = "corporate"
"""

LIMITS_CONFIG = """
[server]
listen = ["127.0.0.1:0"]
access_log = "off"
allowed_clients = ["127.0.0.0/8"]
watch = false

[limits]
max_connections = 4
read_timeout_ms = {read_timeout}
keep_alive_timeout_ms = 60000

[[variants]]
name = "default"
template = "corporate"
"""


class PacServerConnectionLimitTest(unittest.TestCase):
    def start(self, read_timeout):
        d = self.enterContext(temp_dir())
        cfg = write(os.path.join(d, "limits.toml"), LIMITS_CONFIG.format(read_timeout=read_timeout))
        return self.enterContext(PacServer(["--config", cfg]))

    def test_at_the_limit_new_connections_wait_and_are_served_when_one_closes(self):
        server = self.start(read_timeout=60000)
        idle = [self.enterContext(socket.create_connection(("127.0.0.1", server.port), timeout=60))
                for _ in range(4)]
        poll(lambda: listen_backlog(server.port) == 0)  # all four accepted
        extra = self.enterContext(socket.create_connection(("127.0.0.1", server.port), timeout=60))
        extra.sendall(b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        # Not accepted while four are open: it waits in the listen backlog.
        self.assertEqual(poll(lambda: listen_backlog(server.port) or None), 1)
        idle.pop().close()
        status, h, body = read_response(extra.makefile("rb"))
        self.assertEqual(status, 200)
        self.assertIn(b"FindProxyForURL", body)
        status, _, metrics = http_get(server.url("/metrics"))
        self.assertRegex(metrics.decode(), r"(?m)^pacserver_connection_limit_waits_total [1-9]")
        self.assertRegex(metrics.decode(), r"(?m)^pacserver_connections_open [1-4]$")

    def test_a_slow_head_gets_408_and_an_idle_connection_is_closed(self):
        server = self.start(read_timeout=1500)
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as slow:
            slow.sendall(b"GET /wpad.dat HTTP/1.1\r\nHost: t\r\n")  # the head never ends
            f = slow.makefile("rb")
            status, h, body = read_response(f)
            self.assertEqual((status, h["connection"]), (408, "close"))
            self.assertEqual(f.read(), b"")
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as silent:
            self.assertEqual(silent.recv(100), b"")  # closed without an answer: nothing was asked
        status, _, _ = http_get(server.url())
        self.assertEqual(status, 200)


class PacServerIpv6Test(unittest.TestCase):
    """Listening on IPv4 and IPv6 at once; an IPv6 client CIDR selects its variant."""

    def test_v6_listener_and_v6_client_variant(self):
        import socket
        try:
            with socket.socket(socket.AF_INET6) as probe:
                probe.bind(("::1", 0))
        except OSError:
            self.skipTest("no IPv6 loopback on this machine")
        with temp_dir() as d:
            cfg = write(os.path.join(d, "v6.toml"), """
[server]
access_log = "off"
watch = false
[[variants]]
name = "v6"
template = "sinkhole"
match_clients = ["::1/128"]
[[variants]]
name = "default"
template = "corporate"
""")
            with PacServer(["--config", cfg, "--listen", "127.0.0.1:0", "--listen", "[::1]:0"]) as s:
                self.assertEqual(len(s.addresses), 2)
                self.assertTrue(s.addresses[1].startswith("[::1]:"), s.addresses)
                status, h, _ = http_get(f"http://{s.addresses[1]}/wpad.dat")
                self.assertEqual((status, h["x-pac-variant"]), (200, "v6"))
                status, h, _ = http_get(f"http://{s.addresses[0]}/wpad.dat")
                self.assertEqual((status, h["x-pac-variant"]), (200, "default"))


if __name__ == "__main__":
    unittest.main()
