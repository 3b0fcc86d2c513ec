// Tests for forward::inline_pac's bounds with limits small enough to reach deterministically: slow
// calls, the share of calls that needed the pool, and engines for another version.
#include "proxycore/forward/inline_pac.hpp"

#include <catch2/catch.hpp>

#include "proxycore/dns/fixed_resolver.hpp"

using namespace wpadkit;
using namespace wpadkit::forward;

namespace {

std::unique_ptr<pac::engine_pool> pool(const char* text) {
  pac::environment env;
  env.resolver = std::make_shared<dns::fixed_resolver>();
  env.local = pac::fixed_local_addresses({});
  auto p = pac::engine_pool::create(text, "t.pac", env, {}, 1);
  REQUIRE(p.has_value());
  return std::move(*p);
}

const char* resolving = R"(function FindProxyForURL(url, host) {
  return dnsResolve(host) ? "DIRECT" : "PROXY p:1"; })";

}  // namespace

TEST_CASE("inline_pac: more slow calls in a window than allowed move the version to the pool") {
  auto p = pool(resolving);
  inline_limits limits;
  limits.slow_call = std::chrono::microseconds(0);  // every call is slow
  limits.slow_allowed = 2;
  inline_pac eval(limits);
  auto e = load_inline_engine(*p, {});
  REQUIRE(e.has_value());
  const auto v = e->version;
  CHECK(eval.wants(v));
  eval.take(std::move(*e));
  CHECK_FALSE(eval.wants(v));
  CHECK(eval.find_proxy(v, "http://10.0.0.1/", "10.0.0.1") == "DIRECT");
  CHECK(eval.find_proxy(v, "http://10.0.0.1/", "10.0.0.1") == "DIRECT");
  CHECK(eval.find_proxy(v, "http://10.0.0.1/", "10.0.0.1") == "DIRECT");  // the third slow one: last
  CHECK_FALSE(eval.find_proxy(v, "http://10.0.0.1/", "10.0.0.1"));
  CHECK_FALSE(eval.wants(v));  // given up: no engine is asked for this version again
  CHECK(eval.wants(v + 1));
  CHECK(eval.calls_answered() == 3);
}

TEST_CASE("inline_pac: a script that mostly needs DNS goes to the pool straight away") {
  auto p = pool(resolving);
  inline_limits limits;
  limits.window = 4;
  inline_pac eval(limits);
  auto e = load_inline_engine(*p, {});
  REQUIRE(e.has_value());
  const auto v = e->version;
  eval.take(std::move(*e));
  CHECK_FALSE(eval.find_proxy(v, "http://a.test/", "a.test"));
  CHECK_FALSE(eval.find_proxy(v, "http://b.test/", "b.test"));
  CHECK_FALSE(eval.find_proxy(v, "http://c.test/", "c.test"));
  CHECK(eval.find_proxy(v, "http://10.0.0.1/", "10.0.0.1") == "DIRECT");  // 3 of 4 needed the pool
  CHECK_FALSE(eval.find_proxy(v, "http://10.0.0.1/", "10.0.0.1"));
}

TEST_CASE("inline_pac: an engine answers only for its own version; an IPv6 literal needs no lookup") {
  auto p = pool(R"(function FindProxyForURL(url, host) { return "PROXY [" + dnsResolveEx(host) + "]:1"; })");
  inline_pac eval;
  auto e = load_inline_engine(*p, {});
  REQUIRE(e.has_value());
  const auto v = e->version;
  eval.take(std::move(*e));
  CHECK_FALSE(eval.find_proxy(v + 1, "http://[::1]/", "::1"));
  CHECK(eval.find_proxy(v, "http://[::1]/", "::1") == "PROXY [::1]:1");
  CHECK_FALSE(eval.find_proxy(v, "http://x.test/", "x.test"));
}
