"""pactool's subcommands driven as processes with real files: eval, expr, test, lint, diff, explain,
coverage, bench, and the shared bad-input paths (exit codes 0/1/2/3/4, one-line errors)."""
import json
import os
import unittest

import wpadkit_testlib as lib

PAC = lib.source("examples", "corporate.pac")
NEXT = lib.source("examples", "corporate-next.pac")
CASES = lib.source("examples", "corporate.cases")
URLS = lib.source("examples", "corporate.urls")
PITFALLS = lib.source("examples", "lint-pitfalls.pac")
OFFLINE = ["--offline", "--dns", "www.example.com=93.184.216.34", "--dns", "db.internal.example=10.2.0.7"]


def pactool(*args, input=None):
    return lib.run([lib.binary("pactool"), *args], input=input)


class PactoolTest(unittest.TestCase):
    def setUp(self):
        self._tmp = lib.temp_dir()
        self.dir = self._tmp.__enter__()

    def tearDown(self):
        self._tmp.__exit__(None, None, None)

    def file(self, name, text):
        return lib.write(os.path.join(self.dir, name), text)

    def assert_one_line_error(self, p, code, *needles):
        self.assertEqual(p.returncode, code, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertNotIn("Traceback", p.stderr)
        for n in needles:
            self.assertIn(n, lines[0])


class EvalTest(PactoolTest):
    def test_text_results(self):
        p = pactool("eval", "--pac", PAC, *OFFLINE, "http://intranet/", "http://www.example.com/")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "DIRECT", "PROXY proxy1.corp.example:8080; PROXY proxy2.corp.example:8080; DIRECT"])

    def test_json_line_format(self):
        p = pactool("eval", "--pac", PAC, *OFFLINE, "--json", "http://db.internal.example/x",
                    "https://WWW.Example.com:8443/")
        self.assertEqual(p.returncode, 0, p.stderr)
        first, second = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual(first["result"], "DIRECT")
        self.assertEqual(first["proxies"], [{"type": "direct", "host": None, "port": None}])
        self.assertIsNone(first["error"])
        self.assertEqual(second["host"], "www.example.com")
        self.assertEqual(second["proxies"][0], {"type": "http", "host": "proxy1.corp.example", "port": 8080})
        self.assertEqual(set(second), {"url", "host", "result", "proxies", "alerts", "warnings", "error"})

    def test_dns_name_twice_and_my_ip_and_now(self):
        pac = self.file("env.pac", """
function FindProxyForURL(url, host) {
  alert("evaluating " + host);
  return "PROXY " + dnsResolveEx(host) + ":1; PROXY " + myIpAddressEx() + ":2; PROXY h" +
         new Date().getUTCHours() + ":3";
}""")
        p = pactool("eval", "--pac", pac, "--offline", "--dns", "x.test=10.0.0.1", "--dns", "x.test=::1",
                    "--my-ip", "192.0.2.7", "--my-ip", "2001:db8::7", "--now", "2026-03-02T09:30:00Z",
                    "--json", "http://x.test/")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertIn("10.0.0.1", out["result"])
        self.assertIn("::1", out["result"])
        self.assertIn("192.0.2.7;2001:db8::7", out["result"].replace(" ", ""))
        self.assertIn("PROXY h9:3", out["result"])
        self.assertEqual(out["alerts"], ["evaluating x.test"])

    def test_text_mode_reports_alerts_and_dropped_entries_on_stderr(self):
        pac = self.file("w.pac", "function FindProxyForURL(u, h) { alert('hello'); return 'BOGUS x; PROXY p:1'; }\n")
        p = pactool("eval", "--pac", pac, "http://a/")
        self.assertEqual((p.returncode, p.stdout), (0, "BOGUS x; PROXY p:1\n"))
        self.assertIn("alert: http://a/: hello", p.stderr)
        self.assertIn("BOGUS x", p.stderr.splitlines()[1])

    def test_offline_name_does_not_resolve(self):
        p = pactool("expr", "--offline", 'dnsResolve("nowhere.invalid")')
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "null"))

    def test_batch_streams_and_continues_after_failures(self):
        pac = self.file("b.pac", """
function FindProxyForURL(url, host) {
  if (host == "boom") throw new Error("bad host");
  if (host == "loop") while (true) {}
  return "PROXY " + host + ":80";
}""")
        p = pactool("eval", "--pac", pac, "--offline", "--timeout", "200", "--json", "-",
                    input="http://a/\nhttp://boom/\n\nhttp://loop/\nhttp://c/\tcustom\n")
        self.assertEqual(p.returncode, 4, p.stderr)
        rows = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([r["result"] for r in rows], ["PROXY a:80", None, None, "PROXY custom:80"])
        self.assertEqual(rows[1]["error"]["kind"], "exception")
        self.assertIn("bad host", rows[1]["error"]["message"])
        self.assertEqual(rows[2]["error"]["kind"], "timeout")

    def test_exit_codes(self):
        bad = self.file("bad.pac", "function FindProxyForURL(url, host) {\n  return (;\n}\n")
        p = pactool("eval", "--pac", bad, "http://a/")
        self.assert_one_line_error(p, 3, "bad.pac")
        noentry = self.file("none.pac", "var x = 1;\n")
        self.assert_one_line_error(pactool("eval", "--pac", noentry, "http://a/"), 3, "none.pac")
        self.assert_one_line_error(pactool("eval", "--pac", "/nonexistent.pac", "http://a/"), 3,
                                   "/nonexistent.pac")
        self.assert_one_line_error(pactool("eval", "--pac", PAC, "--bogus", "http://a/"), 2, "--bogus")
        self.assert_one_line_error(pactool("eval", "--pac", PAC, "--dns", "nonsense", "http://a/"), 2,
                                   "nonsense")
        self.assert_one_line_error(pactool("eval", "--pac", PAC, "--now", "yesterday", "http://a/"), 2,
                                   "yesterday")
        self.assert_one_line_error(pactool("eval", "--pac", PAC, "--profile", "opera", "http://a/"), 2)
        throws = self.file("t.pac", "function FindProxyForURL(u, h) { return 42; }\n")
        p = pactool("eval", "--pac", throws, "http://a/")
        self.assertEqual(p.returncode, 4)
        self.assertTrue(p.stdout.startswith("ERROR bad-return"), p.stdout)

    def test_max_size(self):
        big = self.file("big.pac", "// " + "x" * 2000 + "\nfunction FindProxyForURL(u, h) { return 'DIRECT'; }\n")
        self.assert_one_line_error(pactool("eval", "--pac", big, "--max-size", "1K", "http://a/"), 3)
        self.assertEqual(pactool("eval", "--pac", big, "--max-size", "4K", "http://a/").returncode, 0)


