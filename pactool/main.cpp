// pactool — the PAC workbench: evaluates, tests, lints, diffs, explains, fetches and discovers PAC files.
#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"pactool: evaluate, test and inspect proxy auto-config (PAC) files"};
  app.set_version_flag("--version", std::string("pactool ") + WPADKIT_VERSION);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
