#pragma once
// ares_error: the one place where c-ares status codes (ARES_*) become wpadkit error codes. Every
// other file in proxycore/dns goes through these two functions.
#include <string_view>
#include <system_error>

#include "proxycore/base/error.hpp"

namespace wpadkit::dns {

// Maps a c-ares status other than ARES_SUCCESS:
//   ARES_ENOTFOUND, ARES_ENODATA, ARES_ENONAME, ARES_EBADNAME   → errc::dns_not_found
//   ARES_ETIMEOUT                                              → errc::dns_timeout
//   ARES_ECANCELLED, ARES_EDESTRUCTION                         → std::errc::operation_canceled
//   ARES_EBADSTR (a server list that does not parse)           → errc::config
//   everything else (SERVFAIL, REFUSED, bad answers, no memory) → errc::dns_failure
// ARES_SUCCESS maps to an empty error_code.
std::error_code error_code_from_ares(int status) noexcept;

// The same code with a message: "<what>: <c-ares' description of status>".
error error_from_ares(int status, std::string_view what);

}  // namespace wpadkit::dns
