#pragma once
// cidr: an IPv4 or IPv6 network in CIDR notation, and the one address-in-network test of wpadkit:
// pacserver's variants, allowed clients and trusted proxies, the proxy's allowed clients, and PAC's
// isInNetEx (whose own literal parsing stays in pac/natives.cpp).
//
// Grammar:  network := address [ '/' prefix ]     (no prefix: a single host, /32 or /128)
//           address := an IPv4 or IPv6 literal, the IPv6 one optionally in brackets
// Parsing is lenient in (host bits set are cleared) and canonical out.
//
// Examples (input → to_string()):
//   "10.0.0.0/8"        → "10.0.0.0/8"
//   "10.1.2.3/8"        → "10.0.0.0/8"        (host bits cleared)
//   "192.168.1.7"       → "192.168.1.7/32"
//   "fd00::/8"          → "fd00::/8"
//   "::1"               → "::1/128"
//   "[::1]/64"          → "::/64"
//   "10.0.0.0/33"       → error: prefix out of range
//   "intranet/8"        → error: not an IP address
//
// Matching (contains) follows Chromium's net::IPAddressMatchesPrefix: an IPv4 address is the
// IPv4-mapped IPv6 address ::ffff:a.b.c.d, so families mix the way that mapping says:
//   network          address              contains
//   10.0.0.0/8       10.1.2.3             yes
//   10.0.0.0/8       ::ffff:10.1.2.3      yes   (a v4-mapped client, as a dual-stack socket reports it)
//   10.0.0.0/8       2001::1              no
//   ::ffff:0:0/96    10.1.2.3             yes
//   ::/0             1.2.3.4              yes   (every address)
//   0.0.0.0/0        2001::1              no    (/0 of IPv4 is ::ffff:0:0/96)
#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit {

using ip_address = boost::asio::ip::address;

class cidr {
 public:
  // Errors: errc::parse naming the text and the problem.
  static result<cidr> parse(std::string_view text);
  // The network of `addr` with `prefix` bits (host bits cleared). Errors: errc::parse when the
  // prefix is longer than the address (32 or 128 bits).
  static result<cidr> make(const ip_address& addr, int prefix);

  bool is_v4() const noexcept { return network_.is_v4(); }
  const ip_address& network() const noexcept { return network_; }
  int prefix() const noexcept { return prefix_; }
  // The dotted mask of an IPv4 network ("255.255.0.0"), as PAC isInNet takes it.
  std::string v4_mask() const;

  // True if `addr` lies in this network (see the matching table above).
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

}  // namespace wpadkit
