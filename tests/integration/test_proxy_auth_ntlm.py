"""NTLM to upstream proxies (`--upstream-auth-scheme HOST:PORT=ntlm`), with curl as the client:
- a real Squid parent requiring NTLM (auth_param ntlm with ntlm_fake_auth, which runs a real NTLM
  exchange with Squid but takes any password: password correctness is the unit vectors' job,
  proxycore/forward/ntlm_test.cpp): GET, POST with a body that reaches the origin intact and once,
  CONNECT, the authenticated connection reused for later requests (Squid's access log names our user
  on each; our /metrics counts one handshake), and the 407 path when we hold no NTLM credentials;
- a fake parent that refuses every type 3: a failed hop, the 502 naming it, failover to the next hop;
- the clear error when OpenSSL's legacy provider (MD4) cannot be loaded."""
import base64
import os
import re
import socket
import struct
import threading
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest, Squid, TlsOrigin, curl, raw_exchange


# How Squid's access log shows our user CORP\alice (it escapes the backslash).
LOGGED_USER = "CORP\\\\alice"


def metric(proxy, name):
    status, _, body = curl(f"http://127.0.0.1:{proxy.admin_port}/metrics")
    assert status == 200, body
    m = re.search(rf"^{name} (\d+)", body, re.M)
    return int(m.group(1)) if m else None


