#pragma once
// recording_resolver — a host_resolver decorator that remembers every lookup (name, family, answer or
// error, time taken), so that `pactool explain` can show each DNS lookup an evaluation made, including
// the ones helpers such as isInNet make internally. Not thread-safe: one engine, one thread.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "proxycore/dns/host_resolver.hpp"

namespace pactool {

struct dns_lookup_record {
  std::string name;
  wpadkit::dns::family family;
  std::vector<std::string> addresses;  // empty on failure
  std::string error;                   // empty on success
  std::chrono::microseconds elapsed{0};
};

class recording_resolver final : public wpadkit::dns::host_resolver {
 public:
  explicit recording_resolver(std::shared_ptr<wpadkit::dns::host_resolver> inner)
      : inner_(std::move(inner)) {}

  wpadkit::result<wpadkit::dns::answer> resolve(std::string_view host,
                                                wpadkit::dns::family f) override {
    auto t0 = std::chrono::steady_clock::now();
    auto r = inner_->resolve(host, f);
    dns_lookup_record rec{std::string(host), f, {}, {}, {}};
    rec.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t0);
    if (r) {
      for (const auto& a : r->addresses) rec.addresses.push_back(a.to_string());
    } else {
      rec.error = r.error().message.empty() ? r.error().code.message() : r.error().message;
    }
    records_.push_back(std::move(rec));
    return r;
  }

  const std::vector<dns_lookup_record>& records() const { return records_; }
  void clear() { records_.clear(); }

 private:
  std::shared_ptr<wpadkit::dns::host_resolver> inner_;
  std::vector<dns_lookup_record> records_;
};

inline const char* family_name(wpadkit::dns::family f) {
  switch (f) {
    case wpadkit::dns::family::v4: return "A";
    case wpadkit::dns::family::v6: return "AAAA";
    case wpadkit::dns::family::any: return "A+AAAA";
  }
  return "?";
}

}  // namespace pactool
