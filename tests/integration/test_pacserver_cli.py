"""pacserver's command line: --check (every example passes; failures name file:line or the case, with
distinct exit codes), a server refusing to start on a bad config, --print, snippets, the built-in
default configuration, a listen address that cannot be bound (exit 4) and an access log (server's or
bundled proxy's) that cannot be opened (exit 5)."""
import glob
import http.server
import os
import socket
import threading
import unittest

from wpadkit_testlib import PacServer, binary, free_port, http_get, run, source, temp_dir, write

# The built-in default binds 127.0.0.1:8080 and 127.0.0.1:3128, as do other tests of examples.
# ctest-resource-lock: port-3128
# ctest-resource-lock: port-8080


class EchoOrigin(http.server.BaseHTTPRequestHandler):
    """A local origin that answers with the request head it received."""

    def do_GET(self):
        body = (self.requestline + "\n" + str(self.headers)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

GOOD = """
[server]
listen = ["127.0.0.1:0"]
access_log = "off"

[[proxies]]
name = "main"
address = "proxy1.corp.example:3128"

[rulesets.default]
direct_domains = [".corp.example"]
default = ["main", "DIRECT"]

[[variants]]
name = "lab"
template = "sinkhole"
match_clients = ["10.20.0.0/16"]

[[variants]]
name = "default"
template = "corporate"

[[variants.cases]]
url = "http://www.example.com/"
expect = "PROXY proxy1.corp.example:3128; DIRECT"
"""


class PacServerCliTest(unittest.TestCase):
    def pacserver(self, *args):
        return run([binary("pacserver"), *args], timeout=60)

    def test_every_example_config_checks(self):
        examples = sorted(glob.glob(source("examples", "pacserver*.toml")))
        self.assertGreaterEqual(len(examples), 5)
        for path in examples:
            p = self.pacserver("--check", "--config", path)
            self.assertEqual(p.returncode, 0, f"{path}\n{p.stderr}")
            self.assertIn(": ok (", p.stdout)

    def test_check_failures_name_the_place(self):
        with temp_dir() as d:
            cases = [
                # (config text, exit code, expected text in stderr)
                (GOOD.replace('expect = "PROXY proxy1.corp.example:3128; DIRECT"', 'expect = "DIRECT"'),
                 3, r"bad\.toml:23: variants\.default\.cases\[0\]: http://www\.example\.com/ returns "
                    r"\"PROXY proxy1\.corp\.example:3128; DIRECT\", expected \"DIRECT\""),
                (GOOD.replace('default = ["main", "DIRECT"]', 'default = ["mian", "DIRECT"]'),
                 3, r"bad\.toml:12: rulesets\.default\.default\[0\]: \"mian\" is not a proxy"),
                (GOOD + "\n[server\n", 3, r"bad\.toml:27:8: Error while parsing table header"),
                (GOOD.replace("access_log", "acess_log"), 3, r"bad\.toml:4: unknown key \"server\.acess_log\""),
                (GOOD.replace('template = "corporate"', 'template = "load-balanced"'),
                 3, r"bad\.toml:19: variants\.default: template \"load-balanced\" needs rulesets\.default\.pool"),
            ]
            for text, code, pattern in cases:
                cfg = write(os.path.join(d, "bad.toml"), text)
                p = self.pacserver("--check", "--config", cfg)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertRegex(p.stderr, pattern)
                self.assertNotIn("terminate called", p.stderr)
            p = self.pacserver("--check", "--config", os.path.join(d, "missing.toml"))
            self.assertEqual(p.returncode, 5)
            self.assertIn("missing.toml: cannot read the config file", p.stderr)
            p = self.pacserver("--listen", "nowhere", "--check")
            self.assertEqual(p.returncode, 2)
            self.assertIn("--listen", p.stderr)

    def test_server_refuses_to_start_on_a_failing_render(self):
        with temp_dir() as d:
            cfg = write(os.path.join(d, "bad.toml"), GOOD.replace(
                'expect = "PROXY proxy1.corp.example:3128; DIRECT"', 'expect = "DIRECT"'))
            p = self.pacserver("--config", cfg)
            self.assertEqual(p.returncode, 3)
            self.assertIn("refusing to start", p.stderr)
            self.assertIn("bad.toml:23:", p.stderr)

    def test_print_shows_what_one_client_gets(self):
        with temp_dir() as d:
            cfg = write(os.path.join(d, "good.toml"), GOOD)
            p = self.pacserver("--print", "--config", cfg, "--client", "10.20.1.2")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("variant lab", p.stderr)
            self.assertIn('template "sinkhole"', p.stdout)
            p = self.pacserver("--print", "--config", cfg, "--client", "10.30.1.2", "--host", "wpad")
            self.assertIn("variant default", p.stderr)
            self.assertIn("PROXY proxy1.corp.example:3128; DIRECT", p.stdout)
            p = self.pacserver("--print", "--config", cfg, "--client", "not-an-ip")
            self.assertEqual(p.returncode, 2)

    def test_snippets_carry_the_configured_url(self):
        p = self.pacserver("snippets", "--config", source("examples", "pacserver.toml"))
        self.assertEqual(p.returncode, 0, p.stderr)
        url = "http://wpad.corp.example/wpad.dat"
        self.assertIn(f'dhcp-option=252,"{url}"', p.stdout)
        self.assertIn("host-record=wpad.corp.example,", p.stdout)
        self.assertIn("option wpad code 252 = text;", p.stdout)
        self.assertIn(f'option wpad "{url}\\n";', p.stdout)
        self.assertRegex(p.stdout, r"wpad\s+IN A\s+")
        self.assertIn(f'Set-DhcpServerv4OptionValue -OptionId 252 -Value "{url}"', p.stdout)
        self.assertIn("Set-DnsServerGlobalQueryBlockList -List isatap", p.stdout)

    def test_builtin_default_serves_the_bundled_proxy_pac(self):
        p = self.pacserver("--check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("<built-in>", p.stdout)
        proxy_port = free_port()
        with PacServer(["--listen", "127.0.0.1:0", "--proxy-listen", f"127.0.0.1:{proxy_port}"]) as s:
            self.assertIn("point your browser", "\n".join(s.out))
            self.assertIn(f"pacserver: bundled proxy listening on 127.0.0.1:{proxy_port}", s.out)
            status, h, body = http_get(s.url())
            self.assertEqual(status, 200)
            self.assertIn(f'"PROXY 127.0.0.1:{proxy_port}; DIRECT"', body.decode())
            status, _, _ = http_get(s.url(), source="127.0.0.5")
            self.assertEqual(status, 200)
            # The proxy the PAC names is running and forwards: the origin sees our Via entry.
            origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoOrigin)
            threading.Thread(target=origin.serve_forever, daemon=True).start()
            try:
                url = f"http://127.0.0.1:{origin.server_address[1]}/through-the-bundled-proxy"
                p = run(["curl", "-sS", "--noproxy", "", "-x", f"http://127.0.0.1:{proxy_port}", url])
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("GET /through-the-bundled-proxy HTTP/1.1", p.stdout)
                self.assertRegex(p.stdout, r"(?im)^via: 1\.1 \S+")
            finally:
                origin.shutdown()

    def test_bundled_proxy_that_cannot_listen_stops_pacserver(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            p = self.pacserver("--listen", "127.0.0.1:0", "--proxy-listen", f"127.0.0.1:{port}")
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn(f"bundled proxy on 127.0.0.1:{port}", p.stderr)

    def test_bundled_proxy_access_log_that_cannot_be_opened_exits_5(self):
        """Not "cannot listen" (4): the address is fine, a file the config names is not. The message
        names the file, why, and the [proxy] section that asked for it; nothing starts listening."""
        with temp_dir() as d:
            cfg = write(os.path.join(d, "pacserver.toml"), GOOD + """
[proxy]
listen = "127.0.0.1:0"
access_log = "no-such-dir/access.log"
""")
            # --check does not open the log (it must not create files): the config itself is valid.
            self.assertEqual(self.pacserver("--check", "--config", cfg).returncode, 0)
            p = self.pacserver("--config", cfg)
            self.assertEqual(p.returncode, 5, p.stderr)
            log = os.path.join(d, "no-such-dir", "access.log")
            self.assertIn(f"{log}: cannot open the access log: No such file or directory", p.stderr)
            self.assertIn(f"proxy.access_log of the [proxy] section at {cfg}:", p.stderr)
            self.assertNotIn("listening on", p.stdout)

    def test_server_access_log_that_cannot_be_opened_exits_5(self):
        """As for the bundled proxy's log: no fallback to stdout, exit 5, and a message naming the
        file, why, and the server.access_log entry that asked for it; nothing starts listening."""
        with temp_dir() as d:
            log = os.path.join(d, "no-such-dir", "access.log")
            cfg = write(os.path.join(d, "pacserver.toml"),
                        GOOD.replace('access_log = "off"', f'access_log = "{log}"'))
            # --check does not open the log (it must not create files): the config itself is valid.
            self.assertEqual(self.pacserver("--check", "--config", cfg).returncode, 0)
            p = self.pacserver("--config", cfg)
            self.assertEqual(p.returncode, 5, p.stderr)
            self.assertIn(f"pacserver: {log}: cannot open the access log: No such file or directory "
                          f"(server.access_log at {cfg}:4)", p.stderr)
            self.assertNotIn("stdout", p.stderr)
            self.assertNotIn("listening on", p.stdout)
            # A directory is not a file to append to either: the OS reason says so.
            cfg = write(cfg, GOOD.replace('access_log = "off"', f'access_log = "{d}"'))
            p = self.pacserver("--config", cfg)
            self.assertEqual(p.returncode, 5, p.stderr)
            self.assertIn(f"{d}: cannot open the access log: Is a directory", p.stderr)

    def test_no_arguments_listens_on_8080(self):
        with PacServer([]) as s:
            self.assertEqual(s.addresses, ["127.0.0.1:8080"])
            self.assertIn("http://127.0.0.1:8080/wpad.dat", "\n".join(s.out))
            status, _, body = http_get("http://127.0.0.1:8080/wpad.dat")
            self.assertEqual(status, 200)
            self.assertIn(b"PROXY 127.0.0.1:3128; DIRECT", body)
            self.assertIn("pacserver: bundled proxy listening on 127.0.0.1:3128", s.out)

    def test_busy_address_exits_4(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            p = self.pacserver("--listen", f"127.0.0.1:{port}")
            self.assertEqual(p.returncode, 4)
            self.assertIn(f"cannot listen on 127.0.0.1:{port}", p.stderr)


if __name__ == "__main__":
    unittest.main()
