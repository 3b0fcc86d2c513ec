#include "proxycore/forward/connector.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "proxycore/forward/ntlm.hpp"
#include "proxycore/forward/socks_client.hpp"

namespace wpadkit::forward {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

constexpr auto token = asio::as_tuple(asio::use_awaitable);

std::string endpoint_text(const tcp::endpoint& ep) {
  auto a = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port());
}

error io_failure(const boost::system::error_code& ec, const std::string& what) {
  if (ec == beast::error::timeout) return error(errc::timeout, what + ": timed out");
  return error(errc::io, what + ": " + ec.message());
}

// One answer during the NTLM handshake. Its body (an error page) is read and dropped, up to
// `header_limit` bytes like a head, so that the connection can carry the next message; a CONNECT's
// 2xx has no body (what follows is the tunnel), nor has any answer to HEAD.
struct answer {
  unsigned status = 0;
  std::string reason;
  std::vector<std::string> challenges;  // Proxy-Authenticate values
  bool keep_alive = false;
};

template <class Request>
asio::awaitable<result<answer>> exchange_once(upstream_connection& c, Request& req, bool head,
                                              std::size_t header_limit,
                                              std::chrono::milliseconds deadline,
                                              const std::string& what) {
  namespace http = beast::http;
  c.stream.expires_after(deadline);
  auto [wec, wn] = co_await http::async_write(c.stream, req, token);
  if (wec) co_return io_failure(wec, "sending " + what);
  http::response_parser<http::string_body> p;
  p.header_limit(static_cast<std::uint32_t>(header_limit));
  p.body_limit(header_limit);
  if (head) p.skip(true);
  auto [rec, rn] = co_await http::async_read_header(c.stream, c.buffer, p, token);
  if (rec) co_return io_failure(rec, "reading the answer to " + what);
  answer a;
  a.status = p.get().result_int();
  a.reason = std::string(p.get().reason());
  for (const auto& field : p.get()) {
    if (field.name() == http::field::proxy_authenticate) a.challenges.emplace_back(field.value());
  }
  const bool tunnel_open = !head && a.status / 100 == 2;
  a.keep_alive = p.get().keep_alive() && !p.need_eof();
  if (!tunnel_open && !p.is_done()) {
    auto [bec, bn] = co_await http::async_read(c.stream, c.buffer, p, token);
    if (bec) co_return io_failure(bec, "reading the body of the answer to " + what);
  }
  co_return a;
}

std::string ntlm_user(const ntlm::identity& who) {
  return who.domain.empty() ? who.user : who.domain + "\\" + who.user;
}

void note_refusal(connect_refusal* refusal, const answer& a) {
  if (!refusal) return;
  refusal->status = a.status;
  refusal->challenges = a.challenges;
}

// A non-2xx answer to our CONNECT during the NTLM handshake: the hop refused the tunnel.
error refused_connect(connect_refusal* refusal, const answer& a) {
  note_refusal(refusal, a);
  return error(errc::http, "refused CONNECT with " + std::to_string(a.status) + " " + a.reason);
}

}  // namespace

std::string hop_key(const proxy_server& hop, const request_target& t) {
  switch (hop.type()) {
    case proxy_server::scheme::direct: return "DIRECT " + t.authority();
    case proxy_server::scheme::socks4:
    case proxy_server::scheme::socks5: return hop.to_pac_string() + ">" + t.authority();
    default: return hop.to_pac_string();
  }
}

bool is_hop_down(const error& e) { return !e.is(errc::http); }

bool takes_absolute_uri(const proxy_server& hop) {
  return hop.type() == proxy_server::scheme::http || hop.type() == proxy_server::scheme::https;
}

