"""Access-log rotation by rename + SIGHUP (logrotate's postrotate kill -HUP), and where relative log
paths go.

For pacserver's own log, its bundled proxy's log and pactool proxy's log: after the file is renamed
and SIGHUP sent, new lines land in a new file at the configured path and the renamed file holds the
earlier ones, none lost (also while requests run during the reopen). A reopen that fails (the log's
folder is gone, which bites as root too) keeps the program serving, says so on stderr naming the
file and the reason, and the lines keep going to the file open before. Relative access_log paths
are taken from the config file's folder, whatever the working directory.
"""
import http.client
import os
import re
import signal
import threading
import time
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin

PACSERVER_CONFIG = """
[server]
listen = ["127.0.0.1:0"]
access_log = "{server_log}"
watch = false

[proxy]
listen = "127.0.0.1:0"
access_log = "{proxy_log}"
threads = 1

[[proxies]]
name = "main"
address = "proxy1.corp.example:3128"

[rulesets.default]
default = ["main", "DIRECT"]

[[variants]]
name = "default"
template = "corporate"
"""


def lines_of(path, needle):
    """The lines of `path` containing `needle` ([] when there is no such file)."""
    try:
        with open(path, encoding="utf-8") as f:
            return [l for l in f if needle in l]
    except FileNotFoundError:
        return []


def wait_lines(path, needle, count, timeout=60.0):
    """`path`'s lines containing `needle`, once there are `count` (a line is written just after
    the response, so it can trail the client by a moment); fewer after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        lines = lines_of(path, needle)
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def proxy_get(port, url):
    """GET `url` through the proxy on 127.0.0.1:port; returns the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", url)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def bundled_proxy_port(server):
    line = server.wait_for_output(r"bundled proxy listening on 127\.0\.0\.1:\d+")
    return int(line.rsplit(":", 1)[1])


class WithOriginAndLogDir(unittest.TestCase):
    """An echo origin and a temp dir with an empty logs/ folder, for each test."""

    def setUp(self):
        self.origin = EchoOrigin().__enter__()
        self.addCleanup(self.origin.__exit__)
        dir_cm = lib.temp_dir()
        self.dir = dir_cm.__enter__()
        self.addCleanup(dir_cm.__exit__, None, None, None)
        self.logs = os.path.join(self.dir, "logs")
        os.makedirs(self.logs)


