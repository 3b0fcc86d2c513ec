// pactool — the PAC workbench: evaluates, tests, lints, diffs, explains, fetches and discovers PAC files.
//
// main only assembles the subcommands (one add_<name>_command line each, see commands.hpp), parses,
// and turns whatever escapes into one line on stderr and an exit code: never a stack trace.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <new>

#include "pactool/commands.hpp"
#include "pactool/output.hpp"

namespace {

constexpr const char* main_footer = R"(Examples:
  pactool eval --pac proxy.pac http://intranet.corp/
  pactool test --pac proxy.pac proxy.cases
  pactool lint proxy.pac
Each subcommand has its own --help with examples. Exit codes: 0 ok, 1 negative answer,
2 usage, 3 bad input, 4 an evaluation failed.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pactool: evaluate, test and inspect proxy auto-config (PAC) files", "pactool"};
  app.set_version_flag("--version", std::string("pactool ") + WPADKIT_VERSION);
  app.require_subcommand(1, 1);
  app.footer(main_footer);
  int exit_code = pactool::exit_ok;

  // One line per subcommand.
  pactool::add_eval_command(app, exit_code);
  pactool::add_expr_command(app, exit_code);
  pactool::add_test_command(app, exit_code);
  pactool::add_lint_command(app, exit_code);
  pactool::add_diff_command(app, exit_code);
  pactool::add_explain_command(app, exit_code);
  pactool::add_coverage_command(app, exit_code);
  pactool::add_fetch_command(app, exit_code);
  pactool::add_bench_command(app, exit_code);
  pactool::add_discover_command(app, exit_code);
  pactool::add_proxy_command(app, exit_code);

  // CLI11 would only say "a subcommand is required" for a misspelt one: name it.
  if (argc > 1 && argv[1][0] != '-') {
    auto known = app.get_subcommands([&](CLI::App* sub) { return sub->get_name() == argv[1]; });
    if (known.empty()) {
      std::cerr << "pactool: usage error: unknown subcommand '" << argv[1]
                << "' (see 'pactool --help')\n";
      return pactool::exit_usage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return pactool::report_usage_error(app, e);
  } catch (const std::bad_alloc&) {
    pactool::print_error("out of memory");
    return pactool::exit_input;
  } catch (const std::exception& e) {
    pactool::print_error(e.what());
    return pactool::exit_input;
  }
  return exit_code;
}
