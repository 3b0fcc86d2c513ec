#pragma once
// forward::connector — reaches one next hop of a PAC list:
//   DIRECT         TCP to the origin, trying every address it resolves to in turn (a dead one is skipped)
//   PROXY / HTTP   TCP to the proxy; for a tunnel, also its CONNECT exchange
//   SOCKS4 / 5     TCP to the SOCKS proxy, then its CONNECT handshake (socks_client.hpp)
//   HTTPS          TLS to the proxy (certificate and host name verified), then as PROXY
//   QUIC           not supported: errc::unsupported (the next hop is tried)
// Each step has the config's connect deadline. Used from one I/O thread; borrows its arguments.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/forward/origin_resolver.hpp"
#include "proxycore/forward/proxy_auth.hpp"
#include "proxycore/forward/proxy_config.hpp"
#include "proxycore/forward/request_rewrite.hpp"
#include "proxycore/forward/upstream_pool.hpp"
#include "proxycore/model/proxy_list.hpp"

namespace wpadkit::forward {

// The pool key of a hop for a target: proxies are shared by every origin, DIRECT and SOCKS
// connections belong to one origin.
std::string hop_key(const proxy_server& hop, const request_target& t);

// True when a failure says the hop itself is unusable (it goes on the bad-proxy list), false when the
// hop answered and refused this one request (errc::http: a SOCKS or CONNECT refusal).
bool is_hop_down(const error& e);

// How a proxy refused our CONNECT.
struct connect_refusal {
  unsigned status = 0;
  std::vector<std::string> challenges;  // Proxy-Authenticate values of a 407, in order
};

class connector {
 public:
  // `upstream_auth` holds our credentials for upstream proxies (built once from
  // config.upstream_auth); everything given must outlive the connector.
  connector(origin_resolver& resolver, const proxy_config& config, const std::string& via_name,
            boost::asio::ssl::context& tls, const upstream_authorizer& upstream_auth)
      : resolver_(resolver),
        config_(config),
        via_name_(via_name),
        tls_(tls),
        upstream_auth_(upstream_auth) {}

  // TCP to host:port. Errors: errc::dns_*, errc::io (every address refused or failed; the message
  // lists each), errc::timeout.
  boost::asio::awaitable<result<boost::asio::ip::tcp::socket>> connect_host(std::string host,
                                                                           std::uint16_t port);

  // A fresh connection through `hop` for `t` (tunnel: ready for raw bytes to t's authority). A
  // tunnel through a PROXY hop carries our credentials for it (upstream_auth) or else
  // `client_credentials`, the client's own Proxy-Authorization values when we relay them.
  //
  // NTLM (our credentials for `hop` are NTLM): NTLM authenticates the TCP connection, not a request
  // (MS-NTHT), so the handshake runs here, on the fresh connection, and the connection comes back
  // marked `authenticated`; requests sent on it later (pooled, for any client: the identity is
  // ours) carry no Proxy-Authorization. For a tunnel the handshake is the CONNECT itself (type 1 →
  // 407 with the type 2 challenge → type 3 → 2xx). For requests it is a body-less probe, `HEAD <t's
  // URL>`, before the client's request goes out:
  //   - the client's body is then sent exactly once, on a connection already authenticated, and a
  //     refusal (407 to our type 3) is known before anything of the client's request left us, so
  //     the next hop can still be tried;
  //   - HEAD is safe (RFC 9110 §9.2.1) and its responses have no body, so neither answer needs a
  //     body read; doing the handshake on the client's request itself (curl's way: the type 1 leg
  //     with Content-Length: 0) would send a POST with an empty body to the origin whenever the
  //     proxy lets that URL through without authentication, which corporate proxies do for
  //     allow-listed sites. The price is one HEAD to the origin per new upstream connection
  //     (pooling amortises it).
  // A 407 to our type 3 is errc::http "refused our NTLM credentials for DOMAIN\user" (refusal gets
  // its status and challenges), as for refused Basic credentials: a failed hop, not a down one.
  // A non-2xx answer to that CONNECT is errc::http naming the status; with `refusal`, its status
  // and (for a 407) the proxy's Proxy-Authenticate challenges are also given back, so that the
  // caller can pass a parent's challenge on to the client. Errors: as connect_host, plus errc::http
  // (the proxy refused), errc::unsupported, errc::io for a failed TLS handshake (the message names
  // the reason, e.g. certificate verify failed).
  boost::asio::awaitable<result<std::unique_ptr<upstream_connection>>> open(
      const proxy_server& hop, const request_target& t, bool tunnel,
      const std::vector<std::string>& client_credentials = {}, connect_refusal* refusal = nullptr);

  // Our Basic Proxy-Authorization value for a PROXY/HTTPS hop (config.upstream_auth), or nullptr.
  const std::string* upstream_credentials(const proxy_server& hop) const {
    return upstream_auth_.value_for(hop);
  }
  // Whether `hop` gets NTLM from us (then requests on its connections carry no
  // Proxy-Authorization).
  bool uses_ntlm(const proxy_server& hop) const { return upstream_auth_.ntlm_for(hop) != nullptr; }
  // Whether we hold credentials of any scheme for `hop`.
  bool holds_credentials(const proxy_server& hop) const {
    return upstream_auth_.holds_credentials(hop);
  }

 private:
  boost::asio::awaitable<result<void>> proxy_connect(
      upstream_connection& c, const proxy_server& hop, const request_target& t,
      const std::vector<std::string>& client_credentials, connect_refusal* refusal);

  boost::asio::awaitable<result<void>> ntlm_handshake(upstream_connection& c,
                                                      const request_target& t, bool tunnel,
                                                      const ntlm::identity& who,
                                                      connect_refusal* refusal);

  origin_resolver& resolver_;
  const proxy_config& config_;
  const std::string& via_name_;
  boost::asio::ssl::context& tls_;
  const upstream_authorizer& upstream_auth_;
};

// Whether requests to this hop carry the absolute URI (a proxy: PROXY/HTTP or HTTPS).
bool takes_absolute_uri(const proxy_server& hop);

}  // namespace wpadkit::forward
