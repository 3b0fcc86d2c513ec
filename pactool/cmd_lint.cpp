// pactool lint — static and dynamic checks of PAC files, each finding with file:line:col, a rule id,
// a severity and a one-line fix (the rule table is in lint_rules.cpp). The dynamic checks load the
// script in the engine (syntax, top-level errors, a missing FindProxyForURL) and call it on sample
// URLs (a call that throws, a returned string that does not parse). Lint never uses real DNS: names
// not given with --dns do not resolve.
// Exit 0 no errors (warnings allowed), 1 errors found, 2 usage, 3 unreadable file.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/instrument.hpp"
#include "pactool/lint_rules.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace pactool {
namespace {

struct lint_options {
  std::vector<std::string> files;
  bool json = false;
  bool list_rules = false;
  engine_flags flags;
};

constexpr const char* lint_footer = R"(Examples:
  pactool lint proxy.pac
  pactool lint --json examples/*.pac
  pactool lint --rules
Findings print as FILE:LINE:COL: SEVERITY: MESSAGE [RULE] with a 'fix:' line below.
Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage, 3 unreadable file.)";

// The sample calls of the dynamic check: a public name and a plain intranet name.
const std::vector<std::pair<std::string, std::string>> samples = {
    {"http://www.example.com/", "www.example.com"},
    {"https://intranet/", "intranet"},
};

std::string load_rule(const wpadkit::error& e) {
  if (e.is(wpadkit::errc::pac_syntax)) return "syntax";
  if (e.is(wpadkit::errc::pac_no_entrypoint)) return "no-entrypoint";
  return "load-error";
}

void dynamic_checks(const pac_text& pac, const engine_setup& setup, std::vector<lint_finding>& out) {
  auto inst = instrument_returns(pac.text);
  auto options = setup.options;
  options.max_pac_bytes = std::max(options.max_pac_bytes, inst.text.size());  // size is a static rule
  auto settings = setup.settings;
  settings.offline = true;
  auto env = make_environment(settings);
  if (!env) return;
  auto engine = wpadkit::pac::engine::load(inst.text, pac.name, std::move(*env), options);
  if (!engine) {
    const auto& e = engine.error();
    out.push_back(make_finding(load_rule(e), e.line.value_or(1), e.column.value_or(1),
                               e.message.empty() ? e.code.message() : e.message));
    return;
  }
  for (const auto& [url, host] : samples) {
    (void)engine->evaluate_expression(reset_sequence_js);
    auto r = engine->find_proxy(url, host);
    std::string call = "FindProxyForURL(\"" + url + "\", \"" + host + "\")";
    if (!r) {
      const auto& e = r.error();
      out.push_back(make_finding("call-error", e.line.value_or(1), e.column.value_or(1),
                                 call + ": " + error_kind(e) + ": " +
                                     (e.message.empty() ? e.code.message() : e.message)));
      continue;
    }
    auto parsed = wpadkit::parse_proxy_list(r->result);
    if (parsed.warnings.empty()) continue;
    int line = 1, col = 1;
    if (auto seq = engine->evaluate_expression(sequence_js)) {
      auto ids = parse_sequence_json(*seq);
      for (const auto& site : inst.returns) {
        if (!ids.empty() && site.id == ids.back()) {
          line = site.line;
          col = site.column;
        }
      }
    }
    bool known = std::any_of(out.begin(), out.end(), [&](const lint_finding& f) {
      return f.rule == "bad-result" && f.line == line;
    });
    for (const auto& w : parsed.warnings) {
      if (known) break;
      out.push_back(make_finding("bad-result", line, col, call + " returned \"" + r->result + "\": " + w));
    }
  }
}

// Drops a dynamic bad-result that repeats a static one at the same place.
void dedupe(std::vector<lint_finding>& f) {
  std::stable_sort(f.begin(), f.end(), [](const lint_finding& a, const lint_finding& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::vector<lint_finding> out;
  for (auto& x : f) {
    bool dup = x.rule == "bad-result" && std::any_of(out.begin(), out.end(), [&](const lint_finding& y) {
                 return y.rule == x.rule && y.line == x.line;
               });
    if (!dup) out.push_back(std::move(x));
  }
  f = std::move(out);
}

const char* severity_name(lint_severity s) { return s == lint_severity::error ? "error" : "warning"; }

int list_rules() {
  for (const auto& r : lint_rule_table()) {
    std::cout << r.id << " (" << severity_name(r.severity) << "): " << r.why << "\n    fix: " << r.fix
              << '\n';
  }
  return exit_ok;
}

int run_lint(const lint_options& opt) {
  if (opt.list_rules) return list_rules();
  if (opt.files.empty()) {
    std::cerr << "pactool lint: usage error: a FILE is required (see 'pactool lint --help')\n";
    return exit_usage;
  }
  auto setup = make_engine_setup(opt.flags);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  painter p(stdout);
  int errors = 0, warnings = 0;
  bool unreadable = false;
  for (const auto& file : opt.files) {
    auto text = read_file(file);
    if (!text) {
      print_error(text.error());
      unreadable = true;
      continue;
    }
    pac_text pac{std::move(*text), file};
    auto findings = lint_static(pac.text);
    dynamic_checks(pac, *setup, findings);
    dedupe(findings);
    for (const auto& f : findings) {
      (f.severity == lint_severity::error ? errors : warnings)++;
      if (opt.json) {
        json_object o;
        o.str("file", file).integer("line", f.line).integer("column", f.column).str("rule", f.rule);
        o.str("severity", severity_name(f.severity)).str("message", f.message).str("fix", f.fix);
        std::cout << o.text() << '\n';
      } else {
        std::string sev = severity_name(f.severity);
        std::cout << file << ':' << f.line << ':' << f.column << ": "
                  << (f.severity == lint_severity::error ? p.red(sev) : p.yellow(sev)) << ": "
                  << f.message << " [" << f.rule << "]\n    fix: " << f.fix << '\n';
      }
    }
  }
  std::string summary = std::to_string(errors) + " errors, " + std::to_string(warnings) + " warnings";
  if (opt.json) std::cerr << summary << '\n'; else std::cout << summary << '\n';
  if (unreadable) return exit_input;
  return errors ? exit_negative : exit_ok;
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<lint_options>();
  auto* cmd = app.add_subcommand("lint", "Check PAC files for errors and browser pitfalls");
  cmd->add_option("files", opt->files, "PAC files")->type_name("FILE");
  cmd->add_flag("--json", opt->json, "One JSON object per finding (the summary goes to stderr)");
  cmd->add_flag("--rules", opt->list_rules, "List every rule with its severity and fix");
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(lint_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_lint(*opt); });
}

}  // namespace pactool
