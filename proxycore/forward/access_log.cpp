#include "proxycore/forward/access_log.hpp"

#include <cstdio>

namespace wpadkit::forward {
namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Request data is untrusted: a URL must not be able to forge a second log line.
std::string text_field(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += (c < 0x21 || c == 0x7f) ? '_' : static_cast<char>(c);
  return out.empty() ? "-" : out;
}

}  // namespace

std::string format_access_record(const access_record& r, log_format f) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.start.time_since_epoch()).count();
  char when[32];
  std::snprintf(when, sizeof when, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  if (f == log_format::json) {
    return std::string("{\"time\":") + when + ",\"duration_ms\":" + std::to_string(r.duration.count()) +
           ",\"client\":" + json_string(r.client) + ",\"user\":" + json_string(r.user) +
           ",\"method\":" + json_string(r.method) +
           ",\"url\":" + json_string(r.url) + ",\"pac\":" + json_string(r.pac_result) +
           ",\"hop\":" + json_string(r.hop) + ",\"attempts\":" + std::to_string(r.attempts) +
           ",\"status\":" + std::to_string(r.status) + ",\"bytes_in\":" + std::to_string(r.bytes_in) +
           ",\"bytes_out\":" + std::to_string(r.bytes_out) +
           ",\"pac_us\":" + std::to_string(r.pac_time.count()) + "}";
  }
  // Squid's native layout: time elapsed client code/status bytes method URL user hierarchy/peer type,
  // then ours: attempts, PAC time and the PAC result (quoted, spaces kept as '_').
  return std::string(when) + " " + std::to_string(r.duration.count()) + " " + text_field(r.client) +
         " TCP_MISS/" + std::to_string(r.status) + " " + std::to_string(r.bytes_out) + " " +
         text_field(r.method) + " " + text_field(r.url) + " " + text_field(r.user) + " " +
         text_field(r.hop) + " - attempts=" + std::to_string(r.attempts) +
         " pac_us=" + std::to_string(r.pac_time.count()) + " pac=\"" + text_field(r.pac_result) + "\"";
}

}  // namespace wpadkit::forward
