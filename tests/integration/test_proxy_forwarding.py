"""pactool proxy forwarding requests the way its PAC says: DIRECT, through a real Squid parent, through a
real SOCKS5 server (microsocks), CONNECT tunnels to a TLS origin, failover past a refusing and a dead
proxy, every address of a multi-address origin, loop detection, and many clients at once. curl is the
client; the origin echoes the request head it received, so the test sees exactly what went upstream."""
import concurrent.futures
import os
import unittest

import wpadkit_testlib as lib
from proxy_peers import (Dante, DeadProxy, EchoOrigin, Microsocks, ProxyUnderTest, Squid, TlsOrigin, closed_port, curl,
                         raw_exchange)


class DirectForwarding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = EchoOrigin().__enter__()
        cls.proxy = ProxyUnderTest("--route", "DIRECT", "--dns", "origin.test=127.0.0.1", "--via", "test-proxy")

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.origin.__exit__()

    def url(self, path="/x"):
        return f"http://origin.test:{self.origin.port}{path}"

    def test_get_goes_direct_with_via_both_ways(self):
        status, head, body = curl("-x", self.proxy.url, self.url("/a/b?c=d"))
        self.assertEqual(status, 200, body)
        self.assertIn(f"GET /a/b?c=d HTTP/1.1\r\n", body)  # origin-form upstream, URI untouched
        self.assertIn(f"Host: origin.test:{self.origin.port}\r\n", body)
        self.assertIn("Via: 1.1 test-proxy\r\n", body)
        self.assertNotIn("Proxy-Connection", body)
        self.assertRegex(head, r"(?i)\r\nvia: 1.1 test-proxy")
        self.assertIn("Server: echo-origin", head)  # never modified

    def test_headers_keep_case_and_order_unknown_method_passes(self):
        req = (f"BREW http://origin.test:{self.origin.port}/pot HTTP/1.1\r\n"
               f"Host: origin.test:{self.origin.port}\r\n"
               "X-Dup: one\r\nx-MiXeD-Case: v\r\nX-Dup: two\r\n"
               "Connection: close, X-Secret\r\nX-Secret: hop\r\nKeep-Alive: timeout=5\r\n"
               "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nContent-Length: 5\r\n\r\nhello").encode()
        out = raw_exchange(self.proxy.port, req).decode("latin-1")
        self.assertTrue(out.startswith("HTTP/1.1 200"), out)
        self.assertIn("BREW /pot HTTP/1.1\r\n", out)
        self.assertRegex(out, r"X-Dup: one\r\nX-Dup: two\r\n")
        self.assertIn("x-MiXeD-Case: v\r\n", out)
        for gone in ("X-Secret", "Keep-Alive", "Proxy-Authorization"):
            self.assertNotIn(gone, out.split("\r\n\r\n", 1)[1])
        self.assertIn("body-length: 5", out)
        self.assertIn("X-Origin-Dup: a\r\nX-Origin-Dup: b\r\n", out)

    def test_origin_form_with_host_and_empty_path(self):
        req = (f"GET / HTTP/1.1\r\nHost: origin.test:{self.origin.port}\r\nConnection: close\r\n\r\n").encode()
        out = raw_exchange(self.proxy.port, req).decode("latin-1")
        self.assertTrue(out.startswith("HTTP/1.1 200"), out)
        # The client said close: we close after the response, and the response says so (RFC 9112 §9.6).
        self.assertRegex(out.split("\r\n\r\n", 1)[0], r"(?i)\r\nconnection: close(\r\n|$)")
        req = (f"GET http://origin.test:{self.origin.port} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
        out = raw_exchange(self.proxy.port, req).decode("latin-1")
        self.assertIn("GET / HTTP/1.1\r\n", out)
        self.assertIn(f"Host: origin.test:{self.origin.port}\r\n", out)  # absolute-form replaces Host

    def test_bodies_stream_chunked_and_large(self):
        data = os.urandom(3 * 1024 * 1024)
        with lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "up.bin"), "")
            with open(path, "wb") as f:
                f.write(data)
            status, _, body = curl("-x", self.proxy.url, "-H", "Transfer-Encoding: chunked",
                                   "--data-binary", "@" + path, self.url("/chunked"))
        self.assertEqual(status, 200)
        self.assertIn("body-length: %d" % len(data), body)
        p = lib.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-x", self.proxy.url,
                     self.url("/big?n=20000000")])
        self.assertEqual(p.stdout, "200 20000000")

    def test_keep_alive_reuses_client_connection(self):
        p = lib.run(["curl", "-sS", "-v", "-x", self.proxy.url, self.url("/1"), self.url("/2")])
        self.assertIn("Re-using existing connection", p.stderr)
        self.assertEqual(p.stdout.count("GET /"), 2)

    def test_many_concurrent_clients(self):
        def one(i):
            return curl("-x", self.proxy.url, self.url(f"/c{i}"))[0]
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            statuses = list(pool.map(one, range(200)))
        self.assertEqual(statuses, [200] * 200)

    def test_every_address_of_an_origin_is_tried(self):
        with ProxyUnderTest("--route", "DIRECT", "--dns", "multi.test=127.0.0.2",
                            "--dns", "multi.test=127.0.0.1") as proxy:
            status, _, body = curl("-x", proxy.url, f"http://multi.test:{self.origin.port}/m")
        self.assertEqual(status, 200, body)
        self.assertIn("GET /m HTTP/1.1", body)


