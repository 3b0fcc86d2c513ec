#include "proxycore/base/errc.hpp"

namespace wpadkit {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "wpadkit"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::pac_syntax: return "PAC script has a syntax error";
      case errc::pac_load: return "PAC script threw while loading";
      case errc::pac_no_entrypoint: return "PAC script does not define FindProxyForURL";
      case errc::pac_exception: return "FindProxyForURL threw an exception";
      case errc::pac_bad_return: return "FindProxyForURL returned an unusable value";
      case errc::pac_timeout: return "PAC script ran past its time limit";
      case errc::pac_memory: return "PAC script ran out of memory";
      case errc::pac_too_large: return "PAC script is larger than the size limit";
      case errc::parse: return "malformed input";
      case errc::config: return "invalid configuration";
      case errc::dns_not_found: return "host name not found";
      case errc::dns_timeout: return "DNS lookup timed out";
      case errc::dns_failure: return "DNS lookup failed";
      case errc::dns_limit: return "too many DNS lookups";
      case errc::io: return "I/O error";
      case errc::http: return "HTTP error";
      case errc::timeout: return "operation timed out";
      case errc::limit: return "limit exceeded";
      case errc::unsupported: return "not supported";
      case errc::permission: return "permission denied";
    }
    return "unknown wpadkit error";
  }
};

}  // namespace

const std::error_category& wpadkit_category() noexcept {
  static const category instance;
  return instance;
}

const char* errc_name(errc e) noexcept {
  switch (e) {
    case errc::pac_syntax: return "syntax";
    case errc::pac_load: return "load";
    case errc::pac_no_entrypoint: return "no-entrypoint";
    case errc::pac_exception: return "exception";
    case errc::pac_bad_return: return "bad-return";
    case errc::pac_timeout: return "timeout";
    case errc::pac_memory: return "memory";
    case errc::pac_too_large: return "too-large";
    case errc::parse: return "parse";
    case errc::config: return "config";
    case errc::dns_not_found: return "dns-not-found";
    case errc::dns_timeout: return "dns-timeout";
    case errc::dns_failure: return "dns-failure";
    case errc::dns_limit: return "dns-limit";
    case errc::io: return "io";
    case errc::http: return "http";
    case errc::timeout: return "timeout";
    case errc::limit: return "limit";
    case errc::unsupported: return "unsupported";
    case errc::permission: return "permission";
  }
  return "unknown";
}

}  // namespace wpadkit
