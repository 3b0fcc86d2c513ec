// pactool proxy — runs the forwarding proxy (proxycore/forward) with a PAC deciding every request's
// route: a file (reloaded when it changes and on SIGHUP), an http(s) URL (re-fetched periodically
// with ETag/Last-Modified, the last good PAC kept on failure), or a fixed list given with --route.
// SIGTERM/SIGINT drain connections and exit 0. Prints "listening on ADDR:PORT" on stdout once ready.
#include <signal.h>
#include <sys/stat.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pactool/commands.hpp"
#include "pactool/engine_flags.hpp"
#include "pactool/output.hpp"
#include "pactool/pac_source.hpp"
#include "proxycore/forward/pac_decisions.hpp"
#include "proxycore/forward/proxy_service.hpp"
#include "proxycore/forward/request_rewrite.hpp"
#include "proxycore/wpad/pac_fetcher.hpp"

namespace pactool {
namespace {

namespace fwd = wpadkit::forward;
using wpadkit::errc;
using wpadkit::error;
using wpadkit::result;

struct proxy_options {
  std::string pac;
  std::string route;
  std::string listen = "127.0.0.1:3128";
  std::string admin;
  std::vector<std::string> allow;
  std::string via;
  bool trace = false;
  std::vector<std::string> connect_ports;
  unsigned threads = 0;
  unsigned pac_threads = 2;
  std::string no_pac = "wait";
  double no_pac_wait = 10;
  std::string access_log;
  std::string log_format = "text";
  double bad_proxy_retry = 300;
  long connect_timeout_ms = 10000;
  long upstream_timeout_ms = 60000;
  long head_timeout_ms = 30000;
  double refetch = 300;
  bool no_cache = false;
  engine_flags flags;
};

constexpr const char* proxy_footer = R"(Examples:
  pactool proxy --pac examples/corporate.pac --listen 127.0.0.1:3128
  pactool proxy --pac http://wpad.corp.example/wpad.dat --admin 127.0.0.1:9090
  pactool proxy --route "PROXY squid.corp:3128; DIRECT" --dns origin.test=127.0.0.1
Prints "listening on ADDR:PORT" on stdout when ready. A PAC file is reloaded when it changes and on
SIGHUP; a PAC URL is re-fetched every --refetch seconds (and on SIGHUP), keeping the last good PAC.
SIGTERM drains connections. Exit codes: 0 stopped by a signal, 2 usage, 3 bad PAC or address.)";

// "ADDR:PORT" or "[V6]:PORT"; port 0 means any free port.
result<std::pair<boost::asio::ip::address, std::uint16_t>> parse_listen(const std::string& text,
                                                                         std::uint16_t default_port) {
  auto colon = text.rfind(':');
  bool bracketed = !text.empty() && text.front() == '[';
  std::string host = text, port_text;
  if (colon != std::string::npos && (!bracketed || text[colon - 1] == ']')) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(host, ec);
  if (ec) return error(errc::parse, "'" + text + "': '" + host + "' is not an IP address to listen on");
  unsigned port = default_port;
  if (!port_text.empty()) {
    auto [end, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (perr != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
      return error(errc::parse, "'" + text + "': '" + port_text + "' is not a port");
    }
  }
  return std::pair{a, static_cast<std::uint16_t>(port)};
}

result<fwd::proxy_config> make_config(const proxy_options& o) {
  fwd::proxy_config c;
  auto listen = parse_listen(o.listen, 3128);
  if (!listen) return std::move(listen).error();
  c.listen_address = listen->first;
  c.listen_port = listen->second;
  if (!o.admin.empty()) {
    auto admin = parse_listen(o.admin, 0);
    if (!admin) return std::move(admin).error();
    c.admin_enabled = true;
    c.admin_address = admin->first;
    c.admin_port = admin->second;
  }
  for (const auto& a : o.allow) {
    auto n = fwd::parse_client_network(a);
    if (!n) return std::move(n).error();
    c.allowed_clients.push_back(*n);
  }
  if (!o.connect_ports.empty()) {
    c.connect_ports.clear();
    for (const auto& p : o.connect_ports) {
      if (p == "any") continue;
      auto hp = fwd::parse_authority("x:" + p, 0);
      if (!hp) return error(errc::parse, "--connect-port '" + p + "' is not a port or 'any'");
      c.connect_ports.push_back(hp->second);
    }
  }
  using ms = std::chrono::milliseconds;
  c.via_name = o.via;
  c.trace_enabled = o.trace;
  c.threads = o.threads;
  c.bad_proxy_retry = ms(static_cast<long>(o.bad_proxy_retry * 1000));
  c.connect_timeout = ms(o.connect_timeout_ms);
  c.upstream_timeout = ms(o.upstream_timeout_ms);
  c.client_head_timeout = ms(o.head_timeout_ms);
  c.no_pac_wait = ms(static_cast<long>(o.no_pac_wait * 1000));
  if (o.no_pac == "wait") c.when_no_pac = fwd::no_pac_policy::wait;
  else if (o.no_pac == "direct") c.when_no_pac = fwd::no_pac_policy::direct;
  else if (o.no_pac == "refuse") c.when_no_pac = fwd::no_pac_policy::refuse;
  else return error(errc::parse, "--no-pac '" + o.no_pac + "': expected wait, direct or refuse");
  return c;
}

bool is_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// Where the PAC comes from, and how to notice that it changed.
class pac_watch {
 public:
  pac_watch(std::string source, fwd::pac_decisions& decisions, std::size_t max_bytes)
      : source_(std::move(source)), decisions_(decisions), max_bytes_(max_bytes) {}

  // Loads or reloads now; prints what happened. Returns false if nothing usable was loaded.
  bool load(bool forced) {
    if (is_url(source_)) return fetch(forced);
    struct stat st {};
    if (::stat(source_.c_str(), &st) != 0) {
      print_error("cannot read PAC file " + source_ + ": keeping the previous PAC");
      return false;
    }
    if (!forced && st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
        st.st_size == size_) {
      return true;
    }
    mtime_ = st.st_mtim;
    size_ = st.st_size;
    auto text = read_pac(source_, max_bytes_);
    if (!text) return report(text.error());
    return install(text->text);
  }

  // Called about once a second: reloads a changed file, re-fetches a URL when it is due.
  void tick() {
    if (!is_url(source_)) {
      load(false);
    } else if (std::chrono::steady_clock::now() >= next_fetch_) {
      load(false);
    }
  }

  void set_refetch(std::chrono::milliseconds every) { refetch_ = every; }

 private:
  bool fetch(bool forced) {
    wpadkit::wpad::fetch_options fo;
    fo.max_bytes = max_bytes_;
    if (!forced && !etag_.empty()) fo.if_none_match = etag_;
    if (!forced && !last_modified_.empty()) fo.if_modified_since = last_modified_;
    // A failure is retried sooner than a success is refreshed.
    next_fetch_ = std::chrono::steady_clock::now() + std::min(refetch_, std::chrono::milliseconds(30000));
    auto r = wpadkit::wpad::fetch_pac(source_, fo);
    if (!r) return report(r.error());
    if (r->not_modified) {
      next_fetch_ = std::chrono::steady_clock::now() + refetch_;
      return true;
    }
    if (!r->usable()) {
      std::string why = "status " + std::to_string(r->status);
      for (const auto& f : r->findings) {
        if (f.level == wpadkit::wpad::fetch_finding::severity::error) why = f.message;
      }
      return report(error(errc::http, why).at(source_));
    }
    etag_ = r->etag;
    last_modified_ = r->last_modified;
    next_fetch_ = std::chrono::steady_clock::now() + refetch_;
    return install(r->body);
  }

  bool install(const std::string& text) {
    auto ok = decisions_.load(text, source_);
    if (!ok) return report(ok.error());
    std::cerr << "pactool proxy: loaded PAC " << source_ << " (version " << decisions_.version()
              << (decisions_.caching() ? ", decisions cached" : "") << ")" << std::endl;
    return true;
  }

  bool report(const error& e) {
    print_error(e.to_string() + (decisions_.ready() ? " (keeping the previous PAC)" : " (no PAC loaded)"));
    return false;
  }

  std::string source_;
  fwd::pac_decisions& decisions_;
  std::size_t max_bytes_;
  timespec mtime_{};
  off_t size_ = -1;
  std::string etag_, last_modified_;
  std::chrono::milliseconds refetch_{300000};
  std::chrono::steady_clock::time_point next_fetch_{};
};

fwd::access_log_sink make_access_log(const std::string& path) {
  if (path.empty()) return {};
  std::FILE* f = path == "-" ? stderr : std::fopen(path.c_str(), "a");
  if (!f) return {};
  auto m = std::make_shared<std::mutex>();
  return [f, m](std::string_view line) {
    std::lock_guard lock(*m);
    std::fwrite(line.data(), 1, line.size(), f);
    std::fputc('\n', f);
    std::fflush(f);
  };
}

int run_proxy(proxy_options& o) {
  if (o.pac.empty() == o.route.empty()) {
    print_error("give exactly one of --pac FILE|URL and --route LIST");
    return exit_usage;
  }
  auto setup = make_engine_setup(o.flags);
  if (!setup) {
    print_error(setup.error());
    return exit_usage;
  }
  auto config = make_config(o);
  if (!config) {
    print_error(config.error());
    return exit_usage;
  }
  fwd::proxy_services services;
  for (const auto& [name, addr] : setup->settings.dns) services.hosts[name].push_back(addr);
  services.use_dns = !setup->settings.offline;
  services.access_log_format = o.log_format == "json" ? fwd::log_format::json : fwd::log_format::text;
  if (!o.access_log.empty()) {
    services.access_log = make_access_log(o.access_log);
    if (!services.access_log) {
      print_error("cannot open access log " + o.access_log);
      return exit_input;
    }
  }
  // Signals are taken synchronously by this thread. They are blocked before any thread starts (the
  // PAC pool's workers, the I/O threads), so that every thread inherits the mask: a SIGHUP delivered
  // to a thread that had not blocked it would terminate the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::shared_ptr<fwd::pac_decisions> pac;
  std::unique_ptr<pac_watch> watch;
  if (!o.route.empty()) {
    services.decisions = fwd::fixed_decisions(o.route);
  } else {
    auto env = make_environment(setup->settings);
    if (!env) {
      print_error(env.error());
      return exit_input;
    }
    fwd::pac_decisions_options po;
    po.env = std::move(*env);
    po.engine = setup->options;
    po.threads = std::max(1u, o.pac_threads);
    po.when_no_pac = config->when_no_pac;
    po.cache = !o.no_cache;
    pac = std::make_shared<fwd::pac_decisions>(std::move(po));
    watch = std::make_unique<pac_watch>(o.pac, *pac, setup->options.max_pac_bytes);
    watch->set_refetch(std::chrono::milliseconds(static_cast<long>(o.refetch * 1000)));
    // A PAC file must load at start; a URL may be down now and come later (the no-PAC policy applies).
    if (!watch->load(true) && !is_url(o.pac)) return exit_input;
    services.decisions = pac;
  }
  auto service = fwd::proxy_service::start(*config, std::move(services));
  if (!service) {
    print_error(service.error());
    return exit_input;
  }
  std::cout << "listening on " << o.listen.substr(0, o.listen.rfind(':')) << ":" << (*service)->port()
            << " (via " << (*service)->via_name() << ")" << std::endl;
  if ((*service)->admin_port()) {
    std::cout << "admin on " << o.admin.substr(0, o.admin.rfind(':')) << ":" << (*service)->admin_port()
              << std::endl;
  }
  for (;;) {
    timespec second{1, 0};
    int sig = sigtimedwait(&signals, nullptr, &second);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (!watch) continue;
    if (sig == SIGHUP) {
      watch->load(true);
    } else {
      watch->tick();
    }
  }
  std::cerr << "pactool proxy: stopping (draining connections)" << std::endl;
  (*service)->stop();
  return exit_ok;
}

}  // namespace

void add_proxy_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<proxy_options>();
  auto* cmd = app.add_subcommand("proxy", "Run the forwarding proxy, routing each request by the PAC");
  cmd->add_option("--pac", o->pac, "PAC file or http(s) URL deciding each request's route")
      ->type_name("FILE|URL");
  cmd->add_option("--route", o->route, "A fixed proxy list instead of a PAC, e.g. \"PROXY p:3128; DIRECT\"")
      ->type_name("LIST");
  cmd->add_option("--listen", o->listen, "Address and port to listen on (port 0: any free port)")
      ->capture_default_str()
      ->type_name("ADDR:PORT");
  cmd->add_option("--admin", o->admin, "Admin listener serving /metrics")->type_name("ADDR:PORT");
  cmd->add_option("--allow", o->allow, "Client network allowed to use the proxy (repeatable; default loopback)")
      ->type_name("NET/LEN");
  cmd->add_option("--via", o->via, "Our Via name (default: host name:port)")->type_name("NAME");
  cmd->add_flag("--trace", o->trace, "Allow TRACE (off by default: cross-site tracing)");
  cmd->add_option("--connect-port", o->connect_ports, "Port CONNECT may reach (repeatable, or 'any'; default 443 563)")
      ->type_name("PORT");
  cmd->add_option("--threads", o->threads, "I/O threads (default: one per core)");
  cmd->add_option("--pac-threads", o->pac_threads, "PAC evaluation threads")->capture_default_str();
  cmd->add_option("--no-pac", o->no_pac, "While no PAC is loaded: wait, direct or refuse")->capture_default_str();
  cmd->add_option("--no-pac-wait", o->no_pac_wait, "Seconds to wait for a PAC under --no-pac wait")
      ->capture_default_str();
  cmd->add_option("--access-log", o->access_log, "Append one line per request to FILE (- for stderr)")
      ->type_name("FILE");
  cmd->add_option("--log-format", o->log_format, "Access log format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--bad-proxy-retry", o->bad_proxy_retry, "Seconds a failed proxy stays at the end of lists")
      ->capture_default_str();
  cmd->add_option("--connect-timeout", o->connect_timeout_ms, "Milliseconds per connection attempt")
      ->capture_default_str();
  cmd->add_option("--upstream-timeout", o->upstream_timeout_ms, "Milliseconds an upstream may stay silent (then 504)")
      ->capture_default_str();
  cmd->add_option("--head-timeout", o->head_timeout_ms, "Milliseconds a client has to send its request head (then 408)")
      ->capture_default_str();
  cmd->add_option("--refetch", o->refetch, "Seconds between re-fetches of a PAC URL")->capture_default_str();
  cmd->add_flag("--no-decision-cache", o->no_cache, "Evaluate the PAC for every request");
  add_engine_flags(*cmd, o->flags);
  cmd->footer(proxy_footer);
  cmd->callback([o, &exit_code] { exit_code = run_proxy(*o); });
}

}  // namespace pactool
