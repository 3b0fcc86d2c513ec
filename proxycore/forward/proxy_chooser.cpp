#include "proxycore/forward/proxy_chooser.hpp"

namespace wpadkit::forward {
namespace {

class real_clock final : public steady_clock_source {
 public:
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

std::shared_ptr<const steady_clock_source> real_steady_clock() {
  return std::make_shared<real_clock>();
}

proxy_chooser::proxy_chooser(std::chrono::milliseconds retry,
                             std::shared_ptr<const steady_clock_source> clock)
    : retry_(retry), clock_(clock ? std::move(clock) : real_steady_clock()) {}

std::vector<std::size_t> proxy_chooser::order(const std::vector<std::string>& keys) const {
  std::vector<std::size_t> good, bad;
  if (marked_.load(std::memory_order_acquire) == 0) {
    good.resize(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) good[i] = i;
    return good;
  }
  for (std::size_t i = 0; i < keys.size(); ++i) (is_bad(keys[i]) ? bad : good).push_back(i);
  good.insert(good.end(), bad.begin(), bad.end());
  return good;
}

void proxy_chooser::mark_bad(const std::string& key) {
  if (key == "DIRECT") return;
  std::lock_guard lock(mutex_);
  bad_until_[key] = clock_->now() + retry_;
  marked_.store(bad_until_.size(), std::memory_order_release);
}

void proxy_chooser::mark_good(const std::string& key) {
  if (marked_.load(std::memory_order_acquire) == 0) return;
  std::lock_guard lock(mutex_);
  bad_until_.erase(key);
  marked_.store(bad_until_.size(), std::memory_order_release);
}

bool proxy_chooser::is_bad(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = bad_until_.find(key);
  return it != bad_until_.end() && clock_->now() < it->second;
}

std::size_t proxy_chooser::bad_count() const {
  std::lock_guard lock(mutex_);
  auto now = clock_->now();
  std::size_t n = 0;
  for (auto& [key, until] : bad_until_) n += now < until ? 1 : 0;
  return n;
}

}  // namespace wpadkit::forward
