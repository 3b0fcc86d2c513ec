"""pactool proxy reaching its next hop over TLS when the PAC says HTTPS: a real HTTPS proxy (stunnel
terminating TLS in front of a real Squid), its certificate issued by a CA made here with openssl. Plain
requests and CONNECT tunnels go through it; a proxy whose certificate does not verify (unknown issuer,
or a name it was not issued for) is a failed hop: the next one in the list is used, or a 502 names the
TLS failure."""
import os
import re
import subprocess
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest, Squid, TlsOrigin, curl


def make_ca_and_cert(tmp, name, cn="localhost", sans="DNS:localhost,IP:127.0.0.1"):
    """A CA and a server certificate it issued for `sans`. Returns (ca.pem, cert.pem, key.pem)."""
    ca_key, ca = os.path.join(tmp, f"{name}-ca.key"), os.path.join(tmp, f"{name}-ca.pem")
    key, csr, cert = (os.path.join(tmp, f"{name}.{ext}") for ext in ("key", "csr", "pem"))
    run = lambda *a: subprocess.run(list(a), check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
        "-subj", f"/CN=wpadkit test CA {name}", "-days", "1")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}")
    ext = lib.write(os.path.join(tmp, f"{name}.ext"), f"subjectAltName={sans}\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "1", "-extfile", ext)
    return ca, cert, key


class Stunnel:
    """stunnel in server mode: TLS on a free port, plain TCP to `target_port` (here: Squid)."""

    def __init__(self, tmp, name, cert, key, target_port):
        self.port = lib.free_port()
        conf = lib.write(os.path.join(tmp, f"{name}-stunnel.conf"), "\n".join([
            "foreground = yes",
            f"pid = {tmp}/{name}-stunnel.pid",
            "debug = 4",
            f"[{name}]",
            f"accept = 127.0.0.1:{self.port}",
            f"connect = 127.0.0.1:{target_port}",
            f"cert = {cert}",
            f"key = {key}",
            ""]))
        self.proc = lib.Background(["stunnel4", conf])

    def __enter__(self):
        lib.wait_for_port(self.port, proc=self.proc.proc)
        return self

    def __exit__(self, *exc):
        self.proc.stop()


class HttpsProxy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp_context = lib.temp_dir()
        cls.tmp = cls.tmp_context.__enter__()
        cls.ca, cert, key = make_ca_and_cert(cls.tmp, "good")
        _, other_cert, other_key = make_ca_and_cert(cls.tmp, "unknown")  # its CA is not trusted
        _, wrong_name_cert, wrong_name_key = make_ca_and_cert(cls.tmp, "wrongname", cn="elsewhere",
                                                              sans="DNS:elsewhere.example")
        cls.origin = EchoOrigin().__enter__()
        cls.tls_origin = TlsOrigin(cls.tmp).__enter__()
        cls.squid = Squid(cls.tmp, hosts="127.0.0.1 origin.test\n").__enter__()
        cls.tls = Stunnel(cls.tmp, "good", cert, key, cls.squid.port).__enter__()
        cls.untrusted = Stunnel(cls.tmp, "untrusted", other_cert, other_key, cls.squid.port).__enter__()
        cls.wrong_name = Stunnel(cls.tmp, "wrongname", wrong_name_cert, wrong_name_key,
                                 cls.squid.port).__enter__()
        pac = lib.write(os.path.join(cls.tmp, "proxy.pac"), f"""
function FindProxyForURL(url, host) {{
  if (url.indexOf("/untrusted-then-good") >= 0)
    return "HTTPS localhost:{cls.untrusted.port}; HTTPS localhost:{cls.tls.port}";
  if (url.indexOf("/untrusted") >= 0) return "HTTPS localhost:{cls.untrusted.port}";
  if (url.indexOf("/wrong-name") >= 0) return "HTTPS localhost:{cls.wrong_name.port}";
  if (url.indexOf("/by-address") >= 0) return "HTTPS 127.0.0.1:{cls.tls.port}";
  return "HTTPS localhost:{cls.tls.port}";
}}""")
        # The trust store of the proxy under test: OpenSSL's SSL_CERT_FILE, read by
        # set_default_verify_paths (the system store would not know our CA).
        cls.saved_cert_file = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = cls.ca
        try:
            cls.proxy = ProxyUnderTest("--pac", pac, "--dns", "origin.test=127.0.0.1", "--via", "ours",
                                       "--connect-port", "any", "--dns", "localhost=127.0.0.1",
                                       "--admin", "127.0.0.1:0")
        finally:
            if cls.saved_cert_file is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = cls.saved_cert_file

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        for peer in (cls.wrong_name, cls.untrusted, cls.tls, cls.squid, cls.tls_origin, cls.origin):
            peer.__exit__()
        cls.tmp_context.__exit__(None, None, None)

    def url(self, path):
        # By address: the Squid behind the HTTPS proxy resolves no test names.
        return f"http://127.0.0.1:{self.origin.port}{path}"

    def test_request_goes_through_the_https_proxy(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/plain?q=1"))
        self.assertEqual(status, 200, body)
        # The absolute URI went to Squid over TLS; Squid then asked the origin, adding its Via.
        self.assertIn("GET /plain?q=1 HTTP/1.1\r\n", body)
        self.assertRegex(body, r"Via: 1.1 ours\b")
        self.assertIn("test-squid", body.split("\r\n\r\n")[0])
        self.assertRegex(head, r"(?i)via: [^\r]*test-squid")
        self.assertRegex(head, r"(?i)via: [^\r]*\bours")

    def reused(self):
        status, _, body = curl(f"http://127.0.0.1:{self.proxy.admin_port}/metrics")
        self.assertEqual(status, 200, body)
        return int(re.search(r"^wpadkit_proxy_upstream_reused_total (\d+)", body, re.M).group(1))

    def test_keep_alive_requests_reuse_the_tls_connection(self):
        before = self.reused()
        status, head, body = curl("-x", self.proxy.url, self.url("/one"), "-o", "/dev/null",
                                  self.url("/two"))
        self.assertEqual(status, 200, body)
        self.assertIn("GET /two HTTP/1.1", body)
        self.assertGreaterEqual(self.reused(), before + 1)  # /two went on the pooled TLS connection

    def test_address_literal_is_verified_against_the_ip_san(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/by-address"))
        self.assertEqual(status, 200, body)
        self.assertIn("test-squid", body)

    def test_connect_tunnel_through_the_https_proxy(self):
        status, head, body = curl("-k", "-x", self.proxy.url, f"https://127.0.0.1:{self.tls_origin.port}/")
        self.assertEqual(status, 200, body)
        self.assertIn("s_server", body)  # openssl s_server -www answered through both tunnels

    def test_untrusted_certificate_fails_the_hop(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/untrusted"))
        self.assertEqual(status, 502, body)
        self.assertIn(f"HTTPS localhost:{self.untrusted.port}", body)
        self.assertIn("TLS handshake", body)
        self.assertRegex(body, r"certificate verify failed|unable to get local issuer")

    def test_certificate_for_another_name_fails_the_hop(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/wrong-name"))
        self.assertEqual(status, 502, body)
        self.assertIn("TLS handshake", body)

    def test_failover_past_an_untrusted_proxy(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/untrusted-then-good"))
        self.assertEqual(status, 200, body)
        self.assertIn("test-squid", body)


if __name__ == "__main__":
    unittest.main()
