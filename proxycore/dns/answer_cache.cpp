#include "proxycore/dns/answer_cache.hpp"

#include <algorithm>
#include <cctype>

namespace wpadkit::dns {
namespace {

bool cacheable_failure(const error& e) {
  return e.is(errc::dns_not_found) || e.is(errc::dns_timeout) || e.is(errc::dns_failure);
}

}  // namespace

answer_cache::answer_cache(cache_options options, clock_fn now)
    : options_(options), now_(now ? std::move(now) : clock_fn(&std::chrono::steady_clock::now)) {}

std::string answer_cache::key(std::string_view host, family f) {
  std::string k;
  k.reserve(host.size() + 2);
  k += static_cast<char>('0' + static_cast<int>(f));
  k += ' ';
  for (unsigned char c : host) k += static_cast<char>(std::tolower(c));
  return k;
}

std::optional<result<answer>> answer_cache::find(std::string_view host, family f) {
  auto now = now_();
  std::unique_lock lock(mutex_);
  auto it = entries_.find(key(host, f));
  if (it == entries_.end() || it->second.expires <= now) {
    lock.unlock();
    ++misses_;
    return std::nullopt;
  }
  result<answer> out = it->second.outcome;
  auto left = std::chrono::floor<std::chrono::seconds>(it->second.expires - now);
  lock.unlock();
  ++hits_;
  if (out) out->ttl = left;
  return out;
}

void answer_cache::store(std::string_view host, family f, const result<answer>& outcome) {
  std::chrono::seconds keep{0};
  if (outcome) {
    keep = std::min(outcome->ttl, options_.max_ttl);
  } else if (cacheable_failure(outcome.error())) {
    keep = options_.negative_ttl;
  }
  if (keep <= std::chrono::seconds(0)) return;
  auto now = now_();
  std::lock_guard lock(mutex_);
  auto k = key(host, f);
  if (!entries_.count(k)) make_room(now);
  entries_.insert_or_assign(std::move(k), entry{outcome, now + keep});
}

void answer_cache::make_room(std::chrono::steady_clock::time_point now) {
  if (entries_.size() < options_.max_entries) return;
  std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
  while (!entries_.empty() && entries_.size() >= options_.max_entries) {
    auto soonest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
    entries_.erase(soonest);
  }
}

cache_stats answer_cache::stats() const {
  std::lock_guard lock(mutex_);
  return {hits_.load(), misses_.load(), entries_.size()};
}

void answer_cache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace wpadkit::dns
