#pragma once
// host_field — the Host field of a request, checked as RFC 9112 §3.2 requires of every server that
// receives a request (an origin server such as pacserver, and a proxy alike):
//   "a server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message
//    that lacks a Host header field and to any request message that contains more than one Host
//    header field line or a Host header field with an invalid field value."
// A valid value is uri-host [ ":" port ] (RFC 9110 §7.2), or empty (a target URI without an
// authority, RFC 9112 §3.2). Two lines with the same value are refused too: the rule is on the
// number of lines, and a request that carries two is not one a correct client sends.
//
//   fields                         version   → result
//   Host: wpad.corp.example        1.1         "wpad.corp.example"
//   Host: [::1]:8080               1.1         "[::1]:8080"
//   Host: (empty)                  1.1         ""
//   (none)                         1.0         nullopt (HTTP/1.0 has no Host requirement)
//   (none)                         1.1         errc::parse "HTTP/1.1 request without a Host field"
//   Host: a / Host: b              any         errc::parse "more than one Host field"
//   Host: a b, Host: u@h, Host: h:x  any       errc::parse naming the value
#include <boost/beast/http/message.hpp>
#include <optional>
#include <string_view>

#include "proxycore/base/error.hpp"

namespace wpadkit::forward {

// The request's Host value (a view into `req`), or nullopt for an HTTP/1.0 request without one.
// Errors: errc::parse (→ 400) with the reason, located at "Host".
result<std::optional<std::string_view>> host_field(const boost::beast::http::request_header<>& req);

}  // namespace wpadkit::forward
