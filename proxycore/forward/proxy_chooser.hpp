#pragma once
// forward::proxy_chooser — the bad-proxy list, after Chromium's ProxyRetryInfoMap and
// ProxyList::DeprioritizeBadProxies (net/proxy_resolution/proxy_list.cc): a proxy that failed is moved
// to the end of every list for `retry` (Chromium: 5 minutes), keeping the relative PAC order within
// the good ones and within the bad ones; when every entry is bad they are still tried, in that order.
// DIRECT is never marked bad. Unlike Chromium, a success clears the mark at once (the issue asks for
// it: a parent that is back takes its traffic back without waiting out the delay).
//
// Keys are the hops' canonical PAC strings ("PROXY p:3128"), so this file does not depend on the
// model types. Thread-safe: one instance is shared by every I/O thread.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wpadkit::forward {

// The time seam: tests move it by hand.
class steady_clock_source {
 public:
  virtual ~steady_clock_source() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
};
std::shared_ptr<const steady_clock_source> real_steady_clock();

class proxy_chooser {
 public:
  proxy_chooser(std::chrono::milliseconds retry, std::shared_ptr<const steady_clock_source> clock);

  // The order to try `keys` in, as indices into `keys`.
  std::vector<std::size_t> order(const std::vector<std::string>& keys) const;

  void mark_bad(const std::string& key);   // ignored for "DIRECT"
  void mark_good(const std::string& key);

  bool is_bad(const std::string& key) const;
  std::size_t bad_count() const;  // entries still inside their retry window

 private:
  std::chrono::milliseconds retry_;
  std::shared_ptr<const steady_clock_source> clock_;
  mutable std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> bad_until_;
  // bad_until_.size(), readable without the lock: while no proxy is marked (the usual state), order()
  // and mark_good() take no lock, which every request would otherwise do on every I/O thread.
  std::atomic<std::size_t> marked_{0};
};

}  // namespace wpadkit::forward
