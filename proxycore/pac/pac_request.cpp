#include "proxycore/pac/pac_request.hpp"

#include <algorithm>
#include <array>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <optional>
#include <vector>

#include "proxycore/pac/pac_builtins.hpp"

namespace wpadkit::pac {
namespace {

// The schemes GURL treats as "special" with a default port (url/url_constants.cc, url_util.cc).
struct scheme_info {
  std::string_view name;
  std::uint16_t default_port;
  bool cryptographic;  // GURL::SchemeIsCryptographic: the PAC sees no path or query
};
constexpr std::array<scheme_info, 5> special_schemes{{{"http", 80, false},
                                                      {"https", 443, true},
                                                      {"ws", 80, false},
                                                      {"wss", 443, true},
                                                      {"ftp", 21, false}}};

const scheme_info* find_scheme(std::string_view lower) {
  for (const auto& s : special_schemes) {
    if (s.name == lower) return &s;
  }
  return nullptr;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

error bad(std::string_view input, const std::string& why) {
  return error(errc::parse,
               "'" + std::string(input) + "' is not a URL a browser would ask a PAC about: " + why);
}

// WHATWG URL "IPv4 number": decimal, 0x-hex or 0-octal. nullopt: not a number.
std::optional<std::uint64_t> ipv4_number(std::string_view s) {
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
    if (s.empty()) return 0;  // "0x" is zero
  } else if (s.size() >= 2 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec == std::errc::result_out_of_range) return UINT64_MAX;  // a number, too large
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> labels_of(std::string_view host) {
  std::vector<std::string_view> out;
  for (;;) {
    auto dot = host.find('.');
    out.push_back(host.substr(0, dot));
    if (dot == std::string_view::npos) return out;
    host.remove_prefix(dot + 1);
  }
}

// A host whose last label is a number is an IPv4 address in one of the forms browsers accept
// ("0x7f.1", "2130706433", "127.0.0.1."), written back as dotted decimal (WHATWG URL "ends in a
// number" and IPv4 parser; GURL's url_canon_ip.cc does the same). nullopt: a name. Error: an
// address that is out of range or has a label that is not a number.
result<std::optional<std::string>> ipv4_host(std::string_view input, std::string_view host) {
  auto labels = labels_of(host);
  if (labels.size() > 1 && labels.back().empty()) labels.pop_back();
  const auto tail = labels.back();
  const bool digits = !tail.empty() && std::all_of(tail.begin(), tail.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
  if (!digits && !ipv4_number(tail)) return std::optional<std::string>{};
  if (labels.size() > 4) return bad(input, "'" + std::string(host) + "' is not an IPv4 address");
  std::uint64_t address = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    auto n = ipv4_number(labels[i]);
    const bool last = i + 1 == labels.size();
    const std::uint64_t limit = last ? (std::uint64_t{1} << (8 * (5 - labels.size()))) : 256;
    if (!n || *n >= limit) return bad(input, "'" + std::string(host) + "' is not an IPv4 address");
    address = last ? address + *n : address + (*n << (8 * (3 - i)));
  }
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (!out.empty()) out += '.';
    out += std::to_string((address >> shift) & 0xff);
  }
  return std::optional<std::string>(std::move(out));
}

// The WHATWG IPv6 serializer (RFC 5952 compression; GURL's url_canon_ip.cc): lower-case hex, the
// longest run of two or more zero pieces as "::", an embedded IPv4 tail written in hex too.
std::string ipv6_text(const boost::urls::ipv6_address::bytes_type& b) {
  std::array<unsigned, 8> piece{};
  for (int i = 0; i < 8; ++i) piece[i] = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && piece[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char digits[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += i == 0 ? "::" : ":";
      i += best_len - 1;
      continue;
    }
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, piece[i], 16);
    out.append(digits, end);
    if (i < 7) out += ':';
  }
  return out;
}

// Forbidden host code points (WHATWG URL), after percent-decoding.
bool forbidden_in_host(unsigned char c) {
  return c <= 0x20 || c == 0x7f || c == '#' || c == '%' || c == '/' || c == ':' || c == '<' ||
         c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' ||
         c == '|';
}

std::string percent_decoded(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// `input` names the whole URL in errors.
result<std::string> host_of(std::string_view input, std::string_view host) {
  if (host.empty()) return bad(input, "it has no host");
  if (host.find(':') != std::string_view::npos) {
    auto v6 = boost::urls::parse_ipv6_address(host);  // RFC 3986's IPv6address: no zone ID
    if (!v6) return bad(input, "'" + std::string(host) + "' is not an IPv6 address");
    return ipv6_text(v6->to_bytes());
  }
  std::string name = percent_decoded(host);
  const bool ascii =
      std::all_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x80; });
  if (!ascii) {
    auto a = detail::idna_to_ascii(name);
    if (!a) return bad(input, "'" + name + "' is not a valid internationalized domain name");
    name = std::move(*a);
  }
  name = to_lower(name);
  for (unsigned char c : name) {
    if (forbidden_in_host(c))
      return bad(input, "the host '" + name + "' holds a character no host may hold");
  }
  auto v4 = ipv4_host(input, name);
  if (!v4) return std::move(v4).error();
  if (*v4) return std::move(**v4);
  return name;
}

