#pragma once
// cached_resolver: a host_resolver that answers from an answer_cache and asks `inner` on a miss
// (TTL-honouring, failures kept briefly; see answer_cache.hpp). Thread-safe when `inner` is: no
// lock is held while `inner` resolves, so two threads missing the same name at once both ask
// `inner`.
#include <memory>

#include "proxycore/dns/answer_cache.hpp"
#include "proxycore/dns/host_resolver.hpp"

namespace wpadkit::dns {

class cached_resolver final : public host_resolver {
 public:
  // `inner` must not be null. `now` defaults to std::chrono::steady_clock::now.
  explicit cached_resolver(std::shared_ptr<host_resolver> inner, cache_options options = {},
                           clock_fn now = {});

  // Errors: those of `inner` (a cached failure is returned again until it expires).
  result<answer> resolve(std::string_view host, family f) override;

  // Hits, misses, entries: the proxy exports these as metrics.
  cache_stats stats() const { return cache_.stats(); }
  void clear() { cache_.clear(); }

 private:
  std::shared_ptr<host_resolver> inner_;
  answer_cache cache_;
};

}  // namespace wpadkit::dns
