#include "proxycore/model/proxy_list.hpp"

#include <algorithm>
#include <boost/asio/ip/address_v6.hpp>
#include <charconv>
#include <optional>
#include <variant>

namespace wpadkit {
namespace {

bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// The PAC result types (Chromium's GetSchemeFromPacType, plus HTTP as Firefox accepts it).
std::optional<proxy_server::scheme> scheme_from_type(std::string_view type) {
  using s = proxy_server::scheme;
  std::string t = to_lower(type);
  if (t == "direct") return s::direct;
  if (t == "proxy" || t == "http") return s::http;
  if (t == "https") return s::https;
  if (t == "socks" || t == "socks4") return s::socks4;  // bare SOCKS is v4, as in browsers
  if (t == "socks5") return s::socks5;
  if (t == "quic") return s::quic;
  return std::nullopt;
}

std::uint16_t default_port(proxy_server::scheme s) {
  switch (s) {
    case proxy_server::scheme::http: return 80;
    case proxy_server::scheme::https: return 443;
    case proxy_server::scheme::quic: return 443;
    case proxy_server::scheme::socks4: return 1080;
    case proxy_server::scheme::socks5: return 1080;
    case proxy_server::scheme::direct: return 0;
  }
  return 0;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// A reason the element cannot be used, or the parsed value.
template <class T>
using parsed = std::variant<T, std::string>;

parsed<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::string("invalid port");
  }
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value == 0 || value > 65535) return std::string("port out of range");
  return static_cast<std::uint16_t>(value);
}

struct host_and_port {
  std::string host;
  std::optional<std::uint16_t> port;
};

// "[v6]" or "[v6]:port": the address is canonicalised ("[0::1]" → "::1").
parsed<host_and_port> parse_bracketed(std::string_view text) {
  std::size_t close = text.find(']');
  if (close == std::string_view::npos) return std::string("unterminated '['");
  std::string inside(text.substr(1, close - 1));
  boost::system::error_code ec;
  auto v6 = boost::asio::ip::make_address_v6(inside, ec);
  if (ec || inside.find('%') != std::string::npos) return std::string("invalid IPv6 address");
  host_and_port out{v6.to_string(), std::nullopt};
  std::string_view rest = text.substr(close + 1);
  if (rest.empty()) return out;
  if (rest.front() != ':') return std::string("unexpected text after ']'");
  auto port = parse_port(rest.substr(1));
  if (auto* why = std::get_if<std::string>(&port)) return *why;
  out.port = std::get<std::uint16_t>(port);
  return out;
}

parsed<host_and_port> parse_host_port(std::string_view text) {
  if (text.front() == '[') return parse_bracketed(text);
  std::size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    return std::string("IPv6 address without brackets");
  }
  std::string_view host = text.substr(0, std::min(colon, text.size()));
  if (host.empty()) return std::string("missing host");
  if (!std::all_of(host.begin(), host.end(), is_host_char)) return std::string("invalid host");
  host_and_port out{to_lower(host), std::nullopt};
  if (colon == std::string_view::npos) return out;
  auto port = parse_port(text.substr(colon + 1));
  if (auto* why = std::get_if<std::string>(&port)) return *why;
  out.port = std::get<std::uint16_t>(port);
  return out;
}

// One non-empty, trimmed element: "DIRECT" | type LWS+ host[:port].
parsed<proxy_server> parse_element(std::string_view element) {
  std::size_t space = std::find_if(element.begin(), element.end(), is_lws) - element.begin();
  auto type = scheme_from_type(element.substr(0, space));
  if (!type) return std::string("unknown type");
  std::string_view rest = trim(element.substr(space));
  if (*type == proxy_server::scheme::direct) {
    if (!rest.empty()) return std::string("DIRECT takes no host");
    return proxy_server::direct();
  }
  if (rest.empty()) return std::string("missing host");
  auto hp = parse_host_port(rest);
  if (auto* why = std::get_if<std::string>(&hp)) return *why;
  auto& value = std::get<host_and_port>(hp);
  return proxy_server(*type, std::move(value.host), value.port.value_or(default_port(*type)));
}

}  // namespace

proxy_server::proxy_server(scheme s, std::string host, std::uint16_t port)
    : scheme_(s), host_(std::move(host)), port_(port) {}

const char* proxy_server::scheme_name(scheme s) noexcept {
  switch (s) {
    case scheme::direct: return "direct";
    case scheme::http: return "http";
    case scheme::https: return "https";
    case scheme::socks4: return "socks4";
    case scheme::socks5: return "socks5";
    case scheme::quic: return "quic";
  }
  return "direct";
}

std::string proxy_server::host_port() const {
  if (is_direct()) return {};
  bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

std::string proxy_server::to_pac_string() const {
  // Chromium's ProxyServerToPacResultElement: HTTP prints as PROXY, SOCKS v4 as SOCKS.
  switch (scheme_) {
    case scheme::direct: return "DIRECT";
    case scheme::http: return "PROXY " + host_port();
    case scheme::https: return "HTTPS " + host_port();
    case scheme::socks4: return "SOCKS " + host_port();
    case scheme::socks5: return "SOCKS5 " + host_port();
    case scheme::quic: return "QUIC " + host_port();
  }
  return "DIRECT";
}

std::string proxy_list::to_pac_string() const {
  std::string out;
  for (const auto& s : servers) {
    if (!out.empty()) out += "; ";
    out += s.to_pac_string();
  }
  return out;
}

proxy_list parse_proxy_list(std::string_view pac_result) {
  proxy_list list;
  bool any_element = false;
  while (true) {
    std::size_t semi = std::min(pac_result.find(';'), pac_result.size());
    std::string_view element = trim(pac_result.substr(0, semi));
    if (!element.empty()) {
      any_element = true;
      auto server = parse_element(element);
      if (auto* why = std::get_if<std::string>(&server)) {
        list.warnings.push_back("\"" + std::string(element) + "\": " + *why);
      } else {
        list.servers.push_back(std::move(std::get<proxy_server>(server)));
      }
    }
    if (semi == pac_result.size()) break;
    pac_result.remove_prefix(semi + 1);
  }
  if (list.servers.empty()) {
    list.warnings.push_back(any_element ? "no usable entry: using DIRECT" : "empty result: using DIRECT");
    list.servers.push_back(proxy_server::direct());
  }
  return list;
}

}  // namespace wpadkit