class RefusingNtlmParent:
    """Answers a type 1 with a valid type 2 challenge and every type 3 with 407 again (credentials
    refused), keeping the connection open; counts the type 3 messages it saw."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.type3 = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def challenge():
        info = b"\x00\x00\x00\x00"  # MsvAvEOL only
        flags = 0x00000001 | 0x00000200 | 0x00800000  # UNICODE, NTLM, TARGET_INFO
        head = (b"NTLMSSP\x00" + struct.pack("<I", 2) + struct.pack("<HHI", 0, 0, 48) + struct.pack("<I", flags)
                + bytes.fromhex("0123456789abcdef") + bytes(8) + struct.pack("<HHI", len(info), len(info), 48))
        return base64.b64encode(head + info).decode()

    def _serve(self, conn):
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                auth = re.search(rb"\r\nProxy-Authorization: NTLM (\S+)", head, re.I)
                kind = base64.b64decode(auth.group(1))[8] if auth else 0
                body = b"" if head.startswith(b"HEAD ") else b"refused"  # HEAD: no body (RFC 9110 §9.3.2)
                if kind == 1:
                    challenge = f"Proxy-Authenticate: NTLM {self.challenge()}\r\n".encode()
                else:
                    self.type3 += kind == 3
                    challenge = b"Proxy-Authenticate: NTLM\r\n"
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n" + challenge +
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()


class NtlmParent(unittest.TestCase):
    """Squid requiring NTLM; we log in as CORP\\alice."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = cls.enterClassContext(lib.temp_dir())
        cls.origin = cls.enterClassContext(EchoOrigin())
        cls.tls = cls.enterClassContext(TlsOrigin(cls.tmp))
        cls.squid = cls.enterClassContext(Squid(cls.tmp, ntlm=True, access_log=True))
        cls.parent = f"127.0.0.1:{cls.squid.port}"

    def url(self, path):
        return f"http://127.0.0.1:{self.origin.port}{path}"

    def ours(self, *extra):
        return ProxyUnderTest("--route", f"PROXY {self.parent}", "--upstream-auth", f"{self.parent}=CORP\\alice:s3cret",
                              "--upstream-auth-scheme", f"{self.parent}=ntlm", "--via", "us",
                              "--admin", "127.0.0.1:0", *extra)

    def squid_saw(self, path, min_lines=1):
        """Squid's log lines for URLs containing `path` (once at least `min_lines` are there)."""
        return lib.poll(lambda: (lambda ls: ls if len(ls) >= min_lines else None)(
            [f for f in self.squid.log_lines() if len(f) > 7 and path in f[6]]))

    def origin_saw(self, path):
        return [(head.decode("latin-1"), body) for head, body in self.origin.requests
                if f" {path} " in head.decode("latin-1").split("\r\n")[0]]

    def test_get_goes_through_with_our_user(self):
        with self.ours() as proxy:
            status, _, body = curl("-x", proxy.url, self.url("/ntlm-get"))
            self.assertEqual(status, 200, body)
            self.assertRegex(body, r"Via: 1.1 us, 1.1 test-squid")
            self.assertEqual(metric(proxy, "wpadkit_proxy_upstream_ntlm_handshakes_total"), 1)
        lines = self.squid_saw("/ntlm-get", 3)
        # The handshake (HEAD probe: 407 with the challenge, then 200 for alice), then the GET as alice.
        self.assertEqual([(f[3], f[5], f[7]) for f in lines],
                         [("TCP_DENIED/407", "HEAD", "-"), ("TCP_MISS/200", "HEAD", LOGGED_USER),
                          ("TCP_MISS/200", "GET", LOGGED_USER)])
        self.assertEqual([h.split(" ")[0] for h, _ in self.origin_saw("/ntlm-get")], ["HEAD", "GET"])

    def test_post_body_arrives_intact_and_once(self):
        payload = bytes((i * 7 + 3) % 251 for i in range(300_000))
        data = os.path.join(self.tmp, "post-body")
        with open(data, "wb") as f:
            f.write(payload)
        with self.ours() as proxy:
            status, _, body = curl("-x", proxy.url, "--data-binary", f"@{data}", "-H",
                                   "Content-Type: application/octet-stream", self.url("/ntlm-post"))
            self.assertEqual(status, 200, body[:500])
            self.assertIn(f"body-length: {len(payload)}", body)
        posts = [(h, b) for h, b in self.origin_saw("/ntlm-post") if h.startswith("POST ")]
        self.assertEqual(len(posts), 1)  # never sent twice
        self.assertEqual(posts[0][1], payload)
        lines = self.squid_saw("/ntlm-post", 3)
        self.assertIn(("TCP_MISS/200", "POST", LOGGED_USER), [(f[3], f[5], f[7]) for f in lines])

    def test_several_requests_reuse_the_authenticated_connection(self):
        urls = [self.url(f"/ntlm-reuse-{i}") for i in range(5)]
        with self.ours() as proxy:
            # One curl, one client connection (one I/O thread of ours, one pool): one handshake.
            p = lib.run(["curl", "-sS", "-x", proxy.url] + urls)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.count("GET /ntlm-reuse-"), 5)
            self.assertEqual(metric(proxy, "wpadkit_proxy_upstream_ntlm_handshakes_total"), 1)
            self.assertGreaterEqual(metric(proxy, "wpadkit_proxy_upstream_reused_total"), 4)
        lines = self.squid_saw("/ntlm-reuse-", 7)
        gets = [f for f in lines if f[5] == "GET"]
        self.assertEqual(len(gets), 5)
        self.assertEqual({f[7] for f in gets}, {LOGGED_USER})  # each request ran as our user
        self.assertEqual(len([f for f in lines if f[3] == "TCP_DENIED/407"]), 1)  # one handshake

    def test_connect_through_the_ntlm_parent(self):
        target = f"https://127.0.0.1:{self.tls.port}/"
        with self.ours("--connect-port", str(self.tls.port)) as proxy:
            p = lib.run(["curl", "-sS", "-k", "-x", proxy.url, target])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("s_server", p.stdout)
        authority = f"127.0.0.1:{self.tls.port}"
        lines = self.squid_saw(authority, 2)
        connects = [(f[3], f[7]) for f in lines if f[5] == "CONNECT"]
        self.assertIn(("TCP_DENIED/407", "-"), connects)
        self.assertIn(("TCP_TUNNEL/200", LOGGED_USER), connects)

    def test_without_ntlm_credentials_the_client_sees_the_parents_407(self):
        with ProxyUnderTest("--route", f"PROXY {self.parent}", "--connect-port", str(self.tls.port)) as proxy:
            status, head, body = curl("-x", proxy.url, self.url("/ntlm-none"))
            self.assertEqual(status, 407, body)
            self.assertRegex(head, r"\r\nProxy-Authenticate: NTLM\r\n")
            authority = f"127.0.0.1:{self.tls.port}"
            out = raw_exchange(proxy.port, f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
                                           "Connection: close\r\n\r\n".encode()).decode("latin-1")
            self.assertTrue(out.startswith("HTTP/1.1 407 "), out)
            self.assertIn("Proxy-Authenticate: NTLM", out)
            self.assertIn(f"PROXY {self.parent} requires proxy authentication", out)
        self.assertEqual(self.origin_saw("/ntlm-none"), [])

    def test_basic_credentials_for_an_ntlm_only_parent_are_not_enough(self):
        with ProxyUnderTest("--route", f"PROXY {self.parent}", "--upstream-auth", f"{self.parent}=alice:s3cret",
                            "--connect-port", str(self.tls.port)) as proxy:
            status, head, _ = curl("-x", proxy.url, self.url("/ntlm-basic"))
            self.assertEqual(status, 407)
            self.assertIn("Proxy-Authenticate: NTLM", head)


