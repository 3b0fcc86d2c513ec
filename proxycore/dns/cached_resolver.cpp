#include "proxycore/dns/cached_resolver.hpp"

namespace wpadkit::dns {

cached_resolver::cached_resolver(std::shared_ptr<host_resolver> inner, cache_options options,
                                 clock_fn now)
    : inner_(std::move(inner)), cache_(options, std::move(now)) {}

result<answer> cached_resolver::resolve(std::string_view host, family f) {
  if (auto hit = cache_.find(host, f)) return std::move(*hit);
  auto fresh = inner_->resolve(host, f);
  cache_.store(host, f, fresh);
  return fresh;
}

}  // namespace wpadkit::dns