asio::awaitable<result<tcp::socket>> connector::connect_host(std::string host, std::uint16_t port) {
  auto addresses = co_await resolver_.resolve(host);
  if (!addresses) co_return std::move(addresses).error();
  std::string failures;
  bool all_timeouts = true;
  for (const auto& a : *addresses) {
    tcp::endpoint ep(a, port);
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(config_.connect_timeout);
    auto [ec] = co_await stream.async_connect(ep, token);
    if (!ec) {
      boost::system::error_code ignored;
      stream.socket().set_option(tcp::no_delay(true), ignored);
      co_return stream.release_socket();
    }
    all_timeouts = all_timeouts && ec == beast::error::timeout;
    if (!failures.empty()) failures += "; ";
    failures += "connect to " + endpoint_text(ep) + ": " +
                (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  }
  co_return error(all_timeouts ? errc::timeout : errc::io, failures);
}

asio::awaitable<result<void>> connector::proxy_connect(
    upstream_connection& c, const proxy_server& hop, const request_target& t,
    const std::vector<std::string>& client_credentials, connect_refusal* refusal) {
  namespace http = beast::http;
  http::request<http::empty_body> req{http::verb::connect, t.authority(), 11};
  req.set(http::field::host, t.authority());
  append_via(req.base(), 11, via_name_);
  set_hop_proxy_authorization(req.base(), true, upstream_auth_.value_for(hop), client_credentials);
  c.stream.expires_after(config_.connect_timeout);
  auto [wec, wn] = co_await http::async_write(c.stream, req, token);
  if (wec) co_return io_failure(wec, "sending CONNECT");
  http::response_parser<http::empty_body> p;
  p.skip(true);  // a 2xx to CONNECT has no body: what follows is the tunnel
  p.header_limit(static_cast<std::uint32_t>(config_.header_limit));
  // A parent that accepted the connection but does not answer (frozen) is given up after the
  // response-head deadline, and the tunnel tried on the next hop (nothing was relayed yet).
  c.stream.expires_after(config_.response_head_timeout);
  auto [rec, rn] = co_await http::async_read_header(c.stream, c.buffer, p, token);
  if (rec) co_return io_failure(rec, "reading the CONNECT response");
  auto status = p.get().result_int();
  if (status / 100 != 2) {
    if (refusal) {
      refusal->status = status;
      for (const auto& field : p.get()) {
        if (field.name() == http::field::proxy_authenticate) refusal->challenges.emplace_back(field.value());
      }
    }
    co_return error(errc::http, "refused CONNECT with " + std::to_string(status) + " " +
                                    std::string(p.get().reason()));
  }
  co_return result<void>{};
}

asio::awaitable<result<void>> connector::ntlm_handshake(upstream_connection& c,
                                                        const request_target& t, bool tunnel,
                                                        const ntlm::identity& who,
                                                        connect_refusal* refusal) {
  namespace http = beast::http;
  const auto& crypto = *upstream_auth_.ntlm_crypto();
  // The probe for requests is HEAD (connector.hpp says why); for a tunnel, the CONNECT itself.
  http::request<http::empty_body> req{tunnel ? http::verb::connect : http::verb::head,
                                      tunnel ? t.authority() : t.absolute_form(), 11};
  req.set(http::field::host, t.authority());
  // HTTP/1.1 connections persist anyway; old NTLM proxies look for this (curl sends it too).
  req.set(http::field::proxy_connection, "keep-alive");
  append_via(req.base(), 11, via_name_);
  const std::string what = tunnel ? "CONNECT" : "the NTLM probe (HEAD)";
  const std::string user = ntlm_user(who);

  auto negotiate = ntlm::negotiate_message();
  req.set(http::field::proxy_authorization, ntlm::header_value(negotiate));
  auto first =
      co_await exchange_once(c, req, !tunnel, config_.header_limit, config_.connect_timeout, what);
  if (!first) co_return std::move(first).error();
  if (first->status != 407) {
    // The proxy lets this through without authentication: nothing to do (the connection serves as
    // is; a later 407 on it is retried on a fresh connection, session.cpp).
    if (tunnel && first->status / 100 != 2) co_return refused_connect(refusal, *first);
    if (!tunnel && !first->keep_alive) {
      co_return error(errc::http, "closed the connection after answering the NTLM probe");
    }
    co_return result<void>{};
  }
  auto challenge = ntlm::parse_challenge_header(first->challenges);
  if (!challenge) {
    // No NTLM offered (a Basic-only or Negotiate-only proxy), or a broken challenge.
    note_refusal(refusal, *first);
    auto e = std::move(challenge).error();
    co_return error(errc::http, "answered our NTLM negotiation with 407: " + e.message);
  }
  if (!first->keep_alive) {
    co_return error(errc::http,
                    "closed the connection with its NTLM challenge (NTLM authenticates a "
                    "connection: it must stay open)");
  }
  auto inputs = ntlm::make_authenticate_inputs(crypto, *challenge, std::move(negotiate),
                                               std::chrono::system_clock::now());
  if (!inputs) co_return error(errc::http, inputs.error().message);
  auto message = ntlm::authenticate_message(crypto, who, *challenge, *inputs);
  if (!message) co_return error(errc::http, message.error().message);
  req.set(http::field::proxy_authorization, ntlm::header_value(*message));
  // The answer to the probe's type 3 comes from the origin (the proxy forwards the HEAD): the
  // upstream deadline applies. A CONNECT keeps the connect deadline, as without NTLM.
  auto second =
      co_await exchange_once(c, req, !tunnel, config_.header_limit,
                             tunnel ? config_.connect_timeout : config_.upstream_timeout, what);
  if (!second) co_return std::move(second).error();
  if (second->status == 407) {
    note_refusal(refusal, *second);
    co_return error(errc::http,
                    "refused our NTLM credentials for " + user + " (407 " + second->reason + ")");
  }
  if (tunnel && second->status / 100 != 2) co_return refused_connect(refusal, *second);
  if (!tunnel && !second->keep_alive) {
    co_return error(errc::http, "closed the connection right after the NTLM handshake");
  }
  c.authenticated = true;
  co_return result<void>{};
}

asio::awaitable<result<std::unique_ptr<upstream_connection>>> connector::open(
    const proxy_server& hop, const request_target& t, bool tunnel,
    const std::vector<std::string>& client_credentials, connect_refusal* refusal) {
  using scheme = proxy_server::scheme;
  if (hop.type() == scheme::quic) {
    co_return error(errc::unsupported, std::string("proxy type ") +
                                           proxy_server::scheme_name(hop.type()) + " is not supported");
  }
  bool direct = hop.is_direct();
  auto stream = co_await connect_host(direct ? t.host : hop.host(), direct ? t.port : hop.port());
  if (!stream) co_return std::move(stream).error();
  auto conn = std::make_unique<upstream_connection>(std::move(*stream));
  conn->key = hop_key(hop, t);
  if (hop.type() == scheme::https) {
    conn->stream.expires_after(config_.connect_timeout);
    // No SNI for an address literal (RFC 6066 §3); the certificate must then name the address.
    boost::system::error_code not_literal;
    asio::ip::make_address(hop.host(), not_literal);
    auto [ec] = co_await conn->stream.async_start_tls(tls_, hop.host(), bool(not_literal), token);
    if (ec) co_return io_failure(ec, "TLS handshake with " + hop.to_pac_string());
  }
  if (hop.type() == scheme::socks4 || hop.type() == scheme::socks5) {
    std::optional<asio::ip::address_v4> v4;
    if (hop.type() == scheme::socks4) {
      // Browsers resolve for SOCKS4 themselves; a name we cannot resolve to IPv4 goes as SOCKS4a.
      auto addrs = co_await resolver_.resolve(t.host);
      if (addrs) {
        for (auto& a : *addrs) {
          if (a.is_v4()) {
            v4 = a.to_v4();
            break;
          }
        }
      }
    }
    conn->stream.expires_after(config_.connect_timeout);
    auto ok = co_await socks::socks_connect(
        conn->stream, hop.type() == scheme::socks4 ? socks::version::v4 : socks::version::v5, t.host,
        t.port, v4);
    if (!ok) co_return std::move(ok).error();
  } else if (const auto* who = direct ? nullptr : upstream_auth_.ntlm_for(hop)) {
    auto ok = co_await ntlm_handshake(*conn, t, tunnel, *who, refusal);
    if (!ok) co_return std::move(ok).error();
  } else if (tunnel && !direct) {
    auto ok = co_await proxy_connect(*conn, hop, t, client_credentials, refusal);
    if (!ok) co_return std::move(ok).error();
  }
  conn->stream.expires_never();
  co_return std::move(conn);
}

}  // namespace wpadkit::forward
