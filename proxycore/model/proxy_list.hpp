#pragma once
// proxy_server and proxy_list: the parsed form of a FindProxyForURL result string.
//
// Grammar (Netscape PAC text, as Chromium's ProxyList::SetFromPacString reads it):
//   list    := element (';' element)*
//   element := ws* [ type (ws+ hostport)? ] ws*
//   type    := DIRECT | PROXY | HTTP | HTTPS | SOCKS | SOCKS4 | SOCKS5 | QUIC   (case-insensitive)
//   hostport:= host [':' port] | '[' ipv6 ']' [':' port]
// Default ports: PROXY/HTTP 80, HTTPS 443, SOCKS/SOCKS4/SOCKS5 1080, QUIC 443.
// `SOCKS` means SOCKS v4 (as in browsers). Empty elements are skipped silently; any element that does
// not parse is dropped with a warning naming it and the reason. An empty or all-invalid list means
// DIRECT, with a warning.
//
// Examples (input → canonical to_pac_string()):
//   "PROXY p:8080; DIRECT"     → "PROXY p:8080; DIRECT"
//   "proxy p"                  → "PROXY p:80"
//   "HTTPS [::1]:8443"         → "HTTPS [::1]:8443"
//   "socks5 s ;; direct"       → "SOCKS5 s:1080; DIRECT"
//   "BOGUS x; PROXY p:1"       → "PROXY p:1"        (warning: "BOGUS x": unknown type)
//   ""                         → "DIRECT"           (warning: empty result)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wpadkit {

class proxy_server {
 public:
  enum class scheme { direct, http, https, socks4, socks5, quic };

  static proxy_server direct() { return proxy_server(); }
  proxy_server(scheme s, std::string host, std::uint16_t port);

  scheme type() const noexcept { return scheme_; }
  bool is_direct() const noexcept { return scheme_ == scheme::direct; }
  // Host without brackets ("::1", "proxy.corp"); empty for DIRECT.
  const std::string& host() const noexcept { return host_; }
  std::uint16_t port() const noexcept { return port_; }

  // "PROXY host:port", "SOCKS5 [::1]:1080", "DIRECT" — the canonical PAC form. HTTP prints as PROXY.
  std::string to_pac_string() const;
  // "host:port" with brackets for IPv6; empty for DIRECT.
  std::string host_port() const;
  // Lower-case scheme name for JSON output: "direct", "http", "https", "socks4", "socks5", "quic".
  static const char* scheme_name(scheme s) noexcept;

  friend bool operator==(const proxy_server&, const proxy_server&) = default;

 private:
  proxy_server() = default;
  scheme scheme_ = scheme::direct;
  std::string host_;
  std::uint16_t port_ = 0;
};

struct proxy_list {
  std::vector<proxy_server> servers;  // never empty after parsing: at least DIRECT
  std::vector<std::string> warnings;  // one per dropped element, or for an empty result

  std::string to_pac_string() const;  // elements joined with "; "
};

// Parses a FindProxyForURL result. Never fails: what cannot be used is dropped with a warning.
proxy_list parse_proxy_list(std::string_view pac_result);

}  // namespace wpadkit
