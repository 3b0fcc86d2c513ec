#include "proxycore/dns/fixed_resolver.hpp"

#include <algorithm>
#include <cctype>

namespace wpadkit::dns {
namespace {

std::string normalize(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool wanted(const address& a, family f) {
  return f == family::any || (f == family::v4 ? a.is_v4() : a.is_v6());
}

}  // namespace

fixed_resolver::fixed_resolver(std::shared_ptr<host_resolver> fallback)
    : fallback_(std::move(fallback)) {}

void fixed_resolver::add(std::string_view name, address addr) {
  table_[normalize(name)].push_back(addr);
}

result<answer> fixed_resolver::resolve(std::string_view host, family f) {
  if (auto literal = answer_for_literal(host, f)) return std::move(*literal);
  auto it = table_.find(normalize(host));
  if (it == table_.end()) {
    if (fallback_) return fallback_->resolve(host, f);
    return error(errc::dns_not_found, "'" + std::string(host) + "' is not in the DNS table");
  }
  answer out;
  std::copy_if(it->second.begin(), it->second.end(), std::back_inserter(out.addresses),
               [f](const address& a) { return wanted(a, f); });
  if (out.addresses.empty()) {
    return error(errc::dns_not_found, "'" + std::string(host) + "' has no address of that family");
  }
  return out;
}

}  // namespace wpadkit::dns
