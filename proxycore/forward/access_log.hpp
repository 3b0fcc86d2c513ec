#pragma once
// forward::access_log — one line per request: who asked for what, what the PAC said, which hop carried
// it after how many attempts, the status, the bytes and the times, and the user who authenticated. Two formats: Squid-like text
// ("native" access.log layout, with our fields appended) and one JSON object per line.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace wpadkit::forward {

enum class log_format { text, json };

struct access_record {
  std::chrono::system_clock::time_point start;
  std::chrono::milliseconds duration{0};
  std::string client;      // "127.0.0.1:50312"
  std::string user;        // the authenticated proxy user (RFC 9110 §11.7); empty when none
  std::string method;
  std::string url;         // absolute form (authority for CONNECT)
  std::string pac_result;  // the PAC's list; empty when no decision was made
  std::string hop;         // "DIRECT", "PROXY p:3128", or "-" when none carried it
  int attempts = 0;        // hops tried
  unsigned status = 0;
  std::uint64_t bytes_in = 0;   // from the client (head and body)
  std::uint64_t bytes_out = 0;  // to the client
  std::chrono::microseconds pac_time{0};
};

// Receives each formatted line (without newline). Called from I/O threads: must be thread-safe.
using access_log_sink = std::function<void(std::string_view line)>;

// Text: Squid's columns "time elapsed client TCP_MISS/status bytes method URL user - hop -", then
// ours (attempts, pac_us, pac). The user column is "-" when no one authenticated, as in Squid.
// JSON: one object; "user" is "" when no one authenticated.
std::string format_access_record(const access_record& r, log_format f);

}  // namespace wpadkit::forward
