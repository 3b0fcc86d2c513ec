"""An independent evaluator: every template's output, as pacserver serves it, evaluated by Debian's
pacparser (python3-pacparser, SpiderMonkey), gives exactly the answers of the golden cases — which
pacserver's own engine already enforced before publishing. Both engines must agree."""
# examples/pacserver-bundled-proxy.toml starts the bundled proxy on 127.0.0.1:3128.
# ctest-resource-lock: port-3128
import glob
import os
import tomllib
import unittest

from wpadkit_testlib import PacServer, http_get, needs_peer, source, temp_dir, write

try:
    import pacparser
except ImportError:  # pacparser is a Debian module: run with /usr/bin/python3
    pacparser = None


def host_of(url):
    rest = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0]
    if rest.startswith("["):
        return rest[1:rest.index("]")].lower()
    return rest.rsplit(":", 1)[0].lower() if ":" in rest else rest.lower()


@needs_peer(pacparser is not None, "python3-pacparser is not importable (use /usr/bin/python3)")
class PacparserAgreesTest(unittest.TestCase):
    def evaluate(self, pac_text, cases):
        with temp_dir() as d:
            path = write(os.path.join(d, "wpad.dat"), pac_text)
            pacparser.init()
            try:
                pacparser.parse_pac_file(path)
                return [pacparser.find_proxy(c["url"], c.get("host") or host_of(c["url"])) for c in cases]
            finally:
                pacparser.cleanup()

    def test_every_template_golden_case(self):
        templates_seen = set()
        for config_path in sorted(glob.glob(source("examples", "pacserver*.toml"))):
            with open(config_path, "rb") as f:
                config = tomllib.load(f)
            with PacServer(["--config", config_path, "--listen", "127.0.0.1:0"]) as server:
                for variant in config["variants"]:
                    cases = variant.get("cases", [])
                    with self.subTest(config=os.path.basename(config_path), variant=variant["name"]):
                        status, h, body = http_get(server.url(f"/{variant['name']}.pac"))
                        self.assertEqual(status, 200)
                        self.assertTrue(cases, "every example variant has golden cases")
                        got = self.evaluate(body.decode("ascii"), cases)
                        self.assertEqual(got, [c["expect"] for c in cases])
                        templates_seen.add(variant["template"])
        self.assertEqual(templates_seen,
                         {"corporate", "split-tunnel", "load-balanced", "bundled-proxy", "sinkhole"})


if __name__ == "__main__":
    unittest.main()