class RefusedNtlm(unittest.TestCase):
    def test_refused_credentials_are_a_failed_hop(self):
        with lib.temp_dir() as tmp, RefusingNtlmParent() as parent, EchoOrigin() as origin, \
                TlsOrigin(tmp) as tls:
            hop = f"127.0.0.1:{parent.port}"
            flags = ["--upstream-auth", f"{hop}=CORP\\alice:wrong", "--upstream-auth-scheme", f"{hop}=ntlm",
                     "--connect-port", str(tls.port)]
            url = f"http://127.0.0.1:{origin.port}/refused"
            with ProxyUnderTest("--route", f"PROXY {hop}", *flags) as proxy:
                status, _, body = curl("-x", proxy.url, url)
                self.assertEqual(status, 502, body)
                self.assertIn(f"PROXY {hop}: refused our NTLM credentials for CORP\\alice (407", body)
                authority = f"127.0.0.1:{tls.port}"
                out = raw_exchange(proxy.port, f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
                                               "Connection: close\r\n\r\n".encode()).decode("latin-1")
                self.assertTrue(out.startswith("HTTP/1.1 502 "), out)
                self.assertIn("refused our NTLM credentials for CORP\\alice", out)
            self.assertEqual(parent.type3, 2)
            self.assertEqual(origin.requests, [])
            # With another hop after it, the request goes there (the refusal is not the client's).
            with ProxyUnderTest("--route", f"PROXY {hop}; DIRECT", *flags) as proxy:
                status, _, body = curl("-x", proxy.url, "--data-binary", "kept", url)
                self.assertEqual(status, 200, body)
                self.assertIn("body-length: 4", body)
            self.assertEqual([b for _, b in origin.requests], [b"kept"])

    def test_without_the_legacy_provider_the_proxy_refuses_to_start(self):
        env = dict(os.environ, OPENSSL_MODULES="/nonexistent-ossl-modules")
        p = lib.run([lib.binary("pactool"), "proxy", "--listen", "127.0.0.1:0", "--route", "PROXY p.corp:8080",
                     "--upstream-auth", "p.corp:8080=u:p", "--upstream-auth-scheme", "p.corp:8080=ntlm"],
                    env=env, timeout=20)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("upstream_auth for p.corp:8080: NTLM needs MD4 from OpenSSL's legacy provider", p.stderr)
        self.assertIn("libssl3", p.stderr)


if __name__ == "__main__":
    unittest.main()
