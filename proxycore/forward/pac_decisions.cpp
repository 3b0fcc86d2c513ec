#include "proxycore/forward/pac_decisions.hpp"

#include <atomic>

namespace wpadkit::forward {

struct pac_decisions::cache_state {
  std::mutex mutex;
  bool enabled = false;
  unsigned long version = 0;
  std::size_t max_entries = 0;
  std::unordered_map<std::string, std::string> entries;
  std::atomic<std::uint64_t> hits{0};

  static std::string key(const std::string& url, const std::string& host) { return url + '\n' + host; }
};

pac_decisions::pac_decisions(pac_decisions_options options)
    : options_(std::move(options)), cache_(std::make_shared<cache_state>()) {
  cache_->max_entries = options_.cache_entries;
}

pac_decisions::~pac_decisions() {
  std::deque<waiter> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(waiters_);
  }
  for (auto& w : left) w.done(error(errc::config, "the proxy is shutting down"));
  // pool_ is destroyed here: its queued calls complete with an error before this returns.
}

result<void> pac_decisions::load(std::string text, std::string source_name) {
  // Whether decisions may be cached is a property of the script: ask one engine.
  bool cacheable = false;
  if (options_.cache) {
    auto probe = pac::engine::load(text, source_name, options_.env, options_.engine);
    if (!probe) return std::move(probe).error();
    cacheable = !probe->reads_clock_or_local_address();
  }
  std::shared_ptr<pac::engine_pool> pool;
  {
    std::lock_guard lock(mutex_);
    pool = pool_;
  }
  if (pool) {
    if (auto ok = pool->reload(std::move(text), std::move(source_name)); !ok) return ok;
  } else {
    auto created = pac::engine_pool::create(std::move(text), std::move(source_name), options_.env,
                                            options_.engine, std::max(1u, options_.threads));
    if (!created) return std::move(created).error();
    pool = std::shared_ptr<pac::engine_pool>(std::move(*created));
  }
  {
    std::lock_guard lock(cache_->mutex);
    cache_->entries.clear();
    cache_->enabled = cacheable;
    cache_->version = pool->version();
  }
  std::deque<waiter> ready_now;
  {
    std::lock_guard lock(mutex_);
    pool_ = pool;
    ready_now.swap(waiters_);
  }
  for (auto& w : ready_now) evaluate(pool, std::move(w.url), std::move(w.host), std::move(w.done));
  return {};
}

void pac_decisions::find_proxy(std::string url, std::string host, completion done) {
  std::shared_ptr<pac::engine_pool> pool;
  {
    std::lock_guard lock(mutex_);
    pool = pool_;
    if (!pool) {
      switch (options_.when_no_pac) {
        case no_pac_policy::direct: break;
        case no_pac_policy::refuse: break;
        case no_pac_policy::wait:
          // Bounded by the caller's wait; answered by the first successful load().
          if (waiters_.size() < 10000) {
            waiters_.push_back({std::move(url), std::move(host), std::move(done)});
            return;
          }
          break;
      }
    }
  }
  if (!pool) {
    if (options_.when_no_pac == no_pac_policy::direct) return done(std::string("DIRECT"));
    return done(error(errc::config, "no PAC is loaded yet, and the policy is to refuse requests"));
  }
  evaluate(std::move(pool), std::move(url), std::move(host), std::move(done));
}

void pac_decisions::evaluate(std::shared_ptr<pac::engine_pool> pool, std::string url, std::string host,
                             completion done) {
  auto cache = cache_;
  std::string key;
  unsigned long version = 0;
  {
    std::lock_guard lock(cache->mutex);
    if (cache->enabled) {
      key = cache_state::key(url, host);
      version = cache->version;
      if (auto it = cache->entries.find(key); it != cache->entries.end()) {
        cache->hits.fetch_add(1, std::memory_order_relaxed);
        std::string hit = it->second;
        return done(std::move(hit));
      }
    }
  }
  pool->find_proxy(std::move(url), std::move(host),
                   [cache, key = std::move(key), version, done = std::move(done)](
                       result<pac::evaluation> r) {
                     if (!r) return done(std::move(r).error());
                     if (!key.empty()) {
                       std::lock_guard lock(cache->mutex);
                       if (cache->enabled && cache->version == version) {
                         if (cache->entries.size() >= cache->max_entries) cache->entries.clear();
                         cache->entries.emplace(key, r->result);
                       }
                     }
                     done(std::move(r->result));
                   });
}

bool pac_decisions::ready() const {
  std::lock_guard lock(mutex_);
  return pool_ != nullptr;
}

unsigned long pac_decisions::version() const {
  std::lock_guard lock(mutex_);
  return pool_ ? pool_->version() : 0;
}

bool pac_decisions::caching() const {
  std::lock_guard lock(cache_->mutex);
  return cache_->enabled;
}

std::uint64_t pac_decisions::cache_hits() const { return cache_->hits.load(); }

}  // namespace wpadkit::forward
