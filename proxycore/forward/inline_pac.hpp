#pragma once
// forward::inline_pac — evaluates a PAC on the I/O thread that asks, when that is safe. Handing a call
// to a pac::engine_pool worker and taking the answer back costs more CPU than a typical
// FindProxyForURL call itself (bench/README.md: ~15 µs of hand-off against ~3 µs of evaluation), and
// adds two thread wake-ups to the request's latency.
//
// Safe means bounded, so that no script stalls the other connections of the thread:
//  - Nothing waits. An inline engine's resolver answers IP literals and nothing else, and its local
//    address source answers nothing: a call that looks up a name or asks myIpAddress() is abandoned
//    ("needs the pool") and the caller evaluates on the pool instead, where lookups may wait.
//  - Nothing runs long. Each call has a hard deadline (Duktape's exec-timeout hook); a script whose
//    calls are slow or cut off again and again is evaluated on the pool from then on, until the next
//    PAC version. One slow call is not enough: the thread may just have been descheduled mid-call.
//  - Nothing differs: a call abandoned or failed here is evaluated again on the pool, which gives the
//    answer or the error the caller reports. Only successful answers are taken from here.
//
// One inline_pac per I/O thread (not thread-safe); it holds at most one engine, made off the I/O
// thread (load_inline_engine) and handed over.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "proxycore/pac/pac_engine.hpp"
#include "proxycore/pac/pac_engine_pool.hpp"

namespace wpadkit::forward {

class no_wait_guard;  // inline_pac.cpp

// An engine for inline calls, and the guard that tells whether a call needed the pool.
struct inline_engine {
  unsigned long version = 0;  // the pool's version of the script it runs
  pac::engine engine;
  std::shared_ptr<no_wait_guard> guard;
};

// Loads an inline engine for the script `pool` serves now. Slow (it runs the script's top level): call
// it off the I/O threads. Errors: as pac::engine::load.
result<inline_engine> load_inline_engine(const pac::engine_pool& pool, pac::engine_options options);

// An inline engine's deadline per call (its exec-timeout): a call is cut off there and left to the
// pool. Why 2 ms: inline_pac.cpp.
inline constexpr std::chrono::milliseconds inline_call_deadline{2};

// The bounds (why these values: inline_pac.cpp). Calls are judged in windows of `window` calls.
struct inline_limits {
  std::chrono::microseconds slow_call{200};  // a call past it, or cut off, is slow
  unsigned window = 64;
  unsigned slow_allowed = 8;  // more slow calls than this in one window: the version moves
  // More than half of a window's calls needing the pool (a lookup): the version moves.
};

class inline_pac {
 public:
  explicit inline_pac(inline_limits limits = {}) : limits_(limits) {}

  // Whether this thread would take an engine for `version` (it has none for it, and has not given it
  // up).
  bool wants(unsigned long version) const { return version != given_up_ && (!eng_ || eng_->version != version); }
  void take(inline_engine e);
  // No engine will come for `version` (there were fewer than I/O threads): stop asking.
  void give_up(unsigned long version);

  // FindProxyForURL(url, host) with this thread's engine, if it runs `version` and the call stays
  // within the bounds; nullopt otherwise (evaluate on the pool).
  std::optional<std::string> find_proxy(unsigned long version, const std::string& url, const std::string& host);

  std::uint64_t calls_answered() const { return answered_; }

 private:
  inline_limits limits_;
  std::optional<inline_engine> eng_;
  unsigned long given_up_ = 0;
  unsigned window_calls_ = 0;
  unsigned window_slow_ = 0;
  unsigned window_needed_pool_ = 0;
  std::uint64_t answered_ = 0;
};

}  // namespace wpadkit::forward
