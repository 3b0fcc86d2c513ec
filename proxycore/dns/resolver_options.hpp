#pragma once
// resolver_options: how a c-ares resolver (ares_resolver, async_resolver) is set up. The defaults
// behave like the system resolver: servers, search list and ndots from /etc/resolv.conf, /etc/hosts
// consulted first (order from /etc/nsswitch.conf, as c-ares reads it).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "proxycore/base/limits.hpp"

namespace wpadkit::dns {

struct resolver_options {
  // Name servers to ask instead of resolv.conf's, in order: "ip", "ip:port", "[v6]" or "[v6]:port"
  // (pactool's `--dns-server`, and tests pointing at their own dnsmasq). Empty: resolv.conf.
  std::vector<std::string> servers;
  // Replaces resolv.conf's search list when set (an empty vector means: no search list).
  std::optional<std::vector<std::string>> search_domains;
  // The longest a single lookup may take, all retries and search-list candidates included; past it
  // the lookup fails with errc::dns_timeout.
  std::chrono::milliseconds timeout = limits::dns_lookup_timeout;
  // Consult /etc/hosts (like getaddrinfo). Off: DNS only.
  bool use_hosts_file = true;
};

}  // namespace wpadkit::dns
