#include "proxycore/pac/natives.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "proxycore/model/cidr.hpp"

namespace wpadkit::pac::natives {
namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

// ---------------------------------------------------------------------------------------------
// IP literals, as Chromium's net::IPAddress::AssignFromIPLiteral reads them: a string with a ':' is
// IPv6 (url::IPv6AddressToNumber); anything else must be an IPv4 address of exactly four components
// (url::IPv4AddressToNumber), each decimal, octal (leading 0) or hex (0x), one trailing dot allowed.
// ---------------------------------------------------------------------------------------------

bool is_digit_of_base(char c, int base) {
  if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  return c >= '0' && c < static_cast<char>('0' + base);
}

// One component of a URL-style IPv4 address; nullopt when it is not a number or exceeds 255.
std::optional<unsigned> parse_ipv4_component(std::string_view c) {
  if (c.empty()) return std::nullopt;
  int base = 10;
  if (c.size() >= 2 && c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
    base = 16;
    c.remove_prefix(2);
  } else if (c.size() > 1 && c[0] == '0') {
    base = 8;
    c.remove_prefix(1);
  }
  unsigned value = 0;
  for (char ch : c) {
    if (!is_digit_of_base(ch, base)) return std::nullopt;
    unsigned digit = std::isdigit(static_cast<unsigned char>(ch))
                         ? static_cast<unsigned>(ch - '0')
                         : static_cast<unsigned>(std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10);
    value = value * static_cast<unsigned>(base) + digit;
    if (value > 255) return std::nullopt;
  }
  return value;
}

std::optional<address_v4> parse_ipv4_literal(std::string_view text) {
  if (text.size() > 1 && text.back() == '.') text.remove_suffix(1);  // url_canon_ip: trailing dot
  address_v4::bytes_type bytes{};
  std::size_t count = 0;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t dot = std::min(text.find('.', start), text.size());
    if (count == bytes.size()) return std::nullopt;
    auto part = parse_ipv4_component(text.substr(start, dot - start));
    if (!part) return std::nullopt;
    bytes[count++] = static_cast<unsigned char>(*part);
    start = dot + 1;
  }
  if (count != bytes.size()) return std::nullopt;
  return address_v4(bytes);
}

