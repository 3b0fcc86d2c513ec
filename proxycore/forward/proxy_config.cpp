#include "proxycore/forward/proxy_config.hpp"

#include <charconv>

namespace wpadkit::forward {

result<client_network> parse_client_network(std::string_view text) {
  auto slash = text.find('/');
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return error(errc::parse, "'" + std::string(text) + "' is not an address or ADDR/LEN network");
  unsigned max = addr.is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, perr] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || perr != std::errc() || end != p.data() + p.size() || prefix > max) {
      return error(errc::parse, "'" + std::string(text) + "' has an invalid prefix length");
    }
  }
  return client_network{addr, prefix};
}

bool network_contains(const client_network& net, const boost::asio::ip::address& raw) {
  auto a = raw;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  if (a.is_v4() != net.network.is_v4()) return false;
  auto bytes_of = [](const boost::asio::ip::address& x) {
    std::array<unsigned char, 16> out{};
    if (x.is_v4()) {
      auto b = x.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), out.begin());
    } else {
      out = x.to_v6().to_bytes();
    }
    return out;
  };
  auto x = bytes_of(a), n = bytes_of(net.network);
  unsigned bits = net.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((x[i] & mask) != (n[i] & mask)) return false;
  }
  return true;
}

result<void> validate_config(const proxy_config& c) {
  if (c.header_limit < 1024) return error(errc::config, "header_limit must be at least 1024 bytes");
  if (c.relay_buffer < 512) return error(errc::config, "relay_buffer must be at least 512 bytes");
  if (c.via_name.find_first_of(" \t,\r\n") != std::string::npos) {
    return error(errc::config, "via_name '" + c.via_name + "' must be one token (no spaces or commas)");
  }
  using ms = std::chrono::milliseconds;
  for (auto [d, name] : {std::pair<ms, const char*>{c.client_head_timeout, "client_head_timeout"},
                         {c.client_idle_timeout, "client_idle_timeout"},
                         {c.connect_timeout, "connect_timeout"},
                         {c.upstream_timeout, "upstream_timeout"},
                         {c.tunnel_idle_timeout, "tunnel_idle_timeout"},
                         {c.pac_timeout, "pac_timeout"}}) {
    if (d <= ms(0)) return error(errc::config, std::string(name) + " must be positive");
  }
  return {};
}

}  // namespace wpadkit::forward
