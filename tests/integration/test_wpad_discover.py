"""pactool discover on a small LAN made of network namespaces.

Each test builds its own LAN: a server namespace running dnsmasq (DHCP with option 252 and/or DNS
for a test domain) and a real HTTP server (python3 http.server) serving wpad.dat, joined by a veth
pair to a client namespace whose /etc/netns/<ns>/resolv.conf points at that dnsmasq. pactool
discover runs in the client namespace through `ip netns exec`. Namespaces, /etc/netns/<ns> and every
process are removed when the test ends, also on failure. Needs root (CI runs as root); a test that
cannot build its LAN fails with the reason.
"""
import json
import os
import unittest

import wpadkit_testlib as lib
from wpad_lan import Lan

PAC = 'function FindProxyForURL(url, host) { return "PROXY proxy.corp.test:3128; DIRECT"; }\n'
HTML = "<html><body><h1>Welcome to the guest Wi-Fi</h1></body></html>\n"


class WpadDiscoverTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.fail("these tests build network namespaces and need root (run them as root, as CI does)")
        self.lan = Lan(self).build()

    def run_json(self, *args, expect, **kw):
        p = self.lan.discover("--json", *args, **kw)
        self.assertEqual(p.returncode, expect,
                         f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}\n"
                         f"dnsmasq:\n{self.lan.log()}")
        return json.loads(p.stdout)

    def test_dhcp_option_252_wins(self):
        lan = self.lan
        lan.serve_http({"wpad.dat": PAC})
        lan.dnsmasq(dhcp_option=f"http://{lan.server_ip}/wpad.dat")
        out = self.run_json("--interface", lan.client_if, "--eval", "http://www.example.com/", expect=0)
        self.assertTrue(out["found"])
        self.assertEqual(out["method"], "dhcp")
        self.assertEqual(out["url"], f"http://{lan.server_ip}/wpad.dat")
        self.assertIn(f"DHCPINFORM on {lan.client_if}", out["results"][0]["how"])
        self.assertIn(f"server {lan.server_ip}", out["results"][0]["how"])
        self.assertEqual(out["eval"][0]["result"], "PROXY proxy.corp.test:3128; DIRECT")
        # DNS was never needed: the first success wins.
        self.assertNotIn("dns", [s["method"] for s in out["steps"]])

    def test_dns_devolution_when_dhcp_is_silent(self):
        lan = self.lan
        lan.serve_http({"wpad.dat": PAC})
        lan.dnsmasq(f"--address=/wpad.corp.test/{lan.server_ip}")
        out = self.run_json("--client", "windows", expect=0)
        self.assertEqual(out["method"], "dns")
        self.assertEqual(out["url"], "http://wpad.corp.test/wpad.dat")
        self.assertEqual(out["primary_suffix"], "lab.corp.test")
        steps = [(s["method"], s["target"], s["outcome"]) for s in out["steps"]]
        self.assertIn(("dhcp", f"DHCPINFORM on {lan.client_if}", "error"), steps)
        self.assertIn(("dns", "wpad.lab.corp.test", "none"), steps)
        self.assertIn(("dns", "wpad.corp.test", "found"), steps)
        self.assertIn(("fetch", "http://wpad.corp.test/wpad.dat", "ok"), steps)

        # The browsers' single label goes through the search list to the same server.
        chrome = self.run_json("--client", "chrome", "--methods", "dns", expect=0)
        self.assertEqual(chrome["url"], "http://wpad/wpad.dat")
        self.assertIn("wpad.corp.test", chrome["results"][0]["how"])

        # Every client at once: one report each.
        every = self.run_json("--client", "all", "--methods", "dns", expect=0)
        by_client = {c["client"]: c for c in every["clients"]}
        self.assertEqual(set(by_client), {"standard", "windows", "chrome", "firefox", "libproxy", "kde"})
        self.assertEqual(by_client["windows"]["url"], "http://wpad.corp.test/wpad.dat")
        self.assertEqual(by_client["firefox"]["url"], "http://wpad/wpad.dat")

        # Text output: the URL and how it was found.
        p = lan.discover("--client", "windows", "--methods", "dns")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("found: http://wpad.corp.test/wpad.dat", p.stdout)
        self.assertIn("via dns: DNS wpad.corp.test -> " + lan.server_ip, p.stdout)

    def test_public_suffix_guard(self):
        lan = self.lan
        lan.serve_http({"wpad.dat": PAC})
        lan.dnsmasq(f"--address=/wpad.co.uk/{lan.server_ip}")
        # wpadkit's own client refuses to ask wpad.co.uk: nothing found.
        out = self.run_json("--methods", "dns", "--domain", "example.co.uk", expect=1)
        self.assertFalse(out["found"])
        notes = " ".join(s["detail"] for s in out["steps"])
        self.assertIn("wpad.co.uk not asked: co.uk is a public suffix", notes)
        self.assertNotIn("wpad.co.uk", [s["target"] for s in out["steps"]])
        self.assertNotIn("query[A] wpad.co.uk", lan.log())
        # Windows' devolution walks into it, and we say so.
        win = self.run_json("--methods", "dns", "--domain", "example.co.uk", "--client", "windows", expect=0)
        self.assertEqual(win["url"], "http://wpad.co.uk/wpad.dat")
        self.assertTrue(any("public suffix" in w for w in win["warnings"]), win["warnings"])

    def test_kde_walk_stops_at_the_zone_apex(self):
        """KDE's kpac walk against a real authoritative zone. dnsmasq is authoritative for corp.test
        (--auth-zone, answering on the LAN interface as --auth-server), so corp.test owns an SOA,
        while lab.corp.test is a name inside the zone: NODATA with the zone's SOA only in the
        authority section, which is not an apex. KDE walks past lab.corp.test and stops before
        asking wpad.corp.test; Windows' devolution, without the SOA rule, goes on to it."""
        lan = self.lan
        lan.serve_http({"wpad.dat": PAC})
        lan.dnsmasq("--auth-zone=corp.test", f"--auth-server=ns.corp.test,{lan.server_if}",
                    f"--host-record=wpad.corp.test,{lan.server_ip}",
                    f"--host-record=wpad.lab.corp.test,{lan.server_ip}")

        def steps(out):
            return [(s["method"], s["target"], s["outcome"]) for s in out["steps"]]

        # Under lab.corp.test: lab.corp.test is not an apex, the walk goes on and finds its wpad.
        kde = self.run_json("--client", "kde", "--methods", "dns", "--domain", "a.lab.corp.test", expect=0)
        self.assertEqual(kde["url"], "http://wpad.lab.corp.test/wpad.dat")
        self.assertEqual(steps(kde)[:3], [("dns", "wpad.a.lab.corp.test", "none"),
                                          ("soa", "lab.corp.test", "none"),
                                          ("dns", "wpad.lab.corp.test", "found")])
        self.assertIn("auth[SOA] lab.corp.test", lan.log())

        # Directly under the apex: corp.test has an SOA, so wpad.corp.test is never asked.
        kde = self.run_json("--client", "kde", "--methods", "dns", "--domain", "dev.corp.test", expect=1)
        self.assertFalse(kde["found"])
        self.assertEqual(steps(kde), [("dns", "wpad.dev.corp.test", "none"), ("soa", "corp.test", "stop")])
        self.assertIn("auth corp.test is <SOA>", lan.log())
        self.assertNotIn("[A] wpad.corp.test", lan.log())

        win = self.run_json("--client", "windows", "--methods", "dns", "--domain", "dev.corp.test", expect=0)
        self.assertEqual(win["url"], "http://wpad.corp.test/wpad.dat")
        self.assertNotIn("soa", [s["method"] for s in win["steps"]])
        self.assertIn("auth[A] wpad.corp.test", lan.log())

    def test_404_and_html_answers_are_rejected(self):
        lan = self.lan
        lan.serve_http({"portal/wpad.dat": HTML})
        lan.dnsmasq(f"--address=/wpad.corp.test/{lan.server_ip}",
                    dhcp_option=f"http://{lan.server_ip}/portal/wpad.dat")
        out = self.run_json("--all", expect=3)
        self.assertFalse(out["found"])
        self.assertTrue(out["located_unusable"])
        fetches = {s["target"]: s for s in out["steps"] if s["method"] == "fetch"}
        html = fetches[f"http://{lan.server_ip}/portal/wpad.dat"]
        self.assertEqual(html["outcome"], "rejected")
        self.assertIn("looks like HTML", html["detail"])
        missing = fetches["http://wpad.corp.test/wpad.dat"]
        self.assertEqual(missing["outcome"], "rejected")
        self.assertIn("HTTP status 404", missing["detail"])

    def test_malformed_option_252_is_reported(self):
        lan = self.lan
        lan.dnsmasq(dhcp_option="file:///etc/proxy.pac")
        out = self.run_json("--methods", "dhcp", expect=3)
        self.assertTrue(any("malformed" in w and "'file'" in w for w in out["warnings"]), out["warnings"])

    def test_nothing_found(self):
        lan = self.lan
        lan.dnsmasq()
        p = lan.discover()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("not found: no WPAD PAC discovered", p.stdout)
        # Every step with its outcome and time.
        self.assertRegex(p.stdout, r"\d+ ms  dhcp\s+error\s+DHCPINFORM on " + lan.client_if)
        self.assertRegex(p.stdout, r"\d+ ms  dns\s+none\s+wpad\.lab\.corp\.test")
        self.assertRegex(p.stdout, r"\d+ ms  dns\s+none\s+wpad\.corp\.test")

    def test_without_root_dhcpinform_is_refused_and_lease_files_answer(self):
        lan = self.lan
        lan.serve_http({"wpad.dat": PAC})
        lan.dnsmasq()
        root = os.path.join(lan.dir, "leases")
        lease_dir = os.path.join(root, "var", "lib", "dhcp")
        os.makedirs(lease_dir)
        lib.write(os.path.join(lease_dir, f"dhclient.{lan.client_if}.leases"),
                  f'lease {{\n  interface "{lan.client_if}";\n  fixed-address {lan.client_ip};\n'
                  f'  option wpad "http://{lan.server_ip}/wpad.dat\\012";\n}}\n')
        for d, _, files in os.walk(lan.dir):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
        out = self.run_json("--methods", "dhcp", lease_root=root, as_user=65534, expect=0)
        inform = [s for s in out["steps"] if s["target"].startswith("DHCPINFORM")]
        self.assertEqual(inform[0]["outcome"], "error")
        self.assertIn("CAP_NET_BIND_SERVICE", inform[0]["detail"])
        self.assertEqual(out["url"], f"http://{lan.server_ip}/wpad.dat")
        self.assertIn("lease file", out["results"][0]["how"])
        self.assertTrue(any("newline" in w for w in out["warnings"]), out["warnings"])

    def test_usage_errors(self):
        for args, needle in ((["--client", "netscape"], "unknown client 'netscape'"),
                             (["--methods", "dhcp,mdns"], "'mdns'"),
                             (["--eval", "not-a-url"], "--eval")):
            p = self.lan.discover(*args)
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertIn(needle, p.stderr)
            self.assertNotIn("terminate", p.stderr)


class WpadExamplesTest(unittest.TestCase):
    def test_dnsmasq_example_is_valid(self):
        p = lib.run(["dnsmasq", "--test", "--conf-file=" + lib.source("examples", "dnsmasq-wpad.conf")])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("syntax check OK", p.stderr)


if __name__ == "__main__":
    unittest.main()