std::optional<address_v6> parse_ipv6_literal(std::string_view text) {
  // No zone ids and no brackets: Chromium wraps the text in brackets itself before parsing.
  if (text.find_first_of("%[] \t") != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address_v6(std::string(text), ec);
  if (ec) return std::nullopt;
  return a;
}

// ---------------------------------------------------------------------------------------------
// shExpMatch. Chromium's JS: pattern.replace('.', '\\.'), then '*' → '.*', then '?' → '.', and
// `new RegExp('^' + pattern + '$').test(str)`. So `*` and `?` are regex `.`: they match any UTF-16
// code unit except the ECMAScript line terminators (LF, CR, U+2028, U+2029); everything else that is
// not a regex metacharacter matches itself, case-sensitively.
// ---------------------------------------------------------------------------------------------

// Byte classes for one pass over a pattern or string: regex metacharacters other than . * ?, and
// bytes that force the UTF-16 path (non-ASCII, or a line terminator that `.` must not consume).
enum : unsigned char { byte_meta = 1, byte_unit = 2, byte_wild = 4 };

constexpr std::array<unsigned char, 256> make_byte_classes() {
  std::array<unsigned char, 256> t{};
  for (unsigned char c : std::string_view("\\^$+()[]{}|")) t[c] = byte_meta;
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = byte_unit;
  t['\n'] = t['\r'] = byte_unit;
  t['*'] = t['?'] = byte_wild;
  return t;
}
constexpr std::array<unsigned char, 256> byte_classes = make_byte_classes();

unsigned classes_of(std::string_view s) {
  unsigned acc = 0;
  for (char c : s) acc |= byte_classes[static_cast<unsigned char>(c)];
  return acc;
}

bool is_line_terminator(char16_t u) {
  return u == u'\n' || u == u'\r' || u == 0x2028 || u == 0x2029;
}

// Classic single-backtrack glob: correct when `*` and `?` may match every unit of `str`.
template <class Ch>
bool glob_match(std::basic_string_view<Ch> str, std::basic_string_view<Ch> pat) {
  std::size_t s = 0, p = 0, star = std::basic_string_view<Ch>::npos, mark = 0;
  while (s < str.size()) {
    if (p < pat.size() && pat[p] == Ch('*')) {
      star = p++;
      mark = s;
    } else if (p < pat.size() && (pat[p] == Ch('?') || pat[p] == str[s])) {
      ++s;
      ++p;
    } else if (star != std::basic_string_view<Ch>::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == Ch('*')) ++p;
  return p == pat.size();
}

// Dynamic programming over (pattern prefix, string prefix) for strings that contain line
// terminators, which neither `*` nor `?` may consume.
bool glob_match_dp(std::u16string_view str, std::u16string_view pat) {
  std::vector<char> row(str.size() + 1, 0), next(str.size() + 1, 0);
  row[0] = 1;  // empty pattern matches empty prefix
  for (char16_t pc : pat) {
    std::fill(next.begin(), next.end(), 0);
    for (std::size_t i = 0; i <= str.size(); ++i) {
      if (pc == u'*') {
        next[i] = row[i] || (i > 0 && next[i - 1] && !is_line_terminator(str[i - 1]));
      } else if (i > 0 && row[i - 1]) {
        next[i] = pc == u'?' ? !is_line_terminator(str[i - 1]) : pc == str[i - 1];
      }
    }
    row.swap(next);
  }
  return row[str.size()] != 0;
}

// Decodes (extended) UTF-8 as Duktape stores strings into UTF-16 code units, which is what a JS
// RegExp `.` counts. Surrogates stored CESU-8 style decode to one unit each; 4-byte sequences to a
// pair. An invalid byte becomes one private-use unit, distinct per byte value.
std::u16string to_utf16_units(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out.push_back(static_cast<char16_t>(0xF700 + b));
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += static_cast<std::size_t>(len);
  }
  return out;
}

// One pass over a pattern: its byte classes and where its first and last wildcards are.
struct pattern_shape {
  unsigned classes = 0;
  std::size_t first_wild = std::string_view::npos;
  std::size_t last_wild = std::string_view::npos;
};

pattern_shape shape_of(std::string_view pattern) {
  pattern_shape shape;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    unsigned c = byte_classes[static_cast<unsigned char>(pattern[i])];
    shape.classes |= c;
    if (c & byte_wild) {
      if (shape.first_wild == std::string_view::npos) shape.first_wild = i;
      shape.last_wild = i;
    }
  }
  return shape;
}

// The literal text before the first and after the last wildcard must appear at the ends of `str`:
// a cheap necessary condition that rejects most bypass patterns before any matching. Comparing bytes
// is exact here because UTF-8 (and Duktape's CESU-8) encodes equal code-unit sequences identically.
bool literal_ends_match(std::string_view str, std::string_view pattern, const pattern_shape& shape) {
  std::string_view head = pattern.substr(0, shape.first_wild);
  std::string_view tail = pattern.substr(shape.last_wild + 1);
  return str.size() >= head.size() + tail.size() && str.starts_with(head) && str.ends_with(tail);
}

// ---------------------------------------------------------------------------------------------
// JavaScript number conversions, for convert_addr: `(bytes[i] & 0xff)` applies ToNumber (ES5.1
// 9.3.1) to a string, then ToInt32 (9.5).
// ---------------------------------------------------------------------------------------------

// The StrWhiteSpaceChar set of ES5.1 9.3.1 (WhiteSpace and LineTerminator), as UTF-8 prefixes.
std::size_t js_space_length(std::string_view s) {
  static constexpr std::array<std::string_view, 19> spaces = {
      "\t", "\n", "\v", "\f", "\r", " ", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8",
      "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80", "\xEF\xBB\xBF",
      "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84"};
  for (auto sp : spaces) {
    if (s.starts_with(sp)) return sp.size();
  }
  // U+2005..U+200A
  if (s.size() >= 3 && s[0] == '\xE2' && s[1] == '\x80' && s[2] >= '\x85' && s[2] <= '\x8A') return 3;
  return 0;
}