class PacserverLogRotation(WithOriginAndLogDir):
    def setUp(self):
        super().setUp()
        self.cfg = lib.write(os.path.join(self.dir, "pacserver.toml"), PACSERVER_CONFIG.format(
            server_log="logs/server.log", proxy_log="logs/proxy.log"))
        # Started from another folder: the relative paths must be taken from the config's.
        self.cwd = os.path.join(self.dir, "elsewhere")
        os.makedirs(self.cwd)
        self.server = lib.PacServer(["--config", self.cfg], cwd=self.cwd)
        self.addCleanup(self.server.stop)
        self.proxy_port = bundled_proxy_port(self.server)

    def fetch(self, path="/wpad.dat"):
        status, _, _ = lib.http_get(self.server.url(path))
        self.assertEqual(status, 200)

    def through_proxy(self, tag):
        self.assertEqual(proxy_get(self.proxy_port, f"http://127.0.0.1:{self.origin.port}/{tag}"), 200)

    def sighup(self):
        """Sends SIGHUP and waits until it was handled (the logs are reopened before the reload
        that prints this line). Returns the index of pacserver's first stderr line after it."""
        start = len(self.server.err)
        os.kill(self.server.proc.pid, signal.SIGHUP)
        self.server.wait_for_output(r"reloaded \(SIGHUP\)", stream="err", start=start)
        return start

    def test_sighup_after_a_rename_reopens_both_logs_and_loses_no_line(self):
        server_log = os.path.join(self.logs, "server.log")
        proxy_log = os.path.join(self.logs, "proxy.log")
        for _ in range(2):
            self.fetch()
        self.through_proxy("before-1")
        self.through_proxy("before-2")
        self.assertEqual(len(wait_lines(server_log, 'path="/wpad.dat"', 2)), 2)
        self.assertEqual(len(wait_lines(proxy_log, "/before-", 2)), 2)

        # Requests keep coming while the logs are renamed and reopened.
        served, failures, stop = [], [], threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    status, _, _ = lib.http_get(self.server.url("/proxy.pac"))
                    served.append(status)
                except Exception as e:  # any failure is what this test looks for
                    failures.append(repr(e))

        t = threading.Thread(target=hammer)
        t.start()
        try:
            wait_lines(server_log, 'path="/proxy.pac"', 20)
            os.rename(server_log, server_log + ".1")
            os.rename(proxy_log, proxy_log + ".1")
            wait_lines(server_log + ".1", 'path="/proxy.pac"', len(served) + 20)
            start = self.sighup()
            wait_lines(server_log, 'path="/proxy.pac"', 20)
        finally:
            stop.set()
            t.join()
        self.assertEqual(failures, [])
        self.assertTrue(served and set(served) == {200}, served[:5])
        for _ in range(3):
            self.fetch()
        for i in range(3):
            self.through_proxy(f"after-{i}")

        # New lines in new files at the configured paths; the renamed files keep the earlier ones.
        self.assertEqual(len(wait_lines(server_log, 'path="/wpad.dat"', 3)), 3)
        self.assertEqual(len(lines_of(server_log + ".1", 'path="/wpad.dat"')), 2)
        self.assertEqual(len(wait_lines(proxy_log, "/after-", 3)), 3)
        self.assertEqual(len(lines_of(proxy_log, "/before-")), 0)
        self.assertEqual(len(lines_of(proxy_log + ".1", "/before-")), 2)
        self.assertEqual(len(lines_of(proxy_log + ".1", "/after-")), 0)
        # Every request served during the reopen has its line, whole, in one of the two files.
        pac = 'path="/proxy.pac"'
        wait_lines(server_log, pac, len(served) - len(lines_of(server_log + ".1", pac)))
        old, new = lines_of(server_log + ".1", pac), lines_of(server_log, pac)
        self.assertGreater(len(old), 0)
        self.assertGreater(len(new), 0)
        self.assertEqual(len(old) + len(new), len(served))
        for line in old + new:
            self.assertRegex(line, r"^\S+Z client=127\.0\.0\.1 .* status=200 bytes=\d+ ua=\"[^\"]*\"\n$")
        self.assertFalse([l for l in self.server.err[start:] if "cannot reopen" in l])

    def test_a_reopen_that_fails_keeps_serving_and_says_why(self):
        server_log = os.path.join(self.logs, "server.log")
        proxy_log = os.path.join(self.logs, "proxy.log")
        self.fetch()
        self.through_proxy("first")
        self.assertEqual(len(wait_lines(server_log, 'path="/wpad.dat"', 1)), 1)
        # The folder is gone (permissions would not stop root): the reopen cannot create the file.
        moved = self.logs + ".old"
        os.rename(self.logs, moved)
        start = self.sighup()
        err = "\n".join(self.server.err[start:])
        self.assertIn(f"pacserver: SIGHUP: {server_log}: cannot reopen the access log: No such file or "
                      f"directory (server.access_log at {self.cfg}:4); still writing to the file open "
                      "before", err)
        self.assertRegex(err, re.escape(f"pacserver: SIGHUP: {proxy_log}: cannot reopen the access log: No "
                                        "such file or directory (proxy.access_log of the [proxy] section at ")
                         + r".*; still writing to the file open before")
        # Still serving, still logging, to the files open before.
        self.fetch()
        self.through_proxy("second")
        self.assertEqual(len(wait_lines(os.path.join(moved, "server.log"), 'path="/wpad.dat"', 2)), 2)
        self.assertEqual(len(wait_lines(os.path.join(moved, "proxy.log"), "/second", 1)), 1)
        self.assertFalse(os.path.exists(self.logs))

        # Once the folder is back, the next SIGHUP reopens at the configured paths.
        os.makedirs(self.logs)
        start = self.sighup()
        self.fetch()
        self.through_proxy("third")
        self.assertEqual(len(wait_lines(server_log, 'path="/wpad.dat"', 1)), 1)
        self.assertEqual(len(wait_lines(proxy_log, "/third", 1)), 1)
        self.assertFalse([l for l in self.server.err[start:] if "cannot reopen" in l])