class ExprTest(PactoolTest):
    def test_values_as_json(self):
        p = pactool("expr", 'shExpMatch("www.example.com", "*.example.com")')
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "true"))
        p = pactool("expr", "--offline", "--dns", "intranet=10.1.2.3",
                    'isInNet("intranet", "10.0.0.0", "255.0.0.0")')
        self.assertEqual(p.stdout.strip(), "true")
        p = pactool("expr", "--pac", PAC, *OFFLINE, 'FindProxyForURL("http://intranet/", "intranet")')
        self.assertEqual(p.stdout.strip(), '"DIRECT"')

    def test_throw_is_exit_4(self):
        p = pactool("expr", "nosuchfunction(1)")
        self.assert_one_line_error(p, 4, "nosuchfunction")


class TestCommandTest(PactoolTest):
    def test_example_passes(self):
        p = pactool("test", "--pac", PAC, CASES)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout.strip().splitlines()[-1], "10 passed, 0 failed")

    def test_failures_and_settings(self):
        cases = self.file("c.cases", "\n".join([
            "# offline: yes",
            "http://intranet/\tDIRECT",
            "http://www.example.com/\tDIRECT",
            "# dns: www.example.com=10.9.9.9",
            "http://www.example.com/\tDIRECT",
            "http://unknown.example.org/\tproxy  PROXY1.corp.example:8080",
            "http://unknown.example.org/\tPROXY proxy2.corp.example:8080",
        ]) + "\n")
        p = pactool("test", "--pac", PAC, cases)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stdout.strip().splitlines()[-1], "3 passed, 2 failed")
        self.assertIn("c.cases:3: http://www.example.com/", p.stdout)
        self.assertIn("expected: DIRECT", p.stdout)
        self.assertIn("got:      PROXY proxy1.corp.example:8080; PROXY proxy2", p.stdout)
        self.assertIn("c.cases:7:", p.stdout)

    def test_malformed_cases_line(self):
        cases = self.file("m.cases", "http://a/\tDIRECT\nhttp://b/\n")
        self.assert_one_line_error(pactool("test", "--pac", PAC, cases), 3, "m.cases:2")
        cases = self.file("d.cases", "# dns: x=notanip\nhttp://a/\tDIRECT\n")
        self.assert_one_line_error(pactool("test", "--pac", PAC, cases), 3, "d.cases:2", "notanip")
        self.assert_one_line_error(pactool("test", "--pac", PAC, "/no/such.cases"), 3, "/no/such.cases")

    def test_expected_error(self):
        pac = self.file("e.pac", "function FindProxyForURL(u, h) { if (h == 'x') throw 1; return 'DIRECT'; }\n")
        cases = self.file("e.cases", "http://x/\tERROR exception\nhttp://y/\tERROR\n")
        p = pactool("test", "--pac", pac, cases)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.strip().splitlines()[-1], "1 passed, 1 failed")


