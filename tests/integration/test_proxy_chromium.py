"""A real browser through the bundled proxy: headless Chromium uses `pactool proxy` as its proxy
(--proxy-server), and the proxy routes each of Chromium's requests by its own PAC:

- direct.test → DIRECT: the echo origin shows what arrived (origin-form, our Via, Chromium's own
  headers, no Proxy-Connection);
- 127.0.0.1 → PROXY to a real Squid: the page went through both proxies (Via has both entries);
- secure.test (https) → a dead proxy first, then DIRECT: Chromium's CONNECT fails over within the
  request and the TLS page arrives.

Chromium never resolves names when it has a proxy, so the *.test names are resolved by the proxy
(--dns); Squid is given the address itself (with a hosts_file name, this Squid answered "Read Error"
without connecting). Chromium sends loopback URLs to its proxy only with <-loopback> in its bypass
list. Every peer listens on 127.0.0.1."""
import json
import os
import shutil
import tempfile
import unittest

import wpadkit_testlib as lib
from proxy_peers import DeadProxy, EchoOrigin, ProxyUnderTest, Squid, TlsOrigin

CHROMIUM = shutil.which("chromium")


def dump_dom(proxy_port, url):
    """Chromium's DOM for `url`, loaded through the proxy at `proxy_port` (stdout, stderr)."""
    profile = tempfile.mkdtemp(prefix="wpadkit-chromium-")
    try:
        p = lib.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--ignore-certificate-errors", f"--user-data-dir={profile}",
                     f"--proxy-server=http://127.0.0.1:{proxy_port}", "--proxy-bypass-list=<-loopback>",
                     "--dump-dom", url], timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return p.stdout, p.stderr


@lib.needs_peer(CHROMIUM is not None, "chromium is not installed (scripts/install-deps.sh installs it)")
class ChromiumThroughTheProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = cls.enterClassContext(lib.temp_dir())
        cls.origin = cls.enterClassContext(EchoOrigin())
        cls.tls = cls.enterClassContext(TlsOrigin(cls.tmp))
        cls.dead = cls.enterClassContext(DeadProxy())
        cls.squid = cls.enterClassContext(Squid(cls.tmp))
        pac = lib.write(os.path.join(cls.tmp, "route.pac"), f"""
function FindProxyForURL(url, host) {{
  if (host == "direct.test") return "DIRECT";
  if (host == "127.0.0.1") return "PROXY 127.0.0.1:{cls.squid.port}";
  if (host == "secure.test") return "PROXY 127.0.0.1:{cls.dead.port}; DIRECT";
  return "PROXY 127.0.0.1:9";
}}
""")
        cls.log = os.path.join(cls.tmp, "access.log")
        cls.proxy = cls.enterClassContext(ProxyUnderTest(
            "--pac", pac, "--dns", "direct.test=127.0.0.1", "--dns", "secure.test=127.0.0.1",
            "--connect-port", str(cls.tls.port), "--access-log", cls.log, "--log-format", "json"))

    def log_entries(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_direct_page_arrives_as_the_origin_should_see_it(self):
        url = f"http://direct.test:{self.origin.port}/direct-page"
        dom, err = dump_dom(self.proxy.port, url)
        # The echo origin's body is the request head it received; Chromium shows it as text.
        self.assertIn("GET /direct-page HTTP/1.1", dom, err[-2000:])
        self.assertIn(f"Host: direct.test:{self.origin.port}", dom)
        self.assertIn(f"Via: 1.1 {self.proxy.via}", dom)
        self.assertIn("HeadlessChrome", dom)  # Chromium's User-Agent, passed on untouched
        self.assertNotIn("Proxy-Connection", dom)  # hop-by-hop: consumed by us
        entry = next(e for e in self.log_entries() if e["url"] == url)
        self.assertEqual((entry["method"], entry["pac"], entry["hop"], entry["status"]),
                         ("GET", "DIRECT", "DIRECT", 200))

    def test_page_through_a_parent_squid_carries_both_via_entries(self):
        url = f"http://127.0.0.1:{self.origin.port}/via-squid"
        dom, err = dump_dom(self.proxy.port, url)
        self.assertIn("via-squid HTTP/1.1", dom, err[-2000:])
        self.assertRegex(dom, rf"Via: 1\.1 {self.proxy.via}, 1\.1 test-squid")
        entry = next(e for e in self.log_entries() if e["url"] == url)
        self.assertEqual((entry["hop"], entry["status"]), (f"PROXY 127.0.0.1:{self.squid.port}", 200))

    def test_https_page_fails_over_from_a_dead_proxy_to_direct(self):
        dom, err = dump_dom(self.proxy.port, f"https://secure.test:{self.tls.port}/")
        # openssl s_server -www answers every GET with a page describing the TLS session.
        self.assertIn("s_server", dom, err[-2000:])
        self.assertIn("Ciphers supported", dom)
        entry = next(e for e in self.log_entries()
                     if e["method"] == "CONNECT" and e["url"] == f"secure.test:{self.tls.port}")
        self.assertEqual((entry["hop"], entry["attempts"]), ("DIRECT", 2))


if __name__ == "__main__":
    unittest.main()