class PacserverRelativeLogPaths(unittest.TestCase):
    def test_relative_access_logs_are_next_to_the_config_file(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            conf_dir, cwd = os.path.join(d, "etc"), os.path.join(d, "cwd")
            os.makedirs(conf_dir)
            os.makedirs(cwd)
            cfg = lib.write(os.path.join(conf_dir, "pacserver.toml"),
                            PACSERVER_CONFIG.format(server_log="x.log", proxy_log="p.log"))
            server = lib.PacServer(["--config", cfg], cwd=cwd)
            try:
                status, _, _ = lib.http_get(server.url())
                self.assertEqual(status, 200)
                port = bundled_proxy_port(server)
                self.assertEqual(proxy_get(port, f"http://127.0.0.1:{origin.port}/relative"), 200)
                self.assertEqual(len(wait_lines(os.path.join(conf_dir, "x.log"), 'path="/wpad.dat"', 1)), 1)
                self.assertEqual(len(wait_lines(os.path.join(conf_dir, "p.log"), "/relative", 1)), 1)
            finally:
                server.stop()
            self.assertEqual(os.listdir(cwd), [])


class PactoolProxyLogRotation(WithOriginAndLogDir):
    """`pactool proxy --route DIRECT --access-log FILE`; its stderr goes to a file the test reads."""

    def setUp(self):
        super().setUp()
        self.log = os.path.join(self.logs, "access.log")
        self.err_path = os.path.join(self.dir, "stderr.txt")
        self.err_file = open(self.err_path, "w")
        self.addCleanup(self.err_file.close)
        self.bg = lib.Background([lib.binary("pactool"), "proxy", "--route", "DIRECT", "--listen",
                                  "127.0.0.1:0", "--threads", "1", "--access-log", self.log],
                                 stderr=self.err_file)
        self.addCleanup(self.bg.stop)
        m = self.bg.wait_for(r"^listening on 127\.0\.0\.1:(\d+) ")
        self.port = int(m.group(1))

    def get(self, tag):
        self.assertEqual(proxy_get(self.port, f"http://127.0.0.1:{self.origin.port}/{tag}"), 200)

    def stderr(self):
        with open(self.err_path, encoding="utf-8") as f:
            return f.read()

    def test_sighup_after_a_rename_reopens_the_log(self):
        self.get("before-1")
        self.get("before-2")
        self.assertEqual(len(wait_lines(self.log, "/before-", 2)), 2)
        os.rename(self.log, self.log + ".1")
        os.kill(self.bg.proc.pid, signal.SIGHUP)
        # Nothing is printed for a reopen that works: requests go on until one lands in the new
        # file; each one's line is in exactly one of the two files.
        deadline = time.monotonic() + 120
        sent = 0
        while not lines_of(self.log, "/during-") and time.monotonic() < deadline:
            self.get(f"during-{sent}")
            sent += 1
            wait_lines(self.log + ".1", "/during-", sent, timeout=0.5)
        self.assertGreater(len(lines_of(self.log, "/during-")), 0)
        self.get("after")
        self.assertEqual(len(wait_lines(self.log, "/after", 1)), 1)
        self.assertEqual(len(lines_of(self.log + ".1", "/before-")), 2)
        self.assertEqual(len(lines_of(self.log, "/before-")), 0)
        self.assertEqual(len(lines_of(self.log + ".1", "/after")), 0)
        self.assertEqual(len(lines_of(self.log, "/during-")) + len(lines_of(self.log + ".1", "/during-")), sent)
        self.assertNotIn("cannot reopen", self.stderr())
        self.assertIsNone(self.bg.proc.poll())

    def test_a_reopen_that_fails_keeps_serving_and_says_why(self):
        self.get("first")
        self.assertEqual(len(wait_lines(self.log, "/first", 1)), 1)
        moved = self.logs + ".old"
        os.rename(self.logs, moved)
        os.kill(self.bg.proc.pid, signal.SIGHUP)
        expected = (f"pactool: error: {self.log}: cannot reopen the access log: No such file or "
                    "directory; still writing to the file open before")
        deadline = time.monotonic() + 60
        while expected not in self.stderr() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertIn(expected, self.stderr())
        self.get("second")
        self.assertEqual(len(wait_lines(os.path.join(moved, "access.log"), "/second", 1)), 1)
        self.assertIsNone(self.bg.proc.poll())
        self.assertFalse(os.path.exists(self.logs))


if __name__ == "__main__":
    unittest.main()
