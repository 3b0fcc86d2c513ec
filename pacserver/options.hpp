#pragma once
// options: pacserver's command line, parsed by CLI11 into one struct (see main.cpp for the mapping
// to actions and exit codes).
#include <optional>
#include <string>
#include <vector>

namespace wpadkit::pacserver {

// Exit codes, distinct per failure kind (also listed in `pacserver --help`).
enum exit_code : int {
  exit_ok = 0,
  exit_usage = 2,   // bad command line
  exit_config = 3,  // the config, a template, or a generated PAC is invalid
  exit_listen = 4,  // a listen address cannot be bound
  exit_io = 5,      // a file cannot be read or opened (the config file, server.access_log, the
                    // bundled proxy's access log)
};

struct options {
  std::string config;               // empty: the built-in configuration
  std::vector<std::string> listen;  // --listen, repeatable: replaces server.listen
  std::string proxy_listen;         // --proxy-listen: replaces proxy.listen
  bool check = false;               // --check
  bool print = false;               // --print
  std::string client;               // --client (with --print)
  std::string host;                 // --host (with --print)
  std::string user_agent;           // --user-agent (with --print)
  bool snippets = false;            // the `snippets` subcommand
};

}  // namespace wpadkit::pacserver
