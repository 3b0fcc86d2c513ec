"""pactool proxy driven by a real PAC: routing by the script, reload when the file changes and on SIGHUP,
a PAC URL (and the policy while none is loaded), a script error as a 502 that says so, the access log,
/metrics on the admin listener, calls evaluated on the I/O threads unless they look a name up, and a graceful SIGTERM that lets a request in flight finish."""
import concurrent.futures
import functools
import http.server
import json
import os
import re
import signal
import threading
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest, closed_port, curl


def pac(body):
    return "function FindProxyForURL(url, host) {\n" + body + "\n}\n"


class PacFile(unittest.TestCase):
    def test_routes_by_script_and_reloads_on_change_and_sighup(self):
        dead = closed_port()
        with EchoOrigin() as origin, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "proxy.pac"), pac(
                'if (shExpMatch(url, "*/blocked/*")) return "PROXY 127.0.0.1:%d";\nreturn "DIRECT";' % dead))
            with ProxyUnderTest("--pac", path, "--offline") as proxy:
                ok = f"http://127.0.0.1:{origin.port}/open/x"
                self.assertEqual(curl("-x", proxy.url, ok)[0], 200)
                status, _, body = curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/blocked/x")
                self.assertEqual(status, 502)
                self.assertIn(f"PAC: PROXY 127.0.0.1:{dead}", body)
                # Changed on disk: picked up without a signal.
                v2 = pac('return "PROXY 127.0.0.1:%d";' % dead)
                lib.write(path, v2)
                self.assertTrue(lib.poll(lambda: curl("-x", proxy.url, ok)[0] == 502))
                # Same size and mtime: only SIGHUP reloads it. (That the once-a-second check leaves an
                # unchanged stat alone is proxy_pac_watch_test's: it can call the check itself.)
                # Written beside it, given the old mtime, then renamed over it: the change is atomic.
                st = os.stat(path)
                v3 = pac('return "DIRECT";').ljust(len(v2), " ")
                lib.write(path + ".new", v3)
                os.utime(path + ".new", ns=(st.st_atime_ns, st.st_mtime_ns))
                os.replace(path + ".new", path)
                mark = proxy.mark()
                proxy.proc.send_signal(signal.SIGHUP)
                proxy.wait_for(r"loaded PAC .*proxy\.pac", start=mark)
                self.assertEqual(curl("-x", proxy.url, ok)[0], 200)

    def test_a_broken_reload_keeps_the_last_good_pac(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "proxy.pac"), pac('return "DIRECT";'))
            with ProxyUnderTest("--pac", path, "--offline") as proxy:
                lib.write(path, "function FindProxyForURL(url, host) { return ")
                mark = proxy.mark()
                proxy.proc.send_signal(signal.SIGHUP)
                # The reload was attempted, failed, and said so; the old PAC still answers.
                proxy.wait_for(r"proxy\.pac.*\(keeping the previous PAC\)", start=mark)
                self.assertEqual(curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/")[0], 200)
                self.assertIsNone(proxy.proc.poll())

    def test_script_error_is_502_naming_it(self):
        with lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "proxy.pac"), pac('throw new Error("boom in pac");'))
            with ProxyUnderTest("--pac", path, "--offline") as proxy:
                status, _, body = curl("-x", proxy.url, "http://127.0.0.1:1/")
        self.assertEqual(status, 502)
        self.assertIn("PAC evaluation failed", body)
        self.assertIn("boom in pac", body)

    def test_unloadable_pac_file_exits_3(self):
        with lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "bad.pac"), "function (")
            p = lib.run([lib.binary("pactool"), "proxy", "--pac", path, "--listen", "127.0.0.1:0"])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("bad.pac", p.stderr)


