// pacserver — the WPAD responder.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"pacserver: serve generated PAC files (wpad.dat, proxy.pac) to the clients of a LAN"};
  app.set_version_flag("--version", std::string("pacserver ") + WPADKIT_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
