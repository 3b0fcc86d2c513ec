// pactool proxy — runs the forwarding proxy (proxycore/forward) with a PAC deciding every request's
// route: a file (reloaded when it changes and on SIGHUP), an http(s) URL (re-fetched periodically
// with ETag/Last-Modified, the last good PAC kept on failure), the URL WPAD discovers (`--pac
// auto`), or a fixed list given with --route. Settings come from a TOML file (--config,
// proxy_settings.hpp) and the flags, which override it. SIGTERM/SIGINT drain connections and exit
// 0. Prints "listening on ADDR:PORT" on stdout once ready.
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "configfile/access_log_file.hpp"
#include "configfile/proxy_section.hpp"
#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/proxy_pac_watch.hpp"
#include "pactool/proxy_settings.hpp"
#include "pactool/proxy_wpad_watch.hpp"
#include "proxycore/forward/pac_decisions.hpp"
#include "proxycore/forward/proxy_service.hpp"

namespace pactool {
namespace {

namespace fwd = wpadkit::forward;

struct proxy_command {
  proxy_flags flags;
  engine_flags engine;
};

constexpr const char* proxy_footer = R"(Examples:
  pactool proxy --pac examples/corporate.pac --listen 127.0.0.1:3128
  pactool proxy --pac http://wpad.corp.example/wpad.dat --admin 127.0.0.1:9090
  pactool proxy --pac auto --no-pac direct          PAC URL found by WPAD (DHCP, then DNS)
  pactool proxy --config examples/pactool-proxy.toml --listen 127.0.0.1:3129
  pactool proxy --route "PROXY squid.corp:3128; DIRECT" --dns origin.test=127.0.0.1
Prints "listening on ADDR:PORT" on stdout when ready. A PAC file is reloaded when it changes and on
SIGHUP; a PAC URL is re-fetched every --refetch seconds (and on SIGHUP), keeping the last good PAC;
with --pac auto, WPAD runs again on SIGHUP, every --refetch seconds while nothing was found, and when
the local addresses change (another network): if it then finds nothing, that PAC is unloaded.
SIGHUP also reopens the access log file: to rotate it, rename it, then send SIGHUP.
Flags override the --config file (a repeatable flag replaces the file's list). With --users, clients
must send Proxy-Authorization (Basic) for a user of the file (407 otherwise); --upstream-auth* give
the credentials we send to an upstream PROXY hop, as Basic or, with --upstream-auth-scheme
HOST:PORT=ntlm, as NTLMv2 (user DOMAIN\user). Prefer --upstream-auth-file (mode 0600) or
--upstream-auth-env: a password on the command line shows in ps.
SIGTERM drains connections. Exit codes: 0 stopped by a signal, 2 usage, 3 bad config file, PAC or
address.)";

// Merges the file and the flags. Returns the exit code on failure (after printing why).
// `pactool proxy` runs on the machine of its clients (a laptop's browser, a developer's tools), so
// by default it leaves them a core: one I/O thread per core but one. Measured on two cores shared
// with the client and an origin (bench/README.md, session 4): two I/O threads cost 30 % more CPU per
// request than one and served fewer requests (0.67× against 0.80× nginx as reverse proxy). pacserver's
// bundled proxy serves other machines and keeps one thread per core. threads = N / --threads N win.
unsigned threads_beside_clients() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 1;
}

std::optional<int> settle(const proxy_command& cmd, proxy_settings& s) {
  if (!cmd.flags.config.empty()) {
    auto file = load_proxy_file(cmd.flags.config);
    if (!file) {
      print_error(file.error());
      return exit_input;
    }
    s = std::move(*file);
    for (const auto& notice : s.notices) std::cerr << "pactool proxy: " << notice << std::endl;
  }
  if (auto ok = apply_flags(cmd.flags, s); !ok) {
    print_error(ok.error());
    return exit_usage;
  }
  // The users file and upstream passwords are read once the flags have had their say.
  if (auto ok = wpadkit::configfile::load_credentials(s.proxy); !ok) {
    print_error(ok.error());
    return exit_input;
  }
  if (auto ok = check_settings(s); !ok) {
    print_error(ok.error());
    return exit_usage;
  }
  if (s.proxy.config.threads == 0) s.proxy.config.threads = threads_beside_clients();
  return std::nullopt;
}

// The PAC's watch and decisions, or the exit code.
struct pac_side {
  std::shared_ptr<fwd::pac_decisions> decisions;
  std::unique_ptr<pac_watch> watch;
};

std::variant<pac_side, int> start_pac(const proxy_settings& s, const engine_setup& setup) {
  auto env = make_environment(setup.settings);
  if (!env) {
    print_error(env.error());
    return exit_input;
  }
  fwd::pac_decisions_options po;
  po.env = std::move(*env);
  po.engine = setup.options;
  po.threads = std::max(1u, s.pac_threads);
  po.when_no_pac = s.proxy.config.when_no_pac;
  po.inline_engines = s.proxy.config.inline_pac ? fwd::io_thread_count(s.proxy.config) : 0;
  pac_side p;
  p.decisions = std::make_shared<fwd::pac_decisions>(std::move(po));
  const auto max = setup.options.max_pac_bytes;
  if (s.pac == "auto") {
    auto w = wpad_watch::create(*p.decisions, setup, s.refetch);
    if (!w) {
      print_error(w.error());
      return exit_input;
    }
    p.watch = std::move(*w);
  } else if (s.pac.rfind("http://", 0) == 0 || s.pac.rfind("https://", 0) == 0) {
    p.watch = std::make_unique<url_watch>(s.pac, *p.decisions, max, s.refetch);
  } else {
    p.watch = make_file_watch(s.pac, *p.decisions, max);
  }
  // A PAC file must load at start; a URL may be down now and come later (the no-PAC policy
  // applies).
  if (!p.watch->start() && p.watch->must_load_at_start()) return exit_input;
  return p;
}

std::string bracketed(const boost::asio::ip::address& a) {
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

void print_ready(const fwd::proxy_service& service, const fwd::proxy_config& c) {
  std::cout << "listening on " << bracketed(c.listen_address) << ":" << service.port() << " (via "
            << service.via_name() << ")" << std::endl;
  if (service.admin_port()) {
    std::cout << "admin on " << bracketed(c.admin_address) << ":" << service.admin_port()
              << std::endl;
  }
}

// SIGHUP's part for the access log: logrotate has renamed the file (postrotate kill -HUP), so lines
// go to a new one at the configured path from now on. A reopen that fails keeps the old file open
// and says so: the proxy goes on serving and no line is lost.
void reopen_access_log(const wpadkit::configfile::access_log_file& log) {
  if (auto ok = log.reopen(); !ok) {
    print_error(ok.error().to_string() + "; still writing to the file open before");
  }
}

// Takes signals until SIGTERM/SIGINT; SIGHUP reopens the access log and reloads, and once a second
// the watch does what is due.
void serve(const sigset_t& signals, pac_watch* watch,
           const wpadkit::configfile::access_log_file& log) {
  for (;;) {
    timespec second{1, 0};
    int sig = sigtimedwait(&signals, nullptr, &second);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (sig == SIGHUP) reopen_access_log(log);
    if (!watch) continue;
    if (sig == SIGHUP) {
      watch->reload();
    } else {
      watch->tick();
    }
  }
}

int run_proxy(proxy_command& cmd) {
  // Signals are taken synchronously by this thread (serve). They are blocked first thing, before any
  // thread starts (the PAC pool's workers, WPAD discovery, the I/O threads), so that every thread
  // inherits the mask: a SIGHUP delivered to a thread that had not blocked it would terminate the
  // process; and a SIGTERM that arrives while we start is served once we are up (a drain, exit 0)
  // instead of killing us half-started.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  proxy_settings s;
  if (auto code = settle(cmd, s)) return *code;
  engine_flags ef = cmd.engine;
  if (ef.dns.empty()) ef.dns = s.dns;  // --dns replaces the file's [dns] hosts
  ef.offline = ef.offline || s.offline;
  auto setup = make_engine_setup(ef);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  fwd::proxy_services services;
  for (const auto& [name, addr] : setup->settings.dns) services.hosts[name].push_back(addr);
  services.use_dns = !setup->settings.offline;
  services.access_log_format = s.proxy.log_format;
  auto log = wpadkit::configfile::open_access_log(s.proxy.access_log);
  if (!log) {
    print_error(log.error());
    return exit_input;
  }
  services.access_log = log->sink();
  pac_side pac;
  if (!s.route.empty()) {
    services.decisions = fwd::fixed_decisions(s.route);
  } else {
    auto started = start_pac(s, *setup);
    if (auto* code = std::get_if<int>(&started)) return *code;
    pac = std::move(std::get<pac_side>(started));
    services.decisions = pac.decisions;
  }
  auto service = fwd::proxy_service::start(s.proxy.config, std::move(services));
  if (!service) {
    print_error(service.error());
    return exit_input;
  }
  print_ready(**service, s.proxy.config);
  serve(signals, pac.watch.get(), *log);
  std::cerr << "pactool proxy: stopping (draining connections)" << std::endl;
  (*service)->stop();
  return exit_ok;
}

void add_listener_flags(CLI::App& cmd, proxy_flags& f) {
  cmd.add_option("--listen", f.listen,
                 "Address and port to listen on (port 0: any free port; default 127.0.0.1:3128)")
      ->type_name("ADDR:PORT");
  cmd.add_option("--admin", f.admin, "Admin listener serving /metrics")->type_name("ADDR:PORT");
  cmd.add_option("--allow", f.allow,
                 "Client network allowed to use the proxy (repeatable; default loopback)")
      ->type_name("NET/LEN");
  cmd.add_option("--via", f.via, "Our Via name (default: host name:port)")->type_name("NAME");
  cmd.add_flag("--trace", f.trace, "Allow TRACE (off by default: cross-site tracing)");
  cmd.add_option("--connect-port", f.connect_ports,
                 "Port CONNECT may reach (repeatable, or 'any'; default 443 563)")
      ->type_name("PORT");
  cmd.add_option("--threads", f.threads, "I/O threads (default: one per core but one, at least 1)");
  cmd.add_option("--access-log", f.access_log, "Append one line per request to FILE (- for stderr)")
      ->type_name("FILE");
  cmd.add_option("--log-format", f.log_format, "Access log format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--https-proxy-ca", f.https_proxy_ca,
                 "Extra CA certificates (PEM) trusted for HTTPS proxies")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
}

void add_timing_flags(CLI::App& cmd, proxy_flags& f) {
  cmd.add_option("--bad-proxy-retry", f.bad_proxy_retry_s,
                 "Seconds a failed proxy stays at the end of lists (default 300)")
      ->type_name("S");
  cmd.add_option("--connect-timeout", f.connect_timeout_ms,
                 "Milliseconds per connection attempt (default 10000)")
      ->type_name("MS");
  cmd.add_option("--upstream-timeout", f.upstream_timeout_ms,
                 "Milliseconds an upstream may stay silent, then 504 (default 60000)")
      ->type_name("MS");
  cmd.add_option("--response-head-timeout", f.response_head_timeout_ms,
                 "Milliseconds a hop with a fallback has to begin its answer, then the next hop "
                 "(default 10000)")
      ->type_name("MS");
  cmd.add_option("--head-timeout", f.head_timeout_ms,
                 "Milliseconds a client has to send its request head, then 408 (default 30000)")
      ->type_name("MS");
}

void add_pac_flags(CLI::App& cmd, proxy_flags& f) {
  cmd.add_option("--pac", f.pac, "PAC file, http(s) URL, or auto (WPAD: DHCP option 252, then DNS)")
      ->type_name("FILE|URL|auto");
  cmd.add_option("--route", f.route,
                 "A fixed proxy list instead of a PAC, e.g. \"PROXY p:3128; DIRECT\"")
      ->type_name("LIST");
  cmd.add_option("--pac-threads", f.pac_threads, "PAC evaluation threads (default 2)");
  cmd.add_option("--no-pac", f.no_pac, "While no PAC is loaded: wait (default), direct or refuse")
      ->check(CLI::IsMember({"wait", "direct", "refuse"}));
  cmd.add_option("--no-pac-wait", f.no_pac_wait_s,
                 "Seconds to wait for a PAC under --no-pac wait (default 10)")
      ->type_name("S");
  cmd.add_option("--refetch", f.refetch_s,
                 "Seconds between re-fetches of a PAC URL, and between WPAD tries while none is "
                 "found (default 300)")
      ->type_name("S");
  cmd.add_flag("--no-decision-cache", f.no_decision_cache,
               "Accepted from older command lines: the PAC is evaluated for every request anyway");
  cmd.add_flag("--no-inline-pac", f.no_inline_pac,
               "Evaluate the PAC only on its own threads, never on the I/O threads");
}

void add_auth_flags(CLI::App& cmd, proxy_flags& f) {
  cmd.add_option("--users", f.users,
                 "Clients must authenticate (Basic) as a user of FILE (htpasswd -B lines)")
      ->type_name("FILE");
  cmd.add_option("--realm", f.realm, "Realm of the 407 challenge (default wpadkit)")
      ->type_name("TEXT");
  cmd.add_option("--upstream-auth", f.upstream_auth,
                 "Basic credentials for an upstream proxy (repeatable; shows in ps)")
      ->type_name("HOST:PORT=USER:PASSWORD");
  cmd.add_option("--upstream-auth-file", f.upstream_auth_file,
                 "The same, the password being the first line of PATH")
      ->type_name("HOST:PORT=USER:PATH");
  cmd.add_option("--upstream-auth-env", f.upstream_auth_env,
                 "The same, the password taken from environment variable VAR")
      ->type_name("HOST:PORT=USER:VAR");
  cmd.add_option(
         "--upstream-auth-scheme", f.upstream_auth_scheme,
         "How to present that proxy's credentials: basic (default) or ntlm (NTLMv2, once per "
         "upstream connection; USER may be DOMAIN\\user) (repeatable)")
      ->type_name("HOST:PORT=SCHEME");
}

}  // namespace

void add_proxy_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<proxy_command>();
  auto* cmd =
      app.add_subcommand("proxy", "Run the forwarding proxy, routing each request by the PAC");
  cmd->add_option("--config", o->flags.config,
                  "TOML settings file (examples/pactool-proxy.toml); flags override it")
      ->type_name("FILE");
  add_pac_flags(*cmd, o->flags);
  add_listener_flags(*cmd, o->flags);
  add_timing_flags(*cmd, o->flags);
  add_auth_flags(*cmd, o->flags);
  add_engine_flags(*cmd, o->engine);
  cmd->footer(proxy_footer);
  cmd->callback([o, &exit_code] { exit_code = run_proxy(*o); });
}

}  // namespace pactool