class Failover(unittest.TestCase):
    def test_refusing_and_dead_proxies_are_skipped_then_502_names_each(self):
        refused = closed_port()
        with EchoOrigin() as origin, DeadProxy() as dead, lib.temp_dir() as tmp, \
                Squid(tmp, hosts="127.0.0.1 origin.test\n") as squid:
            route = f"PROXY 127.0.0.1:{refused}; PROXY 127.0.0.1:{dead.port}; PROXY 127.0.0.1:{squid.port}; DIRECT"
            with ProxyUnderTest("--route", route, "--dns", "origin.test=127.0.0.1", "--via", "p1") as proxy:
                status, head, body = curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/via-squid")
                self.assertEqual(status, 200, body)
                # Squid received our absolute URI and added its own Via after ours.
                self.assertRegex(body, r"Via: 1.1 p1, 1.1 test-squid")
                self.assertGreaterEqual(dead.accepted, 1)
                # Both failed proxies are now at the end of the list: the next request goes to squid first.
                before = dead.accepted
                status, _, body = curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/again")
                self.assertEqual(status, 200)
                self.assertEqual(dead.accepted, before)
            route = f"PROXY 127.0.0.1:{refused}; PROXY 127.0.0.1:{dead.port}"
            with ProxyUnderTest("--route", route, "--dns", "origin.test=127.0.0.1") as proxy:
                status, _, body = curl("-x", proxy.url, f"http://origin.test:{origin.port}/x")
                self.assertEqual(status, 502)
                self.assertIn(f"PROXY 127.0.0.1:{refused}: connect to 127.0.0.1:{refused}: Connection refused", body)
                self.assertIn(f"PROXY 127.0.0.1:{dead.port}: closed the connection without a response", body)

    def test_unresolvable_origin_is_502_naming_it(self):
        with ProxyUnderTest("--route", "DIRECT", "--offline") as proxy:
            status, _, body = curl("-x", proxy.url, "http://nowhere.invalid/")
        self.assertEqual(status, 502)
        self.assertIn("nowhere.invalid", body)


class Loops(unittest.TestCase):
    def test_proxy_chained_to_itself_is_508(self):
        # Chain the proxy to its own listening port.
        port = lib.free_port()
        proxy = lib.Background([lib.binary("pactool"), "proxy", "--listen", f"127.0.0.1:{port}",
                                "--route", f"PROXY 127.0.0.1:{port}"])
        with proxy:
            proxy.wait_for(rf"^listening on 127\.0\.0\.1:{port} ")
            status, _, body = curl("-x", f"http://127.0.0.1:{port}", "http://origin.test/")
        self.assertEqual(status, 508, body)
        self.assertIn("loop", body)


class Socks(unittest.TestCase):
    def test_socks5_through_microsocks(self):
        with EchoOrigin() as origin, Microsocks() as socks, \
                ProxyUnderTest("--route", f"SOCKS5 127.0.0.1:{socks.port}", "--via", "s5") as proxy:
            status, _, body = curl("-x", proxy.url, f"http://127.0.0.1:{origin.port}/socks")
        self.assertEqual(status, 200, body)
        self.assertIn("GET /socks HTTP/1.1", body)
        self.assertIn("Via: 1.1 s5", body)

    def test_socks4_through_dante_resolves_locally(self):
        # PAC "SOCKS" is SOCKS v4: the proxy resolves the name itself (as browsers do) and sends the address.
        with EchoOrigin() as origin, lib.temp_dir() as tmp, Dante(tmp) as socks, \
                ProxyUnderTest("--route", f"SOCKS 127.0.0.1:{socks.port}", "--dns", "s4.test=127.0.0.1",
                               "--offline") as proxy:
            status, _, body = curl("-x", proxy.url, f"http://s4.test:{origin.port}/socks4")
        self.assertEqual(status, 200, body)
        self.assertIn("GET /socks4 HTTP/1.1", body)


class Tunnels(unittest.TestCase):
    def test_connect_direct_and_through_squid(self):
        with lib.temp_dir() as tmp, TlsOrigin(tmp) as tls, Squid(tmp) as squid:
            for route in ("DIRECT", f"PROXY 127.0.0.1:{closed_port()}; PROXY 127.0.0.1:{squid.port}"):
                with ProxyUnderTest("--route", route, "--connect-port", str(tls.port)) as proxy:
                    p = lib.run(["curl", "-sS", "-k", "-x", proxy.url, f"https://127.0.0.1:{tls.port}/"])
                    self.assertIn("s_server", p.stdout + p.stderr, route)
                    self.assertEqual(p.returncode, 0, p.stderr)

    def test_connect_to_a_port_not_allowed_is_403(self):
        with ProxyUnderTest("--route", "DIRECT") as proxy:
            out = raw_exchange(proxy.port, b"CONNECT localhost:25 HTTP/1.1\r\nHost: localhost:25\r\n\r\n", responses=1)
        self.assertTrue(out.startswith(b"HTTP/1.1 403"), out)
        self.assertIn(b"port 25 is not allowed", out)


if __name__ == "__main__":
    unittest.main()
