#pragma once
// The subcommands of pactool. Each lives in its own cmd_<name>.cpp and adds itself to the app with
// add_<name>_command(app, exit_code): it creates a CLI11 subcommand, binds its options, and sets a
// callback that runs the command and stores the process exit code in `exit_code`.
//
// Exit codes shared by every subcommand: 0 ok, 1 a negative answer (a test failed, a diff found
// changes, nothing discovered, lint errors), 2 usage, 3 bad input (unreadable or unusable PAC, file,
// URL), 4 an evaluation failed.
//
// To add a subcommand: declare add_<name>_command here, define it in cmd_<name>.cpp, list that file in
// CMakeLists.txt and call it from main.cpp — one line in each.
#include <CLI/CLI.hpp>

namespace pactool {

inline constexpr int exit_ok = 0;
inline constexpr int exit_negative = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_input = 3;
inline constexpr int exit_eval = 4;

void add_eval_command(CLI::App& app, int& exit_code);
void add_expr_command(CLI::App& app, int& exit_code);
void add_test_command(CLI::App& app, int& exit_code);
void add_lint_command(CLI::App& app, int& exit_code);
void add_diff_command(CLI::App& app, int& exit_code);
void add_explain_command(CLI::App& app, int& exit_code);
void add_coverage_command(CLI::App& app, int& exit_code);
void add_fetch_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_discover_command(CLI::App& app, int& exit_code);
void add_proxy_command(CLI::App& app, int& exit_code);

}  // namespace pactool
