"""`pactool proxy --config FILE` and pacserver's [proxy] section: the same TOML keys, read by one reader.

End to end: the proxy is started from a settings file (from another working directory, so relative
paths must be taken against the file), curl goes through it to an EchoOrigin, and the origin's copy
of the request and the proxy's answers show that the file's settings hold (Via name, CONNECT ports,
access log, PAC source); flags override the file; a bad file is refused with exit 3 and file:line and
the key in the message; pacserver's bundled proxy takes the same keys.
"""
import json
import os
import re
import shutil
import signal
import tempfile
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, Squid, curl, raw_exchange

DIRECT_PAC = 'function FindProxyForURL(url, host) { return "DIRECT"; }\n'


class StartedProxy:
    """`pactool proxy ARGS` with cwd=/, ready once it printed "listening on ADDR:PORT (via NAME)"."""

    def __init__(self, *args):
        self.bg = lib.Background([lib.binary("pactool"), "proxy", *args], cwd="/")
        try:
            m = self.bg.wait_for(r"^listening on 127\.0\.0\.1:(\d+) \(via (\S+)\)")
        except BaseException:
            self.bg.stop()
            raise
        self.port, self.via = int(m.group(1)), m.group(2)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bg.stop()


def connect_status(port, target):
    out = raw_exchange(port, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode(), responses=1)
    return int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/") else out


