#pragma once
// wpad_dns: the DNS questions WPAD discovery asks, as a seam. ares_wpad_dns answers them with the
// c-ares resolver (system servers and search list, or explicit ones); tests use a table.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxycore/base/error.hpp"
#include "proxycore/dns/host_resolver.hpp"

namespace wpadkit::dns {
class ares_resolver;
}

namespace wpadkit::wpad {

class wpad_dns {
 public:
  struct search_answer {
    std::string name;                      // the fully-qualified name that answered
    std::vector<dns::address> addresses;
    std::vector<std::string> tried;        // every name asked before it, in order
  };

  virtual ~wpad_dns() = default;
  // The search list in effect (its first entry is the default primary DNS suffix).
  virtual std::vector<std::string> search_domains() = 0;
  // Exactly `name`, no search list. Errors: errc::dns_not_found, dns_timeout, dns_failure.
  virtual result<std::vector<dns::address>> resolve_absolute(std::string_view name) = 0;
  // `name` through the search list, as the system resolver does for a single label.
  // Errors: as resolve_absolute, for the last name tried (message lists them all).
  virtual result<search_answer> resolve_in_search_list(std::string_view name) = 0;
  // Whether `name` owns an SOA record. Errors: errc::dns_timeout, dns_failure.
  virtual result<bool> has_soa(std::string_view name) = 0;
};

// Over dns::ares_resolver; the resolver is shared and must outlive nothing else. Thread-safe as the
// resolver is.
class ares_wpad_dns final : public wpad_dns {
 public:
  explicit ares_wpad_dns(std::shared_ptr<dns::ares_resolver> resolver) : resolver_(std::move(resolver)) {}
  std::vector<std::string> search_domains() override;
  result<std::vector<dns::address>> resolve_absolute(std::string_view name) override;
  result<search_answer> resolve_in_search_list(std::string_view name) override;
  result<bool> has_soa(std::string_view name) override;

 private:
  std::shared_ptr<dns::ares_resolver> resolver_;
};

}  // namespace wpadkit::wpad
