#pragma once
// cidr: an IPv4 or IPv6 network in CIDR notation, and the client-address matching pacserver needs
// (variants, allowed clients, trusted proxies).
//
// Grammar:  network := address [ '/' prefix ]     (no prefix: a single host, /32 or /128)
// Parsing is lenient in (host bits set are cleared, an IPv4-mapped IPv6 client matches IPv4
// networks) and canonical out.
//
// Examples (input → to_string()):
//   "10.0.0.0/8"        → "10.0.0.0/8"
//   "10.1.2.3/8"        → "10.0.0.0/8"        (host bits cleared)
//   "192.168.1.7"       → "192.168.1.7/32"
//   "fd00::/8"          → "fd00::/8"
//   "::1"               → "::1/128"
//   "10.0.0.0/33"       → error: prefix out of range
//   "intranet/8"        → error: not an IP address
#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::pacserver {

using ip_address = boost::asio::ip::address;

class cidr {
 public:
  // Errors: errc::parse naming the text and the problem.
  static result<cidr> parse(std::string_view text);

  bool is_v4() const noexcept { return network_.is_v4(); }
  const ip_address& network() const noexcept { return network_; }
  int prefix() const noexcept { return prefix_; }
  // The dotted mask of an IPv4 network ("255.255.0.0"), as PAC isInNet takes it.
  std::string v4_mask() const;

  // True if `addr` lies in this network. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is compared
  // as the IPv4 address it carries.
  bool contains(const ip_address& addr) const noexcept;

  std::string to_string() const;

 private:
  cidr(ip_address n, int p) : network_(n), prefix_(p) {}
  ip_address network_;
  int prefix_ = 0;
};

// Parses a client address as a server sees it ("127.0.0.2", "::1", "::ffff:10.0.0.1", "[::1]").
// Errors: errc::parse.
result<ip_address> parse_ip(std::string_view text);

// True if any network in `nets` contains `addr`.
bool any_contains(const std::vector<cidr>& nets, const ip_address& addr) noexcept;

}  // namespace wpadkit::pacserver