class LintTest(PactoolTest):
    def test_clean_file(self):
        p = pactool("lint", PAC)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("0 errors, 0 warnings", p.stdout)

    def test_pitfalls(self):
        p = pactool("lint", "--json", PITFALLS)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        found = [json.loads(l) for l in p.stdout.splitlines()]
        rules = {f["rule"] for f in found}
        for r in ["dns-before-string", "repeated-dns", "domain-no-dot", "shexp-regex", "timerange-args",
                  "nonportable-token", "my-ip-address"]:
            self.assertIn(r, rules)
        shexp = [f for f in found if f["rule"] == "shexp-regex"][0]
        self.assertEqual((shexp["line"], shexp["column"], shexp["severity"]), (6, 24, "warning"))
        self.assertTrue(all(f["fix"] for f in found))

    def test_errors(self):
        syntax = self.file("s.pac", "function FindProxyForURL(url, host) {\n  return \"DIRECT\"\n  if (\n}\n")
        p = pactool("lint", syntax)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout, r"s\.pac:\d+:\d+: error: .*\[syntax\]")
        nofn = self.file("n.pac", "function findProxy(url, host) { return 'DIRECT'; }\n")
        self.assertIn("[no-entrypoint]", pactool("lint", nofn).stdout)
        badres = self.file("r.pac", "function FindProxyForURL(url, host) {\n  return \"PROXXY a:1\";\n}\n")
        p = pactool("lint", badres)
        self.assertEqual(p.returncode, 1)
        self.assertIn("r.pac:2:10: error:", p.stdout)
        self.assertIn("[bad-result]", p.stdout)
        nonascii = self.file("u.pac", "function FindProxyForURL(u, h) {\n  return \"DIRECT\"; // caf\u00e9\n}\n")
        self.assertIn("u.pac:2:", pactool("lint", nonascii).stdout)
        self.assert_one_line_error(pactool("lint", "/no/such.pac"), 3, "/no/such.pac")


class DiffTest(PactoolTest):
    def test_changes_and_summary(self):
        urls = self.file("urls.txt", "http://www.video.example/\nhttp://printer.lab.example/\nhttp://intranet/\n")
        p = pactool("diff", "--offline", "--dns", "printer.lab.example=192.168.4.20", PAC, NEXT, urls)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("http://www.video.example/: PROXY video-proxy.corp.example:3128 -> PROXY proxy1", p.stdout)
        self.assertIn("http://printer.lab.example/: DIRECT -> PROXY lab-proxy.corp.example:3128; DIRECT", p.stdout)
        self.assertNotIn("http://intranet/:", p.stdout)
        self.assertIn("2 of 3 URLs changed", p.stdout)

    def test_same_file_no_change_and_access_log(self):
        log = self.file("access.log", "\n".join([
            "1700000000.123 42 10.0.0.5 TCP_MISS/200 512 GET http://www.video.example/a - HIER_DIRECT/1.2.3.4 text/html",
            '10.0.0.5 - - [01/Mar/2026:10:00:00 +0000] "GET http://intranet/ HTTP/1.1" 200 512',
            "1700000000.5 1 10.0.0.5 TCP_TUNNEL/200 0 CONNECT www.example.com:443 - HIER_DIRECT/1.2.3.4 -",
        ]) + "\n")
        p = pactool("diff", *OFFLINE, PAC, PAC, log)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 of 3 URLs changed", p.stdout)
        p = pactool("diff", "--json", *OFFLINE, PAC, NEXT, log)
        self.assertEqual(p.returncode, 1)
        rows = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual(rows[0]["url"], "http://www.video.example/a")
        self.assertEqual(rows[-1]["changed"], 1)

    def test_bad_url_list(self):
        urls = self.file("u.txt", "http://a/\nnot a url line? no\nwww.example.com\n")
        self.assert_one_line_error(pactool("diff", PAC, NEXT, urls), 3, "u.txt:3")


