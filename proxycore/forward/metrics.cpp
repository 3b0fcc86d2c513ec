#include "proxycore/forward/metrics.hpp"

#include <cstdio>

namespace wpadkit::forward {
namespace {

void line(std::string& out, const char* name, const char* type, const char* help, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(buf).append("\n");
}

}  // namespace

void metrics::count_status(unsigned status) {
  auto cls = status / 100;
  if (cls >= 1 && cls <= 5) responses[cls].fetch_add(1, std::memory_order_relaxed);
}

void metrics::observe_pac_eval(std::chrono::microseconds d) {
  double seconds = static_cast<double>(d.count()) / 1e6;
  std::size_t i = 0;
  while (i < bucket_bounds_.size() && seconds > bucket_bounds_[i]) ++i;
  pac_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  pac_count_.fetch_add(1, std::memory_order_relaxed);
  pac_sum_us_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
}

std::string metrics::render(std::size_t bad_proxies, const decision_source::counters& decisions) const {
  auto get = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  std::string out;
  line(out, "wpadkit_proxy_requests_total", "counter", "Requests read from clients.", get(requests));
  line(out, "wpadkit_proxy_connect_requests_total", "counter", "CONNECT requests.", get(connects));
  line(out, "wpadkit_proxy_failovers_total", "counter", "Hops given up on within a request.", get(failovers));
  line(out, "wpadkit_proxy_all_hops_failed_total", "counter", "Requests answered 502 after every hop failed.",
       get(all_hops_failed));
  line(out, "wpadkit_proxy_client_connections_total", "counter", "Client connections accepted.",
       get(client_connections));
  line(out, "wpadkit_proxy_open_connections", "gauge", "Client connections open now.", get(open_connections));
  line(out, "wpadkit_proxy_open_tunnels", "gauge", "CONNECT tunnels open now.", get(open_tunnels));
  line(out, "wpadkit_proxy_bad_proxies", "gauge", "Proxies on the bad-proxy list now.",
       static_cast<double>(bad_proxies));
  line(out, "wpadkit_proxy_client_received_bytes_total", "counter", "Bytes received from clients.",
       get(bytes_from_clients));
  line(out, "wpadkit_proxy_client_sent_bytes_total", "counter", "Bytes sent to clients.", get(bytes_to_clients));
  line(out, "wpadkit_proxy_upstream_reused_total", "counter", "Requests sent on a pooled upstream connection.",
       get(upstream_reused));
  line(out, "wpadkit_proxy_upstream_ntlm_handshakes_total", "counter",
       "Upstream connections authenticated with NTLM (each then serves many requests).",
       get(upstream_ntlm_handshakes));
  line(out, "wpadkit_proxy_dns_lookups_total", "counter", "Names sent to the DNS resolver.", get(dns_lookups));
  line(out, "wpadkit_proxy_dns_table_hits_total", "counter", "Names answered by the static host table.",
       get(dns_table_hits));
  line(out, "wpadkit_proxy_pac_inline_evaluations_total", "counter",
       "PAC calls evaluated on an I/O thread (the rest ran on the PAC threads).",
       static_cast<double>(decisions.inline_evaluations));
  line(out, "wpadkit_proxy_auth_failures_total", "counter",
       "Requests answered 407 because client authentication failed.", get(auth_failures));
  out += "# HELP wpadkit_proxy_responses_total Responses sent to clients, by status class.\n";
  out += "# TYPE wpadkit_proxy_responses_total counter\n";
  for (int c = 1; c <= 5; ++c) {
    out += "wpadkit_proxy_responses_total{class=\"" + std::to_string(c) + "xx\"} " +
           std::to_string(responses[c].load(std::memory_order_relaxed)) + "\n";
  }
  out += "# HELP wpadkit_proxy_pac_eval_seconds PAC evaluation time per request.\n";
  out += "# TYPE wpadkit_proxy_pac_eval_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < pac_buckets_.size(); ++i) {
    cumulative += pac_buckets_[i].load(std::memory_order_relaxed);
    char le[32];
    if (i < bucket_bounds_.size()) {
      std::snprintf(le, sizeof le, "%g", bucket_bounds_[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += "wpadkit_proxy_pac_eval_seconds_bucket{le=\"" + std::string(le) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(pac_sum_us_.load()) / 1e6);
  out += "wpadkit_proxy_pac_eval_seconds_sum " + std::string(sum) + "\n";
  out += "wpadkit_proxy_pac_eval_seconds_count " + std::to_string(pac_count_.load()) + "\n";
  return out;
}

}  // namespace wpadkit::forward
