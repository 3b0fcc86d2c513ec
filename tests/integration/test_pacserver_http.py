"""pacserver over real HTTP: headers, ETag/304, HEAD, gzip, variants by address/Host/User-Agent,
X-Forwarded-For from trusted proxies, 403, 404, /healthz, /metrics and the access log."""
import gzip
import os
import re
import socket
import unittest

import wpadkit_testlib
from wpadkit_testlib import PacServer, http_get, run, temp_dir, write

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
        _, h, _ = self.get(source="127.0.2.33", headers={"User-Agent": 'evil"\tagent\x7f'})
        version = h["etag"].strip('"')
        def logged():  # written just after the response: it can trail the client by a moment
            with open(self.log) as f:
                return [l for l in f if "client=127.0.2.33 " in l]
        lines = wpadkit_testlib.poll(logged, timeout=60)
        self.assertEqual(len(lines), 1)
        line = lines[0]
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")
        self.assertIn('path="/wpad.dat" variant=lab version=' + version + " status=200", line)
        self.assertIn(r'ua="evil\"\x09agent\x7f"', line)


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
