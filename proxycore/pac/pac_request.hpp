#pragma once
// pac::request — the one (url, host) pair FindProxyForURL is called with, for a URL: what Chromium
// hands the PAC script, so that `pactool eval`, pacserver's validation and the forwarding proxy
// give the same answer for the same request.
//
// Chromium parses the URL (GURL: scheme and host lower-cased, host IDNA'd to punycode, IPv4 in its
// dotted-decimal form, IPv6 compressed, default port dropped, empty path "/"), then strips it
// (ConfiguredProxyResolutionService's SanitizeUrl, net/proxy_resolution/): user name, password and
// fragment always; path and query for cryptographic schemes (https:, wss:), since the PAC may come
// from a network attacker and must not see what TLS protects. The `host` argument is the URL's host
// without the brackets of an IPv6 literal (GURL::HostNoBrackets, proxy_resolver_v8.cc).
//
//   input URL                              url                               host
//   http://WWW.Corp.Example/Path?Q=1#frag  http://www.corp.example/Path?Q=1  www.corp.example
//   HTTP://user:pw@Example.com:80/a        http://example.com/a              example.com
//   http://example.com                     http://example.com/               example.com
//   http://example.com:8080/               http://example.com:8080/          example.com
//   https://Bank.Example/acct?id=7#x       https://bank.example/             bank.example
//   https://bank.example:8443/a            https://bank.example:8443/        bank.example
//   wss://chat.example/socket?t=1          wss://chat.example/               chat.example
//   ws://chat.example:80/socket?t=1        ws://chat.example/socket?t=1      chat.example
//   ftp://files.example:21/pub             ftp://files.example/pub           files.example
//   http://[2001:DB8:0:0::1]:8080/x        http://[2001:db8::1]:8080/x       2001:db8::1
//   http://bücher.example/                 http://xn--bcher-kva.example/     xn--bcher-kva.example
//   http://b%C3%BCcher.example/            http://xn--bcher-kva.example/     xn--bcher-kva.example
//   http://0x7f.1/                         http://127.0.0.1/                 127.0.0.1
//   http://www.example.com./               http://www.example.com./          www.example.com.
//   http://example.com/a b                 http://example.com/a%20b          example.com
//
// Path and query are otherwise passed as given: Chromium also resolves dot segments and normalizes
// some escapes, but the proxy forwards the path it received, and the PAC sees that path.
//
// Errors (errc::parse, the input named): not an absolute URL with a host ("notaurl",
// "www.example.com", "file:///x"), a port that is not a number up to 65535, an invalid IDN or IPv4
// address ("http://1.2.3.999/"), an IPvFuture literal, a character no host may hold.
#include <cstdint>
#include <string>
#include <string_view>

#include "proxycore/base/error.hpp"

namespace wpadkit::pac {

struct request {
  std::string url;   // the first argument of FindProxyForURL
  std::string host;  // the second
};

// The request for a URL as a user writes it (`pactool eval`, a cases file, a smoke URL). Leading
// and trailing spaces and controls are dropped; spaces, non-ASCII bytes and "<>\"`{}|^ in the path
// or query are percent-encoded, as a browser does before sending.
result<request> canonical_request(std::string_view url);

// The request for parts already split (the forwarding proxy: "http" with the request's host, port
// and origin-form "/path?query"; "https" with an empty path for a CONNECT tunnel). `host` is
// without brackets. The same rules as above; `path_and_query` is used as given (stripped for
// https:/wss:).
result<request> canonical_request(std::string_view scheme, std::string_view host,
                                  std::uint16_t port, std::string_view path_and_query);

// The host alone, as in the table: lower-cased, percent-decoded, IDNA'd, IPv4 and IPv6 literals in
// their canonical text (an IPv6 one given without brackets). Errors as above.
result<std::string> canonical_host(std::string_view host);

}  // namespace wpadkit::pac
