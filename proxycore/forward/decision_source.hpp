#pragma once
// forward::decision_source — where the proxy gets each request's proxy list (the FindProxyForURL
// result). The seam between the proxy and the PAC engine: the real one (pac_decisions.hpp) runs a PAC
// on the asking I/O thread when that is bounded, else on pac::engine_pool worker threads; fixed_decisions answers one constant list (a hand-configured
// proxy: configured by hand, or a no-PAC policy; and tests). Implementations are thread-safe: every I/O thread calls them.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proxycore/base/error.hpp"

namespace wpadkit::forward {

class decision_source {
 public:
  // The PAC result string ("PROXY p:3128; DIRECT"), or why there is none: errc::pac_* (the script
  // failed), errc::config (no PAC loaded and the policy refuses).
  using completion = std::function<void(result<std::string>)>;

  virtual ~decision_source() = default;

  // Asynchronous: `done` runs exactly once, on any thread (possibly inline). Never blocks.
  virtual void find_proxy(std::string url, std::string host, completion done) = 0;

  // What a source keeps per I/O thread (pac_decisions: an engine for evaluating on that thread).
  // Made once per I/O thread by make_thread_state, used only on that thread; null: nothing.
  class thread_state {
   public:
    virtual ~thread_state() = default;
  };
  virtual std::unique_ptr<thread_state> make_thread_state() { return nullptr; }

  // The result when it can be had at once on the calling thread without waiting (a fixed list, a
  // bounded evaluation there) and succeeded; nullopt: ask find_proxy. `local` is the
  // calling thread's state from make_thread_state (or null). The fast path of most requests.
  virtual std::optional<std::string> find_proxy_now(const std::string& url, const std::string& host,
                                                    thread_state* local) {
    (void)url;
    (void)host;
    (void)local;
    return std::nullopt;
  }

  // For /metrics: calls evaluated on an I/O thread, since the start.
  struct counters {
    std::uint64_t inline_evaluations = 0;
  };
  virtual counters count() const { return {}; }

  // True once a PAC (or a fixed list) is serving. While false, find_proxy may hold calls back until
  // one loads (the "wait" policy): callers bound their wait.
  virtual bool ready() const = 0;
};

// Answers `pac_result` for every URL.
std::shared_ptr<decision_source> fixed_decisions(std::string pac_result);

}  // namespace wpadkit::forward