result<request> assemble(std::string_view input, std::string_view scheme_text,
                         std::string_view host_text, std::optional<std::uint16_t> port,
                         std::string_view path_and_query) {
  request out;
  const std::string scheme = to_lower(scheme_text);
  auto canonical = host_of(input, host_text);
  if (!canonical) return std::move(canonical).error();
  std::string host = std::move(*canonical);
  const auto* special = find_scheme(scheme);
  const bool v6 = host.find(':') != std::string::npos;
  out.url.reserve(scheme.size() + 3 + host.size() + 8 + path_and_query.size());
  out.url += scheme;
  out.url += "://";
  if (v6) out.url += '[';
  out.url += host;
  if (v6) out.url += ']';
  if (port && !(special && *port == special->default_port)) {
    out.url += ':';
    out.url += std::to_string(*port);
  }
  if (special && special->cryptographic) {
    out.url += '/';  // SanitizeUrl: ClearPath, ClearQuery (a standard URL's path is at least "/")
  } else {
    if (special && (path_and_query.empty() || path_and_query.front() != '/')) out.url += '/';
    out.url += path_and_query;
  }
  out.host = std::move(host);
  return out;
}

// What a browser's URL parser percent-encodes in a path or query and RFC 3986 does not allow there.
bool encoded_before_parse(unsigned char c) {
  return c >= 0x80 || c == ' ' || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' ||
         c == '}' || c == '|' || c == '^';
}

}  // namespace

result<std::string> canonical_host(std::string_view host) {
  return host_of(host, host);
}

result<request> canonical_request(std::string_view scheme, std::string_view host,
                                  std::uint16_t port, std::string_view path_and_query) {
  return assemble(host, scheme, host, port, path_and_query);
}

result<request> canonical_request(std::string_view input) {
  std::string_view trimmed = input;
  while (!trimmed.empty() && static_cast<unsigned char>(trimmed.front()) <= 0x20)
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && static_cast<unsigned char>(trimmed.back()) <= 0x20)
    trimmed.remove_suffix(1);
  std::string text;
  text.reserve(trimmed.size());
  for (unsigned char c : trimmed) {
    if (encoded_before_parse(c)) {
      static constexpr char hex[] = "0123456789ABCDEF";
      text += '%';
      text += hex[c >> 4];
      text += hex[c & 15];
    } else {
      text += static_cast<char>(c);
    }
  }
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad(input, "expected scheme://host/path (" + parsed.error().message() + ")");
  const auto& u = *parsed;
  if (!u.has_authority()) return bad(input, "expected scheme://host/path");
  if (u.host_type() == boost::urls::host_type::ipvfuture)
    return bad(input, "an IPvFuture host is not supported");
  std::string host = u.host_type() == boost::urls::host_type::ipv6
                         ? std::string(u.encoded_host_address())
                         : std::string(u.encoded_host());
  std::string port_text(u.port());
  std::string path(u.encoded_path());
  // Boost.URL 1.81 commits to an IPv4 address, or to a port's digits, on a prefix of the authority
  // (boostorg/url#770): "http://10.0.0.1.nip.io/" parses as host "10.0.0.1" and path ".nip.io/". A
  // path after an authority starts with "/" (RFC 3986 §3.3, path-abempty), so one that does not is
  // the rest of the authority: re-read host and port from the whole of it. (A reg-name holds no ':'
  // or '@'; userinfo was taken before the host, so it is not affected.)
  if (!path.empty() && path.front() != '/') {
    const auto cut = path.find('/');
    std::string authority = std::string(u.encoded_host_and_port()) + path.substr(0, cut);
    path = cut == std::string::npos ? std::string() : path.substr(cut);
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    port_text = colon == std::string::npos ? std::string() : authority.substr(colon + 1);
    if (host.find('@') != std::string::npos) return bad(input, "expected scheme://host/path");
  }
  std::optional<std::uint16_t> port;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value > 65535) {
      return bad(input, "the port '" + port_text + "' is not a number from 0 to 65535");
    }
    port = static_cast<std::uint16_t>(value);
  }
  std::string path_and_query = std::move(path);
  if (u.has_query()) {
    path_and_query += '?';
    path_and_query += u.encoded_query();
  }
  return assemble(input, u.scheme(), host, port, path_and_query);
}

}  // namespace wpadkit::pac
