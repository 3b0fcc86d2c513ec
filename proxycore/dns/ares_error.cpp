#include "proxycore/dns/ares_error.hpp"

#include <ares.h>

#include <string>

namespace wpadkit::dns {

std::error_code error_code_from_ares(int status) noexcept {
  switch (status) {
    case ARES_SUCCESS:
      return {};
    case ARES_ENOTFOUND:  // NXDOMAIN
    case ARES_ENODATA:    // the name exists but has no record of the asked type
    case ARES_ENONAME:    // getaddrinfo's "no such name"
    case ARES_EBADNAME:   // not a host name at all: getaddrinfo says EAI_NONAME too
      return make_error_code(errc::dns_not_found);
    case ARES_ETIMEOUT:
      return make_error_code(errc::dns_timeout);
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
      return std::make_error_code(std::errc::operation_canceled);
    case ARES_EBADSTR:
      return make_error_code(errc::config);
    default:
      return make_error_code(errc::dns_failure);
  }
}

error error_from_ares(int status, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += ares_strerror(status);
  return error(error_code_from_ares(status), std::move(message));
}

}  // namespace wpadkit::dns
