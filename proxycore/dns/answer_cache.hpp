#pragma once
// answer_cache: a thread-safe store of DNS outcomes keyed by (name, family), honouring each
// answer's TTL (capped by cache_options::max_ttl) and keeping failures for
// cache_options::negative_ttl, so a PAC calling dnsResolve() on a dead name does not stall every
// evaluation. Time comes from an injectable clock. Used by cached_resolver (sync) and
// async_resolver (the proxy's event loop).
//
// Names are compared case-insensitively (DNS names are); "a.example" and "a.example." are different
// keys, since only the first goes through the search list.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proxycore/base/error.hpp"
#include "proxycore/base/limits.hpp"
#include "proxycore/dns/host_resolver.hpp"

namespace wpadkit::dns {

// The time seam: returns "now" on a monotonic clock. Tests pass a function reading a variable.
using clock_fn = std::function<std::chrono::steady_clock::time_point()>;

struct cache_options {
  std::chrono::seconds max_ttl = limits::dns_max_ttl;            // longer TTLs are cut to this
  std::chrono::seconds negative_ttl = limits::dns_negative_ttl;  // how long a failure is kept
  std::size_t max_entries =
      4096;  // past this, expired entries go first, then the soonest to expire
};

struct cache_stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::size_t entries = 0;
};

class answer_cache {
 public:
  explicit answer_cache(cache_options options = {}, clock_fn now = {});

  // The stored outcome, if one is still fresh (counted as a hit), else nullopt (a miss). A fresh
  // answer's ttl is the time it has left; a stored failure comes back as it was stored.
  std::optional<result<answer>> find(std::string_view host, family f);

  // Stores `outcome`. Answers are kept min(ttl, max_ttl) (a ttl of 0 is not kept); failures
  // dns_not_found, dns_timeout and dns_failure are kept negative_ttl; other errors (dns_limit,
  // cancellation, configuration) are not stored.
  void store(std::string_view host, family f, const result<answer>& outcome);

  cache_stats stats() const;
  void clear();

 private:
  struct entry {
    result<answer> outcome;
    std::chrono::steady_clock::time_point expires;
  };
  static std::string key(std::string_view host, family f);
  void make_room(std::chrono::steady_clock::time_point now);  // mutex_ held

  cache_options options_;
  clock_fn now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;  // guarded by mutex_
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace wpadkit::dns
