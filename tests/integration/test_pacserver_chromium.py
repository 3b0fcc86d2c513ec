"""A real browser as the PAC client: headless Chromium fetches wpad.dat from pacserver, runs it, and
loads a page from a local test origin through the proxy the PAC names. The path is proven twice: the
proxy recorded the absolute-URI request, and the origin echoes the Via header the proxy added.

Chromium never proxies loopback destinations, so the origin is "origin.test", mapped to 127.0.0.1
for the browser (--host-resolver-rules) and for the test proxy (its own table)."""
import http.client
import http.server
import os
import shutil
import tempfile
import threading
import unittest
import urllib.parse

from wpadkit_testlib import PacServer, needs_peer, run, temp_dir, write

CHROMIUM = shutil.which("chromium")


class Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        headers = "".join(f"<li>{k}: {v}</li>" for k, v in self.headers.items())
        body = f"<html><body><h1>origin page</h1><ul>{headers}</ul></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Proxy(http.server.BaseHTTPRequestHandler):
    """A minimal forward proxy: absolute-URI GETs only, origin.test mapped to 127.0.0.1."""
    seen = []

    def do_GET(self):
        Proxy.seen.append(self.requestline)
        u = urllib.parse.urlsplit(self.path)
        if not u.scheme or u.hostname != "origin.test":
            self.send_error(502, "test proxy only knows origin.test")
            return
        conn = http.client.HTTPConnection("127.0.0.1", u.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        headers["Via"] = "1.1 wpadkit-test-proxy"
        conn.request("GET", u.path or "/", headers=headers)
        r = conn.getresponse()
        body = r.read()
        self.send_response(r.status)
        self.send_header("Content-Type", r.getheader("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        conn.close()

    def log_message(self, *args):
        pass


def serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@needs_peer(CHROMIUM is not None, "chromium is not installed (scripts/install-deps.sh)")
class ChromiumFollowsPacTest(unittest.TestCase):
    def test_page_loads_through_the_proxy_the_pac_names(self):
        origin, proxy = serve(Origin), serve(Proxy)
        try:
            with temp_dir() as d:
                log = os.path.join(d, "access.log")
                cfg = write(os.path.join(d, "pacserver.toml"), f"""
[server]
listen = ["127.0.0.1:0"]
access_log = "{log}"
watch = false

[[proxies]]
name = "testproxy"
address = "127.0.0.1:{proxy.server_address[1]}"

[rulesets.default]
default = ["testproxy"]

[[variants]]
name = "default"
template = "corporate"
""")
                with PacServer(["--config", cfg]) as server:
                    page = f"http://origin.test:{origin.server_address[1]}/through-pac"
                    profile = tempfile.mkdtemp(prefix="wpadkit-chromium-")
                    try:
                        p = run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                 "--no-first-run", "--disable-background-networking",
                                 "--disable-component-update", "--disable-sync",
                                 f"--user-data-dir={profile}",
                                 f"--proxy-pac-url={server.url()}",
                                 "--host-resolver-rules=MAP origin.test 127.0.0.1",
                                 "--dump-dom", page], timeout=120)
                    finally:
                        shutil.rmtree(profile, ignore_errors=True)
                    self.assertIn("origin page", p.stdout, p.stderr[-2000:])
                    self.assertIn("Via: 1.1 wpadkit-test-proxy", p.stdout)
                    self.assertIn(f"GET {page} HTTP/1.1", Proxy.seen)
                    with open(log) as f:
                        self.assertRegex(f.read(), r'path="/wpad.dat" variant=default version=[0-9a-f]{32} status=200')
        finally:
            origin.shutdown()
            proxy.shutdown()


if __name__ == "__main__":
    unittest.main()
