"""The modern-JavaScript PAC corpus (tests/pac-corpus/, ES2015-ES2021 files written like real ones),
on the three paths: for every URL of urls.txt, `pactool eval` gives the answer of node (V8) running
the same file in an environment built from Chromium's PAC helper library
(tests/support/pac_env_node.js); pacserver publishes every file — as a template of its own, with
node's answers as its golden cases, which its engine checks before serving — and serves it
unchanged; and `pactool proxy --pac FILE` routes by node's answer (offline, every route fails, and
its 502 names the PAC's answer)."""
import glob
import ipaddress
import os
import shutil
import unittest

from proxy_peers import ProxyUnderTest, curl
from wpadkit_testlib import PacServer, binary, http_get, run, source, temp_dir, write

CORPUS = source("tests", "pac-corpus")
MY_IP = "192.168.1.10"


def corpus_files():
    files = sorted(glob.glob(os.path.join(CORPUS, "*.pac")))
    assert len(files) >= 4, files
    return files


def urls():
    with open(os.path.join(CORPUS, "urls.txt")) as f:
        return [l.strip() for l in f if l.strip()]


def dns_args():
    with open(os.path.join(CORPUS, "dns.txt")) as f:
        return [a for l in f if l.strip() for a in ("--dns", l.strip())]


def node_answers(pac, url_list=None, dns=True):
    url_list = urls() if url_list is None else url_list
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node (Debian's nodejs) is a build dependency of wpadkit"
    p = run([node, source("tests", "support", "pac_env_node.js"), "--pac", pac,
             *(dns_args() if dns else []), "--my-ip", MY_IP, *url_list], check=0)
    answers = p.stdout.splitlines()
    assert len(answers) == len(url_list), p.stdout
    return answers


def is_ip_literal(host):
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def dials(answer):
    """A hop of the PAC answer the proxy would dial: an IP literal (names do not resolve offline).
    Even loopback is refused: a local SOCKS server there would look the name up for real."""
    for hop in answer.split(";"):
        parts = hop.split()
        if len(parts) == 2 and is_ip_literal(parts[1].rsplit(":", 1)[0].strip("[]")):
            return hop.strip()
    return None


class PacCorpusTest(unittest.TestCase):
    def test_pactool_eval_agrees_with_node(self):
        for pac in corpus_files():
            with self.subTest(pac=os.path.basename(pac)):
                expected = node_answers(pac)
                p = run([binary("pactool"), "eval", "--pac", pac, "--offline", *dns_args(),
                         "--my-ip", MY_IP, *urls()])
                self.assertEqual(p.returncode, 0, p.stderr)
                got = p.stdout.splitlines()
                for url, want, have in zip(urls(), expected, got):
                    self.assertEqual(have, want, url)
                self.assertEqual(len(got), len(expected))
                # The corpus means something only if its files route differently per URL.
                self.assertGreater(len(set(expected)), 1)

    def test_lint_explain_and_coverage_accept_every_file(self):
        # They instrument the user's text before the engine loads it: the result must still load.
        for pac in corpus_files():
            with self.subTest(pac=os.path.basename(pac)):
                lint = run([binary("pactool"), "lint", pac])
                self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)
                self.assertIn("0 errors", lint.stdout)
                explain = run([binary("pactool"), "explain", "--pac", pac, "--offline", *dns_args(),
                               "--my-ip", MY_IP, urls()[0]])
                self.assertEqual(explain.returncode, 0, explain.stdout + explain.stderr)
                coverage = run([binary("pactool"), "coverage", "--pac", pac, "--offline", *dns_args(),
                                "--my-ip", MY_IP, os.path.join(CORPUS, "urls.txt")])
                self.assertEqual(coverage.returncode, 0, coverage.stdout + coverage.stderr)

    def test_pacserver_publishes_every_file(self):
        with temp_dir() as d:
            templates = os.path.join(d, "templates")
            os.makedirs(templates)
            config = ['[server]', 'listen = ["127.0.0.1:0"]', 'access_log = "off"',
                      f'templates_dir = "{templates}"', 'allowed_clients = ["127.0.0.0/8"]', '']
            texts = {}
            for pac in corpus_files():
                name = os.path.splitext(os.path.basename(pac))[0]
                with open(pac) as f:
                    texts[name] = f.read()
                self.assertNotIn("{{", texts[name], "pacserver reads templates as mustache")
                write(os.path.join(templates, f"{name}.pac.mustache"), texts[name])
                config += ['[[variants]]', f'name = "{name}"', f'template = "{name}"']
                for url, want in zip(urls(), node_answers(pac)):
                    config += ['[[variants.cases]]', f'url = "{url}"', f'expect = "{want}"']
                config.append('')
            path = write(os.path.join(d, "corpus.toml"), "\n".join(config))
            check = run([binary("pacserver"), "--check", "--config", path])
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            with PacServer(["--config", path, "--listen", "127.0.0.1:0"]) as server:
                for name, text in texts.items():
                    with self.subTest(pac=name):
                        status, _, body = http_get(server.url(f"/{name}.pac"))
                        self.assertEqual(status, 200)
                        self.assertEqual(body.decode("ascii"), text)

    def test_the_proxy_routes_by_nodes_answer(self):
        # http:// names only: the proxy runs offline with no host table, so no route it tries can
        # leave the machine (an IP literal would be dialled), and each request ends in a 502 whose
        # body names the PAC's answer.
        names = [u for u in urls()
                 if u.startswith("http://") and not is_ip_literal(u.split("://", 1)[1].split("/", 1)[0])]
        self.assertGreater(len(names), 10)
        for pac in corpus_files():
            with self.subTest(pac=os.path.basename(pac)):
                expected = node_answers(pac, names, dns=False)
                with ProxyUnderTest("--pac", pac, "--offline", "--my-ip", MY_IP) as proxy:
                    for url, want in zip(names, expected):
                        self.assertIsNone(dials(want), f"{url}: the corpus must route to names only")
                        status, _, body = curl("-x", proxy.url, url)
                        self.assertEqual(status, 502, url)
                        self.assertIn(f"(PAC: {want})", body, url)

    def test_pacserver_refuses_a_file_whose_golden_case_node_contradicts(self):
        # The check above is real: one wrong expected answer and pacserver will not publish.
        pac = corpus_files()[0]
        name = os.path.splitext(os.path.basename(pac))[0]
        with temp_dir() as d:
            templates = os.path.join(d, "templates")
            os.makedirs(templates)
            with open(pac) as f:
                write(os.path.join(templates, f"{name}.pac.mustache"), f.read())
            url, want = urls()[0], node_answers(pac)[0]
            path = write(os.path.join(d, "bad.toml"), "\n".join([
                '[server]', 'listen = ["127.0.0.1:0"]', f'templates_dir = "{templates}"', '',
                '[[variants]]', f'name = "{name}"', f'template = "{name}"',
                '[[variants.cases]]', f'url = "{url}"', f'expect = "{want}; PROXY not-the-answer:1"', '']))
            check = run([binary("pacserver"), "--check", "--config", path])
            self.assertEqual(check.returncode, 3, check.stdout + check.stderr)


if __name__ == "__main__":
    unittest.main()
