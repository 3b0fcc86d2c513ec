// pactool test — golden tests for a PAC file: each cases file line is URL<TAB>EXPECTED[<TAB>HOST]
// (format and matching rules in cases_file.hpp). Prints each failure with expected vs got, then the
// closing line `N passed, M failed`. Exit 0 only if every case passed, 1 if any failed, 3 for an
// unloadable PAC or a malformed cases file.
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pactool/cases_file.hpp"
#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"

namespace pactool {
namespace {

struct test_options {
  std::string pac;
  std::vector<std::string> cases_files;
  bool json = false;
  bool verbose = false;
  engine_flags flags;
};

constexpr const char* test_footer = R"(Examples:
  pactool test --pac examples/corporate.pac examples/corporate.cases
  pactool test --pac proxy.pac --offline --now 2026-03-02T09:00:00Z a.cases b.cases
Cases files: one URL<TAB>EXPECTED[<TAB>HOST] per line; '# dns: NAME=IP', '# my-ip: IP|none',
'# now: ISO-8601' and '# offline: yes|no' apply to the lines after them; other '#' lines are comments.
EXPECTED passes when it is the exact result, the same list written differently (case, spaces,
default ports), or — when it names one entry — the result's first entry ('PROXY p:8080' matches
'PROXY p:8080; DIRECT'). 'ERROR' or 'ERROR <kind>' expects the call to fail (kind: exception,
bad-return, timeout, ...).
Exit codes: 0 all passed, 1 some failed, 2 usage, 3 unreadable or malformed input.)";

// The environment of a case: the command line's, then the cases file's settings on top.
wpadkit::result<environment_settings> settings_for(const engine_setup& base, const case_settings& cs) {
  environment_settings s = base.settings;
  for (const auto& d : cs.dns) {
    auto m = parse_dns_mapping(d);
    if (!m) return m.error();
    s.dns.push_back(*m);
  }
  if (cs.my_ip) {
    std::vector<wpadkit::dns::address> addrs;
    for (const auto& ip : *cs.my_ip) {
      if (ip == "none") continue;
      auto a = parse_address(ip);
      if (!a) return a.error();
      addrs.push_back(*a);
    }
    s.my_ip = std::move(addrs);
  }
  if (cs.now) {
    auto t = parse_instant(*cs.now);
    if (!t) return t.error();
    s.now = *t;
  }
  if (cs.offline) s.offline = *cs.offline;
  return s;
}

struct outcome {
  bool pass;
  std::string got;  // the result, or "ERROR <kind>: message"
};

outcome judge(const test_case& c, const wpadkit::result<wpadkit::pac::evaluation>& r) {
  bool expects_error = c.expected == "ERROR" || c.expected.rfind("ERROR ", 0) == 0;
  if (!r) {
    std::string kind = error_kind(r.error());
    std::string got = "ERROR " + kind + ": " + r.error().to_string();
    bool pass = expects_error && (c.expected == "ERROR" || c.expected == "ERROR " + kind);
    return {pass, got};
  }
  return {!expects_error && result_matches(c.expected, r->result), r->result};
}

int run_test(const test_options& opt) {
  auto job = open_pac_job(opt.flags, opt.pac);
  if (auto* code = std::get_if<int>(&job)) return *code;
  const auto& [setup, pac] = std::get<pac_job>(job);
  // Parse every cases file first: a malformed line is bad input, reported before any case runs.
  std::vector<std::pair<std::string, std::vector<test_case>>> files;
  for (const auto& name : opt.cases_files) {
    auto text = read_file(name);
    if (!text) {
      print_error(text.error());
      return exit_input;
    }
    auto cases = parse_cases(*text, name);
    if (!cases) {
      print_error(cases.error());
      return exit_input;
    }
    files.emplace_back(name, std::move(*cases));
  }
  painter paint(stdout);
  int passed = 0, failed = 0;
  for (const auto& [name, cases] : files) {
    std::unique_ptr<wpadkit::pac::engine> engine;
    case_settings loaded_for;
    for (const auto& c : cases) {
      if (!engine || !(c.settings == loaded_for)) {
        auto s = settings_for(setup, c.settings);
        if (!s) {
          print_error(s.error().at(name, c.line));
          return exit_input;
        }
        auto e = load_engine(pac, setup, *s);
        if (!e) {
          print_error(e.error());
          return exit_input;
        }
        engine = std::make_unique<wpadkit::pac::engine>(std::move(*e));
        loaded_for = c.settings;
      }
      auto req = pac_request_for(c.url, c.host);
      const std::string host = req ? req->host : c.host;
      auto o = judge(c, req ? engine->find_proxy(req->url, req->host)
                            : wpadkit::result<wpadkit::pac::evaluation>(req.error()));
      if (opt.json) {
        json_object j;
        j.str("file", name).integer("line", c.line).str("url", c.url).str("host", host);
        j.str("expected", c.expected).str("got", o.got).boolean("pass", o.pass);
        std::cout << j.text() << '\n';
      } else if (!o.pass) {
        std::cout << paint.red("FAIL") << ' ' << name << ':' << c.line << ": " << c.url << '\n'
                  << "    expected: " << c.expected << '\n'
                  << "    got:      " << o.got << '\n';
      } else if (opt.verbose) {
        std::cout << paint.green("ok") << "   " << name << ':' << c.line << ": " << c.url << " -> "
                  << o.got << '\n';
      }
      (o.pass ? passed : failed)++;
    }
  }
  std::string closing = std::to_string(passed) + " passed, " + std::to_string(failed) + " failed";
  if (opt.json) {
    std::cerr << closing << '\n';
  } else {
    std::cout << (failed ? paint.red(closing) : paint.green(closing)) << '\n';
  }
  return failed ? exit_negative : exit_ok;
}

}  // namespace

void add_test_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<test_options>();
  auto* cmd = app.add_subcommand("test", "Run golden tests (cases files) against a PAC file");
  cmd->add_option("--pac", opt->pac, "PAC file or http(s) URL")->required()->type_name("FILE|URL");
  cmd->add_option("cases", opt->cases_files, "Cases files")->required()->type_name("CASES");
  cmd->add_flag("--json", opt->json, "One JSON object per case (the closing line goes to stderr)");
  cmd->add_flag("-v,--verbose", opt->verbose, "Also list the cases that passed");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(test_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_test(*opt); });
}

}  // namespace pactool
