"""pactool proxy asks the PAC for every request and gives it what a browser gives it: a script that
balances load (a round-robin counter in a global, Math.random()) keeps balancing through the proxy, a
script that answers by the host alone keeps its one answer, and the (url, host) the script sees is the
canonical request `pactool eval` gives it (host lower-cased, https: stripped to scheme://host:port/).

The dead proxy is a port the test holds without listening: every connection to it is refused, so a
request routed there is a 502 and one routed DIRECT a 200."""
import json
import os
import re
import socket
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, ProxyUnderTest, RefusingPort, curl


def pac(body, top=""):
    return top + "function FindProxyForURL(url, host) {\n" + body + "\n}\n"


def statuses(proxy, url, n):
    return [curl("-x", proxy.url, url)[0] for _ in range(n)]


def exchange(port, request):
    """Sends one request over a fresh connection and returns (status, head, body) of the response:
    the head, then Content-Length bytes (the connection may stay open)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        while m and len(body) < int(m.group(1)):
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    head = head.decode("latin-1")
    return int(head.split(" ")[1]), head, body.decode("latin-1")


def pactool_eval(path, url, *flags):
    p = lib.run([lib.binary("pactool"), "eval", "--pac", path, "--offline", "--json", *flags, url])
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return json.loads(p.stdout.splitlines()[0])


class EveryRequestAsksThePac(unittest.TestCase):
    """No decision is remembered: what no browser does (Chromium runs FindProxyForURL per request)."""

    def test_a_round_robin_counter_alternates_through_the_proxy(self):
        with EchoOrigin() as origin, RefusingPort() as dead, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "counter.pac"), pac(
                'return (n++ %% 2) ? "PROXY 127.0.0.1:%d" : "DIRECT";' % dead.port, top="var n = 0;\n"))
            url = f"http://127.0.0.1:{origin.port}/same"
            # One engine (no evaluation on the I/O threads, one PAC thread): one counter, so the
            # answers alternate exactly. (With a decision cache: 200 200 200 200 200 200.)
            with ProxyUnderTest("--pac", path, "--offline", "--no-inline-pac", "--pac-threads", "1") as proxy:
                self.assertEqual(statuses(proxy, url, 6), [200, 502, 200, 502, 200, 502])
            # The default: an engine per I/O thread, each with its own counter. An engine asked twice
            # answers both ways, and 8 requests on 2 threads ask one of them at least twice.
            with ProxyUnderTest("--pac", path, "--offline") as proxy:
                self.assertEqual(set(statuses(proxy, url, 8)), {200, 502})

    def test_math_random_balancing_gives_both_answers(self):
        with EchoOrigin() as origin, RefusingPort() as dead, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "random.pac"), pac(
                'return Math.random() < 0.5 ? "DIRECT" : "PROXY 127.0.0.1:%d";' % dead.port))
            with ProxyUnderTest("--pac", path, "--offline") as proxy:
                # 40 requests for one URL all alike: probability 2^-39.
                self.assertEqual(set(statuses(proxy, f"http://127.0.0.1:{origin.port}/same", 40)), {200, 502})

    def test_a_script_of_the_host_alone_keeps_its_answer(self):
        with EchoOrigin() as origin, RefusingPort() as dead, lib.temp_dir() as d:
            path = lib.write(os.path.join(d, "pure.pac"), pac(
                'return host == "127.0.0.1" ? "DIRECT" : "PROXY 127.0.0.1:%d";' % dead.port))
            with ProxyUnderTest("--pac", path, "--offline", "--dns", "other.test=127.0.0.1") as proxy:
                self.assertEqual(statuses(proxy, f"http://127.0.0.1:{origin.port}/x", 6), [200] * 6)
                self.assertEqual(statuses(proxy, f"http://other.test:{origin.port}/x", 3), [502] * 3)


class TheCanonicalRequest(unittest.TestCase):
    """The proxy, `pactool eval` and pacserver's validation give FindProxyForURL the same (url, host)."""

    def test_host_case_routes_as_pactool_eval_says(self):
        with EchoOrigin() as origin, RefusingPort() as dead, lib.temp_dir() as d:
            # Different answers by the exact case of the host: a browser only ever passes lower case.
            path = lib.write(os.path.join(d, "case.pac"), pac(
                'if (host == "www.corp.example") return "DIRECT";\n'
                'return "PROXY 127.0.0.1:%d";' % dead.port))
            url = f"http://WWW.Corp.Example:{origin.port}/Path"
            evaluated = pactool_eval(path, url)
            self.assertEqual((evaluated["result"], evaluated["host"], evaluated["url"]),
                             ("DIRECT", "www.corp.example", f"http://www.corp.example:{origin.port}/Path"))
            with ProxyUnderTest("--pac", path, "--offline", "--dns", "www.corp.example=127.0.0.1") as proxy:
                # The request line as a client wrote it, upper case and all (a raw socket: no client
                # library lower-cases it first).
                status, _, _ = exchange(proxy.port, f"GET {url} HTTP/1.1\r\nHost: WWW.Corp.Example:{origin.port}\r\n"
                                                    "Connection: close\r\n\r\n")
                # DIRECT, as eval said (the host as received, "WWW.Corp.Example", routes to the dead
                # proxy: 502); the origin got the request.
                self.assertEqual(status, 200)
                self.assertEqual(len(origin.requests), 1)

    def test_a_connect_tunnel_is_asked_about_the_stripped_https_url(self):
        with lib.temp_dir() as d:
            # The script echoes what it saw into a proxy name: "https://bank.example:8443/" becomes
            # "https---bank-example-8443-"; the 502 names the PAC's answer.
            path = lib.write(os.path.join(d, "echo.pac"), pac(
                'return "PROXY " + url.replace(/[^a-z0-9]/g, "-") + "." + host + ":1";'))
            evaluated = pactool_eval(path, "https://user:pw@Bank.Example:8443/secret/path?q=1#frag")
            self.assertEqual(evaluated["url"], "https://bank.example:8443/")
            self.assertEqual(evaluated["result"], "PROXY https---bank-example-8443-.bank.example:1")
            with ProxyUnderTest("--pac", path, "--offline", "--connect-port", "any") as proxy:
                status, _, body = exchange(proxy.port, "CONNECT Bank.Example:8443 HTTP/1.1\r\n"
                                                       "Host: Bank.Example:8443\r\n\r\n")
        self.assertEqual(status, 502)
        self.assertIn("PAC: " + evaluated["result"], body)


if __name__ == "__main__":
    unittest.main()
