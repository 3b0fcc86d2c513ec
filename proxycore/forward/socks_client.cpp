#include "proxycore/forward/socks_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace wpadkit::forward::socks {
namespace {

namespace asio = boost::asio;

void put_port(bytes& b, std::uint16_t port) {
  b.push_back(static_cast<std::uint8_t>(port >> 8));
  b.push_back(static_cast<std::uint8_t>(port & 0xff));
}

const char* socks5_reply_meaning(std::uint8_t rep) {
  switch (rep) {
    case 1: return "general SOCKS server failure";
    case 2: return "connection not allowed by ruleset";
    case 3: return "network unreachable";
    case 4: return "host unreachable";
    case 5: return "connection refused";
    case 6: return "TTL expired";
    case 7: return "command not supported";
    case 8: return "address type not supported";
  }
  return "unknown failure code";
}

error io_error(const boost::system::error_code& ec, const char* what) {
  if (ec == boost::beast::error::timeout) return error(errc::timeout, std::string("SOCKS ") + what + " timed out");
  return error(errc::io, std::string("SOCKS ") + what + ": " + ec.message());
}

}  // namespace

result<bytes> socks4_request(std::optional<asio::ip::address_v4> ipv4, std::string_view host,
                             std::uint16_t port) {
  bytes b = {4, 1};
  put_port(b, port);
  std::array<std::uint8_t, 4> ip = {0, 0, 0, 1};  // SOCKS4a marker: 0.0.0.x, x != 0
  if (ipv4) ip = ipv4->to_bytes();
  b.insert(b.end(), ip.begin(), ip.end());
  b.push_back(0);  // empty user id
  if (!ipv4) {
    if (host.size() > 255) return error(errc::parse, "host name too long for SOCKS4a");
    b.insert(b.end(), host.begin(), host.end());
    b.push_back(0);
  }
  return b;
}

result<void> parse_socks4_reply(const std::array<std::uint8_t, 8>& reply) {
  if (reply[0] != 0) return error(errc::http, "malformed SOCKS4 reply (version byte " + std::to_string(reply[0]) + ")");
  switch (reply[1]) {
    case 90: return {};
    case 91: return error(errc::http, "SOCKS4 request rejected or failed (91)");
    case 92: return error(errc::http, "SOCKS4 request rejected: identd unreachable (92)");
    case 93: return error(errc::http, "SOCKS4 request rejected: identd user mismatch (93)");
  }
  return error(errc::http, "malformed SOCKS4 reply (code " + std::to_string(reply[1]) + ")");
}

bytes socks5_greeting() { return {5, 1, 0}; }

result<void> parse_socks5_method(const std::array<std::uint8_t, 2>& reply) {
  if (reply[0] != 5) return error(errc::http, "not a SOCKS5 server (version byte " + std::to_string(reply[0]) + ")");
  if (reply[1] != 0) return error(errc::http, "SOCKS5 server requires authentication (no acceptable method)");
  return {};
}

result<bytes> socks5_connect_request(std::string_view host, std::uint16_t port) {
  bytes b = {5, 1, 0};
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(std::string(host), ec);
  if (!ec && ip.is_v4()) {
    b.push_back(1);
    auto a = ip.to_v4().to_bytes();
    b.insert(b.end(), a.begin(), a.end());
  } else if (!ec) {
    b.push_back(4);
    auto a = ip.to_v6().to_bytes();
    b.insert(b.end(), a.begin(), a.end());
  } else {
    if (host.empty() || host.size() > 255) return error(errc::parse, "host name unusable for SOCKS5");
    b.push_back(3);
    b.push_back(static_cast<std::uint8_t>(host.size()));
    b.insert(b.end(), host.begin(), host.end());
  }
  put_port(b, port);
  return b;
}

result<std::size_t> parse_socks5_reply_head(const std::array<std::uint8_t, 5>& head) {
  if (head[0] != 5) return error(errc::http, "malformed SOCKS5 reply (version byte " + std::to_string(head[0]) + ")");
  if (head[1] != 0) {
    return error(errc::http, std::string("SOCKS5 server: ") + socks5_reply_meaning(head[1]) + " (" +
                                 std::to_string(head[1]) + ")");
  }
  switch (head[3]) {
    case 1: return std::size_t{4 + 4 + 2};
    case 3: return std::size_t{4 + 1 + 2} + head[4];
    case 4: return std::size_t{4 + 16 + 2};
  }
  return error(errc::http, "malformed SOCKS5 reply (address type " + std::to_string(head[3]) + ")");
}

asio::awaitable<result<void>> socks_connect(forward::stream& stream, version v,
                                            std::string host, std::uint16_t port,
                                            std::optional<asio::ip::address_v4> local_v4) {
  auto token = asio::as_tuple(asio::use_awaitable);
  if (v == version::v4) {
    auto req = socks4_request(local_v4, host, port);
    if (!req) co_return std::move(req).error();
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(*req), token);
    if (wec) co_return io_error(wec, "write");
    std::array<std::uint8_t, 8> reply{};
    auto [rec, rn] = co_await asio::async_read(stream, asio::buffer(reply), token);
    if (rec) co_return io_error(rec, "read");
    co_return parse_socks4_reply(reply);
  }
  auto greeting = socks5_greeting();
  auto req = socks5_connect_request(host, port);
  if (!req) co_return std::move(req).error();
  auto [gec, gn] = co_await asio::async_write(stream, asio::buffer(greeting), token);
  if (gec) co_return io_error(gec, "write");
  std::array<std::uint8_t, 2> method{};
  auto [mec, mn] = co_await asio::async_read(stream, asio::buffer(method), token);
  if (mec) co_return io_error(mec, "read");
  if (auto ok = parse_socks5_method(method); !ok) co_return ok;
  auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(*req), token);
  if (cec) co_return io_error(cec, "write");
  std::array<std::uint8_t, 5> head{};
  auto [hec, hn] = co_await asio::async_read(stream, asio::buffer(head), token);
  if (hec) co_return io_error(hec, "read");
  auto total = parse_socks5_reply_head(head);
  if (!total) co_return std::move(total).error();
  std::vector<std::uint8_t> rest(*total - head.size());
  auto [tec, tn] = co_await asio::async_read(stream, asio::buffer(rest), token);
  if (tec) co_return io_error(tec, "read");
  co_return result<void>{};
}

}  // namespace wpadkit::forward::socks
