#pragma once
// metrics: pacserver's counters, exposed at /metrics in the Prometheus text format (version 0.0.4):
//   pacserver_requests_total{path,variant,status}   requests answered
//   pacserver_reloads_total{result="ok"|"failed"}    configuration reloads
//   pacserver_pac_info{variant,template,version}     1 per variant currently served (version = ETag
//   hash) pacserver_pac_bytes{variant}                     size of the served PAC
//   pacserver_generation                             publication counter (1 at start, +1 per
//   reload)
//   pacserver_connections_open                       client connections open now
//   pacserver_connection_limit_waits_total           times the listener stopped accepting because
//                                                    limits.max_connections were open
// Thread-safe: request threads count, the reloader updates the served set.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "pacserver/publication.hpp"

namespace wpadkit::pacserver {

class metrics {
 public:
  void count_request(const std::string& path, const std::string& variant, int status);
  void count_reload(bool ok);
  void connection_opened() { connections_open_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  void count_limit_wait() { limit_waits_.fetch_add(1, std::memory_order_relaxed); }
  std::string render(const publication& current) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::uint64_t reloads_ok_ = 0;
  std::uint64_t reloads_failed_ = 0;
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> limit_waits_{0};
};

}  // namespace wpadkit::pacserver
