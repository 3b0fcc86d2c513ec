#include "proxycore/wpad/wpad_dns.hpp"

#include "proxycore/dns/ares_resolver.hpp"

namespace wpadkit::wpad {

std::vector<std::string> ares_wpad_dns::search_domains() { return resolver_->search_domains(); }

result<std::vector<dns::address>> ares_wpad_dns::resolve_absolute(std::string_view name) {
  auto r = resolver_->resolve_absolute(name, dns::family::any);
  if (!r) return r.error();
  return r->addresses;
}

result<wpad_dns::search_answer> ares_wpad_dns::resolve_in_search_list(std::string_view name) {
  auto r = resolver_->resolve_in_search_list(name, dns::family::any);
  if (!r) return r.error();
  search_answer out;
  out.name = r->name;
  out.addresses = r->addresses.addresses;
  for (const auto& a : r->attempts) {
    if (a.name != r->name) out.tried.push_back(a.name);
  }
  return out;
}

result<bool> ares_wpad_dns::has_soa(std::string_view name) { return resolver_->has_soa(name); }

}  // namespace wpadkit::wpad
