"""A PAC that runs forever while its error is described (a thrown object whose toString loops), or
that nests too deeply to compile quickly, driven through the real programs: `pactool eval` returns
with the timeout exit code, `pactool proxy` answers the request with a 502 that says so and then the
next request, and exits on SIGTERM (inline PAC and --no-inline-pac); pacserver refuses a template
that renders it, at start and on reload, keeps serving the good PAC, and still answers SIGHUP and
SIGTERM. Before, each of these hung: the deadline was switched off before the thrown value was
turned into a message."""
import os
import shutil
import signal
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest, curl

# The script: FindProxyForURL throws an object whose toString never returns.
HOSTILE_BODY = "throw {toString: function () { while (1) {} }};"


def hostile_pac(good_host=None):
    guard = f'if (host == "{good_host}") return "DIRECT";\n  ' if good_host else ""
    return "function FindProxyForURL(url, host) {\n  " + guard + HOSTILE_BODY + "\n}\n"


# pacserver serving the corporate template from a templates_dir the test edits.
PACSERVER_CONFIG = """
[server]
listen = ["127.0.0.1:0"]
templates_dir = "templates"
watch = true
watch_interval_ms = 50

[[proxies]]
name = "main"
address = "proxy1.corp.example:3128"

[rulesets.default]
default = ["main", "DIRECT"]

[[variants]]
name = "default"
template = "corporate"
"""


def replace(path, text):
    """Writes `path` whole, by rename, so that the watcher never sees it half-written."""
    lib.write(path + ".tmp", text)
    os.replace(path + ".tmp", path)


def pactool(*args):
    return lib.run([lib.binary("pactool"), *args], timeout=30)


class PactoolEval(unittest.TestCase):
    def setUp(self):
        self._tmp = lib.temp_dir()
        self.dir = self._tmp.__enter__()

    def tearDown(self):
        self._tmp.__exit__(None, None, None)

    def test_a_looping_thrown_value_is_a_timeout(self):
        path = lib.write(os.path.join(self.dir, "hostile.pac"), hostile_pac(good_host="good"))
        p = pactool("eval", "--pac", path, "--offline", "--timeout", "200", "http://bad/", "http://good/")
        self.assertEqual(p.returncode, 4, p.stderr)
        first, second = p.stdout.splitlines()
        self.assertTrue(first.startswith("ERROR timeout: "), first)
        self.assertIn("hostile.pac", first)
        self.assertIn("time limit", first)
        self.assertEqual(second, "DIRECT")

    def test_a_looping_thrown_value_at_the_top_level_is_a_load_timeout(self):
        path = lib.write(os.path.join(self.dir, "top.pac"),
                         HOSTILE_BODY + "\nfunction FindProxyForURL(url, host) { return 'DIRECT'; }\n")
        p = pactool("eval", "--pac", path, "--offline", "http://a/")
        self.assertEqual(p.returncode, 3, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("top.pac", lines[0])
        self.assertIn("time limit", lines[0])

    def test_nesting_past_the_limit_is_refused_with_its_place(self):
        path = lib.write(os.path.join(self.dir, "deep.pac"),
                         "function FindProxyForURL(url, host) {\n  return " + "(" * 40000 + '"DIRECT"' +
                         ")" * 40000 + ";\n}\n")
        p = pactool("eval", "--pac", path, "--offline", "http://a/")
        self.assertEqual(p.returncode, 3, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        # Line 1's `{` is the first level, so the 2,500th `(` after "  return " passes the limit.
        self.assertIn("deep.pac:2:2509: ", lines[0])
        self.assertIn("deeper than 2500 levels", lines[0])


class PactoolProxy(unittest.TestCase):
    def check_proxy(self, *flags):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "hostile.pac"), hostile_pac(good_host="127.0.0.1"))
            proxy = ProxyUnderTest("--pac", path, "--offline", *flags)
            try:
                status, _, body = curl("-x", proxy.url, "http://hostile.invalid/")
                self.assertEqual(status, 502, body)
                self.assertIn("PAC evaluation failed", body)
                self.assertIn("time limit", body)
                # The thread that evaluated it is free: the next request is answered, twice over.
                for _ in range(2):
                    self.assertEqual(curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/next")[0], 200)
                self.assertEqual(curl("-x", proxy.url, "http://hostile.invalid/again")[0], 502)
                proxy.proc.send_signal(signal.SIGTERM)
                self.assertEqual(proxy.proc.wait(timeout=20), 0)
            finally:
                proxy.stop()

    def test_inline_pac(self):
        self.check_proxy()

    def test_no_inline_pac(self):
        self.check_proxy("--no-inline-pac")


class PacServerTemplate(unittest.TestCase):
    """A template that renders the hostile PAC: its validation is cut off, so it is refused."""

    def setUp(self):
        self._tmp = lib.temp_dir()
        self.dir = self._tmp.__enter__()
        self.tdir = os.path.join(self.dir, "templates")
        shutil.copytree(lib.source("pac-templates"), self.tdir)
        self.cfg = lib.write(os.path.join(self.dir, "pacserver.toml"), PACSERVER_CONFIG)
        self.template = os.path.join(self.tdir, "corporate.pac.mustache")

    def tearDown(self):
        self._tmp.__exit__(None, None, None)

    def test_refused_at_start(self):
        lib.write(self.template, hostile_pac())
        p = lib.run([lib.binary("pacserver"), "--check", "--config", self.cfg], timeout=30)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("time limit", p.stderr)

    def test_refused_on_reload_and_signals_still_answered(self):
        with lib.PacServer(["--config", self.cfg]) as server:
            etag = lib.http_get(server.url())[1]["etag"]
            start = server.mark("err")
            replace(self.template, hostile_pac())
            server.wait_for_output(r"reload \(changed: .*\) failed", stream="err", start=start)
            server.wait_for_output(r"time limit", stream="err", start=start)
            status, h, body = lib.http_get(server.url())
            self.assertEqual((status, h["etag"]), (200, etag))
            self.assertIn(b"proxy1.corp.example:3128", body)
            start = server.mark("err")
            server.proc.send_signal(signal.SIGHUP)
            server.wait_for_output(r"reload \(SIGHUP\) failed", stream="err", start=start)
            self.assertEqual(lib.http_get(server.url())[1]["etag"], etag)
            server.proc.send_signal(signal.SIGTERM)
            self.assertEqual(server.proc.wait(timeout=20), 0)


if __name__ == "__main__":
    unittest.main()
