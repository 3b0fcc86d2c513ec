#pragma once
// fixed_resolver: answers from a fixed table (name → addresses), for tests and for pactool's
// `--dns NAME=IP` and `--offline`. Names are compared case-insensitively, ignoring one trailing dot.
// A name not in the table is errc::dns_not_found — or, when a fallback resolver is given, asked there.
// IP literals resolve to themselves (as getaddrinfo does). Thread-safe after construction.
#include <map>
#include <memory>
#include <string>

#include "proxycore/dns/host_resolver.hpp"

namespace wpadkit::dns {

class fixed_resolver final : public host_resolver {
 public:
  // Addresses of a name keep the order they were added in.
  explicit fixed_resolver(std::shared_ptr<host_resolver> fallback = nullptr);

  void add(std::string_view name, address addr);
  result<answer> resolve(std::string_view host, family f) override;

 private:
  std::map<std::string, std::vector<address>> table_;
  std::shared_ptr<host_resolver> fallback_;
};

}  // namespace wpadkit::dns
