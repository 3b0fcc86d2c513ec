#pragma once
// host_resolver: the seam between everything that needs a name looked up (the PAC engine's
// dnsResolve/dnsResolveEx/isResolvable/isInNet, WPAD discovery, the forwarding proxy) and the DNS.
//
// Implementations (each in its own file beside this one):
//   - ares_resolver:  real DNS through c-ares (system resolv.conf and search list by default)
//   - cached_resolver: a TTL-honouring cache in front of any resolver (failures cached briefly)
//   - fixed_resolver: a fixed table name → addresses, for tests and `--dns NAME=IP` / `--offline`
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"

namespace wpadkit::dns {

using address = boost::asio::ip::address;

enum class family {
  v4,   // A records only (PAC dnsResolve, isResolvable, isInNet)
  v6,   // AAAA only
  any,  // both: IPv6 and IPv4 addresses in the order the system would prefer (dnsResolveEx)
};

// The outcome of a lookup, with the TTL the answer may be cached for.
struct answer {
  std::vector<address> addresses;  // never empty on success
  std::chrono::seconds ttl{0};
};

// Synchronous lookup interface. Thread-safety is per implementation and stated there; the PAC engine
// calls it from its own evaluation thread and may block for up to the implementation's timeout.
//
// Errors: errc::dns_not_found (NXDOMAIN / no record of that family), errc::dns_timeout,
// errc::dns_failure, errc::dns_limit.
class host_resolver {
 public:
  virtual ~host_resolver() = default;
  virtual result<answer> resolve(std::string_view host, family f) = 0;
};

// What every resolver answers for an IP literal, without a lookup: itself if it is of family `f`,
// else errc::dns_not_found (c-ares would send "::1" to the DNS for family::v4). nullopt for a name.
std::optional<result<answer>> answer_for_literal(std::string_view host, family f);

}  // namespace wpadkit::dns
