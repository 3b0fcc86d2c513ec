#pragma once
// Named default limits. Every one is a default only: configuration can change it, and the code that
// enforces it takes the value from its options struct, never from here directly.
#include <chrono>
#include <cstddef>

namespace wpadkit::limits {

using namespace std::chrono_literals;

// PAC text larger than this is refused: Chromium's and WinHTTP's limit.
inline constexpr std::size_t pac_max_bytes = 1024 * 1024;
// Hosted PAC services (e.g. cloud proxies) cap lower; the linter warns past this.
inline constexpr std::size_t pac_hosted_max_bytes = 256 * 1024;
inline constexpr std::chrono::milliseconds pac_call_timeout = 1000ms;
inline constexpr std::chrono::milliseconds pac_load_timeout = 5000ms;
inline constexpr std::size_t pac_memory_bytes = 64 * 1024 * 1024;
inline constexpr int pac_dns_lookups_per_call = 32;
// The stack of a thread that calls a PAC engine (pool workers, the proxy's I/O threads): Duktape's
// native calls recurse in C. Reserved address space, committed only as touched.
inline constexpr std::size_t pac_call_stack_bytes = 16 * 1024 * 1024;

inline constexpr std::chrono::milliseconds dns_lookup_timeout = 2000ms;
// Failures are cached briefly so that a PAC calling dnsResolve on a dead name does not stall every call.
inline constexpr std::chrono::seconds dns_negative_ttl = 10s;
inline constexpr std::chrono::seconds dns_max_ttl = 3600s;

// Chromium moves a failed proxy to the end of the list for this long.
inline constexpr std::chrono::seconds bad_proxy_retry = 300s;

}  // namespace wpadkit::limits