class PacUrl(unittest.TestCase):
    def test_pac_from_url_and_no_pac_policies(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            lib.write(os.path.join(d, "proxy.pac"), pac('return "DIRECT";'))
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=d)
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                url = f"http://127.0.0.1:{server.server_address[1]}/proxy.pac"
                with ProxyUnderTest("--pac", url, "--offline") as proxy:
                    self.assertEqual(curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/")[0], 200)
            finally:
                server.shutdown()
                server.server_close()
            down = f"http://127.0.0.1:{closed_port()}/proxy.pac"
            with ProxyUnderTest("--pac", down, "--offline", "--no-pac", "refuse") as proxy:
                status, _, body = curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/")
                self.assertEqual(status, 503)
                self.assertIn("no PAC is loaded", body)
            with ProxyUnderTest("--pac", down, "--offline", "--no-pac", "direct") as proxy:
                self.assertEqual(curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/")[0], 200)


class Operations(unittest.TestCase):
    def test_access_log_json_and_metrics(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            log = os.path.join(d, "access.log")
            with ProxyUnderTest("--route", "DIRECT", "--access-log", log, "--log-format", "json",
                                "--admin", "127.0.0.1:0") as proxy:
                self.assertEqual(curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/logged")[0], 200)
                lines = lib.poll(lambda: os.path.exists(log) and open(log).read().splitlines())
                record = json.loads(lines[-1])
                self.assertEqual(record["url"], f"http://127.0.0.1:{origin.port}/logged")
                self.assertEqual((record["status"], record["hop"], record["pac"], record["attempts"]),
                                 (200, "DIRECT", "DIRECT", 1))
                self.assertGreater(record["bytes_out"], 0)
                status, _, body = curl(f"http://127.0.0.1:{proxy.admin_port}/metrics")
                self.assertEqual(status, 200)
                self.assertRegex(body, r"wpadkit_proxy_requests_total [1-9]")
                self.assertIn('wpadkit_proxy_responses_total{class="2xx"}', body)
                self.assertIn("wpadkit_proxy_pac_eval_seconds_count", body)
                self.assertEqual(curl(f"http://127.0.0.1:{proxy.admin_port}/nope")[0], 404)

    def test_calls_without_lookups_run_inline_and_lookups_on_the_pac_threads(self):
        dead = closed_port()
        script = pac('if (host == "named.test")\n'
                     '  return isInNet(dnsResolve(host), "127.0.0.0", "255.0.0.0") ? "DIRECT" : "PROXY 127.0.0.1:%d";\n'
                     'return "DIRECT";' % dead)

        def metric(body, name):
            m = re.search(r"^%s (\d+)" % name, body, re.M)
            return int(m.group(1)) if m else None

        with EchoOrigin() as origin, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "proxy.pac"), script)
            for flags, inline in ((), True), (("--no-inline-pac",), False):
                with ProxyUnderTest("--pac", path, "--offline", "--dns", "named.test=127.0.0.1",
                                    "--admin", "127.0.0.1:0", *flags) as proxy:
                    for _ in range(4):
                        self.assertEqual(curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/x")[0], 200)
                    # Needs a lookup: abandoned inline, resolved on the PAC threads (a wrong inline answer,
                    # dnsResolve without DNS, would route to the dead proxy: 502).
                    for _ in range(2):
                        self.assertEqual(curl("-x", proxy.url, f"http://named.test:{origin.port}/y")[0], 200)
                    body = curl(f"http://127.0.0.1:{proxy.admin_port}/metrics")[2]
                    evaluated = metric(body, "wpadkit_proxy_pac_inline_evaluations_total")
                    # All 4 unless a call was cut off at the 2 ms inline deadline by a descheduled thread
                    # (then the pool answered it); the lookups are never counted.
                    if inline:
                        self.assertTrue(1 <= evaluated <= 4, body)
                    else:
                        self.assertEqual(evaluated, 0, body)

    def test_sigterm_lets_the_request_in_flight_finish(self):
        with EchoOrigin() as origin:
            proxy = ProxyUnderTest("--route", "DIRECT")
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                slow = pool.submit(curl, "-x", proxy.url, f"http://127.0.0.1:{origin.port}/slow")
                self.assertTrue(lib.poll(lambda: len(origin.requests) == 1))
                proxy.proc.send_signal(signal.SIGTERM)
                self.assertEqual(slow.result()[0], 200)
            self.assertEqual(proxy.proc.wait(timeout=20), 0)
            proxy.stop()


if __name__ == "__main__":
    unittest.main()
