#include "proxycore/forward/error_response.hpp"

#include <boost/beast/http/error.hpp>

namespace wpadkit::forward {

own_response make_error_response(http::status status, unsigned version, std::string_view why,
                                 bool keep_alive) {
  own_response res{status, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  if (status == http::status::method_not_allowed) res.set(http::field::allow, allowed_methods);
  std::string body = std::to_string(static_cast<unsigned>(status)) + " ";
  body.append(http::obsolete_reason(status)).append("\n").append(why).append("\n");
  res.body() = std::move(body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

http::status status_for(const error& e) {
  if (e.is(errc::unsupported)) return http::status::not_implemented;
  return http::status::bad_request;
}

std::pair<http::status, std::string> status_for_parse_error(const boost::system::error_code& ec) {
  using http::error;
  if (ec == error::header_limit) {
    return {http::status::request_header_fields_too_large, "the request head is larger than the limit"};
  }
  if (ec == error::body_limit) {
    return {http::status::payload_too_large, "the request body is larger than the limit"};
  }
  if (ec == error::bad_transfer_encoding) {
    return {http::status::bad_request,
            "Transfer-Encoding is duplicated or conflicts with Content-Length (possible request smuggling)"};
  }
  if (ec == error::bad_content_length || ec == error::multiple_content_length) {
    return {http::status::bad_request,
            "Content-Length is malformed, duplicated with different values, or conflicts with "
            "Transfer-Encoding (possible request smuggling)"};
  }
  return {http::status::bad_request, "malformed request: " + ec.message()};
}

}  // namespace wpadkit::forward
