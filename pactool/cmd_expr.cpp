// pactool expr — evaluates a JavaScript expression in the PAC environment (after loading --pac, if
// given) and prints its value as JSON: how an administrator asks "what does isInNet(...) say here?".
#include <iostream>
#include <string>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"

namespace pactool {
namespace {

struct expr_options {
  std::string pac;
  std::string expression;
  engine_flags flags;
};

constexpr const char* expr_footer = R"(Examples:
  pactool expr 'shExpMatch("www.example.com", "*.example.com")'
  pactool expr --offline --dns intranet=10.1.2.3 'isInNet("intranet", "10.0.0.0", "255.0.0.0")'
  pactool expr --my-ip 192.168.1.20 'myIpAddress()'
  pactool expr --now 2026-03-02T09:00:00Z 'weekdayRange("MON", "FRI") && timeRange(8, 18)'
  pactool expr --pac examples/corporate.pac 'FindProxyForURL("http://a.example/", "a.example")'
Exit codes: 0 ok, 2 usage, 3 the PAC could not be loaded, 4 the expression threw.)";

// With no --pac, the expression runs beside a trivial script (the helpers are what it is about).
constexpr const char* empty_pac = "function FindProxyForURL(url, host) { return \"DIRECT\"; }\n";

int run_expr(const expr_options& opt) {
  auto setup = make_engine_setup(opt.flags);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  pac_text pac{empty_pac, "(no --pac)"};
  if (!opt.pac.empty()) {
    auto read = read_pac(opt.pac, setup->options.max_pac_bytes);
    if (!read) {
      print_error(read.error());
      return exit_input;
    }
    pac = std::move(*read);
  }
  auto engine = load_engine(pac, *setup, setup->settings);
  if (!engine) {
    print_error(engine.error());
    return exit_input;
  }
  auto value = engine->evaluate_expression(opt.expression);
  if (!value) {
    auto e = value.error();
    if (e.where.empty() || e.where == pac.name) e.where = "expression";
    print_error(error_kind(e) + ": " + e.to_string());
    return exit_eval;
  }
  std::cout << *value << '\n';
  return exit_ok;
}

}  // namespace

void add_expr_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<expr_options>();
  auto* cmd = app.add_subcommand("expr", "Evaluate a JavaScript expression in the PAC environment");
  cmd->add_option("--pac", opt->pac, "PAC file or http(s) URL to load first")->type_name("FILE|URL");
  cmd->add_option("expression", opt->expression, "JavaScript expression")->required();
  add_engine_flags(*cmd, opt->flags);
  cmd->footer(expr_footer);
  cmd->callback([opt, &exit_code] { exit_code = run_expr(*opt); });
}

}  // namespace pactool
