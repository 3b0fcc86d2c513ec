#include "proxycore/forward/request_rewrite.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>
#include <charconv>
#include <vector>

namespace wpadkit::forward {
namespace {

bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(a, b); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a comma-separated field value into trimmed, non-empty elements (RFC 9110 §5.6.1).
std::vector<std::string_view> split_list(std::string_view v) {
  std::vector<std::string_view> out;
  while (!v.empty()) {
    auto comma = v.find(',');
    auto item = trim(v.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

// Calls fn(element) for each trimmed, non-empty element of a list value, without collecting them
// (split_list's vector is one allocation; this runs on every message).
template <class Fn>
void for_each_element(std::string_view v, Fn fn) {
  while (!v.empty()) {
    auto comma = v.find(',');
    auto item = trim(v.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

bool valid_host_chars(std::string_view h) {
  return !h.empty() && std::all_of(h.begin(), h.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '@' && c != '[' &&
           c != ']' && c != '\\';
  });
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// All values of one field, in order. (basic_fields::equal_range spans the list from the first to the
// last occurrence, other fields in between included, so it cannot be used for this.)
std::vector<std::string_view> values_of(const http::fields& f, http::field name) {
  std::vector<std::string_view> out;
  for (const auto& field : f) {
    if (field.name() == name) out.push_back(field.value());
  }
  return out;
}

bool is_framing_or_host(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "host");
}

}  // namespace

std::string request_target::authority() const {
  return bracketed(host) + ":" + std::to_string(port);
}

std::string request_target::absolute_form() const {
  if (connect) return authority();
  // One allocation: this is built for every request (the PAC's URL).
  const bool v6 = host.find(':') != std::string::npos;
  std::string out;
  out.reserve(7 + host.size() + 2 + 6 + origin_form.size());
  out += "http://";
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  if (port != 80) {
    char digits[8];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, port);
    out += ':';
    out.append(digits, end);
  }
  if (origin_form != "*") out += origin_form;
  return out;
}

result<pac::request> request_target::pac_request() const {
  if (connect) return pac::canonical_request("https", host, port, {});
  return pac::canonical_request("http", host, port, origin_form == "*" ? std::string_view{} : origin_form);
}

result<std::pair<std::string, std::uint16_t>> parse_authority(std::string_view text,
                                                              std::uint16_t default_port) {
  const std::string shown(text);
  if (text.find('@') != std::string_view::npos) {
    return error(errc::parse, "user information in the URI authority '" + shown + "' is not allowed");
  }
  std::string_view host = text, port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      return error(errc::parse, "unterminated IPv6 literal in '" + shown + "'");
    }
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return error(errc::parse, "junk after IPv6 literal in '" + shown + "'");
      port_text = rest.substr(1);
      has_port = true;
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return error(errc::parse, "'" + std::string(host) + "' is not an IPv6 address");
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
      has_port = true;
    }
    if (!valid_host_chars(host)) {
      return error(errc::parse, "'" + std::string(host) + "' is not a valid host name");
    }
  }
  std::uint16_t port = default_port;
  if (has_port && !port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return error(errc::parse, "'" + std::string(port_text) + "' is not a valid port");
    }
    port = static_cast<std::uint16_t>(value);
  }
  if (port == 0) return error(errc::parse, "'" + shown + "' has no port");
  return std::pair<std::string, std::uint16_t>(std::string(host), port);
}

result<request_target> resolve_target(http::verb method, std::string_view target,
                                      std::optional<std::string_view> host_header) {
  request_target out;
  if (method == http::verb::connect) {
    auto hp = parse_authority(target, 0);
    if (!hp) {
      return error(errc::parse, "CONNECT needs host:port: " + hp.error().message);
    }
    out.host = std::move(hp->first);
    out.port = hp->second;
    out.connect = true;
    return out;
  }
  std::string_view authority;
  if (!target.empty() && (target.front() == '/' || target == "*")) {
    if (target == "*" && method != http::verb::options) {
      return error(errc::parse, "the target '*' is only allowed with OPTIONS");
    }
    if (!host_header || trim(*host_header).empty()) {
      return error(errc::parse,
                   "the request has no Host header and its target is not an absolute URI "
                   "(this proxy has no configured origin)");
    }
    authority = trim(*host_header);
    out.origin_form = std::string(target);
  } else {
    auto sep = target.find("://");
    if (sep == std::string_view::npos) {
      return error(errc::parse, "'" + std::string(target) + "' is not a valid request target");
    }
    auto scheme = target.substr(0, sep);
    if (!iequals(scheme, "http")) {
      return error(errc::unsupported,
                   "the URI scheme '" + std::string(scheme) + "' is not supported (only http://, "
                   "and CONNECT for tunnels)");
    }
    auto rest = target.substr(sep + 3);
    auto path_start = rest.find_first_of("/?#");
    authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
    // RFC 9110 §7.7: a proxy never rewrites the path or query in transit, but an empty path becomes "/".
    out.origin_form = path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
  }
  auto hp = parse_authority(authority, 80);
  if (!hp) return std::move(hp).error();
  out.host = std::move(hp->first);
  out.port = hp->second;
  return out;
}

void strip_hop_by_hop(http::fields& f, bool is_request) {
  // One pass over the fields first: each erase by name is a tree search, and most messages carry no
  // hop-by-hop field but Connection, so only the fields present are erased.
  std::vector<std::string> named;  // fields the Connection header names (allocates only if any)
  std::array<http::field, 7> present{};
  std::size_t n_present = 0;
  bool connection = false;
  for (const auto& field : f) {
    switch (field.name()) {
      case http::field::connection:
        connection = true;
        for_each_element(field.value(), [&](std::string_view token) {
          // keep-alive and close are options, not field names; anything else is erased by name
          if (!is_framing_or_host(token) && !iequals(token, "keep-alive") && !iequals(token, "close")) {
            named.emplace_back(token);
          }
        });
        break;
      case http::field::proxy_authorization:
        if (!is_request) break;
        [[fallthrough]];
      case http::field::proxy_connection:
      case http::field::keep_alive:
      case http::field::te:
      case http::field::trailer:
      case http::field::upgrade:
        if (std::find(present.begin(), present.begin() + n_present, field.name()) ==
            present.begin() + n_present) {
          present[n_present++] = field.name();
        }
        break;
      default:
        break;
    }
  }
  for (const auto& name : named) f.erase(name);
  if (connection) f.erase(http::field::connection);
  for (std::size_t i = 0; i < n_present; ++i) f.erase(present[i]);
}

std::vector<std::string> take_proxy_authorization(http::fields& f) {
  std::vector<std::string> out;
  for (auto v : values_of(f, http::field::proxy_authorization)) out.emplace_back(v);
  f.erase(http::field::proxy_authorization);
  return out;
}

void set_hop_proxy_authorization(http::fields& f, bool to_proxy, const std::string* ours,
                                 const std::vector<std::string>& relayed) {
  f.erase(http::field::proxy_authorization);
  if (!to_proxy) return;
  if (ours != nullptr) {
    f.insert(http::field::proxy_authorization, *ours);
    return;
  }
  for (const auto& v : relayed) f.insert(http::field::proxy_authorization, v);
}

void append_via(http::fields& f, unsigned version, std::string_view our_name) {
  // Built on the stack: this runs twice per request, and the name rarely fits a short string.
  char entry[320];
  if (our_name.size() + 8 > sizeof entry) {
    f.insert(http::field::via, std::to_string(version / 10) + "." + std::to_string(version % 10) + " " +
                                   std::string(our_name));
    return;
  }
  char* end = entry;
  *end++ = static_cast<char>('0' + version / 10 % 10);
  *end++ = '.';
  *end++ = static_cast<char>('0' + version % 10);
  *end++ = ' ';
  end = std::copy(our_name.begin(), our_name.end(), end);
  f.insert(http::field::via, std::string_view(entry, static_cast<std::size_t>(end - entry)));
}

bool has_our_via(const http::fields& f, std::string_view our_name) {
  for (auto value : values_of(f, http::field::via)) {
    for (auto entry : split_list(value)) {
      // entry := [protocol-name "/"] protocol-version SP received-by [SP comment]
      auto sp = entry.find(' ');
      if (sp == std::string_view::npos) continue;
      auto by = trim(entry.substr(sp + 1));
      by = by.substr(0, by.find_first_of(" \t"));
      if (iequals(by, our_name)) return true;
    }
  }
  return false;
}

result<max_forwards_action> apply_max_forwards(http::verb method, http::fields& f) {
  if (method != http::verb::trace && method != http::verb::options) {
    return max_forwards_action::forward;
  }
  auto it = f.find(http::field::max_forwards);
  if (it == f.end()) return max_forwards_action::forward;
  auto text = trim(it->value());
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return error(errc::parse, "Max-Forwards '" + std::string(it->value()) + "' is not a number");
  }
  if (value == 0) return max_forwards_action::answer_here;
  f.set(http::field::max_forwards, std::to_string(value - 1));
  return max_forwards_action::forward;
}

