#include "proxycore/forward/host_field.hpp"

#include "proxycore/forward/request_rewrite.hpp"

namespace wpadkit::forward {

result<std::optional<std::string_view>> host_field(const http::request_header<>& req) {
  const auto lines = req.count(http::field::host);
  if (lines > 1) {
    return error(errc::parse,
                 "more than one Host field (" + std::to_string(lines) + " lines; RFC 9112 §3.2)")
        .at("Host");
  }
  if (lines == 0) {
    if (req.version() >= 11) {
      return error(errc::parse, "HTTP/1.1 request without a Host field (RFC 9112 §3.2)").at("Host");
    }
    return std::optional<std::string_view>{};
  }
  const std::string_view value = req.find(http::field::host)->value();
  if (!value.empty()) {
    if (auto a = parse_authority(value, 80); !a) {
      return error(errc::parse, "invalid Host: " + a.error().message).at("Host");
    }
  }
  return std::optional<std::string_view>{value};
}

}  // namespace wpadkit::forward
