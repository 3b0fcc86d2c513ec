"""pactool fetch against a real HTTP server on 127.0.0.1 that this test starts: a good PAC, 404, an
HTML body, a wrong MIME type, redirects (followed, and a loop past the limit), an oversize body, an
unreachable port, a local file, and -o."""
import http.server
import json
import os
import threading
import unittest

import wpadkit_testlib as lib

PAC = "function FindProxyForURL(url, host) { return \"PROXY p.example:8080; DIRECT\"; }\n"
MIME = "application/x-ns-proxy-autoconfig"


class Handler(http.server.BaseHTTPRequestHandler):
    routes = {
        "/ok.pac": (200, MIME, PAC),
        "/missing.pac": (404, "text/html", "<html>not found</html>"),
        "/portal.pac": (200, MIME, "<html><body>Please log in</body></html>"),
        "/plain.pac": (200, "text/plain", PAC),
        "/big.pac": (200, MIME, "// " + "x" * (2 * 1024 * 1024) + "\n" + PAC),
    }

    def do_GET(self):
        if self.path.startswith("/redirect/"):
            n = int(self.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/redirect/{n - 1}" if n > 1 else "/ok.pac")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", "no"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class FetchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        lib.wait_for_port(cls.server.server_address[1])

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def fetch(self, *args):
        return lib.run([lib.binary("pactool"), "fetch", *args])

    def test_good_pac_to_stdout(self):
        p = self.fetch(self.base + "/ok.pac")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, PAC)
        self.assertEqual(p.stderr, "")

    def test_404(self):
        p = self.fetch(self.base + "/missing.pac")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        self.assertIn("404", p.stderr)
        self.assertIn("error", p.stderr)

    def test_html_body(self):
        p = self.fetch(self.base + "/portal.pac")
        self.assertEqual(p.returncode, 1)
        self.assertIn("HTML", p.stderr)

    def test_wrong_mime_is_a_firefox_warning(self):
        p = self.fetch("--json", self.base + "/plain.pac")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertTrue(out["usable"])
        self.assertEqual(out["body"], PAC)
        self.assertEqual([(f["severity"], f["client"]) for f in out["findings"]], [("warning", "firefox")])
        self.assertIn("text/plain", out["findings"][0]["message"])

    def test_redirects(self):
        p = self.fetch("--json", self.base + "/redirect/3")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(len(out["redirects"]), 3)
        self.assertTrue(out["final_url"].endswith("/ok.pac"))
        p = self.fetch("--max-redirects", "2", self.base + "/redirect/5")
        self.assertEqual(p.returncode, 1)
        self.assertIn("more than 2 redirects", p.stderr)

    def test_oversize(self):
        p = self.fetch(self.base + "/big.pac")
        self.assertEqual(p.returncode, 1)
        self.assertIn("limit", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        p = self.fetch("--max-size", "3M", self.base + "/big.pac")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_unreachable_and_bad_urls(self):
        port = lib.free_port()
        p = self.fetch(f"http://127.0.0.1:{port}/wpad.dat")
        self.assertEqual(p.returncode, 3)
        self.assertIn(f"127.0.0.1:{port}", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        p = self.fetch("gopher://example/x.pac")
        self.assertEqual(p.returncode, 3)
        p = self.fetch("/no/such/file.pac")
        self.assertEqual(p.returncode, 3)
        self.assertIn("/no/such/file.pac", p.stderr)

    def test_output_file_and_local_file(self):
        with lib.temp_dir() as d:
            out = os.path.join(d, "saved.pac")
            p = self.fetch("-o", out, self.base + "/ok.pac")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            with open(out) as f:
                self.assertEqual(f.read(), PAC)
            p = self.fetch(out)
            self.assertEqual((p.returncode, p.stdout), (0, PAC))

    def test_eval_reads_pac_from_url(self):
        p = lib.run([lib.binary("pactool"), "eval", "--pac", self.base + "/ok.pac", "http://a.example/"])
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "PROXY p.example:8080; DIRECT"))
        p = lib.run([lib.binary("pactool"), "eval", "--pac", self.base + "/missing.pac", "http://a.example/"])
        self.assertEqual(p.returncode, 3)
        self.assertIn("/missing.pac", p.stderr)


if __name__ == "__main__":
    unittest.main()
