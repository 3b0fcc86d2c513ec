#pragma once
// forward::decision_source — where the proxy gets each request's proxy list (the FindProxyForURL
// result). The seam between the proxy and the PAC engine: the real one (pac_decisions.hpp) runs a PAC
// on pac::engine_pool worker threads; fixed_decisions answers one constant list (a hand-configured
// proxy, SPEC point 4, and tests). Implementations are thread-safe: every I/O thread calls them.
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

  // The result when it is known at once (a cached decision, a fixed list) and succeeded, without
  // queueing anything; nullopt: ask find_proxy. The fast path of every request that a cache answers.
  virtual std::optional<std::string> find_proxy_now(const std::string& url, const std::string& host) {
    (void)url;
    (void)host;
    return std::nullopt;
  }

  // True once a PAC (or a fixed list) is serving. While false, find_proxy may hold calls back until
  // one loads (the "wait" policy): callers bound their wait.
  virtual bool ready() const = 0;
};

// Answers `pac_result` for every URL.
std::shared_ptr<decision_source> fixed_decisions(std::string pac_result);

}  // namespace wpadkit::forward
