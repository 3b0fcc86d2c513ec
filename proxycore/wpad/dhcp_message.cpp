#include "proxycore/wpad/dhcp_message.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace wpadkit::wpad {
namespace {

// Fixed BOOTP header layout (RFC 2131 section 2).
constexpr std::size_t off_op = 0, off_xid = 4, off_secs = 8, off_ciaddr = 12, off_chaddr = 28,
                      off_sname = 44, off_file = 108, off_cookie = 236, off_options = 240;
constexpr std::uint8_t cookie[4] = {99, 130, 83, 99};
constexpr std::size_t bootp_min_size = 300;

constexpr std::uint8_t opt_pad = 0, opt_end = 255, opt_overload = 52, opt_message_type = 53,
                       opt_server_id = 54, opt_param_list = 55, opt_max_size = 57,
                       opt_client_id = 61;

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// Reads options from [p, p+n) into `out`; concatenates repeated codes (RFC 3396).
result<void> read_options(const std::uint8_t* p, std::size_t n, const char* area,
                          std::map<std::uint8_t, std::string>& out) {
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t code = p[i];
    if (code == opt_end) return {};
    if (code == opt_pad) {
      ++i;
      continue;
    }
    if (i + 1 >= n || i + 2 + p[i + 1] > n) {
      return error(errc::parse, "option " + std::to_string(code) + " runs past the end of the " +
                                    area + " field");
    }
    out[code].append(reinterpret_cast<const char*>(p + i + 2), p[i + 1]);
    i += 2 + p[i + 1];
  }
  return {};
}

bool printable_ascii(unsigned char c) { return c > 0x20 && c < 0x7f; }

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

}  // namespace

std::vector<std::uint8_t> build_dhcp_inform(const dhcp_inform_request& request) {
  const std::uint8_t inform = static_cast<std::uint8_t>(dhcp_message_type::inform);
  const auto& m = request.mac;
  const std::uint8_t options[] = {opt_message_type, 1, inform,
                                  opt_client_id, 7, 1, m[0], m[1], m[2], m[3], m[4], m[5],
                                  opt_max_size, 2, 0x05, 0xdc,  // 1500
                                  opt_param_list, 1, dhcp_option_wpad,
                                  opt_end};
  // Allocated once at its final size (inserts into the growing vector made GCC 12's -O3
  // -Warray-bounds misfire inside libstdc++'s reallocation).
  std::vector<std::uint8_t> b(std::max(off_options + sizeof options, bootp_min_size), 0);
  b[off_op] = 1;  // BOOTREQUEST
  b[1] = 1;       // htype: Ethernet
  b[2] = 6;       // hlen
  put32(b, off_xid, request.xid);
  b[off_secs] = static_cast<std::uint8_t>(request.secs >> 8);
  b[off_secs + 1] = static_cast<std::uint8_t>(request.secs);
  // flags stay 0: the server answers by unicast to ciaddr (RFC 2131 4.4.3).
  std::copy(request.ciaddr.begin(), request.ciaddr.end(), b.begin() + off_ciaddr);
  std::copy(request.mac.begin(), request.mac.end(), b.begin() + off_chaddr);
  std::copy(std::begin(cookie), std::end(cookie), b.begin() + off_cookie);
  std::copy(std::begin(options), std::end(options), b.begin() + off_options);
  return b;
}

result<dhcp_reply> parse_dhcp_reply(const std::uint8_t* data, std::size_t size) {
  if (size < off_options) {
    return error(errc::parse, "DHCP message of " + std::to_string(size) +
                                  " bytes is shorter than the 240-byte header");
  }
  if (data[off_op] != 2) return error(errc::parse, "not a BOOTREPLY (op " + std::to_string(data[0]) + ")");
  if (!std::equal(std::begin(cookie), std::end(cookie), data + off_cookie)) {
    return error(errc::parse, "DHCP message without the magic cookie");
  }
  dhcp_reply r;
  for (int i = 0; i < 4; ++i) r.xid = (r.xid << 8) | data[off_xid + i];
  std::copy(data + off_chaddr, data + off_chaddr + 6, r.mac.begin());
  auto main = read_options(data + off_options, size - off_options, "options", r.options);
  if (!main) return main.error();
  if (auto ov = r.options.find(opt_overload); ov != r.options.end() && !ov->second.empty()) {
    const auto which = static_cast<std::uint8_t>(ov->second[0]);
    if (which & 1) {
      if (auto f = read_options(data + off_file, 128, "file", r.options); !f) return f.error();
    }
    if (which & 2) {
      if (auto s = read_options(data + off_sname, 64, "sname", r.options); !s) return s.error();
    }
  }
  const auto type = r.options.find(opt_message_type);
  if (type == r.options.end() || type->second.size() != 1) {
    return error(errc::parse, "DHCP reply without a message type (option 53)");
  }
  r.type = static_cast<dhcp_message_type>(type->second[0]);
  if (auto sid = r.options.find(opt_server_id); sid != r.options.end() && sid->second.size() == 4) {
    const auto& s = sid->second;
    r.server_id = std::to_string(static_cast<unsigned char>(s[0])) + "." +
                  std::to_string(static_cast<unsigned char>(s[1])) + "." +
                  std::to_string(static_cast<unsigned char>(s[2])) + "." +
                  std::to_string(static_cast<unsigned char>(s[3]));
  }
  return r;
}

result<wpad_url> sanitize_wpad_option(std::string_view raw) {
  wpad_url out;
  std::string_view v = raw;
  if (const auto nul = v.find('\0'); nul != std::string_view::npos) {
    const auto tail = v.substr(nul);
    if (tail.find_first_not_of('\0') != std::string_view::npos) {
      out.warnings.push_back("option 252 has data after a NUL byte; it was ignored");
    }
    v = v.substr(0, nul);
  }
  const auto last = v.find_last_not_of(" \t\r\n\v\f");
  const std::string_view trimmed = last == std::string_view::npos ? std::string_view() : v.substr(0, last + 1);
  if (trimmed.size() != v.size() && v.substr(trimmed.size()).find('\n') != std::string_view::npos) {
    out.warnings.push_back(
        "option 252 ends in a newline: Chromium strips it, other clients may not");
  }
  if (trimmed.empty()) return error(errc::parse, "option 252 is empty");
  for (std::size_t i = 0; i < trimmed.size(); ++i) {
    const auto c = static_cast<unsigned char>(trimmed[i]);
    if (!printable_ascii(c)) {
      return error(errc::parse, "option 252 has a non-printable byte " + hex_byte(c) +
                                    " at offset " + std::to_string(i));
    }
  }
  const auto sep = trimmed.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return error(errc::parse, "option 252 is not an absolute URL: '" + std::string(trimmed) + "'");
  }
  std::string scheme(trimmed.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") {
    return error(errc::unsupported, "option 252 uses the scheme '" + scheme +
                                        "': only http and https PAC URLs are accepted (as Chromium)");
  }
  const auto host = trimmed.substr(sep + 3);
  if (host.empty() || host[0] == '/' || host[0] == '?' || host[0] == '#') {
    return error(errc::parse, "option 252 URL has no host: '" + std::string(trimmed) + "'");
  }
  out.url = scheme + std::string(trimmed.substr(sep));
  return out;
}

}  // namespace wpadkit::wpad
