"""`pactool proxy --pac auto` on a small LAN of network namespaces.

The LAN is test_wpad_discover's: a server namespace with dnsmasq (DNS for corp.test, a wpad name) and
an HTTP server (wpad.dat and two pages), joined by a veth pair to a client namespace whose resolv.conf
points at that dnsmasq. In the server namespace a second pactool proxy (--route DIRECT, Via
"parent-proxy") stands for the corporate proxy the discovered PAC names. The proxy under test runs in
the client namespace with --pac auto: it must find http://wpad.corp.test/wpad.dat by DNS, say so on
stderr, and then route per that PAC (through the parent for /via-parent/, DIRECT otherwise) — which
the Via header of each response shows. While nothing is found the no-PAC policy applies, and
discovery runs again on SIGHUP and every --refetch interval. Needs root, as test_wpad_discover does.
"""
import os
import re
import signal
import subprocess
import unittest

import wpadkit_testlib as lib
from wpad_lan import Lan


def pac_for(lan):
    return ('function FindProxyForURL(url, host) {\n'
            '  if (shExpMatch(url, "*/via-parent/*")) return "PROXY %s:3128";\n'
            '  return "DIRECT";\n}\n' % lan.server_ip)


class NsProcess(lib.Background):
    """A program in a namespace, its output drained (lib.Background)."""

    def __init__(self, ns, args):
        super().__init__(["ip", "netns", "exec", ns] + args)

    def err_count(self):
        return self.mark("err")


class ProxyAutoTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.fail("these tests build network namespaces and need root (run them as root, as CI does)")
        self.lan = Lan(self).build()
        lan = self.lan
        lan.dnsmasq(f"--address=/wpad.corp.test/{lan.server_ip}")

    def start(self, ns, args):
        p = NsProcess(ns, args)
        self.addCleanup(p.stop)
        return p

    def start_parent(self):
        lan = self.lan
        parent = self.start(lan.server_ns, [lib.binary("pactool"), "proxy", "--route", "DIRECT", "--listen",
                                            f"{lan.server_ip}:3128", "--allow", f"{lan.client_ip}/32",
                                            "--via", "parent-proxy", "--threads", "1"])
        parent.wait_for(r"listening on ")

    def start_auto(self, *extra):
        proxy = self.start(self.lan.client_ns, [lib.binary("pactool"), "proxy", "--pac", "auto", "--listen",
                                                "127.0.0.1:0", "--threads", "1", "--via", "auto-proxy",
                                                *extra])
        port = int(proxy.wait_for(r"listening on 127\.0\.0\.1:(\d+)").group(1))
        return proxy, port

    def get(self, port, path):
        """curl in the client namespace through the proxy; returns (exit code, response head, body)."""
        p = subprocess.run(["ip", "netns", "exec", self.lan.client_ns, "curl", "-sS", "-D", "-",
                            "--connect-timeout", "60", "--speed-limit", "1", "--speed-time", "60", "-x", f"http://127.0.0.1:{port}", f"http://{self.lan.server_ip}{path}"],
                           capture_output=True, text=True, timeout=600)
        # Text mode turned each CRLF into "\n".
        head, _, body = p.stdout.partition("\n\n")
        return p.returncode, head, body + p.stderr

    def test_discovers_by_dns_and_routes_per_the_pac(self):
        lan = self.lan
        lan.serve_http({"wpad.dat": pac_for(lan), "hello.txt": "hello direct\n",
                        "via-parent/hello.txt": "hello via parent\n"})
        self.start_parent()
        proxy, port = self.start_auto()
        m = proxy.wait_for(r"WPAD found (\S+) by (\w+) \((.*)\)", stream="err")
        self.assertEqual(m.group(1), "http://wpad.corp.test/wpad.dat")
        self.assertEqual(m.group(2), "DNS")
        self.assertIn(f"wpad.corp.test -> {lan.server_ip}", m.group(3))
        proxy.wait_for(r"loaded PAC http://wpad\.corp\.test/wpad\.dat", stream="err")

        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertIn("hello via parent", body)
        # Each proxy adds its own Via line: the parent's, then ours.
        self.assertRegex(head, r"(?im)^via: .*parent-proxy")
        self.assertRegex(head, r"(?im)^via: .*auto-proxy")
        rc, head, body = self.get(port, "/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertIn("hello direct", body)
        self.assertRegex(head, r"(?im)^via: .*auto-proxy")
        self.assertNotIn("parent-proxy", head)

    def test_nothing_found_applies_the_policy_until_sighup_finds_it(self):
        lan = self.lan
        # wpad.corp.test resolves, but serves no wpad.dat yet: located, unusable.
        lan.serve_http({"hello.txt": "hello direct\n", "via-parent/hello.txt": "hello via parent\n"})
        self.start_parent()
        proxy, port = self.start_auto("--no-pac", "direct", "--refetch", "600")
        proxy.wait_for(r"WPAD found no PAC.*the no-PAC policy applies", stream="err")
        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertNotIn("parent-proxy", head, "no PAC: --no-pac direct sends it DIRECT")

        lib.write(os.path.join(lan.www, "wpad.dat"), pac_for(lan))
        mark = proxy.err_count()
        proxy.send_signal(signal.SIGHUP)
        proxy.wait_for(r"WPAD found http://wpad\.corp\.test/wpad\.dat by DNS", stream="err", start=mark)
        proxy.wait_for(r"loaded PAC", stream="err", start=mark)
        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertRegex(head, r"(?im)^via: .*parent-proxy")

    def test_nothing_found_is_retried_every_refetch_interval(self):
        lan = self.lan
        lan.serve_http({"hello.txt": "hello direct\n"})
        proxy, port = self.start_auto("--no-pac", "refuse", "--refetch", "1")
        proxy.wait_for(r"WPAD found no PAC", stream="err")
        rc, head, body = self.get(port, "/hello.txt")
        self.assertIn(" 503", head.split("\n")[0], "no PAC: --no-pac refuse answers 503")
        lib.write(os.path.join(lan.www, "wpad.dat"), pac_for(lan))
        # No signal: the next try, at most --refetch seconds (plus discovery) later, finds it.
        proxy.wait_for(r"WPAD found http://wpad\.corp\.test/wpad\.dat by DNS", stream="err", timeout=60)
        proxy.wait_for(r"loaded PAC", stream="err")
        rc, head, body = self.get(port, "/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertIn("hello direct", body)


    def test_an_address_change_rediscovers_and_drops_a_pac_the_new_network_lacks(self):
        lan = self.lan
        lan.serve_http({"wpad.dat": pac_for(lan), "hello.txt": "hello direct\n",
                        "via-parent/hello.txt": "hello via parent\n"})
        self.start_parent()
        proxy, port = self.start_auto("--no-pac", "direct", "--refetch", "600")
        proxy.wait_for(r"loaded PAC http://wpad\.corp\.test/wpad\.dat", stream="err")
        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertRegex(head, r"(?im)^via: .*parent-proxy")

        # WPAD finds nothing, but the network did not change (SIGHUP): the PAC found before stays.
        os.remove(os.path.join(lan.www, "wpad.dat"))
        mark = proxy.err_count()
        proxy.send_signal(signal.SIGHUP)
        proxy.wait_for(r"WPAD found no PAC.*; keeping the PAC from http://wpad\.corp\.test/wpad\.dat",
                       stream="err", start=mark)
        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertRegex(head, r"(?im)^via: .*parent-proxy")

        # Another network (a new address) without WPAD: rediscovered at once, and the PAC is dropped.
        new_ip = f"10.{lan.net}.0.3"
        mark = proxy.err_count()
        subprocess.run(["ip", "netns", "exec", lan.client_ns, "ip", "addr", "add", f"{new_ip}/24", "dev",
                        lan.client_if], check=True)
        proxy.wait_for(rf"the local addresses changed \(.*{re.escape(new_ip)}.*\): discovering", stream="err",
                       start=mark)
        proxy.wait_for(r"WPAD found no PAC.*the network changed: unloaded the PAC from "
                       r"http://wpad\.corp\.test/wpad\.dat", stream="err", start=mark, timeout=60)
        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertIn("hello via parent", body)
        self.assertNotIn("parent-proxy", head, "no PAC any more: --no-pac direct sends it DIRECT")

        # Back on a network with WPAD: found and loaded again.
        lib.write(os.path.join(lan.www, "wpad.dat"), pac_for(lan))
        mark = proxy.err_count()
        subprocess.run(["ip", "netns", "exec", lan.client_ns, "ip", "addr", "del", f"{new_ip}/24", "dev",
                        lan.client_if], check=True)
        proxy.wait_for(r"WPAD found http://wpad\.corp\.test/wpad\.dat by DNS", stream="err", start=mark,
                       timeout=60)
        proxy.wait_for(r"loaded PAC", stream="err", start=mark)
        rc, head, body = self.get(port, "/via-parent/hello.txt")
        self.assertEqual(rc, 0, body)
        self.assertRegex(head, r"(?im)^via: .*parent-proxy")

if __name__ == "__main__":
    unittest.main()
