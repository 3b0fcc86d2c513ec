#pragma once
// Internal to proxycore/forward: the state a proxy_service shares with its sessions. Not installed
// API: pacserver and pactool use proxy_service.hpp.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <set>
#include <string>

#include "proxycore/dns/async_resolver.hpp"
#include "proxycore/forward/access_log.hpp"
#include "proxycore/forward/connector.hpp"
#include "proxycore/forward/decision_source.hpp"
#include "proxycore/forward/metrics.hpp"
#include "proxycore/forward/origin_resolver.hpp"
#include "proxycore/forward/proxy_auth.hpp"
#include "proxycore/forward/proxy_chooser.hpp"
#include "proxycore/forward/proxy_config.hpp"
#include "proxycore/forward/stream.hpp"
#include "proxycore/forward/upstream_pool.hpp"

namespace wpadkit::forward {

// Shared by every I/O thread: immutable after start, or internally synchronised.
struct shared_state {
  shared_state(proxy_config c, std::shared_ptr<const steady_clock_source> clock)
      : config(std::move(c)), chooser(config.bad_proxy_retry, std::move(clock)) {}
  proxy_config config;
  std::string via_name;
  std::shared_ptr<decision_source> decisions;
  host_table hosts;
  proxy_chooser chooser;
  // Clients' credentials (config.users; enabled() false when none): one cache and one hashing thread
  // for the whole proxy, so a client is hashed once whichever I/O thread its connections land on.
  client_authenticator client_auth{config.users};
  // Our credentials for upstream proxies (config.upstream_auth), NTLM keys derived once; set by
  // start().
  std::shared_ptr<const upstream_authorizer> upstream_auth;
  // TLS client settings for HTTPS proxies (OpenSSL's SSL_CTX is safe to share between threads).
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_client};
  metrics stats;
  access_log_sink access_log;
  log_format format = log_format::text;
  std::atomic<bool> stopping{false};
};

// A client connection as its I/O thread's shutdown sees it.
struct client_slot {
  stream* client;
  bool idle = false;  // waiting for the next request head
};

// One I/O thread: its own io_context and everything bound to it (no locks needed inside).
struct worker {
  worker(shared_state& s)
      : ctx(std::make_shared<boost::asio::io_context>(1)),
        pool(s.config.pool_max_idle_per_hop, s.config.pool_idle_timeout) {}
  // shared: a PAC completion arriving from an engine thread keeps it alive while it posts.
  std::shared_ptr<boost::asio::io_context> ctx;
  std::unique_ptr<dns::async_resolver> dns;
  std::unique_ptr<origin_resolver> resolver;
  std::unique_ptr<connector> connect;
  std::unique_ptr<decision_source::thread_state> decision_state;  // this thread's, for find_proxy_now
  upstream_pool pool;
  // Every client connection of this thread; those waiting for their next request head (idle) are
  // closed at shutdown so that they end at once.
  std::set<client_slot*> clients;
};

}  // namespace wpadkit::forward
