#include "proxycore/model/cidr.hpp"

#include <algorithm>
#include <charconv>

namespace wpadkit {

namespace {

// Keeps the top `prefix` bits of `bytes`, clears the rest.
template <class Bytes>
Bytes masked(Bytes bytes, int prefix) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int keep = std::clamp(prefix - static_cast<int>(i) * 8, 0, 8);
    bytes[i] &= static_cast<unsigned char>(0xff00u >> keep);
  }
  return bytes;
}

// An IPv4 address as ::ffff:a.b.c.d (net::ConvertIPv4ToIPv4MappedIPv6).
boost::asio::ip::address_v6::bytes_type as_v6_bytes(const ip_address& a) {
  if (a.is_v6()) return a.to_v6().to_bytes();
  return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()).to_bytes();
}

}  // namespace

result<ip_address> parse_ip(std::string_view text) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(s, ec);
  if (ec) return error(errc::parse, "\"" + std::string(text) + "\" is not an IP address");
  return a;
}

result<cidr> cidr::make(const ip_address& addr, int prefix) {
  const int max_prefix = addr.is_v4() ? 32 : 128;
  if (prefix < 0 || prefix > max_prefix) {
    return error(errc::parse, "prefix " + std::to_string(prefix) + " out of range (0-" +
                                  std::to_string(max_prefix) + ")");
  }
  if (addr.is_v4()) {
    return cidr(boost::asio::ip::address_v4(masked(addr.to_v4().to_bytes(), prefix)), prefix);
  }
  return cidr(boost::asio::ip::address_v6(masked(addr.to_v6().to_bytes(), prefix)), prefix);
}

result<cidr> cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = parse_ip(text.substr(0, slash));
  if (!addr) return error(errc::parse, "\"" + std::string(text) + "\": not an IP network");
  const int max_prefix = addr->is_v4() ? 32 : 128;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || prefix < 0 ||
        prefix > max_prefix) {
      return error(errc::parse, "\"" + std::string(text) + "\": prefix out of range (0-" +
                                    std::to_string(max_prefix) + ")");
    }
  }
  return make(*addr, prefix);
}

std::string cidr::v4_mask() const {
  const std::uint32_t bits = prefix_ == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_);
  return boost::asio::ip::address_v4(bits).to_string();
}

bool cidr::contains(const ip_address& addr) const noexcept {
  // Both sides as IPv6 (net::IPAddressMatchesPrefix); an IPv4 network's prefix then starts after the
  // 96 bits of ::ffff:, so it matches an IPv4 address and its v4-mapped form alike. The network's host
  // bits are already clear.
  const int bits = prefix_ + (network_.is_v4() ? 96 : 0);
  return masked(as_v6_bytes(addr), bits) == as_v6_bytes(network_);
}

std::string cidr::to_string() const {
  return network_.to_string() + "/" + std::to_string(prefix_);
}

bool any_contains(const std::vector<cidr>& nets, const ip_address& addr) noexcept {
  for (const auto& n : nets) {
    if (n.contains(addr)) return true;
  }
  return false;
}

}  // namespace wpadkit