class PactoolProxyConfig(unittest.TestCase):
    def setUp(self):
        self.origin = EchoOrigin().__enter__()
        self.addCleanup(self.origin.__exit__)
        self.dir = tempfile.mkdtemp(prefix="wpadkit-proxy-config-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        os.makedirs(os.path.join(self.dir, "logs"))
        lib.write(os.path.join(self.dir, "routes.pac"), DIRECT_PAC)
        self.config = lib.write(os.path.join(self.dir, "proxy.toml"), f"""# settings under test
[proxy]
listen = "127.0.0.1:0"
via = "cfg-file-proxy"
connect_ports = [{self.origin.port}]
threads = 1
access_log = "logs/access.log"
log_format = "json"

[pac]
source = "routes.pac"
no_pac = "refuse"
""")

    def test_file_settings_are_honoured(self):
        o = f"127.0.0.1:{self.origin.port}"
        with StartedProxy("--config", self.config) as proxy:
            self.assertEqual(proxy.via, "cfg-file-proxy")
            status, head, body = curl("-x", proxy.url, f"http://{o}/from-file")
            self.assertEqual(status, 200, body)
            # The origin saw our Via name from the file, and the relative PAC path was found.
            self.assertIn("GET /from-file HTTP/1.1", body)
            self.assertRegex(body, r"(?i)via: 1\.1 cfg-file-proxy")
            # connect_ports from the file replaced the default 443 563.
            self.assertEqual(connect_status(proxy.port, o), 200)
            self.assertEqual(connect_status(proxy.port, "127.0.0.1:443"), 403)
        # The access log went to logs/access.log beside the file, in JSON.
        with open(os.path.join(self.dir, "logs", "access.log"), encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        self.assertTrue(any("/from-file" in json.dumps(r) for r in records), records)

    def test_allowed_clients_from_the_file(self):
        o = f"127.0.0.1:{self.origin.port}"
        with open(self.config, encoding="utf-8") as f:
            text = f.read().replace("threads = 1", 'threads = 1\nallowed_clients = ["127.0.0.9/32"]')
        lib.write(self.config, text)
        with StartedProxy("--config", self.config) as proxy:
            status, _, body = curl("-x", proxy.url, f"http://{o}/from-127.0.0.1")
            self.assertEqual(status, 403, body)
            status, _, body = curl("--interface", "127.0.0.9", "-x", proxy.url, f"http://{o}/from-127.0.0.9")
            self.assertEqual(status, 200, body)
        # --allow replaces the file's list.
        with StartedProxy("--config", self.config, "--allow", "127.0.0.1/32") as proxy:
            self.assertEqual(curl("-x", proxy.url, f"http://{o}/allowed-by-flag")[0], 200)
            status, _, body = curl("--interface", "127.0.0.9", "-x", proxy.url, f"http://{o}/not-any-more")
            self.assertEqual(status, 403, body)

    def test_flags_override_the_file(self):
        o = f"127.0.0.1:{self.origin.port}"
        with StartedProxy("--config", self.config, "--via", "flag-proxy", "--connect-port", "443",
                          "--route", "DIRECT") as proxy:
            self.assertEqual(proxy.via, "flag-proxy")
            status, _, body = curl("-x", proxy.url, f"http://{o}/from-flags")
            self.assertEqual(status, 200, body)
            self.assertRegex(body, r"(?i)via: 1\.1 flag-proxy")
            self.assertNotIn("cfg-file-proxy", body)
            # --connect-port replaced the file's list.
            self.assertEqual(connect_status(proxy.port, o), 403)

    def test_bad_files_exit_3_naming_file_line_and_key(self):
        cases = [
            ("[proxy]\nlisten = \"127.0.0.1:0\"\nlisen = \"x\"\n", 3, 'unknown key "proxy.lisen"'),
            ("[proxy]\nvia = \"two words\"\n", 2, "proxy.via"),
            ("[proxy]\nconnect_ports = [443, 70000]\n", 2, "proxy.connect_ports[1]: must be between 1 and 65535"),
            ("[pac]\nsource = \"a.pac\"\n\nno_pac = \"sometimes\"\n", 4, "pac.no_pac"),
            ("[pac]\nsource = \"a.pac\"\n[dns]\nhosts = { \"x.test\" = \"nope\" }\n", 4, "dns.hosts.x.test"),
            ("[proxy\nlisten = 1\n", 1, ""),
            ("[proxy]\nbody_limit = -1\n", 2, "proxy.body_limit: -1 is out of range: must be between 0 bytes and 1 PiB"),
            ("[proxy]\n\nrelay_buffer = 100\n", 3,
             "proxy.relay_buffer: 100 is out of range: must be between 512 bytes and 16 MiB"),
        ]
        for text, line, words in cases:
            path = lib.write(os.path.join(self.dir, "bad.toml"), text)
            p = lib.run([lib.binary("pactool"), "proxy", "--config", path], timeout=20)
            self.assertEqual(p.returncode, 3, (text, p.stderr))
            self.assertIn(f"{path}:{line}:", p.stderr, text)
            self.assertIn(words, p.stderr, text)
            self.assertEqual(p.stdout, "", "nothing may listen with a bad file")

    def test_missing_file_and_missing_source(self):
        p = lib.run([lib.binary("pactool"), "proxy", "--config", os.path.join(self.dir, "none.toml")])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("none.toml", p.stderr)
        empty = lib.write(os.path.join(self.dir, "empty.toml"), "[proxy]\nlisten = \"127.0.0.1:0\"\n")
        p = lib.run([lib.binary("pactool"), "proxy", "--config", empty])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("give exactly one of --pac", p.stderr)
        # A bad flag value over a good file is a usage error naming the flag.
        p = lib.run([lib.binary("pactool"), "proxy", "--config", self.config, "--listen", "nowhere:1"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--listen", p.stderr)


def post(port, path, size):
    """A raw POST of `size` bytes (Connection: close): returns (status, the whole answer)."""
    head = (f"POST {path} HTTP/1.1\r\nHost: {path.split('/')[2]}\r\nContent-Length: {size}\r\n"
            "Connection: close\r\n\r\n").encode()
    out = raw_exchange(port, head + b"y" * size)
    return (int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/") else out), out


def bundled_proxy_port(server):
    """The port pacserver's bundled proxy says it listens on."""
    line = server.wait_for_output(r"bundled proxy listening on 127\.0\.0\.1:\d+")
    return int(line.rsplit(":", 1)[1])


class SizeSettings(unittest.TestCase):
    """body_limit and relay_buffer from the file: a request body over the limit gets 413 before the
    origin sees anything (the proxy's answer to Beast's body_limit error, forward/error_response.cpp);
    a body at the limit and a response far larger than the relay buffer pass intact."""

    def test_body_limit_and_relay_buffer(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            o = f"127.0.0.1:{origin.port}"
            config = lib.write(os.path.join(d, "sizes.toml"), """[proxy]
listen = "127.0.0.1:0"
body_limit = 4096
relay_buffer = 512

[pac]
route = "DIRECT"
""")
            with StartedProxy("--config", config) as proxy:
                status, out = post(proxy.port, f"http://{o}/at-the-limit", 4096)
                self.assertEqual(status, 200, out[:300])
                self.assertIn(b"body-length: 4096", out)
                seen = len(origin.requests)
                status, out = post(proxy.port, f"http://{o}/over-the-limit", 4097)
                self.assertEqual(status, 413, out[:300])
                self.assertIn(b"the request body is larger than the limit", out)
                self.assertEqual(len(origin.requests), seen, "the origin must not see it")
                # Chunked, the size is known only while relaying (the head already went upstream):
                # still 413, and the connection is closed since the body was not read to its end.
                chunk = b"y" * 3000
                head = (f"POST http://{o}/chunked-over HTTP/1.1\r\nHost: {o}\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n").encode()
                body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
                out = raw_exchange(proxy.port, head + body)
                self.assertTrue(out.startswith(b"HTTP/1.1 413 "), out[:300])
                self.assertIn(b"the request body is larger than the limit", out)
                # 200,000 bytes through 512-byte relay buffers arrive whole.
                status, _, body = curl("-x", proxy.url, f"http://{o}/big?n=200000")
                self.assertEqual(status, 200)
                self.assertEqual(body, "x" * 200000)

    def test_pacserver_bundled_proxy_takes_body_limit(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            o = f"127.0.0.1:{origin.port}"
            config = lib.write(os.path.join(d, "pacserver.toml"), """
[server]
listen = ["127.0.0.1:0"]

[proxy]
listen = "127.0.0.1:0"
body_limit = 0
relay_buffer = 1024

[[variants]]
name = "all"
template = "bundled-proxy"
""")
            with lib.PacServer(["--config", config]) as s:
                port = bundled_proxy_port(s)
                # body_limit 0: a proxy for browsing only, every request body is refused.
                status, out = post(port, f"http://{o}/upload", 1)
                self.assertEqual(status, 413, out[:300])
                status, _, body = curl("-x", f"http://127.0.0.1:{port}", f"http://{o}/browse")
                self.assertEqual(status, 200, body)


class AuthSettings(unittest.TestCase):
    """users_file / realm / upstream_auth reach the proxy only when every secret can be read; a bad
    one stops it with exit 3, naming the users file's line or the variable, and where it was given."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="wpadkit-proxy-auth-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        users = lib.run(["htpasswd", "-nbB", "-C", "5", "alice", "s3cret"], check=0).stdout
        lib.write(os.path.join(self.dir, "users"), users.strip() + "\n")
        lib.write(os.path.join(self.dir, "squid.password"), "from-file\n")

    def config(self, extra=""):
        return lib.write(os.path.join(self.dir, "auth.toml"), f"""[proxy]
listen = "127.0.0.1:0"
users_file = "users"
realm = "corp proxy"
upstream_auth = [
  {{ proxy = "squid.corp.test:3128", user = "svc", password_file = "squid.password" }},
  {{ proxy = "10.0.0.9:8080", user = "svc", password_env = "WPADKIT_TEST_PARENT_PW" }},
]
{extra}
[pac]
route = "DIRECT"
""")

    def test_readable_secrets_start_the_proxy(self):
        env = dict(os.environ, WPADKIT_TEST_PARENT_PW="from-env")
        bg = lib.Background([lib.binary("pactool"), "proxy", "--config", self.config()], env=env)
        self.addCleanup(bg.stop)
        bg.wait_for(r"^listening on 127\.0\.0\.1:\d+")

    def test_file_auth_settings_end_to_end(self):
        """users_file and realm from the file: 407 naming the realm, 200 with a user's password; an
        upstream_auth entry whose password is in a file gets us through a Squid that requires it."""
        with EchoOrigin() as origin, Squid(self.dir, basic_users={"svc": "from-file"}) as squid:
            o = f"127.0.0.1:{origin.port}"
            config = lib.write(os.path.join(self.dir, "e2e.toml"), f"""[proxy]
listen = "127.0.0.1:0"
users_file = "users"
realm = "corp proxy"
upstream_auth = [{{ proxy = "127.0.0.1:{squid.port}", user = "svc", password_file = "squid.password" }}]

[pac]
route = "PROXY 127.0.0.1:{squid.port}"
""")
            with StartedProxy("--config", config) as proxy:
                status, head, _ = curl("-x", proxy.url, f"http://{o}/no-credentials")
                self.assertEqual(status, 407, head)
                self.assertIn('Proxy-Authenticate: Basic realm="corp proxy"', head)
                status, head, body = curl("-x", proxy.url, "-U", "alice:wrong", f"http://{o}/wrong")
                self.assertEqual(status, 407, head)
                status, _, body = curl("-x", proxy.url, "-U", "alice:s3cret", f"http://{o}/through-squid")
                self.assertEqual(status, 200, body)
                self.assertIn("GET /through-squid HTTP/1.1", body)
                # Squid let us through: it saw our svc credentials, not alice's.
                self.assertRegex(body, r"(?i)via: .*test-squid")
                self.assertNotIn("Proxy-Authorization", body)

    def test_unset_variable_and_bad_users_file_exit_3(self):
        config = self.config()
        env = {k: v for k, v in os.environ.items() if k != "WPADKIT_TEST_PARENT_PW"}
        p = lib.run([lib.binary("pactool"), "proxy", "--config", config], env=env)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(f"WPADKIT_TEST_PARENT_PW (given at {config}:7) is not set", p.stderr)
        self.assertEqual(p.stdout, "")

        lib.write(os.path.join(self.dir, "users"), "alice:$apr1$abc$def\n")
        p = lib.run([lib.binary("pactool"), "proxy", "--config", config],
                    env=dict(env, WPADKIT_TEST_PARENT_PW="x"))
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(os.path.join(self.dir, "users") + ":1:", p.stderr)
        self.assertIn(f"(users file given at {config}:3)", p.stderr)

        # The same through flags: --users replaces users_file, and its origin is the flag.
        p = lib.run([lib.binary("pactool"), "proxy", "--route", "DIRECT", "--listen", "127.0.0.1:0",
                     "--users", os.path.join(self.dir, "users")])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("(users file given at --users)", p.stderr)
        p = lib.run([lib.binary("pactool"), "proxy", "--route", "DIRECT", "--listen", "127.0.0.1:0",
                     "--upstream-auth-file", "p.corp:3128=svc:" + os.path.join(self.dir, "nope")])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("given at --upstream-auth-file", p.stderr)
        p = lib.run([lib.binary("pactool"), "proxy", "--route", "DIRECT", "--upstream-auth", "p.corp:3128"])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("expected HOST:PORT=USER:PASSWORD", p.stderr)

    def test_pacserver_checks_the_same_secrets(self):
        config = lib.write(os.path.join(self.dir, "pacserver.toml"), """
[proxy]
listen = "127.0.0.1:0"
upstream_auth = [{ proxy = "p.corp:3128", user = "svc", password_env = "WPADKIT_TEST_UNSET_PW" }]

[[variants]]
name = "all"
template = "bundled-proxy"
""")
        env = {k: v for k, v in os.environ.items() if k != "WPADKIT_TEST_UNSET_PW"}
        p = lib.run([lib.binary("pacserver"), "--check", "--config", config], env=env)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(f"WPADKIT_TEST_UNSET_PW (given at {config}:4) is not set", p.stderr)


class PacserverProxySection(unittest.TestCase):
    def test_bundled_proxy_takes_the_same_keys(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            o = f"127.0.0.1:{origin.port}"
            config = lib.write(os.path.join(d, "pacserver.toml"), f"""
[server]
listen = ["127.0.0.1:0"]

[proxy]
listen = "127.0.0.1:0"
via = "pacserver-gw"
allowed_clients = ["127.0.0.0/8"]
connect_ports = [{origin.port}]
access_log = "bundled-access.log"

[[variants]]
name = "all"
template = "bundled-proxy"
""")
            with lib.PacServer(["--config", config]) as s:
                port = bundled_proxy_port(s)
                status, _, body = curl("-x", f"http://127.0.0.1:{port}", f"http://{o}/bundled")
                self.assertEqual(status, 200, body)
                self.assertRegex(body, r"(?i)via: 1\.1 pacserver-gw")
                self.assertEqual(connect_status(port, o), 200)
                self.assertEqual(connect_status(port, "127.0.0.1:443"), 403)
            with open(os.path.join(d, "bundled-access.log"), encoding="utf-8") as f:
                self.assertIn("/bundled", f.read())

    def test_a_bad_proxy_section_on_reload_keeps_everything_serving(self):
        with EchoOrigin() as origin, lib.temp_dir() as d:
            good = """
[server]
listen = ["127.0.0.1:0"]
watch = false

[proxy]
listen = "127.0.0.1:0"
via = "before-reload"

[[variants]]
name = "all"
template = "bundled-proxy"
"""
            config = lib.write(os.path.join(d, "pacserver.toml"), good)
            with lib.PacServer(["--config", config]) as s:
                port = bundled_proxy_port(s)
                lib.write(config, good.replace('via = "before-reload"', 'via = "before-reload"\nvai = "typo"'))
                mark = len(s.err)
                s.proc.send_signal(signal.SIGHUP)
                s.wait_for_output(r"reload \(SIGHUP\) failed", stream="err", start=mark)
                s.wait_for_output(re.escape(f"{config}:9:") + r".*unknown key \"proxy\.vai\"", stream="err",
                                  start=mark)
                # The PAC and the bundled proxy keep serving.
                status, _, _ = lib.http_get(s.url())
                self.assertEqual(status, 200)
                status, _, body = curl("-x", f"http://127.0.0.1:{port}", f"http://127.0.0.1:{origin.port}/after")
                self.assertEqual(status, 200, body)
                self.assertRegex(body, r"(?i)via: 1\.1 before-reload")

    def test_bad_proxy_key_is_refused_with_file_line(self):
        with lib.temp_dir() as d:
            config = lib.write(os.path.join(d, "pacserver.toml"), """
[proxy]
listen = "127.0.0.1:0"
upstream_timeout_ms = -5

[[variants]]
name = "all"
template = "bundled-proxy"
""")
            p = lib.run([lib.binary("pacserver"), "--check", "--config", config])
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertIn(f"{config}:4:", p.stderr)
            self.assertIn("proxy.upstream_timeout_ms", p.stderr)
            # A PAC source key is pactool's, not pacserver's.
            lib.write(config, "[proxy]\npac = \"auto\"\n\n[[variants]]\nname = \"all\"\ntemplate = \"bundled-proxy\"\n")
            p = lib.run([lib.binary("pacserver"), "--check", "--config", config])
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertIn('unknown key "proxy.pac"', p.stderr)


if __name__ == "__main__":
    unittest.main()
