"""ares_resolver with its defaults reads the system's configuration like getaddrinfo does.

The test builds a network namespace with only a loopback interface, gives it its own
/etc/netns/NAME/resolv.conf (nameserver 127.0.0.1, a search list) and hosts file (which
`ip netns exec` bind-mounts over /etc), and runs dnsmasq on port 53 inside it. dns_probe then runs in
the namespace with no --server and no --search: everything it knows comes from those files. No packet
can leave the namespace. Needs root (CI runs as root); if namespaces cannot be made the test fails
with the reason.
"""
import json
import os
import shutil
import time
import unittest

import wpadkit_testlib as lib

PROBE = os.path.join(lib.BUILD_DIR, "proxycore", "dns", "dns_probe")
NS = f"wpadkit-dns-{os.getpid()}"
NS_ETC = os.path.join("/etc/netns", NS)


def sh(*args):
    return lib.run(list(args), timeout=30, check=0)


class DnsSystemConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(PROBE):
            raise FileNotFoundError(f"{PROBE} not built")
        cls.dnsmasq = None
        try:
            os.makedirs(NS_ETC, exist_ok=True)
            lib.write(os.path.join(NS_ETC, "resolv.conf"),
                      "nameserver 127.0.0.1\nsearch corp.test other.test\noptions ndots:1\n")
            lib.write(os.path.join(NS_ETC, "hosts"),
                      "127.0.0.1 localhost\n10.7.7.7 hosted.test\n")
            sh("ip", "netns", "add", NS)
            sh("ip", "-n", NS, "link", "set", "lo", "up")
            cls.dnsmasq = lib.Background([
                "ip", "netns", "exec", NS, "dnsmasq", "--port=53", "--no-resolv", "--no-hosts",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--keep-in-foreground",
                "--pid-file=", "--user=root", "--log-facility=-", "--local=/test/",
                "--address=/name.test/10.1.2.3", "--host-record=wpad.corp.test,10.9.9.9",
                # In DNS with another address than in the hosts file: shows which one answered.
                "--host-record=hosted.test,10.8.8.8", "--local-ttl=30",
            ])
            cls.wait_ready()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def wait_ready(cls):
        """Polls with real lookups through the namespace's resolv.conf until dnsmasq answers."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if cls.dnsmasq.proc.poll() is not None:
                raise RuntimeError(f"dnsmasq exited: {cls.dnsmasq.stop()[1]}")
            if cls.probe("--timeout", "300", "resolve", "name.test", "v4")[1][0].get("ok"):
                return
        raise TimeoutError("dnsmasq in the namespace did not answer")

    @classmethod
    def tearDownClass(cls):
        if cls.dnsmasq is not None:
            cls.dnsmasq.stop()
        lib.run(["ip", "netns", "del", NS], timeout=30)
        shutil.rmtree(NS_ETC, ignore_errors=True)

    @staticmethod
    def probe(*args):
        p = lib.run(["ip", "netns", "exec", NS, PROBE, *args], timeout=30)
        return p.returncode, [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

    def test_servers_come_from_resolv_conf(self):
        rc, lines = self.probe("resolve", "name.test", "v4")
        self.assertEqual(rc, 0, lines)
        self.assertEqual(lines[0]["addresses"], ["10.1.2.3"])
        self.assertEqual(lines[0]["ttl"], 30)

    def test_search_list_comes_from_resolv_conf(self):
        rc, lines = self.probe("domains")
        self.assertEqual(lines[0]["domains"], ["corp.test", "other.test"])
        rc, lines = self.probe("resolve", "wpad", "v4")
        self.assertEqual(lines[0]["addresses"], ["10.9.9.9"])
        rc, lines = self.probe("search", "wpad", "any")
        self.assertEqual(lines[0]["name"], "wpad.corp.test.")

    def test_hosts_file_first_like_the_system(self):
        rc, lines = self.probe("resolve", "hosted.test", "v4")
        self.assertEqual(lines[0]["addresses"], ["10.7.7.7"])
        self.assertEqual(lines[0]["ttl"], 0)
        rc, lines = self.probe("--no-hosts", "resolve", "hosted.test", "v4")
        self.assertEqual(lines[0]["addresses"], ["10.8.8.8"])

    def test_async_resolver_uses_the_same_configuration(self):
        rc, lines = self.probe("async", "hosted.test", "v4", "wpad", "v4")
        self.assertEqual(rc, 0, lines)
        by_name = {line["name"]: line["addresses"] for line in lines}
        self.assertEqual(by_name, {"hosted.test": ["10.7.7.7"], "wpad": ["10.9.9.9"]})


if __name__ == "__main__":
    unittest.main()
