"""Proxy authentication (RFC 9110 §11.7), both directions, with curl as the client:
- our own users (`pactool proxy --users FILE --realm R`, hashes made by `htpasswd -B` and `openssl passwd -6`):
  407 + Proxy-Authenticate without or with wrong credentials, 200 with right ones, the consumed
  Proxy-Authorization never reaching the origin (which echoes the head it received), CONNECT included,
  keep-alive kept across a 407, the user in the access log, the 407s counted on /metrics;
- a real Squid parent requiring Basic auth: reached with `--upstream-auth HOST:PORT=USER:PASSWORD`,
  its 407 passed back to the client without it (for CONNECT too, with its challenge), and the
  client's own credentials relayed to it when our authentication is off."""
import concurrent.futures
import json
import os
import socket
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest, Squid, TlsOrigin, curl, raw_exchange


def read_response(sock, buf=b""):
    """One response with Content-Length from a keep-alive socket: (head, body, rest)."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError(f"closed before a full head: {buf!r}")
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed before the full body")
        rest += data
    return head.decode("latin-1"), rest[:length].decode("latin-1"), rest[length:]


class ClientAuthentication(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = cls.enterClassContext(lib.temp_dir())
        users = os.path.join(cls.tmp, "users")
        lib.run(["htpasswd", "-cbB", "-C", "5", users, "alice", "s3cret:with:colons"], check=0)
        sha = lib.run(["openssl", "passwd", "-6", "hunter2"], check=0).stdout.strip()
        with open(users, "a") as f:
            f.write(f"# SHA-512 crypt, as openssl passwd -6 writes it\nbob:{sha}\n")
        cls.log = os.path.join(cls.tmp, "access.log")
        cls.origin = cls.enterClassContext(EchoOrigin())
        cls.tls = cls.enterClassContext(TlsOrigin(cls.tmp))
        cls.proxy = cls.enterClassContext(ProxyUnderTest(
            "--route", "DIRECT", "--users", users, "--realm", "wpadkit test", "--connect-port", str(cls.tls.port),
            "--access-log", cls.log, "--log-format", "json", "--admin", "127.0.0.1:0"))

    def url(self, path):
        return f"http://127.0.0.1:{self.origin.port}{path}"

    def origin_saw(self, path):
        return [head.decode("latin-1") for head, _ in self.origin.requests if f" {path} " in head.decode("latin-1")]

    def test_no_credentials_is_407_with_the_challenge(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/anonymous"))
        self.assertEqual(status, 407, body)
        self.assertIn('\r\nProxy-Authenticate: Basic realm="wpadkit test"', head)
        self.assertIn("no Proxy-Authorization", body)
        self.assertEqual(self.origin_saw("/anonymous"), [])

    def test_wrong_password_and_unknown_user_get_the_same_407(self):
        for user in ("alice:wrong", "alice:s3cret", "mallory:s3cret:with:colons", "bob:hunter"):
            status, head, body = curl("-x", self.proxy.url, "--proxy-user", user, self.url("/wrong"))
            self.assertEqual(status, 407, user)
            self.assertIn('Proxy-Authenticate: Basic realm="wpadkit test"', head)
            self.assertIn("credentials rejected", body)
            self.assertNotIn("password", body.lower())
        self.assertEqual(self.origin_saw("/wrong"), [])

    def test_right_credentials_pass_and_are_not_forwarded(self):
        for user, path in (("alice:s3cret:with:colons", "/alice"), ("bob:hunter2", "/bob")):
            status, _, body = curl("-x", self.proxy.url, "--proxy-user", user, self.url(path))
            self.assertEqual(status, 200, body)
            self.assertIn(f"GET {path} HTTP/1.1", body)
            self.assertNotIn("proxy-authorization", body.lower())
            [seen] = self.origin_saw(path)
            self.assertNotIn("proxy-authorization", seen.lower())

    def test_other_schemes_and_bad_base64_are_407_naming_the_problem(self):
        for value, says in (("Digest username=\"alice\"", "unsupported scheme Digest: use Basic"),
                            ("Basic !!!!", "malformed Basic credentials")):
            status, _, body = curl("-x", self.proxy.url, "-H", f"Proxy-Authorization: {value}",
                                   self.url("/scheme"))
            self.assertEqual(status, 407, value)
            self.assertIn(says, body)

    def test_keep_alive_survives_a_407_and_the_retry_passes(self):
        with socket.create_connection(("127.0.0.1", self.proxy.port), timeout=10) as s:
            request = f"GET {self.url('/retry')} HTTP/1.1\r\nHost: 127.0.0.1:{self.origin.port}\r\n"
            s.sendall((request + "\r\n").encode())
            head, body, rest = read_response(s)
            self.assertTrue(head.startswith("HTTP/1.1 407 "), head)
            self.assertNotIn("Connection: close", head)
            # The same connection, now with credentials (what a browser does after the challenge).
            s.sendall((request + "Proxy-Authorization: Basic Ym9iOmh1bnRlcjI=\r\n\r\n").encode())  # bob:hunter2
            head, body, _ = read_response(s, rest)
            self.assertTrue(head.startswith("HTTP/1.1 200 "), head)
            self.assertIn("GET /retry HTTP/1.1", body)
            self.assertNotIn("Proxy-Authorization", body)

    def test_connect_needs_credentials_too(self):
        target = f"https://127.0.0.1:{self.tls.port}/"
        p = lib.run(["curl", "-sS", "-k", "-x", self.proxy.url, target])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("407", p.stderr)
        p = lib.run(["curl", "-sS", "-k", "-x", self.proxy.url, "--proxy-user", "bob:wrong", target])
        self.assertIn("407", p.stderr)
        p = lib.run(["curl", "-sS", "-k", "-x", self.proxy.url, "--proxy-user", "bob:hunter2", target])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("s_server", p.stdout)

    def test_rejected_clients_do_not_disturb_the_others(self):
        def one(i):
            user = "bob:hunter2" if i % 2 else f"bob:wrong{i}"
            return i, curl("-x", self.proxy.url, "--proxy-user", user, self.url(f"/mixed{i}"))[0]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            results = dict(pool.map(one, range(32)))
        self.assertEqual({i: s for i, s in results.items() if i % 2}, {i: 200 for i in range(1, 32, 2)})
        self.assertEqual({i: s for i, s in results.items() if not i % 2}, {i: 407 for i in range(0, 32, 2)})

    def test_access_log_names_the_user_and_metrics_count_407s(self):
        self.assertEqual(curl("-x", self.proxy.url, "--proxy-user", "bob:hunter2", self.url("/logged"))[0], 200)
        self.assertEqual(curl("-x", self.proxy.url, self.url("/refused"))[0], 407)

        def records():
            if not os.path.exists(self.log):
                return None
            found = {}
            with open(self.log) as f:
                lines = f.read().splitlines()
            for line in lines:
                r = json.loads(line)
                found[r["url"].rsplit("/", 1)[-1]] = r
            return found if "logged" in found and "refused" in found else None
        found = lib.poll(records)
        self.assertEqual((found["logged"]["user"], found["logged"]["status"]), ("bob", 200))
        self.assertEqual((found["refused"]["user"], found["refused"]["status"]), ("", 407))
        status, _, body = curl(f"http://127.0.0.1:{self.proxy.admin_port}/metrics")
        self.assertEqual(status, 200)
        self.assertRegex(body, r"\nwpadkit_proxy_auth_failures_total [1-9]")


class UsersFile(unittest.TestCase):
    def test_a_hash_crypt_cannot_verify_is_refused_naming_file_and_line(self):
        with lib.temp_dir() as tmp:
            users = lib.write(os.path.join(tmp, "users"), "# team\n")
            lib.run(["htpasswd", "-bB", "-C", "5", users, "alice", "a"], check=0)
            lib.run(["htpasswd", "-bm", users, "old", "o"], check=0)  # Apache MD5 ($apr1$)
            p = lib.run([lib.binary("pactool"), "proxy", "--listen", "127.0.0.1:0", "--route", "DIRECT",
                         "--users", users], timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{users}:3:", p.stderr)
        self.assertIn("$apr1$", p.stderr)
        self.assertIn("htpasswd -B", p.stderr)


class UpstreamAuthentication(unittest.TestCase):
    """Squid as a parent that requires Basic credentials (svc / pa:ss)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = cls.enterClassContext(lib.temp_dir())
        cls.origin = cls.enterClassContext(EchoOrigin())
        cls.tls = cls.enterClassContext(TlsOrigin(cls.tmp))
        cls.squid = cls.enterClassContext(Squid(cls.tmp, basic_users={"svc": "pa:ss"}))
        cls.parent = f"127.0.0.1:{cls.squid.port}"

    def url(self, path):
        return f"http://127.0.0.1:{self.origin.port}{path}"

    def test_our_credentials_reach_the_parent(self):
        with ProxyUnderTest("--route", f"PROXY {self.parent}", "--upstream-auth", f"{self.parent}=svc:pa:ss",
                            "--via", "us") as proxy:
            status, _, body = curl("-x", proxy.url, self.url("/with-ours"))
            self.assertEqual(status, 200, body)
            self.assertRegex(body, r"Via: 1.1 us, 1.1 test-squid")
            # Ours replace whatever the client sent.
            status, _, body = curl("-x", proxy.url, "--proxy-user", "someone:else", self.url("/replaced"))
            self.assertEqual(status, 200, body)

    def test_without_credentials_the_client_sees_the_parents_407(self):
        with ProxyUnderTest("--route", f"PROXY {self.parent}") as proxy:
            status, head, body = curl("-x", proxy.url, self.url("/no-creds"))
        self.assertEqual(status, 407, body)
        self.assertIn('Proxy-Authenticate: Basic realm="test-squid"', head)
        self.assertIn("test-squid", head)  # squid's own answer, passed through

    def test_the_clients_credentials_are_relayed_when_our_auth_is_off(self):
        with ProxyUnderTest("--route", f"PROXY {self.parent}") as proxy:
            status, _, body = curl("-x", proxy.url, "--proxy-user", "svc:pa:ss", self.url("/relayed"))
            self.assertEqual(status, 200, body)
            status, _, _ = curl("-x", proxy.url, "--proxy-user", "svc:wrong", self.url("/relayed-bad"))
            self.assertEqual(status, 407)

    def test_both_directions_at_once(self):
        users = os.path.join(self.tmp, "users-both")
        lib.run(["htpasswd", "-cbB", "-C", "5", users, "carol", "c"], check=0)
        with ProxyUnderTest("--route", f"PROXY {self.parent}", "--users", users,
                            "--upstream-auth", f"{self.parent}=svc:pa:ss") as proxy:
            status, head, _ = curl("-x", proxy.url, self.url("/both"))
            self.assertEqual(status, 407)
            self.assertIn('Proxy-Authenticate: Basic realm="wpadkit"', head)  # ours, not squid's
            status, head, body = curl("-x", proxy.url, "--proxy-user", "carol:c", self.url("/both"))
            self.assertEqual(status, 200, body)

    def test_connect_through_the_parent(self):
        target = f"https://127.0.0.1:{self.tls.port}/"
        with ProxyUnderTest("--route", f"PROXY {self.parent}", "--upstream-auth", f"{self.parent}=svc:pa:ss",
                            "--connect-port", str(self.tls.port)) as proxy:
            p = lib.run(["curl", "-sS", "-k", "-x", proxy.url, target])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("s_server", p.stdout)
        authority = f"127.0.0.1:{self.tls.port}"
        connect = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
        # Without credentials of ours, the parent's 407 goes to the client with the parent's challenge
        # (no other hop is tried, as a browser with this PAC would not), so the client can answer it:
        # its Proxy-Authorization is relayed and the tunnel opens.
        with ProxyUnderTest("--route", f"PROXY {self.parent}; DIRECT", "--connect-port", str(self.tls.port)) as proxy:
            out = raw_exchange(proxy.port, (connect + "Connection: close\r\n\r\n").encode()).decode("latin-1")
            self.assertTrue(out.startswith("HTTP/1.1 407 "), out)
            self.assertIn('Proxy-Authenticate: Basic realm="test-squid"', out)
            self.assertIn(f"PROXY {self.parent} requires proxy authentication", out)
            p = lib.run(["curl", "-sS", "-k", "-x", proxy.url, "--proxy-user", "svc:pa:ss", target])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("s_server", p.stdout)
        # With our own credentials for that parent, a 407 means they were refused: a failed hop, and
        # when no other hop is left the 502 names the 407.
        with ProxyUnderTest("--route", f"PROXY {self.parent}", "--upstream-auth", f"{self.parent}=svc:wrong",
                            "--connect-port", str(self.tls.port)) as proxy:
            out = raw_exchange(proxy.port, (connect + "Connection: close\r\n\r\n").encode()).decode("latin-1")
            self.assertTrue(out.startswith("HTTP/1.1 502 "), out)
            self.assertIn("refused CONNECT with 407", out)


if __name__ == "__main__":
    unittest.main()
