#pragma once
// The subcommands of pactool. Each lives in its own cmd_<name>.cpp and adds itself to the app with
// add_<name>_command(app, exit_code): it creates a CLI11 subcommand, binds its options, and sets a
// callback that runs the command and stores the process exit code in `exit_code`.
//
// Exit codes shared by every subcommand: 0 ok, 1 a negative answer (a test failed, a diff found
// changes, nothing discovered, lint errors), 2 usage, 3 bad input (unreadable or unusable PAC, file,
// URL), 4 an evaluation failed.
#include <CLI/CLI.hpp>

namespace pactool {

inline constexpr int exit_ok = 0;
inline constexpr int exit_negative = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_input = 3;
inline constexpr int exit_eval = 4;

}  // namespace pactool
