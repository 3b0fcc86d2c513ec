#pragma once
// dhcp_message: the DHCPINFORM a WPAD client sends and the DHCPACK it reads (RFC 2131, RFC 2132),
// and the sanitizing of option 252 ("auto-proxy-config", draft-ietf-wrec-wpad-01) into a PAC URL.
// Pure functions over bytes: the socket lives in dhcp_inform_client.
//
// Option 252 sanitizing follows Chromium (SanitizeDhcpApiString in
// net/proxy_resolution/win/dhcp_pac_file_adapter_fetcher_win.cc): servers disagree on whether the
// length counts a trailing NUL, and some end the string with a newline, so the value is cut at the
// first NUL and trailing whitespace is trimmed. What remains must be a printable-ASCII http(s) URL.
//
// Examples (option bytes → URL or error):
//   "http://wpad.corp/wpad.dat"        → "http://wpad.corp/wpad.dat"
//   "http://wpad.corp/wpad.dat\0"      → "http://wpad.corp/wpad.dat"
//   "http://wpad.corp/wpad.dat\n"      → "http://wpad.corp/wpad.dat"   (warning: trailing newline)
//   "http://a/p.pac\0garbage"          → "http://a/p.pac"              (warning: data after a NUL)
//   "https://a/p.pac  \r\n\0"          → "https://a/p.pac"
//   ""  or "\0"                         → errc::parse (empty)
//   "file:///etc/proxy.pac"            → errc::unsupported (only http and https)
//   "http://a b/x" or "\x01\x02"        → errc::parse (a non-printable byte, with its offset)
//   "wpad.corp/wpad.dat"               → errc::parse (not an absolute URL)
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::wpad {

inline constexpr std::uint8_t dhcp_option_wpad = 252;

enum class dhcp_message_type : std::uint8_t {
  discover = 1, offer, request, decline, ack, nak, release, inform
};

struct dhcp_inform_request {
  std::uint32_t xid = 0;                 // transaction id, matched against the reply
  std::array<std::uint8_t, 4> ciaddr{};  // the interface's IPv4 address (network order bytes)
  std::array<std::uint8_t, 6> mac{};     // the interface's hardware address
  std::uint16_t secs = 0;                // seconds since the first attempt (RFC 2131 4.4.1)
};

// The bytes of a DHCPINFORM asking (option 55) for option 252, padded to the BOOTP minimum of 300.
std::vector<std::uint8_t> build_dhcp_inform(const dhcp_inform_request& request);

struct dhcp_reply {
  std::uint32_t xid = 0;
  dhcp_message_type type{};
  std::array<std::uint8_t, 6> mac{};
  std::string server_id;  // option 54 as dotted quad, empty when absent
  // Every option, by code; repeated instances of a code are concatenated (RFC 3396).
  std::map<std::uint8_t, std::string> options;
};

// Parses a BOOTREPLY. Errors: errc::parse naming what is wrong (too short, not a reply, no magic
// cookie, an option running past the end). Options overloaded into `file`/`sname` (option 52) are read.
result<dhcp_reply> parse_dhcp_reply(const std::uint8_t* data, std::size_t size);

struct wpad_url {
  std::string url;
  std::vector<std::string> warnings;  // tolerated oddities (trailing newline, data after a NUL)
};

// Option 252's raw value → the PAC URL, sanitized as described above.
// Errors: errc::parse (empty, non-printable bytes, not an absolute URL), errc::unsupported (a scheme
// other than http or https).
result<wpad_url> sanitize_wpad_option(std::string_view raw);

}  // namespace wpadkit::wpad
