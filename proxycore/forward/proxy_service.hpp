#pragma once
// forward::proxy_service — the forwarding proxy as one object: binds its listener (and optionally an
// admin listener serving /metrics), runs its I/O threads, and stops gracefully. This is the API
// pactool proxy and pacserver use; everything else in proxycore/forward is its parts.
//
// Threading: `threads` I/O threads, each running its own io_context (one per core by default). The
// acceptor lives on thread 0 and hands each accepted socket to the threads in turn; a connection then
// stays on its thread for its whole life, with its upstream sockets, its pool of idle upstream
// connections and its c-ares channel. Why not one shared io_context with strands: a socket, a pooled
// connection and a c-ares channel all belong to one thread anyway, so per-thread contexts need no
// lock on the hot path (the upstream pool is a plain map), while a shared context serialises every
// completion through its scheduler lock. What is shared across threads is small and synchronised:
// the bad-proxy list (a mutex, touched once per hop decision), the metrics (relaxed atomics), the
// decision source (its own synchronisation), the access-log sink (the caller's).
//
// PAC evaluation never runs on an I/O thread: the decision_source (pac_decisions over
// pac::engine_pool) evaluates on its own workers and the answer is posted back.
#include <cstdint>
#include <memory>
#include <string>

#include "proxycore/base/error.hpp"
#include "proxycore/dns/resolver_options.hpp"
#include "proxycore/forward/access_log.hpp"
#include "proxycore/forward/decision_source.hpp"
#include "proxycore/forward/metrics.hpp"
#include "proxycore/forward/origin_resolver.hpp"
#include "proxycore/forward/proxy_chooser.hpp"
#include "proxycore/forward/proxy_config.hpp"

namespace wpadkit::forward {

// What the proxy is given from outside, each behind its seam.
struct proxy_services {
  std::shared_ptr<decision_source> decisions;  // required: the PAC (or a fixed list)
  host_table hosts;                            // names answered before DNS (`--dns NAME=IP`)
  bool use_dns = true;                         // false: names outside `hosts` do not resolve
  dns::resolver_options dns;                   // for the per-thread c-ares resolvers
  std::shared_ptr<const steady_clock_source> clock;  // bad-proxy list time; null: the real clock
  access_log_sink access_log;                  // null: no access log
  log_format access_log_format = log_format::text;
};

class proxy_service {
 public:
  // Validates the config, binds the listener(s) and starts the threads. Errors: errc::config (bad
  // config, or no decision source), errc::io (cannot bind: the message names the address),
  // errc::dns_failure (a c-ares channel could not be created), errc::unsupported (NTLM upstream
  // credentials, and OpenSSL's legacy provider for MD4 cannot be loaded).
  static result<std::unique_ptr<proxy_service>> start(proxy_config config, proxy_services services);

  // stop() with no grace period (closes everything at once), then joins the threads.
  ~proxy_service();
  proxy_service(const proxy_service&) = delete;
  proxy_service& operator=(const proxy_service&) = delete;

  std::uint16_t port() const;        // the bound proxy port (useful with listen_port 0)
  std::uint16_t admin_port() const;  // 0 when the admin listener is off
  const std::string& via_name() const;

  // Graceful shutdown (SIGTERM): stop accepting, close idle keep-alive connections, let requests in
  // flight finish for up to config.shutdown_grace, then close what is left and join the threads.
  // Blocks the caller. Idempotent; call it from any thread except an I/O thread of this service.
  void stop();

  const metrics& stats() const;
  // The /metrics text.
  std::string render_metrics() const;

  struct impl;

 private:
  explicit proxy_service(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace wpadkit::forward
