#pragma once
// forward::metrics — the proxy's counters, updated lock-free from every I/O thread and rendered as
// Prometheus text (exposition format 0.0.4) by the admin listener's /metrics.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "proxycore/forward/decision_source.hpp"

namespace wpadkit::forward {

class metrics {
 public:
  std::atomic<std::uint64_t> requests{0};         // requests read from clients (CONNECT included)
  std::atomic<std::uint64_t> connects{0};         // CONNECT requests
  std::atomic<std::uint64_t> failovers{0};        // hops given up on within a request
  std::atomic<std::uint64_t> all_hops_failed{0};  // requests answered 502 after trying every hop
  std::atomic<std::uint64_t> client_connections{0};
  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::int64_t> open_tunnels{0};
  std::atomic<std::uint64_t> bytes_from_clients{0};
  std::atomic<std::uint64_t> bytes_to_clients{0};
  std::atomic<std::uint64_t> upstream_reused{0};  // requests sent on a pooled upstream connection
  std::atomic<std::uint64_t> upstream_ntlm_handshakes{
      0};                                         // upstream connections NTLM authenticated
  std::atomic<std::uint64_t> dns_lookups{0};      // origin/proxy names sent to the resolver
  std::atomic<std::uint64_t> dns_table_hits{0};   // names answered by the static host table
  std::atomic<std::uint64_t> auth_failures{0};    // 407s we sent (client authentication failed)
  std::array<std::atomic<std::uint64_t>, 6> responses{};  // by status class: [1]=1xx ... [5]=5xx

  void count_status(unsigned status);
  // A PAC evaluation's wall time, into the histogram.
  void observe_pac_eval(std::chrono::microseconds d);

  // Prometheus text; `bad_proxies` is the bad-proxy list's current size.
  std::string render(std::size_t bad_proxies, const decision_source::counters& decisions) const;

 private:
  static constexpr std::array<double, 9> bucket_bounds_ = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                          0.005,  0.01,    0.05,   0.25};
  std::array<std::atomic<std::uint64_t>, 10> pac_buckets_{};  // last one is +Inf
  std::atomic<std::uint64_t> pac_count_{0};
  std::atomic<std::uint64_t> pac_sum_us_{0};
};

}  // namespace wpadkit::forward
