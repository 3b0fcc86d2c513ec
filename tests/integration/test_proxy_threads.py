"""How many threads `pactool proxy` and pacserver's bundled proxy run, seen from outside: every thread
we start is named (proxy-io/N, pac-eval/N), so /proc/PID/task/*/comm counts them.

`pactool proxy` runs beside its clients and by default leaves them a core (one I/O thread per core
but one, at least one); `--threads N` and the config's `threads = N` set the count; pacserver's
bundled proxy keeps one I/O thread per core."""
import os
import unittest

import wpadkit_testlib as lib
from proxy_peers import EchoOrigin, curl

DIRECT_PAC = 'function FindProxyForURL(url, host) { return "DIRECT"; }\n'
CORES = os.cpu_count()


def thread_names(pid):
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            names.append(f.read().strip())
    return names


def count(names, prefix):
    return sum(1 for n in names if n.startswith(prefix))


class Proxy:
    """`pactool proxy --listen 127.0.0.1:0 ARGS`, ready once it printed its port."""

    def __init__(self, *args):
        self.bg = lib.Background([lib.binary("pactool"), "proxy", "--listen", "127.0.0.1:0", *args])
        try:
            m = self.bg.wait_for(r"^listening on 127\.0\.0\.1:(\d+)")
        except BaseException:
            self.bg.stop()
            raise
        self.port = int(m.group(1))
        self.pid = self.bg.proc.pid

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bg.stop()


class PactoolProxyThreads(unittest.TestCase):
    def setUp(self):
        self.origin = EchoOrigin().__enter__()
        self.addCleanup(self.origin.__exit__, None, None, None)

    def serves(self, proxy):
        status, _, body = curl("-x", f"http://127.0.0.1:{proxy.port}", f"http://127.0.0.1:{self.origin.port}/t")
        self.assertEqual(status, 200, body)

    def test_default_leaves_the_clients_a_core(self):
        with lib.temp_dir() as tmp:
            pac = lib.write(os.path.join(tmp, "p.pac"), DIRECT_PAC)
            with Proxy("--pac", pac, "--pac-threads", "3") as proxy:
                self.serves(proxy)
                names = thread_names(proxy.pid)
                self.assertEqual(count(names, "proxy-io/"), max(1, CORES - 1), names)
                self.assertEqual(count(names, "pac-eval/"), 3, names)

    def test_flag_and_config_set_the_count(self):
        with Proxy("--route", "DIRECT", "--threads", "3") as proxy:
            self.serves(proxy)
            self.assertEqual(count(thread_names(proxy.pid), "proxy-io/"), 3)
        with lib.temp_dir() as tmp:
            cfg = lib.write(os.path.join(tmp, "p.toml"), '[proxy]\nthreads = 2\n[pac]\nroute = "DIRECT"\n')
            with Proxy("--config", cfg) as proxy:
                self.serves(proxy)
                self.assertEqual(count(thread_names(proxy.pid), "proxy-io/"), 2)


class PacserverBundledProxyThreads(unittest.TestCase):
    def test_one_io_thread_per_core(self):
        with lib.temp_dir() as tmp:
            cfg = lib.write(os.path.join(tmp, "pacserver.toml"), """
[server]
listen = ["127.0.0.1:0"]

[proxy]
listen = "127.0.0.1:0"

[[variants]]
name = "all"
template = "bundled-proxy"
""")
            with lib.PacServer(["--config", cfg]) as server:
                self.assertEqual(count(thread_names(server.proc.pid), "proxy-io/"), CORES)


if __name__ == "__main__":
    unittest.main()