std::string_view js_trim(std::string_view s) {
  while (std::size_t n = js_space_length(s)) s.remove_prefix(n);
  while (!s.empty()) {
    std::size_t n = 0;
    for (std::size_t k = 1; k <= std::min<std::size_t>(3, s.size()) && n == 0; ++k) {
      if (js_space_length(s.substr(s.size() - k)) == k) n = k;
    }
    if (n == 0) break;
    s.remove_suffix(n);
  }
  return s;
}

// True if `s` is an ES5.1 StrUnsignedDecimalLiteral other than "Infinity".
bool is_js_decimal(std::string_view s) {
  std::size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

double js_to_number(std::string_view s) {
  s = js_trim(s);
  if (s.empty()) return 0.0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    double v = 0;
    for (char c : s.substr(2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nan("");
      v = v * 16 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10);
    }
    return v;
  }
  double sign = 1.0;
  if (s[0] == '+' || s[0] == '-') {
    sign = s[0] == '-' ? -1.0 : 1.0;
    s.remove_prefix(1);
  }
  if (s == "Infinity") return sign * HUGE_VAL;
  if (!is_js_decimal(s)) return std::nan("");
  std::string text(s);
  if (text.front() == '.') text.insert(text.begin(), '0');  // from_chars wants a leading digit
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return sign * v;
}

std::uint32_t js_to_uint32_bits(double v) {
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(std::trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<std::uint32_t>(m);
}

// Chromium's isInNet first tests the host against /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.
// Returns the four captured numbers, or nullopt when the text does not have that shape.
std::optional<std::array<int, 4>> match_dotted_quad(std::string_view s) {
  std::array<int, 4> parts{};
  std::size_t i = 0;
  for (int k = 0; k < 4; ++k) {
    if (k > 0) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
    std::size_t digits = 0;
    int value = 0;
    while (i < s.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(s[i]))) {
      value = value * 10 + (s[i++] - '0');
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    parts[static_cast<std::size_t>(k)] = value;
  }
  if (i != s.size()) return std::nullopt;
  return parts;
}

std::string_view trim_ascii_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct sort_entry {
  std::string_view text;
  dns::address ip;
};

// IPv6 before IPv4; within a family ascending by bytes (Chromium's IPAddressSortingEntry).
bool sort_entry_less(const sort_entry& a, const sort_entry& b) {
  if (a.ip.is_v6() != b.ip.is_v6()) return a.ip.is_v6();
  if (a.ip.is_v6()) return a.ip.to_v6().to_bytes() < b.ip.to_v6().to_bytes();
  return a.ip.to_v4().to_bytes() < b.ip.to_v4().to_bytes();
}

}  // namespace

bool is_plain_host_name(std::string_view host) {
  // Chromium's IsPlainHostName (proxy_resolver_v8.cc): no dot, and not an IPv6 literal.
  return host.find('.') == std::string_view::npos && !parse_ip_literal(host);
}

bool dns_domain_is(std::string_view host, std::string_view domain) {
  return host.ends_with(domain);
}

bool local_host_or_domain_is(std::string_view host, std::string_view hostdom) {
  // Chromium's JS: (host == hostdom) || (hostdom.lastIndexOf(host + '.', 0) == 0).
  return host == hostdom ||
         (hostdom.size() > host.size() && hostdom.starts_with(host) && hostdom[host.size()] == '.');
}

int dns_domain_levels(std::string_view host) {
  return static_cast<int>(std::count(host.begin(), host.end(), '.'));
}

bool sh_exp_pattern_needs_regex(std::string_view pattern) {
  return (classes_of(pattern) & byte_meta) != 0;
}

bool sh_exp_match(std::string_view str, std::string_view pattern) {
  // Precondition (see the header): the binding runs patterns that need a regex through JS RegExp.
  return sh_exp_match_unchecked(str, pattern).value_or(false);
}

std::optional<bool> sh_exp_match_unchecked(std::string_view str, std::string_view pattern) {
  pattern_shape shape = shape_of(pattern);
  if (shape.classes & byte_meta) return std::nullopt;
  if (!(shape.classes & byte_wild)) return str == pattern;  // all literal: ^text$ is equality
  if (!literal_ends_match(str, pattern, shape)) return false;
  if (!((shape.classes | classes_of(str)) & byte_unit)) return glob_match(str, pattern);
  std::u16string s = to_utf16_units(str);
  std::u16string p = to_utf16_units(pattern);
  if (std::any_of(s.begin(), s.end(), is_line_terminator)) return glob_match_dp(s, p);
  return glob_match(std::u16string_view(s), std::u16string_view(p));
}

