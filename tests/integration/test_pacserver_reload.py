"""pacserver reloads on SIGHUP and on file change; a bad config never replaces the good one being
served (the reason is logged), an access log path that cannot be opened included; a reload under load
drops no request."""
import os
import re
import shutil
import signal
import threading
import time
import unittest

from wpadkit_testlib import PacServer, http_get, source, temp_dir, write

TEMPLATE = """
[server]
listen = ["127.0.0.1:0"]
access_log = "{access_log}"
watch = true
watch_interval_ms = 50

[[proxies]]
name = "main"
address = "{proxy}"

[rulesets.default]
default = ["main", "DIRECT"]

[[variants]]
name = "default"
template = "corporate"

[[variants.cases]]
url = "http://www.example.com/"
expect = "{expect}"
"""


def config(proxy="proxy1.corp.example:3128", expect=None, access_log="off"):
    return TEMPLATE.format(proxy=proxy, expect=expect or f"PROXY {proxy}; DIRECT", access_log=access_log)


def replace(path, text):
    """Writes `path` whole, by rename: the watcher never sees it truncated, so every reload counted
    is one the test asked for."""
    write(path + ".tmp", text)
    os.replace(path + ".tmp", path)


def wpad_lines(path, count, timeout=60.0):
    """The access log's /wpad.dat lines, once there are `count` (a line is written just after the
    response, so it can trail the client by a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        with open(path) as f:
            lines = [l for l in f if 'path="/wpad.dat"' in l]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


class PacServerReloadTest(unittest.TestCase):
    def setUp(self):
        self.dir_cm = temp_dir()
        self.dir = self.dir_cm.__enter__()
        self.cfg = write(os.path.join(self.dir, "pacserver.toml"), config())
        self.server = PacServer(["--config", self.cfg])

    def tearDown(self):
        self.server.stop()
        self.dir_cm.__exit__(None, None, None)

    def fetch(self):
        status, h, body = http_get(self.server.url())
        self.assertEqual(status, 200)
        return h["etag"], body.decode()

    def wait_err(self, pattern):
        start = len(self.server.err)
        return lambda: self.server.wait_for_output(pattern, stream="err", start=start)

    def test_file_change_reloads_and_bad_versions_are_refused(self):
        etag1, body1 = self.fetch()
        self.assertIn("proxy1.corp.example:3128", body1)

        # A golden case that no longer holds: refused, named by file:line, old version kept.
        waiter = self.wait_err(r"reload \(changed: .*\) failed")
        replace(self.cfg, config(expect="DIRECT"))
        waiter()
        line = self.server.wait_for_output(r"pacserver\.toml:\d+: variants\.default\.cases\[0\]",
                                           stream="err")
        self.assertIn('expected "DIRECT"', line)
        self.assertEqual(self.fetch()[0], etag1)

        # TOML syntax error: refused with line and column.
        waiter = self.wait_err(r"reload \(changed: .*\) failed")
        replace(self.cfg, config() + "\n[broken\n")
        waiter()
        self.server.wait_for_output(r"pacserver\.toml:\d+:\d+: ", stream="err")
        self.assertEqual(self.fetch()[0], etag1)

        # A good new version goes live.
        waiter = self.wait_err(r"reloaded \(changed: ")
        replace(self.cfg, config(proxy="proxy9.corp.example:8080"))
        waiter()
        etag2, body2 = self.fetch()
        self.assertNotEqual(etag2, etag1)
        self.assertIn("proxy9.corp.example:8080", body2)
        _, _, metrics = http_get(self.server.url("/metrics"))
        self.assertIn(b'pacserver_reloads_total{result="failed"} 2', metrics)
        self.assertIn(b'pacserver_reloads_total{result="ok"} 1', metrics)

    def test_access_log_path_changes_on_reload_and_one_that_cannot_be_opened_is_refused(self):
        first = os.path.join(self.dir, "first.log")
        waiter = self.wait_err(r"reloaded \(changed: ")
        replace(self.cfg, config(access_log=first))
        waiter()
        etag1, body1 = self.fetch()
        self.assertIn("proxy1.corp.example:3128", body1)
        self.assertEqual(len(wpad_lines(first, 1)), 1)

        # A new path that cannot be opened: the whole reload is refused (the new proxy is not
        # published either), the file and the reason are named, and the old log keeps logging.
        bad = os.path.join(self.dir, "no-such-dir", "access.log")
        waiter = self.wait_err(r"reload \(changed: .*\) failed; still serving generation 2")
        replace(self.cfg, config(proxy="proxy9.corp.example:8080", access_log=bad))
        waiter()
        self.server.wait_for_output(
            re.escape(f"{bad}: cannot open the access log: No such file or directory "
                      f"(server.access_log at {self.cfg}:4)"), stream="err")
        self.assertEqual(self.fetch(), (etag1, body1))
        self.assertEqual(len(wpad_lines(first, 2)), 2)
        self.assertFalse(os.path.exists(os.path.dirname(bad)))
        self.assertTrue(self.server.proc.poll() is None)

        # SIGHUP with the same bad path: refused again, nothing lost.
        waiter = self.wait_err(r"reload \(SIGHUP\) failed; still serving generation 2")
        os.kill(self.server.proc.pid, signal.SIGHUP)
        waiter()
        self.assertEqual(self.fetch()[0], etag1)

        # A path that opens: the new config and its log go live together; the old log stops.
        second = os.path.join(self.dir, "second.log")
        waiter = self.wait_err(r"reloaded \(changed: ")
        replace(self.cfg, config(proxy="proxy9.corp.example:8080", access_log=second))
        waiter()
        etag3, body3 = self.fetch()
        self.assertIn("proxy9.corp.example:8080", body3)
        lines = wpad_lines(second, 1)
        self.assertEqual(len(lines), 1)
        self.assertIn(f"version={etag3.strip(chr(34))}", lines[0])
        # The request above is already in the new log, so a line for it in the old one would be there too.
        self.assertEqual(len(wpad_lines(first, 4, timeout=0)), 3)
        _, _, metrics = http_get(self.server.url("/metrics"))
        self.assertIn(b'pacserver_reloads_total{result="failed"} 2', metrics)
        self.assertIn(b'pacserver_reloads_total{result="ok"} 2', metrics)

    def test_sighup_reloads_and_keeps_last_modified_of_unchanged_content(self):
        _, h1, _ = http_get(self.server.url())
        waiter = self.wait_err(r"reloaded \(SIGHUP\): generation 2")
        os.kill(self.server.proc.pid, signal.SIGHUP)
        waiter()
        _, h2, _ = http_get(self.server.url())
        self.assertEqual((h2["etag"], h2["last-modified"]), (h1["etag"], h1["last-modified"]))
        _, _, health = http_get(self.server.url("/healthz"))
        self.assertIn(b"generation=2", health)

    def test_reload_under_load_drops_no_request(self):
        failures, statuses, stop = [], [], threading.Event()

        def hammer():
            import http.client
            conn = None
            while not stop.is_set():
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
                    conn.request("GET", "/wpad.dat")
                    r = conn.getresponse()
                    r.read()
                    statuses.append(r.status)
                    if r.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                except Exception as e:  # any failure is what this test looks for
                    failures.append(repr(e))
                    conn = None

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for i in range(6):
                proxy = f"proxy{i}.corp.example:3128"
                write(self.cfg, config(proxy=proxy))
                if i % 2:
                    os.kill(self.server.proc.pid, signal.SIGHUP)
                for _ in range(500):
                    if proxy in self.fetch()[1]:
                        break
                    threading.Event().wait(0.02)
                self.assertIn(proxy, self.fetch()[1])
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(failures, [])
        self.assertGreater(len(statuses), 50)
        self.assertEqual(set(statuses), {200})
        self.assertIn("proxy5.corp.example:3128", self.fetch()[1])


class TemplateReloadTest(unittest.TestCase):
    """With server.templates_dir, editing a template reloads; a template that breaks is refused."""

    def test_template_edit_reloads_and_broken_template_is_refused(self):
        with temp_dir() as d:
            tdir = os.path.join(d, "templates")
            shutil.copytree(source("pac-templates"), tdir)
            cfg = write(os.path.join(d, "pacserver.toml"),
                        config().replace("[server]\n", '[server]\ntemplates_dir = "templates"\n', 1))
            with PacServer(["--config", cfg]) as server:
                etag1 = http_get(server.url())[1]["etag"]
                corporate = os.path.join(tdir, "corporate.pac.mustache")
                with open(corporate) as f:
                    text = f.read()
                start = len(server.err)
                write(corporate, text.replace("function FindProxyForURL(url, host) {",
                                              "// edited by the test\nfunction FindProxyForURL(url, host) {"))
                server.wait_for_output(r"reloaded \(changed: .*corporate\.pac\.mustache\)", stream="err",
                                       start=start)
                _, h, body = http_get(server.url())
                self.assertIn(b"// edited by the test", body)
                etag2 = h["etag"]
                self.assertNotEqual(etag2, etag1)
                start = len(server.err)
                write(corporate, text + "{{#unclosed}}\n")
                server.wait_for_output(r"reload \(changed: .*\) failed", stream="err", start=start)
                line = server.wait_for_output(r"corporate\.pac\.mustache does not parse", stream="err",
                                              start=start)
                self.assertRegex(line, r"pacserver\.toml:\d+: ")
                self.assertEqual(http_get(server.url())[1]["etag"], etag2)


if __name__ == "__main__":
    unittest.main()
