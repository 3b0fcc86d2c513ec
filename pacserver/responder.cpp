#include "pacserver/responder.hpp"

#include <iostream>
#include <chrono>
#include <map>
#include <thread>

#include "pacserver/embedded_config.hpp"
#include "pacserver/template_store.hpp"

namespace wpadkit::pacserver {

namespace {

using fingerprint =
    std::map<std::filesystem::path, std::pair<std::filesystem::file_time_type, std::uintmax_t>>;

fingerprint take_fingerprint(const std::vector<std::filesystem::path>& files) {
  fingerprint fp;
  for (const auto& f : files) {
    std::error_code ec;
    const auto t = std::filesystem::last_write_time(f, ec);
    const auto size = ec ? 0 : std::filesystem::file_size(f, ec);
    fp[f] =
        ec ? std::pair{std::filesystem::file_time_type{}, std::uintmax_t{0}} : std::pair{t, size};
  }
  return fp;
}

// An error about the server log (it names the file and the reason) says which entry asked for it.
error named(error e, const server_config& config) {
  e.message += " (server.access_log at " + config.access_log_source.place() + ")";
  return e;
}

// server.access_log, opened for appending. Errors: errc::io naming the file and the OS reason, and
// the entry that asked for it (as the bundled proxy's access log does).
result<std::unique_ptr<access_log>> open_server_log(const server_config& config) {
  auto log = access_log::open(config.access_log);
  if (!log) return named(std::move(log.error()), config);
  return log;
}

}  // namespace

result<std::shared_ptr<const server_config>> load_effective_config(const config_source& src) {
  result<server_config> c = error(errc::config);
  if (src.file) {
    c = load_config(*src.file);
  } else {
    const std::string proxy = src.proxy_listen ? src.proxy_listen->to_string() : "127.0.0.1:3128";
    c = parse_config(embedded_config_text(proxy), std::string(embedded_config_name), ".");
    if (c) c->watch = false;
  }
  if (!c) return c.error();
  if (!src.listen.empty()) c->listen = src.listen;
  if (src.proxy_listen) {  // --proxy-listen asks for the bundled proxy, [proxy] section or not
    c->proxy.listen = *src.proxy_listen;
    c->proxy.enabled = true;
  }
  return std::make_shared<const server_config>(std::move(*c));
}

loaded load_publication(const config_source& src, const publication* previous) {
  auto config = load_effective_config(src);
  if (!config) return {nullptr, {config.error()}};
  auto built = build_publication(*config, previous, std::chrono::system_clock::now());
  return {built.pub, built.errors};
}

responder::responder(config_source src, std::shared_ptr<const publication> pub,
                     std::unique_ptr<access_log> log)
    : src_(std::move(src)),
      service_(std::make_unique<http_service>(std::move(pub), std::move(log))) {}

boost::system::result<std::unique_ptr<responder>, start_error> responder::start(
    config_source src, std::shared_ptr<const publication> pub, std::ostream& out) {
  const auto config = pub->config;
  // An access log that cannot be opened stops the start (exit 5), as the bundled proxy's does:
  // falling back to stdout would lose the audit trail the administrator asked for without a word
  // anyone reads.
  auto server_log = open_server_log(*config);
  if (!server_log) return start_error{start_failure::file, std::move(server_log.error())};
  std::unique_ptr<responder> r(
      new responder(std::move(src), std::move(pub), std::move(*server_log)));
  // A PAC naming a bundled proxy that is not running would send every client DIRECT without a
  // word: failing to start it is as fatal as failing to listen. It starts first, so that a
  // failure leaves no listener running.
  auto log = open_bundled_proxy_log(config->proxy);
  if (!log) return start_error{start_failure::file, std::move(log.error())};
  auto proxy = start_bundled_proxy(config->proxy, config->allowed_clients, std::move(*log));
  if (!proxy) {
    const auto kind =
        proxy.error().is(errc::config) ? start_failure::config : start_failure::listen;
    return start_error{kind, std::move(proxy.error())};
  }
  r->proxy_ = std::move(*proxy);
  if (r->proxy_) {
    out << "pacserver: bundled proxy listening on "
        << listen_address{config->proxy.listen.host, r->proxy_->port()}.to_string() << std::endl;
  }
  auto server = http_server::bind(config->listen, config->limits, *r->service_);
  if (!server) {
    return start_error{start_failure::listen, std::move(server.error()).at(config->file)};
  }
  for (const auto& bound : (*server)->addresses()) {
    r->bound_.push_back(bound.to_string());
    out << "pacserver: listening on " << bound.to_string() << std::endl;
  }
  r->server_ = std::move(*server);
  if (auto started = r->server_->start(); !started) {
    return start_error{start_failure::listen, std::move(started.error())};
  }
  if (config->watch) r->watcher_ = std::thread([p = r.get()] { p->watch_loop(); });
  return r;
}

responder::~responder() {
  {
    std::lock_guard lock(watch_mutex_);
    stopping_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (server_) server_->stop();
}

bool responder::reload(const std::string& why) {
  std::lock_guard lock(reload_mutex_);
  const auto current = service_->current();
  auto next = load_publication(src_, current.get());
  const auto refuse = [&](const std::vector<error>& errors) {
    service_->counters().count_reload(false);
    std::cerr << "pacserver: reload (" << why << ") failed; still serving generation "
              << current->generation << ":\n";
    for (const auto& e : errors) std::cerr << "  " << e.to_string() << "\n";
    return false;
  };
  if (!next.pub) return refuse(next.errors);
  // A changed server.access_log is opened before anything goes live. If it cannot be, the whole
  // reload is refused like any other bad entry, and the last good config keeps serving with the
  // log it has: a good config is never lost for a bad one, and the server does not stop (a
  // running server stopping for a log path would cost every client its PAC). Publishing the new
  // PACs while logging to the old file would make the config file, /healthz's generation and the
  // log disagree about what is live; this way the reload is all or nothing, reported on stderr
  // and counted as failed, and fixing the path (a save, or SIGHUP) retries it. An unchanged path
  // keeps its open file.
  std::shared_ptr<access_log> next_log;
  if (next.pub->config->access_log != current->config->access_log) {
    auto log = open_server_log(*next.pub->config);
    if (!log) return refuse({log.error()});
    next_log = std::move(*log);
  }
  if (next.pub->config->listen.size() != current->config->listen.size() ||
      !std::equal(next.pub->config->listen.begin(), next.pub->config->listen.end(),
                  current->config->listen.begin(),
                  [](const auto& a, const auto& b) { return a.to_string() == b.to_string(); })) {
    std::cerr << "pacserver: server.listen changed; the new addresses take effect on restart\n";
  }
  service_->publish(next.pub, std::move(next_log));
  service_->counters().count_reload(true);
  std::cerr << "pacserver: reloaded (" << why << "): generation " << next.pub->generation;
  for (const auto& [name, p] : next.pub->variants) std::cerr << " " << name << "=" << p.hash;
  std::cerr << std::endl;
  return true;
}

bool responder::reopen_logs(const std::string& why) {
  // Under the reload lock: the server log is the one the live config names, not one a concurrent
  // reload is replacing.
  std::lock_guard lock(reload_mutex_);
  std::vector<error> failed;
  if (auto ok = service_->reopen_log(); !ok) {
    failed.push_back(named(std::move(ok.error()), *service_->current()->config));
  }
  if (proxy_) {
    if (auto ok = proxy_->reopen_log(); !ok) failed.push_back(std::move(ok.error()));
  }
  for (const auto& e : failed) {
    std::cerr << "pacserver: " << why << ": " << e.to_string()
              << "; still writing to the file open before" << std::endl;
  }
  return failed.empty();
}

std::vector<std::filesystem::path> responder::watched_files() const {
  std::vector<std::filesystem::path> files;
  if (src_.file) files.push_back(*src_.file);
  const auto config = service_->current()->config;
  if (!config->templates_dir.empty()) {
    const template_store store(config->templates_dir);
    for (const auto& v : config->variants) files.push_back(store.file_of(v.template_name));
  }
  return files;
}

void responder::watch_loop() {
  auto files = watched_files();
  auto last = take_fingerprint(files);
  std::unique_lock lock(watch_mutex_);
  while (!stopping_) {
    const auto interval = service_->current()->config->watch_interval;
    watch_cv_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) break;
    auto now = take_fingerprint(files);
    if (now == last) continue;
    std::string changed;
    for (const auto& [path, stamp] : now) {
      if (last[path] != stamp) changed = path.string();
    }
    last = now;
    lock.unlock();
    reload("changed: " + changed);
    // A reload can name new template files: start watching them from their current state.
    files = watched_files();
    for (const auto& [path, stamp] : take_fingerprint(files)) last.try_emplace(path, stamp);
    lock.lock();
  }
}

}  // namespace wpadkit::pacserver