std::optional<bool> is_in_net_v4(std::string_view ipv4, std::string_view pattern,
                                 std::string_view mask) {
  auto quad = match_dotted_quad(ipv4);
  if (!quad) return std::nullopt;
  if (std::any_of(quad->begin(), quad->end(), [](int v) { return v > 255; })) return false;
  // The pattern and mask are not validated by Chromium: convert_addr reads whatever is there.
  std::uint32_t host = *convert_addr(ipv4);
  std::uint32_t pat = static_cast<std::uint32_t>(*convert_addr(pattern));
  std::uint32_t msk = static_cast<std::uint32_t>(*convert_addr(mask));
  return (host & msk) == (pat & msk);
}

bool is_in_net_ex(const dns::address& ip, std::string_view ip_prefix) {
  // net::ParseCIDRBlock: exactly one '/', both sides trimmed, an IP literal and a decimal length
  // no longer than the literal's width.
  if (std::count(ip_prefix.begin(), ip_prefix.end(), '/') != 1) return false;
  std::size_t slash = ip_prefix.find('/');
  auto prefix = parse_ip_literal(trim_ascii_space(ip_prefix.substr(0, slash)));
  std::string_view len_text = trim_ascii_space(ip_prefix.substr(slash + 1));
  if (!prefix || len_text.empty() || len_text.size() > 3 ||
      !std::all_of(len_text.begin(), len_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int bits = 0;
  std::from_chars(len_text.data(), len_text.data() + len_text.size(), bits);
  // A length beyond the literal's width is no network (cidr::make refuses it); the match itself is
  // net::IPAddressMatchesPrefix's, which cidr::contains implements.
  auto net = cidr::make(*prefix, bits);
  return net && net->contains(ip);
}

std::optional<unsigned long> convert_addr(std::string_view ipv4) {
  // Chromium's JS: bytes = ipchars.split('.'); ((bytes[0] & 0xff) << 24) | ... | (bytes[3] & 0xff).
  // A missing component is `undefined`, which converts to 0, as does any non-number text.
  std::uint32_t result = 0;
  std::size_t start = 0;
  for (int k = 0; k < 4; ++k) {
    std::uint32_t byte = 0;
    if (start <= ipv4.size()) {
      std::size_t dot = std::min(ipv4.find('.', start), ipv4.size());
      byte = js_to_uint32_bits(js_to_number(ipv4.substr(start, dot - start))) & 0xFF;
      start = dot + 1;
    }
    result = (result << 8) | byte;
  }
  return result;
}

std::optional<std::string> sort_ip_address_list(std::string_view list) {
  // Chromium's SortIpAddressList: strip spaces and tabs (as IE does), split on ';' skipping empty
  // tokens, parse every token, stable-sort, and return the tokens as written.
  std::string cleaned;
  std::copy_if(list.begin(), list.end(), std::back_inserter(cleaned),
               [](char c) { return c != ' ' && c != '\t'; });
  std::vector<sort_entry> entries;
  std::string_view rest = cleaned;
  while (!rest.empty()) {
    std::size_t semi = std::min(rest.find(';'), rest.size());
    std::string_view token = rest.substr(0, semi);
    rest.remove_prefix(std::min(semi + 1, rest.size()));
    if (token.empty()) continue;
    auto ip = parse_ip_literal(token);
    if (!ip) return std::nullopt;
    entries.push_back({token, *ip});
  }
  if (entries.empty()) return std::nullopt;
  std::stable_sort(entries.begin(), entries.end(), sort_entry_less);
  std::string out;
  for (const auto& e : entries) {
    if (!out.empty()) out += ';';
    out += e.text;
  }
  return out;
}

std::optional<dns::address> parse_ip_literal(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    if (auto v6 = parse_ipv6_literal(text)) return dns::address(*v6);
    return std::nullopt;
  }
  if (auto v4 = parse_ipv4_literal(text)) return dns::address(*v4);
  return std::nullopt;
}

}  // namespace wpadkit::pac::natives
