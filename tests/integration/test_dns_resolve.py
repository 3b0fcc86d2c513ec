"""Our c-ares resolvers (ares_resolver, async_resolver, cached_resolver) against a real DNS server.

The test starts its own dnsmasq on loopback (127.0.0.1, 127.0.0.2 and ::1, a free port) with a fixed
table, and drives proxycore/dns/dns_probe pointed at it with --server. Nothing is sent anywhere but
loopback: every probe gets explicit servers and an explicit search list.
"""
import json
import os
import random
import socket
import struct
import time
import unittest

import wpadkit_testlib as lib

PROBE = os.path.join(lib.BUILD_DIR, "proxycore", "dns", "dns_probe")


def dns_query(name, qtype=1):
    """A minimal DNS query packet (recursion desired) for `name`."""
    qid = random.randrange(1 << 16)
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return header + labels + struct.pack("!HH", qtype, 1)


def wait_for_dns(host, port, proc, timeout=60.0):
    """Polls with real queries until the server answers (readiness, not a sleep)."""
    deadline = time.monotonic() + timeout
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    while time.monotonic() < deadline:
        if proc.proc.poll() is not None:
            raise RuntimeError(f"dnsmasq exited with {proc.proc.returncode}: {proc.stop()[1]}")
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            s.sendto(dns_query("name.test"), (host, port))
            try:
                s.recvfrom(512)
                return
            except OSError:
                pass
    raise TimeoutError(f"dnsmasq did not answer on {host}:{port}")


class DnsResolveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(PROBE):
            raise FileNotFoundError(f"{PROBE} not built")
        cls.port = lib.free_port()
        cls.dnsmasq = lib.Background([
            "dnsmasq", f"--port={cls.port}", "--no-resolv", "--no-hosts", "--bind-interfaces",
            "--listen-address=127.0.0.1,127.0.0.2,::1", "--keep-in-foreground", "--pid-file=",
            "--log-facility=-", "--user=root",  # no --log-queries: nobody drains the pipe
            # Everything under .test, and the single labels the tests ask, are ours: unknown names
            # there are NXDOMAIN (as the real root answers for `wpad.`); other names get REFUSED
            # (dnsmasq has no upstream).
            "--local=/test/wpad/nothing/",
            "--address=/name.test/10.1.2.3",
            "--host-record=both.test,10.0.0.7,fd00::7",
            "--host-record=six.test,fd00::6",
            "--host-record=multi.test,10.0.0.21",
            "--host-record=multi.test,10.0.0.22",
            "--local-ttl=77",
            # 60 A records: more than a 512-byte UDP answer holds, so c-ares retries over TCP.
            *[f"--host-record=big.test,10.3.0.{i}" for i in range(1, 61)],
            # Authoritative answers (with SOA) for corp.test, on 127.0.0.2 only.
            "--auth-server=ns.corp.test,127.0.0.2", "--auth-zone=corp.test",
            "--host-record=wpad.corp.test,10.9.9.9",
        ])
        try:
            wait_for_dns("127.0.0.1", cls.port, cls.dnsmasq)
        except Exception:
            cls.dnsmasq.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.dnsmasq.stop()

    def probe(self, *args, server=None, search=("x.test", "corp.test"), timeout_ms=2000):
        cmd = [PROBE, "--server", server or f"127.0.0.1:{self.port}", "--timeout", str(timeout_ms)]
        for d in search:
            cmd += ["--search", d]
        if not search:
            cmd.append("--no-search")
        p = lib.run(cmd + list(args), timeout=30)
        lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        return p.returncode, lines

    def resolve(self, name, family, **kw):
        rc, lines = self.probe("resolve", name, family, **kw)
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(rc, 0 if lines[0]["ok"] else 1)
        return lines[0]

    def test_a_record_with_its_ttl(self):
        r = self.resolve("name.test", "v4")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["addresses"], ["10.1.2.3"])
        self.assertEqual(r["ttl"], 77)

    def test_names_are_case_insensitive(self):
        self.assertEqual(self.resolve("NAME.Test", "v4")["addresses"], ["10.1.2.3"])

    def test_several_a_records(self):
        r = self.resolve("multi.test", "v4")
        self.assertEqual(sorted(r["addresses"]), ["10.0.0.21", "10.0.0.22"])

    def test_truncated_answer_retried_over_tcp(self):
        want = sorted(f"10.3.0.{i}" for i in range(1, 61))
        self.assertEqual(sorted(self.resolve("big.test", "v4")["addresses"]), want)
        rc, lines = self.probe("async", "big.test", "v4", "big.test", "any")
        self.assertEqual(rc, 0, lines)
        self.assertEqual([sorted(line["addresses"]) for line in lines], [want, want])

    def test_many_async_lookups_on_one_loop(self):
        names = [f"n{i}.test" for i in range(50)] + ["name.test"] * 50
        args = [a for n in names for a in (n, "v4")]
        rc, lines = self.probe("async", *args)
        self.assertEqual(rc, 1)
        self.assertEqual(len(lines), 100)
        self.assertEqual(sum(1 for line in lines if line.get("error") == "dns-not-found"), 50)
        self.assertEqual(sum(1 for line in lines if line.get("addresses") == ["10.1.2.3"]), 50)

    def test_families(self):
        self.assertEqual(self.resolve("six.test", "v6")["addresses"], ["fd00::6"])
        self.assertEqual(self.resolve("both.test", "v6")["addresses"], ["fd00::7"])
        self.assertEqual(self.resolve("both.test", "v4")["addresses"], ["10.0.0.7"])
        both = self.resolve("both.test", "any")
        self.assertEqual(sorted(both["addresses"]), ["10.0.0.7", "fd00::7"])

    def test_no_record_of_the_family_is_not_found(self):
        r = self.resolve("six.test", "v4")
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"], "dns-not-found")

    def test_nxdomain_is_not_found(self):
        r = self.resolve("nope.test", "any")
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"], "dns-not-found")
        self.assertIn("nope.test", r["message"])

    def test_refused_is_a_failure(self):
        # dnsmasq has no upstream for names outside .test and answers REFUSED.
        r = self.resolve("elsewhere.invalid", "v4", search=())
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"], "dns-failure")

    def test_silent_server_is_a_timeout(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))
            server = f"127.0.0.1:{silent.getsockname()[1]}"
            r = self.resolve("name.test", "v4", server=server, timeout_ms=400)
            self.assertEqual(r["error"], "dns-timeout")
            rc, lines = self.probe("async", "name.test", "v4", server=server, timeout_ms=400)
            self.assertEqual(rc, 1)
            self.assertEqual(lines[0]["error"], "dns-timeout")

    def test_closed_port_is_a_failure(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        r = self.resolve("name.test", "v4", server=f"127.0.0.1:{port}", timeout_ms=1000)
        self.assertEqual(r["error"], "dns-failure")  # ICMP port unreachable: c-ares ECONNREFUSED

    def test_concurrent_sync_lookups_share_one_resolver(self):
        rc, lines = self.probe("threads", "8", "25", "both.test", "any")
        self.assertEqual(rc, 0, lines)
        self.assertEqual(lines[0], {"lookups": 200, "failures": 0, "distinct_answers": 1})

    def test_ipv6_server_address(self):
        r = self.resolve("name.test", "v4", server=f"[::1]:{self.port}")
        self.assertEqual(r["addresses"], ["10.1.2.3"])

    def test_localhost_without_dns(self):
        # RFC 6761: localhost never goes to the DNS (the hosts file, or c-ares' built-in answer).
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))
            r = self.resolve("localhost", "v4", server=f"127.0.0.1:{silent.getsockname()[1]}")
            self.assertEqual(r["addresses"], ["127.0.0.1"])

    def test_search_list_through_resolve(self):
        # A single label goes through the search list, as with getaddrinfo.
        self.assertEqual(self.resolve("wpad", "v4")["addresses"], ["10.9.9.9"])

    def test_search_list_walk_reports_each_name(self):
        rc, lines = self.probe("search", "wpad", "v4")
        self.assertEqual(rc, 0, lines)
        r = lines[0]
        self.assertEqual(r["name"], "wpad.corp.test.")
        self.assertEqual(r["addresses"], ["10.9.9.9"])
        self.assertEqual(r["attempts"], [
            {"name": "wpad.x.test.", "outcome": "dns-not-found"},
            {"name": "wpad.corp.test.", "outcome": "ok"},
        ])

    def test_search_list_walk_not_found_lists_every_name(self):
        rc, lines = self.probe("search", "nothing", "v4")
        self.assertEqual(rc, 1)
        self.assertEqual(lines[0]["error"], "dns-not-found")
        for name in ("nothing.x.test.", "nothing.corp.test."):
            self.assertIn(name, lines[0]["message"])

    def test_absolute_name_skips_the_search_list(self):
        rc, lines = self.probe("absolute", "wpad", "v4")
        self.assertEqual(lines[0]["error"], "dns-not-found")
        rc, lines = self.probe("absolute", "wpad.corp.test", "v4")
        self.assertEqual(lines[0]["addresses"], ["10.9.9.9"])

    def test_search_domains_from_options(self):
        rc, lines = self.probe("domains")
        self.assertEqual(lines[0]["domains"], ["x.test", "corp.test"])

    def test_soa_marks_a_zone_apex(self):
        server = f"127.0.0.2:{self.port}"
        rc, lines = self.probe("soa", "corp.test", server=server)
        self.assertEqual(lines[0], {"name": "corp.test", "ok": True, "soa": True})
        rc, lines = self.probe("soa", "wpad.corp.test", server=server)
        self.assertEqual(lines[0]["soa"], False)
        rc, lines = self.probe("soa", "missing.corp.test", server=server)
        self.assertEqual(lines[0]["soa"], False)

    def test_async_lookups_run_concurrently_on_one_loop(self):
        rc, lines = self.probe("async", "name.test", "v4", "both.test", "any", "six.test", "v6",
                               "nope.test", "v4", "10.5.5.5", "v4")
        self.assertEqual(rc, 1)
        by_name = {line["name"]: line for line in lines}
        self.assertEqual(len(by_name), 5)
        self.assertEqual(by_name["name.test"]["addresses"], ["10.1.2.3"])
        self.assertEqual(by_name["name.test"]["ttl"], 77)
        self.assertEqual(sorted(by_name["both.test"]["addresses"]), ["10.0.0.7", "fd00::7"])
        self.assertEqual(by_name["six.test"]["addresses"], ["fd00::6"])
        self.assertEqual(by_name["nope.test"]["error"], "dns-not-found")
        self.assertEqual(by_name["10.5.5.5"]["addresses"], ["10.5.5.5"])

    def test_cache_answers_repeats_from_memory(self):
        rc, lines = self.probe("cached", "name.test", "v4", "3")
        self.assertEqual(rc, 0)
        self.assertEqual([line["addresses"] for line in lines[:3]], [["10.1.2.3"]] * 3)
        self.assertTrue(all(0 < line["ttl"] <= 77 for line in lines[:3]))
        self.assertEqual(lines[3], {"hits": 2, "misses": 1})

    def test_cache_keeps_failures(self):
        rc, lines = self.probe("cached", "gone.test", "v4", "2")
        self.assertEqual(rc, 1)
        self.assertEqual([line["error"] for line in lines[:2]], ["dns-not-found"] * 2)
        self.assertEqual(lines[2], {"hits": 1, "misses": 1})

    def test_bad_server_string_is_a_config_error(self):
        rc, lines = self.probe("resolve", "name.test", "v4", server="not-an-ip")
        self.assertEqual(rc, 1)
        self.assertEqual(lines[0]["error"], "config")


if __name__ == "__main__":
    unittest.main()