class ExplainCoverageBenchTest(PactoolTest):
    def test_explain(self):
        p = pactool("explain", "--pac", PAC, *OFFLINE, "http://db.internal.example/")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('dnsResolve("db.internal.example") -> "10.2.0.7"', p.stdout)
        self.assertIn("db.internal.example A -> 10.2.0.7", p.stdout)
        self.assertIn("corporate.pac:21:5: return \"DIRECT\"", p.stdout)
        p = pactool("explain", "--json", "--pac", PAC, *OFFLINE, "http://intranet/")
        out = json.loads(p.stdout)
        self.assertEqual(out["return"]["line"], 10)
        self.assertEqual(out["result"], "DIRECT")
        self.assertEqual(out["calls"][0]["function"], "isPlainHostName")
        self.assertEqual(out["dns"], [])

    def test_explain_failure(self):
        pac = self.file("f.pac", "function FindProxyForURL(u, h) {\n  alert('hi');\n  return undefinedThing;\n}\n")
        p = pactool("explain", "--pac", pac, "http://a/")
        self.assertEqual(p.returncode, 4)
        self.assertIn("exception", p.stdout)

    def test_coverage(self):
        p = pactool("coverage", "--pac", PAC, *OFFLINE, URLS)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("returns fired: 4 of 5", p.stdout)
        self.assertIn("corporate.pac:16:5: return \"PROXY ftp-proxy.corp.example:2121\"", p.stdout)
        self.assertRegex(p.stdout, r"#####\s+16:")
        p = pactool("coverage", "--json", "--pac", PAC, *OFFLINE, URLS)
        out = json.loads(p.stdout)
        hits = {r["line"]: r["hits"] for r in out["returns"]}
        self.assertEqual(hits[10], 2)
        self.assertEqual(hits[16], 0)
        self.assertEqual(hits[23], 3)
        ftp = [b for b in out["branches"] if b["line"] == 15][0]
        self.assertEqual((ftp["true"], ftp["false"]), (0, 4))
        self.assertIn('if (url.substring(0, 4) == "ftp:") never true', pactool("coverage", "--summary", "--pac", PAC, *OFFLINE, URLS).stdout)

    def explain_and_coverage_agree_with_eval(self, pac, expected, urls_name):
        """eval gives each URL's result; explain names the same result and the line of the return
        that gave it ({url: (result, line)}). Returns coverage's JSON over the same URLs."""
        urls = self.file(urls_name, "\n".join(expected) + "\n")
        p = pactool("eval", "--pac", pac, "--offline", *expected)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [r for r, _ in expected.values()])
        for url, (result, line) in expected.items():
            p = pactool("explain", "--json", "--pac", pac, "--offline", url)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            out = json.loads(p.stdout)
            self.assertEqual((out["result"], (out["return"] or {}).get("line")), (result, line), url)
        p = pactool("coverage", "--json", "--pac", pac, "--offline", urls)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return json.loads(p.stdout)

    def test_regex_after_if_head_agrees_with_eval(self):
        # `if (...) /re/...`: the / after the head's `)` starts a regex (with a quote and parens in
        # it); explain and coverage instrument the text and lint reads it, so each must agree with
        # eval, which runs it as written.
        pac = self.file("re.pac", "\n".join([
            "function FindProxyForURL(url, host) {",
            "  var hops = 0;",
            "  if (isPlainHostName(host)) /^(wiki|intra)'?$/.test(host) && hops++;",
            "  if (hops) return \"DIRECT\";",
            "  if (dnsDomainIs(host, \".corp.example\")) /\\/(legacy|old)\\//.exec(url) && hops++;",
            "  if (hops > 0) return \"PROXY legacy.corp.example:3128\";",
            "  return \"PROXY proxy.corp.example:8080\";",
            "}",
        ]) + "\n")
        expected = {"http://wiki/": ("DIRECT", 4),
                    "http://intranet/": ("PROXY proxy.corp.example:8080", 7),
                    "http://app.corp.example/legacy/x": ("PROXY legacy.corp.example:3128", 6)}
        out = self.explain_and_coverage_agree_with_eval(pac, expected, "re.urls")
        self.assertEqual({r["line"]: r["hits"] for r in out["returns"]}, {4: 1, 6: 1, 7: 1})
        branches = {b["line"]: (b["true"], b["false"]) for b in out["branches"]}
        self.assertEqual((branches[3], branches[5]), ((2, 1), (1, 1)))
        p = pactool("lint", "--json", pac)
        found = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([f for f in found if f["severity"] == "error"], [], p.stdout + p.stderr)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_regex_after_asi_and_of_agrees_with_eval(self):
        # Lines a tokenizer can misread (each checked against eval, which runs them as written):
        # `break` + newline + `/re/` is `break; /re/` (line 5), `of` is a variable, so `of / 2 ...`
        # divides (line 8), and `return` + newline + `{` is `return;` and a block, after which
        # `/re/` starts a regex (line 12). Misread, the returns and ifs after them on their lines
        # are hidden from explain and coverage.
        pac = self.file("asi.pac", "\n".join([
            "function FindProxyForURL(url, host) {",
            "  var of = 2, seen = 0;",
            "  for (;;) {",
            "    if (dnsDomainIs(host, \".example\")) break",
            "    /^(wiki|intra)'?$/.test(host) && seen++; if (seen) return \"PROXY wiki.example:3128\";",
            "    break",
            "  }",
            "  if (of / 2 * host.length > 20) return \"PROXY long.example:8080\"; // a/b",
            "  if (shExpMatch(host, \"*.invalid\")) return",
            "  {",
            "  }",
            "  /'/.test(host); if (dnsDomainIs(host, \".example\")) return \"DIRECT\";",
            "  return \"PROXY proxy.example:8080\";",
            "}",
        ]) + "\n")
        expected = {"http://wiki/": ("PROXY wiki.example:3128", 5),
                    "http://averyveryverylongname.example/": ("PROXY long.example:8080", 8),
                    "http://www.example/": ("DIRECT", 12),
                    "http://www.other.test/": ("PROXY proxy.example:8080", 13)}
        out = self.explain_and_coverage_agree_with_eval(pac, expected, "asi.urls")
        self.assertEqual({r["line"]: r["hits"] for r in out["returns"]}, {5: 1, 8: 1, 9: 0, 12: 1, 13: 1})
        branches = {b["line"]: (b["true"], b["false"]) for b in out["branches"]}
        self.assertEqual(branches, {4: (2, 2), 5: (1, 1), 8: (1, 2), 9: (0, 2), 12: (1, 1)})
        p = pactool("lint", "--json", pac)
        found = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([f for f in found if f["severity"] == "error"], [], p.stdout + p.stderr)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_bench(self):
        p = pactool("bench", "--pac", PAC, "--urls", URLS, *OFFLINE, "--count", "300", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["evaluations"], 300)
        self.assertEqual(out["failed"], 0)
        self.assertGreater(out["evals_per_second"], 0)
        self.assertLessEqual(out["p50_us"], out["p99_us"])
        self.assert_one_line_error(pactool("bench", "--pac", PAC, "--urls", "/no/urls"), 3, "/no/urls")


class HelpTest(PactoolTest):
    def test_help_and_version(self):
        p = pactool("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^pactool \d+\.\d+")
        for sub in ["eval", "expr", "test", "lint", "diff", "explain", "coverage", "fetch", "bench"]:
            p = pactool(sub, "--help")
            self.assertEqual(p.returncode, 0, sub)
            self.assertIn("Examples:", p.stdout, sub)
            self.assertNotIn("\x1b[", p.stdout)
        self.assert_one_line_error(pactool("frobnicate"), 2, "frobnicate")
        self.assert_one_line_error(pactool("eval", "--pac", PAC, "-", "http://a/"), 2, "-")
        self.assert_one_line_error(pactool("eval"), 2, "pactool eval")


if __name__ == "__main__":
    unittest.main()
