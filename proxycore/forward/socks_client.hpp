#pragma once
// forward::socks_client — the client side of SOCKS, to open a tunnel to host:port through a SOCKS
// proxy: SOCKS4 (RFC-less original, 1992), SOCKS4a (the host name extension) and SOCKS5 (RFC 1928,
// no authentication, CONNECT only). The wire encoding is pure and unit-tested; socks_connect() runs
// the exchange on an already connected stream.
//
// Resolution follows the browsers: PAC "SOCKS"/"SOCKS4" resolves the name locally and sends an IPv4
// address (Chromium's SOCKSConnectJob), falling back to SOCKS4a (the proxy resolves) when the name
// does not resolve to IPv4 here; "SOCKS5" always sends the name and lets the proxy resolve it.
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/forward/stream.hpp"

namespace wpadkit::forward::socks {

using bytes = std::vector<std::uint8_t>;

// SOCKS4 CONNECT to an IPv4 address, or SOCKS4a (DSTIP 0.0.0.1 followed by the name) when `ipv4` is
// empty. Errors: errc::parse for a host name longer than 255 bytes.
result<bytes> socks4_request(std::optional<boost::asio::ip::address_v4> ipv4, std::string_view host,
                             std::uint16_t port);
// The 8-byte SOCKS4 reply. Errors: errc::http (the proxy refused, message gives its code's meaning).
result<void> parse_socks4_reply(const std::array<std::uint8_t, 8>& reply);

// SOCKS5: the method greeting (no authentication only), then the CONNECT request.
bytes socks5_greeting();
// The 2-byte method selection. Errors: errc::http (wrong version, or no acceptable method).
result<void> parse_socks5_method(const std::array<std::uint8_t, 2>& reply);
// CONNECT with the host as an IP literal (ATYP 1 or 4) or a domain name (ATYP 3).
result<bytes> socks5_connect_request(std::string_view host, std::uint16_t port);
// From the first 5 bytes of the reply: the total reply length, or errc::http when the proxy refused
// (REP != 0, message naming the RFC 1928 meaning) or the reply is malformed.
result<std::size_t> parse_socks5_reply_head(const std::array<std::uint8_t, 5>& head);

enum class version { v4, v5 };

// Runs the handshake on `stream` (connected to the SOCKS proxy; its deadline is the caller's).
// Afterwards the stream is a tunnel to host:port. Completes on the stream's executor.
// Errors: errc::http (refused / malformed reply), the stream's I/O errors (with errc::io), errc::timeout.
boost::asio::awaitable<result<void>> socks_connect(forward::stream& stream, version v,
                                                  std::string host, std::uint16_t port,
                                                  std::optional<boost::asio::ip::address_v4> local_v4);

}  // namespace wpadkit::forward::socks
