#pragma once
// The one error taxonomy of wpadkit: every failure proxycore reports is one of these codes, in the
// `wpadkit` error category. Foreign codes (c-ares, Duktape, Beast) are mapped to these in exactly one
// place each, next to the wrapper of that library.
#include <string>
#include <system_error>

namespace wpadkit {

enum class errc {
  // PAC engine (proxycore/pac): the kinds `pactool eval --json` reports as error.kind.
  pac_syntax = 1,     // the script does not compile (message names the line)
  pac_load,           // top-level code threw while loading
  pac_no_entrypoint,  // FindProxyForURL is not a function
  pac_exception,      // the call threw
  pac_bad_return,     // the call returned a non-string, or a string with non-ASCII characters
  pac_timeout,        // the call (or load) ran past its time limit
  pac_memory,         // the engine hit its memory cap
  pac_too_large,      // PAC text over the size limit

  // Parsing of our own value types and config.
  parse = 100,  // malformed input text (a proxy string, an address, a cases line...)
  config,       // a configuration that parses but is not valid

  // DNS (proxycore/dns)
  dns_not_found = 200,  // NXDOMAIN or no address of the asked family
  dns_timeout,          // no answer in time
  dns_failure,          // any other resolver failure (SERVFAIL, refused, no servers)
  dns_limit,            // the per-evaluation lookup cap was reached

  // I/O and network.
  io = 300,         // a file could not be read or written
  http,             // an HTTP exchange failed or answered something unusable
  timeout,          // a network operation ran past its deadline
  limit,            // a size or count limit was exceeded
  unsupported,      // something the software deliberately does not do
  permission,       // the operation needs privileges the process lacks
};

const std::error_category& wpadkit_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), wpadkit_category()};
}

// The short stable name of a code ("syntax", "timeout", ...), as printed in JSON output.
const char* errc_name(errc e) noexcept;

}  // namespace wpadkit

template <>
struct std::is_error_code_enum<wpadkit::errc> : std::true_type {};
