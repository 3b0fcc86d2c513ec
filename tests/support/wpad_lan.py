"""A small LAN of network namespaces for WPAD tests: a server namespace running dnsmasq (DHCP with
option 252 and/or DNS for a test domain) and a real HTTP server (python3 http.server) serving
wpad.dat, joined by a veth pair to a client namespace whose /etc/netns/<ns>/resolv.conf points at that
dnsmasq. Everything is removed when the test ends (addCleanup), also on failure. Needs root."""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import wpadkit_testlib as lib

# The HTTP server: serves DIR on ADDR:80 with the PAC MIME type for .dat/.pac, prints READY once bound.
HTTP_SERVER = r"""
import functools, http.server, sys
addr, root = sys.argv[1], sys.argv[2]
class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".dat": "application/x-ns-proxy-autoconfig",
                      ".pac": "application/x-ns-proxy-autoconfig"}
    def log_message(self, *args):
        sys.stderr.write((args[0] % args[1:]) + "\n")
server = http.server.HTTPServer((addr, 80), functools.partial(Handler, directory=root))
print("READY", flush=True)
server.serve_forever()
"""


def sh(*args, check=True):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


class Lan:
    """Two namespaces joined by a veth pair: server 10.N.0.1/24, client 10.N.0.2/24."""

    def __init__(self, test):
        self.test = test
        tag = f"{os.getpid() % 100000}{random.randrange(1000):03d}"
        self.server_ns, self.client_ns = f"wpS{tag}", f"wpC{tag}"
        self.server_if, self.client_if = f"wvs{tag}", f"wvc{tag}"
        self.net = random.randrange(64, 250)
        self.server_ip, self.client_ip = f"10.{self.net}.0.1", f"10.{self.net}.0.2"
        self.dir = tempfile.mkdtemp(prefix="wpadkit-wpad-")
        self.www = os.path.join(self.dir, "www")
        self.empty = os.path.join(self.dir, "no-leases")
        os.makedirs(self.www)
        os.makedirs(self.empty)
        test.addCleanup(shutil.rmtree, self.dir, True)
        self.procs = []

    def build(self, search="lab.corp.test corp.test"):
        t = self.test
        p = sh("ip", "netns", "add", self.server_ns, check=False)
        if p.returncode != 0:
            t.fail(f"cannot create a network namespace (needs root and CAP_SYS_ADMIN): {p.stderr.strip()}")
        t.addCleanup(sh, "ip", "netns", "del", self.server_ns, check=False)
        sh("ip", "netns", "add", self.client_ns)
        t.addCleanup(sh, "ip", "netns", "del", self.client_ns, check=False)
        sh("ip", "link", "add", self.server_if, "netns", self.server_ns, "type", "veth",
           "peer", "name", self.client_if, "netns", self.client_ns)
        for ns, dev, ip in ((self.server_ns, self.server_if, self.server_ip),
                            (self.client_ns, self.client_if, self.client_ip)):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        # A broadcast DHCPINFORM needs a route, or sendto fails with "network is unreachable".
        sh("ip", "-n", self.client_ns, "route", "add", "default", "via", self.server_ip)
        etc = f"/etc/netns/{self.client_ns}"
        os.makedirs(etc, exist_ok=True)
        t.addCleanup(shutil.rmtree, etc, True)
        lib.write(os.path.join(etc, "resolv.conf"),
                  f"nameserver {self.server_ip}\nsearch {search}\noptions timeout:1 attempts:1\n")
        return self

    def start(self, args, name):
        bg = lib.Background(["ip", "netns", "exec", self.server_ns] + args)
        self.test.addCleanup(bg.stop)
        self.procs.append((name, bg))
        return bg

    def serve_http(self, files):
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(self.www, path)), exist_ok=True)
            lib.write(os.path.join(self.www, path), text)
        script = lib.write(os.path.join(self.dir, "http_server.py"), HTTP_SERVER)
        bg = self.start([sys.executable, script, self.server_ip, self.www], "http")
        bg.wait_for(r"^READY$")

    def dnsmasq(self, *extra, dhcp_option=None):
        args = ["dnsmasq", "--keep-in-foreground", f"--interface={self.server_if}", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--port=53", "--user=root",
                f"--pid-file={self.dir}/dnsmasq.pid", f"--log-facility={self.dir}/dnsmasq.log",
                "--log-queries", "--log-dhcp", "--local=/corp.test/", "--local=/co.uk/"]
        if dhcp_option is not None:
            args += [f"--dhcp-range={self.server_ip[:-1]}100,{self.server_ip[:-1]}200,1h",
                     f"--dhcp-option=252,{dhcp_option}"]
        self.start(args + list(extra), "dnsmasq")
        # Ready when it listens: DNS on the server address, and DHCP when configured.
        want = [f"{self.server_ip}:53"] + ([":67"] if dhcp_option is not None else [])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            listening = sh("ip", "netns", "exec", self.server_ns, "ss", "-Hlun").stdout
            if all(w in listening for w in want):
                return
            time.sleep(0.05)
        self.test.fail(f"dnsmasq did not start: {self.log()}")

    def log(self):
        try:
            with open(os.path.join(self.dir, "dnsmasq.log"), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return "(no dnsmasq log)"

    def discover(self, *args, timeout=60, lease_root=None, as_user=None):
        user = [] if as_user is None else ["setpriv", f"--reuid={as_user}", f"--regid={as_user}",
                                            "--clear-groups"]
        cmd = ["ip", "netns", "exec", self.client_ns] + user + [lib.binary("pactool"), "discover",
               "--lease-root", lease_root or self.empty, "--dhcp-timeout", "400", "--dhcp-attempts", "2",
               "--fetch-timeout", "5000"] + list(args)
        return lib.run(cmd, timeout=timeout)
