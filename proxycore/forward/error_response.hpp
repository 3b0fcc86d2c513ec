#pragma once
// forward::error_response — the responses the proxy writes itself: an error with a plain-text body
// that says what was wrong (and, for 502, every hop tried and why), and the answers to
// TRACE/OPTIONS at Max-Forwards 0.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "proxycore/base/error.hpp"

namespace wpadkit::forward {

namespace http = boost::beast::http;
using own_response = http::response<http::string_body>;

// The methods we answer OPTIONS with, and put in 405's Allow.
inline constexpr std::string_view allowed_methods =
    "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, PATCH";

// `status` with body "<code> <reason>\n<why>\n" (text/plain). keep_alive false adds Connection: close.
own_response make_error_response(http::status status, unsigned version, std::string_view why,
                                 bool keep_alive);

// The status our parse and routing errors map to: errc::parse → 400, errc::unsupported → 501.
http::status status_for(const error& e);

// Maps a Beast parser error while reading a request head to (status, explanation):
// header_limit → 431, body_limit → 413, bad CL/TE and other syntax → 400.
std::pair<http::status, std::string> status_for_parse_error(const boost::system::error_code& ec);

}  // namespace wpadkit::forward
