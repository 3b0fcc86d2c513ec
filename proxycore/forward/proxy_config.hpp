#pragma once
// forward::proxy_config — everything the forwarding proxy can be told, as one plain struct. Built by
// the program edge (pactool proxy, pacserver's [proxy] section) and validated by validate_config()
// before a proxy_service is constructed; proxycore reads no environment and no files for it.
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/base/limits.hpp"
#include "proxycore/model/cidr.hpp"

namespace wpadkit::forward {

using namespace std::chrono_literals;

// What to do with a request while no PAC is loaded (the URL source has not answered yet).
enum class no_pac_policy {
  direct,  // route every request DIRECT
  refuse,  // answer 503 naming the reason
  wait,    // wait up to no_pac_wait for a PAC, then refuse
};

// A user allowed to use the proxy (RFC 9110 §11.7): a name and a crypt(3) hash as `htpasswd -B`
// ($2y$ bcrypt) or mkpasswd ($5$, $6$, $y$) write them. Loaded from an htpasswd-style file by
// forward::load_users_file (proxy_auth.hpp) at the program edge.
struct proxy_user {
  std::string name;
  std::string hash;
};

// How we authenticate to an upstream proxy.
enum class upstream_scheme {
  basic,  // Proxy-Authorization: Basic on every request and CONNECT (RFC 7617)
  ntlm,   // NTLMv2 (MS-NLMP), once per upstream connection: ntlm.hpp, connector.hpp
};

// Credentials we present to an upstream proxy, for the hop "host:port" as the PAC names it.
struct upstream_credentials {
  std::string proxy;  // "host:port"
  std::string user;   // for NTLM also "DOMAIN\\user" (then `domain` stays empty)
  std::string password;
  upstream_scheme scheme = upstream_scheme::basic;
  std::string domain;  // NTLM only: the user's domain (may be empty)
};

// "basic" / "ntlm" (case-insensitive) → the scheme; nullopt for anything else.
std::optional<upstream_scheme> parse_upstream_scheme(std::string_view text);

struct proxy_config {
  // Where to listen. Port 0 picks a free port; proxy_service::port() reports it.
  boost::asio::ip::address listen_address = boost::asio::ip::make_address_v4("127.0.0.1");
  std::uint16_t listen_port = 3128;
  // Admin listener serving /metrics (Prometheus text). Port 0 with admin_enabled picks a free port.
  bool admin_enabled = false;
  boost::asio::ip::address admin_address = boost::asio::ip::make_address_v4("127.0.0.1");
  std::uint16_t admin_port = 0;

  // I/O threads, each running its own io_context (see proxy_service.hpp for why). 0: hardware cores.
  unsigned threads = 0;

  // Our Via received-by name (RFC 9110 §7.6.3). Empty: "<host name>:<bound port>", which is unique per
  // listener, so that two wpadkit proxies chained on one machine are not mistaken for a loop.
  std::string via_name;

  // Clients allowed to use the proxy; others get 403. Empty: loopback only.
  std::vector<cidr> allowed_clients;
  // CONNECT only to these ports (empty: any port). RFC 9110 §9.3.6 advises limiting them.
  std::vector<std::uint16_t> connect_ports = {443, 563};
  // TRACE echoes cookies back (cross-site tracing): refused with 405 unless enabled.
  bool trace_enabled = false;

  // Byte limits.
  std::size_t header_limit = 64 * 1024;              // request or response head → 431 / 502
  std::uint64_t body_limit = 64ull * 1024 * 1024 * 1024;  // per message body, streamed
  std::size_t relay_buffer = 16 * 1024;              // bytes in flight per direction

  // Deadlines.
  std::chrono::milliseconds client_head_timeout = 30s;  // first byte to end of head → 408
  std::chrono::milliseconds client_idle_timeout = 60s;  // keep-alive wait for the next request
  std::chrono::milliseconds connect_timeout = 10s;      // per address / per proxy
  std::chrono::milliseconds upstream_timeout = 60s;     // upstream silent this long → 504
  // A hop that has another after it must begin its response (or a parent its CONNECT answer) within
  // this, or it is marked bad and the request goes to the next hop (idempotent ones, and CONNECTs:
  // others get 504). A frozen parent accepts connections and answers nothing; browsers fail over from
  // one. 10 s, like connect_timeout: the other way a hop fails already costs that long, and nearly all
  // responses begin well within it. A long poll held longer through a hop with a fallback needs more.
  std::chrono::milliseconds response_head_timeout = 10s;
  std::chrono::milliseconds tunnel_idle_timeout = 600s; // CONNECT tunnel with no bytes either way
  std::chrono::milliseconds pac_timeout = 5s;           // waiting for a PAC decision → 502
  std::chrono::milliseconds shutdown_grace = 10s;       // SIGTERM drain

  // Extra CA certificates (a PEM file) trusted for HTTPS proxies besides the system store, which
  // OpenSSL finds as usual (SSL_CERT_FILE / SSL_CERT_DIR override it). Empty: the system store only.
  std::string https_proxy_ca_file;

  // Chromium's bad-proxy list: a proxy that failed is tried last for this long.
  std::chrono::milliseconds bad_proxy_retry = limits::bad_proxy_retry;

  // Idle upstream connections kept per next hop and per thread, and how long. As many as the clients a
  // thread serves at once, or a busy hop sees a connection opened and closed for every few requests.
  std::size_t pool_max_idle_per_hop = 128;
  std::chrono::milliseconds pool_idle_timeout = 30s;

  // Client authentication (Basic, RFC 7617): empty `users` → none required. A request without
  // valid Proxy-Authorization gets 407 with Proxy-Authenticate: Basic realm="<auth_realm>".
  std::vector<proxy_user> users;
  std::string auth_realm = "wpadkit";
  // Presented to the matching PROXY hops: Basic on every request and CONNECT, NTLM once per
  // upstream connection (which is then pooled as authenticated).
  std::vector<upstream_credentials> upstream_auth;

  no_pac_policy when_no_pac = no_pac_policy::wait;
  std::chrono::milliseconds no_pac_wait = 10s;

  // Evaluate the PAC on the I/O thread when that is bounded and needs no DNS (inline_pac.hpp); off:
  // always on the PAC threads.
  bool inline_pac = true;
};

// Errors: errc::config naming the bad field.
result<void> validate_config(const proxy_config& c);

// The number of I/O threads the proxy runs: `threads`, or one per hardware core.
unsigned io_thread_count(const proxy_config& c);

}  // namespace wpadkit::forward
