#include "proxycore/forward/pac_decisions.hpp"

#include <algorithm>

namespace wpadkit::forward {

pac_decisions::pac_decisions(pac_decisions_options options) : options_(std::move(options)) {}

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
  std::deque<waiter> ready_now;
  {
    std::lock_guard lock(mutex_);
    pool_ = pool;
    unloaded_ = false;
    ready_now.swap(waiters_);
    // Only forward: two loads at once may get here in either order. Under the lock, so that of a
    // load and an unload the later one decides.
    for (auto v = serving_version_.load(); v < pool->version() &&
                                           !serving_version_.compare_exchange_weak(v, pool->version());) {
    }
  }
  if (options_.inline_engines > 0) refill_inline_stock(*pool);
  for (auto& w : ready_now) evaluate(pool, std::move(w.url), std::move(w.host), std::move(w.done));
  return {};
}

bool pac_decisions::unload() {
  std::lock_guard lock(mutex_);
  if (!pool_ || unloaded_) return false;
  unloaded_ = true;
  serving_version_.store(0, std::memory_order_release);  // no inline evaluation from now on
  return true;
}

void pac_decisions::find_proxy(std::string url, std::string host, completion done) {
  std::shared_ptr<pac::engine_pool> pool;
  {
    std::lock_guard lock(mutex_);
    if (!unloaded_) pool = pool_;
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
  pool->find_proxy(std::move(url), std::move(host), [done = std::move(done)](result<pac::evaluation> r) {
    if (!r) return done(std::move(r).error());
    done(std::move(r->result));
  });
}

struct pac_decisions::local_state final : thread_state {
  inline_pac eval;
};

std::unique_ptr<decision_source::thread_state> pac_decisions::make_thread_state() {
  if (options_.inline_engines == 0) return nullptr;
  return std::make_unique<local_state>();
}

// Runs on the loading thread: loading an engine runs the script's top level, which the I/O threads
// must not wait for. Engines that fail to load (memory) are simply fewer: their threads use the pool.
void pac_decisions::refill_inline_stock(const pac::engine_pool& pool) {
  unsigned long version = pool.version();
  std::vector<inline_engine> made;
  for (unsigned i = 0; i < options_.inline_engines; ++i) {
    auto e = load_inline_engine(pool, options_.engine);
    if (!e) break;
    version = e->version;
    made.push_back(std::move(*e));
  }
  std::lock_guard lock(stock_mutex_);
  if (version < stock_version_) return;  // a later load published first
  stock_version_ = version;
  stock_ = std::move(made);
}

std::optional<std::string> pac_decisions::find_proxy_now(const std::string& url, const std::string& host,
                                                         thread_state* local) {
  if (local == nullptr) return std::nullopt;
  auto& eval = static_cast<local_state&>(*local).eval;
  const auto version = serving_version_.load(std::memory_order_acquire);
  if (version == 0) return std::nullopt;
  if (eval.wants(version)) {
    std::lock_guard lock(stock_mutex_);
    if (stock_version_ == version) {  // else the engines for it are still loading
      if (stock_.empty()) {
        eval.give_up(version);
      } else {
        eval.take(std::move(stock_.back()));
        stock_.pop_back();
      }
    }
  }
  auto r = eval.find_proxy(version, url, host);
  if (!r) return std::nullopt;
  inline_answers_.fetch_add(1, std::memory_order_relaxed);
  return r;
}

bool pac_decisions::ready() const {
  std::lock_guard lock(mutex_);
  return pool_ != nullptr && !unloaded_;
}

unsigned long pac_decisions::version() const {
  std::lock_guard lock(mutex_);
  return pool_ && !unloaded_ ? pool_->version() : 0;
}

std::uint64_t pac_decisions::inline_answers() const { return inline_answers_.load(); }

decision_source::counters pac_decisions::count() const { return {inline_answers()}; }

}  // namespace wpadkit::forward
