#pragma once
// request_rewrite — the pure part of forwarding (no I/O): where a request goes, and how its head is
// changed on the way. Every function here is a value-in/value-out transformation, tested with tables
// in request_rewrite_test.cpp.
//
// Request targets (RFC 9112 §3.2), as a proxy receives them:
//   "http://h:8080/p?q"   absolute-form → origin h:8080, path "/p?q"; Host is replaced (§3.2.2)
//   "http://h"            absolute-form, empty path → "/" (the only rewrite RFC 9110 §7.7 allows)
//   "/p" + Host: h:81     origin-form → origin from Host
//   "/p" without Host     → errc::parse "no Host header and not an absolute URI" (400)
//   "h:443" (CONNECT)     authority-form, port required
//   "*" (OPTIONS) + Host  asterisk-form, forwarded as "*"
//   "ftp://h/"            → errc::unsupported (501)
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/http/message_framing.hpp"
#include "proxycore/pac/pac_request.hpp"

namespace wpadkit::forward {

namespace http = boost::beast::http;

// The origin a request is for, and the two ways to write its target.
struct request_target {
  std::string host;          // without brackets; lower-case is NOT applied (sent as received)
  std::uint16_t port = 80;
  std::string origin_form;   // "/path?query" or "*": what goes to an origin server
  bool connect = false;      // CONNECT host:port (origin_form empty)

  // "host:port" with brackets around an IPv6 literal; the port is always written.
  std::string authority() const;
  // "http://host[:port]/path" — what goes to a parent proxy (port omitted when 80). For CONNECT, the
  // authority. For "*", the absolute URI with path "*" is not representable: "http://host:port".
  std::string absolute_form() const;
  // What FindProxyForURL is called with (pac::canonical_request, shared with `pactool eval` and
  // pacserver's validation): for HTTP the absolute form with the host lower-cased; for CONNECT
  // "https://host[:port]/", as Chromium passes an https: URL stripped of path and query. Errors:
  // errc::parse for a host no browser would send (e.g. "1.2.3.999"), → 400.
  result<pac::request> pac_request() const;
};

// Splits "host[:port]" / "[v6][:port]". Errors: errc::parse naming the problem.
result<std::pair<std::string, std::uint16_t>> parse_authority(std::string_view text,
                                                              std::uint16_t default_port);

// Works out the origin of a request. `host_header` is the Host field (nullopt when absent, and the
// caller passes errc::parse itself for duplicate Host). Errors: errc::parse (→ 400),
// errc::unsupported (a scheme other than http, → 501).
result<request_target> resolve_target(http::verb method, std::string_view target,
                                      std::optional<std::string_view> host_header);

// Removes hop-by-hop fields (RFC 9110 §7.6.1): Connection and every field it names, Proxy-Connection,
// Keep-Alive, TE, Trailer, Upgrade, and on requests Proxy-Authorization (meant for us; what goes to
// the next hop instead is set per hop by set_hop_proxy_authorization). Framing fields (Content-Length, Transfer-Encoding) and Host stay even when Connection names
// them: the relay re-frames from the parser's view, and a client must not be able to strip them.
// Every other field keeps its position, name case and value. (Beast's fields keep all fields of one
// name together, in their relative order, as RFC 9110 §5.3 allows; distinct names keep their order.)
void strip_hop_by_hop(http::fields& f, bool is_request);

// Removes every Proxy-Authorization field of a request and returns their values, in order: taken
// before strip_hop_by_hop, so that they can be checked (client authentication) or relayed.
std::vector<std::string> take_proxy_authorization(http::fields& f);

// Sets the Proxy-Authorization a request carries to one next hop (RFC 9110 §11.7.1):
//   to a PROXY hop: `ours` (our credentials for that proxy) when set, replacing the client's;
//                   otherwise `relayed` (the client's own fields, when we did not consume them)
//   to DIRECT or a SOCKS hop: none (an origin server must never see proxy credentials)
// Any Proxy-Authorization already in `f` is removed first, so the same request can be re-targeted
// at the next hop after a failover.
void set_hop_proxy_authorization(http::fields& f, bool to_proxy, const std::string* ours,
                                 const std::vector<std::string>& relayed);

// Adds our Via entry as a new field after any existing Via fields: "1.1 name" (the version received).
void append_via(http::fields& f, unsigned version, std::string_view our_name);

// True when some Via entry's received-by equals `our_name` (case-insensitive): a forwarding loop.
bool has_our_via(const http::fields& f, std::string_view our_name);

// Max-Forwards for TRACE and OPTIONS (RFC 9110 §7.6.2).
enum class max_forwards_action { forward, answer_here };
// Reads Max-Forwards; at 0 → answer_here, otherwise the field is decremented in place. Other methods
// and an absent field → forward, unchanged. Errors: errc::parse when the value is not a number.
result<max_forwards_action> apply_max_forwards(http::verb method, http::fields& f);

// The request head as a TRACE response body (message/http), with Cookie, Authorization and
// Proxy-Authorization left out (RFC 9110 §9.3.8: exclude fields likely to be sensitive).
std::string trace_echo(std::string_view method, std::string_view target, unsigned version,
                       const http::fields& f);

// Idempotent methods (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, TRACE, PUT, DELETE. Only these may be
// sent again on another hop after one did not answer.
bool is_idempotent(http::verb method);

// The framing fields (Content-Length, Transfer-Encoding) of a head, for http1::framing_fields to judge.
http1::framing_fields framing_fields_of(const http::fields& f);

// Replaces every Content-Length and Transfer-Encoding line by the one `framing.declared` calls for
// ("Content-Length: N" or "Transfer-Encoding: chunked"; none for none/until_close): what we pass on
// is framed by us, never by the sender's text. Called only when framing.canonical is false.
void reframe(http::fields& f, const http1::framing& framing);

}  // namespace wpadkit::forward
