// pacserver — the WPAD responder: serves generated, validated PAC files (wpad.dat, proxy.pac).
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "pacserver/options.hpp"
#include "pacserver/responder.hpp"
#include "pacserver/snippets.hpp"
#include "pacserver/variant_selector.hpp"

namespace ps = wpadkit::pacserver;

namespace {

int exit_for(const wpadkit::error& e) {
  if (e.is(wpadkit::errc::io)) return ps::exit_io;
  return ps::exit_config;
}

int report(const std::vector<wpadkit::error>& errors) {
  for (const auto& e : errors) std::cerr << "pacserver: " << e.to_string() << "\n";
  return errors.size() == 1 ? exit_for(errors.front()) : ps::exit_config;
}

// Turns the command line into a config_source. Errors: errc::parse naming the option.
wpadkit::result<ps::config_source> source_of(const ps::options& o) {
  ps::config_source src;
  if (!o.config.empty()) src.file = o.config;
  for (const auto& l : o.listen) {
    auto a = ps::parse_listen_address(l);
    if (!a) return wpadkit::error(wpadkit::errc::parse, "--listen: " + a.error().message);
    src.listen.push_back(*a);
  }
  if (!o.proxy_listen.empty()) {
    auto a = ps::parse_listen_address(o.proxy_listen);
    if (!a) return wpadkit::error(wpadkit::errc::parse, "--proxy-listen: " + a.error().message);
    src.proxy_listen = *a;
  }
  return src;
}

int run_check(const ps::config_source& src) {
  auto l = ps::load_publication(src, nullptr);
  if (!l.pub) return report(l.errors);
  std::size_t cases = 0;
  for (const auto& v : l.pub->config->variants) cases += v.cases.size();
  std::cout << "pacserver: " << l.pub->config->file << ": ok (" << l.pub->variants.size()
            << " variant(s), " << cases << " golden case(s) hold)\n";
  for (const auto& [name, p] : l.pub->variants) {
    std::cout << "  " << name << ": template " << p.template_name << ", " << p.body.size()
              << " bytes, version " << p.hash << "\n";
  }
  return ps::exit_ok;
}

int run_print(const ps::config_source& src, const ps::options& o) {
  auto l = ps::load_publication(src, nullptr);
  if (!l.pub) return report(l.errors);
  auto client = wpadkit::parse_ip(o.client);
  if (!client) {
    std::cerr << "pacserver: --client: " << client.error().message << "\n";
    return ps::exit_usage;
  }
  const ps::request_facts facts{o.client, o.host, o.user_agent, ""};
  const auto& v = ps::select_variant(*l.pub->config, *client, facts);
  std::cerr << "pacserver: variant " << v.name << " (" << v.source.place() << ")\n";
  std::cout << l.pub->of(v).body;
  return ps::exit_ok;
}

int run_snippets(const ps::config_source& src) {
  auto c = ps::load_effective_config(src);
  if (!c) return report({c.error()});
  std::cout << ps::render_snippets(**c);
  return ps::exit_ok;
}

int run_server(const ps::config_source& src) {
  // Signals are taken by sigwait in this thread only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGINT, SIGTERM}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto l = ps::load_publication(src, nullptr);
  if (!l.pub) {
    std::cerr << "pacserver: refusing to start: nothing is served until these are fixed\n";
    return report(l.errors);
  }
  const auto config = l.pub->config;
  auto r = ps::responder::start(src, l.pub, std::cout);
  if (!r) {
    std::cerr << "pacserver: " << r.error().cause.to_string() << "\n";
    switch (r.error().kind) {
      case ps::start_failure::config:
        return ps::exit_config;
      case ps::start_failure::file:
        return ps::exit_io;
      case ps::start_failure::listen:
        break;
    }
    return ps::exit_listen;
  }
  const auto& first = (*r)->bound_addresses().front();
  std::cout << "pacserver: serving " << l.pub->variants.size() << " variant(s) from "
            << config->file
            << (config->watch ? " (reloads on change and SIGHUP)" : " (reloads on SIGHUP)")
            << "\npacserver: point your browser's automatic proxy configuration URL at http://"
            << first << "/wpad.dat\n"
            << "pacserver:   e.g. chromium --proxy-pac-url=http://" << first << "/wpad.dat"
            << std::endl;
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      // logrotate's postrotate sends SIGHUP after renaming the logs: reopen them, then reload.
      (*r)->reopen_logs("SIGHUP");
      (*r)->reload("SIGHUP");
      continue;
    }
    std::cerr << "pacserver: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")"
              << std::endl;
    break;
  }
  return ps::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  ps::options o;
  CLI::App app{"pacserver: serve generated, validated PAC files (wpad.dat, proxy.pac) to a LAN"};
  app.set_version_flag("--version", std::string("pacserver ") + WPADKIT_VERSION);
  app.footer(
      "With no --config, pacserver runs its built-in configuration on 127.0.0.1:8080.\n"
      "Exit codes: 0 ok, 2 bad command line, 3 invalid config/template/PAC, 4 cannot listen,\n"
      "5 a file cannot be read or opened (the config file, an access log: server.access_log or\n"
      "the bundled proxy's).");
  app.add_option("--config", o.config, "TOML configuration file (see examples/pacserver.toml)");
  app.add_option("--listen", o.listen,
                 "ADDR:PORT to listen on (repeatable; replaces server.listen)");
  app.add_option("--proxy-listen", o.proxy_listen, "ADDR:PORT of the bundled proxy (proxy.listen)");
  auto* check = app.add_flag("--check", o.check, "render and validate everything, then exit");
  auto* print = app.add_flag("--print", o.print, "print the PAC one client would get, then exit");
  app.add_option("--client", o.client, "client address for --print")->needs(print);
  app.add_option("--host", o.host, "Host header for --print")->needs(print);
  app.add_option("--user-agent", o.user_agent, "User-Agent for --print")->needs(print);
  print->excludes(check);
  auto* snippets =
      app.add_subcommand("snippets", "print WPAD snippets for dnsmasq, ISC dhcpd, BIND, Windows");
  snippets->add_option("--config", o.config, "TOML configuration file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ps::exit_ok : ps::exit_usage;
  }
  if (o.print && o.client.empty()) {
    std::cerr << "pacserver: --print needs --client IP\n";
    return ps::exit_usage;
  }
  auto src = source_of(o);
  if (!src) {
    std::cerr << "pacserver: " << src.error().to_string() << "\n";
    return ps::exit_usage;
  }
  if (snippets->parsed()) return run_snippets(*src);
  if (o.check) return run_check(*src);
  if (o.print) return run_print(*src, o);
  return run_server(*src);
}
