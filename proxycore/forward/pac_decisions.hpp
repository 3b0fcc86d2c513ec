#pragma once
// forward::pac_decisions — the decision_source that runs a PAC: FindProxyForURL on the asking I/O
// thread when that is bounded and needs no DNS (inline_pac.hpp), else on the workers of a
// pac::engine_pool; a swap-in reload that keeps the last good script when a new one fails to load,
// the policy for requests that arrive before any PAC loaded.
//
// Inline engines: each load makes `inline_engines` of them (one per I/O thread, off the I/O threads:
// on the loading thread) and each I/O thread takes one for the new version on its next request.
// Each is a heap of its own (measured: 1.4 MB of resident memory for a 500 KB PAC).
//
// Every request evaluates the script: there is no decision cache. A PAC may answer differently for
// the same URL (load balancing with Math.random() or a round-robin counter in a global, the clock,
// DNS, myIpAddress), as Chromium re-runs FindProxyForURL for every request. A cache keyed by
// (url, host) froze the first answer (a counter alternating DIRECT and a dead proxy gave
// 200 200 200 ... instead of 200 502 200 502), and proving at run time that an answer depended on
// (url, host) alone would need a write barrier on every object reachable from the global object
// (closures, `this`, Object.defineProperty, prototypes, eval), which Duktape does not offer. The
// cache was also not faster: 22.0 µs of CPU per proxied request with it, 21.8 µs without
// (bench/README.md, session 5), since evaluating inline on the I/O thread costs what a locked
// lookup did.
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "proxycore/forward/decision_source.hpp"
#include "proxycore/forward/inline_pac.hpp"
#include "proxycore/forward/proxy_config.hpp"
#include "proxycore/pac/pac_engine_pool.hpp"

namespace wpadkit::forward {

struct pac_decisions_options {
  pac::environment env;          // resolver required; shared by the pool's workers
  pac::engine_options engine;
  unsigned threads = 2;          // engine_pool workers
  no_pac_policy when_no_pac = no_pac_policy::wait;
  unsigned inline_engines = 0;   // one per I/O thread; 0: every evaluation on the pool
};

class pac_decisions final : public decision_source {
 public:
  explicit pac_decisions(pac_decisions_options options);
  ~pac_decisions() override;

  // Loads `text` (first load) or reloads it. Errors: those of pac::engine_pool::create / reload; the
  // PAC serving before (if any) keeps serving. Thread-safe.
  result<void> load(std::string text, std::string source_name);

  // Drops the PAC that is serving, as if none had loaded: requests get the no-PAC policy until the
  // next load(), which starts from the same pool (versions keep counting up, so an engine of the
  // dropped script can never answer for the next). For `pactool proxy --pac auto`
  // when the network changed and WPAD finds nothing there. False when no PAC was serving.
  // Thread-safe.
  bool unload();

  void find_proxy(std::string url, std::string host, completion done) override;
  std::unique_ptr<thread_state> make_thread_state() override;
  std::optional<std::string> find_proxy_now(const std::string& url, const std::string& host,
                                            thread_state* local) override;
  bool ready() const override;
  counters count() const override;

  unsigned long version() const;   // 0 until the first load, and while unloaded
  std::uint64_t inline_answers() const;  // decisions evaluated on an I/O thread

 private:
  struct local_state;
  void refill_inline_stock(const pac::engine_pool& pool);
  struct waiter {
    std::string url, host;
    completion done;
  };
  void evaluate(std::shared_ptr<pac::engine_pool> pool, std::string url, std::string host,
                completion done);

  pac_decisions_options options_;
  mutable std::mutex mutex_;
  std::shared_ptr<pac::engine_pool> pool_;
  bool unloaded_ = false;  // pool_ kept (for its version count) but not serving
  std::deque<waiter> waiters_;

  std::atomic<unsigned long> serving_version_{0};
  std::atomic<std::uint64_t> inline_answers_{0};
  std::mutex stock_mutex_;  // the engines made for the I/O threads, not yet taken
  unsigned long stock_version_ = 0;
  std::vector<inline_engine> stock_;
};

}  // namespace wpadkit::forward
