#include "pacserver/metrics.hpp"

namespace wpadkit::pacserver {

namespace {

// A label value: backslash, double quote and newline escaped (Prometheus text format).
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void metrics::count_request(const std::string& path, const std::string& variant, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{path, variant, status}];
}

void metrics::count_reload(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

std::string metrics::render(const publication& current) const {
  std::string out;
  out += "# HELP pacserver_requests_total Requests answered, by path, variant and status.\n";
  out += "# TYPE pacserver_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_) {
      const auto& [path, variant, status] = key;
      out += "pacserver_requests_total{path=\"" + label(path) + "\",variant=\"" + label(variant) +
             "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP pacserver_reloads_total Configuration reloads, by result.\n";
    out += "# TYPE pacserver_reloads_total counter\n";
    out += "pacserver_reloads_total{result=\"ok\"} " + std::to_string(reloads_ok_) + "\n";
    out += "pacserver_reloads_total{result=\"failed\"} " + std::to_string(reloads_failed_) + "\n";
  }
  out += "# HELP pacserver_pac_info The PAC version (content hash) served per variant.\n";
  out += "# TYPE pacserver_pac_info gauge\n";
  for (const auto& [name, p] : current.variants) {
    out += "pacserver_pac_info{variant=\"" + label(name) + "\",template=\"" +
           label(p.template_name) + "\",version=\"" + p.hash + "\"} 1\n";
  }
  out += "# HELP pacserver_pac_bytes Size of the PAC served per variant.\n";
  out += "# TYPE pacserver_pac_bytes gauge\n";
  for (const auto& [name, p] : current.variants) {
    out += "pacserver_pac_bytes{variant=\"" + label(name) + "\"} " + std::to_string(p.body.size()) +
           "\n";
  }
  out += "# HELP pacserver_generation Publication counter: 1 at start, +1 per successful reload.\n";
  out += "# TYPE pacserver_generation gauge\n";
  out += "pacserver_generation " + std::to_string(current.generation) + "\n";
  out += "# HELP pacserver_connections_open Client connections open now.\n";
  out += "# TYPE pacserver_connections_open gauge\n";
  out += "pacserver_connections_open " + std::to_string(connections_open_.load()) + "\n";
  out += "# HELP pacserver_connection_limit_waits_total Times the listener stopped accepting "
         "because limits.max_connections were open.\n";
  out += "# TYPE pacserver_connection_limit_waits_total counter\n";
  out += "pacserver_connection_limit_waits_total " + std::to_string(limit_waits_.load()) + "\n";
  return out;
}

}  // namespace wpadkit::pacserver
