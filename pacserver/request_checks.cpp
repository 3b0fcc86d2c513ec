#include "pacserver/request_checks.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>

#include "proxycore/forward/host_field.hpp"
#include "proxycore/forward/request_rewrite.hpp"
#include "proxycore/http/message_framing.hpp"

namespace wpadkit::pacserver {

namespace {

namespace http = boost::beast::http;

constexpr std::size_t crlf = 2;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX → the byte. False on a malformed escape or an encoded NUL (no path of ours has one, and a
// C string would end there).
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

head_refusal refuse(int status, std::string reason) { return {status, std::move(reason)}; }

}  // namespace

std::variant<checked_request, head_refusal> check_request_head(const http::request_header<>& req,
                                                                const head_limits& limits) {
  const std::size_t request_line =
      req.method_string().size() + 1 + req.target().size() + 1 + 8 + crlf;
  if (request_line > limits.max_line_bytes) {
    return refuse(414, "the request-line is " + std::to_string(request_line) +
                           " bytes, over the limit of " + std::to_string(limits.max_line_bytes));
  }
  std::size_t fields = 0;
  for (const auto& f : req) {
    if (++fields > limits.max_fields) {
      return refuse(431, "the request has more than " + std::to_string(limits.max_fields) +
                             " header fields");
    }
    const std::size_t line = f.name_string().size() + 2 + f.value().size() + crlf;
    if (line > limits.max_line_bytes) {
      return refuse(431, "the " + std::string(f.name_string()) + " field line is " +
                             std::to_string(line) + " bytes, over the limit of " +
                             std::to_string(limits.max_line_bytes));
    }
  }
  auto host = forward::host_field(req);
  if (!host) return refuse(400, host.error().message);
  http1::framing_fields framing;
  for (const auto& f : req) framing.add(f.name_string(), f.value());
  if (auto body = framing.request(req.version()); !body) {
    // An unknown coding is 501, as Squid answers (RFC 9112 §6.1); ambiguous framing 400.
    return refuse(body.error().is(errc::unsupported) ? 501 : 400, body.error().message);
  }

  checked_request out;
  if (*host) out.host = std::string(**host);
  std::string_view target = req.target();
  if (target == "*") {
    if (req.method() != http::verb::options) {
      return refuse(400, "the target '*' is only allowed with OPTIONS");
    }
    out.path = "*";
    return out;
  }
  if (target.empty() || target.front() != '/') {
    // absolute-form (RFC 9112 §3.2.2): a server must accept it; its authority wins over Host.
    const auto sep = target.find("://");
    const auto scheme = target.substr(0, sep == std::string_view::npos ? 0 : sep);
    if (sep == std::string_view::npos ||
        !(boost::beast::iequals(scheme, "http") || boost::beast::iequals(scheme, "https"))) {
      return refuse(400, "the request-target '" + std::string(target) +
                             "' is neither a path nor an http URI");
    }
    auto rest = target.substr(sep + 3);
    const auto path_start = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, path_start);
    if (auto a = forward::parse_authority(authority, 80); !a) {
      return refuse(400, "the request-target's authority: " + a.error().message);
    }
    out.host = std::string(authority);
    target = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  }
  const auto query = target.find_first_of("?#");
  const auto path = target.substr(0, query);
  if (path.empty() || path.front() != '/') {
    out.path = "/" + std::string(path);  // "http://h?q" has an empty path: "/" (RFC 9112 §3.2.1)
    return out;
  }
  if (!percent_decode(path, out.path)) {
    return refuse(400, "the request-target's path '" + std::string(path) +
                           "' has a malformed or NUL percent-escape");
  }
  return out;
}

int status_for_bad_version(std::string_view head) {
  // method SP target SP version CRLF, nothing else: otherwise the version is not the problem.
  const auto lf = head.find('\n');
  if (lf == std::string_view::npos || lf == 0 || head[lf - 1] != '\r') return 400;
  const auto line = head.substr(0, lf - 1);
  if (std::count(line.begin(), line.end(), ' ') != 2) return 400;
  const auto v = line.substr(line.rfind(' ') + 1);
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const bool well_formed = v.size() == 8 && v.substr(0, 5) == "HTTP/" && digit(v[5]) &&
                           v[6] == '.' && digit(v[7]);
  return well_formed ? 505 : 400;
}

}  // namespace wpadkit::pacserver
