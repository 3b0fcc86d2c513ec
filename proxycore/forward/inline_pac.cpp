// forward::inline_pac — see inline_pac.hpp.
//
// The bounds: a typical PAC call takes 2–10 µs (bench/pac_eval), a generated list PAC with thousands of
// rules up to a few hundred. A call over 200 µs gains little from running here (the hand-off is
// ~15 µs) and delays the thread's other connections: it is slow. Time is wall time, so a call during
// which the thread was descheduled looks slow too; that is rare (a few µs against a scheduler slice
// of milliseconds), so a version moves to the pool only after more than 8 slow calls among 64. A
// script that loops costs the thread at most 9 cut-off calls of 2 ms, once per version.
#include "proxycore/forward/inline_pac.hpp"

#include "proxycore/dns/host_resolver.hpp"
#include "proxycore/pac/pac_environment.hpp"

namespace wpadkit::forward {

// The resolver and local-address source of an inline engine: answers what needs no waiting (an IP
// literal, as every resolver does: dns::answer_for_literal) and records that anything else was
// asked, so that the call is abandoned.
class no_wait_guard final : public dns::host_resolver, public pac::local_addresses {
 public:
  result<dns::answer> resolve(std::string_view host, dns::family f) override {
    if (auto literal = dns::answer_for_literal(host, f)) return std::move(*literal);
    needed_pool_ = true;
    return error(errc::dns_failure, "not looked up on an I/O thread");
  }

  std::vector<dns::address> addresses() const override {
    needed_pool_ = true;
    return {};
  }

  void reset() { needed_pool_ = false; }
  bool needed_pool() const { return needed_pool_; }

 private:
  mutable bool needed_pool_ = false;  // one thread at a time uses an engine and its guard
};

result<inline_engine> load_inline_engine(const pac::engine_pool& pool, pac::engine_options options) {
  auto guard = std::make_shared<no_wait_guard>();
  pac::environment env;
  env.resolver = guard;
  env.local = guard;
  // The deadline is per call; the script's top level (run by load) keeps the load limit.
  options.call_timeout = inline_call_deadline;
  auto loaded = pool.load_engine(std::move(env), options);
  if (!loaded) return loaded.error();
  return inline_engine{loaded->version, std::move(loaded->eng), std::move(guard)};
}

void inline_pac::give_up(unsigned long version) {
  given_up_ = version;
  if (eng_ && eng_->version <= version) eng_.reset();  // of no more use: its script is given up or old
}

void inline_pac::take(inline_engine e) {
  eng_.emplace(std::move(e));
  window_calls_ = window_slow_ = window_needed_pool_ = 0;
}

std::optional<std::string> inline_pac::find_proxy(unsigned long version, const std::string& url,
                                                  const std::string& host) {
  if (!eng_ || eng_->version != version || given_up_ == version) return std::nullopt;
  eng_->guard->reset();
  auto began = std::chrono::steady_clock::now();
  auto r = eng_->engine.find_proxy(url, host);
  auto took = std::chrono::steady_clock::now() - began;
  const bool needed_pool = eng_->guard->needed_pool();
  const bool cut_off = !r && r.error().is(errc::pac_timeout);
  if ((cut_off || took > limits_.slow_call) && ++window_slow_ > limits_.slow_allowed) give_up(version);
  // A script that looks names up for most URLs would pay for a partial call here before each call on
  // the pool: past half of a window, it goes to the pool straight away.
  window_needed_pool_ += needed_pool ? 1 : 0;
  if (++window_calls_ == limits_.window) {
    if (window_needed_pool_ * 2 > window_calls_) give_up(version);
    window_calls_ = window_slow_ = window_needed_pool_ = 0;
  }
  if (!r || needed_pool) return std::nullopt;
  ++answered_;
  return std::move(r->result);
}

}  // namespace wpadkit::forward