std::string trace_echo(std::string_view method, std::string_view target, unsigned version,
                       const http::fields& f) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/");
  out += std::to_string(version / 10) + "." + std::to_string(version % 10) + "\r\n";
  for (const auto& field : f) {
    auto n = field.name();
    if (n == http::field::cookie || n == http::field::authorization ||
        n == http::field::proxy_authorization) {
      continue;
    }
    out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  return out + "\r\n";
}

bool is_idempotent(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::trace:
    case http::verb::put:
    case http::verb::delete_:
      return true;
    default:
      return false;
  }
}

http1::framing_fields framing_fields_of(const http::fields& f) {
  http1::framing_fields out;
  for (const auto& field : f) {
    if (field.name() == http::field::content_length) {
      out.add_content_length(field.value());
    } else if (field.name() == http::field::transfer_encoding) {
      out.add_transfer_encoding(field.value());
    }
  }
  return out;
}

void reframe(http::fields& f, const http1::framing& framing) {
  f.erase(http::field::content_length);
  f.erase(http::field::transfer_encoding);
  if (framing.declared == http1::body_kind::length) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, framing.length);
    f.set(http::field::content_length,
          std::string_view(digits, static_cast<std::size_t>(end - digits)));
  } else if (framing.declared == http1::body_kind::chunked) {
    f.set(http::field::transfer_encoding, "chunked");
  }
}

}  // namespace wpadkit::forward
